/**
 * auth.users and auth.identities as GoTrue reads and writes them, and the
 * user object GoTrue returns (models.User's JSON: timestamps omitted when
 * null, email and phone "" when absent, identities always an array).
 */
import type { Queryable } from '@wallai/db-client';

export type Json = Record<string, unknown>;

export interface UserRow {
  readonly id: string;
  readonly aud: string | null;
  readonly role: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly encrypted_password: string | null;
  readonly email_confirmed_at: Date | null;
  readonly phone_confirmed_at: Date | null;
  readonly confirmation_sent_at: Date | null;
  readonly confirmed_at: Date | null;
  readonly invited_at: Date | null;
  readonly recovery_sent_at: Date | null;
  readonly email_change: string | null;
  readonly email_change_sent_at: Date | null;
  readonly last_sign_in_at: Date | null;
  readonly raw_app_meta_data: Json | null;
  readonly raw_user_meta_data: Json | null;
  readonly created_at: Date | null;
  readonly updated_at: Date | null;
  readonly banned_until: Date | null;
  readonly deleted_at: Date | null;
  readonly is_anonymous: boolean;
  readonly identities: IdentityRow[];
}

export interface IdentityRow {
  readonly id: string;
  readonly provider_id: string;
  readonly user_id: string;
  readonly identity_data: Json;
  readonly provider: string;
  readonly last_sign_in_at: string | null;
  readonly created_at: string | null;
  readonly updated_at: string | null;
  readonly email: string | null;
}

/** GoTrue's instance id for single-tenant installs. */
export const INSTANCE_ID = '00000000-0000-0000-0000-000000000000';
export const DEFAULT_AUD = 'authenticated';
export const DEFAULT_ROLE = 'authenticated';

const USER_COLUMNS = `u.id, u.aud, u.role, u.email, u.phone, u.encrypted_password, u.email_confirmed_at,
  u.phone_confirmed_at, u.confirmation_sent_at, u.confirmed_at, u.invited_at, u.recovery_sent_at, u.email_change,
  u.email_change_sent_at, u.last_sign_in_at, u.raw_app_meta_data, u.raw_user_meta_data, u.created_at,
  u.updated_at, u.banned_until, u.deleted_at, u.is_anonymous,
  coalesce((select jsonb_agg(to_jsonb(i) order by i.created_at, i.id) from auth.identities i where i.user_id = u.id), '[]'::jsonb) as identities`;

async function one(q: Queryable, where: string, params: unknown[], lock = false): Promise<UserRow | null> {
  const [row] = await q.query<UserRow & Record<string, unknown>>(
    `select ${USER_COLUMNS} from auth.users u where ${where} limit 1${lock ? ' for update of u' : ''}`,
    params,
  );
  return row ?? null;
}

export const findUserById = (q: Queryable, id: string, lock = false) => one(q, 'u.id = $1', [id], lock);

/** GoTrue's FindUserByEmailAndAudience: case-insensitive, not SSO users. */
export const findUserByEmail = (q: Queryable, email: string, aud = DEFAULT_AUD) =>
  one(q, 'lower(u.email) = lower($1) and u.aud = $2 and not u.is_sso_user', [email, aud]);

export const findUserByPhone = (q: Queryable, phone: string, aud = DEFAULT_AUD) => one(q, 'u.phone = $1 and u.aud = $2', [phone, aud]);

export interface NewUser {
  readonly id: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly encryptedPassword: string | null;
  readonly appMetadata: Json;
  readonly userMetadata: Json;
  readonly role: string;
  readonly aud: string;
  readonly isAnonymous: boolean;
  readonly emailConfirmedAt: Date | null;
  readonly phoneConfirmedAt: Date | null;
  readonly confirmationSentAt: Date | null;
  readonly bannedUntil: Date | null;
  readonly now: Date;
}

