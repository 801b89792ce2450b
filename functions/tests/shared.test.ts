import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_ANTHROPIC_MODEL, DEFAULT_MAX_BODY_BYTES, EnvError, readEnv } from '@wallai/function-env';
import { anonKey, TEST_JWT_SECRET, tokenFor } from '@wallai/testing';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { authenticateUser, createJwtVerifier } from '../_shared/auth.ts';
import { HttpError, postHandler, readJsonBody, toHttpError } from '../_shared/http.ts';
import { fixedWindowRateLimiter } from '../_shared/rate-limit.ts';
import { NUL_MESSAGE, parseInput } from '../_shared/validation.ts';

const REQUIRED = {
  SUPABASE_URL: 'http://127.0.0.1:54321',
  SUPABASE_ANON_KEY: 'anon',
  SUPABASE_SERVICE_ROLE_KEY: 'service',
  SUPABASE_DB_URL: 'postgresql://postgres:postgres@127.0.0.1:54322/postgres',
};
const fromRecord = (record: Record<string, string>) => (name: string) => record[name];

describe('readEnv', () => {
  it('reads the required variables and applies defaults', () => {
    const env = readEnv(fromRecord(REQUIRED));
    expect(env).toMatchObject({
      supabaseUrl: REQUIRED.SUPABASE_URL,
      supabaseDbUrl: REQUIRED.SUPABASE_DB_URL,
      jwtSecret: null,
      jwksUrl: 'http://127.0.0.1:54321/auth/v1/.well-known/jwks.json',
      anthropicApiKey: null,
      anthropicBaseUrl: null,
      anthropicModel: DEFAULT_ANTHROPIC_MODEL,
      anthropicTimeoutMs: 10_000,
      anthropicMaxRetries: 2,
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    });
  });

  it('uses only the secret when one is given, and both when a JWKS URL is given too', () => {
    expect(readEnv(fromRecord({ ...REQUIRED, SUPABASE_JWT_SECRET: 's' }))).toMatchObject({ jwtSecret: 's', jwksUrl: null });
    expect(readEnv(fromRecord({ ...REQUIRED, SUPABASE_JWT_SECRET: 's', SUPABASE_JWKS_URL: 'https://x.test/jwks.json' }))).toMatchObject({
      jwtSecret: 's',
      jwksUrl: 'https://x.test/jwks.json',
    });
  });

  it('names every missing or malformed variable at once', () => {
    let caught: unknown;
    try {
      readEnv(fromRecord({ SUPABASE_URL: 'not a url', ANTHROPIC_TIMEOUT_MS: '-5', MAX_BODY_BYTES: '1e3' }));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvError);
    const message = (caught as Error).message;
    for (const name of [
      'SUPABASE_URL is not a URL',
      'SUPABASE_ANON_KEY',
      'SUPABASE_SERVICE_ROLE_KEY',
      'SUPABASE_DB_URL',
      'ANTHROPIC_TIMEOUT_MS',
      'MAX_BODY_BYTES',
    ]) {
      expect(message).toContain(name);
    }
  });
});

