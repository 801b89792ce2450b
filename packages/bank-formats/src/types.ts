/**
 * The public types of @wallai/bank-formats: what a parsed bank file is.
 *
 * A bank file (CSV/TSV, OFX/QFX, QIF, CAMT.053, or a JSON file of Plaid
 * response bodies) is read into normalized lines, accounts, Plaid pages,
 * file-level detection and per-row issues. Nothing here touches a database:
 * the apply semantics (dedupe, cursor, pending -> posted, removals) belong to
 * the import service that consumes these types.
 *
 * Conventions:
 * - Amounts are integer **cents** = hundredths of the major unit, the unit of
 *   the schema's numeric(12,2), whatever the currency (500 JPY = 50000).
 *   A source amount with more than two decimals is an `amount_precision` error,
 *   never rounded.
 * - Lines are signed **as Plaid signs: positive = money out** (a purchase is
 *   +, a salary is -), whatever convention the file used; `detection.signConvention`
 *   says which one that was.
 * - Dates are ISO `YYYY-MM-DD` calendar dates; timestamps ISO 8601 with offset.
 * - Row numbers are 1-based and point at the source: the physical line of a
 *   CSV record (or of a QIF record's first line), the ordinal of an OFX
 *   `<STMTTRN>`, a CAMT `<Ntry>` or a Plaid transaction within the file.
 * - Issues are in SpendSense's `validation_errors` shape (snake_case, stored
 *   as is in `imports.validation_errors`).
 */

/** The formats the package reads; the values of `imports.file_type`. */
export type BankFormat = 'plaid' | 'csv' | 'ofx' | 'qif' | 'camt053';
export const BANK_FORMATS: readonly BankFormat[] = ['plaid', 'csv', 'ofx', 'qif', 'camt053'];
export type FormatOption = BankFormat | 'auto';

/** Text encodings a file may be in. Windows-1252 is the superset of Latin-1 used for undeclared 8-bit files. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'iso-8859-1';
export type EncodingOption = TextEncoding | 'auto';

export type Delimiter = ',' | ';' | '\t' | '|';

/**
 * Date layouts, written as patterns: D/M one or two digits, YYYY four, YY two
 * (pivot: 00-69 -> 20xx, 70-99 -> 19xx), MMM an English, German, French or
 * Spanish month abbreviation.
 */
export type DateFormat =
  | 'YYYY-MM-DD'
  | 'YYYY/MM/DD'
  | 'YYYY.MM.DD'
  | 'YYYYMMDD'
  | 'DD/MM/YYYY'
  | 'MM/DD/YYYY'
  | 'DD.MM.YYYY'
  | 'DD-MM-YYYY'
  | 'MM-DD-YYYY'
  | 'DD/MM/YY'
  | 'MM/DD/YY'
  | 'DD.MM.YY'
  | 'DD-MMM-YYYY'
  | 'DD MMM YYYY'
  | 'MMM DD YYYY';

/**
 * Number layouts, named by how one thousand two hundred thirty-four and 56
 * hundredths is written. Negative amounts may be written with a leading or
 * trailing minus or in parentheses in every layout.
 */
export type NumberFormat = '1234.56' | '1,234.56' | '1.234,56' | '1 234,56' | '1 234.56' | "1'234.56" | '1234,56';

/**
 * How the file said which way money moved.
 * - `negative_is_money_out`: one signed amount, a purchase is negative (bank statements, OFX, QIF).
 * - `positive_is_money_out`: one signed amount, a purchase is positive (Plaid, several card exports).
 * - `debit_credit_columns`: money out in one column, money in in another.
 * - `direction_column`: an unsigned amount and a column saying S/H, DR/CR, Debit/Credit.
 * - `credit_debit_indicator`: CAMT.053's CdtDbtInd (CRDT/DBIT) on an unsigned amount.
 */
export type SignConvention =
  'negative_is_money_out' | 'positive_is_money_out' | 'debit_credit_columns' | 'direction_column' | 'credit_debit_indicator';

