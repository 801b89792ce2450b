/**
 * The activity log: every change to a space's shared money and membership is
 * recorded with who, how and what changed; nobody can edit or delete it; the
 * feed reads as sentences.
 */
import {
  actAs,
  addMember,
  createBudget,
  createExpense,
  createSpace,
  createUser,
  expectSqlError,
  queryAs,
  serviceRole,
  useTestDatabase,
  type TestSpace,
} from '@wallai/testing';
import { describe, expect, it } from 'vitest';

const db = useTestDatabase();

type Entry = {
  actor_id: string | null;
  path: string;
  via: string | null;
  table_name: string;
  operation: string;
  old_values: Record<string, unknown> | null;
  new_values: Record<string, unknown> | null;
  summary: string;
};

/** The space's feed as its owner reads it, oldest first. */
async function feed(space: TestSpace): Promise<Entry[]> {
  const rows = await queryAs<Entry>(db(), space.owner.actor, `select * from public.space_activity($1, 200)`, [space.id]);
  return rows.reverse();
}

async function namedSpace(): Promise<{ space: TestSpace; bob: Awaited<ReturnType<typeof createUser>> }> {
  const alice = await createUser(db(), { metadata: { full_name: 'Alice' } });
  const space = await createSpace(db(), { owner: alice, currency: 'EUR' });
  const bob = await addMember(db(), space, 'member', await createUser(db(), { metadata: { full_name: 'Bob' } }));
  return { space, bob };
}

describe('recording', () => {
  it("a member's expense, its edit and its deletion are recorded with who, the path and the changed columns only", async () => {
    const { space, bob } = await namedSpace();
    const expense = await createExpense(db(), space, { amount: '80.00', description: 'Dinner', category: 'dining', currency: 'EUR' }, bob);
    await queryAs(db(), bob.actor, `update public.expenses set amount = 95 where id = $1`, [expense.id]);
    await queryAs(db(), bob.actor, `delete from public.expenses where id = $1`, [expense.id]);
    const entries = (await feed(space)).filter((e) => e.table_name === 'expenses');
    expect(entries.map((e) => [e.operation, e.actor_id, e.path, e.summary])).toEqual([
      ['insert', bob.id, 'table', 'Bob added Dinner (80.00 EUR)'],
      ['update', bob.id, 'table', 'Bob changed Dinner from 80.00 to 95.00'],
      ['delete', bob.id, 'table', 'Bob deleted Dinner (95.00 EUR)'],
    ]);
    expect(entries[1]!.old_values).toEqual({ amount: 80 });
    expect(entries[1]!.new_values).toEqual({ amount: 95 });
    expect(entries[0]!.new_values).not.toHaveProperty('base_amount');
    expect(entries[0]!.new_values).not.toHaveProperty('updated_at');
  });

  it("an RPC names itself as the path; the totals it moves are not logged as anyone's change", async () => {
    const { space, bob } = await namedSpace();
    await createBudget(db(), space, { month: '2025-10-01' });
    const expense = await createExpense(db(), space, { amount: '30.00', description: 'Groceries run', currency: 'EUR' });
    await queryAs(db(), space.owner.actor, `select public.split_expense($1, 'equal', $2::text::jsonb)`, [
      expense.id,
      JSON.stringify([space.owner.id, bob.id]),
    ]);
    const entries = await feed(space);
    const splits = entries.filter((e) => e.table_name === 'expense_splits');
    expect(splits).toHaveLength(2);
    expect(splits.every((e) => e.path === 'rpc' && e.via === 'split_expense')).toBe(true);
    expect(splits.map((e) => e.summary)).toContain('Alice split Groceries run: Bob owes 15.00');
    const budgetCreation = entries.filter((e) => e.table_name === 'budgets');
    expect(budgetCreation.map((e) => [e.operation, e.path, e.via])).toEqual([['insert', 'rpc', 'create_budget']]);
    // The expense raised the item's and the budget's totals: derived columns, never an entry.
    expect(entries.filter((e) => e.operation === 'update' && ['budgets', 'budget_items'].includes(e.table_name))).toEqual([]);
  });

  it('an edge function or an import that names itself is recorded as that path', async () => {
    const { space } = await namedSpace();
    const [expense] = await queryAs<{ id: string }>(
      db(),
      space.owner.actor,
      `insert into public.expenses (space_id, amount, description) values ($1, 12, 'UBER TRIP') returning id`,
      [space.id],
    );
    await actAs(db(), space.owner.actor, async (tx) => {
      await tx.query(`select set_config('wallai.origin', 'function:categorize-expense', true)`);
      await tx.query(`select public.apply_auto_category($1, 'transport', 0.9, 'rules')`, [expense!.id]);
    });
    const [entry] = (await feed(space)).filter((e) => e.table_name === 'expenses' && e.operation === 'update');
    expect(entry).toMatchObject({ path: 'function', via: 'categorize-expense', summary: 'Alice moved UBER TRIP from other to transport' });
  });

  it('joining, a role change, leaving and a removal read as what they were', async () => {
    const { space, bob } = await namedSpace();
    const carol = await addMember(db(), space, 'member', await createUser(db(), { metadata: { full_name: 'Carol' } }));
    await queryAs(db(), space.owner.actor, `select public.set_member_role($1, $2, 'viewer')`, [space.id, carol.id]);
    await queryAs(db(), carol.actor, `select public.leave_space($1)`, [space.id]);
    await queryAs(db(), space.owner.actor, `select public.remove_member($1, $2)`, [space.id, bob.id]);
    const summaries = (await feed(space)).filter((e) => e.table_name === 'space_members').map((e) => e.summary);
    expect(summaries).toEqual([
      'Alice created the space',
      'Bob joined',
      'Carol joined',
      'Alice made Carol viewer',
      'Carol left',
      'Alice removed Bob',
    ]);
  });

  it("an expense's insert records every column of the table but the derived ones, with the values stored", async () => {
    const { space, bob } = await namedSpace();
    const expense = await createExpense(
      db(),
      space,
      { amount: '12.34', description: 'Bakery', category: 'groceries', currency: 'EUR' },
      bob,
    );
    const [entry] = await db().query<{ new_values: Record<string, unknown>; expected: Record<string, unknown> }>(
      `select a.new_values, to_jsonb(e) - private.activity_derived_columns() as expected
         from public.activity_log a join public.expenses e on e.id = a.row_id
        where a.table_name = 'expenses' and a.row_id = $1`,
      [expense.id],
    );
    const columns = await db().query<{ column_name: string }>(
      `select column_name from information_schema.columns where table_schema = 'public' and table_name = 'expenses'
          and column_name <> all (private.activity_derived_columns())`,
    );
    expect(Object.keys(entry!.new_values).sort()).toEqual(columns.map((c) => c.column_name).sort());
    expect(entry!.new_values).toEqual(entry!.expected);
  });

  it('a 200-row insert in one statement records 200 entries', async () => {
    const { space } = await namedSpace();
    await queryAs(
      db(),
      space.owner.actor,
      `insert into public.expenses (space_id, amount, description) select $1, 1 + g, 'Bulk ' || g from generate_series(1, 200) g`,
      [space.id],
    );
    const [row] = await db().query<{ n: number }>(
      `select count(*)::int as n from public.activity_log where space_id = $1 and table_name = 'expenses'`,
      [space.id],
    );
    expect(row!.n).toBe(200);
  });
});

