/**
 * npm run bench: the database benchmark (and the categorizer's accuracy benchmark).
 *
 *   npm run bench [-- --scale N] [--seed N] [--keep] [--explain] [--no-categorize] ...
 *   DATABASE_URL=postgres://… npm run bench -- --scale 5
 *   DATABASE_URL=postgres://… npm run bench -- --reuse wallai_bench_1a2b3c4d   (a database kept by --keep)
 *
 * Builds a fresh database (in-memory PGlite by default; with DATABASE_URL a new
 * database on that server, dropped at the end unless --keep), fills it with a
 * deterministic realistic dataset, and measures:
 *   (a) RLS read: a member's 50 latest expenses, against service_role
 *   (b) insert throughput through every trigger, against a trigger-free copy
 *   (c) concurrent writers on one budget item (PostgreSQL only), then totals drift
 *   (e) /rest/v1: the member's 50-latest query through the REST handler vs the same SQL directly,
 *       and requests/s with 8 concurrent clients (PostgreSQL only)
 *   (f) suggest_settlements on a space of 50 members and 5,000 unpaid splits, beside the walk
 *       before issue 9 (scripts/bench/settlements.ts)
 *   (g) the insights service: one space at 1,000, 5,000 and 10,000 expenses, then a batch over
 *       every space (scripts/bench/insights-db.ts)
 *   (h) local Realtime commit→delivery to 50 subscribed members, and a 5 MB Storage upload and
 *       download against the same file written and read directly (scripts/bench/storage-realtime.ts)
 * Prints a table with PASS/FAIL per target and writes bench-results/database-<target>.json, and
 * the scaling curves (cost against size, measured at checkpoints while the dataset grows and at
 * its full size) as bench-results/database-<target>-<curve>.svg.
 * Speed targets are informative; only totals drift (or a member seeing other rows than
 * the service role) makes the exit code non-zero.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, type SqlClient } from '@wallai/db-client';
import { decimalToCents } from '@wallai/domain';
import { totalsDriftSummary, type TotalsDriftSummary } from '@wallai/testing/totals';
import { generateDataset, spacesForScale, type Dataset } from './generator.ts';
import {
  measureConcurrentWriters,
  measureInsertThroughput,
  measureRlsRead,
  type ConcurrencyResult,
  type InsertResult,
  type RlsReadResult,
} from './measure.ts';
import { CHAT_QUESTIONS, measureChat, type ChatBenchResult } from './chat.ts';
import { addPoint, curveSvg, type Curves } from './curves.ts';
import { measureRest, type RestBenchResult } from './rest.ts';
import { loadDataset } from './reuse.ts';
import { writeResultFile, writeResultJson } from './results-file.ts';
import { DEFAULT_SETTLEMENTS_OPTIONS, formatSettlements, measureSettlements, type SettlementsBenchResult } from './settlements.ts';
import {
  DEFAULT_INSIGHTS_DB_OPTIONS,
  feedInsightsCurves,
  formatInsightsDb,
  insightsDbTargets,
  measureInsightsDb,
  type InsightsDbResult,
} from './insights-db.ts';
import { ratio, round } from './stats.ts';
import {
  DEFAULT_STORAGE_REALTIME_OPTIONS,
  formatStorageRealtime,
  measureStorageRealtime,
  storageRealtimeTargets,
  type StorageRealtimeResult,
} from './storage-realtime.ts';
import { openBenchTarget } from './target.ts';

export interface BenchOptions {
  scale: number;
  seed: number;
  months: number;
  batchSize: number;
  rlsIterations: number;
  rlsWarmup: number;
  insertRows: number;
  insertBatch: number;
  workers: number;
  concurrencySeconds: number;
  keep: boolean;
  explain: boolean;
  splits: boolean;
  categorize: boolean;
  chat: boolean;
  chatRounds: number;
  rest: boolean;
  restIterations: number;
  restSeconds: number;
  settlements: boolean;
  insights: boolean;
  insightsRuns: number;
  storageRealtime: boolean;
  identity: 'direct' | 'signup';
  out: string | null;
  /** An existing database (kept by --keep) to measure again, without generating. */
  reuse: string | null;
  /** Measure small samples at checkpoints while generating, for the scaling curves. */
  curves: boolean;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  scale: 1,
  seed: 42,
  months: 6,
  batchSize: 2000,
  rlsIterations: 2000,
  rlsWarmup: 200,
  insertRows: 10_000,
  insertBatch: 500,
  workers: 8,
  concurrencySeconds: 5,
  keep: false,
  explain: false,
  splits: true,
  categorize: true,
  chat: true,
  chatRounds: 20,
  rest: true,
  restIterations: 1000,
  restSeconds: 5,
  settlements: true,
  insights: true,
  insightsRuns: DEFAULT_INSIGHTS_DB_OPTIONS.runs,
  storageRealtime: true,
  identity: 'direct',
  out: null,
  reuse: null,
  curves: true,
};

