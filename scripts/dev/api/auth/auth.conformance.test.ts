/**
 * Conformance of the local Auth server with GoTrue, driven by the real
 * @supabase/supabase-js through the API server (scripts/dev/api/server.ts) as
 * `npm run dev` mounts it, on this file's own database (PGlite, or a copy on
 * PostgreSQL with DATABASE_URL).
 */
import { AuthApiError, AuthSessionMissingError, AuthWeakPasswordError, type SupabaseClient } from '@supabase/supabase-js';
import { useTestDatabase } from '@wallai/testing';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, LOCAL_JWT_SECRET, signAccessToken, signApiKey } from '../../local-keys.ts';
import { localSupabase } from '../../supabase-client.ts';
import { authMount, startApiServer, type ApiServer } from '../server.ts';
import type { AuthConfig } from './config.ts';
import { createAuthApi } from './index.ts';
import { loadSigningKeys, type SigningKey } from './tokens.ts';

const db = useTestDatabase();
const servers: ApiServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
});

let anonKey = '';
let serviceRoleKey = '';

interface Served {
  readonly url: string;
  /** A signed-out supabase-js client that keeps its session in memory. */
  client(): SupabaseClient;
  /** supabase-js with the service-role key (auth.admin). */
  admin(): SupabaseClient;
  clock: { offsetMs: number };
}

async function serve(config: Partial<AuthConfig> = {}, signingKeys: readonly SigningKey[] = []): Promise<Served> {
  anonKey ||= await signApiKey('anon');
  serviceRoleKey ||= await signApiKey('service_role');
  const clock = { offsetMs: 0 };
  let issuer = '';
  const auth = createAuthApi({
    sql: db(),
    jwtSecret: LOCAL_JWT_SECRET,
    issuer: () => issuer,
    config,
    signingKeys,
    now: () => new Date(Date.now() + clock.offsetMs),
  });
  const server = await startApiServer({ port: 0, anonKey, serviceRoleKey, mounts: [authMount(auth)], functionsOrigin: () => null });
  issuer = `${server.url}/auth/v1`;
  servers.push(server);
  return {
    url: server.url,
    client: () => localSupabase(server.url, anonKey, null),
    admin: () => localSupabase(server.url, serviceRoleKey, null),
    clock,
  };
}

let counter = 0;
const email = (label: string) => `${label}-${Date.now().toString(36)}-${++counter}@wallai.test`;

function expectAuthError(error: unknown, status: number, code: string) {
  expect(error).toBeInstanceOf(AuthApiError);
  expect({ status: (error as AuthApiError).status, code: (error as AuthApiError).code }).toEqual({ status, code });
}

async function userRows(id: string) {
  const [auth] = await db().query<{ encrypted_password: string; email: string | null; is_anonymous: boolean }>(
    'select encrypted_password, email, is_anonymous from auth.users where id = $1',
    [id],
  );
  const [profile] = await db().query<{ username: string; full_name: string | null }>(
    'select username, full_name from public.users where id = $1',
    [id],
  );
  return { auth, profile };
}

