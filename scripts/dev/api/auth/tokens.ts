/**
 * Access tokens as GoTrue signs them: HS256 with the project's JWT secret, or,
 * when asymmetric signing keys are configured ([auth] signing_keys_path, a JSON
 * array of private JWKs as `supabase gen signing-key` writes), with the first
 * of them (ES256 or RS256, its `kid` in the header) — then
 * /.well-known/jwks.json publishes their public halves. Verification accepts
 * the secret (HS256) and every configured key, by `kid`.
 */
import { readFileSync } from 'node:fs';
import { errors as joseErrors, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload, type JWTVerifyGetKey } from 'jose';

export interface AccessTokenClaims extends JWTPayload {
  readonly sub: string;
  readonly role: string;
  readonly session_id?: string;
  readonly is_anonymous?: boolean;
  readonly email?: string;
}

export interface SigningKey {
  readonly kid: string;
  readonly alg: (typeof SIGNING_ALGS)[number];
  readonly privateKey: CryptoKey | Uint8Array;
  readonly publicJwk: JWK;
  readonly publicKey: CryptoKey | Uint8Array;
}

const SIGNING_ALGS = ['ES256', 'RS256', 'EdDSA'] as const;
const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);

/** Loads private JWKs; refuses symmetric (oct) keys and keys without kid or alg. */
export async function loadSigningKeys(jwks: readonly JWK[], source = 'signing keys'): Promise<SigningKey[]> {
  const keys: SigningKey[] = [];
  for (const [index, jwk] of jwks.entries()) {
    const where = `${source}[${index}]`;
    if (jwk.kty === 'oct') throw new Error(`${where}: symmetric keys are not published; use the JWT secret for HS256`);
    if (!jwk.kid) throw new Error(`${where}: a signing key needs a kid`);
    const alg = SIGNING_ALGS.find((a) => a === jwk.alg);
    if (alg === undefined) throw new Error(`${where}: alg must be ES256, RS256 or EdDSA`);
    if (!jwk.d) throw new Error(`${where}: a signing key must be a private JWK (with d)`);
    const publicJwk: JWK = Object.fromEntries(Object.entries(jwk).filter(([name]) => !PRIVATE_MEMBERS.has(name)));
    publicJwk.key_ops = ['verify'];
    keys.push({
      kid: jwk.kid,
      alg,
      privateKey: await importJWK({ ...jwk, key_ops: ['sign'] }, alg),
      publicKey: await importJWK(publicJwk, alg),
      publicJwk,
    });
  }
  return keys;
}

export async function readSigningKeys(file: string): Promise<SigningKey[]> {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(parsed)) throw new Error(`${file}: expected a JSON array of JWKs`);
  return loadSigningKeys(parsed as JWK[], file);
}

/**
 * The keys a session token is verified with, everywhere in the project: the
 * JWT secret (HS256) and each configured signing key by its `kid` — what
 * Supabase gives PostgREST, Storage and Realtime as the project's JWKS. A
 * token whose header names no known key, or an algorithm its key does not
 * have (an HS256 token carrying an asymmetric key's kid), does not verify.
 */
export interface TokenKeys {
  readonly getKey: JWTVerifyGetKey;
  /** HS256, then the signing keys' algorithms. */
  readonly algorithms: readonly string[];
}

export function tokenKeys(jwtSecret: string, signingKeys: readonly SigningKey[] = []): TokenKeys {
  const secret = new TextEncoder().encode(jwtSecret);
  return {
    algorithms: ['HS256', ...new Set(signingKeys.map((k) => k.alg))],
    getKey: async (header) => {
      if (header.kid !== undefined) {
        const key = signingKeys.find((k) => k.kid === header.kid);
        if (key) return key.publicKey;
      }
      if (header.alg === 'HS256') return secret;
      throw new joseErrors.JWKSNoMatchingKey();
    },
  };
}

export class TokenService {
  private readonly secret: Uint8Array;
  private readonly keys: TokenKeys;

  constructor(
    jwtSecret: string,
    private readonly signingKeys: readonly SigningKey[] = [],
  ) {
    this.secret = new TextEncoder().encode(jwtSecret);
    this.keys = tokenKeys(jwtSecret, signingKeys);
  }

  /** The public keys /.well-known/jwks.json lists (none for HS256 only). */
  get jwks(): { keys: JWK[] } {
    return { keys: this.signingKeys.map((k) => k.publicJwk) };
  }

  async sign(claims: Record<string, unknown>): Promise<string> {
    const key = this.signingKeys[0];
    const jwt = new SignJWT(claims);
    if (key) return jwt.setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
    return jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(this.secret);
  }

  /** The verified claims; throws jose's errors for a bad signature, an expired token, … */
  async verify(token: string): Promise<AccessTokenClaims> {
    const { payload } = await jwtVerify(token, this.keys.getKey, { algorithms: [...this.keys.algorithms] });
    return payload as AccessTokenClaims;
  }
}