/** Where a detected value came from. */
export type DetectionSource = 'content' | 'option' | 'preset' | 'format' | 'default';

/** One file-level decision with the evidence behind it. */
export interface Detected<T> {
  readonly value: T;
  readonly source: DetectionSource;
  /** 0..1: 1 when the content (or an option) decides it, lower for a guess. */
  readonly confidence: number;
  /** What was seen, in words: "412 of 412 dates have a day above 12 in the first position". */
  readonly evidence: string;
  /** True when the content could not decide between the alternatives; `value` is then a guess. */
  readonly ambiguous: boolean;
  /** The other values the content allowed (empty unless ambiguous). */
  readonly alternatives: readonly T[];
}

/** File-level detection, stored as `imports.detection`. Fields a format does not have are null. */
export interface Detection {
  readonly format: Detected<BankFormat>;
  readonly encoding: Detected<TextEncoding>;
  /** Whether the bytes started with a byte-order mark. */
  readonly bom: boolean;
  readonly delimiter: Detected<Delimiter> | null;
  /** 1-based physical line of the header row (CSV), after `preambleLines` lines of preamble. */
  readonly headerRow: Detected<number | null> | null;
  readonly preambleLines: number;
  readonly dateFormat: Detected<DateFormat> | null;
  readonly numberFormat: Detected<NumberFormat> | null;
  readonly signConvention: Detected<SignConvention> | null;
  /** CSV: the column-mapping preset recognized from the header (or given), null for a generic mapping. */
  readonly preset: Detected<string | null> | null;
  /** CSV: the resolved column mapping, by header name or index. */
  readonly columns: ResolvedColumns | null;
  /** OFX: header version (102, 211, ...) and dialect; CAMT: message version (camt.053.001.02, ...). */
  readonly version: string | null;
  /** The statement's declared currency (OFX CURDEF, CAMT Acct/Ccy, a CSV currency column's only value), if any. */
  readonly currency: string | null;
}

// Lines ---------------------------------------------------------------------------------------

/** Which provider id a line carries. */
export type ProviderIdKind = 'plaid_transaction_id' | 'fitid' | 'acct_svcr_ref' | 'end_to_end_id' | 'csv_id_column';

/** One normalized bank line. */
export interface BankLine {
  /** 1-based source row (see the module comment). */
  readonly row: number;
  /** The account the line belongs to: Plaid account_id, OFX ACCTID, CAMT IBAN/Othr Id, a CSV account column, or `options.accountExternalId`. */
  readonly accountExternalId: string;
  /** Posted (booking) date; for a pending Plaid line, Plaid's `date`. */
  readonly date: string;
  /** Plaid authorized_date, OFX DTUSER, a CSV transaction date beside the posting date. */
  readonly authorizedDate: string | null;
  /** CAMT ValDt, OFX DTAVAIL, a CSV value-date column. */
  readonly valueDate: string | null;
  /** Integer cents, positive = money out. */
  readonly amountCents: number;
  /** The same amount as numeric(12,2) text ("12.30", "-1500.00"). */
  readonly amount: string;
  /** ISO 4217 code; null only when `unofficialCurrency` is set. */
  readonly currency: string | null;
  /** A non-ISO currency (Plaid unofficial_currency_code), kept and flagged with an `unofficial_currency` warning. */
  readonly unofficialCurrency: string | null;
  /** The bank's description, trimmed, whitespace collapsed, at most 500 characters. */
  readonly description: string;
  readonly merchantName: string | null;
  /** FITID, AcctSvcrRef/EndToEndId, Plaid transaction_id, a CSV id column; null when the source has none. */
  readonly providerId: string | null;
  readonly providerIdKind: ProviderIdKind | null;
  /** Plaid: the pending line a posted one replaces. */
  readonly pendingTransactionId: string | null;
  readonly pending: boolean;
  /** The provider's category: Plaid personal_finance_category (primary), a CSV category column, QIF L. */
  readonly providerCategory: string | null;
  /** The finer provider category when there is one: Plaid's detailed PFC. */
  readonly providerCategoryDetailed: string | null;
  /** The source's transaction type: OFX TRNTYPE, CAMT BkTxCd domain/family/subfamily, a CSV type column, Plaid payment_channel. */
  readonly transactionType: string | null;
  readonly checkNumber: string | null;
  /** A counterparty name when the format has one apart from the description (CAMT RltdPties, OFX NAME vs MEMO). */
  readonly counterparty: string | null;
  /**
   * Content key: account, date, cents, currency and normalized description
   * (`@wallai/categorize`'s descriptor normalization), joined by `|`. Identical
   * real purchases share it; `occurrence` tells them apart.
   */
  readonly contentKey: string;
  /** 1-based index of this line among the lines of the file with the same content key, in file order. */
  readonly occurrence: number;
  /** The source fields as read (header -> cell, OFX/CAMT elements, Plaid object), for bank_transactions.raw. */
  readonly raw: Readonly<Record<string, unknown>>;
}

