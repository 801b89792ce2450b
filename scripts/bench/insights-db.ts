/**
 * (g) The insights service on the database: load → engine → write through
 * `@wallai/insights-service` exactly as generate-insights runs it for the
 * service role (one transaction to read, one to write), measured
 *
 *   1. for one space of 1,000, 5,000 and 10,000 expenses over 180 days (the
 *      engine bench's generated space, written into the database with two
 *      consenting members, a month's budget and splits): the first run
 *      (creates every row) and `runs` regenerations after a warm-up, each split
 *      into the read transaction, the engine and the write transaction, and
 *      the slowest statements of each transaction (which queries it is);
 *   2. as a batch over every space of the bench dataset (its members given
 *      consent first: the generator asks nobody), page after page as the
 *      scheduled function runs it: throughput and the per-space distribution.
 *
 * Step (g) of `npm run bench`, or on its own:
 *   npx tsx scripts/bench/insights-db.ts [--scale N] [--reuse NAME] [--runs N] [--sizes 1000,5000,10000] [--no-batch]
 *   DATABASE_URL=postgres://… npx tsx scripts/bench/insights-db.ts --reuse wallai_bench_1a2b3c4d
 * The one-space spaces are deleted again before the batch, so a kept database
 * can be measured again.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, transactionsAs, type SqlClient } from '@wallai/db-client';
import { equalParts } from '@wallai/domain';
import { generatedSpace } from '@wallai/insights/fixtures';
import { generateInsightsBatch, generateSpaceInsights, type Query, type Transact } from '@wallai/insights-service';
import { addMember, createSpace, createUser, setConsent } from '@wallai/testing';
import { addPoint, type Curves } from './curves.ts';
import { insertExpenses, splitColumns, spacesForScale, generateDataset, type PlannedExpense } from './generator.ts';
import { Prng } from './prng.ts';
import { loadDataset } from './reuse.ts';
import { writeResultJson } from './results-file.ts';
import { distribution, round, type Distribution } from './stats.ts';
import { openBenchTarget } from './target.ts';

export interface InsightsDbOptions {
  /** Expenses over 180 days of the one-space measurements. */
  sizes: number[];
  /** Measured regenerations per size, after `warmup`. */
  runs: number;
  warmup: number;
  /** Run the batch over every space of the dataset. */
  batch: boolean;
  /** Spaces per batch call (the function's `limit`). */
  page: number;
  seed: number;
  /** EXPLAIN ANALYZE the slowest statement of each size. */
  explain: boolean;
}

export const DEFAULT_INSIGHTS_DB_OPTIONS: InsightsDbOptions = {
  sizes: [1_000, 5_000, 10_000],
  runs: 15,
  warmup: 2,
  batch: true,
  page: 500,
  seed: 7,
  explain: false,
};

/** The target for one space of 10,000 expenses on PostgreSQL 15. */
export const ONE_SPACE_TARGET_MS = 200;

export interface StatementTime {
  phase: 'load' | 'write';
  statement: string;
  /** Median over the measured runs. */
  p50: number;
  calls: number;
}

export interface OneSpaceResult {
  expenses: number;
  insights: number;
  recurringSeries: number;
  persona: string;
  /** The first run: every row created. */
  firstRunMs: number;
  runs: number;
  /** Whole run (read, engine, write), regenerations. */
  total: Distribution;
  /** The read transaction (consent, then the space's rows in one statement). */
  load: Distribution;
  /** What is not a transaction: the engine (and JSON parsing of the rows). */
  engine: Distribution;
  /** The write transaction (lock, consent re-check, profile, series, insights). */
  write: Distribution;
  /**
   * CPU time of this process (user + system), which waiting for a core does not inflate: the whole
   * run's (decoding rows, the engine, building statements) and the engine's. The database server's
   * own work is not in it: `server` is the database backend's time on a CPU during the run and
   * `serverWaiting` its time waiting for one (Linux /proc/<pid>/schedstat; PostgreSQL on this
   * machine only, null otherwise; PGlite runs inside this process, so `total` has it).
   */
  cpu: { total: Distribution; engine: Distribution; server: Distribution | null; serverWaiting: Distribution | null };
  statements: StatementTime[];
  /** EXPLAIN (ANALYZE, BUFFERS) of the slowest statement, with --explain. */
  plan?: string;
}

