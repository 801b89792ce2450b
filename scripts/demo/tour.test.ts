/**
 * `npm run demo`'s tour, end to end on a stack of its own (PGlite in a temp
 * dir, or a fresh database on the server at DATABASE_URL): every step runs
 * through supabase-js and completes, including the receipt read back, the
 * expenses seen live and the activity feed checked against the space's rows.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { databaseUrlWithName, postgresClient } from '@wallai/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../dev/stack.ts';
import { signApiKey } from '../dev/local-keys.ts';
import { demoContext } from './supabase-steps.ts';
import { tourSteps } from './tour.ts';

let stack: Stack;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  const serverUrl = process.env.DATABASE_URL;
  const common = { functionsPort: 0, env: { ANTHROPIC_API_KEY: undefined }, gatewayLog: () => {} };
  if (serverUrl) {
    const name = `wallai_tour_${randomBytes(5).toString('hex')}`;
    const admin = postgresClient(serverUrl, { max: 1 });
    await admin.exec(`create database ${name}`);
    cleanups.push(async () => {
      await admin.exec(`drop database if exists ${name} with (force)`);
      await admin.close();
    });
    const storageDir = mkdtempSync(path.join(tmpdir(), 'wallai-tour-storage-'));
    cleanups.push(() => rmSync(storageDir, { recursive: true, force: true }));
    stack = await startStack({ ...common, databaseUrl: databaseUrlWithName(serverUrl, name), storageDir });
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), 'wallai-tour-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    stack = await startStack({ ...common, dbPort: 0, dataDir: path.join(dir, 'pglite'), fresh: true });
  }
  cleanups.push(() => stack.stop());
});

afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

describe('the npm run demo tour', () => {
  it('runs every step through supabase-js, and the activity feed holds every change it made', { timeout: 300_000 }, async () => {
    const headings: string[] = [];
    const lines: string[] = [];
    const ctx = demoContext({
      apiUrl: stack.apiUrl,
      anonKey: await signApiKey('anon'),
      heading: (title) => headings.push(title),
      say: (text) => lines.push(text),
    });
    for (const run of tourSteps(stack.databaseUrl)) await run(ctx);

    expect(headings).toEqual(
      expect.arrayContaining([
        'Alice keeps the receipt; everyone in the space can open it',
        'Alice watches the space live while Bob and Carol add expenses',
        'The activity feed: every change to the shared money, and who made it',
        'Everyone signs out',
      ]),
    );
    const text = lines.join('\n');
    expect(text).toMatch(/Carol downloaded it: \d+ bytes, application\/pdf, identical\./);
    expect(text).toMatch(/live → Bike repair[\s\S]*live → Cinema tickets/);
    expect(text).toMatch(/Checked against the space's rows: every one of its .*expenses/);
    expect(text).toContain('Alice Martin moved Renfe AVE Madrid-Lisboa from other to travel');
  });
});