describe('sign-up and sign-in (supabase.auth)', () => {
  it('signUp with email and password creates the real auth.users row (bcrypt), its profile, and a session with GoTrue claims', async () => {
    const { client, url } = await serve();
    const supabase = client();
    const address = email('Signup');
    const { data, error } = await supabase.auth.signUp({
      email: address,
      password: 'correct horse',
      options: { data: { username: 'new_person', full_name: 'New Person' } },
    });
    expect(error).toBeNull();
    const session = data.session!;
    expect(session.token_type).toBe('bearer');
    expect(session.expires_in).toBe(3600);
    expect(data.user).toMatchObject({ email: address.toLowerCase(), role: 'authenticated', aud: 'authenticated', is_anonymous: false });
    expect(data.user?.identities?.[0]).toMatchObject({ provider: 'email', user_id: data.user?.id });

    const { auth, profile } = await userRows(data.user!.id);
    expect(auth?.encrypted_password).toMatch(/^\$2[aby]\$10\$.{53}$/);
    expect(auth?.encrypted_password).not.toContain('correct horse');
    expect(profile).toEqual({ username: 'new_person', full_name: 'New Person' });

    const { payload, protectedHeader } = await jwtVerify(session.access_token, new TextEncoder().encode(LOCAL_JWT_SECRET));
    expect(protectedHeader.alg).toBe('HS256');
    expect(Object.keys(payload).sort()).toEqual(
      [
        'aal',
        'amr',
        'app_metadata',
        'aud',
        'email',
        'exp',
        'iat',
        'is_anonymous',
        'iss',
        'phone',
        'role',
        'session_id',
        'sub',
        'user_metadata',
      ].sort(),
    );
    expect(payload).toMatchObject({
      iss: `${url}/auth/v1`,
      sub: data.user!.id,
      aud: 'authenticated',
      role: 'authenticated',
      email: address.toLowerCase(),
      phone: '',
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: { username: 'new_person', full_name: 'New Person', email_verified: true },
      aal: 'aal1',
      amr: [{ method: 'password', timestamp: expect.any(Number) as unknown }],
      is_anonymous: false,
    });
    expect(payload.exp! - payload.iat!).toBe(3600);

    const { data: got } = await supabase.auth.getUser();
    expect(got.user?.id).toBe(data.user!.id);
  });

  it('a second signUp with the same email answers user_already_exists (422), a weak password weak_password with reasons, and nothing is written', async () => {
    const { client } = await serve();
    const address = email('twice');
    expect((await client().auth.signUp({ email: address, password: 'first-password' })).error).toBeNull();
    const again = await client().auth.signUp({ email: address.toUpperCase(), password: 'another-password' });
    expectAuthError(again.error, 422, 'user_already_exists');
    expect(again.error?.message).toBe('User already registered');

    const weakAddress = email('weak');
    const weak = await client().auth.signUp({ email: weakAddress, password: '123' });
    expect(weak.error).toBeInstanceOf(AuthWeakPasswordError);
    expect((weak.error as AuthWeakPasswordError).reasons).toEqual(['length']);
    expect(weak.error?.status).toBe(422);
    expect(weak.error?.message).toBe('Password should be at least 6 characters.');

    const bad = await client().auth.signUp({ email: 'not-an-email', password: 'long enough' });
    expectAuthError(bad.error, 400, 'validation_failed');
    const [row] = await db().query<{ n: number }>(`select count(*)::int as n from auth.users where email in ($1, 'not-an-email')`, [
      weakAddress,
    ]);
    expect(row?.n).toBe(0);
  });

  it('password_requirements are enforced as GoTrue words them', async () => {
    const { client } = await serve({ passwordRequirements: 'lower_upper_letters_digits', minimumPasswordLength: 8 });
    const { error } = await client().auth.signUp({ email: email('req'), password: 'alllower' });
    expect(error).toBeInstanceOf(AuthWeakPasswordError);
    expect((error as AuthWeakPasswordError).reasons).toEqual(['characters']);
    expect((await client().auth.signUp({ email: email('req'), password: 'Mixed1case' })).error).toBeNull();
  });

  it('a seeded user (pgcrypto bcrypt, like supabase/seed.sql) signs in with the password; a wrong password or unknown email is invalid_credentials', async () => {
    const { client } = await serve();
    const id = crypto.randomUUID();
    const address = email('seeded');
    await db().query(
      `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
       values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2, extensions.crypt('wallai-demo', extensions.gen_salt('bf')), now(),
               '{"provider":"email","providers":["email"]}', '{}', now(), now())`,
      [id, address],
    );
    const supabase = client();
    const ok = await supabase.auth.signInWithPassword({ email: address, password: 'wallai-demo' });
    expect(ok.error).toBeNull();
    expect(ok.data.user?.id).toBe(id);
    expect(decodeJwt(ok.data.session!.access_token).sub).toBe(id);

    const wrong = await client().auth.signInWithPassword({ email: address, password: 'not-it' });
    expectAuthError(wrong.error, 400, 'invalid_credentials');
    expect(wrong.error?.message).toBe('Invalid login credentials');
    expectAuthError(
      (await client().auth.signInWithPassword({ email: email('nobody'), password: 'whatever' })).error,
      400,
      'invalid_credentials',
    );
  });

  it('with confirmations on, signUp returns the user without a session and sign-in answers email_not_confirmed until the service role confirms', async () => {
    const { client, admin } = await serve({ enableConfirmations: true });
    const address = email('confirm');
    const { data, error } = await client().auth.signUp({ email: address, password: 'pending-password' });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    expect(data.user).toMatchObject({ email: address, confirmation_sent_at: expect.any(String) as unknown });
    expect(data.user?.email_confirmed_at).toBeUndefined();
    expectAuthError(
      (await client().auth.signInWithPassword({ email: address, password: 'pending-password' })).error,
      400,
      'email_not_confirmed',
    );

    expect((await admin().auth.admin.updateUserById(data.user!.id, { email_confirm: true })).error).toBeNull();
    expect((await client().auth.signInWithPassword({ email: address, password: 'pending-password' })).error).toBeNull();
  });

  it('signup_disabled when enable_signup is false', async () => {
    const { client } = await serve({ enableSignup: false });
    expectAuthError((await client().auth.signUp({ email: email('closed'), password: 'long enough' })).error, 422, 'signup_disabled');
  });

  it('failed sign-ins are rate limited per address and email: past the limit even the right password gets 429', async () => {
    const { client } = await serve({ signInRateLimit: 3 });
    const address = email('limited');
    expect((await client().auth.signUp({ email: address, password: 'the-right-one' })).error).toBeNull();
    for (let i = 0; i < 3; i += 1) {
      expectAuthError(
        (await client().auth.signInWithPassword({ email: address, password: `guess-${i}` })).error,
        400,
        'invalid_credentials',
      );
    }
    const blocked = await client().auth.signInWithPassword({ email: address, password: 'the-right-one' });
    expectAuthError(blocked.error, 429, 'over_request_rate_limit');
    // The same client address guessing at another account is blocked too.
    expectAuthError(
      (await client().auth.signInWithPassword({ email: email('other'), password: 'x' })).error,
      429,
      'over_request_rate_limit',
    );
  });
});