export interface BatchBenchResult {
  spaces: number;
  analysed: number;
  consentMissing: number;
  failed: number;
  insights: number;
  /** Whether the spaces had profiles already (a kept database measured again): regeneration, not creation. */
  regeneration: boolean;
  meanExpensesPerSpace: number;
  seconds: number;
  spacesPerSecond: number;
  perSpace: Distribution;
  page: number;
}

export interface InsightsDbResult {
  sizes: OneSpaceResult[];
  batch: BatchBenchResult | null;
  loadAverage: number[];
}

/** CPU milliseconds (user + system) of this process since `since`. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/**
 * The database server process's time on a CPU and waiting for one, in ms, from
 * /proc/<pid>/schedstat (Linux, the server on this machine; null otherwise).
 */
export function serverSchedMs(pid: number | null): { cpu: number; wait: number } | null {
  if (pid === null) return null;
  try {
    const [onCpu, waiting] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    if (!Number.isFinite(onCpu) || !Number.isFinite(waiting)) return null;
    return { cpu: onCpu! / 1e6, wait: waiting! / 1e6 };
  } catch {
    return null;
  }
}

/** The pid of the one server backend the bench's client uses (PostgreSQL on this machine), else null. */
async function backendPid(db: SqlClient): Promise<number | null> {
  try {
    const [row] = await db.query<{ pid: number }>(`select pg_backend_pid() as pid`);
    const pid = row?.pid ?? null;
    return serverSchedMs(pid) === null ? null : pid;
  } catch {
    return null;
  }
}

/** A statement's first line, squeezed: what the profile table names. */
function label(text: string): string {
  const squeezed = text.replace(/\s+/g, ' ').trim();
  return squeezed.length > 90 ? `${squeezed.slice(0, 87)}…` : squeezed;
}

/**
 * The service role's transactions, timed: each call's duration goes to `calls`,
 * and every statement's to `statements` with its phase (the service's first
 * transaction reads, its second writes).
 */
function timedService(db: SqlClient) {
  const service = transactionsAs(db, { role: 'service_role' }, { origin: 'bench' });
  const calls: number[] = [];
  /** This process's CPU milliseconds in each call (decoding the rows, building the statements). */
  const cpu: number[] = [];
  const statements: Array<{ phase: 'load' | 'write'; statement: string; ms: number }> = [];
  /** The text and parameters of the last statement under each label, for EXPLAIN. */
  const last = new Map<string, { text: string; params: readonly unknown[] }>();
  const runner: Transact = async (fn) => {
    const phase = calls.length % 2 === 0 ? 'load' : 'write';
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    try {
      return await service((query) =>
        fn((async (text: string, params: readonly unknown[]) => {
          const s0 = performance.now();
          try {
            return await query(text, params as unknown[]);
          } finally {
            statements.push({ phase, statement: label(text), ms: performance.now() - s0 });
            last.set(label(text), { text, params });
          }
        }) as Query),
      );
    } finally {
      calls.push(performance.now() - t0);
      cpu.push(cpuMs(c0));
    }
  };
  return {
    runner,
    reset() {
      calls.length = 0;
      cpu.length = 0;
      statements.length = 0;
    },
    calls,
    cpu,
    statements,
    last,
  };
}

/**
 * Writes the engine bench's generated space of `size` expenses into the
 * database: two consenting members (an owner and a member), the month's master
 * budget, the expenses through every trigger, and a fifth of them split
 * equally. Returns the space id.
 */
