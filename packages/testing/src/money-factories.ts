import type { SqlClient } from '@wallai/db-client';
import { queryAs } from './acting-as.ts';
import type { TestSpace, TestUser } from './factories.ts';

export type TestExpense = {
  id: string;
  budget_id: string | null;
  budget_item_id: string | null;
  base_amount: string;
};

/** A budget created through create_budget by the space owner (or `by`). */
export async function createBudget(
  db: SqlClient,
  space: TestSpace,
  options: { month?: string; framework?: string; income?: string; type?: 'master' | 'secondary'; by?: TestUser } = {},
): Promise<string> {
  const [row] = await queryAs<{ id: string }>(
    db,
    (options.by ?? space.owner).actor,
    `select public.create_budget($1, $2::date, $3, $4::numeric, $5) as id`,
    [space.id, options.month ?? '2025-10-01', options.framework ?? '50_30_20', options.income ?? '4000.00', options.type ?? 'master'],
  );
  if (!row) throw new Error('create_budget returned nothing');
  return row.id;
}

/** An expense recorded through the API by `by` (the space owner by default). */
export async function createExpense(
  db: SqlClient,
  space: TestSpace,
  fields: {
    amount: string;
    description?: string;
    category?: string;
    date?: string;
    currency?: string;
    exchange_rate?: string;
    budget_item_id?: string;
    budget_id?: string;
  },
  by?: TestUser,
): Promise<TestExpense> {
  const [row] = await queryAs<TestExpense>(
    db,
    (by ?? space.owner).actor,
    `insert into public.expenses (space_id, amount, description, category, date, currency, exchange_rate, budget_item_id, budget_id)
     values ($1, $2::numeric, $3, $4, coalesce($5::date, date '2025-10-15'), $6, $7::numeric, $8::uuid, $9::uuid)
     returning id, budget_id, budget_item_id, base_amount`,
    [
      space.id,
      fields.amount,
      fields.description ?? 'Test expense',
      fields.category ?? 'groceries',
      fields.date ?? null,
      fields.currency ?? null,
      fields.exchange_rate ?? null,
      fields.budget_item_id ?? null,
      fields.budget_id ?? null,
    ],
  );
  if (!row) throw new Error('expense insert returned nothing');
  return row;
}

/** Item ids of a budget by category. */
export async function budgetItems(
  db: SqlClient,
  budgetId: string,
): Promise<Map<string, { id: string; budgeted: string; spent: string; type: string }>> {
  const rows = await db.query<{ id: string; category: string; budgeted_amount: string; spent_amount: string; category_type: string }>(
    `select id, category, budgeted_amount, spent_amount, category_type from public.budget_items where budget_id = $1`,
    [budgetId],
  );
  return new Map(rows.map((r) => [r.category, { id: r.id, budgeted: r.budgeted_amount, spent: r.spent_amount, type: r.category_type }]));
}
