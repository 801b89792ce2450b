/**
 * `npm run import -- <file> --space <uuid> [--user <uuid>] [--format ...] [--dry-run] [--json]`:
 * a bank file imported into a space, acting as a person of that space (RLS
 * applies, as for a supabase-js client), through the same service as the
 * import-transactions function. Progress on stderr, the report on stdout.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openBankFile, type ByteSource } from '@wallai/bank-formats';
import type { ImportReport } from '@wallai/bank-import';
import { ImportRefused, importFile, type OpenFile, type Transact } from '@wallai/bank-import/service';
import { transactionsAs, type SqlClient } from '@wallai/db-client';
import { CliDatabaseError, openCliDatabase, type CliDatabase } from './lib/cli-database.ts';

export const USAGE = `Usage: npm run import -- <file> --space <space_id> [--user <user_id>] [--format auto|plaid|csv|ofx|qif|camt053]
                          [--rate CUR=rate ...] [--dry-run] [--json]

Imports a bank file (CSV/TSV, OFX/QFX, QIF, CAMT.053, or a JSON array of Plaid
/transactions/sync or /transactions/get response bodies) into a space: each
line is a bank_transactions row, spending lines become categorized expenses,
exact duplicates of what the space already has are recognized and skipped.

  --space <id>     the space to import into (required)
  --user <id>      who imports (a member, admin or owner of the space); default the space's owner.
                   The import runs as this person: row-level security decides.
  --format <f>     read the file as this format instead of detecting it from the content
  --rate CUR=r     an exchange rate for lines in another currency than the space's
                   (units of the space currency per 1 CUR); lines without one are held back
  --dry-run        the same report, nothing written
  --json           the report as JSON on stdout (status, counts, detection, errors, rows)

Reads the database at DATABASE_URL, else the embedded one in .wallai/pglite.
Exit codes: 0 the import completed (invalid rows are reported, not fatal);
1 it failed and nothing was written; 2 usage error, unreadable file, no
database, or a space the person cannot import into.`;

const FORMATS = ['auto', 'plaid', 'csv', 'ofx', 'qif', 'camt053'] as const;
type FormatArg = (typeof FORMATS)[number];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ImportArgs {
  readonly file: string;
  readonly space: string;
  readonly user: string | null;
  readonly format: FormatArg;
  readonly rates: Readonly<Record<string, number>>;
  readonly dryRun: boolean;
  readonly json: boolean;
}

export function parseImportArgs(argv: readonly string[]): ImportArgs | { readonly help: true } | { readonly error: string } {
  let file: string | null = null;
  let space: string | null = null;
  let user: string | null = null;
  let format: FormatArg = 'auto';
  const rates: Record<string, number> = {};
  let dryRun = false;
  let json = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const value = () => (arg.startsWith('--') && arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (argv[(i += 1)] ?? ''));
    const name = arg.startsWith('--') ? arg.split('=')[0] : arg;
    if (arg === '-h' || arg === '--help') return { help: true };
    else if (name === '--space') {
      const v = value().trim();
      if (!UUID.test(v)) return { error: `--space needs a space id (a uuid), got "${v}"` };
      space = v.toLowerCase();
    } else if (name === '--user') {
      const v = value().trim();
      if (!UUID.test(v)) return { error: `--user needs a user id (a uuid), got "${v}"` };
      user = v.toLowerCase();
    } else if (name === '--format') {
      const v = value().trim() as FormatArg;
      if (!FORMATS.includes(v)) return { error: `--format must be one of ${FORMATS.join(', ')}, got "${v}"` };
      format = v;
    } else if (name === '--rate') {
      const v = value();
      const match = /^([A-Za-z]{3})=(\d+(?:\.\d+)?)$/.exec(v.trim());
      if (match === null || !(Number(match[2]) > 0)) return { error: `--rate takes CUR=rate, e.g. EUR=1.08, got "${v}"` };
      rates[match[1]!.toUpperCase()] = Number(match[2]);
    } else if (arg === '--dry-run') dryRun = true;
    else if (arg === '--json') json = true;
    else if (!arg.startsWith('-')) {
      if (file !== null) return { error: `only one file is accepted (got "${file}" and "${arg}")` };
      file = arg;
    } else return { error: `unknown option ${arg}` };
  }
  if (file === null) return { error: 'no file given' };
  if (space === null) return { error: '--space is required' };
  return { file, space, user, format, rates, dryRun, json };
}

/** DATABASE_URL, else the embedded database (see scripts/lib/cli-database.ts). */
export function openImportDatabase(env: Readonly<Record<string, string | undefined>>, dataDir?: string): Promise<CliDatabase> {
  return openCliDatabase(env, { command: 'import', ...(dataDir ? { dataDir } : {}) });
}

export interface ImportIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** The file to import and its size; a function source is read as a stream (never held whole). */
  readonly openSource: (file: string) => Promise<{ source: ByteSource; size: number }>;
  readonly openDatabase?: () => Promise<CliDatabase>;
  readonly openFile?: OpenFile;
}

