/**
 * `npm run categorize -- --space <id>`: the history step against a real
 * database (the test harness's freshly migrated one, PGlite or PostgreSQL).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createExpense, createSpace, inMemoryCli, noFiles, useTestDatabase, type CapturedRun } from '@wallai/testing';
import { describe, expect, it } from 'vitest';
import { openHistoryDatabase, runCategorizeCli } from '../categorize.ts';
import { CliDatabaseError } from '../lib/cli-database.ts';
import { lockFileFor } from './lock.ts';

const runCategorizeCaptured = inMemoryCli(runCategorizeCli, { readFile: noFiles });

const db = useTestDatabase();

// The harness owns the connection: the CLI must not close it.
const run = (argv: string[], input: string): Promise<CapturedRun> =>
  runCategorizeCaptured(argv, input, {
    io: { openDatabase: async () => ({ client: db(), label: 'the test database', close: async () => {} }) },
  });

const lines = (...descriptions: string[]) => descriptions.map((description) => JSON.stringify({ description, amount: 10 })).join('\n');
const parse = (stdout: string) =>
  stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('npm run categorize -- --space', () => {
  it("files an unknown merchant like the space's own similar expenses, and only that space's", async () => {
    const space = await createSpace(db(), { currency: 'EUR' });
    const elsewhere = await createSpace(db(), { currency: 'EUR' });
    // A person filed the co-op under groceries, twice.
    await createExpense(db(), space, { amount: '23.10', description: 'COOPERATIVA EL HUERTO 0012', category: 'groceries' });
    await createExpense(db(), space, { amount: '18.75', description: 'COOPERATIVA EL HUERTO 0031', category: 'groceries' });
    // Not evidence: nobody chose its category (it is still the default).
    await createExpense(db(), space, { amount: '5.00', description: 'Kiosko Los Amigos', category: 'other' });
    // Another space's opinion does not count.
    await createExpense(db(), elsewhere, { amount: '9.00', description: 'Kiosko Los Amigos 2', category: 'dining' });
    await createExpense(db(), elsewhere, { amount: '9.00', description: 'Kiosko Los Amigos 3', category: 'dining' });

    const input = lines('COOPERATIVA EL HUERTO 0047', 'NETFLIX.COM', 'Kiosko Los Amigos');
    const withHistory = await run(['--space', space.id], input);
    expect(withHistory).toMatchObject({ code: 0, stderr: '' });
    const [coop, netflix, kiosk] = parse(withHistory.stdout);
    expect(coop).toMatchObject({ category: 'groceries', source: 'history' });
    expect(coop?.confidence).toBeGreaterThanOrEqual(0.6);
    expect(netflix).toEqual({ category: 'subscriptions', confidence: 0.95, source: 'rules' });
    expect(kiosk).toEqual({ category: 'other', confidence: 0.1, source: 'rules' });

    // Without --space the rules alone do not know the co-op.
    const offline = await run([], input);
    expect(parse(offline.stdout)[0]).toEqual({ category: 'other', confidence: 0.1, source: 'rules' });
  });

  it('an unknown space or a malformed id is an error, and nothing is printed', async () => {
    const unknown = await run(['--space=00000000-0000-4000-8000-000000000000'], lines('NETFLIX.COM'));
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/no space 00000000-0000-4000-8000-000000000000/);

    const malformed = await run(['--space', 'household'], lines('NETFLIX.COM'));
    expect(malformed).toMatchObject({ code: 2, stdout: '' });
    expect(malformed.stderr).toMatch(/--space needs a space id/);
  });
});

describe('the database --space reads', () => {
  it('without DATABASE_URL and without an embedded database, says how to get one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wallai-categorize-'));
    try {
      await expect(openHistoryDatabase({}, path.join(dir, 'pglite'))).rejects.toThrow(CliDatabaseError);
      await expect(openHistoryDatabase({}, path.join(dir, 'pglite'))).rejects.toThrow(/npm run db:reset.*DATABASE_URL/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when a running npm run dev holds the embedded database, points at its server', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wallai-categorize-'));
    const dataDir = path.join(dir, 'pglite');
    try {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(path.join(dataDir, 'PG_VERSION'), '18\n');
      const url = 'postgresql://postgres:postgres@127.0.0.1:54322/postgres';
      // Our parent process is alive: it stands for the dev stack holding the lock.
      writeFileSync(lockFileFor(dataDir), JSON.stringify({ pid: process.ppid, databaseUrl: url, startedAt: new Date().toISOString() }));
      const opening = openHistoryDatabase({}, dataDir);
      await expect(opening).rejects.toThrow(CliDatabaseError);
      await expect(openHistoryDatabase({}, dataDir)).rejects.toThrow(`DATABASE_URL=${url} npm run categorize`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
