/**
 * Keys and tokens of the local stack. Everything here is for local development
 * only: the secret is public (it is the one Supabase's own local stack uses),
 * so anything signed with it proves nothing outside this machine.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

/** Supabase's local-development JWT secret (`supabase start` uses the same one). */
export const LOCAL_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';

/**
 * The anon and service-role keys carry the same claims as Supabase's local
 * ones (issuer `supabase-demo`, expiring in 2032), so with the same secret they
 * are byte for byte the keys `supabase start` prints and never change.
 */
const LOCAL_KEY_EXPIRY = 1983812996;

export interface DemoUser {
  readonly name: string;
  readonly id: string;
  readonly email: string;
}

/** The password of every seeded demo user (supabase/seed.sql): they sign in with it through /auth/v1. */
export const DEMO_PASSWORD = 'wallai-demo';

/** The people supabase/seed.sql creates (password DEMO_PASSWORD), with their fixed ids. */
export const DEMO_USERS = {
  alice: { name: 'Alice', id: 'a11ce000-0000-4000-8000-000000000001', email: 'alice@wallai.test' },
  bob: { name: 'Bob', id: 'b0b00000-0000-4000-8000-000000000002', email: 'bob@wallai.test' },
  carol: { name: 'Carol', id: 'ca201000-0000-4000-8000-000000000003', email: 'carol@wallai.test' },
  dan: { name: 'Dan', id: 'da700000-0000-4000-8000-000000000004', email: 'dan@wallai.test' },
  erin: { name: 'Erin', id: 'e2140000-0000-4000-8000-000000000005', email: 'erin@wallai.test' },
} as const satisfies Record<string, DemoUser>;

export type DemoUserKey = keyof typeof DEMO_USERS;

/** The seeded spaces, with their fixed ids and invite codes. */
export const DEMO_SPACES = {
  household: { id: '5ace0000-0000-4000-8000-00000000000a', name: 'Alice & Bob', inviteCode: 'NEST42' },
  flat: { id: '5ace0000-0000-4000-8000-00000000000b', name: 'Flat 4B', inviteCode: 'KEYS24' },
  /** Bob and Dan (Erin views): six months of history and both members' consent, for the insights. */
  insights: { id: '5ace0000-0000-4000-8000-00000000000c', name: 'Sunny Street', inviteCode: 'SUNNY6' },
} as const;

const secretBytes = (secret: string): Uint8Array => new TextEncoder().encode(secret);

/** An API key: a JWT whose role is anon or service_role, as Supabase issues them. */
export async function signApiKey(role: 'anon' | 'service_role', secret = LOCAL_JWT_SECRET): Promise<string> {
  return new SignJWT({ iss: 'supabase-demo', role, exp: LOCAL_KEY_EXPIRY })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(secretBytes(secret));
}

export interface AccessTokenOptions {
  readonly secret?: string;
  /** Lifetime in seconds; default 24 hours. */
  readonly expiresIn?: number;
  /** The Auth URL the token claims to come from. */
  readonly issuer?: string;
}

/** An access token like Supabase Auth issues after a password sign-in. */
export async function signAccessToken(user: { id: string; email: string }, options: AccessTokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: options.issuer ?? 'http://127.0.0.1:54321/auth/v1',
    sub: user.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: user.email,
    phone: '',
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: { email: user.email, email_verified: true },
    aal: 'aal1',
    amr: [{ method: 'password', timestamp: now }],
    session_id: randomUUID(),
    is_anonymous: false,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 24 * 3600))
    .sign(secretBytes(options.secret ?? LOCAL_JWT_SECRET));
}

export interface LocalKeys {
  readonly jwtSecret: string;
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  /** Access tokens for the seeded demo users, valid 24 hours. */
  readonly tokens: Readonly<Record<DemoUserKey, string>>;
}

export async function localKeys(options: { issuer?: string } = {}): Promise<LocalKeys> {
  const entries = await Promise.all(
    (Object.keys(DEMO_USERS) as DemoUserKey[]).map(async (key) => [key, await signAccessToken(DEMO_USERS[key], options)] as const),
  );
  return {
    jwtSecret: LOCAL_JWT_SECRET,
    anonKey: await signApiKey('anon'),
    serviceRoleKey: await signApiKey('service_role'),
    tokens: Object.fromEntries(entries) as Record<DemoUserKey, string>,
  };
}
