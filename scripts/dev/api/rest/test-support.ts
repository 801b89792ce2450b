/**
 * For tests of the REST handler: Requests built the way postgrest-js sends
 * them, and the real supabase-js with a fetch that routes `/rest/v1` to the
 * handler in process (no server needed).
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { SqlClient } from '@wallai/db-client';
import { TEST_JWT_SECRET } from '@wallai/testing';
import { createRestApi, type RestApi } from './handler.ts';

export const API_URL = 'http://127.0.0.1:54321';

export function restApiFor(db: SqlClient, options: { maxRows?: number | null } = {}): Promise<RestApi> {
  return createRestApi({ sql: db, jwtSecret: TEST_JWT_SECRET, schemas: ['public', 'graphql_public'], maxRows: options.maxRows ?? 1000 });
}

export interface Call {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (null when empty or not JSON). */
  readonly json: unknown;
}

/** One request to the handler: `path` after /rest/v1, with its query string. */
export async function call(
  api: RestApi,
  method: string,
  path: string,
  options: { token?: string | null; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Call> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const req = new Request(`${API_URL}/rest/v1${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const res = await api.handle(req, path);
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A fetch that serves `/rest/v1/*` from the handler, as the one-origin server will. */
export function restFetch(api: RestApi): typeof fetch {
  return async (input, init) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    if (!url.pathname.startsWith('/rest/v1')) return new Response('{"message":"not served in this test"}', { status: 404 });
    return api.handle(req, url.pathname.slice('/rest/v1'.length) + url.search);
  };
}

class NoRealtime {
  constructor() {
    throw new Error('Realtime is not served by these tests');
  }
}

/** supabase-js as an app uses it: the anon key as apikey, the user's token (or the anon key) as bearer. */
export function supabaseFor(api: RestApi, anonKey: string, accessToken: string | null = null): SupabaseClient {
  const hasWebSocket = typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function';
  return createClient(API_URL, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: { fetch: restFetch(api), ...(accessToken === null ? {} : { headers: { Authorization: `Bearer ${accessToken}` } }) },
    ...(hasWebSocket ? {} : { realtime: { transport: NoRealtime as never } }),
  });
}