describe('http', () => {
  const echo = postHandler(async (req) => new Response(JSON.stringify(await readJsonBody(req, 32)), { status: 200 }));

  it('answers preflights with the CORS headers Supabase documents', async () => {
    const res = await echo(new Request('http://local/fn', { method: 'OPTIONS' }));
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization, x-client-info, apikey, content-type, idempotency-key');
    expect(res.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
  });

  it('refuses other methods with 405 and an Allow header', async () => {
    const res = await echo(new Request('http://local/fn', { method: 'GET' }));
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST, OPTIONS');
    expect(await res.json()).toEqual({ error: { code: 'method_not_allowed', message: expect.any(String) } });
  });

  it('puts CORS headers on successful responses too', async () => {
    const res = await echo(new Request('http://local/fn', { method: 'POST', body: '{"a":1}' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('limits the body while reading it, with or without Content-Length', async () => {
    const big = JSON.stringify({ a: 'x'.repeat(64) });
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('          '));
        controller.close();
      },
    });
    for (const req of [
      new Request('http://local/fn', { method: 'POST', body: big }),
      new Request('http://local/fn', { method: 'POST', body: streamed, duplex: 'half' } as RequestInit),
      new Request('http://local/fn', { method: 'POST', body: '{}', headers: { 'content-length': '100000' } }),
    ]) {
      const res = await echo(req);
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    }
  });

  it('a client that stops sending its body is answered 408 once the body timeout passes, and its stream is cancelled', async () => {
    let cancelled = false;
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const slow = postHandler(
      async (req) => new Response(JSON.stringify(await readJsonBody(req, 1024, { timeoutMs: 50 })), { status: 200 }),
    );
    const res = await slow(new Request('http://local/fn', { method: 'POST', body: stalled, duplex: 'half' } as RequestInit));
    expect(res.status).toBe(408);
    expect(await res.json()).toEqual({
      error: { code: 'request_timeout', message: 'The request body did not arrive within 0.05 s.', details: { timeout_ms: 50 } },
    });
    expect(cancelled).toBe(true);
  });

  it('a body that arrives in time is read whole, however it is chunked', async () => {
    const chunks = ['{"a"', ':', '1}'];
    const trickled = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = chunks.shift();
        if (next === undefined) return controller.close();
        await new Promise((resolve) => setTimeout(resolve, 5));
        controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const res = await echo(new Request('http://local/fn', { method: 'POST', body: trickled, duplex: 'half' } as RequestInit));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ a: 1 });
  });

  it('answers 400 for bodies that are not JSON', async () => {
    for (const body of ['{"a":', '', 'nope']) {
      const res = await echo(new Request('http://local/fn', { method: 'POST', body }));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('malformed_json');
    }
  });

  it('maps Postgres errors as PostgREST does and hides unexpected ones', () => {
    const pg = (code: string) => Object.assign(new Error(`pg says ${code}`), { name: 'PostgresError', code });
    const cases: Array<[string, number, string]> = [
      ['42501', 403, 'forbidden'],
      ['PT403', 403, 'forbidden'],
      ['PT404', 404, 'not_found'],
      ['PT409', 409, 'conflict'],
      ['PT410', 410, 'gone'],
      ['PT429', 429, 'rate_limited'],
      ['22023', 422, 'validation_failed'],
      ['23514', 422, 'validation_failed'],
      ['22P02', 422, 'validation_failed'],
      ['XX000', 500, 'internal_error'],
    ];
    for (const [sqlstate, status, code] of cases) {
      const mapped = toHttpError(pg(sqlstate), () => {});
      expect({ sqlstate, status: mapped.status, code: mapped.code }).toEqual({ sqlstate, status, code });
    }
    const reported: unknown[] = [];
    const hidden = toHttpError(new Error('connection to 10.0.0.3 failed: password for user "postgres"'), (e) => reported.push(e));
    expect(hidden.status).toBe(500);
    expect(hidden.message).not.toMatch(/postgres|10\.0/);
    expect(reported).toHaveLength(1);
  });

  it('answers 503 database_unavailable with Retry-After for faults of the database, not of the request', () => {
    for (const code of ['57014', '57P01', '08006', '53300', '40001', '40P01', 'CONNECTION_CLOSED', 'ECONNRESET']) {
      const error = toHttpError(Object.assign(new Error('boom'), { code, name: code.length === 5 ? 'PostgresError' : 'Error' }), () => {});
      expect({ code, status: error.status, error: error.code, retry: error.headers['Retry-After'] }).toEqual({
        code,
        status: 503,
        error: 'database_unavailable',
        retry: '1',
      });
    }
    expect(toHttpError(Object.assign(new Error('x'), { code: 'XX000', name: 'PostgresError' }), () => {}).status).toBe(500);
  });

  it('answers 422 when the database refuses a character it cannot store (22021)', () => {
    const nul = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { name: 'PostgresError', code: '22021' });
    expect(toHttpError(nul, () => {})).toMatchObject({ status: 422, code: 'validation_failed' });
  });

  it('turns a PT429 thrown inside a handler into a 429 response', async () => {
    const handler = postHandler(async () => {
      throw Object.assign(new Error('too many unknown codes'), { name: 'PostgresError', code: 'PT429' });
    });
    const res = await handler(new Request('http://local/fn', { method: 'POST', body: '{}' }));
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({
      error: { code: 'rate_limited', message: 'too many unknown codes', details: { sqlstate: 'PT429' } },
    });
  });

  it('rate limits per key in fixed windows', () => {
    let now = 0;
    const limiter = fixedWindowRateLimiter({ limit: 2, windowMs: 1000, now: () => now });
    limiter.take('a');
    limiter.take('a');
    limiter.take('b');
    expect(() => limiter.take('a')).toThrow(HttpError);
    now = 1000;
    expect(() => limiter.take('a')).not.toThrow();
  });
});

