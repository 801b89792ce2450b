/**
 * The apply service: a parsed bank import (any format, or Plaid sync walks)
 * written into a space, through a transaction runner its caller provides
 * (acting as the signed-in user, so RLS decides, or explicitly as the service
 * role). It runs in Node and Deno and opens no connection.
 *
 * Lifecycle of the imports row, each step its own transaction:
 *   1. `pending`: the row is created (the caller may store the original file now);
 *   2. `processing`;
 *   3. one transaction applies every line and marks the row `completed` with
 *      its report: all of it or nothing;
 *   4. if 3 failed, its transaction rolled back (no bank rows, no expenses) and
 *      the row is marked `failed` with the reason in a transaction of its own.
 * A dry run runs 1 and 3 in one transaction that always rolls back: the same
 * report, nothing written.
 */
import { categorize, normalizeDescriptor, type HistoryNeighbour } from '@wallai/categorize';
import { candidatesFrom, historyForDescriptions, type Query, type Transact } from '@wallai/categorize/service';
import { centsToDecimal } from '@wallai/domain';
import { numberOccurrences } from './dedupe.ts';
import { categoryFromProvider, HINT_CONFIDENCE } from './hint.ts';
import { invalidRows, issue } from './issues.ts';
import { classifyLine } from './kind.ts';
import { netWalk } from './plaid.ts';
import type {
  AccountType,
  ImportAccount,
  ImportFormat,
  ImportInput,
  ImportLine,
  ImportReport,
  LineKind,
  Match,
  RemovedLine,
  ReportCounts,
  ReportIssue,
  RowMatch,
  StreamItem,
} from './types.ts';

export type { Query, Transact };

/** Lines per round trip. */
export const BATCH = 500;

export interface ApplyOptions {
  readonly spaceId: string;
  readonly fileName: string;
  readonly fileSize?: number;
  readonly dryRun?: boolean;
  /** The id to give the imports row (so the caller can name the stored file before it exists); a new uuid otherwise. */
  readonly importId?: string;
  /** Where the original file is (storage_key in the imports bucket), when the caller stored it. */
  readonly storageKey?: string | null;
  /** Units of the space currency per unit of another currency (decision 0004); lines in a currency without one are held back. */
  readonly exchangeRates?: Readonly<Record<string, number | string>>;
  /** Acting as the service role: who pays the expenses (expenses.created_by). Ignored for a signed-in user, who is the payer. */
  readonly payerId?: string | null;
  /** Confidence at which a categorizer step's answer is accepted. */
  readonly threshold?: number;
  /**
   * Runs once the pending row is committed (so storage policies see it): stores
   * the original file and answers its storage key, or null when it could not
   * (the import goes on, with an `original_not_stored` warning).
   */
  readonly storeOriginal?: (importId: string) => Promise<string | null>;
  /** Hears how many lines of how many are done (total 0: a streamed file, still being read). */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Runs in the applying transaction, after the lines and before the row is
   * marked completed (Plaid sync stores its cursor here): its writes commit
   * with the import's or not at all.
   */
  readonly beforeComplete?: (query: Query, report: Omit<ImportReport, 'status' | 'failure'>) => Promise<void>;
}

