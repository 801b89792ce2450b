import { allocateCents, centsToDecimal, equalParts } from '@wallai/domain';
import { budgetItems, createBudget, createSpace, totalsDriftSummary as totalsDrift, useTestDatabase } from '@wallai/testing';
import { describe, expect, it } from 'vitest';
import {
  BENCH_FRAMEWORKS,
  generateDataset,
  monthsFrom,
  planSpace,
  splitColumns,
  type DefaultCategory,
  type PlannedBudget,
} from './generator.ts';

const db = useTestDatabase();

const CATEGORIES = [
  { key: 'groceries', category_type: 'needs' as const, weight_bp: 10000 },
  { key: 'dining', category_type: 'wants' as const, weight_bp: 10000 },
  { key: 'investments', category_type: 'savings' as const, weight_bp: 10000 },
  { key: 'income', category_type: 'income' as const, weight_bp: 10000 },
];

describe('benchmark dataset generator', () => {
  it('plans the same space for the same seed and index, whatever else is generated', () => {
    const months = monthsFrom('2025-04-01', 3);
    expect(planSpace(7, 3, months, CATEGORIES, true)).toEqual(planSpace(7, 3, months, CATEGORIES, true));
    expect(planSpace(7, 3, months, CATEGORIES, true)).not.toEqual(planSpace(8, 3, months, CATEGORIES, true));
  });

  it('splits cents exactly, remainders to the first parts', () => {
    expect(equalParts(1000, 3)).toEqual([334, 333, 333]);
    expect(allocateCents(400000, [50, 30, 20])).toEqual([200000, 120000, 80000]);
    expect(allocateCents(101, [1, 1, 1]).reduce((a, b) => a + b, 0)).toBe(101);
  });

  it('writes the planned counts through the real triggers, with totals equal to a recomputation', async () => {
    const dataset = await generateDataset(db(), { spaces: 6, months: 3, seed: 11, batchSize: 150 });
    const [counts] = await db().query<Record<string, number>>(`
      select (select count(*)::int from public.spaces) as spaces,
             (select count(*)::int from public.users) as users,
             (select count(*)::int from public.space_members) as memberships,
             (select count(*)::int from public.space_members where role = 'owner') as owners,
             (select count(*)::int from public.budgets) as budgets,
             (select count(*)::int from public.budget_items) as budget_items,
             (select count(*)::int from public.expenses) as expenses,
             (select count(*)::int from public.expenses where budget_id is not null) as linked,
             (select (sum(amount) * 100)::bigint from public.expenses) as amount_cents`);
    expect(counts).toMatchObject({
      spaces: 6,
      users: dataset.counts.users,
      memberships: dataset.counts.memberships,
      owners: 6,
      budgets: dataset.counts.budgets,
      budget_items: dataset.counts.budgetItems,
      expenses: dataset.counts.expenses,
      amount_cents: dataset.amountCentsSum,
    });
    expect(dataset.counts.expenses).toBeGreaterThan(6 * 3 * 5);
    // Every expense in a month with a master budget was linked by the trigger.
    const [unlinked] = await db().query<{ n: number }>(`
      select count(*)::int as n from public.expenses e
       where e.budget_id is null
         and exists (select 1 from public.budgets b where b.space_id = e.space_id and b.type = 'master'
                      and b.month_period = date_trunc('month', e.date)::date)`);
    expect(unlinked?.n).toBe(0);
    expect(counts?.linked).toBeGreaterThan(0);

    const drift = await totalsDrift(db());
    expect(drift).toMatchObject({ itemMismatches: 0, budgetMismatches: 0, absoluteDrift: '0.00' });
    expect(drift.itemsChecked).toBe(dataset.counts.budgetItems);

    if (await splitColumns(db())) {
      expect(dataset.splitsTable).toBe(true);
      const [splits] = await db().query<{ n: number; off: number }>(`
        select (select count(*)::int from public.expense_splits) as n,
               (select count(*)::int from (select e.id from public.expenses e join public.expense_splits s on s.expense_id = e.id
                                            group by e.id, e.amount having sum(s.amount) <> e.amount) x) as off`);
      expect(splits).toEqual({ n: dataset.counts.splits, off: 0 });
      expect(dataset.counts.splits).toBeGreaterThan(0);
    }
  });

  it('plans the budget of each framework exactly as create_budget builds it (zero_based: every item at 0)', async () => {
    const categories = await db().query<DefaultCategory & Record<string, unknown>>(
      `select key, category_type, weight_bp from private.default_categories order by display_order`,
    );
    const months = monthsFrom('2025-04-01', 6);
    const byFramework = new Map<string, PlannedBudget>();
    for (let i = 0; byFramework.size < BENCH_FRAMEWORKS.length && i < 100; i++) {
      for (const budget of planSpace(5, i, months, categories, false).budgets) {
        if (!byFramework.has(budget.framework)) byFramework.set(budget.framework, budget);
      }
    }
    expect([...byFramework.keys()].sort()).toEqual(BENCH_FRAMEWORKS.map((f) => f.framework).sort());

    for (const [framework, planned] of byFramework) {
      const space = await createSpace(db());
      const id = await createBudget(db(), space, { framework, income: centsToDecimal(planned.incomeCents), month: planned.month });
      const built = Object.fromEntries([...(await budgetItems(db(), id))].map(([category, item]) => [category, item.budgeted]));
      expect(Object.fromEntries(planned.items.map((item) => [item.category, centsToDecimal(item.cents)])), framework).toEqual(built);
    }
  });
});