export async function runImportCli(argv: readonly string[], io: ImportIo): Promise<number> {
  const args = parseImportArgs(argv);
  if ('help' in args) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ('error' in args) {
    io.stderr.write(`import: ${args.error}\n\n${USAGE}\n`);
    return 2;
  }
  let file: { source: ByteSource; size: number };
  try {
    file = await io.openSource(args.file);
  } catch (error) {
    io.stderr.write(`import: cannot read ${args.file}: ${(error as Error).message}\n`);
    return 2;
  }
  let database: CliDatabase;
  try {
    database = await (io.openDatabase ?? (() => openImportDatabase(process.env)))();
  } catch (error) {
    io.stderr.write(
      `import: ${error instanceof CliDatabaseError ? error.message : `cannot open the database: ${(error as Error).message}`}\n`,
    );
    return 2;
  }
  try {
    const userId = args.user ?? (await ownerOf(database.client, args.space));
    if (userId === null) {
      io.stderr.write(`import: no space ${args.space} in ${database.label}\n`);
      return 2;
    }
    const transact = transactionsAs(database.client, { role: 'authenticated', sub: userId, aud: 'authenticated' }) as Transact;
    const progress = io.stderr.isTTY === true ? createProgress(io.stderr) : null;
    let report: ImportReport;
    try {
      report = await importFile(transact, io.openFile ?? openBankFile, file.source, {
        fileSize: file.size,
        spaceId: args.space,
        fileName: path.basename(args.file),
        format: args.format,
        dryRun: args.dryRun,
        exchangeRates: args.rates,
        onProgress: (done, total) => progress?.update(done, total),
      });
    } catch (error) {
      if (error instanceof ImportRefused) {
        io.stderr.write(`import: ${error.message}\n`);
        return 2;
      }
      throw error;
    } finally {
      progress?.done();
    }
    io.stdout.write(args.json ? `${JSON.stringify(jsonReport(report), null, 2)}\n` : summary(report));
    return report.status === 'completed' ? 0 : 1;
  } finally {
    await database.close();
  }
}

/** The JSON report: top-level status, counts, detection, errors, rows (and the rest of the report after them). */
export function jsonReport(report: ImportReport): Record<string, unknown> {
  const { status, counts, detection, errors, rows, ...rest } = report;
  return { status, counts, detection, errors, rows, ...rest };
}

/** The default space's owner: who imports when --user is not given (read as the service role). */
async function ownerOf(client: SqlClient, spaceId: string): Promise<string | null> {
  const rows = await transactionsAs(client, { role: 'service_role' })((query) =>
    query<{ user_id: string }>(
      `select user_id from public.space_members where space_id = $1::uuid and role = 'owner' and is_active order by joined_at limit 1`,
      [spaceId],
    ),
  );
  return rows[0]?.user_id ?? null;
}

/** A report for people: what happened, what was detected, every rejected row with its code. */
export function summary(report: ImportReport): string {
  const c = report.counts;
  const out: string[] = [];
  const title = report.dry_run ? 'Dry run (nothing written)' : `Import ${report.import_id ?? ''}`.trim();
  out.push(`${title}: ${report.status}${report.failure ? ` (${report.failure.code}: ${report.failure.message})` : ''}`);
  out.push(`  format ${report.format ?? 'unknown'}`);
  out.push(
    `  rows ${c.rows}: ${c.added} added, ${c.updated} updated, ${c.removed} removed, ${c.unchanged} unchanged, ${c.duplicates} duplicates, ${c.invalid} invalid; ${report.expenses_created} expenses created`,
  );
  const detection = Object.entries(report.detection).filter(([, v]) => v !== null && typeof v === 'object' && 'value' in (v as object));
  if (detection.length > 0) {
    out.push('  detected:');
    for (const [name, value] of detection) {
      const d = value as { value: unknown; evidence?: string; ambiguous?: boolean };
      out.push(`    ${name}: ${JSON.stringify(d.value)}${d.ambiguous ? ' (ambiguous)' : ''}${d.evidence ? ` (${d.evidence})` : ''}`);
    }
  }
  if (report.errors.length > 0) {
    out.push(`  issues (${report.errors.length}):`);
    for (const e of report.errors) out.push(`    ${e.row === null ? 'file' : `row ${e.row}`}: ${e.severity} ${e.code}: ${e.error}`);
  }
  return `${out.join('\n')}\n`;
}

function createProgress(stream: NodeJS.WritableStream & { readonly columns?: number }): {
  update(done: number, total: number): void;
  done(): void;
} {
  let lastPercent = -1;
  return {
    update(done, total) {
      if (total === 0) {
        // A streamed file: how far is not known until it is read.
        stream.write(`\rimport ${done} lines`);
        lastPercent = 0;
        return;
      }
      const percent = Math.floor((done / total) * 100);
      if (percent === lastPercent) return;
      lastPercent = percent;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 40));
      const filled = Math.round((percent / 100) * width);
      stream.write(`\rimport [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${done}/${total}`);
    },
    done() {
      if (lastPercent >= 0) stream.write('\r\u001b[2K');
    },
  };
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) {
  runImportCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    openSource: async (file) => {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      return { source: () => createReadStream(file), size: info.size };
    },
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`import: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