// Accounts ------------------------------------------------------------------------------------

export type AccountType = 'depository' | 'credit' | 'loan' | 'investment' | 'other';

/** An account as the file describes it; balances in cents as the bank reports them (a credit card's current balance is what is owed). */
export interface BankAccountInfo {
  readonly externalId: string;
  readonly name: string | null;
  readonly officialName: string | null;
  readonly mask: string | null;
  readonly type: AccountType;
  readonly subtype: string | null;
  readonly currency: string | null;
  readonly unofficialCurrency: string | null;
  readonly currentBalanceCents: number | null;
  readonly availableBalanceCents: number | null;
  readonly creditLimitCents: number | null;
  /** When the balances held: OFX LEDGERBAL DTASOF, CAMT Bal/Dt, Plaid last_updated_datetime (or null). */
  readonly balancesAsOf: string | null;
  /** OFX BANKID/BRANCHID, CAMT Svcr BIC, Plaid persistent_account_id. */
  readonly institutionRef: string | null;
  readonly raw: Readonly<Record<string, unknown>>;
}

// Plaid pages ---------------------------------------------------------------------------------

export interface PlaidRemoved {
  readonly transactionId: string;
  readonly accountId: string | null;
  readonly row: number;
}

/** A `/transactions/sync` response body. Lines that failed validation are left out of added/modified and reported as issues. */
export interface PlaidSyncPage {
  readonly kind: 'sync';
  /** 0-based position of the body in the file. */
  readonly index: number;
  readonly requestId: string | null;
  readonly accounts: readonly BankAccountInfo[];
  readonly added: readonly BankLine[];
  readonly modified: readonly BankLine[];
  readonly removed: readonly PlaidRemoved[];
  readonly nextCursor: string;
  readonly hasMore: boolean;
  /** Plaid's transactions_update_status when present (HISTORICAL_UPDATE_COMPLETE, ...). */
  readonly transactionsUpdateStatus: string | null;
}

/** A `/transactions/get` response body (one offset page). */
export interface PlaidGetPage {
  readonly kind: 'get';
  readonly index: number;
  readonly requestId: string | null;
  readonly accounts: readonly BankAccountInfo[];
  readonly transactions: readonly BankLine[];
  readonly totalTransactions: number;
  readonly itemId: string | null;
}

/** A Plaid error body standing where a walk was interrupted (e.g. TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION). */
export interface PlaidErrorPage {
  readonly kind: 'error';
  readonly index: number;
  readonly requestId: string | null;
  readonly errorType: string;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly displayMessage: string | null;
}

export type PlaidPage = PlaidSyncPage | PlaidGetPage | PlaidErrorPage;

// Issues --------------------------------------------------------------------------------------

