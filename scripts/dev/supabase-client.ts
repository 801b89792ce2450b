/**
 * supabase-js configured the way an app would, for Node scripts and tests
 * against the local stack's API origin (Auth, REST and functions; no Realtime).
 * With an access token it acts as that user; with null it is signed out and
 * keeps the session `auth.signIn*` gives it in memory.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';

/**
 * Node 20 has no global WebSocket, and supabase-js builds its Realtime client
 * eagerly: without a transport it throws. Realtime is not part of the local
 * stack, so a transport that refuses to connect is enough.
 */
class NoRealtime {
  constructor() {
    throw new Error('Realtime is not available on the local Wallai stack');
  }
}

/** `accessToken` null: a signed-out client (supabase-js then sends the anon key). */
export function localSupabase(apiUrl: string, anonKey: string, accessToken: string | null): SupabaseClient {
  const hasWebSocket = typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function';
  return createClient(apiUrl, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    ...(accessToken === null ? {} : { global: { headers: { Authorization: `Bearer ${accessToken}` } } }),
    ...(hasWebSocket ? {} : { realtime: { transport: NoRealtime as never } }),
  });
}
