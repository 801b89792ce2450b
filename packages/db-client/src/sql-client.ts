import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import postgres from 'postgres';

export type Row = Record<string, unknown>;

/** What a statement can run on: a whole database or one open transaction. */
export interface Queryable {
  query<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a multi-statement script (simple query protocol). */
  exec(script: string): Promise<void>;
}

/**
 * One interface over the two local engines, so scripts and tests run the same
 * code on the embedded PGlite and on a real PostgreSQL server.
 * Values come back alike on both: numeric as exact strings, bigint as numbers,
 * timestamps as Date, json as objects.
 */
export interface SqlClient extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** LISTEN on a channel (a dedicated connection on PostgreSQL); resolves to a function that stops listening. */
  listen?(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export const PGLITE_EXTENSIONS = { pg_trgm, pgcrypto };

const PGLITE_PARSERS = {
  [types.NUMERIC]: (value: string) => value,
  [types.INT8]: (value: string) => Number(value),
};

export async function openPglite(options: { dataDir?: string; loadDataDir?: Blob | File } = {}): Promise<PGlite> {
  return PGlite.create({ ...options, extensions: PGLITE_EXTENSIONS, parsers: PGLITE_PARSERS });
}

export function pgliteClient(db: PGlite, { closeWith = true } = {}): SqlClient {
  const wrap = (q: PGlite | Transaction): Queryable => ({
    async query<T extends Row>(text: string, params: readonly unknown[] = []) {
      const result = await q.query<T>(text, params as unknown[]);
      return result.rows;
    },
    async exec(script: string) {
      await q.exec(script);
    },
  });
  return {
    kind: 'pglite',
    ...wrap(db),
    transaction(fn) {
      return db.transaction((tx) => fn(wrap(tx)));
    },
    async listen(channel, onNotify) {
      const stop = await db.listen(channel, (payload) => onNotify(payload));
      return async () => {
        if (!db.closed) await stop();
      };
    },
    async close() {
      if (closeWith && !db.closed) await db.close();
    },
  };
}

export function postgresClient(url: string, options: { max?: number } = {}): SqlClient {
  const sql = postgres(url, {
    max: options.max ?? 4,
    prepare: false,
    onnotice: () => {},
    types: {
      bigint: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) },
      numeric: { to: 1700, from: [1700], serialize: (v: string) => String(v), parse: (v: string) => v },
    },
  });
  const wrap = (q: postgres.Sql | postgres.TransactionSql): Queryable => ({
    async query<T extends Row>(text: string, params: readonly unknown[] = []) {
      const rows = await q.unsafe(text, params as postgres.ParameterOrJSON<never>[]);
      return rows as unknown as T[];
    },
    async exec(script: string) {
      await q.unsafe(script);
    },
  });
  return {
    kind: 'postgres',
    ...wrap(sql),
    async transaction(fn) {
      return (await sql.begin((tx) => fn(wrap(tx)))) as Awaited<ReturnType<typeof fn>>;
    },
    async listen(channel, onNotify) {
      const { unlisten } = await sql.listen(channel, (payload) => onNotify(payload));
      return unlisten;
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

/** Runs one statement in an open transaction; what the shared services take. */
export type QueryFn = <T extends Row = Row>(text: string, params: readonly unknown[]) => Promise<T[]>;

/**
 * A transaction runner that acts as `claims.role` with these claims, the way
 * PostgREST does (transaction-local `role` and `request.jwt.claims`), so RLS
 * applies to a user and the service role's bypass is explicit. What the shared
 * services (categorization, import, insights) take from scripts. `origin`
 * (`function:<name>` or `import:<id>`) is the path the activity log records.
 */
export function transactionsAs(
  client: SqlClient,
  claims: { readonly role: 'service_role' | 'authenticated'; readonly [claim: string]: unknown },
  options: { readonly origin?: string } = {},
): <T>(fn: (query: QueryFn) => Promise<T>) => Promise<T> {
  return (fn) =>
    client.transaction(async (tx) => {
      await tx.query(
        `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true), set_config('wallai.origin', $3, true)`,
        [claims.role, JSON.stringify(claims), options.origin ?? ''],
      );
      return fn((text, params) => tx.query(text, params));
    });
}
