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
import { Prng } from './prng.ts';
import { machineInfo } from './run.ts';
import { openBenchTarget } from './target.ts';

export interface ImportBenchOptions {
  readonly lines: number;
  readonly seed: number;
  readonly keep: boolean;
}

const MERCHANTS: ReadonlyArray<readonly [string, number, number, string]> = [
  ['WHOLE FOODS MARKET #10234', 2000, 14000, 'FOOD_AND_DRINK_GROCERIES'],
  ['TRADER JOES #552', 1500, 9000, 'FOOD_AND_DRINK_GROCERIES'],
  ['SAFEWAY 1234', 1200, 11000, 'FOOD_AND_DRINK_GROCERIES'],
  ['BLUE BOTTLE COFFEE', 350, 900, 'FOOD_AND_DRINK_COFFEE'],
  ['STARBUCKS STORE 0441', 300, 1200, 'FOOD_AND_DRINK_COFFEE'],
  ['CHIPOTLE 1789', 900, 2500, 'FOOD_AND_DRINK_FAST_FOOD'],
  ['UBER *TRIP HELP.UBER.COM', 700, 4500, 'TRANSPORTATION_TAXIS_AND_RIDE_SHARES'],
  ['SHELL OIL 5521', 2500, 7000, 'TRANSPORTATION_GAS'],
  ['NETFLIX.COM', 1549, 1549, 'ENTERTAINMENT_TV_AND_MOVIES'],
  ['SPOTIFY USA', 1199, 1199, 'ENTERTAINMENT_MUSIC_AND_AUDIO'],
  ['AMAZON MKTPLACE PMTS', 800, 12000, 'GENERAL_MERCHANDISE_ONLINE_MARKETPLACES'],
  ['TARGET 00123', 1500, 9000, 'GENERAL_MERCHANDISE_SUPERSTORES'],
  ['CVS/PHARMACY #1234', 600, 4000, 'MEDICAL_PHARMACIES_AND_SUPPLEMENTS'],
  ['PG&E WEB ONLINE', 6000, 18000, 'RENT_AND_UTILITIES_GAS_AND_ELECTRICITY'],
  ['COMCAST CABLE', 7999, 7999, 'RENT_AND_UTILITIES_INTERNET_AND_CABLE'],
  ['DELTA AIR LINES', 15000, 60000, 'TRAVEL_FLIGHTS'],
];

interface GeneratedLine {
  readonly date: string;
  readonly description: string;
  /** Plaid sign: positive = money out. */
  readonly cents: number;
  readonly category: string;
}

/** N lines over the last 12 months: ~88% purchases (some identical on the same day), salaries, transfers. */
export function generateLines(count: number, seed: number): GeneratedLine[] {
  const prng = new Prng(seed);
  const start = Date.UTC(2025, 0, 1);
  const lines: GeneratedLine[] = [];
  while (lines.length < count) {
    const date = new Date(start + prng.int(0, 364) * 86_400_000).toISOString().slice(0, 10);
    const roll = prng.next();
    if (roll < 0.06) lines.push({ date, description: 'ACME CORP PAYROLL', cents: -prng.int(200_000, 450_000), category: 'INCOME_WAGES' });
    else if (roll < 0.12) lines.push({ date, description: 'ONLINE TRANSFER TO SAVINGS', cents: prng.int(5_000, 80_000), category: 'TRANSFER_OUT_SAVINGS' });
    else {
      const [description, low, high, category] = MERCHANTS[prng.int(0, MERCHANTS.length - 1)]!;
      const line = { date, description: `${description}${prng.next() < 0.5 ? '' : ` ${prng.int(1, 400)}`}`, cents: prng.int(low, high), category };
      lines.push(line);
      // Identical real purchases: the same coffee twice on one day.
      if (prng.next() < 0.03 && lines.length < count) lines.push({ ...line });
    }
  }
  return lines.slice(0, count);
}

const money = (cents: number): string => (cents / 100).toFixed(2);

/** A bank CSV export: signed amounts, money out negative. */
export function csvFile(lines: readonly GeneratedLine[]): string {
  const rows = ['Date,Description,Amount,Category'];
  for (const l of lines) rows.push(`${l.date},"${l.description}",${money(-l.cents)},${l.category}`);
  return `${rows.join('\n')}\n`;
}

/** A JSON array of /transactions/sync bodies, 500 transactions a page. */
export function plaidFile(lines: readonly GeneratedLine[], seed: number): string {
  const account = {
    account_id: `bench-acc-${seed}`,
    name: 'Everyday Checking',
    official_name: 'Plaid Gold Standard 0% Interest Checking',
    mask: '0000',
    type: 'depository',
    subtype: 'checking',
    balances: { current: 12345.67, available: 12000, limit: null, iso_currency_code: 'USD', unofficial_currency_code: null },
  };
  const pages: unknown[] = [];
  for (let start = 0; start < lines.length; start += 500) {
    const chunk = lines.slice(start, start + 500);
    pages.push({
      accounts: [account],
      added: chunk.map((l, i) => ({
        transaction_id: `bench-${seed}-${start + i}`,
        account_id: account.account_id,
        amount: l.cents / 100,
        iso_currency_code: 'USD',
        unofficial_currency_code: null,
        date: l.date,
        authorized_date: l.date,
        name: l.description,
        merchant_name: null,
        pending: false,
        pending_transaction_id: null,
        payment_channel: 'in store',
        personal_finance_category: { primary: l.category.split('_').slice(0, 2).join('_'), detailed: l.category },
      })),
      modified: [],
      removed: [],
      next_cursor: `cursor-${start + 500}`,
      has_more: start + 500 < lines.length,
      request_id: `bench-${start}`,
    });
  }
  return JSON.stringify(pages);
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
  return { seconds, rows: report.counts.rows, added: report.counts.added, updated: report.counts.updated, unchanged: report.counts.unchanged, status: report.status };
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
    const columns = (await db.query<{ name: string }>(
      `select attname as name from pg_attribute where attrelid = 'public.expenses'::regclass and attnum > 0 and not attisdropped and attgenerated = '' order by attnum`,
    )).map((c) => c.name).join(', ');
    const expenses = await sql.unsafe(`copy (select ${columns} from public.expenses where space_id = '${spaceId}') to stdout`).readable();
    const expenseText = await collect(expenses);
    const started = performance.now();
    await write(await sql.unsafe(`copy public.bench_bank_bare from stdin`).writable(), bankText);
    await write(await sql.unsafe(`copy public.bench_expenses_bare (${columns}) from stdin`).writable(), expenseText);
    const seconds = (performance.now() - started) / 1000;
    const [count] = await db.query<{ n: number }>(`select (select count(*) from public.bench_bank_bare) + (select count(*) from public.bench_expenses_bare) as n`);
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
  if (!serverUrl) throw new Error('bench:import measures PostgreSQL: set DATABASE_URL (the issue\'s targets are for PostgreSQL 15)');
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
    return { engine, machine: machineInfo(), lines: options.lines, csv: results.csv!, plaid: results.plaid!, peakRssMb: Math.round(peakRss / 1e6) };
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
  return [`Bank import, ${r.lines} lines, ${r.engine}`, row('CSV  ', r.csv), row('Plaid', r.plaid), `peak RSS ${r.peakRssMb} MB`].join('\n');
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
