/**
 * allocateCents against private.allocate_cents on the test database, on many
 * seeded random inputs: totals up to numeric(12,2)'s largest amount, integer
 * and two-decimal weights, repeated weights (ties) and zeros — the range where
 * the SQL function's numeric division is exact enough (see allocation.ts).
 */
import { expectSqlError, useTestDatabase } from '@wallai/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateCents, leftoverRotation } from './allocation.ts';
import { NUMERIC_12_2_MAX_CENTS } from './money.ts';

const db = useTestDatabase();

interface Case {
  total: number;
  weights: string[];
  /** Where ties start (split_expense: leftover_rotation of the expense id); none: 0. */
  rotation?: number;
  /** Rounding carried per position, in millionths of a cent; none: all equal. */
  carried?: number[];
}

/** private.allocate_cents for each case, in one statement. */
async function allocateInSql(cases: readonly Case[]): Promise<number[][]> {
  const rows = await db().query<{ parts: number[] }>(
    `select private.allocate_cents(
              (c ->> 'total')::bigint,
              array(select jsonb_array_elements_text(c -> 'weights')::numeric),
              coalesce((c ->> 'rotation')::integer, 0),
              case when c ? 'carried' then array(select jsonb_array_elements_text(c -> 'carried')::bigint) end) as parts
       from jsonb_array_elements($1::text::jsonb) with ordinality as x(c, n)
      order by n`,
    [JSON.stringify(cases)],
  );
  return rows.map((r) => r.parts.map(Number));
}

const inTypeScript = (c: Case) =>
  allocateCents(c.total, c.weights, {
    ...(c.rotation === undefined ? {} : { rotation: c.rotation }),
    ...(c.carried ? { carried: c.carried } : {}),
  });

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

  it('with a rotation and carried rounding on ties: the same parts, on seeded random cases', async () => {
    // Carried values from a small range so that they tie too, and from the range split_expense passes.
    const carriedValue = fc.oneof(fc.integer({ min: -2, max: 2 }), fc.integer({ min: -5_000_000, max: 5_000_000 }));
    const tieCase = weights.chain((w) =>
      fc.record({
        total,
        weights: fc.constant(w),
        rotation: fc.nat({ max: 0xfffffff }),
        carried: fc.option(fc.array(carriedValue, { minLength: w.length, maxLength: w.length }), { nil: undefined }),
      }),
    );
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(tieCase, { minLength: 50, maxLength: 100 }), async (cases) => {
        const expected = await allocateInSql(cases);
        expect(cases.map(inTypeScript)).toEqual(expected);
        compared += cases.length;
      }),
      { seed: 20261202, numRuns: 25 },
    );
    expect(compared).toBeGreaterThan(1_000);
  });

  it('leftoverRotation equals private.leftover_rotation on random expense ids', async () => {
    const ids = fc.sample(fc.uuid({ version: 4 }), { seed: 11, numRuns: 500 });
    ids.push('00000000-0000-4000-8000-000000000000', 'ffffffff-ffff-4fff-bfff-ffffffffffff', '0fffffff-0000-4000-8000-000000000000');
    const rows = await db().query<{ rotation: number }>(
      `select private.leftover_rotation(id::uuid) as rotation from unnest($1::text[]) with ordinality as x(id, n) order by n`,
      [ids],
    );
    expect(ids.map(leftoverRotation)).toEqual(rows.map((r) => Number(r.rotation)));
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
      { total: 100, weights: ['1', '1', '1'], rotation: 1 },
      { total: 101, weights: ['1', '1', '1'], rotation: 5 },
      { total: 100, weights: ['1', '1', '1'], carried: [5, -3, 0] },
      { total: 101, weights: ['1', '1', '1'], rotation: 1, carried: [5, -3, 0] },
      { total: 10, weights: ['9', '1'], carried: [900_000, -900_000] },
      { total: 7, weights: ['0', '1', '0', '1'], rotation: 3, carried: [0, 1, 0, 0] },
    ];
    expect(cases.map(inTypeScript)).toEqual(await allocateInSql(cases));
  });

  it('refuses the same inputs with the same messages', async () => {
    const refused: Array<[number, string[], number?, number[]?]> = [
      [-1, ['1']],
      [100, []],
      [100, ['1', '-1']],
      [100, ['0', '0']],
      [100, ['1', '1'], -1],
      [100, ['1', '1'], 0, [0]],
    ];
    for (const [totalCents, w, rotation, carried] of refused) {
      let message = '';
      try {
        allocateCents(totalCents, w, { ...(rotation === undefined ? {} : { rotation }), ...(carried ? { carried } : {}) });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, `allocateCents(${totalCents}, [${w.join(', ')}])`).not.toBe('');
      const sqlError = await expectSqlError(
        db().query(`select private.allocate_cents($1::bigint, $2::numeric[], $3::integer, $4::bigint[])`, [
          totalCents,
          w,
          rotation ?? 0,
          carried ?? null,
        ]),
        '22023',
      );
      expect(message).toBe(sqlError.message);
    }
  });
});
