import { randomBytes } from 'node:crypto';
import {
  applySchemaDirectly,
  databaseUrlWithName,
  openPglite,
  pgliteClient,
  postgresClient,
  redactDatabaseUrl,
  type SqlClient,
} from '@wallai/db-client';

/** A freshly migrated database the benchmark owns. */
export interface BenchTarget {
  readonly kind: 'pglite' | 'postgres';
  /** Safe to print: no password. */
  readonly label: string;
  readonly db: SqlClient;
  /** postgres:// URL of the database (PostgreSQL only; password included). */
  readonly url: string | null;
  /** Another connection to the same database (PostgreSQL only; PGlite has one connection). */
  readonly connect: (() => SqlClient) | null;
  /** Drops the database (unless kept) and closes every connection. */
  close(): Promise<void>;
}

/**
 * Embedded in-memory PGlite without a server URL; with one, a new database
 * `wallai_bench_<random>` on that server, dropped on close unless `keep`.
 * Either way the schema is applied with applySchemaDirectly.
 */
export async function openBenchTarget(options: {
  serverUrl?: string | undefined;
  keep?: boolean;
  /** An existing database on that server (kept by an earlier run): used as it is, never dropped. */
  reuse?: string | null;
  log?: (line: string) => void;
}): Promise<BenchTarget> {
  const log = options.log ?? (() => {});
  if (options.reuse) {
    if (!options.serverUrl) throw new Error('--reuse needs DATABASE_URL (the server the kept database is on)');
    if (!/^[a-z_][a-z0-9_]*$/.test(options.reuse)) throw new Error(`--reuse: not a database name: ${options.reuse}`);
    const url = databaseUrlWithName(options.serverUrl, options.reuse);
    const db = postgresClient(url, { max: 1 });
    return {
      kind: 'postgres',
      label: redactDatabaseUrl(url),
      db,
      url,
      connect: () => postgresClient(url, { max: 1 }),
      close: () => db.close(),
    };
  }
  if (!options.serverUrl) {
    const db = pgliteClient(await openPglite());
    await applySchemaDirectly(db);
    return { kind: 'pglite', label: 'embedded PGlite (in memory)', db, url: null, connect: null, close: () => db.close() };
  }
  const serverUrl = options.serverUrl;
  const name = `wallai_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgresClient(serverUrl, { max: 1 });
  await admin.exec(`create database ${name}`);
  const url = databaseUrlWithName(serverUrl, name);
  const db = postgresClient(url, { max: 1 });
  try {
    await applySchemaDirectly(db);
  } catch (error) {
    await db.close();
    await admin.exec(`drop database if exists ${name} with (force)`);
    await admin.close();
    throw error;
  }
  return {
    kind: 'postgres',
    label: redactDatabaseUrl(url),
    db,
    url,
    connect: () => postgresClient(url, { max: 1 }),
    async close() {
      await db.close();
      if (options.keep) {
        log(`kept database ${name} (${redactDatabaseUrl(url)})`);
      } else {
        await admin.exec(`drop database if exists ${name} with (force)`);
      }
      await admin.close();
    },
  };
}
