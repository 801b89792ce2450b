/**
 * npm run bench:import: the bank import at scale, on PostgreSQL (DATABASE_URL).
 *
 *   DATABASE_URL=postgres://… npm run bench:import [-- --lines 50000] [--seed 7] [--keep]
 *
 * In a fresh database: a generated CSV and a generated Plaid /transactions/sync
 * file of N lines each (realistic merchants and amounts, identical real
 * purchases, income and transfers), each imported as the space's owner through
 * the same service as `npm run import` (parse, dedupe, categorize, expenses,
 * budget links, activity log; one transaction), then replayed (0 rows
 * changed expected). The baseline is a bare COPY of the very rows the import
 * wrote into unindexed, trigger-free copies of bank_transactions and expenses.
 * Targets (issue 10): each import < 30 s and < 3x the COPY; replay < 5 s.
 * Writes bench-results/import-postgres.json.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseBankFile } from '@wallai/bank-formats';
import type { ImportReport } from '@wallai/bank-import';
import { importFile, type Transact } from '@wallai/bank-import/service';
import { repoRoot, transactionsAs, type SqlClient } from '@wallai/db-client';
import { createSpace } from '@wallai/testing';
import postgres from 'postgres';
import { csvFile, generateLines, plaidFile } from './import-data.ts';
import { machineInfo } from './run.ts';
import { openBenchTarget } from './target.ts';

export interface ImportBenchOptions {
  readonly lines: number;
  readonly seed: number;
  readonly keep: boolean;
}

export interface ImportRun {
  readonly seconds: number;
  readonly rows: number;
  readonly added: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly status: string;
}

function runOf(report: ImportReport, seconds: number): ImportRun {
  return {
    seconds,
    rows: report.counts.rows,
    added: report.counts.added,
    updated: report.counts.updated,
    unchanged: report.counts.unchanged,
    status: report.status,
  };
}

async function timedImport(transact: Transact, spaceId: string, bytes: Uint8Array, fileName: string): Promise<ImportRun> {
  const started = performance.now();
  const report = await importFile(transact, parseBankFile, bytes, { spaceId, fileName });
  const seconds = (performance.now() - started) / 1000;
  if (report.status !== 'completed') throw new Error(`${fileName}: import ${report.status}: ${report.failure?.message ?? ''}`);
  return runOf(report, seconds);
}

/** Seconds to COPY the space's imported rows into bare (no index, no trigger, no constraint) copies of the two tables. */
async function bareCopySeconds(url: string, db: SqlClient, spaceId: string): Promise<{ seconds: number; rows: number }> {
  await db.exec(`
    drop table if exists public.bench_bank_bare; drop table if exists public.bench_expenses_bare;
    create table public.bench_bank_bare (like public.bank_transactions including defaults);
    create table public.bench_expenses_bare (like public.expenses including defaults);`);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const bank = await sql.unsafe(`copy (select * from public.bank_transactions where space_id = '${spaceId}') to stdout`).readable();
    const bankText = await collect(bank);
    // base_amount is generated: COPY every other column.
    const columns = (
      await db.query<{ name: string }>(
        `select attname as name from pg_attribute where attrelid = 'public.expenses'::regclass and attnum > 0 and not attisdropped and attgenerated = '' order by attnum`,
      )
    )
      .map((c) => c.name)
      .join(', ');
    const expenses = await sql.unsafe(`copy (select ${columns} from public.expenses where space_id = '${spaceId}') to stdout`).readable();
    const expenseText = await collect(expenses);
    const started = performance.now();
    await write(await sql.unsafe(`copy public.bench_bank_bare from stdin`).writable(), bankText);
    await write(await sql.unsafe(`copy public.bench_expenses_bare (${columns}) from stdin`).writable(), expenseText);
    const seconds = (performance.now() - started) / 1000;
    const [count] = await db.query<{ n: number }>(
      `select (select count(*) from public.bench_bank_bare) + (select count(*) from public.bench_expenses_bare) as n`,
    );
    return { seconds, rows: Number(count?.n ?? 0) };
  } finally {
    await sql.end({ timeout: 5 });
  }
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
  readonly lines: number;
  readonly csv: { import: ImportRun; replay: ImportRun; copy: { seconds: number; rows: number }; ratio: number };
  readonly plaid: { import: ImportRun; replay: ImportRun; copy: { seconds: number; rows: number }; ratio: number };
  readonly peakRssMb: number;
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
    const lines = generateLines(options.lines, options.seed);
    const kinds = { csv: csvFile(lines), plaid: plaidFile(lines, options.seed) } as const;
    const results: Record<string, ImportBenchResult['csv']> = {};
    for (const kind of ['csv', 'plaid'] as const) {
      const space = await createSpace(db, { name: `Bench ${kind}` });
      const transact = transactionsAs(db, { role: 'authenticated', sub: space.owner.id, aud: 'authenticated' }) as Transact;
      const bytes = new TextEncoder().encode(kinds[kind]);
      log(`${kind}: importing ${lines.length} lines (${(bytes.length / 1e6).toFixed(1)} MB)…`);
      const first = await timedImport(transact, space.id, bytes, `bench.${kind === 'csv' ? 'csv' : 'json'}`);
      log(`  ${first.seconds.toFixed(2)} s, ${first.added} added`);
      const replay = await timedImport(transact, space.id, bytes, `bench.${kind === 'csv' ? 'csv' : 'json'}`);
      log(`  replay ${replay.seconds.toFixed(2)} s, ${replay.added} added, ${replay.updated} updated, ${replay.unchanged} unchanged`);
      const copy = await bareCopySeconds(target.url!, db, space.id);
      log(`  bare COPY of the ${copy.rows} rows written: ${copy.seconds.toFixed(2)} s`);
      results[kind] = { import: first, replay, copy, ratio: Math.round((first.seconds / copy.seconds) * 100) / 100 };
    }
    return {
      engine,
      machine: machineInfo(),
      lines: options.lines,
      csv: results.csv!,
      plaid: results.plaid!,
      peakRssMb: Math.round(peakRss / 1e6),
    };
  } finally {
    clearInterval(sample);
    await target.close();
  }
}

