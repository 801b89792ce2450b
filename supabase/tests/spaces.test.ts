import {
  actAs,
  addMember,
  anon,
  createSpace,
  createUser,
  expectSqlError,
  onRealServer,
  probeAs,
  queryAs,
  spaceWithEveryRole,
  type TestSpace,
  type TestUser,
  useTestDatabase,
} from '@wallai/testing';
import { describe, expect, it } from 'vitest';

const db = useTestDatabase();
const INVITE_ALPHABET = /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$/;

const join = (u: TestUser, code: string) =>
  queryAs<{ space_id: string | null }>(db(), u.actor, `select public.join_space($1) as space_id`, [code]);

async function membership(space: TestSpace, u: TestUser) {
  const [row] = await db().query<{ role: string; is_active: boolean; left_at: Date | null }>(
    `select role, is_active, left_at from public.space_members where space_id = $1 and user_id = $2`,
    [space.id, u.id],
  );
  return row;
}

describe('creating a space', () => {
  it('the creator becomes its owner and gets a 6-character code without look-alikes', async () => {
    const space = await createSpace(db());
    expect(space.inviteCode).toMatch(INVITE_ALPHABET);
    expect(await membership(space, space.owner)).toMatchObject({ role: 'owner', is_active: true });
  });

  it('a client cannot choose the creator or the invite code', async () => {
    const mallory = await createUser(db());
    const victim = await createUser(db());
    await expectSqlError(
      queryAs(db(), mallory.actor, `insert into public.spaces (name, created_by) values ('x', $1)`, [victim.id]),
      '42501',
    );
    await expectSqlError(queryAs(db(), mallory.actor, `insert into public.spaces (name, invite_code) values ('x', 'AAAAAA')`), '42501');
  });

  it('a colliding invite code is drawn again', async () => {
    const existing = await createSpace(db());
    const owner = await createUser(db());
    const code = await probeAs(
      db(),
      owner.actor,
      async (tx) => {
        const [row] = await tx.query<{ invite_code: string }>(`insert into public.spaces (name) values ('Clash') returning invite_code`);
        return row?.invite_code;
      },
      // First draw repeats the existing code, the second is free.
      async (tx) => {
        await tx.exec(`
          create temporary sequence draws;
          grant usage on sequence pg_temp.draws to authenticated;
          create or replace function private.random_invite_code() returns text language sql volatile set search_path = '' as $$
            select case when nextval('pg_temp.draws') = 1 then '${existing.inviteCode}' else 'ZZZZZ9' end
          $$;`);
      },
    );
    expect(code).toBe('ZZZZZ9');
  });

  it('an unknown currency or time zone is rejected', async () => {
    const owner = await createUser(db());
    await expectSqlError(queryAs(db(), owner.actor, `insert into public.spaces (name, currency) values ('x', 'euro')`), '22023');
    await expectSqlError(queryAs(db(), owner.actor, `insert into public.spaces (name, timezone) values ('x', 'Nowhere/City')`), '22023');
  });
});

