import { pgliteClient, postgresClient, serveEmbedded, type SqlClient } from '@wallai/db-client';
import { inject } from 'vitest';
import { copyTemplate, openSnapshot, perTestFile } from './database.ts';

/**
 * A fresh, migrated test database that is also reachable by URL, for code
 * under test that opens its own connections (edge functions use postgres.js).
 * On PGlite the file's database is served over the wire protocol on loopback;
 * with DATABASE_URL it is a per-file copy of the migrated template.
 */
export interface ServedTestDatabase {
  /** For fixtures and assertions (the harness's client, as in useTestDatabase()). */
  readonly db: SqlClient;
  /** postgres:// URL of the same database. */
  readonly url: string;
}

export async function createServedTestDatabase(): Promise<{ served: ServedTestDatabase; drop: () => Promise<void> }> {
  const source = inject('testDatabase');
  if (source.kind === 'pglite') {
    const pglite = await openSnapshot(source);
    const server = await serveEmbedded(pglite);
    const db = pgliteClient(pglite);
    return {
      served: { db, url: server.url },
      async drop() {
        await server.stop();
        await db.close();
      },
    };
  }

  const copy = await copyTemplate(source);
  const db = postgresClient(copy.url, { max: 4 });
  return {
    served: { db, url: copy.url },
    async drop() {
      await db.close();
      await copy.drop();
    },
  };
}

/** Gives the test file its own served database; call the result inside tests. */
export function useServedTestDatabase(): () => ServedTestDatabase {
  return perTestFile('useServedTestDatabase()', async () => {
    const { served, drop } = await createServedTestDatabase();
    return { value: served, drop };
  });
}
