/**
 * Tried as an attacker with a direct database session as `authenticated`
 * (what a SQL-injection bug anywhere, or a local REST server, would hand out):
 * each probe below once worked, and must now be refused at its root.
 */
import {
  actAs,
  type Actor,
  addMember,
  anon,
  createBudget,
  createExpense,
  createSpace,
  createUser,
  expectSqlError,
  queryAs,
  serviceRole,
  useTestDatabase,
} from '@wallai/testing';
import { describe, expect, it } from 'vitest';

const db = useTestDatabase();

/** A script of several statements as the actor, in one transaction. */
const execAs = (actor: Actor, script: string) => actAs(db(), actor, (tx) => tx.exec(script));

describe('private functions', () => {
  it("an outsider cannot read a space's balances through private.space_balances", async () => {
    const space = await createSpace(db());
    const outsider = await createUser(db());
    await expectSqlError(queryAs(db(), outsider.actor, `select * from private.space_balances($1)`, [space.id]), '42501');
  });

  it('no API role can execute a security definer trigger function, so none can be wired to a trigger of their own', async () => {
    const definerTriggers = await db().query<{ fn: string }>(`
      select p.oid::regprocedure::text as fn
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname in ('public', 'private') and p.prorettype = 'trigger'::regtype and p.prosecdef
       order by 1`);
    expect(definerTriggers.map((r) => r.fn)).toEqual(
      expect.arrayContaining(['private.add_space_creator_as_owner()', 'private.apply_spent_delta()', 'private.apply_budgeted_delta()']),
    );
    const rows = await db().query<{ fn: string; role: string }>(
      `select p.oid::regprocedure::text as fn, r.role
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        cross join unnest(array['anon', 'authenticated', 'service_role']) as r(role)
        where n.nspname in ('public', 'private') and p.prorettype = 'trigger'::regtype
          and has_function_privilege(r.role, p.oid, 'execute')`,
    );
    expect(rows).toEqual([]);
  });

  it('a signed-in user can make a temp table with a trigger of their own, but not one that makes them owner of any space', async () => {
    const victim = await createSpace(db());
    const attacker = await createUser(db());
    // The session can create temp objects and triggers: the refusal below is about the function, not a missing TEMP right.
    await execAs(
      attacker.actor,
      `
      create temp table probe_own (id uuid, created_by uuid);
      create function pg_temp.probe_noop() returns trigger language plpgsql as $$ begin return null; end $$;
      create trigger probe_noop after insert on probe_own for each row execute function pg_temp.probe_noop();
      insert into probe_own values (gen_random_uuid(), gen_random_uuid());`,
    );
    await expectSqlError(
      execAs(
        attacker.actor,
        `
        create temp table probe_spaces (id uuid, created_by uuid);
        create trigger probe_owner after insert on probe_spaces for each row execute function private.add_space_creator_as_owner();`,
      ),
      '42501',
    );
    const members = await db().query(`select 1 from public.space_members where space_id = $1 and user_id = $2`, [victim.id, attacker.id]);
    expect(members).toHaveLength(0);
  });
});

