/**
 * `npm run bench -- --reuse <database>`: measure again on a database an earlier
 * `--keep` run generated, without the minutes of generating it. The dataset's
 * shape (spaces in generation order, their members owner first, the months of
 * their master budgets, the counts) is read back from the tables; the schema is
 * whatever that database has. Each run's insert step adds its rows (2 × the
 * insert rows) to public.expenses, so the dataset grows slightly with each reuse.
 */
import type { Queryable } from '@wallai/db-client';
import { spaceIdFor, type Dataset, type GeneratedMember, type GeneratedSpace } from './generator.ts';

export async function loadDataset(db: Queryable, seed: number): Promise<Dataset> {
  const months = (
    await db.query<{ month: string }>(`select distinct to_char(month_period, 'YYYY-MM-DD') as month from public.budgets order by 1`)
  ).map((r) => r.month);
  const rows = await db.query<{ id: string; currency: string; members: GeneratedMember[]; budget_months: string[] }>(
    `select s.id, s.currency,
            coalesce((select jsonb_agg(jsonb_build_object('id', m.user_id, 'role', m.role) order by m.role <> 'owner', m.joined_at, m.user_id)
                        from public.space_members m where m.space_id = s.id and m.is_active), '[]'::jsonb) as members,
            coalesce((select array_agg(to_char(b.month_period, 'YYYY-MM-DD') order by b.month_period)
                        from public.budgets b where b.space_id = s.id and b.type = 'master'), '{}') as budget_months
       from public.spaces s`,
  );
  // Generation order, as a fresh run sees the spaces (ids are a function of the seed and the index).
  const order = new Map<string, number>();
  for (let i = 0; i < rows.length; i++) order.set(spaceIdFor(seed, i), i);
  const spaces: GeneratedSpace[] = rows
    .map((r) => ({ id: r.id, currency: r.currency, members: r.members, budgetMonths: r.budget_months }))
    .sort((a, b) => (order.get(a.id) ?? Infinity) - (order.get(b.id) ?? Infinity) || a.id.localeCompare(b.id));

  const [c] = await db.query<
    Record<'users' | 'spaces' | 'memberships' | 'budgets' | 'budget_items' | 'expenses' | 'splits', number> & { cents: string | null }
  >(
    `select (select count(*)::int from public.users) as users,
            (select count(*)::int from public.spaces) as spaces,
            (select count(*)::int from public.space_members) as memberships,
            (select count(*)::int from public.budgets) as budgets,
            (select count(*)::int from public.budget_items) as budget_items,
            (select count(*)::int from public.expenses) as expenses,
            (select count(*)::int from public.expense_splits) as splits,
            (select sum(amount * 100)::text from public.expenses) as cents`,
  );
  if (!c || c.spaces === 0) throw new Error('--reuse: this database has no spaces; generate one with --keep first');
  return {
    seed,
    months,
    spaces,
    counts: {
      users: c.users,
      spaces: c.spaces,
      memberships: c.memberships,
      budgets: c.budgets,
      budgetItems: c.budget_items,
      expenses: c.expenses,
      splits: c.splits,
    },
    amountCentsSum: Number(c.cents ?? 0),
    splitsTable: true,
    seconds: { identity: 0, budgets: 0, expenses: 0, total: 0 },
  };
}
