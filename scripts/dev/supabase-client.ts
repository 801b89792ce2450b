/**
 * supabase-js configured the way an app would, for Node scripts and tests
 * against the local stack's API origin (Auth, REST, Storage, Realtime and
 * functions). With an access token it acts as that user (Realtime joins with
 * it too); with null it is signed out and keeps the session `auth.signIn*`
 * gives it in memory (and hands it to Realtime on sign-in, as in a browser).
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';

/** `accessToken` null: a signed-out client (supabase-js then sends the anon key). */
export function localSupabase(apiUrl: string, anonKey: string, accessToken: string | null): SupabaseClient {
  // Node 20 has no global WebSocket, which realtime-js needs; `ws` is the one it documents for Node.
  const hasWebSocket = typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function';
  const client = createClient(apiUrl, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    ...(accessToken === null ? {} : { global: { headers: { Authorization: `Bearer ${accessToken}` } } }),
    ...(hasWebSocket ? {} : { realtime: { transport: WebSocket as never } }),
  });
  // A token set by hand is kept across resubscribes (realtime-js's setAuth(token)).
  if (accessToken !== null) void client.realtime.setAuth(accessToken);
  return client;
}