/** Stable issue codes; the report and the docs name them. */
export type IssueCode =
  // dates
  | 'missing_date'
  | 'unparseable_date'
  | 'invalid_calendar_date'
  | 'ambiguous_date_format'
  // amounts
  | 'missing_amount'
  | 'unparseable_amount'
  | 'amount_precision'
  | 'amount_out_of_range'
  | 'debit_and_credit'
  | 'unknown_direction'
  | 'ambiguous_number_format'
  // currency
  | 'invalid_currency'
  | 'missing_currency'
  | 'unofficial_currency'
  | 'currency_mismatch'
  // accounts and identity
  | 'unknown_account'
  | 'missing_account'
  | 'duplicate_provider_id'
  | 'missing_description'
  // structure
  | 'malformed_row'
  | 'malformed_record'
  | 'missing_field'
  | 'plaid_error';

export type IssueSeverity = 'error' | 'warning';

/**
 * One row issue in SpendSense's validation_errors shape, plus where and what.
 * An `error` means the row was not turned into a line; a `warning` that it was,
 * with something worth knowing.
 */
export interface RowIssue {
  /** What the issue is about: a transaction row, an account, a Plaid page, or the whole file. */
  readonly type: 'transaction' | 'account' | 'page' | 'file';
  /** The row's provider id when it has one. */
  readonly transaction_id: string | null;
  /** A sentence a person can act on. */
  readonly error: string;
  readonly severity: IssueSeverity;
  readonly code: IssueCode;
  /** 1-based source row, null for a file-level issue. */
  readonly row: number | null;
  /** The column, element or JSON field at fault. */
  readonly field: string | null;
  /** The offending value as written (truncated to 200 characters). */
  readonly value: string | null;
}

// Options -------------------------------------------------------------------------------------

/** A column by header name (case- and accent-insensitive, trimmed) or by 0-based index. */
export type ColumnRef = string | number;

/**
 * An explicit CSV column mapping. Give `amount` (with `amountSign`, or with
 * `direction`), or `debit` and `credit`.
 */
export interface ColumnMapping {
  readonly date: ColumnRef;
  /** Several columns are joined with " " (e.g. payee and reference). */
  readonly description: ColumnRef | readonly ColumnRef[];
  readonly amount?: ColumnRef;
  /** How a signed `amount` column is signed; default `negative_is_money_out`. */
  readonly amountSign?: 'negative_is_money_out' | 'positive_is_money_out';
  readonly debit?: ColumnRef;
  readonly credit?: ColumnRef;
  /** A direction column beside an unsigned `amount`. */
  readonly direction?: ColumnRef;
  /** Direction values (compared upper-cased, trimmed); defaults cover S/H, DR/CR, D/C, DEBIT/CREDIT, SOLL/HABEN, OUT/IN. */
  readonly directionValues?: { readonly out: readonly string[]; readonly in: readonly string[] };
  readonly authorizedDate?: ColumnRef;
  readonly valueDate?: ColumnRef;
  readonly currency?: ColumnRef;
  readonly account?: ColumnRef;
  readonly merchant?: ColumnRef;
  readonly category?: ColumnRef;
  readonly type?: ColumnRef;
  readonly id?: ColumnRef;
  readonly checkNumber?: ColumnRef;
  readonly counterparty?: ColumnRef;
  /** A status column; a row whose value is one of `pendingValues` is pending. */
  readonly status?: ColumnRef;
  readonly pendingValues?: readonly string[];
}

/** The mapping in use, with every column resolved to its index and header. */
export interface ResolvedColumns {
  readonly [field: string]:
    { readonly index: number; readonly header: string | null } | readonly { readonly index: number; readonly header: string | null }[];
}

export interface CsvOptions {
  readonly delimiter?: Delimiter;
  /** 1-based physical line of the header row; 0 = the file has no header row (then `mapping` must use indexes). */
  readonly headerRow?: number;
  readonly dateFormat?: DateFormat;
  readonly numberFormat?: NumberFormat;
  /** A preset id (see `CSV_PRESETS`); by default a preset is recognized from the header. */
  readonly preset?: string;
  readonly mapping?: ColumnMapping;
}

