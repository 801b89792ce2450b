/**
 * The activity log: every change to a space's shared money and membership is
 * recorded with who, how and what changed; nobody can edit or delete it; the
 * feed reads as sentences.
 */
import { openBankFile } from '@wallai/bank-formats';
import { importFile, type Transact } from '@wallai/bank-import/service';
import { transactionsAs } from '@wallai/db-client';
import {
  actAs,
  addMember,
  claimsFor,
  createBudget,
  createExpense,
  createOperator,
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

  it('a new space reads as created by its creator, who is its owner (not as a reactivation)', async () => {
    const { space } = await namedSpace();
    const [name] = await db().query<{ name: string }>('select name from public.spaces where id = $1', [space.id]);
    const summaries = (await feed(space))
      .filter((e) => e.operation === 'insert' && (e.table_name === 'spaces' || e.table_name === 'space_members'))
      .map((e) => e.summary);
    // The owner's membership is written by a row trigger of the space's insert, before that
    // statement's activity row; namedSpace adds Bob afterwards.
    expect(summaries).toEqual(['Alice is the owner', `Alice created the space ${name!.name}`, 'Bob joined']);
  });

  it('joining, a role change, leaving and a removal read as what they were', async () => {
    const { space, bob } = await namedSpace();
    const carol = await addMember(db(), space, 'member', await createUser(db(), { metadata: { full_name: 'Carol' } }));
    await queryAs(db(), space.owner.actor, `select public.set_member_role($1, $2, 'viewer')`, [space.id, carol.id]);
    await queryAs(db(), carol.actor, `select public.leave_space($1)`, [space.id]);
    await queryAs(db(), space.owner.actor, `select public.remove_member($1, $2)`, [space.id, bob.id]);
    const summaries = (await feed(space)).filter((e) => e.table_name === 'space_members').map((e) => e.summary);
    expect(summaries).toEqual([
      'Alice is the owner',
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

  it("the expense insert path names the columns in jsonb's key order, so each entry is built without a sort", async () => {
    const [fn] = await db().query<{ body: string }>(`select pg_get_functiondef('private.record_activity()'::regprocedure) as body`);
    const list = /select to_jsonb\(r\)\s+from \(select (x\.[a-z_]+(?:,\s*x\.[a-z_]+)*)\) r\)/.exec(fn!.body)?.[1];
    const named = list!.split(',').map((c) => c.trim().slice(2));
    // jsonb orders an object's keys by length, then bytewise.
    const jsonbOrder = [...named].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
    expect(named).toEqual(jsonbOrder);
    expect(named.length).toBeGreaterThan(10);
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

describe('imports, repayments and reviews', () => {
  const statement = [
    'Date,Description,Amount',
    '2025-10-03,Corner Bakery,-4.50',
    '2025-10-04,Fresh Grocer,-30.00',
    '2025-10-05,Bad row,abc',
    '',
  ].join('\n');

  it("an import's start and completion are recorded with the path import and its counts, and its expenses with the import's id", async () => {
    const { space, bob } = await namedSpace();
    const transact = transactionsAs(db(), claimsFor(bob.actor) as { role: 'authenticated' }) as Transact;
    const report = await importFile(transact, openBankFile, statement, { spaceId: space.id, fileName: 'october.csv' });
    expect(report.status).toBe('completed');
    expect(report.counts).toMatchObject({ added: 2, invalid: 1 });
    const entries = await feed(space);
    const imports = entries.filter((e) => e.table_name === 'imports');
    expect(imports.map((e) => [e.operation, e.actor_id, e.path])).toEqual([
      ['insert', bob.id, 'import'],
      ['update', bob.id, 'import'],
      ['update', bob.id, 'import'],
    ]);
    expect(imports.map((e) => e.summary)).toEqual([
      'Bob started importing october.csv',
      'october.csv is being imported',
      'Bob imported october.csv: 2 added, 0 updated, 0 removed, 1 invalid',
    ]);
    // The report (per-row errors, matches, detection) stays on the imports row, out of the log.
    for (const entry of imports) {
      for (const values of [entry.old_values, entry.new_values]) {
        expect(values ?? {}).not.toHaveProperty('validation_errors');
        expect(values ?? {}).not.toHaveProperty('row_matches');
        expect(values ?? {}).not.toHaveProperty('detection');
      }
    }
    const expenses = entries.filter((e) => e.table_name === 'expenses');
    expect(expenses.map((e) => [e.path, e.via, e.actor_id])).toEqual([
      ['import', report.import_id, bob.id],
      ['import', report.import_id, bob.id],
    ]);
  });

  it('a failed import reads as failed with its reason', async () => {
    const { space, bob } = await namedSpace();
    const transact = transactionsAs(db(), claimsFor(bob.actor) as { role: 'authenticated' }) as Transact;
    const report = await importFile(transact, openBankFile, new Uint8Array([0, 159, 146, 150, 0, 1, 2]), {
      spaceId: space.id,
      fileName: 'garbage.bin',
    });
    expect(report.status).toBe('failed');
    const summaries = (await feed(space)).filter((e) => e.table_name === 'imports').map((e) => e.summary);
    expect(summaries[0]).toBe('Bob started importing garbage.bin');
    expect(summaries.at(-1)).toMatch(/^The import of garbage\.bin failed: .+/);
  });

  it('confirming and declining a repayment read as the decision, by whom', async () => {
    const { space, bob } = await namedSpace();
    const record = (amount: string) =>
      queryAs<{ id: string }>(db(), bob.actor, `select public.record_settlement($1, $2, $3, $4, 'EUR') as id`, [
        space.id,
        bob.id,
        space.owner.id,
        amount,
      ]);
    const [first] = await record('20.00');
    const [second] = await record('5.00');
    await queryAs(db(), space.owner.actor, `select public.confirm_settlement($1)`, [first!.id]);
    await queryAs(db(), space.owner.actor, `select public.decline_settlement($1)`, [second!.id]);
    const summaries = (await feed(space)).filter((e) => e.table_name === 'settlements').map((e) => e.summary);
    expect(summaries).toEqual([
      'Bob recorded that Bob paid Alice 20.00 EUR',
      'Bob recorded that Bob paid Alice 5.00 EUR',
      'Alice confirmed that Bob paid Alice 20.00 EUR',
      'Alice declined that Bob paid Alice 5.00 EUR',
    ]);
  });

  /** A recommendation as the insights service writes it: pending review. */
  async function pendingRecommendation(space: TestSpace, title: string): Promise<string> {
    const [row] = await queryAs<{ id: string }>(
      db(),
      serviceRole,
      `insert into public.financial_insights (space_id, type, title, description, kind, review_status, rule, rule_version, subject, decision_trace)
       values ($1, 'recommendation', $2, 'Three subscriptions add up to 41.47 a month.', 'education', 'pending',
               'recommendation.education', 1, $2, '{}') returning id`,
      [space.id, title],
    );
    return row!.id;
  }

  it("an operator's approval is recorded with who and when; members read it once approved, never a rejection", async () => {
    const { space, bob } = await namedSpace();
    const operator = await createOperator(db());
    const approved = await pendingRecommendation(space, 'Review your subscriptions');
    const rejected = await pendingRecommendation(space, 'Try a savings goal');
    // Regenerating a recommendation (its numbers, priority) is nobody's action.
    await queryAs(
      db(),
      serviceRole,
      `update public.financial_insights set priority = 'high', insight_data = '{"total": 41.47}' where id = $1`,
      [approved],
    );
    await queryAs(db(), operator.actor, `select public.approve_recommendation($1)`, [approved]);
    await queryAs(db(), operator.actor, `select public.reject_recommendation($1, 'Too generic for this space')`, [rejected]);

    const all = await db().query<{ row_id: string; actor_id: string; path: string; via: string; new_values: Record<string, unknown> }>(
      `select row_id, actor_id, path, via, new_values from public.activity_log where table_name = 'financial_insights' and space_id = $1 order by id`,
      [space.id],
    );
    expect(all.map((e) => [e.row_id, e.actor_id, e.path, e.via, e.new_values.review_status])).toEqual([
      [approved, operator.id, 'rpc', 'approve_recommendation', 'approved'],
      [rejected, operator.id, 'rpc', 'reject_recommendation', 'rejected'],
    ]);
    expect(all[1]!.new_values).toMatchObject({ rejected_by: operator.id, rejection_reason: 'Too generic for this space' });
    expect(Object.keys(all[0]!.new_values).sort()).toEqual(['approved_at', 'approved_by', 'review_status']);

    const memberFeed = (await feed(space)).filter((e) => e.table_name === 'financial_insights');
    expect(memberFeed.map((e) => e.summary)).toEqual(['A reviewer approved the recommendation "Review your subscriptions"']);
    const bobReads = await queryAs<{ row_id: string }>(
      db(),
      bob.actor,
      `select row_id from public.activity_log where table_name = 'financial_insights' and space_id = $1`,
      [space.id],
    );
    expect(bobReads.map((r) => r.row_id)).toEqual([approved]);
  });

  it("operators read the reviews' activity and nothing else of a space's", async () => {
    const { space } = await namedSpace();
    const operator = await createOperator(db());
    await createExpense(db(), space, { amount: '9.99', description: 'Streaming', currency: 'EUR' });
    const id = await pendingRecommendation(space, 'Review your subscriptions');
    await queryAs(db(), operator.actor, `select public.reject_recommendation($1, 'Duplicate')`, [id]);
    const seen = await queryAs<{ table_name: string }>(
      db(),
      operator.actor,
      `select table_name from public.activity_log where space_id = $1`,
      [space.id],
    );
    expect(seen.map((r) => r.table_name)).toEqual(['financial_insights']);
    await expectSqlError(queryAs(db(), operator.actor, `select * from public.space_activity($1)`, [space.id]), 'PT404');
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
