import { decodeJwt, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createGateway, type GatewayFunction } from './functions-gateway.ts';
import { DEMO_USERS, LOCAL_JWT_SECRET, localKeys, signAccessToken, signApiKey } from './local-keys.ts';

const echo = (name: string) => async (req: Request) =>
  new Response(JSON.stringify({ name, method: req.method, path: new URL(req.url).pathname }), {
    headers: { 'Content-Type': 'application/json' },
  });

const functions: GatewayFunction[] = [
  { name: 'secured', verifyJwt: true, handlerFile: '/x/secured/handler.ts' },
  { name: 'open', verifyJwt: false, handlerFile: '/x/open/handler.ts' },
  { name: 'broken', verifyJwt: true, handlerFile: '/x/broken/handler.ts' },
  { name: 'throws', verifyJwt: false, handlerFile: '/x/throws/handler.ts' },
];

async function gateway() {
  const logs: string[] = [];
  const handler = await createGateway({
    functions,
    jwtSecret: LOCAL_JWT_SECRET,
    log: (line) => logs.push(line),
    load: async (fn) => {
      if (fn.name === 'broken') throw new Error('SUPABASE_DB_URL is required');
      if (fn.name === 'throws') return async () => Promise.reject(new Error('kaboom'));
      return echo(fn.name);
    },
  });
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await handler(new Request(`http://127.0.0.1:54321${path}`, { method: 'POST', ...init }));
    return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
  };
  return { call, logs };
}

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

describe('functions gateway', () => {
  it('passes a valid user token, the anon key and the service-role key to a verify_jwt function', async () => {
    const { call } = await gateway();
    const keys = await localKeys();
    for (const token of [keys.tokens.alice, keys.anonKey, keys.serviceRoleKey]) {
      expect(await call('/functions/v1/secured', bearer(token))).toMatchObject({ status: 200, body: { name: 'secured' } });
    }
  });

  it('answers 401 for a correctly signed token that never expires (no exp claim)', async () => {
    const { call } = await gateway();
    const eternal = await new SignJWT({ role: 'authenticated', sub: DEMO_USERS.alice.id })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(LOCAL_JWT_SECRET));
    const { status, body } = await call('/functions/v1/secured', bearer(eternal));
    expect({ status, code: body.code }).toEqual({ status: 401, code: 'UNAUTHORIZED_INVALID_JWT' });
  });

  it('answers 401 JSON with CORS headers for a missing, malformed, forged or expired token', async () => {
    const { call } = await gateway();
    const forged = await signAccessToken(DEMO_USERS.alice, { secret: 'another-secret-that-is-at-least-32-characters' });
    const expired = await signAccessToken(DEMO_USERS.alice, { expiresIn: -60 });
    const none = await new SignJWT({ role: 'service_role' })
      .setProtectedHeader({ alg: 'HS512' })
      .sign(new TextEncoder().encode(LOCAL_JWT_SECRET));
    const cases: [RequestInit, string, RegExp][] = [
      [{}, 'UNAUTHORIZED_NO_AUTH_HEADER', /Missing authorization header/],
      [{ headers: { Authorization: 'Basic abc' } }, 'UNAUTHORIZED_INVALID_JWT_FORMAT', /Bearer/],
      [bearer('not-a-jwt'), 'UNAUTHORIZED_INVALID_JWT_FORMAT', /Bearer/],
      [bearer(forged), 'UNAUTHORIZED_INVALID_JWT', /^Invalid JWT$/],
      [bearer(expired), 'UNAUTHORIZED_INVALID_JWT', /expired/],
      [bearer(none), 'UNAUTHORIZED_INVALID_JWT', /^Invalid JWT$/],
    ];
    for (const [init, code, message] of cases) {
      const { status, body, headers } = await call('/functions/v1/secured', init);
      expect({ status, code: body.code }).toEqual({ status: 401, code });
      expect(body.message).toMatch(message);
      expect(headers.get('access-control-allow-origin')).toBe('*');
      expect(headers.get('content-type')).toBe('application/json');
    }
  });

  it('lets OPTIONS preflights through without a token, and verify_jwt = false functions too', async () => {
    const { call } = await gateway();
    const handler = await createGateway({ functions, jwtSecret: LOCAL_JWT_SECRET, load: async (fn) => echo(fn.name) });
    const preflight = await handler(new Request('http://127.0.0.1/functions/v1/secured', { method: 'OPTIONS' }));
    expect(preflight.status).toBe(200);
    expect(await preflight.json()).toMatchObject({ method: 'OPTIONS' });
    expect(await call('/functions/v1/open')).toMatchObject({ status: 200, body: { name: 'open' } });
  });

  it('routes sub-paths to the function and answers unknown functions and paths with 404 JSON', async () => {
    const { call } = await gateway();
    expect(await call('/functions/v1/open/deeper/path')).toMatchObject({ status: 200, body: { path: '/functions/v1/open/deeper/path' } });
    expect(await call('/functions/v1/nope')).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(await call('/rest/v1/expenses')).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });

  it('a function that fails to boot answers 503 BOOT_ERROR with the reason; one that throws answers 500', async () => {
    const { call, logs } = await gateway();
    expect(await call('/functions/v1/broken', bearer(await signApiKey('anon')))).toMatchObject({
      status: 503,
      body: { code: 'BOOT_ERROR', message: expect.stringMatching(/SUPABASE_DB_URL is required/) as unknown },
    });
    expect(await call('/functions/v1/throws')).toMatchObject({ status: 500, body: { code: 'FUNCTION_ERROR' } });
    expect(logs.some((line) => line.includes('kaboom'))).toBe(true);
    expect(logs.some((line) => /^POST \/functions\/v1\/throws 500 \d+ms$/.test(line))).toBe(true);
  });
});

describe('local keys', () => {
  it("are the keys Supabase's local stack prints for the same secret", async () => {
    expect(await signApiKey('anon')).toBe(
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0',
    );
    expect(decodeJwt(await signApiKey('service_role'))).toMatchObject({ role: 'service_role', iss: 'supabase-demo' });
  });

  it('demo users get authenticated access tokens valid about 24 hours', async () => {
    const { tokens } = await localKeys();
    const claims = decodeJwt(tokens.bob);
    expect(claims).toMatchObject({ sub: DEMO_USERS.bob.id, email: DEMO_USERS.bob.email, role: 'authenticated', aud: 'authenticated' });
    const lifetime = (claims.exp ?? 0) - Math.floor(Date.now() / 1000);
    expect(lifetime).toBeGreaterThan(23 * 3600);
    expect(lifetime).toBeLessThanOrEqual(24 * 3600);
  });
});
