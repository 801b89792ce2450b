import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  applySchemaDirectly,
  databaseUrlWithName,
  localStateDir,
  openPglite,
  pgliteClient,
  postgresClient,
  schemaFingerprint,
} from '@wallai/db-client';
import type { TestProject } from 'vitest/node';

export type TestDatabaseSource = { kind: 'pglite'; snapshotFile: string } | { kind: 'postgres'; serverUrl: string; templateName: string };

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: TestDatabaseSource;
  }
}

/**
 * Migrates one database per run and hands it to every test file as a template:
 * a PGlite data-dir snapshot (cached by schema fingerprint), or, with
 * DATABASE_URL, a template database on that server that each file copies.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const templateName = `wallai_test_template_${randomBytes(4).toString('hex')}`;
    const admin = postgresClient(serverUrl, { max: 1 });
    await admin.exec(`create database ${templateName}`);
    const template = postgresClient(databaseUrlWithName(serverUrl, templateName), { max: 1 });
    try {
      await applySchemaDirectly(template);
    } finally {
      await template.close();
    }
    project.provide('testDatabase', { kind: 'postgres', serverUrl, templateName });
    return async () => {
      await admin.exec(`drop database if exists ${templateName} with (force)`);
      await admin.close();
    };
  }

  const cacheDir = path.join(localStateDir, 'cache');
  const snapshotFile = path.join(cacheDir, `test-snapshot-${schemaFingerprint()}.tar`);
  if (!existsSync(snapshotFile)) {
    mkdirSync(cacheDir, { recursive: true });
    const pglite = await openPglite();
    await applySchemaDirectly(pgliteClient(pglite, { closeWith: false }));
    const dump = await pglite.dumpDataDir('none');
    await pglite.close();
    const tmp = `${snapshotFile}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    // Rename is atomic, so a concurrent run never reads half a snapshot.
    renameSync(tmp, snapshotFile);
  }
  project.provide('testDatabase', { kind: 'pglite', snapshotFile });
  return async () => {};
}