/** Inserts the real auth.users row (so the profile trigger runs) and the identities GoTrue creates with it. */
export async function insertUser(q: Queryable, user: NewUser): Promise<UserRow> {
  await q.query(
    `insert into auth.users (instance_id, id, aud, role, email, phone, encrypted_password, raw_app_meta_data, raw_user_meta_data,
                             is_anonymous, email_confirmed_at, phone_confirmed_at, confirmation_sent_at, banned_until,
                             created_at, updated_at, confirmation_token, recovery_token, email_change_token_new, email_change)
     values ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9::text::jsonb, $10, $11, $12, $13, $14, $15, $15, '', '', '', '')`,
    [
      INSTANCE_ID,
      user.id,
      user.aud,
      user.role,
      user.email,
      user.phone,
      user.encryptedPassword ?? '',
      JSON.stringify(user.appMetadata),
      JSON.stringify(user.userMetadata),
      user.isAnonymous,
      user.emailConfirmedAt,
      user.phoneConfirmedAt,
      user.confirmationSentAt,
      user.bannedUntil,
      user.now,
    ],
  );
  if (user.email !== null) {
    await insertIdentity(
      q,
      user.id,
      'email',
      identityData(user.id, { email: user.email }, user.emailConfirmedAt !== null, user.userMetadata),
      user.now,
    );
  }
  if (user.phone !== null) {
    await insertIdentity(q, user.id, 'phone', identityData(user.id, { phone: user.phone }, user.phoneConfirmedAt !== null, {}), user.now);
  }
  return (await findUserById(q, user.id))!;
}

/** provider.Claims as GoTrue maps them for an email or phone identity, then the sign-up data. */
export function identityData(userId: string, contact: { email?: string; phone?: string }, verified: boolean, data: Json): Json {
  const claims: Json = { sub: userId, ...contact };
  claims.email_verified = contact.email !== undefined && verified;
  claims.phone_verified = contact.phone !== undefined && verified;
  for (const [key, value] of Object.entries(data)) if (!(key in claims)) claims[key] = value;
  return claims;
}

export async function insertIdentity(q: Queryable, userId: string, provider: string, data: Json, now: Date): Promise<void> {
  await q.query(
    `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
     values ($1, $2, $3::text::jsonb, $4, $5, $5, $5)
     on conflict (provider_id, provider) do update set identity_data = excluded.identity_data, updated_at = excluded.updated_at`,
    [userId, userId, JSON.stringify(data), provider, now],
  );
}

/** GoTrue's UpdateUserMetaData / UpdateAppMetaData: a shallow merge where null removes a key. */
export function mergeMetadata(current: Json | null, updates: Json): Json {
  const merged: Json = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(updates)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

const iso = (value: Date | string | null | undefined): string | undefined =>
  value === null || value === undefined ? undefined : new Date(value).toISOString();

/** The JSON GoTrue returns for a user. */
export function userJson(user: UserRow): Json {
  const out: Json = {
    id: user.id,
    aud: user.aud ?? '',
    role: user.role ?? '',
    email: user.email ?? '',
    email_confirmed_at: iso(user.email_confirmed_at),
    invited_at: iso(user.invited_at),
    phone: user.phone ?? '',
    phone_confirmed_at: iso(user.phone_confirmed_at),
    confirmation_sent_at: iso(user.confirmation_sent_at),
    confirmed_at: iso(user.confirmed_at),
    recovery_sent_at: iso(user.recovery_sent_at),
    new_email: user.email_change ? user.email_change : undefined,
    email_change_sent_at: iso(user.email_change_sent_at),
    last_sign_in_at: iso(user.last_sign_in_at),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: user.identities.map(identityJson),
    created_at: iso(user.created_at) ?? new Date(0).toISOString(),
    updated_at: iso(user.updated_at) ?? new Date(0).toISOString(),
    banned_until: iso(user.banned_until),
    deleted_at: iso(user.deleted_at),
    is_anonymous: user.is_anonymous,
  };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

/** models.Identity's JSON: `identity_id` is the row id, `id` the provider's id for the user. */
export function identityJson(identity: IdentityRow): Json {
  const out: Json = {
    identity_id: identity.id,
    id: identity.provider_id,
    user_id: identity.user_id,
    identity_data: identity.identity_data,
    provider: identity.provider,
    last_sign_in_at: iso(identity.last_sign_in_at),
    created_at: iso(identity.created_at),
    updated_at: iso(identity.updated_at),
    email: identity.email ?? undefined,
  };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

export const isBanned = (user: UserRow, now: Date): boolean => user.banned_until !== null && new Date(user.banned_until) > now;
export const isConfirmed = (user: UserRow): boolean => user.email_confirmed_at !== null;