describe('joining with an invite code', () => {
  it('a code is accepted in any case and with surrounding spaces; the joiner is a member', async () => {
    const space = await createSpace(db());
    const bob = await createUser(db());
    const [result] = await join(bob, `  ${space.inviteCode.toLowerCase()} `);
    expect(result?.space_id).toBe(space.id);
    expect(await membership(space, bob)).toMatchObject({ role: 'member', is_active: true });
  });

  it('an unknown code returns null, answers HTTP 404 and joins nothing', async () => {
    const bob = await createUser(db());
    const [status] = await actAs(db(), bob.actor, async (tx) => {
      await tx.query(`select public.join_space('QQQQQQ')`);
      return tx.query<{ status: string }>(`select current_setting('response.status', true) as status`);
    });
    expect(status?.status).toBe('404');
    expect(await db().query(`select 1 from public.space_members where user_id = $1`, [bob.id])).toHaveLength(0);
  });

  it('a malformed code is rejected with 22023', async () => {
    const bob = await createUser(db());
    await expectSqlError(join(bob, 'ABC'), '22023');
    await expectSqlError(join(bob, 'ABC-123'), '22023');
  });

  it('joining twice answers PT409 already a member', async () => {
    const space = await createSpace(db());
    const bob = await createUser(db());
    await join(bob, space.inviteCode);
    await expectSqlError(join(bob, space.inviteCode), 'PT409', /already a member/);
  });

  it('an inactive space cannot be joined (PT410)', async () => {
    const space = await createSpace(db());
    await queryAs(db(), space.owner.actor, `update public.spaces set is_active = false where id = $1`, [space.id]);
    await expectSqlError(join(await createUser(db()), space.inviteCode), 'PT410', /inactive/);
  });

  it('a member who left is reactivated with their old role and left_at cleared', async () => {
    const space = await createSpace(db());
    const viewer = await addMember(db(), space, 'viewer');
    await queryAs(db(), viewer.actor, `select public.leave_space($1)`, [space.id]);
    expect(await membership(space, viewer)).toMatchObject({ is_active: false });
    await join(viewer, space.inviteCode);
    expect(await membership(space, viewer)).toEqual({ role: 'viewer', is_active: true, left_at: null });
  });

  it('signed-out requests cannot call join_space', async () => {
    const space = await createSpace(db());
    await expectSqlError(queryAs(db(), anon, `select public.join_space($1)`, [space.inviteCode]), '42501');
  });

  it('many people joining with the same code at once all become members, once each', async () => {
    const space = await createSpace(db());
    const people = await Promise.all(Array.from({ length: 8 }, () => createUser(db())));
    const pool = onRealServer() ? db().connectAgain({ max: 8 }) : db();
    const results = await Promise.all(
      people.map((p) => queryAs<{ id: string }>(pool, p.actor, `select public.join_space($1) as id`, [space.inviteCode])),
    );
    expect(results.map((r) => r[0]?.id)).toEqual(people.map(() => space.id));
    const [count] = await db().query<{ n: number }>(`select count(*) as n from public.space_members where space_id = $1 and is_active`, [
      space.id,
    ]);
    expect(count?.n).toBe(9);
  });

  it('the same person joining twice at once gets one membership and one PT409', async () => {
    const space = await createSpace(db());
    const bob = await createUser(db());
    const pool = onRealServer() ? db().connectAgain({ max: 2 }) : db();
    const outcomes = await Promise.allSettled([
      queryAs(pool, bob.actor, `select public.join_space($1)`, [space.inviteCode]),
      queryAs(pool, bob.actor, `select public.join_space($1)`, [space.inviteCode]),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect((rejected.reason as { code: string }).code).toBe('PT409');
  });
});

describe('the failed-join limit', () => {
  it('after 10 unknown codes in an hour even a valid code is refused with PT429; others are unaffected', async () => {
    const space = await createSpace(db());
    const guesser = await createUser(db());
    for (let i = 0; i < 10; i++) {
      const [result] = await join(guesser, `WRONG${(i % 8) + 2}`);
      expect(result?.space_id).toBeNull();
    }
    await expectSqlError(join(guesser, space.inviteCode), 'PT429', /too many/);
    expect(await membership(space, guesser)).toBeUndefined();

    const honest = await createUser(db());
    const [joined] = await join(honest, space.inviteCode);
    expect(joined?.space_id).toBe(space.id);
  });

  it('failures older than an hour no longer count', async () => {
    const space = await createSpace(db());
    const guesser = await createUser(db());
    for (let i = 0; i < 10; i++) await join(guesser, 'XXXXX2');
    await db().query(`update private.failed_join_attempts set attempted_at = attempted_at - interval '61 minutes' where user_id = $1`, [
      guesser.id,
    ]);
    const [joined] = await join(guesser, space.inviteCode);
    expect(joined?.space_id).toBe(space.id);
  });

  it('parallel guesses cannot get past the limit', async () => {
    const guesser = await createUser(db());
    const pool = onRealServer() ? db().connectAgain({ max: 8 }) : db();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => queryAs(pool, guesser.actor, `select public.join_space($1)`, [`GUESS${(i % 8) + 2}`])),
    );
    const [count] = await db().query<{ n: number }>(`select count(*) as n from private.failed_join_attempts where user_id = $1`, [
      guesser.id,
    ]);
    expect(count?.n).toBe(10);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(6);
  });
});