export async function writeGeneratedSpace(db: SqlClient, size: number, seed: number, now: Date): Promise<string> {
  const input = generatedSpace(size, seed, { now: now.toISOString() });
  const owner = await createUser(db, { metadata: { full_name: 'Alex Bench' } });
  const space = await createSpace(db, { owner, name: `Insights bench ${size}`, currency: 'USD', timezone: 'UTC' });
  const other = await addMember(db, space, 'member');
  await setConsent(db, owner);
  await setConsent(db, other);
  const people: Record<string, string> = { 'u-1': owner.id, 'u-2': other.id };
  const rng = new Prng(seed * 1_000_003 + size);
  const expenses: PlannedExpense[] = input.expenses.map((e) => {
    const cents = Math.round(Number(e.amount) * 100);
    const payer = people[e.created_by ?? 'u-1'] ?? owner.id;
    const split = rng.chance(0.2) && cents >= 2;
    const parts = equalParts(cents, 2);
    const bp = equalParts(10_000, 2);
    return {
      id: rng.uuid(),
      spaceId: space.id,
      amountCents: cents,
      description: e.description,
      category: e.category,
      date: e.date,
      currency: 'USD',
      exchangeRate: '',
      paymentMethod: 'card',
      tags: '',
      notes: '',
      createdBy: payer,
      createdAt: `${e.date}T12:00:00Z`,
      splits: split
        ? [
            { userId: owner.id, cents: parts[0] ?? 0, basisPoints: bp[0] ?? 0 },
            { userId: other.id, cents: parts[1] ?? 0, basisPoints: bp[1] ?? 0 },
          ]
        : [],
    };
  });
  const [budget] = input.budgets;
  if (budget !== undefined) {
    await db.transaction(async (tx) => {
      const [row] = await tx.query<{ id: string }>(
        `insert into public.budgets (space_id, name, type, month_period, framework, total_income, created_by)
         values ($1, 'Budget ' || to_char($2::date, 'YYYY-MM'), 'master', $2::date, 'custom', $3::numeric, $4) returning id`,
        [space.id, budget.month_period, budget.total_income, owner.id],
      );
      const items = input.budget_items.filter((i) => i.budget_id === budget.id);
      await tx.query(
        `insert into public.budget_items (budget_id, category, description, category_type, budgeted_amount, icon, color, display_order)
         select $1::uuid, c.key, c.label, c.category_type, u.amount, c.icon, c.color, c.display_order
           from unnest($2::text[], $3::numeric[]) as u(category, amount)
           join private.default_categories c on c.key = u.category`,
        [row!.id, items.map((i) => i.category), items.map((i) => i.budgeted_amount)],
      );
    });
  }
  const splitCols = await splitColumns(db);
  for (let i = 0; i < expenses.length; i += 2000) {
    const batch = expenses.slice(i, i + 2000);
    await db.transaction((tx) => insertExpenses(tx, batch, splitCols));
  }
  await db.exec('analyze public.expenses; analyze public.expense_splits');
  return space.id;
}

function median(samples: readonly number[]): number {
  return distribution(samples).p50;
}

