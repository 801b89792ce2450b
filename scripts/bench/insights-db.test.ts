import { createSpace, useTestDatabase } from '@wallai/testing';
import { describe, expect, it } from 'vitest';
import { formatInsightsDb, insightsDbTargets, measureInsightsDb, writeGeneratedSpace } from './insights-db.ts';

const db = useTestDatabase();

describe('the insights service benchmark', () => {
  it('writes the generated space with its expenses, splits that add up, a budget and two consenting members', async () => {
    const spaceId = await writeGeneratedSpace(db(), 300, 3, new Date());
    const [row] = await db().query<{ expenses: number; off: number; budgets: number; consenting: number }>(
      `select (select count(*)::int from public.expenses where space_id = $1) as expenses,
              (select count(*)::int from public.expenses e where e.space_id = $1
                 and exists (select 1 from public.expense_splits s where s.expense_id = e.id)
                 and e.amount <> (select sum(s.amount) from public.expense_splits s where s.expense_id = e.id)) as off,
              (select count(*)::int from public.budgets where space_id = $1) as budgets,
              (select count(*)::int from public.space_members m join public.users u on u.id = m.user_id
                where m.space_id = $1 and u.consent_status) as consenting`,
      [spaceId],
    );
    expect(row).toEqual({ expenses: 300, off: 0, budgets: 1, consenting: 2 });
  });

  it('times one space per size through the service, removes it again, then analyses every space in the batch', async () => {
    // A space whose members never answered: the batch gives them consent, so it is analysed too.
    const other = await createSpace(db());
    const result = await measureInsightsDb(
      db(),
      { sizes: [200, 400], runs: 2, warmup: 1, batch: true, page: 2, seed: 5, explain: true },
      () => {},
    );
    expect(result.sizes.map((s) => s.expenses)).toEqual([200, 400]);
    for (const s of result.sizes) {
      expect(s.insights).toBeGreaterThan(0);
      expect(s.total.samples).toBe(2);
      expect(s.load.p50 + s.write.p50).toBeLessThanOrEqual(s.total.max + 1e-6);
      expect(new Set(s.statements.map((t) => t.phase))).toEqual(new Set(['load', 'write']));
      expect(s.plan).toMatch(/actual time/);
    }
    const [left] = await db().query<{ n: number }>(
      `select count(*)::int as n from public.spaces where name in ('Insights bench 200', 'Insights bench 400')`,
    );
    expect(left?.n).toBe(0);
    const [spaces] = await db().query<{ n: number }>(`select count(*)::int as n from public.spaces where is_active`);
    expect(result.batch).toMatchObject({ spaces: spaces?.n, analysed: spaces?.n, failed: 0, consentMissing: 0 });
    const [profile] = await db().query<{ status: string }>(`select status from public.space_profiles where space_id = $1`, [other.id]);
    expect(profile?.status).toBe('analysed');
    expect(insightsDbTargets(result).find((t) => t.hard)?.pass).toBe(true);
    expect(formatInsightsDb(result)).toContain('batch over');
  });
});
