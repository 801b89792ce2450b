/**
 * The one-origin API server: the apikey and CORS behaviour of Supabase's
 * gateway, routing, and the functions proxy streaming without buffering.
 * Mounted APIs are small recorders here; the Auth server's own conformance is
 * in auth/auth.conformance.test.ts.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signApiKey } from '../local-keys.ts';
import { localSupabase } from '../supabase-client.ts';
import WebSocket from 'ws';
import {
  INVALID_API_KEY,
  NO_API_KEY,
  authMount,
  realtimeMount,
  redactedUrl,
  restMount,
  startApiServer,
  storageMount,
  type ApiServer,
  type MountedApi,
} from './server.ts';

let anonKey = '';
let serviceRoleKey = '';
let api: ApiServer;
let upstream: Server;
let upstreamUrl = '';
/** The SSE response the fake functions gateway is writing, so the test decides when each event is sent. */
let pendingStream: ServerResponse | null = null;
let streamOpened: () => void = () => {};
const seen: { mount: string; path: string; authorization: string | null; forwardedFor: string | null; body: string }[] = [];

const recorder = (mount: string): MountedApi => ({
  async handle(req, path) {
    seen.push({
      mount,
      path,
      authorization: req.headers.get('authorization'),
      forwardedFor: req.headers.get('x-forwarded-for'),
      body: await req.text(),
    });
    return new Response(JSON.stringify({ mount, path, method: req.method }), {
      status: 200,
      headers: { 'Content-Type': 'application/json', 'Content-Range': '0-0/1' },
    });
  },
});

