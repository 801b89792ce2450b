import { rmSync } from 'node:fs';
import {
  embeddedDataDir,
  isSupabaseDatabase,
  openPglite,
  pgliteClient,
  postgresClient,
  readCompatLayer,
  readSeed,
  redactDatabaseUrl,
  serveEmbedded,
  type SqlClient,
} from '@wallai/db-client';
import { runSupabaseOrFail } from './supabase-cli.ts';

export interface DatabaseTarget {
  /** What to print: never contains a password. */
  readonly label: string;
  /** A postgres:// URL the Supabase CLI and other processes can reach. */
  readonly url: string;
  readonly client: SqlClient;
  /** LISTEN on a channel, hearing the NOTIFYs every client of the database commits. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** The server named by DATABASE_URL. */
export function serverTarget(url: string): DatabaseTarget {
  const client = postgresClient(url, { max: 1 });
  return { label: redactDatabaseUrl(url), url, client, listen: client.listen!.bind(client), close: () => client.close() };
}

/**
 * An embedded PGlite served on loopback: persisted in dataDir, or in memory
 * when dataDir is undefined (a throwaway database built from the migrations).
 */
export async function embeddedTarget(options: { dataDir?: string; port?: number } = {}): Promise<DatabaseTarget> {
  const pglite = await openPglite(options.dataDir ? { dataDir: options.dataDir } : {});
  const server = await serveEmbedded(pglite, options.port ? { port: options.port } : {});
  const client = pgliteClient(pglite);
  return {
    label: options.dataDir ? `embedded PGlite (${options.dataDir})` : 'embedded PGlite (in memory)',
    url: server.url,
    client,
    // Its socket's clients' NOTIFYs too, which PGlite's own listen never hears.
    listen: (channel, onNotify) => server.listen(channel, onNotify),
    async close() {
      await server.stop();
      await client.close();
    },
  };
}

/** Drops what a previous build created on a plain PostgreSQL server, so the next build starts clean. */
export async function wipeServer(client: SqlClient): Promise<void> {
  await client.exec(`
    drop publication if exists supabase_realtime;
    drop schema if exists public, private, auth, storage, extensions, supabase_migrations cascade;
    create schema public;
  `);
}

/**
 * Builds the schema the way a Supabase user does: compatibility layer where the
 * target is not Supabase, migrations with `supabase db push`, then seed.sql.
 */
export async function buildDatabase(target: DatabaseTarget, options: { seed: boolean; log?: (line: string) => void }): Promise<void> {
  const log = options.log ?? (() => {});
  if (await isSupabaseDatabase(target.client)) {
    log('Supabase database: compatibility layer not needed');
  } else {
    log('applying the local Supabase compatibility layer (supabase/local/compat.sql)');
    await target.client.exec(readCompatLayer());
  }
  log('applying migrations with the Supabase CLI (supabase db push)');
  await runSupabaseOrFail(['db', 'push', `--remote=${target.url}`, '--yes', '--include-all']);
  if (options.seed) {
    const seed = readSeed();
    if (seed) {
      log('loading supabase/seed.sql');
      await target.client.exec(seed);
    }
  }
}

/** DATABASE_URL when set, otherwise a fresh in-memory embedded database built from the migrations. */
export async function freshSchemaTarget(log: (line: string) => void): Promise<DatabaseTarget> {
  const url = process.env.DATABASE_URL;
  if (url) return serverTarget(url);
  const target = await embeddedTarget();
  await buildDatabase(target, { seed: false, log });
  return target;
}

export function removeEmbeddedData(): void {
  rmSync(embeddedDataDir, { recursive: true, force: true });
}