describe('validation', () => {
  const Body = z.strictObject({ name: z.string(), tags: z.array(z.string()), meta: z.record(z.string(), z.string()).optional() });

  it('refuses a NUL character in any string, or object key, with 422 and the path of each field', () => {
    let caught: unknown;
    try {
      parseInput(Body, { name: 'ok\u0000', tags: ['a', 'b\u0000c'], meta: { 'k\u0000': 'v', fine: '\u0000' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HttpError);
    expect(caught).toMatchObject({
      status: 422,
      code: 'validation_failed',
      details: {
        issues: [
          { path: 'name', code: 'custom', message: NUL_MESSAGE },
          { path: 'tags.1', code: 'custom', message: NUL_MESSAGE },
          { path: 'meta.k\u0000', code: 'custom', message: NUL_MESSAGE },
          { path: 'meta.fine', code: 'custom', message: NUL_MESSAGE },
        ],
      },
    });
  });

  it('lets every other character through, control characters and emoji included', () => {
    const body = { name: 'Caf\u00e9 \u0001\t\u{1F600}', tags: [] };
    expect(parseInput(Body, body)).toEqual(body);
  });
});

describe('auth', () => {
  const verify = createJwtVerifier({ secret: TEST_JWT_SECRET });
  const userId = '6f1d2c3b-1a2b-4c5d-8e9f-0a1b2c3d4e5f';
  const withToken = (token: string | null) =>
    new Request('http://local/fn', { method: 'POST', headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return { status: (error as HttpError).status, code: (error as HttpError).code };
    }
    return null;
  };

  it('accepts a user token and returns its claims', async () => {
    const user = await authenticateUser(withToken(await tokenFor({ role: 'authenticated', userId })), verify);
    expect(user.id).toBe(userId);
    expect(user.claims.role).toBe('authenticated');
  });

  it('refuses missing, malformed, forged, expired, anon and service-role tokens with 401', async () => {
    expect(await failure(authenticateUser(withToken(null), verify))).toEqual({ status: 401, code: 'missing_token' });
    expect(await failure(authenticateUser(withToken('not-a-jwt'), verify))).toEqual({ status: 401, code: 'invalid_token' });
    const forged = await tokenFor({ role: 'authenticated', userId }, { secret: 'another-secret-another-secret-another' });
    expect(await failure(authenticateUser(withToken(forged), verify))).toEqual({ status: 401, code: 'invalid_token' });
    const expired = await tokenFor({ role: 'authenticated', userId }, { expiresIn: -60 });
    expect(await failure(authenticateUser(withToken(expired), verify))).toEqual({ status: 401, code: 'token_expired' });
    expect(await failure(authenticateUser(withToken(await anonKey()), verify))).toEqual({ status: 401, code: 'not_a_user' });
    const service = await tokenFor({ role: 'service_role' });
    expect(await failure(authenticateUser(withToken(service), verify))).toEqual({ status: 401, code: 'not_a_user' });
    const noSub = await tokenFor({ role: 'authenticated', userId }, { claims: { sub: undefined } });
    expect(await failure(authenticateUser(withToken(noSub), verify))).toEqual({ status: 401, code: 'invalid_token' });
  });

  it('refuses a token without an expiry with 401 invalid_token, whatever signs it', async () => {
    const noExp = await tokenFor({ role: 'authenticated', userId }, { claims: { exp: undefined } });
    expect(await failure(authenticateUser(withToken(noExp), verify))).toEqual({ status: 401, code: 'invalid_token' });
    const textExp = await tokenFor({ role: 'authenticated', userId }, { claims: { exp: 'tomorrow' } });
    expect(await failure(authenticateUser(withToken(textExp), verify))).toEqual({ status: 401, code: 'invalid_token' });
  });

  it('refuses a token whose sub is not a user id (a UUID) with 401 invalid_token', async () => {
    for (const sub of ['not-a-uuid', 'alice', '6f1d2c3b1a2b4c5d8e9f0a1b2c3d4e5f', `${userId} `]) {
      const token = await tokenFor({ role: 'authenticated', userId }, { claims: { sub } });
      expect(await failure(authenticateUser(withToken(token), verify)), sub).toEqual({ status: 401, code: 'invalid_token' });
    }
  });

  it('verifies asymmetric tokens against a JWKS endpoint', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const both = createJwtVerifier({ secret: TEST_JWT_SECRET, jwksUrl: `http://127.0.0.1:${port}/auth/v1/.well-known/jwks.json` });
      const now = Math.floor(Date.now() / 1000);
      const es256 = await new SignJWT({ role: 'authenticated', sub: userId, exp: now + 60 })
        .setProtectedHeader({ alg: 'ES256', kid: 'key-1' })
        .sign(privateKey);
      expect((await authenticateUser(withToken(es256), both)).id).toBe(userId);
      // Legacy HS256 tokens still verify with the secret alongside the JWKS.
      expect((await authenticateUser(withToken(await tokenFor({ role: 'authenticated', userId })), both)).id).toBe(userId);
      // Without the secret, HS256 tokens are refused.
      const jwksOnly = createJwtVerifier({ jwksUrl: `http://127.0.0.1:${port}/jwks.json` });
      expect(await failure(authenticateUser(withToken(await tokenFor({ role: 'authenticated', userId })), jwksOnly))).toEqual({
        status: 401,
        code: 'invalid_token',
      });
    } finally {
      server.close();
    }
  });
});
