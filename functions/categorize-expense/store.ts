/**
 * The SQL of `categorize-expense`. Every statement runs inside `db.asUser`,
 * so RLS decides what the caller can see and change.
 */
import type { HistoryNeighbour } from '@wallai/categorize';
import type { Tx } from '../_shared/db.ts';

/** Neighbours asked from history per expense; the vote only needs the closest few. */
export const HISTORY_NEIGHBOURS = 10;

export interface ExpenseTarget {
  id: string;
  space_id: string;
  description: string;
  amount: string;
  category: string;
  category_source: 'default' | 'user' | 'history' | 'rules' | 'ai';
  /** Category keys of the items of the space's master budget for the expense's month (may be empty). */
  budget_categories: string[];
}

/** The expenses among ids the caller can see, with their month's budget categories. */
export async function loadVisibleExpenses(tx: Tx, ids: readonly string[]): Promise<ExpenseTarget[]> {
  return tx<ExpenseTarget[]>`
    select e.id, e.space_id, e.description, e.amount::text as amount, e.category, e.category_source,
           array(
             select i.category
               from public.budgets b
               join public.budget_items i on i.budget_id = b.id
              where b.space_id = e.space_id
                and b.type = 'master'
                and b.month_period = date_trunc('month', e.date)::date
              order by i.display_order, i.category
           ) as budget_categories
      from public.expenses e
     where e.id = any(string_to_array(${ids.join(',')}, ',')::uuid[])`;
}

/**
 * The ids among `ids` the caller may update: row-locking applies the UPDATE
 * policy as well as the SELECT one, so rows the caller cannot change are
 * filtered out (viewers, members on someone else's expense, inactive spaces).
 */
export async function lockWritableExpenses(tx: Tx, ids: readonly string[]): Promise<Set<string>> {
  const rows = await tx<{ id: string }[]>`
    select e.id from public.expenses e
     where e.id = any(string_to_array(${ids.join(',')}, ',')::uuid[])
       for update`;
  return new Set(rows.map((row) => row.id));
}

/**
 * Nearest categorized expenses of the same space for each expense, by pg_trgm
 * similarity (the `%` operator uses idx_expenses_description_trgm). Rows whose
 * category nobody set yet (`default`) are not evidence; the expense itself is excluded.
 *
 * An automatic category is only as good as the confidence it was stored with,
 * so its similarity is scaled by that confidence: a stored fallback guess
 * (`other` at 0.1) never comes back as a confident "same merchant" answer,
 * while a person's category counts in full.
 */
export async function historyForExpenses(tx: Tx, ids: readonly string[]): Promise<Map<string, HistoryNeighbour[]>> {
  const rows = await tx<{ expense_id: string; category: string; similarity: number }[]>`
    select e.id as expense_id, h.category, h.similarity
      from public.expenses e
     cross join lateral (
       select h.category, (extensions.similarity(h.description, e.description) 
                * case when h.category_source = 'user' then 1 else coalesce(h.ai_category_confidence, 1) end)::float8 as similarity
         from public.expenses h
        where h.space_id = e.space_id
          and h.id <> e.id
          and h.category_source <> 'default'
          and h.description operator(extensions.%) e.description
        order by extensions.similarity(h.description, e.description) desc, h.date desc, h.id
        limit ${HISTORY_NEIGHBOURS}
     ) h
     where e.id = any(string_to_array(${ids.join(',')}, ',')::uuid[])`;
  const byExpense = new Map<string, HistoryNeighbour[]>();
  for (const row of rows) {
    const list = byExpense.get(row.expense_id) ?? [];
    list.push({ category: row.category, similarity: Number(row.similarity) });
    byExpense.set(row.expense_id, list);
  }
  return byExpense;
}

export interface SpaceTarget {
  id: string;
  budget_categories: string[];
}

/** The space if the caller can see it, with the categories of this month's master budget (space timezone). */
export async function loadVisibleSpace(tx: Tx, spaceId: string): Promise<SpaceTarget | null> {
  const [row] = await tx<SpaceTarget[]>`
    select s.id,
           array(
             select i.category
               from public.budgets b
               join public.budget_items i on i.budget_id = b.id
              where b.space_id = s.id
                and b.type = 'master'
                and b.month_period = date_trunc('month', (now() at time zone s.timezone))::date
              order by i.display_order, i.category
           ) as budget_categories
      from public.spaces s
     where s.id = ${spaceId}::uuid`;
  return row ?? null;
}

export async function historyForDescription(tx: Tx, spaceId: string, description: string): Promise<HistoryNeighbour[]> {
  const rows = await tx<{ category: string; similarity: number }[]>`
    select h.category, (extensions.similarity(h.description, ${description}::text) 
                * case when h.category_source = 'user' then 1 else coalesce(h.ai_category_confidence, 1) end)::float8 as similarity
      from public.expenses h
     where h.space_id = ${spaceId}::uuid
       and h.category_source <> 'default'
       and h.description operator(extensions.%) ${description}::text
     order by extensions.similarity(h.description, ${description}::text) desc, h.date desc, h.id
     limit ${HISTORY_NEIGHBOURS}`;
  return rows.map((row) => ({ category: row.category, similarity: Number(row.similarity) }));
}

export type WriteOutcome = 'written' | 'user_category' | 'not_visible' | 'not_writable';

/**
 * Stores an automatic category, unless a person has chosen one (checked in
 * the UPDATE itself, so a concurrent manual change wins). The expenses
 * triggers then move the budget link and the spent totals.
 */
export async function writeCategory(
  tx: Tx,
  expenseId: string,
  decision: { category: string; confidence: number; source: 'history' | 'rules' | 'ai' },
): Promise<WriteOutcome> {
  const confidence = decision.confidence.toFixed(2);
  // The category_source trigger reads "category changed, source unchanged" as a
  // person's edit. Re-categorizing by the same step therefore passes through
  // `default` first, in the same transaction.
  await tx`
    update public.expenses
       set category_source = 'default'
     where id = ${expenseId}::uuid
       and category_source = ${decision.source}
       and category <> ${decision.category}`;
  const updated = await tx<{ id: string }[]>`
    update public.expenses
       set category = ${decision.category},
           ai_category_confidence = ${confidence}::numeric,
           category_source = ${decision.source}
     where id = ${expenseId}::uuid
       and category_source <> 'user'
    returning id`;
  if (updated.length > 0) return 'written';
  const [current] = await tx<{ category_source: string }[]>`
    select category_source from public.expenses where id = ${expenseId}::uuid`;
  if (current === undefined) return 'not_visible';
  return current.category_source === 'user' ? 'user_category' : 'not_writable';
}
