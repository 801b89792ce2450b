/**
 * For tests of the Storage module: the real supabase-js whose fetch routes
 * `/storage/v1` to the handler in process (as the one-origin server mounts
 * it), and a fresh data directory per test file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { SqlClient } from '@wallai/db-client';
import { TEST_JWT_SECRET } from '@wallai/testing';
import { storageFetch } from './fetch.ts';
import { createStorageApi, type StorageApi } from './handler.ts';

export { storageFetch };

export const API_URL = 'http://127.0.0.1:54321';

export async function storageApiFor(
  db: SqlClient,
  dataDir?: string,
): Promise<{ api: StorageApi; dataDir: string; cleanup: () => Promise<void> }> {
  const dir = dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'wallai-storage-')));
  const api = await createStorageApi({ sql: db, jwtSecret: TEST_JWT_SECRET, dataDir: dir });
  return {
    api,
    dataDir: dir,
    cleanup: async () => {
      await api.close();
      if (dataDir === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}

class NoRealtime {
  constructor() {
    throw new Error('Realtime is not served by these tests');
  }
}

/** supabase-js as an app uses it: the anon key as apikey, the user's token (or the anon key) as bearer. */
export function storageClientFor(api: StorageApi, anonKey: string, accessToken: string | null = null): SupabaseClient {
  return createClient(API_URL, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: { fetch: storageFetch(api), ...(accessToken === null ? {} : { headers: { Authorization: `Bearer ${accessToken}` } }) },
    realtime: { transport: NoRealtime as never },
  });
}
