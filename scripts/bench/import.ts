/**
 * npm run bench:import: the bank import at scale, on PostgreSQL (DATABASE_URL).
 *
 *   DATABASE_URL=postgres://… npm run bench:import [-- --lines 50000] [--sizes 6250,12500,25000] [--seed 7] [--keep]
 *
 * In a fresh database: a generated CSV and a generated Plaid /transactions/sync
 * file of N lines each (realistic merchants and amounts, identical real
 * purchases, income and transfers), each imported as the space's owner through
 * the same service as `npm run import` (parse, dedupe, categorize, expenses,
 * budget links, activity log; one transaction), then replayed (0 rows
 * changed expected). The baseline is a bare COPY of the very rows the import
 * wrote into unindexed, trigger-free copies of bank_transactions and expenses.
 * Targets (issue 10): each import < 30 s and < 3x the COPY; replay < 5 s.
 *
 * The scaling curve (cost against size, issue 15): the same measurement at
 * smaller sizes first (--sizes; by default 1/8, 1/4 and 1/2 of --lines), each
 * into a space of its own, drawn as bench-results/import-postgres-imports.svg
 * beside the JSON. The targets are judged at --lines.
 *
 * The files are written to a temporary directory and imported from disk as
 * streams (as `npm run import` reads them), so the resident memory measured
 * around each import is the import's, not the generated file's. CPU seconds
 * are measured beside wall time: this process's (parse, dedupe, categorize,
 * JSON) and, when the database is on this machine, its server process's
 * (read from /proc), so that a loaded machine still gives comparable figures.
 * Writes bench-results/import-postgres.json.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openBankFile } from '@wallai/bank-formats';
import type { ImportReport } from '@wallai/bank-import';
import { importFile, type Transact } from '@wallai/bank-import/service';
import { repoRoot, transactionsAs, type SqlClient } from '@wallai/db-client';
import { createSpace } from '@wallai/testing';
import postgres from 'postgres';
import { csvFile, generateLines, plaidFile } from './import-data.ts';
import { addPoint, type Curves } from './curves.ts';
import { machineInfo, writeCurves } from './run.ts';
import { openBenchTarget } from './target.ts';
import { writeResultJson } from './results-file.ts';

export interface ImportBenchOptions {
  readonly lines: number;
  /** Smaller sizes measured first, for the scaling curve (each < lines). */
  readonly sizes: readonly number[];
  readonly seed: number;
  readonly keep: boolean;
}

export interface ImportRun {
  readonly seconds: number;
  /** CPU seconds of this process (parser, service) and of the database's server process (null when it is not local). */
  readonly clientCpuSeconds: number;
  readonly serverCpuSeconds: number | null;
  /** Resident memory before the import and its peak during it, MB. */
  readonly rssBeforeMb: number;
  readonly rssPeakMb: number;
  readonly rows: number;
  readonly added: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly status: string;
}

interface Cost {
  readonly seconds: number;
  readonly clientCpuSeconds: number;
  readonly serverCpuSeconds: number | null;
  readonly rssBeforeMb: number;
  readonly rssPeakMb: number;
}

function runOf(report: ImportReport, cost: Cost): ImportRun {
  return {
    ...cost,
    rows: report.counts.rows,
    added: report.counts.added,
    updated: report.counts.updated,
    unchanged: report.counts.unchanged,
    status: report.status,
  };
}

