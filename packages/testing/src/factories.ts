import { randomUUID } from 'node:crypto';
import type { SqlClient } from '@wallai/db-client';
import type { SpaceRole } from '@wallai/domain';
import { queryAs, user, type Actor } from './acting-as.ts';

export interface TestUser {
  id: string;
  email: string;
  actor: Actor;
}

export interface TestSpace {
  id: string;
  inviteCode: string;
  owner: TestUser;
}

let counter = 0;

/** Signs a user up the way Supabase Auth does: an auth.users row; the profile comes from the trigger. */
export async function createUser(
  db: SqlClient,
  options: { username?: string; email?: string; metadata?: Record<string, unknown> } = {},
): Promise<TestUser> {
  const id = randomUUID();
  counter += 1;
  const email = options.email ?? `user${counter}-${id.slice(0, 8)}@example.test`;
  const metadata = { ...(options.username ? { username: options.username } : {}), ...options.metadata };
  await db.query(
    `insert into auth.users (id, aud, role, email, raw_user_meta_data, raw_app_meta_data, created_at, updated_at, email_confirmed_at)
     values ($1, 'authenticated', 'authenticated', $2, $3::text::jsonb, '{"provider":"email","providers":["email"]}'::jsonb, now(), now(), now())`,
    [id, email, JSON.stringify(metadata)],
  );
  return { id, email, actor: user(id, email) };
}

/**
 * An operator (or app admin): a user whose app_metadata.role, which only the
 * service role sets, says they review recommendations. Member of no space.
 */
export async function createOperator(db: SqlClient, appRole: 'operator' | 'admin' = 'operator'): Promise<TestUser> {
  const person = await createUser(db);
  await db.query(`update auth.users set raw_app_meta_data = raw_app_meta_data || jsonb_build_object('role', $2::text) where id = $1`, [
    person.id,
    appRole,
  ]);
  return { ...person, actor: { role: 'authenticated', userId: person.id, email: person.email, appRole } };
}

/** A space created through the API by its owner (a fresh user unless given). */
export async function createSpace(
  db: SqlClient,
  options: { owner?: TestUser; name?: string; currency?: string; timezone?: string } = {},
): Promise<TestSpace> {
  const owner = options.owner ?? (await createUser(db));
  const [row] = await queryAs<{ id: string; invite_code: string }>(
    db,
    owner.actor,
    `insert into public.spaces (name, currency, timezone) values ($1, $2, $3) returning id, invite_code`,
    [options.name ?? `Space ${++counter}`, options.currency ?? 'USD', options.timezone ?? 'UTC'],
  );
  if (!row) throw new Error('space insert returned no row');
  return { id: row.id, inviteCode: row.invite_code, owner };
}

/** Adds a user to a space through the API: they join with the code, the owner sets the role. */
export async function addMember(db: SqlClient, space: TestSpace, role: SpaceRole, member?: TestUser): Promise<TestUser> {
  const person = member ?? (await createUser(db));
  await queryAs(db, person.actor, `select public.join_space($1)`, [space.inviteCode]);
  if (role !== 'member') {
    await queryAs(db, space.owner.actor, `select public.set_member_role($1, $2, $3)`, [space.id, person.id, role]);
  }
  return person;
}

export interface SpaceWithEveryRole {
  space: TestSpace;
  owner: TestUser;
  admin: TestUser;
  member: TestUser;
  viewer: TestUser;
  /** Signed in, but in no space with the others. */
  outsider: TestUser;
}

/** One space with a person in each role, plus an outsider with a space of their own. */
export async function spaceWithEveryRole(db: SqlClient): Promise<SpaceWithEveryRole> {
  const space = await createSpace(db, { name: 'Fixture flat' });
  const admin = await addMember(db, space, 'admin');
  const member = await addMember(db, space, 'member');
  const viewer = await addMember(db, space, 'viewer');
  const outsider = await createUser(db);
  await createSpace(db, { owner: outsider, name: "Outsider's own space" });
  return { space, owner: space.owner, admin, member, viewer, outsider };
}
