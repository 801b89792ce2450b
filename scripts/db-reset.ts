/**
 * npm run db:reset — (re)build the database at DATABASE_URL, or the embedded
 * one in .wallai/pglite: compatibility layer (not on Supabase), migrations with
 * the Supabase CLI, then supabase/seed.sql.
 */
import { embeddedDataDir, isSupabaseDatabase } from '@wallai/db-client';
import { DataDirLockedError, readLiveLock } from './dev/lock.ts';
import { buildDatabase, embeddedTarget, removeEmbeddedData, serverTarget, wipeServer } from './lib/targets.ts';

const log = (line: string) => console.log(`db:reset  ${line}`);

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const started = performance.now();
  if (url) {
    const target = serverTarget(url);
    try {
      log(`target ${target.label}`);
      if (await isSupabaseDatabase(target.client)) {
        throw new Error('this is a Supabase database; reset it with `supabase db reset --linked` instead');
      }
      await wipeServer(target.client);
      await buildDatabase(target, { seed: true, log });
    } finally {
      await target.close();
    }
  } else {
    // Deleting the data directory under a running `npm run dev` would corrupt it.
    const holder = readLiveLock(embeddedDataDir);
    if (holder) throw new DataDirLockedError(embeddedDataDir, holder);
    removeEmbeddedData();
    const target = await embeddedTarget({ dataDir: embeddedDataDir });
    try {
      log(`target ${target.label}`);
      await buildDatabase(target, { seed: true, log });
    } finally {
      await target.close();
    }
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(`db:reset failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
