import { useTestDatabase } from '@wallai/testing';
import { describe, expect, it } from 'vitest';
import { buildSettlementsSpace, measureSettlements } from './settlements.ts';

const db = useTestDatabase();

describe('the suggest_settlements benchmark', () => {
  it('builds a space with the members and unpaid splits asked for, all adding up', async () => {
    const { spaceId, members } = await buildSettlementsSpace(db(), { members: 6, splits: 40, seed: 1 });
    expect(members).toHaveLength(6);
    const [row] = await db().query<{ splits: string; off: string }>(
      `select count(*) as splits,
              (select count(*) from public.expenses e where e.space_id = $1
                and e.amount <> (select sum(s.amount) from public.expense_splits s where s.expense_id = e.id)) as off
         from public.expense_splits s join public.expenses e on e.id = s.expense_id
        where e.space_id = $1 and not s.is_paid`,
      [spaceId],
    );
    expect(Number(row?.splits)).toBe(40);
    expect(Number(row?.off)).toBe(0);
  });

  it('times suggest_settlements beside the walk before issue 9, and never suggests more transfers', async () => {
    const result = await measureSettlements(db(), { members: 12, splits: 120, rounds: 3, warmup: 1, seed: 3 });
    expect(result.unpaidSplits).toBe(120);
    expect(result.suggested.samples).toBe(3);
    expect(result.walk.samples).toBe(3);
    expect(result.suggested.transfers).toBeGreaterThan(0);
    expect(result.suggested.transfers).toBeLessThanOrEqual(result.walk.transfers);
  });
});