const USAGE = `usage: npm run bench -- [options]
  --scale N            dataset size multiplier (1 = ${spacesForScale(1)} spaces, ~21k expenses; 50 = 10k spaces, ~1M)
  --seed N             PRNG seed (default 42)
  --months N           months of history (default 6)
  --batch-size N       rows per INSERT while generating (default 2000)
  --rls-iterations N   measured RLS/service read pairs (default 2000, after --rls-warmup 200)
  --insert-rows N      rows per variant in the insert benchmark (default 10000)
  --insert-batch N     rows per INSERT in the insert benchmark (default 500)
  --workers N          concurrent writers (default 8), --seconds N how long (default 5)
  --identity signup    create users and spaces through their triggers (slow: ~35 ms per time zone check)
  --no-splits          do not generate expense splits
  --no-categorize      skip the categorizer accuracy benchmark
  --no-chat            skip the ai-chat benchmark; --chat-rounds N rounds of its ${CHAT_QUESTIONS.length} questions (default 20)
  --no-rest            skip the /rest/v1 benchmark; --rest-iterations N measured pairs (default 1000), --rest-seconds N of 8-client load (default 5)
  --no-settlements     skip the suggest_settlements benchmark (f)
  --no-insights        skip the insights service benchmark (g); --insights-runs N regenerations per size (default ${DEFAULT_INSIGHTS_DB_OPTIONS.runs})
  --no-storage-realtime  skip the local Storage and Realtime benchmark (h)
  --explain            print EXPLAIN ANALYZE of the RLS and service-role reads
  --keep               keep the PostgreSQL database (DATABASE_URL only)
  --reuse NAME         measure again on a database kept by --keep (no generation, the schema as it is there,
                       and the insert step keeps the copies of expenses that run left)
  --no-curves          no checkpoint measurements while generating (the curves get the full-size point only)
  --out FILE           where to write the JSON (default bench-results/database-<target>.json)`;