/** CPU seconds a server process has used so far (Linux /proc; null when the database is elsewhere). */
function serverCpu(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime, in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Wall and CPU seconds and resident memory of fn. */
async function measured<T>(pid: number | null, fn: () => Promise<T>): Promise<{ value: T; cost: Cost }> {
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sample = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
  const cpu = process.cpuUsage();
  const server = serverCpu(pid);
  const started = performance.now();
  try {
    const value = await fn();
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const serverAfter = serverCpu(pid);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    return {
      value,
      cost: {
        seconds,
        clientCpuSeconds: round((used.user + used.system) / 1e6),
        serverCpuSeconds: server === null || serverAfter === null ? null : round(serverAfter - server),
        rssBeforeMb: Math.round(rssBefore / 1e6),
        rssPeakMb: Math.round(rssPeak / 1e6),
      },
    };
  } finally {
    clearInterval(sample);
  }
}

const round = (x: number): number => Math.round(x * 100) / 100;

async function timedImport(transact: Transact, pid: number | null, spaceId: string, file: string): Promise<ImportRun> {
  const { value: report, cost } = await measured(pid, () =>
    importFile(transact, openBankFile, () => createReadStream(file), {
      spaceId,
      fileName: path.basename(file),
      fileSize: statSync(file).size,
    }),
  );
  if (report.status !== 'completed') throw new Error(`${file}: import ${report.status}: ${report.failure?.message ?? ''}`);
  return runOf(report, cost);
}

export interface CopyRun {
  readonly seconds: number;
  readonly serverCpuSeconds: number | null;
  readonly rows: number;
}

/** Seconds to COPY the space's imported rows into bare (no index, no trigger, no constraint) copies of the two tables. */
async function bareCopySeconds(url: string, db: SqlClient, spaceId: string, local: boolean): Promise<CopyRun> {
  await db.exec(`
    drop table if exists public.bench_bank_bare; drop table if exists public.bench_expenses_bare;
    create table public.bench_bank_bare (like public.bank_transactions including defaults);
    create table public.bench_expenses_bare (like public.expenses including defaults);`);
  // One connection per COPY: postgres.js 3.4 leaves a second COPY stream on a connection unended.
  const once = async <T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> => {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      return await fn(sql);
    } finally {
      await sql.end({ timeout: 5 });
    }
  };
  const bankText = await once(async (sql) =>
    collect(await sql.unsafe(`copy (select * from public.bank_transactions where space_id = '${spaceId}') to stdout`).readable()),
  );
  // base_amount is generated: COPY every other column.
  const columns = (
    await db.query<{ name: string }>(
      `select attname as name from pg_attribute where attrelid = 'public.expenses'::regclass and attnum > 0 and not attisdropped and attgenerated = '' order by attnum`,
    )
  )
    .map((c) => c.name)
    .join(', ');
  const expenseText = await once(async (sql) =>
    collect(await sql.unsafe(`copy (select ${columns} from public.expenses where space_id = '${spaceId}') to stdout`).readable()),
  );
  let seconds = 0;
  let cpu: number | null = 0;
  for (const [statement, text] of [
    [`copy public.bench_bank_bare from stdin`, bankText],
    [`copy public.bench_expenses_bare (${columns}) from stdin`, expenseText],
  ] as const) {
    await once(async (sql) => {
      const [backend] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const pid = local ? (backend?.pid ?? null) : null;
      const before = serverCpu(pid);
      const started = performance.now();
      await write(await sql.unsafe(statement).writable(), text);
      seconds += (performance.now() - started) / 1000;
      const after = serverCpu(pid);
      cpu = cpu === null || before === null || after === null ? null : cpu + (after - before);
    });
  }
  const [count] = await db.query<{ n: number }>(
    `select (select count(*) from public.bench_bank_bare) + (select count(*) from public.bench_expenses_bare) as n`,
  );
  return { seconds, serverCpuSeconds: cpu === null ? null : round(cpu), rows: Number(count?.n ?? 0) };
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

function write(stream: NodeJS.WritableStream, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', () => resolve());
    stream.end(data);
  });
}

export interface ImportBenchResult {
  readonly engine: string;
  readonly machine: Record<string, unknown>;
  /** The full size, at which the targets are judged (csv and plaid below). */
  readonly lines: number;
  readonly csv: KindResult;
  readonly plaid: KindResult;
  /** Every size measured, smallest first; the last is the full size. */
  readonly sizes: readonly SizeResult[];
  readonly peakRssMb: number;
}

export interface SizeResult {
  readonly lines: number;
  readonly csv: KindResult;
  readonly plaid: KindResult;
}

export interface KindResult {
  readonly fileMb: number;
  readonly import: ImportRun;
  readonly replay: ImportRun;
  readonly copy: CopyRun;
  /** Import wall seconds / COPY wall seconds. */
  readonly ratio: number;
  /** Import CPU seconds (this process + the server's) / the COPY's server CPU seconds; null when the server is not local. */
  readonly cpuRatio: number | null;
}