describe('refresh tokens (rotation and reuse detection)', () => {
  it('refreshSession rotates the refresh token and keeps the session; the old token still works inside the reuse interval', async () => {
    const { client } = await serve();
    const supabase = client();
    const { data } = await supabase.auth.signUp({ email: email('refresh'), password: 'rotate-me' });
    const first = data.session!;
    const refreshed = await supabase.auth.refreshSession();
    expect(refreshed.error).toBeNull();
    const second = refreshed.data.session!;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(second.access_token).session_id).toBe(decodeJwt(first.access_token).session_id);
    expect(decodeJwt(second.access_token).amr).toEqual(decodeJwt(first.access_token).amr);

    // A client that lost the answer asks again with the parent of the active token: it gets the active one back.
    const retry = await client().auth.refreshSession({ refresh_token: first.refresh_token });
    expect(retry.error).toBeNull();
    expect(retry.data.session?.refresh_token).toBe(second.refresh_token);
  });

  it('reusing an old refresh token after the reuse interval answers refresh_token_already_used and ends the session', async () => {
    const { client, clock } = await serve({ refreshTokenReuseInterval: 10 });
    const supabase = client();
    const { data } = await supabase.auth.signUp({ email: email('stolen'), password: 'rotate-me' });
    const first = data.session!;
    const second = (await client().auth.refreshSession({ refresh_token: first.refresh_token })).data.session!;
    const third = (await client().auth.refreshSession({ refresh_token: second.refresh_token })).data.session!;
    clock.offsetMs = 11_000;

    const reused = await client().auth.refreshSession({ refresh_token: first.refresh_token });
    expectAuthError(reused.error, 400, 'refresh_token_already_used');
    expect(reused.error?.message).toBe('Invalid Refresh Token: Already Used');
    // The whole session is gone: its newest refresh token and its access tokens too.
    expectAuthError((await client().auth.refreshSession({ refresh_token: third.refresh_token })).error, 400, 'refresh_token_not_found');
    const { error } = await supabase.auth.getUser(third.access_token);
    expect(error).toBeInstanceOf(AuthSessionMissingError);
  });

  it('an unknown refresh token is refresh_token_not_found', async () => {
    const { client } = await serve();
    expectAuthError((await client().auth.refreshSession({ refresh_token: 'no-such-token' })).error, 400, 'refresh_token_not_found');
  });
});

