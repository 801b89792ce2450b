/** RLS matrix rows for the money tables: budgets, budget_items, expenses. */
import { budgetItems, createBudget, createExpense } from '@wallai/testing';
import { MEMBERS, type ActorName, type MatrixArea, type MatrixFixture, type Subject } from '../support/rls-matrix.ts';

const WRITERS = ['member', 'admin', 'owner'] as const;
const MANAGERS = ['admin', 'owner'] as const;

/** The actor's own expense where they have one; everyone else aims at the mate's. */
function ownExpenseId(fx: MatrixFixture, actor: ActorName): string {
  const own = fx.rows[`expense:${actor}`];
  return own ?? fx.rows['expense:mate']!;
}

const budgets: Subject = {
  name: 'budgets',
  table: 'public.budgets',
  select: (fx) => ({ sql: `select id from public.budgets where id = $1`, params: [fx.rows.budget] }),
  insert: (fx) => ({
    sql: `insert into public.budgets (space_id, name, type, month_period) values ($1, 'Probe', 'secondary', '2030-01-01') returning id`,
    params: [fx.space.id],
  }),
  update: (fx) => ({ sql: `update public.budgets set description = 'Probe' where id = $1 returning id`, params: [fx.rows.budget] }),
  delete: (fx) => ({ sql: `delete from public.budgets where id = $1 returning id`, params: [fx.rows.budget] }),
};

const budgetItemsSubject: Subject = {
  name: 'budget_items',
  table: 'public.budget_items',
  select: (fx) => ({ sql: `select id from public.budget_items where id = $1`, params: [fx.rows.item] }),
  insert: (fx) => ({
    sql: `insert into public.budget_items (budget_id, category, category_type, budgeted_amount) values ($1, 'probe_category', 'wants', 10) returning id`,
    params: [fx.rows.budget],
  }),
  update: (fx) => ({ sql: `update public.budget_items set budgeted_amount = 123 where id = $1 returning id`, params: [fx.rows.item] }),
  delete: (fx) => ({ sql: `delete from public.budget_items where id = $1 returning id`, params: [fx.rows.item] }),
};

const expenseInsert = (fx: MatrixFixture) => ({
  sql: `insert into public.expenses (space_id, amount, description, category) values ($1, 7.5, 'Probe', 'groceries') returning id`,
  params: [fx.space.id],
});

const ownExpenses: Subject = {
  name: 'expenses (own)',
  table: 'public.expenses',
  select: (fx, a) => ({ sql: `select id from public.expenses where id = $1`, params: [ownExpenseId(fx, a)] }),
  insert: expenseInsert,
  update: (fx, a) => ({ sql: `update public.expenses set notes = 'Probe' where id = $1 returning id`, params: [ownExpenseId(fx, a)] }),
  delete: (fx, a) => ({ sql: `delete from public.expenses where id = $1 returning id`, params: [ownExpenseId(fx, a)] }),
};

const matesExpenses: Subject = {
  name: "expenses (a space-mate's)",
  table: 'public.expenses',
  select: (fx) => ({ sql: `select id from public.expenses where id = $1`, params: [fx.rows['expense:mate']] }),
  insert: expenseInsert,
  update: (fx) => ({ sql: `update public.expenses set notes = 'Probe' where id = $1 returning id`, params: [fx.rows['expense:mate']] }),
  delete: (fx) => ({ sql: `delete from public.expenses where id = $1 returning id`, params: [fx.rows['expense:mate']] }),
};

export const MONEY_AREA: MatrixArea = {
  async prepare(db, fx) {
    fx.rows.budget = await createBudget(db, fx.space, { month: '2025-10-01' });
    fx.rows.item = (await budgetItems(db, fx.rows.budget)).get('groceries')!.id;
    for (const name of ['member', 'admin', 'owner', 'mate'] as const) {
      fx.rows[`expense:${name}`] = (
        await createExpense(db, fx.space, { amount: '20.00', description: `${name}'s lunch`, category: 'dining' }, fx[name])
      ).id;
    }
  },
  rows: [
    [
      budgets,
      {
        select: [...MEMBERS, 'service_role'],
        insert: [...MANAGERS, 'service_role'],
        update: [...MANAGERS, 'service_role'],
        delete: [...MANAGERS, 'service_role'],
      },
    ],
    [
      budgetItemsSubject,
      {
        select: [...MEMBERS, 'service_role'],
        insert: [...MANAGERS, 'service_role'],
        update: [...MANAGERS, 'service_role'],
        delete: [...MANAGERS, 'service_role'],
      },
    ],
    [
      ownExpenses,
      {
        select: [...MEMBERS, 'service_role'],
        insert: [...WRITERS, 'service_role'],
        update: [...WRITERS, 'service_role'],
        delete: [...WRITERS, 'service_role'],
      },
    ],
    [
      matesExpenses,
      {
        select: [...MEMBERS, 'service_role'],
        insert: [...WRITERS, 'service_role'],
        update: [...MANAGERS, 'service_role'],
        delete: [...MANAGERS, 'service_role'],
      },
    ],
  ],
};
