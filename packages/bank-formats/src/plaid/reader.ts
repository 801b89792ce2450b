/**
 * Plaid files: a JSON array of response bodies in the order they were
 * fetched (or one body), each read into a typed page as soon as it is parsed.
 *
 * - `/transactions/sync`: added, modified, removed, next_cursor, has_more,
 *   accounts (and transactions_update_status);
 * - `/transactions/get`: accounts, transactions, total_transactions, item;
 * - an error body (error_type, error_code, error_message), where a walk was
 *   interrupted (TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION, ITEM_LOGIN_REQUIRED).
 *
 * Plaid signs amounts as this package does (positive = money out), so amounts
 * are taken as they are. What the pages mean for the database (cursor,
 * pending -> posted, removals, restarts) is the import service's.
 * Field reference: Plaid API docs, /transactions/sync and /transactions/get.
 */
import { decodeText } from '../bytes.ts';
import { baseDetection, fixed, newStats, type FormatContext, type FormatReader } from '../context.ts';
import { readDate } from '../dates.ts';
import { BankFormatError, issue } from '../errors.ts';
import { ISO_CURRENCY, LineFinisher, cleanText, optionalText, type LineDraft } from '../lines.ts';
import { parseAmountText } from '../numbers.ts';
import type {
  AccountType,
  BankAccountInfo,
  BankFileEvent,
  BankLine,
  Detection,
  PlaidErrorPage,
  PlaidGetPage,
  PlaidPage,
  PlaidRemoved,
  PlaidSyncPage,
  RowIssue,
} from '../types.ts';
import { jsonBodies } from './json.ts';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}
function centsOf(value: unknown): number | null {
  if (typeof value !== 'number' && typeof value !== 'string') return null;
  const parsed = parseAmountText(typeof value === 'number' ? numberText(value) : value, '.');
  return parsed.ok ? parsed.cents : null;
}
/** A JSON number as plain decimal text (12.3 -> "12.3", 1e-7 -> "0.0000001"). */
function numberText(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const text = String(value);
  return /e/i.test(text) ? value.toFixed(20).replace(/\.?0+$/, '') : text;
}

const ACCOUNT_TYPES = new Set<AccountType>(['depository', 'credit', 'loan', 'investment', 'other']);

export function plaidAccount(account: Json): BankAccountInfo | null {
  const id = str(account['account_id']);
  if (id === null) return null;
  const balances = isObject(account['balances']) ? account['balances'] : {};
  const rawType = str(account['type']);
  const type: AccountType =
    rawType === 'brokerage'
      ? 'investment'
      : rawType !== null && ACCOUNT_TYPES.has(rawType as AccountType)
        ? (rawType as AccountType)
        : 'other';
  const iso = str(balances['iso_currency_code']);
  const unofficial = str(balances['unofficial_currency_code']);
  return {
    externalId: id,
    name: str(account['name']),
    officialName: str(account['official_name']),
    mask: str(account['mask']),
    type,
    subtype: str(account['subtype']),
    currency: iso !== null && ISO_CURRENCY.test(iso) ? iso : null,
    unofficialCurrency: iso === null ? unofficial : null,
    currentBalanceCents: centsOf(balances['current']),
    availableBalanceCents: centsOf(balances['available']),
    creditLimitCents: centsOf(balances['limit']),
    balancesAsOf: str(balances['last_updated_datetime']),
    institutionRef: str(account['persistent_account_id']),
    raw: account,
  };
}

