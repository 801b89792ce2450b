/**
 * The numeric(12,2) text helpers against Postgres itself: what the database
 * prints for an amount is what centsToDecimal writes, and what it would
 * silently round is what toDecimalString refuses.
 */
import { useTestDatabase } from '@wallai/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AmountError, centsToDecimal, decimalToCents, NUMERIC_12_2_MAX_CENTS, toDecimalString } from './money.ts';

const db = useTestDatabase();

describe('numeric(12,2) text equals what Postgres prints', () => {
  it('centsToDecimal writes the text Postgres gives integer cents as numeric(12,2), and decimalToCents reads it back', async () => {
    const cents = [
      0,
      1,
      -1,
      5,
      100,
      -12_345,
      NUMERIC_12_2_MAX_CENTS,
      -NUMERIC_12_2_MAX_CENTS,
      ...fc.sample(fc.integer({ min: -NUMERIC_12_2_MAX_CENTS, max: NUMERIC_12_2_MAX_CENTS }), { numRuns: 500, seed: 122 }),
    ];
    const rows = await db().query<{ text: string; sum: string }>(
      `select (c / 100.0)::numeric(12,2)::text as text, (select sum(x) from unnest(array[(c / 100.0)::numeric(12,2), 0.00]) x)::text as sum
         from unnest($1::bigint[]) with ordinality as u(c, n) order by n`,
      [cents],
    );
    expect(rows.map((r) => r.text)).toEqual(cents.map(centsToDecimal));
    expect(rows.map((r) => decimalToCents(r.sum))).toEqual(cents);
  });

  it('toDecimalString refuses the third decimal that numeric(12,2) would round away', async () => {
    const [row] = await db().query<{ stored: string }>(`select '1.005'::numeric(12,2)::text as stored`);
    expect(row?.stored).toBe('1.01');
    expect(() => toDecimalString(1005, 'KWD')).toThrow(AmountError);
    expect(toDecimalString(1010, 'KWD')).toBe('1.01');
  });
});