export interface ParseOptions {
  /** `auto` (default) detects from content. An explicit format that the content contradicts fails with `format_mismatch`. */
  readonly format?: FormatOption;
  readonly encoding?: EncodingOption;
  /** Used only as a hint beside the content (an `.ofx` name does not make CSV content OFX). */
  readonly fileName?: string;
  /** The account a file without account ids (most CSVs, QIF) belongs to; default derived from the file ("csv:default", "qif:<type>"). */
  readonly accountExternalId?: string;
  /**
   * Currency of lines whose file does not say (most CSVs, QIF): the import
   * service passes the space's currency. Without it such a line is rejected
   * with `missing_currency`.
   */
  readonly defaultCurrency?: string;
  /** What to do when the date format stays ambiguous: `guess` (default: pick the likelier, warn) or `fail` (a BankFormatError). */
  readonly onAmbiguousDate?: 'guess' | 'fail';
  readonly csv?: CsvOptions;
}

// Bytes in, events out ------------------------------------------------------------------------

/**
 * Where the bytes come from. A function that opens the source afresh lets the
 * parser read it twice (detection, then lines) without holding it in memory;
 * bytes or a string are read in place. A one-shot async iterable is buffered.
 */
export type ByteSource =
  Uint8Array | string | AsyncIterable<Uint8Array> | Iterable<Uint8Array> | (() => AsyncIterable<Uint8Array> | Iterable<Uint8Array>);

/** What iterating a file yields, in file order. For Plaid files the lines are inside `plaid_page` events only. */
export type BankFileEvent =
  | { readonly type: 'account'; readonly account: BankAccountInfo }
  | { readonly type: 'line'; readonly line: BankLine }
  | { readonly type: 'issue'; readonly issue: RowIssue }
  | { readonly type: 'plaid_page'; readonly page: PlaidPage };

/** Counts of what the parser saw; final once iteration has ended. */
export interface ParseStats {
  /** Source transaction rows (CSV records after the header, OFX STMTTRN, QIF records, CAMT entries, Plaid transactions and removals). */
  rows: number;
  /** Rows that became lines. */
  lines: number;
  /** Rows rejected with an error issue. */
  invalid: number;
  warnings: number;
  accounts: number;
  pages: number;
}

/** An opened file: detection is final before the first event. Iterate it once. */
export interface BankFileReader extends AsyncIterable<BankFileEvent> {
  readonly format: BankFormat;
  readonly detection: Detection;
  /** File-level issues known before iteration (e.g. ambiguous_date_format); also yielded first as events. */
  readonly fileIssues: readonly RowIssue[];
  readonly stats: Readonly<ParseStats>;
}

/** A whole file collected (tests, small files, dry runs of small files). */
export interface ParsedBankFile {
  readonly format: BankFormat;
  readonly detection: Detection;
  readonly accounts: readonly BankAccountInfo[];
  readonly lines: readonly BankLine[];
  readonly pages: readonly PlaidPage[];
  readonly issues: readonly RowIssue[];
  readonly stats: Readonly<ParseStats>;
}

/** Codes of a file that cannot be read at all (the import fails, nothing is written). */
export type FileErrorCode =
  | 'empty_file'
  | 'unknown_format'
  | 'format_mismatch'
  | 'unreadable_encoding'
  | 'no_header_row'
  | 'unmapped_columns'
  | 'malformed_xml'
  | 'malformed_json'
  | 'malformed_ofx'
  | 'malformed_csv'
  | 'malformed_qif'
  | 'ambiguous_date_format'
  | 'invalid_option';

/** The API (implemented in index.ts): */
export type OpenBankFile = (source: ByteSource, options?: ParseOptions) => Promise<BankFileReader>;
export type ParseBankFileWhole = (source: ByteSource, options?: ParseOptions) => Promise<ParsedBankFile>;
