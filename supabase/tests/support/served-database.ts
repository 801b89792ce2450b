import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, inject } from 'vitest';
import { databaseUrlWithName } from '../../../scripts/lib/database-url.ts';
import { serveEmbedded } from '../../../scripts/lib/embedded-server.ts';
import { openPglite, pgliteClient, postgresClient, type SqlClient } from '../../../scripts/lib/sql-client.ts';

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
    const pglite = await openPglite({ loadDataDir: new Blob([readFileSync(source.snapshotFile)]) });
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

  const name = `wallai_test_${randomBytes(6).toString('hex')}`;
  const admin = postgresClient(source.serverUrl, { max: 1 });
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.exec(`create database ${name} template ${source.templateName}`);
      break;
    } catch (error) {
      // Two files copying the template at the same instant collide (55006); retry briefly.
      if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
  const url = databaseUrlWithName(source.serverUrl, name);
  const db = postgresClient(url, { max: 4 });
  return {
    served: { db, url },
    async drop() {
      await db.close();
      await admin.exec(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}

/** beforeAll/afterAll giving the test file its own served database; call the result inside tests. */
export function useServedTestDatabase(): () => ServedTestDatabase {
  let current: { served: ServedTestDatabase; drop: () => Promise<void> } | undefined;
  beforeAll(async () => {
    current = await createServedTestDatabase();
  });
  afterAll(async () => {
    await current?.drop();
  });
  return () => {
    if (!current) throw new Error('useServedTestDatabase(): the database exists only inside tests and hooks');
    return current.served;
  };
}
