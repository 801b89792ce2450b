/**
 * suggestTransfers against private.suggest_transfers (what suggest_settlements
 * runs per currency) on the test database: the same transfers, in the same
 * order, on seeded random balance sets, exact (up to the limit) and the walk above it.
 */
import { randomUUID } from 'node:crypto';
import { expectSqlError, useTestDatabase } from '@wallai/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BalanceCents, EXACT_SEARCH_LIMIT, suggestTransfers, type TransferCents } from './settlements.ts';

const db = useTestDatabase();

/** private.suggest_transfers for each set, in one statement. */
async function suggestInSql(sets: readonly BalanceCents[][]): Promise<TransferCents[][]> {
  const rows = await db().query<{ n: string; transfers: TransferCents[] | null }>(
    `select x.n, (select jsonb_agg(jsonb_build_object('from', t.from_user, 'to', t.to_user, 'cents', t.cents))
                    from private.suggest_transfers(
                           array(select (b ->> 'userId')::uuid from jsonb_array_elements(x.s) b),
                           array(select (b ->> 'cents')::bigint from jsonb_array_elements(x.s) b)) t) as transfers
       from jsonb_array_elements($1::text::jsonb) with ordinality as x(s, n)
      order by x.n`,
    [JSON.stringify(sets)],
  );
  return rows.map((r) => r.transfers ?? []);
}

/** Balances summing to 0 over fresh uuids, some of them 0, amounts that often cancel or rarely do. */
const balanceSet = (minPeople: number, maxPeople: number) =>
  fc
    .array(
      fc.oneof(
        fc.integer({ min: -6, max: 6 }).map((x) => x * 250),
        fc.integer({ min: -90_000, max: 90_000 }),
      ),
      {
        minLength: minPeople - 1,
        maxLength: maxPeople - 1,
      },
    )
    .map((xs) => [...xs, -xs.reduce((a, b) => a + b, 0)].map((cents) => ({ userId: randomUUID(), cents })));

describe('suggestTransfers equals private.suggest_transfers', () => {
  it('on seeded random balances up to the exact limit (zeros and repeated amounts included)', async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(balanceSet(2, EXACT_SEARCH_LIMIT), { minLength: 20, maxLength: 40 }), async (sets) => {
        expect(await suggestInSql(sets)).toEqual(sets.map((s) => suggestTransfers(s)));
        compared += sets.length;
      }),
      { seed: 20251209, numRuns: 12 },
    );
    expect(compared).toBeGreaterThan(300);
  });

  it('on seeded random balances above it (the walk)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(balanceSet(EXACT_SEARCH_LIMIT + 1, 45), { minLength: 10, maxLength: 20 }), async (sets) => {
        expect(await suggestInSql(sets)).toEqual(sets.map((s) => suggestTransfers(s)));
      }),
      { seed: 20251210, numRuns: 8 },
    );
  });

  it("on the issue's example: 3 transfers", async () => {
    const ids = ['2', '3', '4', '5', '6'].map((d) => `00000000-0000-0000-0000-00000000000${d}`);
    const set = [-5000, 1000, -6000, 6000, 4000].map((cents, i) => ({ userId: ids[i] as string, cents }));
    const [inSql] = await suggestInSql([set]);
    expect(inSql).toEqual(suggestTransfers(set));
    expect(inSql).toHaveLength(3);
  });

  it('refuses balances that do not sum to 0 (22023)', async () => {
    await expectSqlError(
      db().query(`select * from private.suggest_transfers(array[gen_random_uuid(), gen_random_uuid()], array[100, -99]::bigint[])`),
      '22023',
    );
  });
});
