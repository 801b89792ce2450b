/**
 * What the apply service takes (a parsed import, whatever the format) and what
 * it answers (the report). Parsing is @wallai/bank-formats' job; `fromParsed`
 * (./from-parsed.ts) turns its result into an ImportInput.
 */

export const IMPORT_FORMATS = ['plaid', 'csv', 'ofx', 'qif', 'camt053'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export const ACCOUNT_TYPES = ['depository', 'credit', 'loan', 'investment', 'other'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

/** bank_transactions_kind_check. */
export const LINE_KINDS = ['spending', 'income', 'refund', 'transfer', 'card_payment', 'fee', 'interest', 'other'] as const;
export type LineKind = (typeof LINE_KINDS)[number];

/** An account as the file or provider describes it; amounts are decimal strings (numeric(14,2)). */
export interface ImportAccount {
  readonly externalId: string;
  readonly name: string;
  readonly officialName?: string | null;
  readonly mask?: string | null;
  readonly type: AccountType;
  readonly subtype?: string | null;
  /** ISO 4217, or null with an unofficialCurrency. */
  readonly currency: string | null;
  readonly unofficialCurrency?: string | null;
  readonly currentBalance?: string | null;
  readonly availableBalance?: string | null;
  readonly creditLimit?: string | null;
  /** ISO timestamp or date the balances are as of. */
  readonly balancesAsOf?: string | null;
}

/** One normalized bank line. */
export interface ImportLine {
  /** 1-based row of the file (or position among a Plaid walk's entries), for the report. */
  readonly row: number;
  readonly accountExternalId: string;
  /** Plaid transaction_id, OFX FITID, CAMT AcctSvcrRef / EndToEndId; null when the file has none. */
  readonly providerId: string | null;
  /** Plaid: the pending line this posted line replaces. */
  readonly pendingTransactionId?: string | null;
  readonly pending?: boolean;
  /** ISO date. */
  readonly date: string;
  readonly authorizedDate?: string | null;
  /** Signed as Plaid signs: positive is money out of the account. Minor units (cents). */
  readonly amountCents: number;
  readonly currency: string | null;
  readonly unofficialCurrency?: string | null;
  readonly description: string;
  readonly merchantName?: string | null;
  /** The provider's category (Plaid personal_finance_category, a CSV category column...). */
  readonly providerCategory?: string | null;
  /** What the file says the line is, when it says (OFX TRNTYPE, CAMT domain codes, Plaid transaction_code). */
  readonly providerType?: string | null;
  /** Account, date, amount in cents, currency and normalized description. */
  readonly contentKey: string;
  /** Which of the identical lines (same account and content key) of its file this is, from 1. */
  readonly occurrence: number;
  readonly raw?: Readonly<Record<string, unknown>>;
}

/** A Plaid /transactions/removed entry. */
export interface RemovedLine {
  readonly row: number;
  readonly providerId: string;
  readonly accountExternalId?: string | null;
}

/** One complete /transactions/sync walk, from a cursor to has_more = false. */
export interface PlaidWalk {
  readonly added: readonly ImportLine[];
  readonly modified: readonly ImportLine[];
  readonly removed: readonly RemovedLine[];
  /** The cursor the walk started from ('' for the first sync) and the one to store after it. */
  readonly startCursor?: string | null;
  readonly nextCursor: string | null;
}

export type Severity = 'error' | 'warning';

/** One entry of the validation report: SpendSense's shape plus row, field, value and a stable code. */
export interface ReportIssue {
  readonly type: string;
  readonly transaction_id: string | null;
  readonly error: string;
  readonly severity: Severity;
  readonly row: number | null;
  readonly field: string | null;
  readonly value: string | null;
  readonly code: string;
}

export interface ImportInput {
  readonly format: ImportFormat;
  readonly source?: 'file' | 'plaid_sync';
  /** File-level detection with its evidence (encoding, delimiter, header row, date and number formats, sign...). */
  readonly detection: Readonly<Record<string, unknown>>;
  readonly accounts: readonly ImportAccount[];
  /** File formats and Plaid /transactions/get: every valid line. */
  readonly lines: readonly ImportLine[];
  /** Plaid /transactions/sync: the complete walks, in order (an interrupted one is not here). */
  readonly walks?: readonly PlaidWalk[];
  /** The parser's per-row errors (rows it could not read) and warnings. */
  readonly issues: readonly ReportIssue[];
  /** Data rows in the file (valid and invalid); for Plaid, entries in the applied walks. Read once `stream` is exhausted. */
  readonly rowCount: number;
  /**
   * More accounts and lines, read while the lines before them are applied (a
   * file streamed from the parser: memory stays flat in the file's size, and
   * parsing overlaps the database's work). Accounts come before the lines that
   * name them; an account announced again (with its closing balances) is
   * upserted again. Whoever produces it appends the parser's issues to
   * `issues` as they come.
   */
  readonly stream?: AsyncIterable<StreamItem>;
}

/** What a streamed import yields, in file order. */
export type StreamItem =
  { readonly type: 'account'; readonly account: ImportAccount } | { readonly type: 'line'; readonly line: ImportLine };

export const MATCHES = ['provider_id', 'content_key', 'pending_link', 'new'] as const;
export type Match = (typeof MATCHES)[number];

export const ACTIONS = ['added', 'updated', 'removed', 'unchanged', 'duplicate', 'invalid', 'kept'] as const;
/** What happened to a line: kept = a removal refused (an expense with a paid split stays), counted as unchanged. */
export type Action = (typeof ACTIONS)[number];

export interface RowMatch {
  readonly row: number;
  readonly match: Match;
  readonly action: Action;
  readonly kind: LineKind | null;
  readonly bank_transaction_id: string | null;
  readonly expense_id: string | null;
}

export interface ReportCounts {
  rows: number;
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  duplicates: number;
  invalid: number;
}

export interface ImportReport {
  /** Null for a dry run (nothing written) and for an import refused before its row could be written. */
  readonly import_id: string | null;
  readonly status: 'completed' | 'failed';
  readonly dry_run: boolean;
  readonly format: ImportFormat | null;
  readonly counts: ReportCounts;
  readonly detection: Readonly<Record<string, unknown>>;
  readonly errors: readonly ReportIssue[];
  readonly rows: readonly RowMatch[];
  /** Expenses the added lines became (spending lines in the space currency, or with a rate). */
  readonly expenses_created: number;
  /** Why it failed (status failed): a stable code and a sentence. */
  readonly failure: { readonly code: string; readonly message: string } | null;
}
