import { SignJWT } from 'jose';
import { claimsFor, type Actor } from './acting-as.ts';

export const TEST_JWT_SECRET = 'wallai-test-jwt-secret-with-at-least-32-characters';

/** A Supabase-style access token for the actor, signed like the local stack signs them (HS256). */
export async function tokenFor(
  actor: Actor,
  options: { secret?: string; expiresIn?: number; claims?: Record<string, unknown> } = {},
): Promise<string> {
  const claims = { ...claimsFor(actor), ...options.claims };
  const now = Math.floor(Date.now() / 1000);
  if (options.expiresIn !== undefined) claims.exp = now + options.expiresIn;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

/** The anon key: a valid project JWT whose role is `anon`. */
export function anonKey(): Promise<string> {
  return tokenFor({ role: 'anon' });
}