beforeAll(async () => {
  anonKey = await signApiKey('anon');
  serviceRoleKey = await signApiKey('service_role');
  upstream = createServer((req, res) => {
    if (req.url?.startsWith('/functions/v1/stream')) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8' });
      res.write('event: first\ndata: {}\n\n');
      pendingStream = res;
      streamOpened();
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ url: req.url, authorization: req.headers.authorization ?? null, body }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  api = await startApiServer({
    port: 0,
    anonKey,
    serviceRoleKey,
    mounts: [
      restMount(recorder('rest')),
      authMount(recorder('auth')),
      storageMount(recorder('storage'), 1024),
      realtimeMount({
        ...recorder('realtime'),
        handleUpgrade(req, socket) {
          upgraded.push(redactedUrl(req.url));
          socket.end('HTTP/1.1 418 I am a teapot\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        },
      }),
      { prefix: '/extra/v1', api: recorder('extra') },
    ],
    functionsOrigin: () => upstreamUrl,
  });
});
/** The upgrades the Realtime mount was handed. */
const upgraded: string[] = [];

afterAll(async () => {
  await api.close();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

describe('the API origin (apikey and CORS as Supabase’s gateway)', () => {
  it('routes /rest/v1 (path and query after the prefix) and /auth/v1 (path) to their APIs', async () => {
    const rest = await fetch(`${api.url}/rest/v1/expenses?select=id&limit=1`, { headers: { apikey: anonKey } });
    expect(await rest.json()).toEqual({ mount: 'rest', path: '/expenses?select=id&limit=1', method: 'GET' });
    const auth = await fetch(`${api.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { apikey: anonKey },
      body: '{"a":1}',
    });
    expect(await auth.json()).toEqual({ mount: 'auth', path: '/token', method: 'POST' });
    expect(seen.at(-1)?.body).toBe('{"a":1}');
  });

  it('without an apikey answers 401 "No API key found in request"; with a wrong one "Invalid API key"; neither reaches the API', async () => {
    const before = seen.length;
    const missing = await fetch(`${api.url}/rest/v1/expenses`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual(NO_API_KEY);
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
    const forged = await signApiKey('service_role', 'another-secret-that-is-at-least-32-characters');
    const wrong = await fetch(`${api.url}/auth/v1/user`, { headers: { apikey: forged } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual(INVALID_API_KEY);
    expect(seen.length).toBe(before);

    // supabase-js configured with a key of another project gets the same answer.
    const { error } = await localSupabase(api.url, forged, null).auth.signInWithPassword({ email: 'a@b.test', password: 'whatever' });
    expect(error?.status).toBe(401);
    expect(error?.message).toBe('Invalid API key');
  });

  it('accepts the key as ?apikey=, and makes it the bearer token when there is no Authorization header', async () => {
    await fetch(`${api.url}/rest/v1/expenses?apikey=${serviceRoleKey}`);
    expect(seen.at(-1)?.authorization).toBe(`Bearer ${serviceRoleKey}`);
    await fetch(`${api.url}/rest/v1/expenses`, { headers: { apikey: anonKey, Authorization: 'Bearer user-token' } });
    expect(seen.at(-1)?.authorization).toBe('Bearer user-token');
  });

  it('leaves /storage/v1 open as the gateway does (Storage checks tokens), with its own body limit', async () => {
    const signed = await fetch(`${api.url}/storage/v1/object/sign/receipts/a/b.pdf?token=abc`);
    expect(signed.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({ mount: 'storage', path: '/object/sign/receipts/a/b.pdf?token=abc', authorization: null });
    await fetch(`${api.url}/storage/v1/object/receipts/a/b.pdf`, { method: 'POST', headers: { apikey: anonKey }, body: 'x' });
    expect(seen.at(-1)?.authorization).toBe(`Bearer ${anonKey}`);
    const over = await fetch(`${api.url}/storage/v1/object/receipts/a/b.pdf`, { method: 'POST', body: 'x'.repeat(1024 + 64 * 1024 + 1) });
    expect(over.status).toBe(413);
    // Other mounts keep the server's limit.
    expect(
      (await fetch(`${api.url}/rest/v1/expenses`, { method: 'POST', headers: { apikey: anonKey }, body: 'x'.repeat(70 * 1024) })).status,
    ).toBe(200);
  });

  it('hands websocket upgrades to the mount of their prefix only with a project key; others get 401 or 404', async () => {
    const status = (path: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`${api.url.replace(/^http/, 'ws')}${path}`);
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('error', (error) => {
          if (!/Unexpected server response/.test(error.message)) reject(error);
        });
      });
    expect(await status('/realtime/v1/websocket?vsn=1.0.0')).toBe(401);
    expect(await status('/realtime/v1/websocket?vsn=1.0.0&apikey=wrong')).toBe(401);
    expect(upgraded).toEqual([]);
    expect(await status(`/realtime/v1/websocket?vsn=1.0.0&apikey=${anonKey}`)).toBe(418);
    expect(upgraded).toEqual(['/realtime/v1/websocket?vsn=1.0.0&apikey=[redacted]']);
    expect(await status(`/rest/v1/websocket?apikey=${anonKey}`)).toBe(404);
  });

  it('logs request URLs with keys and signed-URL tokens redacted', () => {
    expect(redactedUrl('/storage/v1/object/sign/r/a.pdf?token=eyJ.x.y&download=1')).toBe(
      '/storage/v1/object/sign/r/a.pdf?token=[redacted]&download=1',
    );
    expect(redactedUrl('/rest/v1/expenses?apikey=k&select=id')).toBe('/rest/v1/expenses?apikey=[redacted]&select=id');
    expect(redactedUrl('/rest/v1/expenses?select=token')).toBe('/rest/v1/expenses?select=token');
  });

  it('serves the open Auth routes (JWKS, settings, health) without a key', async () => {
    const res = await fetch(`${api.url}/auth/v1/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({ mount: 'auth', path: '/.well-known/jwks.json' });
  });

  it('answers CORS preflights itself, for any origin and the requested headers, and exposes PostgREST’s headers on REST answers', async () => {
    const before = seen.length;
    const preflight = await fetch(`${api.url}/rest/v1/expenses`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:3000',
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'apikey, authorization, prefer, x-client-info',
      },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('apikey, authorization, prefer, x-client-info');
    expect(preflight.headers.get('access-control-max-age')).toBe('3600');
    expect(seen.length).toBe(before);

    const answer = await fetch(`${api.url}/rest/v1/expenses`, { headers: { apikey: anonKey, Origin: 'http://localhost:3000' } });
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('access-control-expose-headers')).toContain('Content-Range');
  });

  it('puts the client address in X-Forwarded-For, replacing what the client claims', async () => {
    await fetch(`${api.url}/auth/v1/token`, { method: 'POST', headers: { apikey: anonKey, 'X-Forwarded-For': '203.0.113.9' }, body: '{}' });
    expect(seen.at(-1)?.forwardedFor).toBe('127.0.0.1');
  });

  it('answers unknown paths with the gateway’s 404', async () => {
    const res = await fetch(`${api.url}/graphql/v1`, { headers: { apikey: anonKey } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'no Route matched with those values' });
  });

  it('routes any mounted prefix from the table, without the query string unless the mount asks for it', async () => {
    const res = await fetch(`${api.url}/extra/v1/things?x=1`, { headers: { apikey: anonKey } });
    expect(await res.json()).toEqual({ mount: 'extra', path: '/things', method: 'GET' });
    expect(res.headers.get('access-control-expose-headers')).toBeNull();
    const rest = await fetch(`${api.url}/rest/v1/things?x=1`, { headers: { apikey: anonKey } });
    expect(await rest.json()).toEqual({ mount: 'rest', path: '/things?x=1', method: 'GET' });
  });
});

describe('the functions proxy', () => {
  it('passes requests through with the apikey as bearer token when none is given, and bodies both ways', async () => {
    const res = await fetch(`${api.url}/functions/v1/echo/deeper?x=1`, { method: 'POST', headers: { apikey: anonKey }, body: 'hello' });
    expect(await res.json()).toEqual({ url: '/functions/v1/echo/deeper?x=1', authorization: `Bearer ${anonKey}`, body: 'hello' });
    const bare = await fetch(`${api.url}/functions/v1/echo`, { method: 'POST' });
    expect(((await bare.json()) as { authorization: string | null }).authorization).toBeNull();
  });

  it('streams Server-Sent Events as they are written: the first event arrives before the second is sent', async () => {
    const opened = new Promise<void>((resolve) => (streamOpened = resolve));
    const res = await fetch(`${api.url}/functions/v1/stream`, { method: 'POST', headers: { apikey: anonKey } });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await opened;
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('\n\n')) text += (await reader.read()).value ?? '';
    // Only now does the upstream write the second event and finish.
    expect(text).toBe('event: first\ndata: {}\n\n');
    pendingStream!.end('event: done\ndata: {}\n\n');
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
    expect(text).toBe('event: first\ndata: {}\n\nevent: done\ndata: {}\n\n');
  });

  it('answers 503 while the functions gateway is down', async () => {
    const down = await startApiServer({
      port: 0,
      anonKey,
      serviceRoleKey,
      mounts: [authMount(recorder('auth'))],
      functionsOrigin: () => null,
    });
    try {
      const res = await fetch(`${down.url}/functions/v1/anything`, { method: 'POST' });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ code: 'STARTING' });
    } finally {
      await down.close();
    }
  });
});
