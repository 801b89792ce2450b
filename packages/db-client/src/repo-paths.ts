import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where this repository keeps what the local databases are built from, and their state. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const supabaseDir = path.join(repoRoot, 'supabase');
export const migrationsDir = path.join(supabaseDir, 'migrations');
export const compatLayerFile = path.join(supabaseDir, 'local', 'compat.sql');
export const seedFile = path.join(supabaseDir, 'seed.sql');
/** Git-ignored home of the embedded database and caches. */
export const localStateDir = path.join(repoRoot, '.wallai');
export const embeddedDataDir = path.join(localStateDir, 'pglite');