export async function openPlaid(context: FormatContext): Promise<FormatReader> {
  const detection: Detection = {
    ...baseDetection(context),
    dateFormat: fixed('YYYY-MM-DD', 'format', 'Plaid dates are ISO 8601'),
    numberFormat: fixed('1234.56', 'format', 'Plaid amounts are JSON numbers'),
    signConvention: fixed('positive_is_money_out', 'format', 'Plaid amounts are positive when money moves out of the account'),
    version: null,
  };
  const stats = newStats();
  const defaultCurrency = context.options.defaultCurrency ?? null;

  async function* events(): AsyncIterable<BankFileEvent> {
    // Transaction ids legitimately repeat across pages of a restarted walk, so ids are not checked for uniqueness here.
    const finisher = new LineFinisher({ checkProviderIds: false });
    const knownAccounts = new Set<string>();
    let index = 0;
    let row = 0;
    for await (const body of jsonBodies(decodeText(context.open, context.encoding.value))) {
      const pageIndex = index;
      index += 1;
      if (!isObject(body)) throw new BankFormatError('malformed_json', `body ${pageIndex + 1} of the file is not a JSON object`);
      const issues: RowIssue[] = [];
      const requestId = str(body['request_id']);
      const accounts = Array.isArray(body['accounts'])
        ? body['accounts']
            .filter(isObject)
            .map((account) => plaidAccount(account))
            .filter((a): a is BankAccountInfo => a !== null)
        : [];
      for (const account of accounts) knownAccounts.add(account.externalId);

      const readLines = (value: unknown, fieldName: string): BankLine[] => {
        if (!Array.isArray(value)) throw new BankFormatError('malformed_json', `body ${pageIndex + 1}: ${fieldName} must be an array`);
        const lines: BankLine[] = [];
        for (const transaction of value) {
          row += 1;
          stats.rows += 1;
          const draft = readTransaction(transaction, row, `${fieldName}`, knownAccounts, issues);
          if (draft === null) {
            stats.invalid += 1;
            continue;
          }
          lines.push(finisher.finish(draft, issues));
          stats.lines += 1;
        }
        return lines;
      };

      let page: PlaidPage;
      if (body['error_code'] !== undefined || body['error_type'] !== undefined) {
        const errorPage: PlaidErrorPage = {
          kind: 'error',
          index: pageIndex,
          requestId,
          errorType: str(body['error_type']) ?? 'UNKNOWN',
          errorCode: str(body['error_code']) ?? 'UNKNOWN',
          errorMessage: str(body['error_message']) ?? '',
          displayMessage: str(body['display_message']),
        };
        issues.push(
          issue({
            type: 'page',
            code: 'plaid_error',
            severity: 'warning',
            row: null,
            field: 'error_code',
            value: errorPage.errorCode,
            error: `body ${pageIndex + 1} is a Plaid error (${errorPage.errorType} ${errorPage.errorCode}: ${errorPage.errorMessage})`,
          }),
        );
        page = errorPage;
      } else if ('next_cursor' in body || 'has_more' in body || 'added' in body) {
        if (typeof body['next_cursor'] !== 'string')
          throw new BankFormatError('malformed_json', `body ${pageIndex + 1}: a /transactions/sync body needs next_cursor (a string)`);
        if (typeof body['has_more'] !== 'boolean')
          throw new BankFormatError('malformed_json', `body ${pageIndex + 1}: a /transactions/sync body needs has_more (true or false)`);
        const added = readLines(body['added'] ?? [], 'added');
        const modified = readLines(body['modified'] ?? [], 'modified');
        const removedRaw = body['removed'] ?? [];
        if (!Array.isArray(removedRaw)) throw new BankFormatError('malformed_json', `body ${pageIndex + 1}: removed must be an array`);
        const removed: PlaidRemoved[] = [];
        for (const entry of removedRaw) {
          row += 1;
          stats.rows += 1;
          const id = isObject(entry) ? str(entry['transaction_id']) : null;
          if (id === null) {
            stats.invalid += 1;
            issues.push(
              issue({
                code: 'missing_field',
                row,
                field: 'removed.transaction_id',
                value: entry,
                error: 'a removed entry has no transaction_id',
              }),
            );
            continue;
          }
          removed.push({ transactionId: id, accountId: isObject(entry) ? str(entry['account_id']) : null, row });
        }
        const syncPage: PlaidSyncPage = {
          kind: 'sync',
          index: pageIndex,
          requestId,
          accounts,
          added,
          modified,
          removed,
          nextCursor: body['next_cursor'],
          hasMore: body['has_more'],
          transactionsUpdateStatus: str(body['transactions_update_status']),
        };
        page = syncPage;
      } else if ('transactions' in body && 'total_transactions' in body) {
        const total = body['total_transactions'];
        if (typeof total !== 'number' || !Number.isInteger(total) || total < 0) {
          throw new BankFormatError('malformed_json', `body ${pageIndex + 1}: total_transactions must be a whole number`);
        }
        const getPage: PlaidGetPage = {
          kind: 'get',
          index: pageIndex,
          requestId,
          accounts,
          transactions: readLines(body['transactions'], 'transactions'),
          totalTransactions: total,
          itemId: isObject(body['item']) ? str(body['item']['item_id']) : null,
        };
        page = getPage;
      } else {
        throw new BankFormatError(
          'malformed_json',
          `body ${pageIndex + 1} is neither a /transactions/sync nor a /transactions/get response nor a Plaid error (its fields: ${Object.keys(body).slice(0, 8).join(', ')})`,
        );
      }
      stats.pages += 1;
      stats.accounts += accounts.length;
      for (const pageIssue of issues) {
        if (pageIssue.severity === 'warning') stats.warnings += 1;
        yield { type: 'issue', issue: pageIssue };
      }
      yield { type: 'plaid_page', page };
    }
    if (index === 0) throw new BankFormatError('malformed_json', 'the file holds no Plaid response bodies');
  }

  function readTransaction(
    value: unknown,
    row: number,
    list: string,
    knownAccounts: ReadonlySet<string>,
    issues: RowIssue[],
  ): LineDraft | null {
    if (!isObject(value)) {
      issues.push(issue({ code: 'malformed_record', row, field: list, value, error: `an element of ${list} is not a transaction object` }));
      return null;
    }
    const t = value;
    const id = str(t['transaction_id']);
    const reject = (code: RowIssue['code'], fieldName: string, raw: unknown, error: string): null => {
      issues.push(issue({ code, row, field: fieldName, value: raw, transactionId: id, error }));
      return null;
    };
    if (id === null) return reject('missing_field', 'transaction_id', null, `a transaction in ${list} has no transaction_id`);
    const accountId = str(t['account_id']);
    if (accountId === null) return reject('missing_account', 'account_id', null, 'the transaction has no account_id');
    if (knownAccounts.size > 0 && !knownAccounts.has(accountId)) {
      return reject(
        'unknown_account',
        'account_id',
        accountId,
        `account_id ${JSON.stringify(accountId)} is not among the accounts of the response`,
      );
    }
    const dateText = str(t['date']);
    if (dateText === null) return reject('missing_date', 'date', null, 'the transaction has no date');
    const date = readDate(dateText, 'YYYY-MM-DD');
    if (!date.ok) return reject(date.reason === 'shape' ? 'unparseable_date' : 'invalid_calendar_date', 'date', dateText, date.message);
    let authorizedDate: string | null = null;
    const authorizedText = str(t['authorized_date']);
    if (authorizedText !== null) {
      const read = readDate(authorizedText, 'YYYY-MM-DD');
      if (read.ok) authorizedDate = read.iso;
      else
        issues.push(
          issue({
            code: read.reason === 'shape' ? 'unparseable_date' : 'invalid_calendar_date',
            severity: 'warning',
            row,
            field: 'authorized_date',
            value: authorizedText,
            transactionId: id,
            error: `${read.message}; ignored`,
          }),
        );
    }
    const rawAmount = t['amount'];
    if (rawAmount === undefined || rawAmount === null) return reject('missing_amount', 'amount', null, 'the transaction has no amount');
    if (typeof rawAmount !== 'number' && typeof rawAmount !== 'string')
      return reject('unparseable_amount', 'amount', rawAmount, 'amount must be a number');
    const amount = parseAmountText(typeof rawAmount === 'number' ? numberText(rawAmount) : rawAmount, '.');
    if (!amount.ok) {
      return reject(
        amount.reason === 'unparseable' ? 'unparseable_amount' : amount.reason === 'precision' ? 'amount_precision' : 'amount_out_of_range',
        'amount',
        rawAmount,
        amount.message,
      );
    }
    const iso = str(t['iso_currency_code']);
    const unofficial = str(t['unofficial_currency_code']);
    let currency: string | null = null;
    let unofficialCurrency: string | null = null;
    if (iso !== null) {
      if (!ISO_CURRENCY.test(iso))
        return reject('invalid_currency', 'iso_currency_code', iso, `${JSON.stringify(iso)} is not an ISO 4217 currency code`);
      currency = iso;
    } else if (unofficial !== null) {
      if (unofficial.length > 20)
        return reject('invalid_currency', 'unofficial_currency_code', unofficial, 'unofficial_currency_code is longer than 20 characters');
      unofficialCurrency = unofficial;
      issues.push(
        issue({
          code: 'unofficial_currency',
          severity: 'warning',
          row,
          field: 'unofficial_currency_code',
          value: unofficial,
          transactionId: id,
          error: `the transaction is in ${unofficial}, a currency without an ISO 4217 code; kept and flagged, never summed with ISO amounts`,
        }),
      );
    } else if (defaultCurrency !== null) {
      currency = defaultCurrency;
    } else {
      return reject(
        'missing_currency',
        'iso_currency_code',
        null,
        'the transaction has neither iso_currency_code nor unofficial_currency_code',
      );
    }
    const description = cleanText(str(t['name']) ?? str(t['original_description']) ?? str(t['merchant_name']));
    if (description === '')
      return reject('missing_description', 'name', null, 'the transaction has no name, original_description or merchant_name');
    const pfc = isObject(t['personal_finance_category']) ? t['personal_finance_category'] : null;
    const legacy = Array.isArray(t['category']) ? t['category'].filter((c): c is string => typeof c === 'string') : [];
    const counterparties = Array.isArray(t['counterparties']) ? t['counterparties'].filter(isObject) : [];
    return {
      row,
      accountExternalId: accountId,
      date: date.iso,
      authorizedDate,
      amountCents: amount.cents,
      currency,
      unofficialCurrency,
      description,
      merchantName: optionalText(t['merchant_name']),
      providerId: id,
      providerIdKind: 'plaid_transaction_id',
      pendingTransactionId: str(t['pending_transaction_id']),
      pending: t['pending'] === true,
      providerCategory: str(pfc?.['primary']) ?? legacy[0] ?? null,
      providerCategoryDetailed: str(pfc?.['detailed']) ?? (legacy.length > 1 ? legacy.join(' > ') : null),
      transactionType: str(t['payment_channel']) ?? str(t['transaction_type']),
      checkNumber: str(t['check_number']),
      counterparty: str(counterparties[0]?.['name']),
      raw: t,
    };
  }

  return { detection, fileIssues: [], stats, events };
}