describe('leaving and the last-owner rule', () => {
  it('a member can leave; the row is kept with left_at', async () => {
    const space = await createSpace(db());
    const bob = await addMember(db(), space, 'member');
    await queryAs(db(), bob.actor, `select public.leave_space($1)`, [space.id]);
    const row = await membership(space, bob);
    expect(row?.is_active).toBe(false);
    expect(row?.left_at).toBeInstanceOf(Date);
    expect(await queryAs(db(), bob.actor, `select id from public.spaces where id = $1`, [space.id])).toHaveLength(0);
  });

  it('the last active owner cannot leave (PT409)', async () => {
    const space = await createSpace(db());
    await addMember(db(), space, 'admin');
    await expectSqlError(queryAs(db(), space.owner.actor, `select public.leave_space($1)`, [space.id]), 'PT409', /last owner/);
    expect(await membership(space, space.owner)).toMatchObject({ is_active: true, role: 'owner' });
  });

  it('one of two owners can leave', async () => {
    const space = await createSpace(db());
    const second = await addMember(db(), space, 'owner');
    await queryAs(db(), second.actor, `select public.leave_space($1)`, [space.id]);
    expect(await membership(space, second)).toMatchObject({ is_active: false });
  });

  it('two owners leaving at the same moment leave exactly one owner behind', async () => {
    const space = await createSpace(db());
    const second = await addMember(db(), space, 'owner');
    const pool = onRealServer() ? db().connectAgain({ max: 2 }) : db();
    const outcomes = await Promise.allSettled([
      queryAs(pool, space.owner.actor, `select public.leave_space($1)`, [space.id]),
      queryAs(pool, second.actor, `select public.leave_space($1)`, [space.id]),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const [owners] = await db().query<{ n: number }>(
      `select count(*) as n from public.space_members where space_id = $1 and role = 'owner' and is_active`,
      [space.id],
    );
    expect(owners?.n).toBe(1);
  });

  it('an outsider gets PT404 for a space that exists', async () => {
    const space = await createSpace(db());
    const outsider = await createUser(db());
    await expectSqlError(queryAs(db(), outsider.actor, `select public.leave_space($1)`, [space.id]), 'PT404');
  });
});

describe('roles', () => {
  it('owners set any role; admins only switch members and viewers', async () => {
    const { space, owner, admin, member, viewer } = await spaceWithEveryRole(db());
    const setRole = (by: TestUser, target: TestUser, role: string) =>
      queryAs(db(), by.actor, `select public.set_member_role($1, $2, $3)`, [space.id, target.id, role]);

    await setRole(admin, member, 'viewer');
    expect(await membership(space, member)).toMatchObject({ role: 'viewer' });
    await setRole(admin, member, 'member');
    await expectSqlError(setRole(admin, viewer, 'admin'), 'PT403');
    await expectSqlError(setRole(admin, owner, 'member'), 'PT403');
    await expectSqlError(setRole(member, viewer, 'member'), 'PT403');
    await expectSqlError(setRole(viewer, viewer, 'owner'), 'PT403');

    await setRole(owner, viewer, 'admin');
    expect(await membership(space, viewer)).toMatchObject({ role: 'admin' });
  });

  it('nobody demotes the last owner, not even the owner', async () => {
    const space = await createSpace(db());
    await expectSqlError(
      queryAs(db(), space.owner.actor, `select public.set_member_role($1, $2, 'admin')`, [space.id, space.owner.id]),
      'PT409',
      /needs an owner/,
    );
  });

  it('an unknown role is rejected with 22023', async () => {
    const space = await createSpace(db());
    const bob = await addMember(db(), space, 'member');
    await expectSqlError(
      queryAs(db(), space.owner.actor, `select public.set_member_role($1, $2, 'superuser')`, [space.id, bob.id]),
      '22023',
    );
  });

  it('transferring ownership makes the new owner and keeps the old one as admin', async () => {
    const space = await createSpace(db());
    const bob = await addMember(db(), space, 'member');
    await queryAs(db(), space.owner.actor, `select public.transfer_ownership($1, $2)`, [space.id, bob.id]);
    expect(await membership(space, bob)).toMatchObject({ role: 'owner' });
    expect(await membership(space, space.owner)).toMatchObject({ role: 'admin' });
    await expectSqlError(queryAs(db(), space.owner.actor, `select public.transfer_ownership($1, $2)`, [space.id, space.owner.id]), 'PT403');
  });

  it('ownership cannot go to someone outside the space', async () => {
    const space = await createSpace(db());
    const stranger = await createUser(db());
    await expectSqlError(queryAs(db(), space.owner.actor, `select public.transfer_ownership($1, $2)`, [space.id, stranger.id]), 'PT404');
  });

  it('admins remove members but not admins; a removed member loses access', async () => {
    const { space, admin, member, owner } = await spaceWithEveryRole(db());
    const otherAdmin = await addMember(db(), space, 'admin');
    await expectSqlError(queryAs(db(), admin.actor, `select public.remove_member($1, $2)`, [space.id, otherAdmin.id]), 'PT403');
    await queryAs(db(), admin.actor, `select public.remove_member($1, $2)`, [space.id, member.id]);
    expect(await queryAs(db(), member.actor, `select id from public.spaces where id = $1`, [space.id])).toHaveLength(0);
    await queryAs(db(), owner.actor, `select public.remove_member($1, $2)`, [space.id, otherAdmin.id]);
    expect(await membership(space, otherAdmin)).toMatchObject({ is_active: false });
  });
});

describe('invite codes and deactivation', () => {
  it('admins regenerate the code; the old one stops working; members may not', async () => {
    const { space, admin, member } = await spaceWithEveryRole(db());
    await expectSqlError(queryAs(db(), member.actor, `select public.regenerate_invite_code($1)`, [space.id]), 'PT403');
    const [fresh] = await queryAs<{ code: string }>(db(), admin.actor, `select public.regenerate_invite_code($1) as code`, [space.id]);
    expect(fresh?.code).toMatch(INVITE_ALPHABET);
    expect(fresh?.code).not.toBe(space.inviteCode);
    const [old] = await join(await createUser(db()), space.inviteCode);
    expect(old?.space_id).toBeNull();
  });

  it('only an owner deactivates; an inactive space is read-only until reactivated', async () => {
    const { space, owner, admin, member } = await spaceWithEveryRole(db());
    await expectSqlError(queryAs(db(), admin.actor, `update public.spaces set is_active = false where id = $1`, [space.id]), '42501');
    await queryAs(db(), owner.actor, `update public.spaces set is_active = false where id = $1`, [space.id]);

    await expectSqlError(queryAs(db(), owner.actor, `update public.spaces set name = 'Renamed' where id = $1`, [space.id]), '55000');
    await expectSqlError(queryAs(db(), member.actor, `select public.leave_space($1)`, [space.id]), 'PT410');
    expect(await queryAs(db(), member.actor, `select is_active from public.spaces where id = $1`, [space.id])).toEqual([
      { is_active: false },
    ]);

    await queryAs(db(), owner.actor, `update public.spaces set is_active = true where id = $1`, [space.id]);
    await queryAs(db(), admin.actor, `update public.spaces set name = 'Renamed' where id = $1`, [space.id]);
  });

  it('members cannot rename the space; the update touches no row', async () => {
    const { space, member } = await spaceWithEveryRole(db());
    const rows = await queryAs(db(), member.actor, `update public.spaces set name = 'Mine now' where id = $1 returning id`, [space.id]);
    expect(rows).toHaveLength(0);
  });
});
