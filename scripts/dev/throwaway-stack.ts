/**
 * For end-to-end tests: the local stack on a database of its own, on free
 * ports. With DATABASE_URL, a fresh database created on that server (dropped
 * afterwards) and Storage's bytes in a temporary folder; otherwise a fresh
 * PGlite in a temporary folder. `stop` undoes all of it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { databaseUrlWithName, postgresClient } from '@wallai/db-client';
import { startStack, type Stack, type StackOptions } from './stack.ts';

export async function startThrowawayStack(
  options: Omit<StackOptions, 'databaseUrl' | 'dataDir' | 'storageDir' | 'fresh' | 'dbPort'> = {},
): Promise<{ stack: Stack; stop: () => Promise<void> }> {
  const undo: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const fn of undo.splice(0).reverse()) await fn();
  };
  const serverUrl = process.env.DATABASE_URL;
  const dir = mkdtempSync(path.join(tmpdir(), 'wallai-stack-'));
  undo.push(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const common = { functionsPort: 0, ...options };
    let stack: Stack;
    if (serverUrl) {
      const name = `wallai_stack_${randomBytes(5).toString('hex')}`;
      const admin = postgresClient(serverUrl, { max: 1 });
      await admin.exec(`create database ${name}`);
      undo.push(async () => {
        await admin.exec(`drop database if exists ${name} with (force)`);
        await admin.close();
      });
      stack = await startStack({ ...common, databaseUrl: databaseUrlWithName(serverUrl, name), storageDir: path.join(dir, 'storage') });
    } else {
      stack = await startStack({ ...common, dbPort: 0, dataDir: path.join(dir, 'pglite'), fresh: true });
    }
    undo.push(() => stack.stop());
    return { stack, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
