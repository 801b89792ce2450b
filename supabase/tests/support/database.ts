import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, inject } from 'vitest';
import { databaseUrlWithName } from '../../../scripts/lib/database-url.ts';
import { openPglite, pgliteClient, postgresClient, type SqlClient } from '../../../scripts/lib/sql-client.ts';

export interface TestDatabase extends SqlClient {
  /** Opens another connection pool to the same database (PostgreSQL only), for concurrency tests. */
  connectAgain(options?: { max?: number }): SqlClient;
}

/** A fresh, migrated database of its own for the calling test file. */
export async function createTestDatabase(): Promise<{ db: TestDatabase; drop: () => Promise<void> }> {
  const source = inject('testDatabase');
  if (source.kind === 'pglite') {
    const snapshot = new Blob([readFileSync(source.snapshotFile)]);
    const client = pgliteClient(await openPglite({ loadDataDir: snapshot }));
    const db: TestDatabase = {
      ...client,
      connectAgain() {
        throw new Error('PGlite has a single connection; this test needs DATABASE_URL');
      },
    };
    return { db, drop: () => client.close() };
  }

  const name = `wallai_test_${randomBytes(6).toString('hex')}`;
  const admin = postgresClient(source.serverUrl, { max: 1 });
  await createDatabaseFromTemplate(admin, name, source.templateName);
  const url = databaseUrlWithName(source.serverUrl, name);
  const client = postgresClient(url, { max: 8 });
  const extra: SqlClient[] = [];
  const db: TestDatabase = {
    ...client,
    connectAgain(options) {
      const another = postgresClient(url, options);
      extra.push(another);
      return another;
    },
  };
  return {
    db,
    async drop() {
      await Promise.all([client, ...extra].map((c) => c.close()));
      await admin.exec(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}

async function createDatabaseFromTemplate(admin: SqlClient, name: string, template: string): Promise<void> {
  // Two files copying the template at the same instant can collide (55006); retry briefly.
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.exec(`create database ${name} template ${template}`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/**
 * Registers beforeAll/afterAll that give the test file its own database.
 * Usage: `const db = useTestDatabase();` then `db()` inside tests.
 */
export function useTestDatabase(): () => TestDatabase {
  let current: { db: TestDatabase; drop: () => Promise<void> } | undefined;
  beforeAll(async () => {
    current = await createTestDatabase();
  });
  afterAll(async () => {
    await current?.drop();
  });
  return () => {
    if (!current) throw new Error('useTestDatabase(): the database exists only inside tests and hooks');
    return current.db;
  };
}

export const onRealServer = (): boolean => inject('testDatabase').kind === 'postgres';
