/**
 * The database restarting under `npm run dev`: what was committed is all
 * there, what was not is all gone, totals equal a recomputation, and the
 * functions serve again.
 *
 * - Embedded (PGlite): the whole dev stack runs in a process of its own; it is
 *   killed with SIGKILL (no shutdown of any kind) while a transaction is open,
 *   and started again on the same data directory.
 * - PostgreSQL: a throwaway cluster of its own (pg_createcluster, so the
 *   shared test server is never touched) is restarted in immediate mode (a
 *   crash: no checkpoint, WAL recovery) under a running stack; the same
 *   functions gateway answers 503 `database_unavailable` while it is down and
 *   200 after, without a restart of its own. Needs root and the Debian
 *   PostgreSQL tools (as CI has).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, postgresClient, repoRoot, type SqlClient } from '@wallai/db-client';
import { totalsDrift } from '@wallai/testing';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DEMO_SPACES, DEMO_USERS } from './local-keys.ts';
import { startStack, type Stack } from './stack.ts';

const source = inject('testDatabase');
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch {
      // best effort: the rest still runs
    }
  }
});

interface Running {
  readonly functionsUrl: string;
  readonly databaseUrl: string;
  readonly tokens: Record<string, string>;
}

const BOB = DEMO_USERS.bob;
const HOUSEHOLD = DEMO_SPACES.household.id;
const asBob = `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', '{"sub":"${BOB.id}","role":"authenticated"}', true)`;

/** Work that commits: expenses Bob adds as himself, in a month with a budget, so totals move. */
async function commitExpenses(url: string, tag: string): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await sql.begin(async (tx) => {
      await tx.unsafe(asBob);
      const rows = await tx.unsafe<{ id: string }[]>(
        `insert into public.expenses (space_id, amount, description, date)
         select $1, 10 + g, $2 || ' ' || g, (select min(month_period) from public.budgets where space_id = $1) + 3
           from generate_series(1, 3) g returning id`,
        [HOUSEHOLD, `Committed ${tag}`],
      );
      return rows.map((r) => r.id);
    });
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Work that never commits: a transaction left open on its own connection. Returns its client. */
async function openUncommitted(url: string, tag: string): Promise<postgres.Sql> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: 'uncommitted' } });
  const reserved = await sql.reserve();
  await reserved.unsafe('begin');
  await reserved.unsafe(asBob);
  await reserved.unsafe(
    `insert into public.expenses (space_id, amount, description, date)
     values ($1, 999, $2, (select min(month_period) from public.budgets where space_id = $1) + 4)`,
    [HOUSEHOLD, `Uncommitted ${tag}`],
  );
  await reserved.unsafe(`update public.budgets set total_income = total_income + 1 where space_id = $1`, [HOUSEHOLD]);
  return sql;
}

async function categorize(running: Running, expenseId: string): Promise<Response> {
  return fetch(`${running.functionsUrl}/categorize-expense`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${running.tokens.bob}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ expense_id: expenseId }),
  });
}

/** What must hold after the restart. */
async function expectRecovered(db: SqlClient, tag: string, committed: string[], categorized: string) {
  const rows = await db.query<{ id: string; description: string; category: string; category_source: string | null }>(
    `select id, description, category, category_source from public.expenses where description like $1 order by description`,
    [`Committed ${tag} %`],
  );
  expect(rows.map((r) => r.description)).toEqual([`Committed ${tag} 1`, `Committed ${tag} 2`, `Committed ${tag} 3`]);
  expect(rows.map((r) => r.id).sort()).toEqual([...committed].sort());
  // The category the function wrote before the restart is there.
  expect(rows.find((r) => r.id === categorized)?.category_source).not.toBeNull();
  expect(await db.query(`select 1 from public.expenses where description = $1`, [`Uncommitted ${tag}`])).toEqual([]);
  expect(await totalsDrift(db)).toEqual([]);
}

// --- embedded: the dev stack killed with SIGKILL ------------------------------------------------

function startChild(options: Record<string, unknown>): Promise<{ child: ChildProcess; running: Running }> {
  const env = { ...process.env };
  delete env.ANTHROPIC_API_KEY;
  delete env.DATABASE_URL;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'scripts', 'dev', 'stack-child.ts'), JSON.stringify(options)],
    {
      cwd: repoRoot,
      env,
      // Its own process group: SIGKILL to the group takes the functions gateway with it.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const errors: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve({ child, running: JSON.parse(line) as Running }));
    child.once('exit', (code, signal) =>
      reject(new Error(`the stack exited (${code ?? signal}) before it was up: ${errors.join('').slice(-2000)}`)),
    );
  });
}

function killGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    process.kill(-child.pid!, 'SIGKILL');
  });
}

describe.runIf(source.kind === 'pglite')('the embedded database under npm run dev, killed with SIGKILL', () => {
  it('keeps all committed work, none of the uncommitted, exact totals, and serves again after a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wallai-restart-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const options = { dataDir: path.join(dir, 'pglite'), dbPort: 0, functionsPort: 0, fresh: false };
    const first = await startChild(options);
    cleanups.push(() => killGroup(first.child));

    const committed = await commitExpenses(first.running.databaseUrl, 'embedded');
    const categorized = await categorize(first.running, committed[0]!);
    expect(categorized.status, await categorized.clone().text()).toBe(200);
    const open = await openUncommitted(first.running.databaseUrl, 'embedded');
    open.end({ timeout: 0 }).catch(() => {});

    await killGroup(first.child);
    expect(first.child.signalCode).toBe('SIGKILL');

    const second = await startChild(options);
    cleanups.push(() => killGroup(second.child));
    const db = postgresClient(second.running.databaseUrl, { max: 1 });
    cleanups.push(() => db.close());
    await expectRecovered(db, 'embedded', committed, committed[0]!);
    const again = await categorize(second.running, committed[1]!);
    expect(again.status, await again.clone().text()).toBe(200);
  }, 600_000);
});

// --- PostgreSQL: a cluster of its own, restarted in immediate mode -------------------------------

const canManageClusters =
  source.kind === 'postgres' &&
  process.getuid?.() === 0 &&
  spawnSync('sh', ['-c', 'command -v pg_createcluster'], { stdio: 'ignore' }).status === 0;

function run(command: string, args: string[]): void {
  const done = spawnSync(command, args, { encoding: 'utf8' });
  if (done.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${done.stderr || done.stdout}`);
}

describe.runIf(source.kind === 'postgres')('PostgreSQL restarting under npm run dev', () => {
  it.runIf(canManageClusters)(
    'the same functions answer 503 while it is down and 200 after; committed work stays, uncommitted is gone, totals exact',
    async () => {
      const name = `wallai_restart_${randomBytes(3).toString('hex')}`;
      const port = await freePort();
      run('pg_createcluster', ['15', name, '-p', String(port), '--start']);
      cleanups.push(() => run('pg_dropcluster', ['--stop', '15', name]));
      run('runuser', ['-u', 'postgres', '--', 'psql', '-p', String(port), '-qc', `alter user postgres password 'postgres'`]);
      const url = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
      const stack: Stack = await startStack({
        databaseUrl: url,
        functionsPort: 0,
        env: { ANTHROPIC_API_KEY: undefined },
        gatewayLog: () => {},
      });
      cleanups.push(() => stack.stop());
      const running: Running = { functionsUrl: stack.functionsUrl, databaseUrl: stack.databaseUrl, tokens: stack.tokens };

      const committed = await commitExpenses(url, 'server');
      const first = await categorize(running, committed[0]!);
      expect(first.status, await first.clone().text()).toBe(200);
      const open = await openUncommitted(url, 'server');
      open.end({ timeout: 0 }).catch(() => {});

      run('pg_ctlcluster', ['15', name, 'stop', '-m', 'immediate']);
      const down = await categorize(running, committed[1]!);
      expect(down.status).toBe(503);
      expect(((await down.json()) as { error: { code: string } }).error.code).toBe('database_unavailable');
      expect(down.headers.get('retry-after')).toBe('1');
      run('pg_ctlcluster', ['15', name, 'start']);

      // The same gateway recovers on its own: its next requests are served.
      let status = 0;
      for (let attempt = 0; attempt < 30 && status !== 200; attempt++) {
        const res = await categorize(running, committed[1]!);
        status = res.status;
        await res.body?.cancel();
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(status).toBe(200);

      const db = postgresClient(url, { max: 1 });
      cleanups.push(() => db.close());
      await expectRecovered(db, 'server', committed, committed[0]!);
    },
    600_000,
  );
});
