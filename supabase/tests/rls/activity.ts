/** RLS matrix rows for the activity log: members read it; nobody writes it through the API. */
import { createExpense } from '@wallai/testing';
import { MEMBERS, type MatrixArea, type Subject } from '../support/rls-matrix.ts';

const activity: Subject = {
  name: 'activity_log',
  table: 'public.activity_log',
  select: (fx) => ({ sql: `select id from public.activity_log where id = $1`, params: [fx.rows.activity] }),
  insert: (fx) => ({
    sql: `insert into public.activity_log (space_id, actor_role, path, table_name, row_id, operation, new_values)
          values ($1, 'authenticated', 'table', 'expenses', gen_random_uuid(), 'insert', '{}') returning id`,
    params: [fx.space.id],
  }),
  update: (fx) => ({ sql: `update public.activity_log set via = 'probe' where id = $1 returning id`, params: [fx.rows.activity] }),
  delete: (fx) => ({ sql: `delete from public.activity_log where id = $1 returning id`, params: [fx.rows.activity] }),
};

export const ACTIVITY_AREA: MatrixArea = {
  async prepare(db, fx) {
    const expense = await createExpense(db, fx.space, { amount: '3.00', description: 'Activity probe' }, fx.mate);
    const [row] = await db.query<{ id: string }>(
      `select id::text as id from public.activity_log where table_name = 'expenses' and row_id = $1 and operation = 'insert'`,
      [expense.id],
    );
    if (!row) throw new Error('the expense insert left no activity row');
    fx.rows.activity = row.id;
  },
  rows: [[activity, { select: [...MEMBERS, 'service_role'], insert: [], update: [], delete: [] }]],
};
