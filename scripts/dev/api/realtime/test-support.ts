/**
 * For tests of the Realtime module: the handler behind a real HTTP server on
 * an ephemeral port (websocket upgrades on /realtime/v1/websocket), and the
 * real supabase-js connected to it with `ws` as its transport (Node 20 has no
 * global WebSocket).
 */
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import type { SqlClient } from '@wallai/db-client';
import { TEST_JWT_SECRET } from '@wallai/testing';
import WebSocket from 'ws';
import { serveRealtime, type StandaloneRealtime } from './standalone.ts';
import type { SigningKey } from '../auth/tokens.ts';

export type RealtimeHarness = StandaloneRealtime;

export function realtimeServerFor(db: SqlClient, signingKeys: readonly SigningKey[] = []): Promise<RealtimeHarness> {
  return serveRealtime(db, TEST_JWT_SECRET, signingKeys);
}

export type TokenClient = SupabaseClient & {
  /** What the accessToken callback returns from now on (then `realtime.setAuth()` sends it). */
  setToken(token: string): void;
};

/**
 * supabase-js as an app signed in with `token` uses it (the accessToken
 * option). Resolves once realtime holds the token, so the first join carries
 * it (supabase-js fetches it asynchronously; a join sent before would act as
 * the anon key, as on Supabase).
 */
export async function realtimeClientFor(
  url: string,
  anonKey: string,
  token: string | null,
  options: { vsn?: '1.0.0' | '2.0.0' } = {},
): Promise<TokenClient> {
  let current = token;
  const client = createClient(url, anonKey, {
    ...(token === null ? {} : { accessToken: async () => current ?? anonKey }),
    ...(token === null ? { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } } : {}),
    realtime: { transport: WebSocket as never, ...(options.vsn ? { vsn: options.vsn } : {}), heartbeatIntervalMs: 5000 },
  });
  const withToken = Object.assign(client, {
    setToken(t: string) {
      current = t;
    },
  });
  if (token !== null) await client.realtime.setAuth();
  return withToken;
}

/** Subscribes and resolves once the server confirmed the join (SUBSCRIBED), rejects on an error status. */
export function subscribed(channel: RealtimeChannel): Promise<RealtimeChannel> {
  return new Promise((resolve, reject) => {
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve(channel);
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(error ?? new Error(status));
    });
  });
}

/** Collects what a callback receives, and waits for the n-th item (no timing: resolves when it arrives). */
export class Inbox<T> {
  readonly items: T[] = [];
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  push = (item: T): void => {
    this.items.push(item);
    this.waiters = this.waiters.filter((w) => (this.items.length >= w.n ? (w.resolve(), false) : true));
  };
  async until(n: number): Promise<T[]> {
    if (this.items.length < n) await new Promise<void>((resolve) => this.waiters.push({ n, resolve }));
    return this.items;
  }
  /** Waits until an item satisfies the predicate. */
  async find(predicate: (item: T) => boolean): Promise<T> {
    for (;;) {
      const hit = this.items.find(predicate);
      if (hit !== undefined) return hit;
      await this.until(this.items.length + 1);
    }
  }
}