/** One space of `size` expenses: a first run, `warmup` unmeasured regenerations, then `runs` measured ones. */
export async function measureOneSpace(
  db: SqlClient,
  size: number,
  options: Pick<InsightsDbOptions, 'runs' | 'warmup' | 'seed' | 'explain'>,
  log: (line: string) => void = () => {},
): Promise<{ result: OneSpaceResult; spaceId: string }> {
  const now = new Date();
  log(`  writing a space of ${size.toLocaleString('en-US')} expenses…`);
  const spaceId = await writeGeneratedSpace(db, size, options.seed, now);
  const timed = timedService(db);
  // The client has one connection (max 1), so one backend serves every transaction of a run.
  const pid = await backendPid(db);
  const run = async () => {
    timed.reset();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const s0 = serverSchedMs(pid);
    const outcome = await generateSpaceInsights({ load: timed.runner, write: timed.runner }, spaceId, { now });
    const total = performance.now() - t0;
    const totalCpu = cpuMs(c0);
    const s1 = serverSchedMs(pid);
    const server = s0 && s1 ? { cpu: s1.cpu - s0.cpu, wait: s1.wait - s0.wait } : null;
    if (outcome.kind !== 'analysed') throw new Error(`the bench space was not analysed: ${outcome.kind}`);
    const [load = 0, write = 0] = timed.calls;
    const [loadCpu = 0, writeCpu = 0] = timed.cpu;
    return {
      outcome,
      total,
      load,
      write,
      totalCpu,
      engineCpu: Math.max(0, totalCpu - loadCpu - writeCpu),
      server,
      statements: [...timed.statements],
    };
  };
  const first = await run();
  for (let i = 0; i < options.warmup; i++) await run();
  const totals: number[] = [];
  const loads: number[] = [];
  const writes: number[] = [];
  const engines: number[] = [];
  const totalCpus: number[] = [];
  const engineCpus: number[] = [];
  const serverCpus: number[] = [];
  const serverWaits: number[] = [];
  const perStatement = new Map<string, { phase: 'load' | 'write'; statement: string; ms: number[] }>();
  for (let i = 0; i < options.runs; i++) {
    const r = await run();
    totals.push(r.total);
    loads.push(r.load);
    writes.push(r.write);
    engines.push(Math.max(0, r.total - r.load - r.write));
    totalCpus.push(r.totalCpu);
    engineCpus.push(r.engineCpu);
    if (r.server) {
      serverCpus.push(r.server.cpu);
      serverWaits.push(r.server.wait);
    }
    const seen = new Map<string, number>();
    for (const s of r.statements) {
      const key = `${s.phase}|${s.statement}`;
      seen.set(key, (seen.get(key) ?? 0) + s.ms);
      if (!perStatement.has(key)) perStatement.set(key, { phase: s.phase, statement: s.statement, ms: [] });
    }
    for (const [key, ms] of seen) perStatement.get(key)!.ms.push(ms);
  }
  const statements = [...perStatement.values()]
    .map((s) => ({ phase: s.phase, statement: s.statement, p50: median(s.ms), calls: s.ms.length }))
    .sort((a, b) => b.p50 - a.p50)
    .slice(0, 6);
  const outcome = first.outcome;
  if (outcome.kind !== 'analysed') throw new Error('unreachable');
  let plan: string | undefined;
  if (options.explain && statements[0] !== undefined) {
    const slowest = timed.last.get(statements[0].statement)!;
    const service = transactionsAs(db, { role: 'service_role' }, { origin: 'bench' });
    const rows = await service((query) =>
      query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers, format text) ${slowest.text}`, slowest.params as unknown[]),
    );
    plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    log(`  EXPLAIN ANALYZE of the slowest statement at ${size} expenses:\n${plan}`);
  }
  return {
    spaceId,
    result: {
      expenses: size,
      insights: outcome.insights.length,
      recurringSeries: outcome.recurring_series.length,
      persona: outcome.profile.persona_name,
      firstRunMs: round(first.total),
      runs: options.runs,
      total: distribution(totals),
      load: distribution(loads),
      engine: distribution(engines),
      write: distribution(writes),
      cpu: {
        total: distribution(totalCpus),
        engine: distribution(engineCpus),
        server: serverCpus.length === 0 ? null : distribution(serverCpus),
        serverWaiting: serverWaits.length === 0 ? null : distribution(serverWaits),
      },
      statements,
      ...(plan === undefined ? {} : { plan }),
    },
  };
}

/** Every space of the dataset, page after page as the scheduled function runs it, after giving its members consent. */
export async function measureBatch(
  db: SqlClient,
  options: Pick<InsightsDbOptions, 'page'> & { exclude?: ReadonlySet<string> },
  log: (line: string) => void = () => {},
): Promise<BatchBenchResult> {
  // The generator asks nobody: everyone consents here, as the database owner, so every space is analysed.
  await db.query(
    `update public.users set consent_status = true, consent_version = '1.0', consent_updated_at = now()
      where consent_updated_at is null or not consent_status`,
  );
  const [before] = await db.query<{ profiles: number; spaces: number; expenses: number }>(
    `select (select count(*)::int from public.space_profiles) as profiles,
            (select count(*)::int from public.spaces where is_active) as spaces,
            (select count(*)::int from public.expenses) as expenses`,
  );
  const service = transactionsAs(db, { role: 'service_role' }, { origin: 'bench' });
  const perSpace: number[] = [];
  let analysed = 0;
  let consentMissing = 0;
  let failed = 0;
  let insights = 0;
  let after: string | null = null;
  const started = performance.now();
  let lastLog = started;
  do {
    const page = await generateInsightsBatch(service, { limit: options.page, after });
    for (const s of page.spaces) {
      if (options.exclude?.has(s.space_id)) continue;
      perSpace.push(s.ms);
      insights += s.insights;
      if (s.outcome === 'analysed') analysed += 1;
      else if (s.outcome === 'consent_missing') consentMissing += 1;
      else if (s.outcome === 'failed') failed += 1;
    }
    after = page.next_after;
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`  ${perSpace.length.toLocaleString('en-US')} spaces (${((performance.now() - started) / 1000).toFixed(0)} s)…`);
    }
  } while (after !== null);
  const seconds = (performance.now() - started) / 1000;
  const spaces = before?.spaces ?? perSpace.length;
  return {
    spaces: perSpace.length,
    analysed,
    consentMissing,
    failed,
    insights,
    regeneration: (before?.profiles ?? 0) > 0,
    meanExpensesPerSpace: spaces === 0 ? 0 : round((before?.expenses ?? 0) / spaces, 1),
    seconds: round(seconds, 1),
    spacesPerSecond: round(perSpace.length / Math.max(seconds, 1e-9), 1),
    perSpace: distribution(perSpace),
    page: options.page,
  };
}

/** Step (g): the one-space sizes (each space deleted again afterwards), then the batch. */
export async function measureInsightsDb(
  db: SqlClient,
  options: InsightsDbOptions,
  log: (line: string) => void = () => {},
): Promise<InsightsDbResult> {
  const sizes: OneSpaceResult[] = [];
  for (const size of options.sizes) {
    const { result, spaceId } = await measureOneSpace(db, size, options, log);
    log(
      `  ${size.toLocaleString('en-US')} expenses: p50 ${result.total.p50.toFixed(1)} ms, p95 ${result.total.p95.toFixed(1)} ms (read ${result.load.p50.toFixed(1)}, engine ${result.engine.p50.toFixed(1)}, write ${result.write.p50.toFixed(1)}); first run ${result.firstRunMs.toFixed(1)} ms`,
    );
    sizes.push(result);
    await db.query(`delete from public.spaces where id = $1`, [spaceId]);
  }
  const batch = options.batch ? await measureBatch(db, options, log) : null;
  return { sizes, batch, loadAverage: os.loadavg().map((l) => round(l, 2)) };
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms1 = (n: number): string => n.toFixed(1);

export interface InsightsDbTarget {
  name: string;
  value: number | string;
  target: string;
  pass: boolean;
  hard: boolean;
}

export function insightsDbTargets(r: InsightsDbResult): InsightsDbTarget[] {
  const checks: InsightsDbTarget[] = [];
  const largest = r.sizes.find((s) => s.expenses === 10_000);
  if (largest) {
    checks.push({
      name: 'insights, one space of 10,000 expenses, p95 (ms; target set for PG15)',
      value: largest.total.p95,
      target: `< ${ONE_SPACE_TARGET_MS} ms`,
      pass: largest.total.p95 < ONE_SPACE_TARGET_MS,
      hard: false,
    });
  }
  if (r.batch) {
    checks.push({
      name: 'insights batch: every space analysed',
      value: `${r.batch.analysed}/${r.batch.spaces} (${r.batch.failed} failed)`,
      target: 'all, 0 failed',
      pass: r.batch.failed === 0 && r.batch.analysed === r.batch.spaces,
      hard: true,
    });
  }
  return checks;
}

export function formatInsightsDb(r: InsightsDbResult): string {
  const lines = [
    `(g) insights service (read → engine → write, as the service role): one space at ${r.sizes.map((s) => int(s.expenses)).join(', ')} expenses over 180 days (ms)`,
    '  expenses   insights   first run      p50      p95   read p50   engine p50   write p50   node CPU p50   engine CPU p50   server CPU p50   server waiting p50',
    ...r.sizes.map(
      (s) =>
        `  ${int(s.expenses).padStart(8)}   ${String(s.insights).padStart(8)}   ${ms1(s.firstRunMs).padStart(9)}   ${ms1(s.total.p50).padStart(6)}   ${ms1(s.total.p95).padStart(6)}   ${ms1(s.load.p50).padStart(8)}   ${ms1(s.engine.p50).padStart(10)}   ${ms1(s.write.p50).padStart(9)}   ${ms1(s.cpu.total.p50).padStart(12)}   ${ms1(s.cpu.engine.p50).padStart(14)}   ${(s.cpu.server ? ms1(s.cpu.server.p50) : '-').padStart(14)}   ${(s.cpu.serverWaiting ? ms1(s.cpu.serverWaiting.p50) : '-').padStart(18)}`,
    ),
  ];
  const largest = r.sizes[r.sizes.length - 1];
  if (largest) {
    lines.push(`  slowest statements at ${int(largest.expenses)} expenses (p50 ms):`);
    for (const s of largest.statements) lines.push(`    ${s.phase.padEnd(5)} ${ms1(s.p50).padStart(7)}  ${s.statement}`);
  }
  if (r.batch) {
    const b = r.batch;
    lines.push(
      `  batch over ${int(b.spaces)} spaces (${b.regeneration ? 'regeneration' : 'first run'}, pages of ${b.page}, ${b.meanExpensesPerSpace} expenses per space on average): ${ms1(b.seconds)} s, ${ms1(b.spacesPerSecond)} spaces/s; per space p50 ${ms1(b.perSpace.p50)} ms, p95 ${ms1(b.perSpace.p95)} ms, max ${ms1(b.perSpace.max)} ms; ${int(b.insights)} insights, ${b.analysed} analysed, ${b.consentMissing} consent missing, ${b.failed} failed`,
    );
  }
  lines.push(`  load average ${r.loadAverage.join(' ')} on ${os.cpus().length} cores`);
  for (const t of insightsDbTargets(r))
    lines.push(`  ${t.name}: ${t.value} (target ${t.target}) ${t.pass ? 'PASS' : t.hard ? 'FAIL' : 'FAIL (informative)'}`);
  return `${lines.join('\n')}\n`;
}

const CURVE_INSIGHTS = {
  id: 'insights',
  title: 'Insights for one space: read, engine and write',
  xLabel: 'expenses in the space (180 days)',
  yLabel: 'ms per run',
};

/** The growth with expenses per space, as a curve beside the bench's others. */
export function feedInsightsCurves(curves: Curves, r: InsightsDbResult): void {
  for (const s of r.sizes) {
    addPoint(curves, CURVE_INSIGHTS, 'whole run p50', s.expenses, s.total.p50);
    addPoint(curves, CURVE_INSIGHTS, 'whole run p95', s.expenses, s.total.p95);
    addPoint(curves, CURVE_INSIGHTS, 'read p50', s.expenses, s.load.p50);
    addPoint(curves, CURVE_INSIGHTS, 'engine p50', s.expenses, s.engine.p50);
    addPoint(curves, CURVE_INSIGHTS, 'write p50', s.expenses, s.write.p50);
    addPoint(curves, CURVE_INSIGHTS, 'engine CPU p50', s.expenses, s.cpu.engine.p50);
    if (s.cpu.server) addPoint(curves, CURVE_INSIGHTS, 'CPU p50 (node + server)', s.expenses, s.cpu.total.p50 + s.cpu.server.p50);
  }
}

const USAGE = `usage: npx tsx scripts/bench/insights-db.ts [--scale N] [--reuse NAME] [--runs N] [--sizes 1000,5000,10000] [--page N] [--no-batch] [--explain] [--keep]
  PGlite in memory by default; with DATABASE_URL a fresh database there (or --reuse one kept by npm run bench -- --keep).`;

export async function main(argv: readonly string[]): Promise<number> {
  const options: InsightsDbOptions = { ...DEFAULT_INSIGHTS_DB_OPTIONS };
  let scale = 1;
  let reuse: string | null = null;
  let keep = false;
  const positive = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number\n${USAGE}`);
    return n;
  };
  try {
    for (let i = 0; i < argv.length; i++) {
      const flag = argv[i]!;
      if (flag === '--scale') scale = positive(flag, argv[++i]);
      else if (flag === '--runs') options.runs = Math.round(positive(flag, argv[++i]));
      else if (flag === '--page') options.page = Math.round(positive(flag, argv[++i]));
      else if (flag === '--sizes') options.sizes = (argv[++i] ?? '').split(',').map((s) => Math.round(positive(flag, s)));
      else if (flag === '--reuse') reuse = argv[++i] ?? null;
      else if (flag === '--no-batch') options.batch = false;
      else if (flag === '--explain') options.explain = true;
      else if (flag === '--keep') keep = true;
      else throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const log = (line: string) => console.log(line);
  const target = await openBenchTarget({ serverUrl: process.env.DATABASE_URL || undefined, keep, reuse, log });
  try {
    if (reuse) {
      const d = await loadDataset(target.db, 42);
      log(`reusing ${reuse}: ${int(d.counts.spaces)} spaces, ${int(d.counts.expenses)} expenses`);
    } else if (options.batch) {
      const now = new Date();
      const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 5, 1));
      log(`generating ${int(spacesForScale(scale))} spaces…`);
      await generateDataset(target.db, {
        spaces: spacesForScale(scale),
        months: 6,
        firstMonth: first.toISOString().slice(0, 10),
        seed: 42,
        log,
      });
    }
    await target.db.exec('analyze');
    const result = await measureInsightsDb(target.db, options, log);
    log(formatInsightsDb(result));
    const out = path.join(repoRoot, 'bench-results', `insights-db-${target.kind}.json`);
    writeResultJson(out, {
      benchmark: 'insights-db',
      generatedAt: new Date().toISOString(),
      engine: target.kind,
      options,
      ...result,
      targets: insightsDbTargets(result),
    });
    log(`Wrote ${path.relative(process.cwd(), out)}`);
    return insightsDbTargets(result).some((t) => t.hard && !t.pass) ? 1 : 0;
  } finally {
    await target.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
