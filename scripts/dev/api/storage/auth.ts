/**
 * Who a Storage request acts as, the way Supabase Storage decides it: the
 * bearer JWT (HS256 with the project's secret, or signed with one of the
 * project's signing keys, by kid) must verify, its `role` claim
 * is the database role and `sub` the owner. A missing or bad token is
 * Storage's AccessDenied with the verifier's message; signed URLs carry their
 * own tokens (`signToken` / `verifySignedToken`).
 */
import { SignJWT, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { tokenKeys, type SigningKey } from '../auth/tokens.ts';
import { errors } from './errors.ts';

export interface StorageAuth {
  readonly role: string;
  readonly claims: Record<string, unknown>;
  /** The caller's `sub`, what Storage records as the object's owner. */
  readonly owner: string | null;
}

/** The roles a token may name: Supabase's API roles. */
const API_ROLES = new Set(['anon', 'authenticated', 'service_role']);
const BEARER = /^Bearer\s+/i;

export function createStorageAuth(jwtSecret: string, signingKeys: readonly SigningKey[] = []) {
  const secret = new TextEncoder().encode(jwtSecret);
  const keys = tokenKeys(jwtSecret, signingKeys);

  /** A session token (the caller): the secret or a signing key. */
  async function verify(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, keys.getKey, { algorithms: [...keys.algorithms] });
    return payload;
  }

  /** A signed URL's token: Storage signs those itself, with the secret. */
  async function verifyUrlToken(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
    return payload;
  }

  return {
    async authenticate(req: Request): Promise<StorageAuth> {
      const token = (req.headers.get('authorization') ?? '').replace(BEARER, '').trim();
      let payload: JWTPayload;
      try {
        payload = await verify(token);
      } catch (error) {
        throw errors.accessDenied(error instanceof Error ? error.message : 'Invalid JWT');
      }
      const role = typeof payload.role === 'string' ? payload.role : 'anon';
      if (!API_ROLES.has(role)) throw errors.accessDenied(`permission denied to set role "${role}"`);
      return { role, claims: { ...payload, role }, owner: typeof payload.sub === 'string' ? payload.sub : null };
    },

    /** A signed-URL token: `{url, scope, …extra}` valid for `expiresIn` seconds. */
    sign(claims: Record<string, unknown>, expiresIn: number): Promise<string> {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn)
        .sign(secret);
    },

    /** Storage's verifyObjectSignature: a valid token, of this scope, for exactly this `bucket/path`. */
    async verifySigned(token: string | null, url: string, scope: 'download' | 'upload'): Promise<JWTPayload> {
      if (token === null || token === '') throw errors.invalidSignature('Missing token');
      let payload: JWTPayload;
      try {
        payload = await verifyUrlToken(token);
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw errors.expiredSignature();
        throw errors.invalidJwt(error instanceof Error ? error.message : 'Invalid JWT');
      }
      if (payload.scope !== scope) throw errors.invalidSignature(`Token is not scoped for ${scope}`);
      if (payload.url !== url) throw errors.invalidSignature();
      return payload;
    },
  };
}

export type StorageAuthenticator = ReturnType<typeof createStorageAuth>;
