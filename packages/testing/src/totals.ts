/**
 * The totals invariant the triggers keep, checked in one place: every stored
 * total next to what recomputing it from the rows gives.
 *
 *   budget_items.spent_amount  = Σ base_amount of the expenses linked to the item
 *   budgets.total_spent        = Σ base_amount of the expenses linked to the budget
 *   budgets.total_budgeted     = Σ budgeted_amount of the budget's non-income items
 *   an expense's item belongs to the expense's budget
 *
 * Tests assert `totalsDrift(db)` is empty; the benchmark reports
 * `totalsDriftSummary(db)` over a million expenses (the same recomputation,
 * aggregated in SQL); both read as the connection's own role.
 */
import type { Queryable } from '@wallai/db-client';
import { centsToDecimal, decimalToCents } from '@wallai/domain';

export type TotalKind = 'item spent' | 'budget spent' | 'budget budgeted';

export interface RecomputedTotal {
  readonly kind: TotalKind;
  /** The budget item's id for 'item spent', the budget's otherwise. */
  readonly id: string;
  readonly stored: string;
  readonly recomputed: string;
}

/** A total that differs from its recomputation, or an expense filed under another budget's item. */
export type Drift = { kind: TotalKind; id: string; stored: string; recomputed: string } | { kind: 'item in another budget'; id: string };

/**
 * `totals(kind, id, budget_id, stored, recomputed)` for every budget (or only
 * those in the uuid[] parameter $1 when `scoped`), and `misfiled(id)`: the
 * expenses linked to an item of another budget than their own.
 */
function recomputation(scoped: boolean): string {
  /** The condition when scoped to the budgets in $1, or what holds for every row otherwise. */
  const inScope = (budgetColumn: string, otherwise = 'true') => (scoped ? `${budgetColumn} = any($1::uuid[])` : otherwise);
  return `
    with item_spent as (
      select e.budget_item_id as id, sum(e.base_amount) as s from public.expenses e
       where ${scoped ? `e.budget_item_id in (select i.id from public.budget_items i where ${inScope('i.budget_id')})` : 'e.budget_item_id is not null'}
       group by 1
    ), budget_spent as (
      select e.budget_id as id, sum(e.base_amount) as s from public.expenses e
       where ${inScope('e.budget_id', 'e.budget_id is not null')}
       group by 1
    ), budget_budgeted as (
      select i.budget_id as id, sum(i.budgeted_amount) as s from public.budget_items i
       where i.category_type <> 'income' and ${inScope('i.budget_id')}
       group by 1
    ), totals as (
      select 'item spent' as kind, i.id, i.budget_id, i.spent_amount as stored, coalesce(x.s, 0) as recomputed
        from public.budget_items i left join item_spent x on x.id = i.id
       where ${inScope('i.budget_id')}
      union all
      select 'budget spent', b.id, b.id, b.total_spent, coalesce(x.s, 0)
        from public.budgets b left join budget_spent x on x.id = b.id
       where ${inScope('b.id')}
      union all
      select 'budget budgeted', b.id, b.id, b.total_budgeted, coalesce(x.s, 0)
        from public.budgets b left join budget_budgeted x on x.id = b.id
       where ${inScope('b.id')}
    ), misfiled as (
      select e.id from public.expenses e join public.budget_items i on i.id = e.budget_item_id
       where e.budget_id is distinct from i.budget_id and ${inScope('i.budget_id')}
    )`;
}

/** Every stored total of these budgets with its recomputation, in a stable order. */
export async function recomputeTotals(db: Queryable, budgetIds: readonly string[]): Promise<RecomputedTotal[]> {
  return db.query<RecomputedTotal & Record<string, unknown>>(
    `${recomputation(true)}
     select kind, id, stored::text as stored, recomputed::text as recomputed from totals order by budget_id, kind, id`,
    [budgetIds],
  );
}

/** The totals that differ from a recomputation, in the whole database; empty when all agree. */
export async function totalsDrift(db: Queryable): Promise<Drift[]> {
  return db.query<Drift & Record<string, unknown>>(`${recomputation(false)}
    select kind, id, stored::text as stored, recomputed::text as recomputed from totals where stored <> recomputed
    union all
    select 'item in another budget', id, null, null from misfiled`);
}

export interface TotalsDriftSummary {
  itemsChecked: number;
  budgetsChecked: number;
  /** Items whose spent amount differs from the recomputation. */
  itemMismatches: number;
  /** Budgets whose total spent or total budgeted differs from the recomputation. */
  budgetMismatches: number;
  /** Expenses linked to an item of another budget. */
  misfiledExpenses: number;
  /** Σ |stored − recomputed| over every total, as a numeric(12,2) string. */
  absoluteDrift: string;
}

/** The drift check of `totalsDrift`, counted in SQL (for databases too large to list). */
export async function totalsDriftSummary(db: Queryable): Promise<TotalsDriftSummary> {
  const [row] = await db.query<{
    items: number;
    budgets: number;
    item_bad: number;
    budget_bad: number;
    misfiled: number;
    abs_drift: string;
  }>(
    `${recomputation(false)}
     select count(*) filter (where kind = 'item spent')::int as items,
            count(*) filter (where kind = 'budget spent')::int as budgets,
            count(*) filter (where kind = 'item spent' and stored <> recomputed)::int as item_bad,
            count(distinct id) filter (where kind <> 'item spent' and stored <> recomputed)::int as budget_bad,
            (select count(*)::int from misfiled) as misfiled,
            coalesce(sum(abs(stored - recomputed)), 0)::text as abs_drift
       from totals`,
  );
  if (!row) throw new Error('totals drift query returned nothing');
  return {
    itemsChecked: row.items,
    budgetsChecked: row.budgets,
    itemMismatches: row.item_bad,
    budgetMismatches: row.budget_bad,
    misfiledExpenses: row.misfiled,
    absoluteDrift: centsToDecimal(decimalToCents(row.abs_drift)),
  };
}
