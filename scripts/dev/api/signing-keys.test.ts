/**
 * Sessions signed with the project's asymmetric signing keys ([auth]
 * signing_keys_path) are accepted by REST, Storage and Realtime as Supabase
 * accepts them (each is given the project's JWKS), and nothing else is: a
 * token under an unknown kid, another key under a known kid, an HS256 token
 * carrying an asymmetric key's kid, and an asymmetric token where no key is
 * configured are all refused. The HS256 secret keeps working beside the keys.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { claimsFor, createExpense, createSpace, createUser, TEST_JWT_SECRET, tokenFor, useTestDatabase, type Actor } from '@wallai/testing';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSigningKeys, TokenService, type SigningKey } from './auth/tokens.ts';
import { Inbox, realtimeClientFor, realtimeServerFor, subscribed, type RealtimeHarness } from './realtime/test-support.ts';
import { createAuthenticator } from './rest/auth.ts';
import { RestError } from './rest/errors.ts';
import { createStorageAuth } from './storage/auth.ts';
import { StorageError } from './storage/errors.ts';

const db = useTestDatabase();

/** A private ES256 JWK as `supabase gen signing-key` writes it. */
async function es256Key(kid: string): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const [key] = await loadSigningKeys([{ ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' }]);
  return key!;
}

let projectKey: SigningKey;
let otherKey: SigningKey;
let project: TokenService;

beforeAll(async () => {
  projectKey = await es256Key('project-key');
  otherKey = await es256Key('project-key'); // another key under the same kid
  project = new TokenService(TEST_JWT_SECRET, [projectKey]);
});

/** The session token the local Auth server would issue for the actor, with the project's signing key. */
const sessionToken = (actor: Actor): Promise<string> => project.sign({ ...claimsFor(actor), exp: Math.floor(Date.now() / 1000) + 600 });

/** The same claims signed with another key (kid as given), or HS256 with the secret under the project key's kid. */
async function forged(actor: Actor, how: 'other key' | 'unknown kid' | 'hs256 under the kid'): Promise<string> {
  const jwt = new SignJWT({ ...claimsFor(actor), exp: Math.floor(Date.now() / 1000) + 600 });
  if (how === 'hs256 under the kid')
    return jwt.setProtectedHeader({ alg: 'HS256', kid: projectKey.kid, typ: 'JWT' }).sign(new TextEncoder().encode(TEST_JWT_SECRET));
  const kid = how === 'other key' ? otherKey.kid : 'no-such-key';
  return jwt.setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).sign(otherKey.privateKey);
}

const bearer = (token: string): Request => new Request('http://local/rest/v1/expenses', { headers: { authorization: `Bearer ${token}` } });

async function restRefusal(authenticate: (req: Request) => Promise<unknown>, token: string): Promise<string> {
  const error = await authenticate(bearer(token)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RestError);
  return `${(error as RestError).status} ${(error as RestError).code}`;
}

describe('REST with signing keys', () => {
  it("accepts a session signed with the project's key, and HS256 sessions still", async () => {
    const user = await createUser(db());
    const authenticate = createAuthenticator({ jwtSecret: TEST_JWT_SECRET, signingKeys: [projectKey] });
    for (const token of [await sessionToken(user.actor), await tokenFor(user.actor)]) {
      const auth = await authenticate(bearer(token));
      expect(auth.role).toBe('authenticated');
      expect(auth.claims.sub).toBe(user.id);
    }
  });

  it('refuses another key under the same kid, an unknown kid and HS256 under the key kid (401 PGRST301)', async () => {
    const user = await createUser(db());
    const authenticate = createAuthenticator({ jwtSecret: TEST_JWT_SECRET, signingKeys: [projectKey] });
    for (const how of ['other key', 'unknown kid', 'hs256 under the kid'] as const) {
      expect(await restRefusal(authenticate, await forged(user.actor, how)), how).toBe('401 PGRST301');
    }
  });

  it('refuses an asymmetric session where no signing key is configured', async () => {
    const user = await createUser(db());
    const authenticate = createAuthenticator({ jwtSecret: TEST_JWT_SECRET });
    expect(await restRefusal(authenticate, await sessionToken(user.actor))).toBe('401 PGRST301');
  });
});

describe('Storage with signing keys', () => {
  it("takes the owner from a session signed with the project's key and refuses forged ones (403 AccessDenied)", async () => {
    const user = await createUser(db());
    const auth = createStorageAuth(TEST_JWT_SECRET, [projectKey]);
    const who = await auth.authenticate(bearer(await sessionToken(user.actor)));
    expect(who).toMatchObject({ role: 'authenticated', owner: user.id });
    for (const how of ['other key', 'unknown kid', 'hs256 under the kid'] as const) {
      const error = await auth.authenticate(bearer(await forged(user.actor, how))).catch((e: unknown) => e);
      expect(error, how).toBeInstanceOf(StorageError);
      expect((error as StorageError).code, how).toBe('AccessDenied');
    }
  });

  it('signed URLs verify only their own tokens, never a session token', async () => {
    const user = await createUser(db());
    const auth = createStorageAuth(TEST_JWT_SECRET, [projectKey]);
    const url = 'receipts/a/b.png';
    const signed = await auth.sign({ url, scope: 'download' }, 60);
    await expect(auth.verifySigned(signed, url, 'download')).resolves.toMatchObject({ url });
    const session = await project.sign({ ...claimsFor(user.actor), url, scope: 'download', exp: Math.floor(Date.now() / 1000) + 60 });
    await expect(auth.verifySigned(session, url, 'download')).rejects.toBeInstanceOf(StorageError);
  });
});

describe('Realtime with signing keys', () => {
  let rt: RealtimeHarness;
  let anonKey: string;
  const clients: SupabaseClient[] = [];
  beforeAll(async () => {
    rt = await realtimeServerFor(db(), [projectKey]);
    anonKey = await tokenFor({ role: 'anon' });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.removeAllChannels()));
    await rt.close();
  });

  it("delivers a member's changes on a channel joined with a session signed by the project's key", async () => {
    const space = await createSpace(db());
    const client = await realtimeClientFor(rt.url, anonKey, await sessionToken(space.owner.actor));
    clients.push(client);
    const inbox = new Inbox<{ new: Record<string, unknown> }>();
    await subscribed(
      client
        .channel('es256-member')
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'expenses', filter: `space_id=eq.${space.id}` }, inbox.push),
    );
    const expense = await createExpense(db(), space, { amount: '12.50', description: 'Seen through ES256' });
    const [change] = await inbox.until(1);
    expect(change?.new).toMatchObject({ id: expense.id, description: 'Seen through ES256' });
  });

  it('refuses to join with a session signed by another key under the same kid', async () => {
    const space = await createSpace(db());
    const client = await realtimeClientFor(rt.url, anonKey, await forged(space.owner.actor, 'other key'));
    clients.push(client);
    const joined = subscribed(
      client.channel('forged-member').on('postgres_changes', { event: '*', schema: 'public', table: 'expenses' }, () => {}),
    );
    await expect(joined).rejects.toThrow(/Invalid token/);
  });
});
