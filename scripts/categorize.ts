/**
 * Categorization of expenses from JSON Lines: offline with the rules, or with
 * `--space <id>` first from that space's own history in the database.
 *
 * The whole input is validated before anything is printed, so a bad line
 * never leaves a partial result behind for a pipeline to consume: either every
 * line gets its answer on stdout, or stdout stays empty and stderr lists each
 * problem as "line N: ...".
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { categorize, categorizeWithRules, type CategorizationResult, type HistoryNeighbour } from '@wallai/categorize';
import { historyForDescriptions } from '@wallai/categorize/service';
import { transactionsAs } from '@wallai/db-client';
import { CATEGORY_KEYS } from '@wallai/domain';
import { CliDatabaseError, openCliDatabase, type CliDatabase } from './lib/cli-database.ts';

/** Progress is drawn only for inputs larger than this. */
export const PROGRESS_MIN_RECORDS = 1000;
/** More errors than this are summarized; nobody reads the 10 000th. */
const MAX_REPORTED_ERRORS = 20;
const OUTPUT_CHUNK = 1000;

export const USAGE = `Usage: npx tsx scripts/categorize.ts [--candidates a,b,c] [--space <space_id>] [file.jsonl | -]
   or: npm run categorize -- [options] [file.jsonl | -]

Categorizes expenses with Wallai's merchant and keyword rules (no AI). With
--space, each expense is first compared with the categorized expenses of that
space in the database (history), like the categorize-expense function does.
Reads JSON Lines from the file, or from stdin when the file is "-" or omitted:

  {"description": "SQ *BLUE BOTTLE COFFEE OAKLAND CA", "amount": 4.5}

and prints one line per input line, in the same order:

  {"category":"dining","confidence":0.84,"source":"rules"}

("source" is "history" when the space's own expenses decided.)

"description" is a required non-empty string; "amount" is optional but must
be a finite number when present; other fields are ignored. Blank lines are
skipped and produce no output.

The input is validated in full before any output: if a line is invalid,
nothing is printed to stdout, every problem is reported on stderr as
"line N: ..." and the exit code is 1.

Options:
  --candidates a,b,c  Category keys to choose from (default: all default
                      Wallai categories). "other" is the fallback when it is a
                      candidate, otherwise the first one.
  --space <space_id>  Use the history of this space: its nearest categorized
                      expenses by trigram similarity (pg_trgm), the ones whose
                      category a person or the categorizer set. Reads the
                      database at DATABASE_URL, else the embedded one in
                      .wallai/pglite (while \`npm run dev\` runs, pass
                      DATABASE_URL=postgresql://postgres:postgres@127.0.0.1:54322/postgres).
                      It reads as the service role: every expense of the space,
                      whoever may see it, and it never writes.
  -h, --help          Show this help.

Exit codes: 0 success, 1 invalid input, 2 usage error, unreadable file, or
database/space not usable.
A progress bar is drawn on stderr only when stderr is a terminal and the
input has more than ${PROGRESS_MIN_RECORDS} expenses.`;

export interface ExpenseLine {
  readonly line: number;
  readonly description: string;
  readonly amount: number | undefined;
}

export type ParseOutcome =
  { readonly ok: true; readonly records: readonly ExpenseLine[] } | { readonly ok: false; readonly errors: readonly string[] };