/** Refused before anything was written: the space does not exist for the caller (404) or they cannot write to it (403). */
export class ImportRefused extends Error {
  override name = 'ImportRefused';
  constructor(
    readonly code: 'space_not_found' | 'space_not_writable',
    message: string,
  ) {
    super(message);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A file no format could read: recorded as a failed import (file_type null) with the reason. */
export async function recordUnreadable(
  transact: Transact,
  options: Pick<ApplyOptions, 'spaceId' | 'fileName' | 'fileSize' | 'dryRun' | 'importId'> & { readonly format?: ImportFormat | null },
  failure: { readonly code: string; readonly message: string },
  issues: readonly ReportIssue[] = [],
): Promise<ImportReport> {
  const importId = options.importId ?? crypto.randomUUID();
  const report: ImportReport = {
    import_id: options.dryRun ? null : importId,
    status: 'failed',
    dry_run: options.dryRun === true,
    format: options.format ?? null,
    counts: emptyCounts(),
    detection: {},
    errors: [...issues, issue(failure.code, failure.message, { type: 'file' })],
    rows: [],
    expenses_created: 0,
    failure,
  };
  await transact(async (query) => {
    await checkSpace(query, options.spaceId);
    if (options.dryRun) return;
    await query(
      `insert into public.imports (id, space_id, file_name, file_size, file_type) values ($1::uuid, $2::uuid, $3, $4::bigint, $5)`,
      [importId, options.spaceId, fileNameOf(options.fileName), options.fileSize ?? 0, options.format ?? null],
    );
    await markFailed(query, importId, report);
  });
  return report;
}

/**
 * Applies the import. Resolves with the report, status `completed` or
 * `failed` (a database error mid-way: nothing of it kept); throws
 * ImportRefused when the caller cannot write to the space (nothing written).
 */
export async function applyImport(transact: Transact, input: ImportInput, options: ApplyOptions): Promise<ImportReport> {
  const importId = options.importId ?? crypto.randomUUID();
  if (!UUID.test(importId)) throw new TypeError(`importId must be a uuid, got ${importId}`);
  const createRow = async (query: Query, status: 'pending' | 'processing') => {
    await checkSpace(query, options.spaceId);
    await query(
      `insert into public.imports (id, space_id, source, file_name, file_size, file_type, storage_bucket, storage_key)
       values ($1::uuid, $2::uuid, $3, $4, $5::bigint, $6, $7, $8)`,
      [
        importId,
        options.spaceId,
        input.source ?? 'file',
        fileNameOf(options.fileName),
        options.fileSize ?? 0,
        input.format,
        options.storageKey ? 'imports' : null,
        options.storageKey ?? null,
      ],
    );
    if (status === 'processing') await query(`update public.imports set status = 'processing' where id = $1::uuid`, [importId]);
  };

  if (options.dryRun) {
    try {
      await transact(async (query) => {
        await createRow(query, 'processing');
        const applied = await applyLines(query, input, importId, options, []);
        throw new DryRunDone(applied);
      });
    } catch (error) {
      if (error instanceof DryRunDone) return { ...error.report, import_id: null, dry_run: true, status: 'completed', failure: null };
      if (error instanceof ImportRefused) throw error;
      return failedReport(input, [], null, true, error);
    }
    throw new Error('unreachable: a dry run always rolls back');
  }

  await transact((query) => createRow(query, 'pending'));
  let storageKey: string | null = null;
  let storageIssue: ReportIssue | null = null;
  if (options.storeOriginal) {
    try {
      storageKey = await options.storeOriginal(importId);
    } catch (error) {
      storageKey = null;
      storageIssue = issue(
        'original_not_stored',
        `the original file could not be stored: ${error instanceof Error ? error.message : String(error)}`,
        {
          type: 'file',
          severity: 'warning',
        },
      );
    }
  }
  await transact(async (query) => {
    await query(
      `update public.imports set status = 'processing', storage_bucket = coalesce($2, storage_bucket), storage_key = coalesce($3, storage_key)
        where id = $1::uuid`,
      [importId, storageKey === null ? null : 'imports', storageKey],
    );
  });
  const extraIssues = storageIssue === null ? [] : [storageIssue];
  try {
    return await transact(async (query) => {
      const applied = await applyLines(query, input, importId, options, extraIssues);
      await options.beforeComplete?.(query, applied);
      const report: ImportReport = { ...applied, status: 'completed', failure: null };
      await query(
        `update public.imports
            set status = 'completed', processed_at = now(), detection = $2::text::jsonb, validation_errors = $3::text::jsonb,
                row_matches = $4::text::jsonb, row_count = $5, added_count = $6, updated_count = $7, removed_count = $8,
                unchanged_count = $9, duplicate_count = $10, invalid_count = $11
          where id = $1::uuid`,
        [
          importId,
          JSON.stringify(report.detection),
          JSON.stringify(report.errors),
          JSON.stringify(report.rows),
          report.counts.rows,
          report.counts.added,
          report.counts.updated,
          report.counts.removed,
          report.counts.unchanged,
          report.counts.duplicates,
          report.counts.invalid,
        ],
      );
      return report;
    });
  } catch (error) {
    const report = failedReport(input, extraIssues, importId, false, error);
    await transact((query) => markFailed(query, importId, report));
    return report;
  }
}

class DryRunDone extends Error {
  constructor(readonly report: Omit<ImportReport, 'status' | 'failure'>) {
    super('dry run: rolled back');
  }
}

function failedReport(
  input: ImportInput,
  extraIssues: readonly ReportIssue[],
  importId: string | null,
  dryRun: boolean,
  error: unknown,
): ImportReport {
  const failure = failureOf(error);
  const issues = [...input.issues, ...extraIssues];
  return {
    import_id: importId,
    status: 'failed',
    dry_run: dryRun,
    format: input.format,
    counts: { ...emptyCounts(), rows: input.rowCount, invalid: invalidRows(issues).size },
    detection: input.detection,
    errors: [...issues, issue(failure.code, failure.message, { type: 'file' })],
    rows: [],
    expenses_created: 0,
    failure,
  };
}

/** A stable code and a sentence for what made the import fail. */
export function failureOf(error: unknown): { code: string; message: string } {
  const sqlState = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  // A streamed file the parser could not finish reading (malformed CSV or XML half-way): its own code.
  if (error instanceof Error && error.name === 'BankFormatError' && typeof sqlState === 'string') return { code: sqlState, message };
  if (typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState))
    return { code: 'database_error', message: `${message} (${sqlState})` };
  return { code: 'apply_failed', message };
}

async function markFailed(query: Query, importId: string, report: ImportReport): Promise<void> {
  await query(
    `update public.imports
        set status = 'failed', processed_at = now(), failure_reason = $2, detection = $3::text::jsonb,
            validation_errors = $4::text::jsonb, row_count = $5, invalid_count = $6
      where id = $1::uuid`,
    [
      importId,
      report.failure?.message ?? 'failed',
      JSON.stringify(report.detection),
      JSON.stringify(report.errors),
      report.counts.rows,
      report.counts.invalid,
    ],
  );
}

const fileNameOf = (name: string): string => {
  const base = name.split(/[\\/]/).pop()?.trim() || 'import';
  return base.slice(0, 255);
};

function emptyCounts(): ReportCounts {
  return { rows: 0, added: 0, updated: 0, removed: 0, unchanged: 0, duplicates: 0, invalid: 0 };
}

/** 404 when the caller cannot see the space, 403 when they see it but cannot write to it. */
export async function checkSpace(query: Query, spaceId: string): Promise<void> {
  if (!UUID.test(spaceId)) throw new ImportRefused('space_not_found', `no space ${spaceId}`);
  const [role] = await query<{ role: string }>(`select current_user::text as role`, []);
  const [space] = await query<{ id: string }>(`select id from public.spaces where id = $1::uuid`, [spaceId]);
  if (space === undefined) throw new ImportRefused('space_not_found', `no space ${spaceId}`);
  if (role?.role === 'service_role') return;
  const [writable] = await query<{ ok: boolean }>(`select $1::uuid in (select private.writable_space_ids()) as ok`, [spaceId]);
  if (writable?.ok !== true) {
    throw new ImportRefused(
      'space_not_writable',
      `you cannot import into space ${spaceId}: members, admins and owners of an active space can`,
    );
  }
}

// Applying ----------------------------------------------------------------------------------

interface Account {
  readonly id: string;
  readonly externalId: string;
  readonly type: AccountType;
  /** Whose account it is (bank_accounts.owner_id): the payer of its spending lines' expenses; null = the importer. */
  readonly ownerId: string | null;
}

interface StoredLine extends Record<string, unknown> {
  id: string;
  account_id: string;
  provider_id: string | null;
  pending_transaction_id: string | null;
  content_key: string;
  occurrence: number;
  pending: boolean;
  date: string;
  amount: string;
  description: string;
  merchant_name: string | null;
  provider_category: string | null;
  kind: LineKind;
  expense_id: string | null;
}

interface StoredExpense extends Record<string, unknown> {
  id: string;
  amount: string;
  date: string;
  description: string;
  frozen: boolean;
}

/** Everything one applying transaction accumulates. */
class Applying {
  readonly rows: RowMatch[] = [];
  readonly issues: ReportIssue[] = [];
  readonly counts: ReportCounts = emptyCounts();
  expensesCreated = 0;
  done = 0;
  readonly categoryCache = new Map<string, { category: string; confidence: number; source: string }>();
  readonly history = new Map<string, HistoryNeighbour[]>();
  readonly candidatesByMonth = new Map<string, string[]>();

