/** RLS matrix rows for expense_splits and settlements: both written only through RPCs (a settlement's status only by confirm_settlement/decline_settlement). */
import { createExpense, queryAs } from '@wallai/testing';
import { MEMBERS, type MatrixArea, type Subject } from '../support/rls-matrix.ts';

/** The member's part of an expense the mate paid and split between the two of them. */
const expenseSplits: Subject = {
  name: 'expense_splits',
  table: 'public.expense_splits',
  select: (fx) => ({ sql: `select id from public.expense_splits where id = $1`, params: [fx.rows.split] }),
  // The admin has no part yet; a direct insert would also break the sum at commit, but probes roll back.
  insert: (fx) => ({
    sql: `insert into public.expense_splits (expense_id, user_id, amount) values ($1, $2, 1) returning id`,
    params: [fx.rows.splitExpense, fx.admin.id],
  }),
  update: (fx) => ({
    sql: `update public.expense_splits set payment_method = 'probe' where id = $1 returning id`,
    params: [fx.rows.split],
  }),
  delete: (fx) => ({ sql: `delete from public.expense_splits where id = $1 returning id`, params: [fx.rows.split] }),
};

/** A settlement from the member to the mate. */
const settlements: Subject = {
  name: 'settlements',
  table: 'public.settlements',
  select: (fx) => ({ sql: `select id from public.settlements where id = $1`, params: [fx.rows.settlement] }),
  insert: (fx) => ({
    sql: `insert into public.settlements (space_id, from_user, to_user, amount, currency, created_by)
          values ($1, $2, $3, 1, 'USD', $2) returning id`,
    params: [fx.space.id, fx.member.id, fx.mate.id],
  }),
  update: (fx) => ({ sql: `update public.settlements set note = 'probe' where id = $1 returning id`, params: [fx.rows.settlement] }),
  delete: (fx) => ({ sql: `delete from public.settlements where id = $1 returning id`, params: [fx.rows.settlement] }),
};

/** The same settlement, confirmed by hand instead of through confirm_settlement(). */
const settlementStatus: Subject = {
  name: 'settlements (status)',
  table: 'public.settlements',
  select: (fx) => ({ sql: `select id from public.settlements where id = $1 and status = 'pending'`, params: [fx.rows.settlement] }),
  insert: (fx) => ({
    sql: `insert into public.settlements (space_id, from_user, to_user, amount, currency, created_by, status, decided_by, decided_at)
          values ($1, $2, $3, 1, 'USD', $2, 'confirmed', $2, now()) returning id`,
    params: [fx.space.id, fx.member.id, fx.mate.id],
  }),
  update: (fx) => ({
    sql: `update public.settlements set status = 'confirmed', decided_by = to_user, decided_at = now() where id = $1 returning id`,
    params: [fx.rows.settlement],
  }),
  delete: (fx) => ({
    sql: `delete from public.settlements where id = $1 and status = 'pending' returning id`,
    params: [fx.rows.settlement],
  }),
};

export const SPLITS_AREA: MatrixArea = {
  async prepare(db, fx) {
    const expense = await createExpense(db, fx.space, { amount: '30.00', description: 'Split probe' }, fx.mate);
    const parts = await queryAs<{ id: string; user_id: string }>(
      db,
      fx.mate.actor,
      `select id, user_id from public.split_expense($1, 'equal', $2::text::jsonb)`,
      [expense.id, JSON.stringify([fx.mate.id, fx.member.id])],
    );
    const membersPart = parts.find((p) => p.user_id === fx.member.id);
    if (!membersPart) throw new Error('split_expense gave the member no part');
    const [settlement] = await queryAs<{ id: string }>(
      db,
      fx.member.actor,
      `select public.record_settlement($1, $2, $3, 5, 'USD', 'probe') as id`,
      [fx.space.id, fx.member.id, fx.mate.id],
    );
    if (!settlement) throw new Error('record_settlement returned nothing');
    fx.rows.splitExpense = expense.id;
    fx.rows.split = membersPart.id;
    fx.rows.settlement = settlement.id;
  },
  rows: [
    [
      expenseSplits,
      {
        select: [...MEMBERS, 'service_role'],
        insert: ['service_role'],
        update: ['service_role'],
        delete: ['service_role'],
      },
    ],
    [
      settlements,
      {
        select: [...MEMBERS, 'service_role'],
        insert: ['service_role'],
        update: ['service_role'],
        delete: ['admin', 'owner', 'service_role'],
      },
    ],
    [
      settlementStatus,
      {
        select: [...MEMBERS, 'service_role'],
        insert: ['service_role'],
        update: ['service_role'],
        delete: ['admin', 'owner', 'service_role'],
      },
    ],
  ],
};
