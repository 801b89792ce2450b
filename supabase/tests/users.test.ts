import { createSpace, createUser, expectSqlError, queryAs, useTestDatabase } from '@wallai/testing';
import { describe, expect, it } from 'vitest';

const db = useTestDatabase();

describe('profiles created at sign-up', () => {
  it('a new auth user gets a profile with the username from sign-up metadata, lower-cased', async () => {
    const alice = await createUser(db(), {
      username: 'Alice_W',
      metadata: { full_name: 'Alice Wong', timezone: 'Europe/Madrid', currency: 'eur' },
    });
    const [profile] = await db().query(`select username, full_name, timezone, currency, settings from public.users where id = $1`, [
      alice.id,
    ]);
    expect(profile).toEqual({ username: 'alice_w', full_name: 'Alice Wong', timezone: 'Europe/Madrid', currency: 'EUR', settings: {} });
  });

  it('a taken or invalid username falls back to a generated unique one instead of failing sign-up', async () => {
    await createUser(db(), { username: 'bob' });
    const second = await createUser(db(), { username: 'bob', email: 'bob@example.test' });
    const invalid = await createUser(db(), { username: 'x!', email: 'carol.smith@example.test' });
    const rows = await db().query<{ id: string; username: string }>(`select id, username from public.users where id = any($1::uuid[])`, [
      [second.id, invalid.id],
    ]);
    const byId = new Map(rows.map((r) => [r.id, r.username]));
    expect(byId.get(second.id)).toMatch(/^bob_\d{5}$/);
    expect(byId.get(invalid.id)).toMatch(/^carolsmith_\d{5}$/);
  });

  it('bad time zone or currency metadata falls back to UTC and USD', async () => {
    const u = await createUser(db(), { metadata: { timezone: 'Mars/Olympus', currency: 'dollars' } });
    const [profile] = await db().query(`select timezone, currency from public.users where id = $1`, [u.id]);
    expect(profile).toEqual({ timezone: 'UTC', currency: 'USD' });
  });

  it('deleting the auth user deletes the profile', async () => {
    const u = await createUser(db());
    await db().query(`delete from auth.users where id = $1`, [u.id]);
    expect(await db().query(`select 1 from public.users where id = $1`, [u.id])).toHaveLength(0);
  });
});

describe('profile updates', () => {
  it('a user can change their own username, currency and time zone', async () => {
    const u = await createUser(db());
    const rows = await queryAs(
      db(),
      u.actor,
      `update public.users set username = 'renamed_user', currency = 'GBP', timezone = 'Europe/London' where id = $1 returning username`,
      [u.id],
    );
    expect(rows).toEqual([{ username: 'renamed_user' }]);
  });

  it('an unknown time zone is rejected with 22023 and nothing changes', async () => {
    const u = await createUser(db(), { metadata: { timezone: 'Europe/Paris' } });
    await expectSqlError(
      queryAs(db(), u.actor, `update public.users set timezone = 'Europe/Atlantis' where id = $1`, [u.id]),
      '22023',
      /time zone/,
    );
    const [profile] = await db().query(`select timezone from public.users where id = $1`, [u.id]);
    expect(profile).toEqual({ timezone: 'Europe/Paris' });
  });

  it('a username that breaks the format is rejected by the check constraint', async () => {
    const u = await createUser(db());
    await expectSqlError(queryAs(db(), u.actor, `update public.users set username = 'Has Spaces' where id = $1`, [u.id]), '23514');
  });

  it('a user cannot change their id or created_at (no column privilege)', async () => {
    const u = await createUser(db());
    await expectSqlError(
      queryAs(db(), u.actor, `update public.users set created_at = now() - interval '1 year' where id = $1`, [u.id]),
      '42501',
    );
  });

  it("people who share a space can read each other's profile; strangers cannot", async () => {
    const space = await createSpace(db());
    const friend = await createUser(db());
    const stranger = await createUser(db());
    await queryAs(db(), friend.actor, `select public.join_space($1)`, [space.inviteCode]);
    const seenByFriend = await queryAs(db(), friend.actor, `select id from public.users where id = $1`, [space.owner.id]);
    const seenByStranger = await queryAs(db(), stranger.actor, `select id from public.users where id = $1`, [space.owner.id]);
    expect(seenByFriend).toHaveLength(1);
    expect(seenByStranger).toHaveLength(0);
  });
});