  constructor(
    readonly query: Query,
    readonly spaceId: string,
    readonly spaceCurrency: string,
    readonly importId: string,
    readonly accounts: Map<string, Account>,
    readonly options: ApplyOptions,
    readonly total: number,
    readonly asService: boolean,
    /** The signed-in importer (null as the service role). */
    readonly callerId: string | null,
  ) {}

  row(row: number, match: Match, action: RowMatch['action'], kind: LineKind | null, bankId: string | null, expenseId: string | null) {
    this.rows.push({ row, match, action, kind, bank_transaction_id: bankId, expense_id: expenseId });
    switch (action) {
      case 'added':
        this.counts.added += 1;
        break;
      case 'updated':
        this.counts.updated += 1;
        break;
      case 'removed':
        this.counts.removed += 1;
        break;
      case 'duplicate':
        this.counts.duplicates += 1;
        break;
      case 'unchanged':
      case 'kept':
        this.counts.unchanged += 1;
        break;
      case 'invalid':
        this.counts.invalid += 1;
        break;
    }
  }

  progress(n: number) {
    this.done += n;
    this.options.onProgress?.(this.total === 0 ? this.done : Math.min(this.done, this.total), this.total);
  }
}

async function applyLines(
  query: Query,
  input: ImportInput,
  importId: string,
  options: ApplyOptions,
  extraIssues: readonly ReportIssue[],
): Promise<Omit<ImportReport, 'status' | 'failure'>> {
  await query(`select set_config('wallai.origin', $1, true)`, [`import:${importId}`]);
  // One import of a space at a time: concurrent imports of the same lines would race on the dedupe keys.
  await query(`select pg_advisory_xact_lock(hashtextextended($1, 0))`, [`wallai.import:${options.spaceId}`]);
  const [role] = await query<{ role: string; caller: string | null }>(`select current_user::text as role, auth.uid()::text as caller`, []);
  const [space] = await query<{ currency: string }>(`select currency from public.spaces where id = $1::uuid`, [options.spaceId]);
  if (space === undefined) throw new ImportRefused('space_not_found', `no space ${options.spaceId}`);
  const accounts = await upsertAccounts(query, options.spaceId, input.accounts);
  const walks = input.walks ?? [];
  const total =
    input.stream !== undefined
      ? 0
      : input.lines.length + walks.reduce((n, w) => n + w.added.length + w.modified.length + w.removed.length, 0);
  const state = new Applying(
    query,
    options.spaceId,
    space.currency,
    importId,
    accounts,
    options,
    total,
    role?.role === 'service_role',
    role?.caller ?? null,
  );

  const lines = numberOccurrences(input.lines);
  for (let start = 0; start < lines.length; start += BATCH) {
    await applyFileBatch(state, lines.slice(start, start + BATCH));
    state.progress(Math.min(BATCH, lines.length - start));
  }
  if (input.stream !== undefined) await applyStream(state, input.stream);
  for (const walk of walks) await applyWalk(state, walk);
  // The parser's rejected rows, once the whole file was read.
  for (const row of invalidRows(input.issues)) state.row(row, 'new', 'invalid', null, null, null);

  state.rows.sort((a, b) => a.row - b.row);
  return {
    import_id: importId,
    dry_run: false,
    format: input.format,
    counts: { ...state.counts, rows: input.rowCount },
    detection: input.detection,
    errors: [...input.issues, ...extraIssues, ...state.issues].sort((a, b) => (a.row ?? 0) - (b.row ?? 0)),
    rows: state.rows,
    expenses_created: state.expensesCreated,
  };
}

async function upsertAccounts(query: Query, spaceId: string, described: readonly ImportAccount[]): Promise<Map<string, Account>> {
  // One row per account (the latest description wins): an upsert may not touch a row twice.
  const latest = [...new Map(described.map((a) => [a.externalId, a])).values()];
  const accounts = latest.map((a) => ({
    external_id: a.externalId,
    name: a.name.trim().slice(0, 200) || a.externalId,
    official_name: a.officialName ?? null,
    mask: a.mask ? a.mask.slice(-8) : null,
    type: a.type,
    subtype: a.subtype ?? null,
    currency: a.currency,
    unofficial_currency: a.currency === null ? (a.unofficialCurrency ?? null) : null,
    current_balance: a.currentBalance ?? null,
    available_balance: a.availableBalance ?? null,
    credit_limit: a.creditLimit ?? null,
    balances_as_of: a.balancesAsOf ?? null,
  }));
  if (accounts.length > 0) {
    // Balances and limits move only forward in time; what people renamed stays; a replay changes no row.
    await query(
      `insert into public.bank_accounts as a (space_id, external_id, name, official_name, mask, type, subtype, currency,
                                             unofficial_currency, current_balance, available_balance, credit_limit, balances_as_of)
       select $1::uuid, x.external_id, x.name, x.official_name, x.mask, x.type, x.subtype, x.currency, x.unofficial_currency,
              x.current_balance, x.available_balance, x.credit_limit, x.balances_as_of
         from jsonb_to_recordset($2::text::jsonb) as x(external_id text, name text, official_name text, mask text, type text,
              subtype text, currency text, unofficial_currency text, current_balance numeric, available_balance numeric,
              credit_limit numeric, balances_as_of timestamptz)
       on conflict (space_id, external_id) do update
          set official_name = coalesce(a.official_name, excluded.official_name),
              mask = coalesce(a.mask, excluded.mask),
              subtype = coalesce(a.subtype, excluded.subtype),
              current_balance = coalesce(excluded.current_balance, a.current_balance),
              available_balance = coalesce(excluded.available_balance, a.available_balance),
              credit_limit = coalesce(excluded.credit_limit, a.credit_limit),
              balances_as_of = coalesce(excluded.balances_as_of, a.balances_as_of)
        where (a.balances_as_of is null or excluded.balances_as_of is null or excluded.balances_as_of >= a.balances_as_of)
          and (a.official_name is null and excluded.official_name is not null
               or a.mask is null and excluded.mask is not null
               or a.subtype is null and excluded.subtype is not null
               or excluded.current_balance is distinct from a.current_balance and excluded.current_balance is not null
               or excluded.available_balance is distinct from a.available_balance and excluded.available_balance is not null
               or excluded.credit_limit is distinct from a.credit_limit and excluded.credit_limit is not null
               or excluded.balances_as_of is distinct from a.balances_as_of and excluded.balances_as_of is not null)`,
      [spaceId, JSON.stringify(accounts)],
    );
  }
  const rows = await query<{ id: string; external_id: string; type: AccountType; owner_id: string | null }>(
    `select id, external_id, type, owner_id from public.bank_accounts
      where space_id = $1::uuid and external_id = any(string_to_array($2::text, chr(31)))`,
    [spaceId, latest.map((a) => a.externalId).join('\u001f')],
  );
  return new Map(rows.map((r) => [r.external_id, { id: r.id, externalId: r.external_id, type: r.type, ownerId: r.owner_id }]));
}

const STORED_COLUMNS = `t.id, t.account_id, t.provider_id, t.pending_transaction_id, t.content_key, t.occurrence, t.pending,
  t.date::text as date, t.amount::text as amount, t.description, t.merchant_name, t.provider_category, t.kind, t.expense_id`;

/** Stored lines of the space with these provider ids (any account: Plaid ids are unique across an item). */
async function storedByProviderId(state: Applying, ids: readonly string[]): Promise<Map<string, StoredLine>> {
  const found = new Map<string, StoredLine>();
  const unique = [...new Set(ids)];
  for (let start = 0; start < unique.length; start += BATCH) {
    const rows = await state.query<StoredLine>(
      `select ${STORED_COLUMNS} from public.bank_transactions t
        where t.space_id = $1::uuid and t.provider_id = any(string_to_array($2::text, chr(31)))`,
      [state.spaceId, unique.slice(start, start + BATCH).join('\u001f')],
    );
    for (const row of rows) {
      found.set(`${row.account_id}\u0000${row.provider_id}`, row);
      found.set(`*\u0000${row.provider_id}`, row);
    }
  }
  return found;
}

async function storedByContentKey(state: Applying, keys: ReadonlyArray<{ account_id: string; content_key: string; occurrence: number }>) {
  const found = new Map<string, StoredLine>();
  if (keys.length === 0) return found;
  const rows = await state.query<StoredLine>(
    `select ${STORED_COLUMNS}
       from jsonb_to_recordset($2::text::jsonb) as k(account_id uuid, content_key text, occurrence integer)
       join public.bank_transactions t
         on t.space_id = $1::uuid and t.account_id = k.account_id and t.content_key = k.content_key
        and t.occurrence = k.occurrence and t.provider_id is null`,
    [state.spaceId, JSON.stringify(keys)],
  );
  for (const row of rows) found.set(`${row.account_id}\u0000${row.content_key}\u0000${row.occurrence}`, row);
  return found;
}

interface Planned {
  readonly line: ImportLine;
  readonly account: Account;
  readonly stored: StoredLine | null;
  readonly match: Match;
}

const seenProviderIds = new WeakMap<Applying, Set<string>>();

/**
 * A streamed file: batches of BATCH lines applied as they are read, the next
 * batch parsed while the database writes the one before (one batch in flight
 * at a time, so memory stays flat). Occurrences are numbered across the whole
 * file, as numberOccurrences does for a file read whole.
 */
async function applyStream(state: Applying, stream: AsyncIterable<StreamItem>): Promise<void> {
  const occurrences = new Map<string, number>();
  let lines: ImportLine[] = [];
  let described: ImportAccount[] = [];
  let inflight: Promise<void> | null = null;
  const apply = async (batch: readonly ImportLine[], accounts: readonly ImportAccount[]) => {
    if (accounts.length > 0)
      for (const [id, account] of await upsertAccounts(state.query, state.spaceId, accounts)) state.accounts.set(id, account);
    if (batch.length === 0) return;
    await applyFileBatch(state, batch);
    state.progress(batch.length);
  };
  const send = async () => {
    if (inflight !== null) await inflight;
    const running = apply(lines, described);
    // Awaited before the next batch is sent or at the end; never an unhandled rejection meanwhile.
    running.catch(() => undefined);
    inflight = running;
    lines = [];
    described = [];
  };
  for await (const item of stream) {
    if (item.type === 'account') {
      described.push(item.account);
      continue;
    }
    let line = item.line;
    if (line.providerId === null) {
      const key = `${line.accountExternalId}\u0000${line.contentKey}`;
      const occurrence = (occurrences.get(key) ?? 0) + 1;
      occurrences.set(key, occurrence);
      if (line.occurrence !== occurrence) line = { ...line, occurrence };
    } else if (line.occurrence !== 1) line = { ...line, occurrence: 1 };
    lines.push(line);
    if (lines.length >= BATCH) await send();
  }
  await send();
  await inflight;
}

async function applyFileBatch(state: Applying, lines: readonly ImportLine[]): Promise<void> {
  const seen = seenProviderIds.get(state) ?? new Set<string>();
  seenProviderIds.set(state, seen);
  const candidates: Array<{ line: ImportLine; account: Account }> = [];
  for (const line of lines) {
    const account = state.accounts.get(line.accountExternalId);
    if (account === undefined) {
      state.issues.push(
        issue('unknown_account', `the line names account "${line.accountExternalId}", which the file does not describe`, {
          row: line.row,
          field: 'account',
          value: line.accountExternalId,
          transactionId: line.providerId,
        }),
      );
      state.row(line.row, 'new', 'invalid', null, null, null);
      continue;
    }
    if (line.providerId !== null) {
      const key = `${account.id}\u0000${line.providerId}`;
      if (seen.has(key)) {
        state.issues.push(
          issue('duplicate_provider_id', `the transaction id ${line.providerId} appears again in this file; the later line is skipped`, {
            severity: 'warning',
            row: line.row,
            field: 'transaction_id',
            value: line.providerId,
            transactionId: line.providerId,
          }),
        );
        state.row(line.row, 'provider_id', 'duplicate', null, null, null);
        continue;
      }
      seen.add(key);
    }
    candidates.push({ line, account });
  }
  const byProvider = await storedByProviderId(
    state,
    candidates.flatMap((c) => (c.line.providerId === null ? [] : [c.line.providerId])),
  );
  const byContent = await storedByContentKey(
    state,
    candidates
      .filter((c) => c.line.providerId === null)
      .map((c) => ({ account_id: c.account.id, content_key: c.line.contentKey, occurrence: c.line.occurrence })),
  );
  const planned: Planned[] = candidates.map(({ line, account }) => {
    if (line.providerId !== null) {
      const stored = byProvider.get(`${account.id}\u0000${line.providerId}`) ?? null;
      return { line, account, stored, match: stored ? 'provider_id' : 'new' };
    }
    const stored = byContent.get(`${account.id}\u0000${line.contentKey}\u0000${line.occurrence}`) ?? null;
    return { line, account, stored, match: stored ? 'content_key' : 'new' };
  });
  await writePlanned(state, planned);
}

async function applyWalk(state: Applying, walk: Parameters<typeof netWalk>[0]): Promise<void> {
  const net = netWalk(walk);
  for (const entry of net.superseded) {
    state.row(
      entry.row,
      entry.reason === 'duplicate' ? 'provider_id' : 'pending_link',
      entry.reason === 'duplicate' ? 'duplicate' : 'unchanged',
      null,
      null,
      null,
    );
  }
  for (const entry of net.linkedRemovals) state.row(entry.row, 'pending_link', 'unchanged', null, null, null);
  const ids = [
    ...net.upserts.flatMap((l) => [l.providerId!, ...(l.pendingTransactionId ? [l.pendingTransactionId] : [])]),
    ...net.removed.map((r) => r.providerId),
  ];
  const stored = await storedByProviderId(state, ids);
  const planned: Planned[] = [];
  for (const line of net.upserts) {
    const account = state.accounts.get(line.accountExternalId);
    if (account === undefined) {
      state.issues.push(
        issue('unknown_account', `the transaction names account "${line.accountExternalId}", which the response does not list`, {
          row: line.row,
          field: 'account_id',
          value: line.accountExternalId,
          transactionId: line.providerId,
        }),
      );
      state.row(line.row, 'new', 'invalid', null, null, null);
      continue;
    }
    const same = stored.get(`*\u0000${line.providerId}`);
    if (same !== undefined) {
      planned.push({ line, account, stored: same, match: 'provider_id' });
      continue;
    }
    const pendingCopy = line.pendingTransactionId ? stored.get(`*\u0000${line.pendingTransactionId}`) : undefined;
    if (pendingCopy !== undefined) {
      planned.push({ line, account, stored: pendingCopy, match: 'pending_link' });
      continue;
    }
    planned.push({ line, account, stored: null, match: 'new' });
  }
  for (let start = 0; start < planned.length; start += BATCH) {
    await writePlanned(state, planned.slice(start, start + BATCH));
    state.progress(Math.min(BATCH, planned.length - start));
  }
  await removeLines(state, net.removed, stored);
  state.progress(net.removed.length + net.superseded.length + net.linkedRemovals.length);
}

/** Minor units → numeric(12,2) text; amounts in other exponents are the parser's business. */
const decimal = (cents: number): string => centsToDecimal(cents);

const clip = (text: string, max: number): string => {
  const trimmed = text.replace(/\s+/g, ' ').trim();
  return (trimmed === '' ? '(no description)' : trimmed).slice(0, max);
};

async function writePlanned(state: Applying, planned: readonly Planned[]): Promise<void> {
  const inserts: Array<{ p: Planned; id: string; kind: LineKind; expenseId: string | null }> = [];
  const expenseRows: Array<Record<string, unknown>> = [];
  const updates: Planned[] = [];
  const toCategorize: Array<{ index: number; description: string; amount: number; date: string; hint: string | null }> = [];

  for (const p of planned) {
    if (p.stored !== null) {
      if (changed(p)) updates.push(p);
      else state.row(p.line.row, p.match, 'unchanged', p.stored.kind, p.stored.id, p.stored.expense_id);
      continue;
    }
    const kind = classifyLine(p.line, { accountType: p.account.type });
    const id = crypto.randomUUID();
    let expenseId: string | null = null;
    if (kind === 'spending' && p.line.amountCents > 0) {
      const rate = expenseCurrency(state, p.line);
      if (rate !== null) {
        expenseId = crypto.randomUUID();
        toCategorize.push({
          index: expenseRows.length,
          description: p.line.description,
          amount: p.line.amountCents / 100,
          date: p.line.date,
          hint: p.line.providerCategory ?? null,
        });
        expenseRows.push({
          id: expenseId,
          amount: decimal(p.line.amountCents),
          description: clip(p.line.merchantName || p.line.description, 500),
          date: p.line.date,
          currency: p.line.currency,
          exchange_rate: rate.rate,
          bank_transaction_id: id,
          owner_id: p.account.ownerId,
        });
      }
    }
    inserts.push({ p, id, kind, expenseId });
  }

  if (expenseRows.length > 0) {
    const decisions = await decideCategories(state, toCategorize);
    decisions.forEach((decision, i) => Object.assign(expenseRows[toCategorize[i]!.index]!, decision));
    // As the service role the payer is written here: the account's owner when they are an active
    // writing member, else options.payerId. A signed-in importer is the payer the expense trigger
    // writes; assignPayers hands the owned accounts' expenses to their owners once the lines exist.
    await state.query(
      `insert into public.expenses (id, space_id, amount, description, category, category_source, ai_category_confidence, date,
                                    currency, exchange_rate, bank_transaction_id, payment_method${state.asService ? ', created_by' : ''})
       select x.id, $1::uuid, x.amount, x.description, x.category, x.category_source, x.confidence, x.date, x.currency,
              x.exchange_rate, x.bank_transaction_id, 'bank_import'${
                state.asService
                  ? `, coalesce((select m.user_id from public.space_members m
                                  where m.space_id = $1::uuid and m.user_id = x.owner_id and m.is_active
                                    and m.role in ('owner', 'admin', 'member')), $3::uuid)`
                  : ''
              }
         from jsonb_to_recordset($2::text::jsonb) as x(id uuid, amount numeric, description text, category text,
              category_source text, confidence numeric, date date, currency text, exchange_rate numeric, bank_transaction_id text,
              owner_id uuid)`,
      state.asService
        ? [state.spaceId, JSON.stringify(expenseRows), state.options.payerId ?? null]
        : [state.spaceId, JSON.stringify(expenseRows)],
    );
    state.expensesCreated += expenseRows.length;
  }
  if (inserts.length > 0) {
    const rows = inserts.map(({ p, id, kind, expenseId }) => ({
      id,
      account_id: p.account.id,
      provider_id: p.line.providerId,
      pending_transaction_id: p.line.pendingTransactionId ?? null,
      content_key: p.line.contentKey,
      occurrence: p.line.occurrence,
      pending: p.line.pending === true,
      date: p.line.date,
      authorized_date: p.line.authorizedDate ?? null,
      amount: decimal(p.line.amountCents),
      currency: p.line.currency,
      unofficial_currency: p.line.currency === null ? (p.line.unofficialCurrency ?? null) : null,
      description: clip(p.line.description, 500),
      merchant_name: p.line.merchantName ?? null,
      provider_category: p.line.providerCategory ?? null,
      kind,
      expense_id: expenseId,
      raw: p.line.raw ?? {},
    }));
    await state.query(
      `insert into public.bank_transactions (id, space_id, account_id, import_id, provider_id, pending_transaction_id, content_key,
              occurrence, pending, date, authorized_date, amount, currency, unofficial_currency, description, merchant_name,
              provider_category, kind, expense_id, raw)
       select x.id, $1::uuid, x.account_id, $2::uuid, x.provider_id, x.pending_transaction_id, x.content_key, x.occurrence, x.pending,
              x.date, x.authorized_date, x.amount, x.currency, x.unofficial_currency, x.description, x.merchant_name,
              x.provider_category, x.kind, x.expense_id, x.raw
         from jsonb_to_recordset($3::text::jsonb) as x(id uuid, account_id uuid, provider_id text, pending_transaction_id text,
              content_key text, occurrence integer, pending boolean, date date, authorized_date date, amount numeric, currency text,
              unofficial_currency text, description text, merchant_name text, provider_category text, kind text, expense_id uuid,
              raw jsonb)`,
      [state.spaceId, state.importId, JSON.stringify(rows)],
    );
    for (const { p, id, kind, expenseId } of inserts) {
      heldBackIssue(state, p.line, kind, expenseId);
      state.row(p.line.row, p.match, 'added', kind, id, expenseId);
    }
    if (!state.asService) await assignPayers(state, inserts);
  }
  for (const p of updates) await updateLine(state, p);
}

/**
 * The payer of the new expenses of accounts with an owner other than the
 * importer: the owner (public.assign_import_payers, which checks the owner is
 * an active writing member of the space). One that is not stays the
 * importer's, reported.
 */
async function assignPayers(state: Applying, inserts: ReadonlyArray<{ p: Planned; expenseId: string | null }>): Promise<void> {
  const owned = inserts.filter((i) => i.expenseId !== null && i.p.account.ownerId !== null && i.p.account.ownerId !== state.callerId);
  if (owned.length === 0) return;
  const moved = await state.query<{ expense_id: string }>(
    `select expense_id from public.assign_import_payers($1::uuid, string_to_array($2::text, ',')::uuid[])`,
    [state.importId, owned.map((i) => i.expenseId).join(',')],
  );
  const done = new Set(moved.map((m) => m.expense_id));
  for (const { p, expenseId } of owned) {
    if (done.has(expenseId!)) continue;
    state.issues.push(
      issue(
        'account_owner_not_member',
        `the account's owner is not an active member of the space who can pay: the importer pays this expense`,
        {
          severity: 'warning',
          row: p.line.row,
          field: 'account',
          value: p.account.externalId,
          transactionId: p.line.providerId,
        },
      ),
    );
  }
}

/** Warnings for a spending line that stays in the bank layer: another currency without a rate, or a non-ISO currency. */
function heldBackIssue(state: Applying, line: ImportLine, kind: LineKind, expenseId: string | null): void {
  if (kind !== 'spending' || expenseId !== null || line.amountCents <= 0) return;
  if (line.currency === null) {
    state.issues.push(
      issue(
        'unofficial_currency',
        `the amount is in ${line.unofficialCurrency ?? 'an unknown currency'}, which has no ISO code: kept in the bank layer, not counted as spending`,
        {
          severity: 'warning',
          row: line.row,
          field: 'currency',
          value: line.unofficialCurrency ?? null,
          transactionId: line.providerId,
        },
      ),
    );
    return;
  }
  state.issues.push(
    issue(
      'currency_mismatch',
      `the amount is in ${line.currency} and the space counts in ${state.spaceCurrency}; without an exchange rate for ${line.currency} it is kept in the bank layer and not added to the budget`,
      { severity: 'warning', row: line.row, field: 'currency', value: line.currency, transactionId: line.providerId },
    ),
  );
}

/** The expense's exchange rate: null for the space currency, the given rate otherwise; null result = held back. */
function expenseCurrency(state: Applying, line: ImportLine): { rate: string | null } | null {
  if (line.currency === null) return null;
  if (line.currency === state.spaceCurrency) return { rate: null };
  const rate = state.options.exchangeRates?.[line.currency];
  if (rate === undefined || !(Number(rate) > 0)) return null;
  return { rate: String(rate) };
}

function changed(p: Planned): boolean {
  const s = p.stored!;
  const l = p.line;
  if (p.match === 'pending_link') return true;
  if (p.match === 'content_key') return s.pending !== (l.pending === true);
  return (
    s.amount !== decimal(l.amountCents) ||
    s.date !== l.date ||
    s.pending !== (l.pending === true) ||
    s.description !== clip(l.description, 500) ||
    (s.merchant_name ?? null) !== (l.merchantName ?? null) ||
    (s.provider_category ?? null) !== (l.providerCategory ?? null)
  );
}

/**
 * A stored line updated in place (Plaid modified, a posted line replacing its
 * pending copy, a provider-id line whose details changed): the bank row takes
 * the new details; its expense takes the new amount and date (and the new
 * description when nobody edited it), keeping its category if a person chose
 * it, its splits (rescaled by the split triggers), notes and tags. An expense
 * with a paid split keeps its amount, reported.
 */
async function updateLine(state: Applying, p: Planned): Promise<void> {
  const s = p.stored!;
  const l = p.line;
  await state.query(
    `update public.bank_transactions
        set provider_id = $2, pending_transaction_id = coalesce($3, pending_transaction_id), pending = $4, date = $5::date,
            authorized_date = $6::date, amount = $7::numeric, description = $8, merchant_name = $9, provider_category = $10,
            import_id = $11::uuid, raw = $12::text::jsonb
      where id = $1::uuid`,
    [
      s.id,
      l.providerId ?? s.provider_id,
      l.pendingTransactionId ?? null,
      l.pending === true,
      l.date,
      l.authorizedDate ?? null,
      decimal(l.amountCents),
      clip(l.description, 500),
      l.merchantName ?? null,
      l.providerCategory ?? null,
      state.importId,
      JSON.stringify(l.raw ?? {}),
    ],
  );
  if (s.expense_id !== null && l.amountCents > 0) {
    const [expense] = await state.query<StoredExpense>(
      `select e.id, e.amount::text as amount, e.date::text as date, e.description,
              exists (select 1 from public.expense_splits x where x.expense_id = e.id and x.is_paid) as frozen
         from public.expenses e where e.id = $1::uuid`,
      [s.expense_id],
    );
    if (expense !== undefined) {
      const amount = decimal(l.amountCents);
      const keepAmount = expense.frozen && expense.amount !== amount;
      if (keepAmount) {
        state.issues.push(
          issue('amount_frozen_paid_split', `the bank now says ${amount} but a split of this expense is paid: it keeps ${expense.amount}`, {
            severity: 'warning',
            row: l.row,
            field: 'amount',
            value: amount,
            transactionId: l.providerId,
          }),
        );
      }
      // The expense's description follows the bank's only while nobody edited it.
      const oldAuto = clip(s.merchant_name || s.description, 500);
      const description = expense.description === oldAuto ? clip(l.merchantName || l.description, 500) : expense.description;
      const newAmount = keepAmount ? expense.amount : amount;
      if (newAmount !== expense.amount || l.date !== expense.date || description !== expense.description) {
        const updated = await state.query(
          `update public.expenses set amount = $2::numeric, date = $3::date, description = $4 where id = $1::uuid returning id`,
          [expense.id, newAmount, l.date, description],
        );
        if (updated.length === 0) notWritable(state, l);
      }
    }
  }
  state.row(l.row, p.match, 'updated', s.kind, s.id, s.expense_id);
}

function notWritable(state: Applying, line: { row: number; providerId?: string | null }): void {
  state.issues.push(
    issue('expense_not_writable', 'the expense of this line belongs to another member: the bank line changed, the expense did not', {
      severity: 'warning',
      row: line.row,
      transactionId: line.providerId ?? null,
    }),
  );
}

/** Plaid removals: the line and its expense go, unless a split of the expense is paid (then both stay, reported). */
async function removeLines(state: Applying, removed: readonly RemovedLine[], stored: Map<string, StoredLine>): Promise<void> {
  for (const entry of removed) {
    const s = stored.get(`*\u0000${entry.providerId}`);
    if (s === undefined) {
      state.row(entry.row, 'provider_id', 'unchanged', null, null, null);
      continue;
    }
    if (s.expense_id !== null) {
      const [expense] = await state.query<{ frozen: boolean }>(
        `select exists (select 1 from public.expense_splits x where x.expense_id = e.id and x.is_paid) as frozen
           from public.expenses e where e.id = $1::uuid`,
        [s.expense_id],
      );
      if (expense?.frozen) {
        state.issues.push(
          issue(
            'removed_kept_paid_split',
            `the bank removed ${entry.providerId}, but a split of its expense is paid: the expense and the line are kept`,
            {
              severity: 'warning',
              row: entry.row,
              transactionId: entry.providerId,
            },
          ),
        );
        state.row(entry.row, 'provider_id', 'kept', s.kind, s.id, s.expense_id);
        continue;
      }
      if (expense !== undefined) {
        const deleted = await state.query(`delete from public.expenses where id = $1::uuid returning id`, [s.expense_id]);
        if (deleted.length === 0) {
          notWritable(state, entry);
          state.row(entry.row, 'provider_id', 'kept', s.kind, s.id, s.expense_id);
          continue;
        }
      }
    }
    await state.query(`delete from public.bank_transactions where id = $1::uuid`, [s.id]);
    state.row(entry.row, 'provider_id', 'removed', s.kind, s.id, null);
  }
}

// Categorization ----------------------------------------------------------------------------

/**
 * Categories for new expenses: the space's history first (a person's past
 * choice for a similar line wins), then the provider's category as a strong
 * hint, then the merchant and keyword rules. Offline: no AI step in a bulk
 * import (the categorize-expense function can refine later).
 */
async function decideCategories(
  state: Applying,
  items: ReadonlyArray<{ description: string; amount: number; date: string; hint: string | null }>,
): Promise<Array<{ category: string; category_source: string; confidence: number }>> {
  await fetchHistory(
    state,
    items.map((i) => i.description),
  );
  const out: Array<{ category: string; category_source: string; confidence: number }> = [];
  for (const item of items) {
    const candidates = await candidatesFor(state, item.date);
    const cacheKey = `${item.description}\u0000${item.hint ?? ''}\u0000${candidates.join(',')}`;
    let decision = state.categoryCache.get(cacheKey);
    if (decision === undefined) {
      const neighbours = state.history.get(historyKey(item.description)) ?? [];
      const result = await categorize(
        { description: item.description, amount: item.amount },
        {
          candidates,
          history: async () => neighbours,
          ...(state.options.threshold === undefined ? {} : { threshold: state.options.threshold }),
        },
      );
      const hinted = categoryFromProvider(item.hint);
      const historyWins = result.source === 'history' && result.confidence >= (state.options.threshold ?? 0.8);
      decision =
        hinted !== null && candidates.includes(hinted) && !historyWins && result.category !== hinted
          ? { category: hinted, confidence: HINT_CONFIDENCE, source: 'rules' }
          : {
              category: result.category,
              confidence: Math.round(Math.max(result.confidence, result.category === hinted ? HINT_CONFIDENCE : 0) * 100) / 100,
              source: result.source,
            };
      state.categoryCache.set(cacheKey, decision);
    }
    out.push({ category: decision.category, category_source: decision.source, confidence: Math.min(1, decision.confidence) });
  }
  return out;
}

/** Descriptions that normalize alike (store numbers, dates, card suffixes, any token with a digit aside) share their history. */
const historyKey = (description: string): string =>
  normalizeDescriptor(description)
    .tokens.filter((token) => !/\d/.test(token))
    .join(' ') || description.toLowerCase();

/**
 * The space's history for the distinct descriptors of these new expenses not
 * yet looked up: one lookup per merchant, not per line, so a large import of
 * a few hundred merchants costs a few hundred lookups.
 */
async function fetchHistory(state: Applying, descriptions: readonly string[]): Promise<void> {
  const representative = new Map<string, string>();
  for (const description of descriptions) {
    const key = historyKey(description);
    if (!state.history.has(key) && !representative.has(key)) representative.set(key, description);
  }
  if (representative.size === 0) return;
  const keys = [...representative.keys()];
  const found = await historyForDescriptions(state.query, state.spaceId, [...representative.values()]);
  keys.forEach((key, i) => state.history.set(key, found[i] ?? []));
}

async function candidatesFor(state: Applying, date: string): Promise<string[]> {
  const month = date.slice(0, 7);
  let candidates = state.candidatesByMonth.get(month);
  if (candidates === undefined) {
    const [row] = await state.query<{ categories: string[] }>(`select public.month_categories($1::uuid, $2::date) as categories`, [
      state.spaceId,
      `${month}-01`,
    ]);
    candidates = candidatesFrom(row?.categories ?? []);
    state.candidatesByMonth.set(month, candidates);
  }
  return candidates;
}

export { importFile, type ImportFileOptions, type OpenFile } from './import-file.ts';
export { fromParsed, walksFromPages } from './from-parsed.ts';