describe('the paid-expense delete guard', () => {
  it("a paid expense cannot be deleted from inside the caller's own trigger either", async () => {
    const space = await createSpace(db());
    const mate = await addMember(db(), space, 'member');
    await createBudget(db(), space);
    const expense = await createExpense(db(), space, { amount: '30.00' });
    const [split] = await queryAs<{ id: string; user_id: string }>(
      db(),
      space.owner.actor,
      `select id, user_id from public.split_expense($1, 'equal', $2::text::jsonb) where user_id = $3`,
      [expense.id, JSON.stringify([space.owner.id, mate.id]), mate.id],
    );
    await queryAs(db(), mate.actor, `select public.mark_split_paid($1)`, [split!.id]);

    await expectSqlError(queryAs(db(), space.owner.actor, `delete from public.expenses where id = $1`, [expense.id]), 'PT409');
    await expectSqlError(
      execAs(
        space.owner.actor,
        `
        create temp table probe_rows (id int);
        create function pg_temp.probe_delete() returns trigger language plpgsql as $$
        begin
          delete from public.expenses where id = '${expense.id}';
          return null;
        end $$;
        create trigger probe_delete after insert on probe_rows for each row execute function pg_temp.probe_delete();
        insert into probe_rows values (1);`,
      ),
      'PT409',
    );
    expect(await db().query(`select 1 from public.expenses where id = $1`, [expense.id])).toHaveLength(1);
  });

  it('deleting the space still takes its paid expenses with it', async () => {
    const space = await createSpace(db());
    const mate = await addMember(db(), space, 'member');
    const expense = await createExpense(db(), space, { amount: '10.00' });
    const [split] = await queryAs<{ id: string }>(
      db(),
      space.owner.actor,
      `select id from public.split_expense($1, 'equal', $2::text::jsonb) where user_id = $3`,
      [expense.id, JSON.stringify([space.owner.id, mate.id]), mate.id],
    );
    await queryAs(db(), space.owner.actor, `select public.mark_split_paid($1)`, [split!.id]);
    await queryAs(db(), serviceRole, `delete from public.spaces where id = $1`, [space.id]);
    expect(await db().query(`select 1 from public.expenses where id = $1`, [expense.id])).toHaveLength(0);
  });
});

describe('table privileges', () => {
  it('anon cannot truncate storage.objects, which would bypass its policies', async () => {
    await expectSqlError(queryAs(db(), anon, `truncate storage.objects`), '42501');
  });

  it('no API role holds TRUNCATE, TRIGGER or REFERENCES on any table', async () => {
    const rows = await db().query<{ relation: string; role: string; privilege: string }>(`
      select n.nspname || '.' || c.relname as relation, r.role, p.privilege
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
       cross join unnest(array['anon', 'authenticated', 'service_role']) as r(role)
       cross join unnest(array['TRUNCATE', 'TRIGGER', 'REFERENCES']) as p(privilege)
       where n.nspname in ('public', 'private', 'storage') and c.relkind in ('r', 'p', 'v', 'm')
         and has_table_privilege(r.role, c.oid, p.privilege)
       order by 1, 2, 3`);
    expect(rows).toEqual([]);
  });
});

describe('membership', () => {
  it('an admin removed from a space who rejoins with the code comes back as a member, a removed viewer as a viewer', async () => {
    const space = await createSpace(db());
    const admin = await addMember(db(), space, 'admin');
    const viewer = await addMember(db(), space, 'viewer');
    for (const person of [admin, viewer]) {
      await queryAs(db(), space.owner.actor, `select public.remove_member($1, $2)`, [space.id, person.id]);
      await queryAs(db(), person.actor, `select public.join_space($1)`, [space.inviteCode]);
    }
    const roles = await db().query<{ user_id: string; role: string; is_active: boolean }>(
      `select user_id, role, is_active from public.space_members where space_id = $1 and user_id = any($2::uuid[])`,
      [space.id, [admin.id, viewer.id]],
    );
    expect(Object.fromEntries(roles.map((r) => [r.user_id, [r.role, r.is_active]]))).toEqual({
      [admin.id]: ['member', true],
      [viewer.id]: ['viewer', true],
    });
  });
});

describe('financial insights', () => {
  it('an update without a filter leaves the expired insights a member cannot see as they were', async () => {
    const space = await createSpace(db());
    const [current] = await queryAs<{ id: string }>(
      db(),
      serviceRole,
      `insert into public.financial_insights (space_id, type, title) values ($1, 'trend', 'Current') returning id`,
      [space.id],
    );
    const [expired] = await queryAs<{ id: string }>(
      db(),
      serviceRole,
      `insert into public.financial_insights (space_id, type, title, created_at, expires_at)
       values ($1, 'trend', 'Expired', now() - interval '2 days', now() - interval '1 day') returning id`,
      [space.id],
    );
    await queryAs(db(), space.owner.actor, `update public.financial_insights set is_read = true`);
    const rows = await db().query<{ id: string; is_read: boolean }>(
      `select id, is_read from public.financial_insights where space_id = $1`,
      [space.id],
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, r.is_read]))).toEqual({ [current!.id]: true, [expired!.id]: false });
  });
});
