/** RLS matrix rows for the membership tables: users, spaces, space_members. */
import { randomUUID } from 'node:crypto';
import {
  MEMBERS,
  SIGNED_IN,
  type ActorName,
  type MatrixArea,
  type MatrixFixture,
  type Statement,
  type Subject,
} from '../support/rls-matrix.ts';

/** A new auth user whose profile was removed, so a profile insert has something valid to try. */
function profileInsert(): Statement {
  const id = randomUUID();
  return {
    sql: `insert into public.users (id, username) values ($1, 'probe_profile') returning id`,
    params: [id],
    setup: async (tx) => {
      await tx.query(`insert into auth.users (id, email) values ($1, 'probe@example.test')`, [id]);
      await tx.query(`delete from public.users where id = $1`, [id]);
    },
  };
}

/** The actor's own profile; anon and service_role aim at the mate's. */
function ownProfileId(fx: MatrixFixture, actor: ActorName): string {
  return actor === 'anon' || actor === 'service_role' ? fx.mate.id : fx[actor].id;
}

const ownProfile: Subject = {
  name: 'users (own profile)',
  table: 'public.users',
  select: (fx, a) => ({ sql: `select id from public.users where id = $1`, params: [ownProfileId(fx, a)] }),
  insert: () => profileInsert(),
  update: (fx, a) => ({ sql: `update public.users set full_name = 'Probe' where id = $1 returning id`, params: [ownProfileId(fx, a)] }),
  delete: (fx, a) => ({ sql: `delete from public.users where id = $1 returning id`, params: [ownProfileId(fx, a)] }),
};

const matesProfile: Subject = {
  name: "users (a space-mate's profile)",
  table: 'public.users',
  select: (fx) => ({ sql: `select id from public.users where id = $1`, params: [fx.mate.id] }),
  insert: () => profileInsert(),
  update: (fx) => ({ sql: `update public.users set full_name = 'Probe' where id = $1 returning id`, params: [fx.mate.id] }),
  delete: (fx) => ({ sql: `delete from public.users where id = $1 returning id`, params: [fx.mate.id] }),
};

const spaces: Subject = {
  name: 'spaces',
  table: 'public.spaces',
  select: (fx) => ({ sql: `select id from public.spaces where id = $1`, params: [fx.space.id] }),
  // Signed-in users create spaces for themselves; the service role names the creator.
  insert: (fx, a) =>
    a === 'service_role'
      ? { sql: `insert into public.spaces (name, created_by) values ('Probe', $1) returning id`, params: [fx.owner.id] }
      : { sql: `insert into public.spaces (name) values ('Probe') returning id` },
  update: (fx) => ({ sql: `update public.spaces set description = 'Probe' where id = $1 returning id`, params: [fx.space.id] }),
  delete: (fx) => ({ sql: `delete from public.spaces where id = $1 returning id`, params: [fx.space.id] }),
};

const spaceMembers: Subject = {
  name: 'space_members',
  table: 'public.space_members',
  select: (fx) => ({
    sql: `select id from public.space_members where space_id = $1 and user_id = $2`,
    params: [fx.space.id, fx.mate.id],
  }),
  insert: (fx) => ({
    sql: `insert into public.space_members (space_id, user_id, role) values ($1, $2, 'member') returning id`,
    params: [fx.space.id, fx.outsider.id],
  }),
  update: (fx) => ({
    sql: `update public.space_members set role = 'viewer' where space_id = $1 and user_id = $2 returning id`,
    params: [fx.space.id, fx.mate.id],
  }),
  delete: (fx) => ({
    sql: `delete from public.space_members where space_id = $1 and user_id = $2 returning id`,
    params: [fx.space.id, fx.mate.id],
  }),
};

export const MEMBERSHIP_AREA: MatrixArea = {
  rows: [
    [
      ownProfile,
      {
        select: [...SIGNED_IN, 'service_role'],
        insert: ['service_role'],
        update: [...SIGNED_IN, 'service_role'],
        delete: ['service_role'],
      },
    ],
    [
      matesProfile,
      {
        select: [...MEMBERS, 'service_role'],
        insert: ['service_role'],
        update: ['service_role'],
        delete: ['service_role'],
      },
    ],
    [
      spaces,
      {
        select: [...MEMBERS, 'service_role'],
        insert: [...SIGNED_IN, 'service_role'],
        update: ['admin', 'owner', 'service_role'],
        delete: ['service_role'],
      },
    ],
    [
      spaceMembers,
      {
        select: [...MEMBERS, 'service_role'],
        insert: ['service_role'],
        update: ['service_role'],
        delete: ['service_role'],
      },
    ],
  ],
};