export function formatImportBench(r: ImportBenchResult): string {
  const row = (name: string, x: ImportBenchResult['csv']) =>
    [
      `${name}: import ${x.import.seconds.toFixed(2)} s (target < 30 s: ${x.import.seconds < 30 ? 'PASS' : 'FAIL'}), ` +
        `${x.ratio}x a bare COPY of ${x.copy.rows} rows in ${x.copy.seconds.toFixed(2)} s (target < 3x: ${x.ratio < 3 ? 'PASS' : 'FAIL'})`,
      `      replay ${x.replay.seconds.toFixed(2)} s, ${x.replay.added + x.replay.updated} rows changed ` +
        `(target < 5 s and 0: ${x.replay.seconds < 5 && x.replay.added + x.replay.updated === 0 ? 'PASS' : 'FAIL'})`,
    ].join('\n');
  return [`Bank import, ${r.lines} lines, ${r.engine}`, row('CSV  ', r.csv), row('Plaid', r.plaid), `peak RSS ${r.peakRssMb} MB`].join(
    '\n',
  );
}

function parseArgs(argv: readonly string[]): ImportBenchOptions {
  let lines = 50_000;
  let seed = 7;
  let keep = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--lines') lines = Number(argv[(i += 1)]);
    else if (arg === '--seed') seed = Number(argv[(i += 1)]);
    else if (arg === '--keep') keep = true;
    else throw new Error(`unknown option ${arg}`);
  }
  if (!Number.isInteger(lines) || lines < 1) throw new Error('--lines needs a positive integer');
  return { lines, seed, keep };
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) {
  const log = (line: string) => console.log(line);
  runImportBench(parseArgs(process.argv.slice(2)), log).then(
    (result) => {
      log(formatImportBench(result));
      const file = path.join(repoRoot, 'bench-results', 'import-postgres.json');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(`${file}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
      renameSync(`${file}.tmp`, file);
      log(`Wrote ${path.relative(repoRoot, file)}`);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = 1;
    },
  );
}
