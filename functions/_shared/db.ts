/**
 * Database access for edge functions: postgres.js on SUPABASE_DB_URL.
 *
 * `prepare: false` because Supabase's transaction pooler (and the local PGlite
 * socket server) share server sessions between clients. Work for a user runs
 * in one transaction that first takes the user's role and claims with
 * transaction-local settings, exactly as PostgREST does, so RLS policies,
 * `auth.uid()` and the triggers see the user. Service-role work is explicit.
 */
import type { Transact } from '@wallai/categorize/service';
import postgres from 'postgres';
import type { Claims } from './auth.ts';

export type Tx = postgres.TransactionSql;

export interface Db {
  /** Runs fn in one transaction as the user the claims describe (role `authenticated`). */
  asUser<T>(claims: Claims, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs fn in one transaction as `service_role` (bypasses RLS): use sparingly and say why. */
  asService<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** Connections in the pool; an edge function instance needs few. Default 3. */
  readonly max?: number;
  /** Seconds an idle connection is kept. Default 20. */
  readonly idleTimeout?: number;
  /**
   * The function's name: every transaction sets `wallai.origin` to `function:<name>`,
   * so the activity log records that the change came through this edge function.
   */
  readonly origin?: string;
}

export function createDb(url: string, options: DbOptions = {}): Db {
  const origin = options.origin === undefined ? '' : `function:${options.origin}`;
  const sql = postgres(url, {
    max: options.max ?? 3,
    prepare: false,
    idle_timeout: options.idleTimeout ?? 20,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: 'wallai-edge-functions' },
  });

  async function run<T>(role: 'authenticated' | 'service_role', claims: Claims, fn: (tx: Tx) => Promise<T>): Promise<T> {
    const result = await sql.begin(async (tx) => {
      await tx`select set_config('role', ${role}, true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
                      set_config('wallai.origin', ${origin}, true)`;
      return fn(tx);
    });
    return result as T;
  }

  return {
    asUser(claims, fn) {
      if (claims.role !== 'authenticated' || typeof claims.sub !== 'string') {
        throw new Error('asUser needs the verified claims of an authenticated user');
      }
      return run('authenticated', claims, fn);
    },
    asService(fn) {
      return run('service_role', { role: 'service_role' }, fn);
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

/** The shared services' transaction runner (one transaction as the user per call), over this Db. */
export function transactAsUser(db: Db, claims: Claims): Transact {
  return (fn) => db.asUser(claims, (tx) => fn((text, params) => tx.unsafe(text, params as postgres.ParameterOrJSON<never>[]) as never));
}

/**
 * A transaction runner as the service role, for the few backend-only writes a
 * shared service needs (ai-chat appends its transcript through it): say why
 * wherever it is used.
 */
export function transactAsService(db: Db): Transact {
  return (fn) => db.asService((tx) => fn((text, params) => tx.unsafe(text, params as postgres.ParameterOrJSON<never>[]) as never));
}
