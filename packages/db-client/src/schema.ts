import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compatLayerFile, migrationsDir, seedFile } from './repo-paths.ts';
import type { SqlClient } from './sql-client.ts';

export interface Migration {
  readonly version: string;
  readonly name: string;
  readonly file: string;
  readonly sql: string;
}

/** The migrations in the order the Supabase CLI applies them: by version prefix. */
export function readMigrations(): Migration[] {
  return readdirSync(migrationsDir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const [, version = '', name = ''] = /^(\d+)_(.+)\.sql$/.exec(file) ?? [];
      return { version, name, file, sql: readFileSync(path.join(migrationsDir, file), 'utf8') };
    });
}

export function readCompatLayer(): string {
  return readFileSync(compatLayerFile, 'utf8');
}

export function readSeed(): string | null {
  return existsSync(seedFile) ? readFileSync(seedFile, 'utf8') : null;
}

/** Changes whenever the compatibility layer or a migration changes: keys cached snapshots. */
export function schemaFingerprint(): string {
  const hash = createHash('sha256').update(readCompatLayer());
  for (const m of readMigrations()) hash.update(m.file).update(m.sql);
  return hash.digest('hex').slice(0, 16);
}

/** True on hosted Supabase (or `supabase start`), where the compatibility layer must never run. */
export async function isSupabaseDatabase(db: SqlClient): Promise<boolean> {
  const rows = await db.query<{ supabase: boolean }>(`select exists (select 1 from pg_roles where rolname = 'supabase_admin') as supabase`);
  return rows[0]?.supabase === true;
}

/**
 * Applies compat layer and migrations directly, each migration in its own
 * transaction. The test harness uses this for speed; `npm run db:reset` applies
 * migrations with the Supabase CLI, and CI runs both on the same files.
 */
export async function applySchemaDirectly(db: SqlClient): Promise<void> {
  await db.exec(readCompatLayer());
  for (const migration of readMigrations()) {
    try {
      await db.transaction((tx) => tx.exec(migration.sql));
    } catch (error) {
      throw new Error(`migration ${migration.file} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}