export function parseArgs(argv: readonly string[]): BenchOptions {
  const o: BenchOptions = { ...DEFAULT_OPTIONS };
  const num = (flag: string, value: string | undefined, integer = true): number => {
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      throw new Error(`${flag} needs a positive ${integer ? 'integer' : 'number'}\n${USAGE}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = argv[i + 1];
    const take = (): string | undefined => {
      i += 1;
      return value;
    };
    switch (flag) {
      case '--scale':
        o.scale = num(flag, take(), false);
        break;
      case '--seed':
        o.seed = num(flag, take());
        break;
      case '--months':
        o.months = num(flag, take());
        break;
      case '--batch-size':
        o.batchSize = num(flag, take());
        break;
      case '--rls-iterations':
        o.rlsIterations = num(flag, take());
        break;
      case '--rls-warmup':
        o.rlsWarmup = num(flag, take());
        break;
      case '--insert-rows':
        o.insertRows = num(flag, take());
        break;
      case '--insert-batch':
        o.insertBatch = num(flag, take());
        break;
      case '--workers':
        o.workers = num(flag, take());
        break;
      case '--seconds':
        o.concurrencySeconds = num(flag, take(), false);
        break;
      case '--identity': {
        const v = take();
        if (v !== 'direct' && v !== 'signup') throw new Error(`--identity is direct or signup\n${USAGE}`);
        o.identity = v;
        break;
      }
      case '--out':
        o.out = take() ?? null;
        break;
      case '--keep':
        o.keep = true;
        break;
      case '--reuse': {
        const v = take();
        if (!v) throw new Error(`--reuse needs a database name\n${USAGE}`);
        o.reuse = v;
        break;
      }
      case '--no-curves':
        o.curves = false;
        break;
      case '--explain':
        o.explain = true;
        break;
      case '--no-splits':
        o.splits = false;
        break;
      case '--no-categorize':
        o.categorize = false;
        break;
      case '--no-chat':
        o.chat = false;
        break;
      case '--no-rest':
        o.rest = false;
        break;
      case '--rest-iterations':
        o.restIterations = num(flag, take());
        break;
      case '--rest-seconds':
        o.restSeconds = num(flag, take(), false);
        break;
      case '--no-settlements':
        o.settlements = false;
        break;
      case '--no-insights':
        o.insights = false;
        break;
      case '--insights-runs':
        o.insightsRuns = num(flag, take());
        break;
      case '--no-storage-realtime':
        o.storageRealtime = false;
        break;
      case '--chat-rounds':
        o.chatRounds = num(flag, take());
        break;
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  return o;
}

export interface TargetCheck {
  name: string;
  value: number | string;
  target: string;
  pass: boolean;
  /** Failing it makes the exit code non-zero. */
  hard: boolean;
}

export function checkTargets(r: {
  rls: RlsReadResult;
  inserts: InsertResult;
  concurrency: ConcurrencyResult | null;
  totals: TotalsDriftSummary;
}): TargetCheck[] {
  const checks: TargetCheck[] = [
    { name: 'RLS / service_role read, p50 ratio', value: r.rls.ratioP50, target: '≤ 1.5', pass: r.rls.ratioP50 <= 1.5, hard: false },
    { name: 'RLS / service_role read, p95 ratio', value: r.rls.ratioP95, target: '≤ 1.5', pass: r.rls.ratioP95 <= 1.5, hard: false },
    { name: 'RLS read p95 (ms; target set for PG15 at 1M)', value: r.rls.rls.p95, target: '< 5 ms', pass: r.rls.rls.p95 < 5, hard: false },
    {
      name: 'member sees what service_role sees',
      value: r.rls.rowMismatches,
      target: '0 mismatches',
      pass: r.rls.rowMismatches === 0,
      hard: true,
    },
    {
      name: 'insert overhead vs keyed copy (batch median)',
      value: r.inserts.medianBatchOverhead.keyed,
      target: '≤ 2×',
      pass: r.inserts.medianBatchOverhead.keyed <= 2,
      hard: false,
    },
    {
      name: 'insert overhead vs bare copy (batch median)',
      value: r.inserts.medianBatchOverhead.bare,
      target: '≤ 2×',
      pass: r.inserts.medianBatchOverhead.bare <= 2,
      hard: false,
    },
  ];
  if (r.concurrency) {
    const c = r.concurrency;
    checks.push({
      name: 'concurrent writers: item + budget drift',
      value: `${c.item.drift} / ${c.budget.drift}`,
      target: '0.00 exactly',
      pass: c.exact,
      hard: true,
    });
  }
  const bad = r.totals.itemMismatches + r.totals.budgetMismatches + r.totals.misfiledExpenses;
  checks.push({
    name: 'all totals = recomputation (end of run)',
    value: `${bad} off, Σ|drift| ${r.totals.absoluteDrift}`,
    target: '0',
    pass: bad === 0 && decimalToCents(r.totals.absoluteDrift) === 0,
    hard: true,
  });
  return checks;
}

function table(rows: ReadonlyArray<readonly string[]>, rightAlign: ReadonlySet<number> = new Set()): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map(
      (row) =>
        '  ' +
        row
          .map((cell, i) => (rightAlign.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
          .join('   ')
          .trimEnd(),
    )
    .join('\n');
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => n.toFixed(3);

export function machineInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

export function formatResults(r: {
  engine: string;
  targetLabel: string;
  options: BenchOptions;
  dataset: Dataset;
  rls: RlsReadResult;
  inserts: InsertResult;
  concurrency: ConcurrencyResult | null;
  concurrencySkipped: string | null;
  totals: TotalsDriftSummary;
  checks: TargetCheck[];
  wallSeconds: number;
}): string {
  const m = machineInfo();
  const d = r.dataset;
  const lines = [
    '',
    `Wallai database benchmark — ${r.engine}`,
    `  target ${r.targetLabel}; scale ${r.options.scale}, seed ${r.options.seed}; ${String(m.cpu)} × ${String(m.cores)}, ${String(m.memoryGiB)} GiB, node ${String(m.node)}`,
    '',
    `Dataset (${d.months[0]} … ${d.months[d.months.length - 1]})`,
    table(
      [
        ['spaces', int(d.counts.spaces), 'users', int(d.counts.users), 'memberships', int(d.counts.memberships)],
        ['budgets', int(d.counts.budgets), 'budget items', int(d.counts.budgetItems), '', ''],
        ['expenses', int(d.counts.expenses), 'splits', d.splitsTable ? int(d.counts.splits) : 'no table', '', ''],
        [
          'generated in',
          `${d.seconds.total.toFixed(1)} s`,
          'expenses/s',
          int(d.counts.expenses / Math.max(d.seconds.expenses, 1e-9)),
          '',
          '',
        ],
      ],
      new Set([1, 3, 5]),
    ),
    '',
    `(a) RLS read: a member's 50 latest expenses, ${int(r.rls.iterations)} pairs over ${int(r.rls.spacesProbed)} spaces (SELECT time, ms)`,
    table(
      [
        ['', 'p50', 'p95', 'p99', 'mean', 'request p50', 'request p95'],
        [
          'member (RLS)',
          ms(r.rls.rls.p50),
          ms(r.rls.rls.p95),
          ms(r.rls.rls.p99),
          ms(r.rls.rls.mean),
          ms(r.rls.requestRls.p50),
          ms(r.rls.requestRls.p95),
        ],
        [
          'service_role',
          ms(r.rls.service.p50),
          ms(r.rls.service.p95),
          ms(r.rls.service.p99),
          ms(r.rls.service.mean),
          ms(r.rls.requestService.p50),
          ms(r.rls.requestService.p95),
        ],
        ['ratio', r.rls.ratioP50.toFixed(2), r.rls.ratioP95.toFixed(2), '', '', '', ''],
      ],
      new Set([1, 2, 3, 4, 5, 6]),
    ),
    `  rows per read: ${r.rls.meanRows}`,
    '',
    `(b) insert throughput: ${int(r.inserts.rows)} rows per variant in batches of ${r.inserts.batchSize}, ${r.inserts.spaces} spaces, month ${r.inserts.month} (copies prefilled with ${int(r.inserts.prefilledRows)} rows)`,
    table(
      [
        ['', 'rows/s', 'seconds', 'vs bare', 'vs keyed'],
        ['bare copy (no triggers, FKs, RLS)', int(r.inserts.plain.rowsPerSecond), r.inserts.plain.seconds.toFixed(2), '1.00×', ''],
        [
          'keyed copy (+ the 4 foreign keys)',
          int(r.inserts.keyed.rowsPerSecond),
          r.inserts.keyed.seconds.toFixed(2),
          `${r.inserts.overheadForeignKeys.toFixed(2)}×`,
          '1.00×',
        ],
        [
          'public.expenses as owner (triggers)',
          int(r.inserts.triggers.rowsPerSecond),
          r.inserts.triggers.seconds.toFixed(2),
          `${r.inserts.overheadTriggersOnly.toFixed(2)}×`,
          `${ratio(r.inserts.keyed.rowsPerSecond, r.inserts.triggers.rowsPerSecond).toFixed(2)}×`,
        ],
        [
          'public.expenses as member (triggers + RLS)',
          int(r.inserts.triggersRls.rowsPerSecond),
          r.inserts.triggersRls.seconds.toFixed(2),
          `${r.inserts.overhead.toFixed(2)}×`,
          `${r.inserts.overheadOverKeyed.toFixed(2)}×`,
        ],
      ],
      new Set([1, 2, 3, 4]),
    ),
    `  triggers + RLS, median over batches of the per-batch ratio: ${r.inserts.medianBatchOverhead.bare.toFixed(2)}× vs bare, ${r.inserts.medianBatchOverhead.keyed.toFixed(2)}× vs keyed`,
    `  linked to a budget item: ${(r.inserts.linkedShare * 100).toFixed(1)}%`,
    '',
  ];
  if (r.concurrency) {
    const c = r.concurrency;
    lines.push(
      `(c) concurrent writers: ${c.workers} connections for ${c.seconds} s on one '${c.category}' item`,
      table(
        [
          [
            'ops',
            int(c.ops.total),
            `(${int(c.ops.insert)} inserts, ${int(c.ops.update)} updates, ${int(c.ops.delete)} deletes; ${int(c.opsPerSecond)}/s)`,
          ],
          ['retried', int(c.retries), Object.keys(c.errors).length ? `errors: ${JSON.stringify(c.errors)}` : 'no errors'],
          ['item spent', c.item.stored, `recomputed ${c.item.recomputed}, drift ${c.item.drift}`],
          ['budget spent', c.budget.stored, `recomputed ${c.budget.recomputed}, drift ${c.budget.drift}`],
        ],
        new Set([1]),
      ),
    );
  } else {
    lines.push(`(c) concurrent writers: ${r.concurrencySkipped ?? 'skipped'}`);
  }
  lines.push(
    '',
    `Totals: ${int(r.totals.itemsChecked)} items and ${int(r.totals.budgetsChecked)} budgets recomputed from the expenses`,
    '',
    'Targets',
    table(r.checks.map((c) => [c.name, String(c.value), c.target, c.pass ? 'PASS' : c.hard ? 'FAIL' : 'FAIL (informative)'])),
    '',
    `Wall time ${r.wallSeconds.toFixed(1)} s`,
  );
  return lines.join('\n');
}

export function chatTargets(c: ChatBenchResult): TargetCheck[] {
  const checks: TargetCheck[] = [
    { name: `ai-chat answer p95, ${c.mode} (ms)`, value: c.endToEnd.p95, target: '< 150 ms', pass: c.endToEnd.p95 < 150, hard: false },
    { name: 'ai-chat answers failed', value: c.failures, target: '0', pass: c.failures === 0, hard: true },
  ];
  if (c.firstByte)
    checks.push({
      name: `ai-chat first SSE byte p95, ${c.mode} (ms)`,
      value: c.firstByte.p95,
      target: '< 50 ms',
      pass: c.firstByte.p95 < 50,
      hard: false,
    });
  return checks;
}

export function settlementsTargets(s: SettlementsBenchResult): TargetCheck[] {
  return [
    {
      name: `suggest_settlements p95, ${s.members} members / ${s.unpaidSplits} splits (ms; target for PG15)`,
      value: s.suggested.p95,
      target: '< 20 ms',
      pass: s.suggested.p95 < 20,
      hard: false,
    },
    {
      name: 'suggest_settlements transfers vs the walk before issue 9',
      value: `${s.suggested.transfers} / ${s.walk.transfers}`,
      target: '≤',
      pass: s.suggested.transfers <= s.walk.transfers,
      hard: true,
    },
  ];
}

function formatChat(c: ChatBenchResult): string {
  const rows: string[][] = [['', 'p50', 'p95', 'p99', 'max', 'samples']];
  const add = (label: string, d: { p50: number; p95: number; p99: number; max: number; samples: number }) =>
    rows.push([label, d.p50.toFixed(1), d.p95.toFixed(1), d.p99.toFixed(1), d.max.toFixed(1), String(d.samples)]);
  add(c.mode === 'http' ? 'answer, end to end (HTTP)' : 'answer, in process', c.endToEnd);
  if (c.firstByte) add(c.mode === 'http' ? 'first SSE byte' : 'conversation event', c.firstByte);
  for (const [name, d] of Object.entries(c.tools)) add(`  tool ${name}`, d);
  return [
    `(d) ai-chat offline, a member of the largest space (${int(c.space.expenses)} expenses, ${c.space.members} members), ${c.rounds} rounds × ${c.questions} questions (ms)`,
    table(rows, new Set([1, 2, 3, 4, 5])),
    `  offline answers ${c.offlineAnswers}, failed requests ${c.failures}`,
    table(chatTargets(c).map((t) => [t.name, String(t.value), t.target, t.pass ? 'PASS' : t.hard ? 'FAIL' : 'FAIL (informative)'])),
    '',
  ].join('\n');
}

export function restTargets(r: RestBenchResult): TargetCheck[] {
  const checks: TargetCheck[] = [
    {
      name: '/rest/v1 overhead over direct SQL, p50 (ms)',
      value: r.overheadP50,
      target: '≤ 1.5 ms',
      pass: r.overheadP50 <= 1.5,
      hard: false,
    },
    { name: '/rest/v1 rows = direct SQL rows', value: r.rowMismatches, target: '0 mismatches', pass: r.rowMismatches === 0, hard: true },
  ];
  if (r.throughput) {
    checks.push(
      {
        name: `/rest/v1 requests/s, ${r.throughput.clients} clients`,
        value: r.throughput.perSecond,
        target: '≥ 500/s (PG15)',
        pass: r.throughput.perSecond >= 500,
        hard: false,
      },
      { name: '/rest/v1 failed requests under load', value: r.throughput.errors, target: '0', pass: r.throughput.errors === 0, hard: true },
    );
  }
  if (r.httpThroughput) {
    checks.push(
      {
        name: `/rest/v1 requests/s over HTTP, ${r.httpThroughput.clients} clients`,
        value: r.httpThroughput.perSecond,
        target: '≥ 500/s (PG15)',
        pass: r.httpThroughput.perSecond >= 500,
        hard: false,
      },
      {
        name: '/rest/v1 failed HTTP requests under load',
        value: r.httpThroughput.errors,
        target: '0',
        pass: r.httpThroughput.errors === 0,
        hard: true,
      },
    );
  }
  return checks;
}

function formatRest(r: RestBenchResult): string {
  const rows = [
    ['', 'p50', 'p95', 'p99', 'mean'],
    ['through /rest/v1 (in process)', ms(r.rest.p50), ms(r.rest.p95), ms(r.rest.p99), ms(r.rest.mean)],
    ['through /rest/v1 over HTTP (the dev server)', ms(r.http.p50), ms(r.http.p95), ms(r.http.p99), ms(r.http.mean)],
    ['same SQL directly', ms(r.direct.p50), ms(r.direct.p95), ms(r.direct.p99), ms(r.direct.mean)],
  ];
  return [
    `(e) /rest/v1: a member's 50 latest expenses (select=*, eq space_id, order date.desc, limit 50), ${int(r.iterations)} pairs (whole request, ms)`,
    table(rows, new Set([1, 2, 3, 4])),
    `  overhead p50 ${ms(r.overheadP50)} ms in process, ${ms(r.httpOverheadP50)} ms over HTTP` +
      (r.throughput
        ? `; ${r.throughput.clients} concurrent clients for ${r.throughput.seconds} s: ${int(r.throughput.requests)} requests, ${int(r.throughput.perSecond)}/s, ${r.throughput.errors} failed`
        : '; throughput: skipped (single connection)') +
      (r.httpThroughput
        ? `; over HTTP ${int(r.httpThroughput.requests)} requests, ${int(r.httpThroughput.perSecond)}/s, ${r.httpThroughput.errors} failed`
        : ''),
    table(restTargets(r).map((t) => [t.name, String(t.value), t.target, t.pass ? 'PASS' : t.hard ? 'FAIL' : 'FAIL (informative)'])),
    '',
  ].join('\n');
}

/** The categorizer accuracy benchmark (scripts/bench/categorize-accuracy.ts), when its dataset is present. */
async function runCategorize(log: (line: string) => void): Promise<void> {
  const datasetPath = path.resolve(repoRoot, '..', 'shared', 'datasets', 'merchant-studio', 'sample_test_descriptors.json');
  if (!existsSync(datasetPath)) {
    log(`categorize-accuracy: dataset not found, skipped (${datasetPath})`);
    return;
  }
  const { formatReport, parseDataset, runAccuracyBenchmark, toResultsJson } = await import('./categorize-accuracy.ts');
  const report = runAccuracyBenchmark(parseDataset(JSON.parse(readFileSync(datasetPath, 'utf8'))));
  log('Categorizer accuracy (scripts/bench/categorize-accuracy.ts)');
  log(formatReport(report));
  const outFile = path.join(repoRoot, 'bench-results', 'categorize.json');
  writeResultFile(outFile, toResultsJson(report, path.relative(repoRoot, datasetPath)));
  log(`Wrote ${path.relative(repoRoot, outFile)}\n`);
}

const CURVE_READS = {
  id: 'reads',
  title: "RLS read: a member's 50 latest expenses",
  xLabel: 'expenses in the database',
  yLabel: 'SELECT time (ms)',
};
const CURVE_INSERTS = {
  id: 'inserts',
  title: 'Insert cost per row (batches of 500)',
  xLabel: 'expenses in the database',
  yLabel: 'µs per row',
};
const CURVE_INSERT_OVERHEAD = {
  id: 'insert-overhead',
  title: 'Insert path (triggers + RLS) vs copies of the table',
  xLabel: 'expenses in the database',
  yLabel: 'median per-batch ratio (×)',
};

/** One point of the read and insert curves at the current size of the dataset. */
export function feedCurves(curves: Curves, expenses: number, rls: RlsReadResult, inserts: InsertResult): void {
  addPoint(curves, CURVE_READS, 'member (RLS) p50', expenses, rls.rls.p50);
  addPoint(curves, CURVE_READS, 'member (RLS) p95', expenses, rls.rls.p95);
  addPoint(curves, CURVE_READS, 'service_role p50', expenses, rls.service.p50);
  addPoint(curves, CURVE_READS, 'service_role p95', expenses, rls.service.p95);
  const perRow = (rate: { rowsPerSecond: number }): number => (rate.rowsPerSecond > 0 ? round(1e6 / rate.rowsPerSecond, 1) : NaN);
  addPoint(curves, CURVE_INSERTS, 'bare copy', expenses, perRow(inserts.plain));
  addPoint(curves, CURVE_INSERTS, 'keyed copy (4 FKs)', expenses, perRow(inserts.keyed));
  addPoint(curves, CURVE_INSERTS, 'public.expenses (triggers + RLS)', expenses, perRow(inserts.triggersRls));
  addPoint(curves, CURVE_INSERT_OVERHEAD, 'vs bare copy', expenses, inserts.medianBatchOverhead.bare);
  addPoint(curves, CURVE_INSERT_OVERHEAD, 'vs keyed copy', expenses, inserts.medianBatchOverhead.keyed);
}

/** Writes each curve as <base>-<id>.svg; returns the files written. */
export function writeCurves(base: string, curves: Curves): string[] {
  return Object.values(curves).map((curve) => {
    const file = `${base}-${curve.id}.svg`;
    writeResultFile(file, curveSvg(curve));
    return file;
  });
}

async function countExpenses(db: SqlClient): Promise<number> {
  const [row] = await db.query<{ n: number }>(`select count(*)::int as n from public.expenses`);
  return row?.n ?? 0;
}

export async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseArgs(argv);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const log = (line: string): void => console.log(line);
  const started = performance.now();
  if (options.categorize) await runCategorize(log);

  const serverUrl = process.env.DATABASE_URL || undefined;
  log(
    serverUrl
      ? 'creating a fresh database on DATABASE_URL and applying the schema…'
      : 'building an in-memory PGlite database and applying the schema…',
  );
  const target = await openBenchTarget({ serverUrl, keep: options.keep, reuse: options.reuse, log });
  try {
    const db = target.db;
    const [v] = await db.query<{ version: string }>(`select version() as version`);
    const engine = v?.version ?? 'unknown';
    const shortEngine = engine.split(' on ')[0] ?? engine;
    const spaces = spacesForScale(options.scale);

    const curves: Curves = {};
    let dataset: Dataset;
    if (options.reuse) {
      log(`reusing database ${options.reuse} (no generation; the schema as it is there)…`);
      dataset = await loadDataset(db, options.seed);
      log(`  ${int(dataset.counts.spaces)} spaces, ${int(dataset.counts.expenses)} expenses; analyze…`);
    } else {
      log(`generating ${int(spaces)} spaces (seed ${options.seed})…`);
      // The history ends with the current month, so "this month" and "last month" have data (ai-chat's questions).
      const now = new Date();
      const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (options.months - 1), 1));
      dataset = await generateDataset(db, {
        spaces,
        months: options.months,
        firstMonth: first.toISOString().slice(0, 10),
        seed: options.seed,
        batchSize: options.batchSize,
        identity: options.identity,
        splits: options.splits,
        log,
        // Scaling curves: small samples at 1/8, 1/4 and 1/2 of the spaces, the full measurement at the end.
        checkpoints: options.curves
          ? {
              atSpaces: [8, 4, 2].map((d) => Math.round(spaces / d)),
              run: async (progress) => {
                await db.exec('analyze');
                const expenses = await countExpenses(db);
                log(`  checkpoint at ${int(expenses)} expenses: RLS read and inserts, small samples…`);
                const sampleRls = await measureRlsRead(db, progress, { iterations: 200, warmup: 20, seed: options.seed });
                const sampleInserts = await measureInsertThroughput(db, progress, {
                  rows: 4 * options.insertBatch,
                  batchSize: options.insertBatch,
                  seed: options.seed,
                });
                feedCurves(curves, expenses, sampleRls, sampleInserts);
              },
            }
          : undefined,
      });
      log(
        `  ${int(dataset.counts.expenses)} expenses, ${int(dataset.counts.splits)} splits in ${dataset.seconds.total.toFixed(1)} s; analyze…`,
      );
    }
    await db.exec('analyze');

    log(`(a) RLS read: ${options.rlsWarmup} warm-up + ${options.rlsIterations} pairs…`);
    const rls = await measureRlsRead(db, dataset, {
      iterations: options.rlsIterations,
      warmup: options.rlsWarmup,
      seed: options.seed,
      explain: options.explain,
    });
    if (options.explain && rls.plans)
      log(`\nEXPLAIN as a member (RLS):\n${rls.plans.rls}\n\nEXPLAIN as service_role:\n${rls.plans.service}\n`);

    log(`(b) insert throughput: ${int(options.insertRows)} rows × 4 variants…`);
    const inserts = await measureInsertThroughput(db, dataset, {
      rows: options.insertRows,
      batchSize: options.insertBatch,
      seed: options.seed,
      keepCopies: options.reuse !== null,
    });

    feedCurves(curves, await countExpenses(db), rls, inserts);

    let concurrency: ConcurrencyResult | null = null;
    let concurrencySkipped: string | null = null;
    if (target.connect) {
      log(`(c) concurrent writers: ${options.workers} connections for ${options.concurrencySeconds} s…`);
      concurrency = await measureConcurrentWriters(db, dataset, {
        workers: options.workers,
        seconds: options.concurrencySeconds,
        seed: options.seed,
        connect: target.connect,
      });
    } else {
      concurrencySkipped = 'skipped: single connection';
      log(`(c) concurrent writers: ${concurrencySkipped}`);
    }

    let chat: ChatBenchResult | null = null;
    if (options.chat) {
      log(`(d) ai-chat offline: ${options.chatRounds} rounds of ${CHAT_QUESTIONS.length} questions…`);
      chat = await measureChat(db, dataset, { databaseUrl: target.url, rounds: options.chatRounds, warmupRounds: 2, log });
      log(formatChat(chat));
      writeResultJson(path.join(repoRoot, 'bench-results', `chat-${target.kind}.json`), {
        benchmark: 'ai-chat',
        generatedAt: new Date().toISOString(),
        machine: machineInfo(),
        engine: { kind: target.kind, version: engine },
        options: { scale: options.scale, seed: options.seed, rounds: options.chatRounds, questions: CHAT_QUESTIONS },
        dataset: { expenses: dataset.counts.expenses, spaces: dataset.counts.spaces },
        ...chat,
        targets: chatTargets(chat),
      });
    }

    let rest: RestBenchResult | null = null;
    if (options.rest) {
      log(
        `(e) /rest/v1: 100 warm-up + ${options.restIterations} pairs${target.url ? `, then 8 clients for ${options.restSeconds} s` : ''}…`,
      );
      rest = await measureRest(db, dataset, {
        iterations: options.restIterations,
        warmup: 100,
        seed: options.seed,
        seconds: options.restSeconds,
        clients: 8,
        databaseUrl: target.url,
      });
      log(formatRest(rest));
      writeResultJson(path.join(repoRoot, 'bench-results', `rest-${target.kind}.json`), {
        benchmark: 'rest',
        generatedAt: new Date().toISOString(),
        machine: { ...machineInfo(), loadAverage: os.loadavg().map((l) => round(l, 2)) },
        engine: { kind: target.kind, version: engine },
        options: { scale: options.scale, seed: options.seed, iterations: options.restIterations, seconds: options.restSeconds },
        dataset: { expenses: dataset.counts.expenses, spaces: dataset.counts.spaces },
        ...rest,
        targets: restTargets(rest),
      });
    }

    let settle: SettlementsBenchResult | null = null;
    if (options.settlements) {
      log(`(f) suggest_settlements: ${DEFAULT_SETTLEMENTS_OPTIONS.members} members, ${DEFAULT_SETTLEMENTS_OPTIONS.splits} unpaid splits…`);
      settle = await measureSettlements(db, { ...DEFAULT_SETTLEMENTS_OPTIONS, seed: options.seed }, log);
      log(formatSettlements(settle));
      writeResultJson(path.join(repoRoot, 'bench-results', `settlements-${target.kind}.json`), {
        benchmark: 'suggest_settlements',
        generatedAt: new Date().toISOString(),
        machine: machineInfo(),
        loadAverage: os.loadavg(),
        engine: { kind: target.kind, version: engine },
        options: { ...DEFAULT_SETTLEMENTS_OPTIONS, seed: options.seed },
        ...settle,
      });
    }

    let insightsDb: InsightsDbResult | null = null;
    if (options.insights) {
      log(`(g) insights service: one space at ${DEFAULT_INSIGHTS_DB_OPTIONS.sizes.join(', ')} expenses, then every space…`);
      insightsDb = await measureInsightsDb(db, { ...DEFAULT_INSIGHTS_DB_OPTIONS, runs: options.insightsRuns }, log);
      log(formatInsightsDb(insightsDb));
      feedInsightsCurves(curves, insightsDb);
      writeResultJson(path.join(repoRoot, 'bench-results', `insights-db-${target.kind}.json`), {
        benchmark: 'insights-db',
        generatedAt: new Date().toISOString(),
        machine: machineInfo(),
        engine: { kind: target.kind, version: engine },
        options: { ...DEFAULT_INSIGHTS_DB_OPTIONS, runs: options.insightsRuns, scale: options.scale, seed: options.seed },
        dataset: { expenses: dataset.counts.expenses, spaces: dataset.counts.spaces },
        ...insightsDb,
        targets: insightsDbTargets(insightsDb),
      });
    }

    let storageRealtime: StorageRealtimeResult | null = null;
    if (options.storageRealtime) {
      const o = { ...DEFAULT_STORAGE_REALTIME_OPTIONS, jwtSecret: 'wallai-bench-jwt-secret-with-at-least-32-characters' };
      log(`(h) local Realtime (${o.members} subscribers, ${o.inserts} inserts) and Storage (${o.fileMegabytes} MB × ${o.rounds})…`);
      storageRealtime = await measureStorageRealtime(db, o, log);
      log(formatStorageRealtime(storageRealtime));
      writeResultJson(path.join(repoRoot, 'bench-results', `storage-realtime-${target.kind}.json`), {
        benchmark: 'storage-realtime',
        generatedAt: new Date().toISOString(),
        machine: { ...machineInfo(), loadAverage: os.loadavg().map((l) => round(l, 2)) },
        engine: { kind: target.kind, version: engine },
        options: { ...o, jwtSecret: undefined },
        ...storageRealtime,
        targets: storageRealtimeTargets(storageRealtime),
      });
    }

    log('recomputing every total…');
    const totals = await totalsDriftSummary(db);
    const checks = [
      ...checkTargets({ rls, inserts, concurrency, totals }),
      ...(chat ? chatTargets(chat) : []),
      ...(rest ? restTargets(rest) : []),
      ...(settle ? settlementsTargets(settle) : []),
      ...(insightsDb ? insightsDbTargets(insightsDb) : []),
      ...(storageRealtime ? storageRealtimeTargets(storageRealtime) : []),
    ];
    const wallSeconds = (performance.now() - started) / 1000;
    log(
      formatResults({
        engine: shortEngine,
        targetLabel: target.label,
        options,
        dataset,
        rls,
        inserts,
        concurrency,
        concurrencySkipped,
        totals,
        checks,
        wallSeconds,
      }),
    );

    const outFile = options.out ? path.resolve(options.out) : path.join(repoRoot, 'bench-results', `database-${target.kind}.json`);
    const { spaces: _spaces, ...datasetSummary } = dataset;
    writeResultJson(outFile, {
      benchmark: 'database',
      generatedAt: new Date().toISOString(),
      machine: machineInfo(),
      engine: { kind: target.kind, version: engine },
      options,
      dataset: datasetSummary,
      rlsRead: rls,
      inserts,
      concurrency: concurrency ?? { skipped: concurrencySkipped },
      totals,
      targets: checks,
      insights: insightsDb,
      curves,
      wallSeconds: round(wallSeconds, 1),
    });
    log(`Wrote ${path.relative(process.cwd(), outFile)}`);
    for (const file of writeCurves(outFile.replace(/\.json$/, ''), curves)) log(`Wrote ${path.relative(process.cwd(), file)}`);
    const failed = checks.filter((c) => c.hard && !c.pass);
    if (failed.length > 0) {
      console.error(`FAILED: ${failed.map((c) => c.name).join('; ')}`);
      return 1;
    }
    return 0;
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