/** Parses and validates every line; line numbers are 1-based and count blank lines. */
export function parseExpenseLines(text: string): ParseOutcome {
  const records: ExpenseLine[] = [];
  const errors: string[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();

  lines.forEach((raw, index) => {
    const line = index + 1;
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (content.trim() === '') return;

    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (error) {
      errors.push(`line ${line}: invalid JSON (${(error as Error).message})`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      errors.push(`line ${line}: expected a JSON object like {"description": "...", "amount": 12.34}`);
      return;
    }
    const { description, amount } = value as Record<string, unknown>;
    if (typeof description !== 'string') {
      errors.push(`line ${line}: "description" must be a string`);
      return;
    }
    if (description.trim() === '') {
      errors.push(`line ${line}: "description" is empty`);
      return;
    }
    if (amount !== undefined && (typeof amount !== 'number' || !Number.isFinite(amount))) {
      errors.push(`line ${line}: "amount" must be a finite number when present`);
      return;
    }
    records.push({ line, description, amount });
  });

  return errors.length > 0 ? { ok: false, errors } : { ok: true, records };
}

export interface CliOptions {
  readonly file: string | null;
  readonly candidates: readonly string[];
  /** With a space id: the history step runs against the database. */
  readonly space: string | null;
  readonly help: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseCliArgs(argv: readonly string[]): CliOptions | { readonly error: string } {
  let file: string | null = null;
  let candidates: readonly string[] = CATEGORY_KEYS;
  let space: string | null = null;
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') help = true;
    else if (arg === '--candidates' || arg.startsWith('--candidates=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[(i += 1)];
      const list = (value ?? '')
        .split(',')
        .map((key) => key.trim())
        .filter((key) => key !== '');
      if (list.length === 0) return { error: '--candidates needs a comma-separated list of category keys' };
      candidates = [...new Set(list)];
    } else if (arg === '--space' || arg.startsWith('--space=')) {
      const value = (arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[(i += 1)]) ?? '';
      if (!UUID.test(value.trim())) return { error: `--space needs a space id (a uuid), got "${value}"` };
      space = value.trim().toLowerCase();
    } else if (arg === '-' || !arg.startsWith('-')) {
      if (file !== null) return { error: `only one input file is accepted (got "${file}" and "${arg}")` };
      file = arg;
    } else return { error: `unknown option ${arg}` };
  }
  return { file, candidates, space, help };
}

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly readFile: (file: string) => Promise<string>;
  /** Opens the database for --space; default: openHistoryDatabase(process.env). */
  readonly openDatabase?: () => Promise<CliDatabase>;
}

/** The database --space reads (see scripts/lib/cli-database.ts). */
export function openHistoryDatabase(env: Readonly<Record<string, string | undefined>>, dataDir?: string): Promise<CliDatabase> {
  return openCliDatabase(env, { command: 'categorize', missingPrefix: '--space needs a database: ', ...(dataDir ? { dataDir } : {}) });
}

/** The whole CLI; returns the exit code. */
export async function runCategorizeCli(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseCliArgs(argv);
  if ('error' in options) {
    io.stderr.write(`categorize: ${options.error}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (options.file === null && io.stdin.isTTY === true) {
    // Waiting silently on a terminal looks like a hang.
    io.stderr.write(`categorize: no input file and stdin is a terminal\n\n${USAGE}\n`);
    return 2;
  }

  let text: string;
  try {
    text = options.file === null || options.file === '-' ? await readStream(io.stdin) : await io.readFile(options.file);
  } catch (error) {
    io.stderr.write(`categorize: cannot read ${options.file ?? 'stdin'}: ${(error as Error).message}\n`);
    return 2;
  }

  const parsed = parseExpenseLines(text);
  if (!parsed.ok) {
    for (const message of parsed.errors.slice(0, MAX_REPORTED_ERRORS)) io.stderr.write(`${message}\n`);
    const hidden = parsed.errors.length - MAX_REPORTED_ERRORS;
    if (hidden > 0) io.stderr.write(`... and ${hidden} more invalid line${hidden === 1 ? '' : 's'}\n`);
    io.stderr.write(`categorize: ${parsed.errors.length} invalid line(s); nothing was categorized\n`);
    return 1;
  }

  let history: HistoryNeighbour[][] | null = null;
  if (options.space !== null) {
    const loaded = await loadHistory(io, options.space, parsed.records);
    if (typeof loaded === 'number') return loaded;
    history = loaded;
  }

  const progress =
    io.stderr.isTTY === true && parsed.records.length > PROGRESS_MIN_RECORDS ? createProgress(io.stderr, parsed.records.length) : null;
  let chunk: string[] = [];
  for (const [index, record] of parsed.records.entries()) {
    const input =
      record.amount === undefined ? { description: record.description } : { description: record.description, amount: record.amount };
    const neighbours = history?.[index];
    const result: CategorizationResult =
      neighbours === undefined
        ? categorizeWithRules(input, { candidates: options.candidates })
        : await categorize(input, { candidates: options.candidates, history: async () => neighbours });
    chunk.push(JSON.stringify({ category: result.category, confidence: result.confidence, source: result.source }));
    if (chunk.length === OUTPUT_CHUNK) {
      await write(io.stdout, `${chunk.join('\n')}\n`);
      chunk = [];
    }
    progress?.update(index + 1);
  }
  if (chunk.length > 0) await write(io.stdout, `${chunk.join('\n')}\n`);
  progress?.done();
  return 0;
}

/** The space's history for every record, or an exit code after reporting why it is unavailable. */
async function loadHistory(io: CliIo, spaceId: string, records: readonly ExpenseLine[]): Promise<HistoryNeighbour[][] | number> {
  let database: CliDatabase;
  try {
    database = await (io.openDatabase ?? (() => openHistoryDatabase(process.env)))();
  } catch (error) {
    const message = error instanceof CliDatabaseError ? error.message : `cannot open the database: ${(error as Error).message}`;
    io.stderr.write(`categorize: ${message}\n`);
    return 2;
  }
  try {
    const [space] = await database.client.query<{ found: boolean }>(
      'select exists (select 1 from public.spaces where id = $1::uuid) as found',
      [spaceId],
    );
    if (space?.found !== true) {
      io.stderr.write(`categorize: no space ${spaceId} in ${database.label}\n`);
      return 2;
    }
    const progress =
      io.stderr.isTTY === true && records.length > PROGRESS_MIN_RECORDS ? createProgress(io.stderr, records.length, 'history') : null;
    // The service role, explicitly: the CLI is an operator's tool with no
    // signed-in user, and it only reads.
    const history = await transactionsAs(database.client, { role: 'service_role' })((query) =>
      historyForDescriptions(
        query,
        spaceId,
        records.map((r) => r.description),
        (done) => progress?.update(done),
      ),
    );
    progress?.done();
    return history;
  } catch (error) {
    io.stderr.write(`categorize: reading the history of space ${spaceId} failed: ${(error as Error).message}\n`);
    return 2;
  } finally {
    await database.close();
  }
}

function createProgress(
  stream: NodeJS.WritableStream & { readonly columns?: number },
  total: number,
  label = '',
): { update(done: number): void; done(): void } {
  let lastPercent = -1;
  return {
    update(done) {
      const percent = Math.floor((done / total) * 100);
      if (percent === lastPercent) return;
      lastPercent = percent;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 40));
      const filled = Math.round((percent / 100) * width);
      stream.write(
        `\r${label ? `${label} ` : ''}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${done}/${total}`,
      );
    },
    done() {
      stream.write('\r\u001b[2K');
    },
  };
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) {
  runCategorizeCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    readFile: (file) => readFile(file, 'utf8'),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`categorize: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
