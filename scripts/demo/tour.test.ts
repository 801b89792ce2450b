/**
 * `npm run demo`'s tour, end to end on a stack of its own (PGlite in a temp
 * dir, or a fresh database on the server at DATABASE_URL): every step runs
 * through supabase-js and completes, including the receipt read back, the
 * expenses seen live and the activity feed checked against the space's rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../dev/stack.ts';
import { startThrowawayStack } from '../dev/throwaway-stack.ts';
import { signApiKey } from '../dev/local-keys.ts';
import { demoContext } from './supabase-steps.ts';
import { tourSteps } from './tour.ts';

let stack: Stack;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  const started = await startThrowawayStack({ env: { ANTHROPIC_API_KEY: undefined }, gatewayLog: () => {} });
  stack = started.stack;
  cleanups.push(started.stop);
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