/** Both formats at one size: generated files, each imported into a space of its own, replayed, and the COPY baseline. */
async function measureSize(
  db: SqlClient,
  url: string,
  pid: number | null,
  local: boolean,
  lines: number,
  seed: number,
  log: (line: string) => void,
): Promise<{ csv: KindResult; plaid: KindResult }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wallai-bench-import-'));
  const results: Partial<Record<'csv' | 'plaid', KindResult>> = {};
  try {
    const files = { csv: path.join(dir, 'bench.csv'), plaid: path.join(dir, 'bench.json') } as const;
    {
      // Generated, written, and let go of before anything is measured.
      const generated = generateLines(lines, seed);
      writeFileSync(files.csv, csvFile(generated));
      writeFileSync(files.plaid, plaidFile(generated, seed));
    }
    for (const kind of ['csv', 'plaid'] as const) {
      const space = await createSpace(db, { name: `Bench ${kind} ${lines}` });
      const transact = transactionsAs(db, { role: 'authenticated', sub: space.owner.id, aud: 'authenticated' }) as Transact;
      const fileMb = round(statSync(files[kind]).size / 1e6);
      log(`${kind}: importing ${lines} lines (${fileMb} MB) from disk…`);
      const first = await timedImport(transact, pid, space.id, files[kind]);
      log(`  ${describeRun(first)}, ${first.added} added`);
      const replay = await timedImport(transact, pid, space.id, files[kind]);
      log(`  replay ${describeRun(replay)}, ${replay.added} added, ${replay.updated} updated, ${replay.unchanged} unchanged`);
      const copy = await bareCopySeconds(url, db, space.id, local);
      log(`  bare COPY of the ${copy.rows} rows written: ${copy.seconds.toFixed(2)} s, server CPU ${copy.serverCpuSeconds ?? '?'} s`);
      const importCpu = first.serverCpuSeconds === null ? null : first.clientCpuSeconds + first.serverCpuSeconds;
      results[kind] = {
        fileMb,
        import: first,
        replay,
        copy,
        ratio: round(first.seconds / copy.seconds),
        cpuRatio: importCpu === null || !copy.serverCpuSeconds ? null : round(importCpu / copy.serverCpuSeconds),
      };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { csv: results.csv!, plaid: results.plaid! };
}

const CURVE_IMPORTS = {
  id: 'imports',
  title: 'Bank import: one file into one space (parse, dedupe, categorize, write)',
  xLabel: 'lines in the file',
  yLabel: 'seconds',
};

/** The import's cost against the file's size, beside the bare COPY of the rows it wrote. */
export function feedImportCurves(curves: Curves, r: ImportBenchResult): void {
  for (const size of r.sizes) {
    addPoint(curves, CURVE_IMPORTS, 'CSV import', size.lines, round(size.csv.import.seconds));
    addPoint(curves, CURVE_IMPORTS, 'Plaid file import', size.lines, round(size.plaid.import.seconds));
    addPoint(curves, CURVE_IMPORTS, 'CSV replay (nothing changes)', size.lines, round(size.csv.replay.seconds));
    addPoint(curves, CURVE_IMPORTS, 'bare COPY of the rows written (CSV)', size.lines, round(size.csv.copy.seconds));
  }
}

export async function runImportBench(options: ImportBenchOptions, log: (line: string) => void): Promise<ImportBenchResult> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error("bench:import measures PostgreSQL: set DATABASE_URL (the issue's targets are for PostgreSQL 15)");
  const target = await openBenchTarget({ serverUrl, keep: options.keep, log });
  let peakRss = process.memoryUsage().rss;
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  try {
    const db = target.db;
    const [v] = await db.query<{ version: string }>(`select version() as version`);
    const engine = (v?.version ?? 'unknown').split(' on ')[0] ?? 'unknown';
    // The server's CPU is read from /proc only when it runs here (a loopback URL).
    const local = /@(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(target.url ?? '');
    const [backend] = await db.query<{ pid: number }>(`select pg_backend_pid() as pid`);
    const pid = local ? (backend?.pid ?? null) : null;
    const sizes: SizeResult[] = [];
    for (const lines of [...options.sizes, options.lines]) {
      sizes.push({ lines, ...(await measureSize(db, target.url!, pid, local, lines, options.seed, log)) });
    }
    const full = sizes[sizes.length - 1]!;
    return {
      engine,
      machine: machineInfo(),
      lines: options.lines,
      csv: full.csv,
      plaid: full.plaid,
      sizes,
      peakRssMb: Math.round(peakRss / 1e6),
    };
  } finally {
    clearInterval(sample);
    await target.close();
  }
}

const describeRun = (run: ImportRun): string =>
  `${run.seconds.toFixed(2)} s (CPU: this process ${run.clientCpuSeconds} s, server ${run.serverCpuSeconds ?? '?'} s; RSS ${run.rssBeforeMb} → peak ${run.rssPeakMb} MB)`;

export function formatImportBench(r: ImportBenchResult): string {
  const row = (name: string, x: KindResult) =>
    [
      `${name}: ${x.fileMb} MB, import ${describeRun(x.import)} (target < 30 s: ${x.import.seconds < 30 ? 'PASS' : 'FAIL'})`,
      `      ${x.ratio}x a bare COPY of ${x.copy.rows} rows in ${x.copy.seconds.toFixed(2)} s (target < 3x: ${x.ratio < 3 ? 'PASS' : 'FAIL'}); ` +
        `CPU ${x.cpuRatio ?? '?'}x the COPY's`,
      `      replay ${x.replay.seconds.toFixed(2)} s, ${x.replay.added + x.replay.updated} rows changed ` +
        `(target < 5 s and 0: ${x.replay.seconds < 5 && x.replay.added + x.replay.updated === 0 ? 'PASS' : 'FAIL'})`,
    ].join('\n');
  const curve = r.sizes
    .map(
      (x) =>
        `${x.lines}: CSV ${x.csv.import.seconds.toFixed(2)} s (${x.csv.ratio}x), Plaid ${x.plaid.import.seconds.toFixed(2)} s (${x.plaid.ratio}x)`,
    )
    .join('; ');
  return [
    `Bank import, ${r.lines} lines, ${r.engine}`,
    row('CSV  ', r.csv),
    row('Plaid', r.plaid),
    `by size: ${curve}`,
    `peak RSS ${r.peakRssMb} MB`,
  ].join('\n');
}

export function parseImportBenchArgs(argv: readonly string[]): ImportBenchOptions {
  let lines = 50_000;
  let sizes: number[] | null = null;
  let seed = 7;
  let keep = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--lines') lines = Number(argv[(i += 1)]);
    else if (arg === '--sizes')
      sizes = (argv[(i += 1)] ?? '')
        .split(',')
        .filter((x) => x !== '')
        .map(Number);
    else if (arg === '--seed') seed = Number(argv[(i += 1)]);
    else if (arg === '--keep') keep = true;
    else throw new Error(`unknown option ${arg}`);
  }
  if (!Number.isInteger(lines) || lines < 1) throw new Error('--lines needs a positive integer');
  if (!Number.isInteger(seed)) throw new Error('--seed needs an integer');
  // By default the curve's smaller points are 1/8, 1/4 and 1/2 of the full size (none below 100 lines).
  const chosen = sizes ?? [8, 4, 2].map((d) => Math.floor(lines / d)).filter((n) => n >= 100);
  for (const n of chosen) {
    if (!Number.isInteger(n) || n < 1 || n >= lines) throw new Error(`--sizes needs positive integers below --lines (${lines})`);
  }
  return { lines, sizes: [...new Set(chosen)].sort((a, b) => a - b), seed, keep };
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) {
  const log = (line: string) => console.log(line);
  runImportBench(parseImportBenchArgs(process.argv.slice(2)), log).then(
    (result) => {
      log(formatImportBench(result));
      const file = path.join(repoRoot, 'bench-results', 'import-postgres.json');
      writeResultJson(file, result);
      log(`Wrote ${path.relative(repoRoot, file)}`);
      const curves: Curves = {};
      feedImportCurves(curves, result);
      for (const svg of writeCurves(file.replace(/\.json$/, ''), curves)) log(`Wrote ${path.relative(repoRoot, svg)}`);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = 1;
    },
  );
}
