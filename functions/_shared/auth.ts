/**
 * Access-token verification with jose: HS256 with the project's JWT secret
 * (local stacks, legacy projects) and/or the project's JWKS (asymmetric keys).
 * Functions that act for a user require `role = authenticated` and a `sub`
 * that is a user id (a UUID, what auth.uid() casts it to): the anon key (role
 * `anon`) and the service-role key are not users. Every token must expire
 * (`exp`): one without would be valid forever once leaked. A token not valid yet
 * (`nbf`), unsigned (`alg: none`), signed with a key the JWKS does not hold, or —
 * when an issuer is configured — issued by another project is refused with 401.
 */
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { HttpError } from './http.ts';

/** Verified claims, passed unchanged to Postgres as `request.jwt.claims`. */
export type Claims = JWTPayload & { role?: unknown };

export type VerifyToken = (token: string) => Promise<Claims>;

export interface AuthenticatedUser {
  readonly id: string;
  readonly claims: Claims;
}

const ASYMMETRIC_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];
/** Tolerated clock skew between Supabase Auth and the function, in seconds. */
const CLOCK_TOLERANCE_SECONDS = 5;
const VERIFY_OPTIONS = { clockTolerance: CLOCK_TOLERANCE_SECONDS, requiredClaims: ['exp'] };
/** Any 8-4-4-4-12 hex id, as Postgres' uuid type accepts. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface JwtVerifierOptions {
  /** HS256 secret (local stacks, legacy projects). */
  readonly secret?: string | null;
  /** JWKS of the project's asymmetric signing keys. */
  readonly jwksUrl?: string | null;
  /** When set, tokens must carry exactly this `iss` (e.g. `https://<ref>.supabase.co/auth/v1`). */
  readonly issuer?: string | null;
}

export function createJwtVerifier(options: JwtVerifierOptions): VerifyToken {
  const secret = options.secret ? new TextEncoder().encode(options.secret) : null;
  const jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : null;
  if (secret === null && jwks === null) throw new Error('createJwtVerifier needs a JWT secret or a JWKS URL');
  const verifyOptions = options.issuer ? { ...VERIFY_OPTIONS, issuer: options.issuer } : VERIFY_OPTIONS;

  return async (token) => {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new HttpError(401, 'invalid_token', 'The bearer token is not a JWT.');
    }
    try {
      if (alg === 'HS256' && secret !== null) {
        return (await jwtVerify(token, secret, { ...verifyOptions, algorithms: ['HS256'] })).payload;
      }
      if (alg !== 'HS256' && jwks !== null) {
        return (await jwtVerify(token, jwks, { ...verifyOptions, algorithms: ASYMMETRIC_ALGORITHMS })).payload;
      }
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        throw new HttpError(401, 'token_expired', 'The access token has expired; refresh the session and retry.');
      }
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'exp') {
        throw new HttpError(
          401,
          'invalid_token',
          'The access token has no valid expiry (exp claim); send a token issued by Supabase Auth.',
        );
      }
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'iss') {
        throw new HttpError(401, 'invalid_token', 'The access token was issued by another project (iss claim).');
      }
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') {
        throw new HttpError(401, 'invalid_token', 'The access token is not valid yet (nbf claim).');
      }
      if (error instanceof errors.JOSEError) {
        throw new HttpError(401, 'invalid_token', 'The access token could not be verified.');
      }
      throw error;
    }
    throw new HttpError(401, 'invalid_token', `Tokens signed with ${String(alg)} are not accepted here.`);
  };
}

/** The bearer token of the request, or a 401. */
export function bearerToken(req: Request): string {
  const header = req.headers.get('authorization');
  if (header === null || header.trim() === '') {
    throw new HttpError(401, 'missing_token', 'Send the signed-in user\'s access token as "Authorization: Bearer <token>".');
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match === null || match[1] === undefined) {
    throw new HttpError(401, 'invalid_token', 'The Authorization header must be "Bearer <token>".');
  }
  return match[1];
}

/** Verifies the request's token and requires a signed-in user. */
export async function authenticateUser(req: Request, verify: VerifyToken): Promise<AuthenticatedUser> {
  const claims = await verify(bearerToken(req));
  if (claims.role !== 'authenticated') {
    throw new HttpError(
      401,
      'not_a_user',
      claims.role === 'anon'
        ? "The anon key is not a user: sign in and send the user's access token."
        : "This function acts for a signed-in user; send the user's access token.",
    );
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw new HttpError(401, 'invalid_token', 'The access token names no user (no sub claim).');
  }
  if (!UUID.test(claims.sub)) {
    throw new HttpError(401, 'invalid_token', "The access token's sub claim is not a user id (a UUID).");
  }
  return { id: claims.sub, claims };
}
