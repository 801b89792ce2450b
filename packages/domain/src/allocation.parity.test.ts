/**
 * allocateCents against private.allocate_cents on the test database, on many
 * seeded random inputs: totals up to numeric(12,2)'s largest amount, integer
 * and two-decimal weights, repeated weights (ties) and zeros — the range where
 * the SQL function's numeric division is exact enough (see allocation.ts).
 */
import { expectSqlError, useTestDatabase } from '@wallai/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateCents } from './allocation.ts';
import { NUMERIC_12_2_MAX_CENTS } from './money.ts';

const db = useTestDatabase();

interface Case {
  total: number;
  weights: string[];
}

/** private.allocate_cents for each case, in one statement. */
async function allocateInSql(cases: readonly Case[]): Promise<number[][]> {
  const rows = await db().query<{ parts: number[] }>(
    `select private.allocate_cents((c ->> 'total')::bigint, array(select jsonb_array_elements_text(c -> 'weights')::numeric)) as parts
       from jsonb_array_elements($1::text::jsonb) with ordinality as x(c, n)
      order by n`,
    [JSON.stringify(cases)],
  );
  return rows.map((r) => r.parts.map(Number));
}

const integerWeight = fc.integer({ min: 0, max: 10_000 }).map(String);
const percentWeight = fc.integer({ min: 0, max: 10_000 }).map((bp) => (bp / 100).toFixed(2));
const smallWeight = fc.integer({ min: 0, max: 3 }).map(String);

/** Weights of one kind, some of them repeated so remainders tie, never all zero. */
const weights = fc
  .oneof(integerWeight, percentWeight, smallWeight)
  .chain((first) => {
    const kind = first.includes('.') ? percentWeight : Number(first) <= 3 ? fc.oneof(smallWeight, integerWeight) : integerWeight;
    return fc.array(fc.oneof(kind, fc.constant(first)), { minLength: 0, maxLength: 11 }).map((rest) => [first, ...rest]);
  })
  .filter((w) => w.some((x) => Number(x) > 0));

const total = fc.oneof(
  fc.integer({ min: 0, max: 1_000 }),
  fc.integer({ min: 0, max: 10_000_000 }),
  fc.integer({ min: 0, max: NUMERIC_12_2_MAX_CENTS }),
);

describe('allocateCents equals private.allocate_cents', () => {
  it('on seeded random totals and weights: integers, two-decimal percentages, ties and zeros', async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ total, weights }), { minLength: 50, maxLength: 100 }), async (cases) => {
        const expected = await allocateInSql(cases);
        expect(cases.map((c) => allocateCents(c.total, c.weights))).toEqual(expected);
        compared += cases.length;
      }),
      { seed: 20251006, numRuns: 25 },
    );
    expect(compared).toBeGreaterThan(1_000);
  });

  it('on the cases written out: ties to the earlier position, exact decimal remainders, zero weights', async () => {
    const cases: Case[] = [
      { total: 100, weights: ['1', '1', '1'] },
      { total: 333_333, weights: ['50', '30', '20'] },
      { total: 100, weights: ['33.33', '33.33', '33.34'] },
      { total: 10_001, weights: ['33.33', '33.34', '33.33'] },
      { total: 7, weights: ['0', '1', '0', '1'] },
      { total: 0, weights: ['5', '5'] },
      { total: NUMERIC_12_2_MAX_CENTS, weights: ['4000', '1200', '1800', '1200', '700', '600', '500'] },
    ];
    expect(cases.map((c) => allocateCents(c.total, c.weights))).toEqual(await allocateInSql(cases));
  });

  it('refuses the same inputs with the same messages', async () => {
    const refused: Array<[number, string[]]> = [
      [-1, ['1']],
      [100, []],
      [100, ['1', '-1']],
      [100, ['0', '0']],
    ];
    for (const [totalCents, w] of refused) {
      let message = '';
      try {
        allocateCents(totalCents, w);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, `allocateCents(${totalCents}, [${w.join(', ')}])`).not.toBe('');
      const sqlError = await expectSqlError(
        db().query(`select private.allocate_cents($1::bigint, $2::numeric[])`, [totalCents, w]),
        '22023',
      );
      expect(message).toBe(sqlError.message);
    }
  });
});