describe('the signed-in user (getUser, updateUser, signOut)', () => {
  it('updateUser merges metadata, changes the password (the old one stops working) and refuses the same password', async () => {
    const { client } = await serve();
    const supabase = client();
    const address = email('update');
    await supabase.auth.signUp({ email: address, password: 'old-password', options: { data: { theme: 'dark', plan: 'free' } } });
    const meta = await supabase.auth.updateUser({ data: { plan: 'pro', theme: null } });
    expect(meta.error).toBeNull();
    expect(meta.data.user?.user_metadata).toEqual({ plan: 'pro', email_verified: true });

    expectAuthError((await supabase.auth.updateUser({ password: 'old-password' })).error, 422, 'same_password');
    const weak = await supabase.auth.updateUser({ password: 'x' });
    expect(weak.error).toBeInstanceOf(AuthWeakPasswordError);
    expect((await supabase.auth.updateUser({ password: 'new-password' })).error).toBeNull();
    expectAuthError(
      (await client().auth.signInWithPassword({ email: address, password: 'old-password' })).error,
      400,
      'invalid_credentials',
    );
    expect((await client().auth.signInWithPassword({ email: address, password: 'new-password' })).error).toBeNull();
  });

  it("updateUser changes the email (confirmed at once locally) and refuses another person's address with email_exists", async () => {
    const { client } = await serve();
    const taken = email('taken');
    await client().auth.signUp({ email: taken, password: 'someone-else' });
    const supabase = client();
    await supabase.auth.signUp({ email: email('mover'), password: 'moving-on' });
    expectAuthError((await supabase.auth.updateUser({ email: taken })).error, 422, 'email_exists');
    const moved = email('moved');
    const { data, error } = await supabase.auth.updateUser({ email: moved });
    expect(error).toBeNull();
    expect(data.user?.email).toBe(moved);
    expect((await client().auth.signInWithPassword({ email: moved, password: 'moving-on' })).error).toBeNull();
  });

  it("app_metadata is not the user's to change: not_admin (403)", async () => {
    const { client } = await serve();
    const supabase = client();
    await supabase.auth.signUp({ email: email('meta'), password: 'not-an-admin' });
    const { data: session } = await supabase.auth.getSession();
    const res = await fetch(`${servers.at(-1)!.url}/auth/v1/user`, {
      method: 'PUT',
      headers: {
        apikey: anonKey,
        Authorization: `Bearer ${session.session!.access_token}`,
        'Content-Type': 'application/json',
        'X-Supabase-Api-Version': '2024-01-01',
      },
      body: JSON.stringify({ app_metadata: { role: 'admin' } }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ code: 'not_admin', message: 'Updating app_metadata requires admin privileges' });
  });

  it('signOut scopes: local ends this session only, others every other one, global all of them', async () => {
    const { client } = await serve();
    const address = email('scopes');
    await client().auth.signUp({ email: address, password: 'many-devices' });
    const devices = await Promise.all(
      [0, 1, 2].map(async () => {
        const c = client();
        const { data } = await c.auth.signInWithPassword({ email: address, password: 'many-devices' });
        return { c, token: data.session!.access_token, refresh: data.session!.refresh_token };
      }),
    );
    const alive = async (token: string) => (await client().auth.getUser(token)).error === null;

    expect((await devices[0]!.c.auth.signOut({ scope: 'local' })).error).toBeNull();
    expect([await alive(devices[0]!.token), await alive(devices[1]!.token), await alive(devices[2]!.token)]).toEqual([false, true, true]);
    expectAuthError((await client().auth.refreshSession({ refresh_token: devices[0]!.refresh })).error, 400, 'refresh_token_not_found');

    expect((await devices[1]!.c.auth.signOut({ scope: 'others' })).error).toBeNull();
    expect([await alive(devices[1]!.token), await alive(devices[2]!.token)]).toEqual([true, false]);

    const extra = client();
    const { data } = await extra.auth.signInWithPassword({ email: address, password: 'many-devices' });
    expect((await devices[1]!.c.auth.signOut()).error).toBeNull();
    expect([await alive(devices[1]!.token), await alive(data.session!.access_token)]).toEqual([false, false]);
  });

  it('getUser refuses a forged, an expired and a missing token as GoTrue does', async () => {
    const { url } = await serve();
    const call = (authorization?: string) =>
      fetch(`${url}/auth/v1/user`, {
        headers: { apikey: anonKey, 'X-Supabase-Api-Version': '2024-01-01', ...(authorization ? { Authorization: authorization } : {}) },
      });
    const forged = await call(`Bearer ${await signApiKey('anon', 'another-secret-that-is-at-least-32-characters')}`);
    expect(forged.status).toBe(403);
    expect(await forged.json()).toEqual({
      code: 'bad_jwt',
      message: 'invalid JWT: unable to parse or verify signature, token signature is invalid: signature is invalid',
    });
    const expired = await call(`Bearer ${await signAccessToken(DEMO_USERS.alice, { expiresIn: -60 })}`);
    expect(expired.status).toBe(403);
    expect(await expired.json()).toEqual({
      code: 'bad_jwt',
      message: 'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired',
    });
    const none = await call('Basic abc');
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ code: 'no_authorization', message: 'This endpoint requires a valid Bearer token' });
    // Without Authorization the gateway sends the apikey: a valid token that names no user.
    const anonymous = await call();
    expect(anonymous.status).toBe(403);
    expect(await anonymous.json()).toEqual({ code: 'bad_jwt', message: 'invalid claim: missing sub claim' });
  });
});

