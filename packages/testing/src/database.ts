import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { databaseUrlWithName, openPglite, pgliteClient, postgresClient, type SqlClient } from '@wallai/db-client';
import { afterAll, beforeAll, inject } from 'vitest';
import type { TestDatabaseSource } from './global-setup.ts';

export interface TestDatabase extends SqlClient {
  /** Opens another connection pool to the same database (PostgreSQL only), for concurrency tests. */
  connectAgain(options?: { max?: number }): SqlClient;
}

/** The migrated PGlite snapshot of this run, opened as a database of its own. */
export async function openSnapshot(source: Extract<TestDatabaseSource, { kind: 'pglite' }>): Promise<PGlite> {
  return openPglite({ loadDataDir: new Blob([readFileSync(source.snapshotFile)]) });
}

/**
 * A fresh copy of the migrated template on the server: its URL, and how to
 * drop it again (which also closes the admin connection it was made with).
 */
export async function copyTemplate(
  source: Extract<TestDatabaseSource, { kind: 'postgres' }>,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `wallai_test_${randomBytes(6).toString('hex')}`;
  const admin = postgresClient(source.serverUrl, { max: 1 });
  // Two files copying the template at the same instant can collide (55006); retry briefly.
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.exec(`create database ${name} template ${source.templateName}`);
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt >= 20) {
        await admin.close();
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
  return {
    url: databaseUrlWithName(source.serverUrl, name),
    async drop() {
      await admin.exec(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}

/** A fresh, migrated database of its own for the calling test file. */
export async function createTestDatabase(): Promise<{ db: TestDatabase; drop: () => Promise<void> }> {
  const source = inject('testDatabase');
  if (source.kind === 'pglite') {
    const client = pgliteClient(await openSnapshot(source));
    const db: TestDatabase = {
      ...client,
      connectAgain() {
        throw new Error('PGlite has a single connection; this test needs DATABASE_URL');
      },
    };
    return { db, drop: () => client.close() };
  }

  const copy = await copyTemplate(source);
  const client = postgresClient(copy.url, { max: 8 });
  const extra: SqlClient[] = [];
  const db: TestDatabase = {
    ...client,
    connectAgain(options) {
      const another = postgresClient(copy.url, options);
      extra.push(another);
      return another;
    },
  };
  return {
    db,
    async drop() {
      await Promise.all([client, ...extra].map((c) => c.close()));
      await copy.drop();
    },
  };
}

/**
 * Registers beforeAll/afterAll that create something for the whole test file
 * and drop it afterwards; the returned getter works inside tests and hooks.
 */
export function perTestFile<T>(name: string, create: () => Promise<{ value: T; drop: () => Promise<void> }>): () => T {
  let current: { value: T; drop: () => Promise<void> } | undefined;
  beforeAll(async () => {
    current = await create();
  });
  afterAll(async () => {
    await current?.drop();
  });
  return () => {
    if (!current) throw new Error(`${name}: the database exists only inside tests and hooks`);
    return current.value;
  };
}

/**
 * Gives the test file its own database.
 * Usage: `const db = useTestDatabase();` then `db()` inside tests.
 */
export function useTestDatabase(): () => TestDatabase {
  return perTestFile('useTestDatabase()', async () => {
    const { db, drop } = await createTestDatabase();
    return { value: db, drop };
  });
}

export const onRealServer = (): boolean => inject('testDatabase').kind === 'postgres';