describe('append-only', () => {
  it('no API role can insert, change or delete activity; not even the database owner can rewrite it', async () => {
    const { space } = await namedSpace();
    await createExpense(db(), space, { amount: '5.00', description: 'Coffee', currency: 'EUR' });
    const [first] = await db().query<{ id: number }>(`select id from public.activity_log where space_id = $1 limit 1`, [space.id]);
    for (const actor of [space.owner.actor, serviceRole]) {
      await expectSqlError(queryAs(db(), actor, `update public.activity_log set path = 'system' where id = $1`, [first!.id]), '42501');
      await expectSqlError(queryAs(db(), actor, `delete from public.activity_log where id = $1`, [first!.id]), '42501');
      await expectSqlError(
        queryAs(
          db(),
          actor,
          `insert into public.activity_log (space_id, actor_role, path, table_name, row_id, operation, new_values)
           values ($1, 'authenticated', 'table', 'expenses', gen_random_uuid(), 'insert', '{}')`,
          [space.id],
        ),
        '42501',
      );
    }
    await expectSqlError(db().query(`update public.activity_log set path = 'system' where id = $1`, [first!.id]), '42501');
    await expectSqlError(db().query(`delete from public.activity_log where id = $1`, [first!.id]), '42501');
  });

  it("a deleted account's activity stays, anonymous", async () => {
    const { space, bob } = await namedSpace();
    await createExpense(db(), space, { amount: '5.00', description: 'Coffee', currency: 'EUR' }, bob);
    await queryAs(db(), serviceRole, `delete from auth.users where id = $1`, [bob.id]);
    const rows = await db().query<{ actor_id: string | null; operation: string; new_values: Record<string, unknown> }>(
      `select actor_id, operation, new_values from public.activity_log where space_id = $1 and table_name = 'expenses' order by id`,
      [space.id],
    );
    // Bob's expense is still recorded, now without him; the payer becoming unknown is recorded too.
    expect(rows.map((r) => [r.operation, r.actor_id])).toEqual([
      ['insert', null],
      ['update', null],
    ]);
    expect(rows[1]!.new_values).toEqual({ created_by: null });
  });

  it('deleting the space takes its activity with it', async () => {
    const { space } = await namedSpace();
    await createExpense(db(), space, { amount: '5.00', description: 'Coffee', currency: 'EUR' });
    await queryAs(db(), serviceRole, `delete from public.spaces where id = $1`, [space.id]);
    expect(await db().query(`select 1 from public.activity_log where space_id = $1`, [space.id])).toEqual([]);
  });
});

describe('reading', () => {
  it('an outsider reads no activity and gets PT404 for the feed', async () => {
    const { space } = await namedSpace();
    const outsider = await createUser(db());
    expect(await queryAs(db(), outsider.actor, `select id from public.activity_log where space_id = $1`, [space.id])).toEqual([]);
    await expectSqlError(queryAs(db(), outsider.actor, `select * from public.space_activity($1)`, [space.id]), 'PT404');
  });
});