describe('anonymous sign-in', () => {
  it('is refused while enable_anonymous_sign_ins is false (the config.toml default)', async () => {
    const { client } = await serve();
    expectAuthError((await client().auth.signInAnonymously()).error, 422, 'anonymous_provider_disabled');
  });

  it('when enabled creates an anonymous user with a profile, who can become permanent by adding email and password', async () => {
    const { client } = await serve({ enableAnonymousSignIns: true });
    const supabase = client();
    const { data, error } = await supabase.auth.signInAnonymously({ options: { data: { full_name: 'Guest' } } });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ is_anonymous: true, email: '', app_metadata: {} });
    expect(decodeJwt(data.session!.access_token)).toMatchObject({
      is_anonymous: true,
      role: 'authenticated',
      amr: [{ method: 'anonymous' }],
    });
    expect((await userRows(data.user!.id)).profile).toMatchObject({ full_name: 'Guest' });

    expectAuthError((await supabase.auth.updateUser({ password: 'guest-password' })).error, 422, 'validation_failed');
    const address = email('converted');
    const converted = await supabase.auth.updateUser({ email: address, password: 'guest-password' });
    expect(converted.error).toBeNull();
    expect(converted.data.user).toMatchObject({ is_anonymous: false, email: address });
    const signedIn = await client().auth.signInWithPassword({ email: address, password: 'guest-password' });
    expect(signedIn.data.user?.id).toBe(data.user!.id);
  });
});

describe('auth.admin (service role)', () => {
  it('creates, lists with pagination, reads, updates, bans and deletes users; the profile goes with the user', async () => {
    const { admin, client } = await serve();
    const api = admin().auth.admin;
    const address = email('admin-made');
    const created = await api.createUser({
      email: address,
      password: 'made-by-admin',
      email_confirm: true,
      user_metadata: { full_name: 'Made By Admin' },
      app_metadata: { role: 'operator' },
    });
    expect(created.error).toBeNull();
    const id = created.data.user!.id;
    expect(created.data.user).toMatchObject({
      email: address,
      app_metadata: { provider: 'email', providers: ['email'], role: 'operator' },
    });
    expect((await userRows(id)).profile).toMatchObject({ full_name: 'Made By Admin' });
    expectAuthError((await api.createUser({ email: address, password: 'again-again' })).error, 422, 'email_exists');

    const page = await api.listUsers({ page: 1, perPage: 1 });
    expect(page.error).toBeNull();
    expect(page.data.users).toHaveLength(1);
    expect((page.data as { total?: number }).total).toBeGreaterThan(1);
    expect(page.data).toMatchObject({ aud: 'authenticated', nextPage: 2 });

    expect((await api.getUserById(id)).data.user?.email).toBe(address);
    const updated = await api.updateUserById(id, { user_metadata: { nickname: 'ad' }, app_metadata: { role: null } });
    expect(updated.data.user?.app_metadata).toEqual({ provider: 'email', providers: ['email'] });
    expect(updated.data.user?.user_metadata).toMatchObject({ full_name: 'Made By Admin', nickname: 'ad' });

    const signedIn = client();
    expect((await signedIn.auth.signInWithPassword({ email: address, password: 'made-by-admin' })).error).toBeNull();
    expect((await api.updateUserById(id, { ban_duration: '24h' })).error).toBeNull();
    expectAuthError((await client().auth.signInWithPassword({ email: address, password: 'made-by-admin' })).error, 400, 'user_banned');

    expect((await api.deleteUser(id)).error).toBeNull();
    expectAuthError((await api.getUserById(id)).error, 404, 'user_not_found');
    expect(await userRows(id)).toEqual({ auth: undefined, profile: undefined });
  });

  it('refuses the anon key and a user access token with not_admin (403)', async () => {
    const { client } = await serve();
    expectAuthError((await client().auth.admin.listUsers()).error, 403, 'not_admin');
    const supabase = client();
    const { data } = await supabase.auth.signUp({ email: email('not-admin'), password: 'just-a-user' });
    const asUser = localSupabase(servers.at(-1)!.url, anonKey, data.session!.access_token);
    expectAuthError((await asUser.auth.admin.getUserById(data.user!.id)).error, 403, 'not_admin');
  });
});

