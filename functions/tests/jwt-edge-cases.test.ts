/**
 * Security review, access tokens: the edge cases a reviewer tries on every
 * function's bearer check (functions/_shared/auth.ts). Each must be refused with
 * 401 and a stable code, never accepted and never a 500.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readEnv } from '@wallai/function-env';
import { TEST_JWT_SECRET, tokenFor } from '@wallai/testing';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateUser, createJwtVerifier, type VerifyToken } from '../_shared/auth.ts';
import type { HttpError } from '../_shared/http.ts';

const userId = '0b7e4a52-3c1d-4f6e-9a8b-7c6d5e4f3a2b';
const ISSUER = 'http://127.0.0.1:54321/auth/v1';
const now = () => Math.floor(Date.now() / 1000);

const request = (token: string) => new Request('http://local/fn', { method: 'POST', headers: { authorization: `Bearer ${token}` } });

async function outcome(token: string, verify: VerifyToken): Promise<{ status: number; code: string } | 'accepted'> {
  try {
    await authenticateUser(request(token), verify);
    return 'accepted';
  } catch (error) {
    return { status: (error as HttpError).status, code: (error as HttpError).code };
  }
}

const refused = { status: 401, code: 'invalid_token' };
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens signed with the HS256 secret', () => {
  const verify = createJwtVerifier({ secret: TEST_JWT_SECRET });

  it('a token that is not valid yet (nbf an hour ahead) is refused', async () => {
    const early = await tokenFor({ role: 'authenticated', userId }, { claims: { nbf: now() + 3600 } });
    expect(await outcome(early, verify)).toEqual(refused);
    const fine = await tokenFor({ role: 'authenticated', userId }, { claims: { nbf: now() - 10 } });
    expect(await outcome(fine, verify)).toBe('accepted');
  });

  it('an unsigned token (alg: none) is refused, whatever it claims', async () => {
    const claims = { role: 'authenticated', sub: userId, exp: now() + 600 };
    for (const alg of ['none', 'None', 'NONE']) {
      const unsigned = `${base64url({ alg, typ: 'JWT' })}.${base64url(claims)}.`;
      expect(await outcome(unsigned, verify), alg).toEqual(refused);
    }
  });

  it('a token signed with HS512 or HS384 by the same secret is refused (only HS256 is accepted)', async () => {
    for (const alg of ['HS384', 'HS512']) {
      const token = await new SignJWT({ role: 'authenticated', sub: userId, exp: now() + 600 })
        .setProtectedHeader({ alg })
        .sign(new TextEncoder().encode(TEST_JWT_SECRET));
      expect(await outcome(token, verify), alg).toEqual(refused);
    }
  });

  it('an asymmetric token is refused when only the secret is configured', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({ role: 'authenticated', sub: userId, exp: now() + 600 })
      .setProtectedHeader({ alg: 'ES256', kid: 'key-1' })
      .sign(privateKey);
    expect(await outcome(token, verify)).toEqual(refused);
  });

  it('a token with a tampered payload is refused', async () => {
    const token = await tokenFor({ role: 'authenticated', userId });
    const [header, , signature] = token.split('.');
    const forged = `${header}.${base64url({ role: 'service_role', sub: userId, exp: now() + 600 })}.${signature}`;
    expect(await outcome(forged, verify)).toEqual(refused);
  });
});

describe('access tokens verified against a JWKS', () => {
  let server: Server;
  let jwksUrl: string;
  let signingKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    signingKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth/v1/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const es256 = (claims: Record<string, unknown>, kid: string, key = signingKey) =>
    new SignJWT({ role: 'authenticated', sub: userId, exp: now() + 600, ...claims }).setProtectedHeader({ alg: 'ES256', kid }).sign(key);

  it('a token naming a key id the JWKS does not hold is refused', async () => {
    const verify = createJwtVerifier({ jwksUrl });
    expect(await outcome(await es256({}, 'key-1'), verify)).toBe('accepted');
    expect(await outcome(await es256({}, 'key-unknown'), verify)).toEqual(refused);
  });

  it('a token signed by another key under a known key id is refused', async () => {
    const verify = createJwtVerifier({ jwksUrl });
    const stranger = (await generateKeyPair('ES256')).privateKey;
    expect(await outcome(await es256({}, 'key-1', stranger), verify)).toEqual(refused);
  });

  it('an HS256 token is refused where only the JWKS is configured, even one signed with the public key as its secret', async () => {
    const verify = createJwtVerifier({ jwksUrl });
    const jwks = await (await fetch(jwksUrl)).text();
    const confused = await new SignJWT({ role: 'authenticated', sub: userId, exp: now() + 600 })
      .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
      .sign(new TextEncoder().encode(jwks));
    expect(await outcome(confused, verify)).toEqual(refused);
    expect(await outcome(await tokenFor({ role: 'authenticated', userId }), verify)).toEqual(refused);
  });
});

describe('the issuer, when one is configured', () => {
  const verify = createJwtVerifier({ secret: TEST_JWT_SECRET, issuer: ISSUER });

  it("accepts the project's own issuer and refuses another project's or none", async () => {
    expect(await outcome(await tokenFor({ role: 'authenticated', userId }, { claims: { iss: ISSUER } }), verify)).toBe('accepted');
    const other = await tokenFor({ role: 'authenticated', userId }, { claims: { iss: 'https://another-project.supabase.co/auth/v1' } });
    expect(await outcome(other, verify)).toEqual(refused);
    expect(await outcome(await tokenFor({ role: 'authenticated', userId }, { claims: { iss: undefined } }), verify)).toEqual(refused);
  });

  it('is read from SUPABASE_JWT_ISSUER, and absent means any issuer', () => {
    const base = {
      SUPABASE_URL: 'http://127.0.0.1:54321',
      SUPABASE_ANON_KEY: 'anon',
      SUPABASE_SERVICE_ROLE_KEY: 'service',
      SUPABASE_DB_URL: 'postgresql://postgres:postgres@127.0.0.1:54322/postgres',
      SUPABASE_JWT_SECRET: TEST_JWT_SECRET,
    } as Record<string, string>;
    expect(readEnv((name) => base[name]).jwtIssuer).toBeNull();
    expect(readEnv((name) => ({ ...base, SUPABASE_JWT_ISSUER: ISSUER })[name]).jwtIssuer).toBe(ISSUER);
  });
});

describe('API keys used as a user', () => {
  const verify = createJwtVerifier({ secret: TEST_JWT_SECRET });

  it('the anon key and the service-role key are not users, even with a user id as sub', async () => {
    for (const role of ['anon', 'service_role'] as const) {
      const key = await tokenFor({ role });
      expect(await outcome(key, verify), role).toEqual({ status: 401, code: 'not_a_user' });
      const withSub = await tokenFor({ role }, { claims: { sub: userId } });
      expect(await outcome(withSub, verify), `${role} with sub`).toEqual({ status: 401, code: 'not_a_user' });
    }
  });
});
