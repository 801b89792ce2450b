/**
 * Who a request runs as, the way PostgREST decides it: the bearer JWT
 * (HS256 with the project's secret, or signed with one of the project's
 * signing keys, by kid) names the role in its `role` claim; no
 * token means the anon role. Errors are PostgREST's PGRST301/PGRST303 with
 * a WWW-Authenticate header.
 */
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { tokenKeys, type SigningKey } from '../auth/tokens.ts';
import { RestError } from './errors.ts';

export interface RequestAuth {
  readonly role: string;
  /** Passed to Postgres as `request.jwt.claims` (with `role` set, as PostgREST does). */
  readonly claims: Record<string, unknown>;
}

const invalidToken = (code: string, message: string): RestError =>
  new RestError(401, code, message, null, null, {
    'WWW-Authenticate': `Bearer error="invalid_token", error_description=${JSON.stringify(message)}`,
  });

export function createAuthenticator(options: {
  jwtSecret: string;
  signingKeys?: readonly SigningKey[];
  anonRole?: string;
}): (req: Request) => Promise<RequestAuth> {
  const keys = tokenKeys(options.jwtSecret, options.signingKeys);
  const anonRole = options.anonRole ?? 'anon';
  return async (req) => {
    const header = req.headers.get('authorization');
    if (header === null) return { role: anonRole, claims: { role: anonRole } };
    const match = /^bearer\s*(.*)$/i.exec(header.trim());
    if (!match) return { role: anonRole, claims: { role: anonRole } };
    const token = (match[1] ?? '').trim();
    if (token === '') throw invalidToken('PGRST301', 'Empty JWT is sent in Authorization header');
    const parts = token.split('.').length;
    if (parts !== 3) throw invalidToken('PGRST301', `Expected 3 parts in JWT; got ${parts}`);
    let payload: JWTPayload;
    try {
      const alg = decodeProtectedHeader(token).alg;
      if (alg === undefined || !keys.algorithms.includes(alg)) throw invalidToken('PGRST301', 'Wrong or unsupported encoding algorithm');
      payload = (await jwtVerify(token, keys.getKey, { algorithms: [...keys.algorithms], clockTolerance: 30 })).payload;
    } catch (error) {
      if (error instanceof RestError) throw error;
      if (error instanceof errors.JWTExpired) throw invalidToken('PGRST303', 'JWT expired');
      if (error instanceof errors.JWTClaimValidationFailed) {
        if (error.claim === 'nbf') throw invalidToken('PGRST303', 'JWT not yet valid');
        if (error.claim === 'iat') throw invalidToken('PGRST303', 'JWT issued at future');
        throw invalidToken('PGRST303', 'Parsing claims failed');
      }
      if (error instanceof errors.JWSSignatureVerificationFailed) throw invalidToken('PGRST301', 'JWT cryptographic operation failed');
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof TypeError)
        throw invalidToken('PGRST301', 'No suitable key or wrong key type');
      throw invalidToken('PGRST301', "JWT couldn't be decoded");
    }
    const role = typeof payload.role === 'string' && payload.role !== '' ? payload.role : anonRole;
    return { role, claims: { ...payload, role } };
  };
}