describe('signing keys and /.well-known/jwks.json', () => {
  it('with HS256 only the JWKS is empty', async () => {
    const { url } = await serve();
    const res = await fetch(`${url}/auth/v1/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ keys: [] });
  });

  it('with an asymmetric key the tokens are ES256 with its kid, the JWKS publishes its public half, and getClaims verifies through it', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'local-test-key', alg: 'ES256', use: 'sig' };
    const { client, url } = await serve({}, await loadSigningKeys([jwk]));
    const jwks = (await (await fetch(`${url}/auth/v1/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kid: 'local-test-key', alg: 'ES256', kty: 'EC', key_ops: ['verify'] });
    expect(jwks.keys[0]).not.toHaveProperty('d');

    const supabase = client();
    const { data } = await supabase.auth.signUp({ email: email('es256'), password: 'elliptic-curve' });
    expect(decodeProtectedHeader(data.session!.access_token)).toMatchObject({ alg: 'ES256', kid: 'local-test-key' });
    const claims = await supabase.auth.getClaims();
    expect(claims.error).toBeNull();
    expect(claims.data?.claims.sub).toBe(data.user!.id);
    expect((await supabase.auth.getUser()).data.user?.id).toBe(data.user!.id);
  });
});

describe('error format', () => {
  it('without X-Supabase-Api-Version the legacy {code, error_code, msg} body, with it {code, message} and the header echoed', async () => {
    const { url } = await serve();
    const body = JSON.stringify({ email: email('format'), password: 'nope-nope' });
    const legacy = await fetch(`${url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { apikey: anonKey, 'Content-Type': 'application/json' },
      body,
    });
    expect(legacy.status).toBe(400);
    expect(legacy.headers.get('x-sb-error-code')).toBe('invalid_credentials');
    expect(await legacy.json()).toEqual({ code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' });

    const dated = await fetch(`${url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { apikey: anonKey, 'Content-Type': 'application/json', 'X-Supabase-Api-Version': '2024-01-01' },
      body,
    });
    expect(dated.headers.get('x-supabase-api-version')).toBe('2024-01-01');
    expect(await dated.json()).toEqual({ code: 'invalid_credentials', message: 'Invalid login credentials' });
  });

  it('GoTrue endpoints the local server does not serve say so (feature_disabled); bad JSON is bad_json', async () => {
    const { client, url } = await serve();
    const otp = await client().auth.signInWithOtp({ email: email('otp') });
    expectAuthError(otp.error, 400, 'feature_disabled');
    expect(otp.error?.message).toMatch(/one-time passwords/);
    const res = await fetch(`${url}/auth/v1/signup`, {
      method: 'POST',
      headers: { apikey: anonKey, 'Content-Type': 'application/json', 'X-Supabase-Api-Version': '2024-01-01' },
      body: '{"email":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'bad_json' });
  });
});
