/**
 * QIF (Quicken Interchange Format), streamed line by line.
 *
 * A file is a `!Type:` header (Bank, CCard, Cash, Oth A, Oth L) followed by
 * records of one-letter fields (D date, T/U amount, P payee, M memo, L
 * category, N number, C cleared, S/E/$ splits) each ended by `^`; `!Account`
 * blocks name the account the following records belong to. QIF dates carry no
 * format marker (`01/05/2025` is January or May) so the format is decided
 * from every D field in a first pass, as for CSV; `1/ 5'25` is QIF's own
 * spelling of a 21st-century year.
 */
import { decodeText, splitLines } from './bytes.ts';
import { baseDetection, fixed, newStats, type FormatContext, type FormatReader } from './context.ts';
import { DateFormatSampler, readDate } from './dates.ts';
import { BankFormatError, issue } from './errors.ts';
import { ISO_CURRENCY, LineFinisher, cleanText, optionalText, type LineDraft } from './lines.ts';
import { NUMBER_FORMATS, classifyAmount, numberFormatFor, parseAmountText } from './numbers.ts';
import type { AccountType, BankAccountInfo, BankFileEvent, DateFormat, Detected, Detection, NumberFormat, RowIssue } from './types.ts';

const TRANSACTION_TYPES: Readonly<Record<string, { type: AccountType; subtype: string }>> = {
  BANK: { type: 'depository', subtype: 'checking' },
  CCARD: { type: 'credit', subtype: 'credit card' },
  CASH: { type: 'depository', subtype: 'cash' },
  'OTH A': { type: 'other', subtype: 'asset' },
  'OTH L': { type: 'loan', subtype: 'liability' },
};

/** QIF's date spellings made ordinary: `1/ 5'25` -> `1/5/25`, `01-05-2025` kept. */
export function normalizeQifDate(text: string): string {
  return text.trim().replace(/\s+/g, '').replace(/'/g, '/');
}

interface QifRecord {
  readonly fields: ReadonlyArray<readonly [string, string]>;
  readonly line: number;
  readonly section: string;
  readonly account: {
    name: string | null;
    type: string | null;
    limit: string | null;
    balance: string | null;
    description: string | null;
  } | null;
}

/** Records of a QIF file in order, with the section (!Type) and account (!Account) they belong to. */
async function* qifRecords(
  context: FormatContext,
): AsyncIterable<QifRecord | { readonly accountBlock: QifRecord['account'] & object; readonly line: number }> {
  let section = '';
  let inAccountBlock = false;
  let account: QifRecord['account'] = null;
  let fields: [string, string][] = [];
  let start = 0;
  for await (const { text, number } of splitLines(decodeText(context.open, context.encoding.value))) {
    const line = text.replace(/^\uFEFF/, '');
    if (line.trim() === '') continue;
    if (line.startsWith('!')) {
      const header = line.trim().toUpperCase();
      if (header === '!ACCOUNT') {
        inAccountBlock = true;
        account = { name: null, type: null, limit: null, balance: null, description: null };
      } else if (header.startsWith('!TYPE:')) {
        section = header.slice(6).trim();
        inAccountBlock = false;
      } else if (header.startsWith('!OPTION') || header.startsWith('!CLEAR')) {
        // AutoSwitch markers: nothing to do.
      }
      fields = [];
      continue;
    }
    if (line.startsWith('^')) {
      if (inAccountBlock && account !== null) {
        yield { accountBlock: account, line: start };
      } else if (fields.length > 0) {
        yield { fields, line: start, section, account };
      }
      fields = [];
      continue;
    }
    if (fields.length === 0) start = number;
    if (inAccountBlock && account !== null) {
      const code = line[0]!;
      const value = line.slice(1).trim();
      if (code === 'N') account.name = value;
      else if (code === 'T') account.type = value;
      else if (code === 'L') account.limit = value;
      else if (code === '$') account.balance = value;
      else if (code === 'D') account.description = value;
      fields.push([code, value]);
      continue;
    }
    fields.push([line[0]!, line.slice(1)]);
  }
  if (fields.length > 0 && !inAccountBlock) yield { fields, line: start, section, account };
}

function accountId(context: FormatContext, account: QifRecord['account'], section: string): string {
  return (
    context.options.accountExternalId ??
    (account?.name !== null && account?.name !== undefined && account.name !== ''
      ? `qif:${account.name}`
      : `qif:${section.toLowerCase() || 'bank'}`)
  );
}

export async function openQif(context: FormatContext): Promise<FormatReader> {
  // Pass 1: dates and amounts of the whole file.
  const dates = new DateFormatSampler();
  const amounts = { total: 0, dot: 0, comma: 0, differs: 0, groups: { '.': new Set<string>(), ',': new Set<string>() } };
  let sections = new Set<string>();
  for await (const record of qifRecords(context)) {
    if ('accountBlock' in record) continue;
    sections.add(record.section);
    for (const [code, value] of record.fields) {
      if (code === 'D') dates.add(normalizeQifDate(value));
      if (code === 'T' || code === 'U') {
        if (code === 'U' && record.fields.some(([c]) => c === 'T')) continue;
        const classified = classifyAmount(value);
        if (classified === null) continue;
        amounts.total += 1;
        if (classified.fits.includes('.')) amounts.dot += 1;
        if (classified.fits.includes(',')) amounts.comma += 1;
        if (classified.differs) amounts.differs += 1;
        if (classified.fits.length === 1 && classified.group !== null) amounts.groups[classified.fits[0]!].add(classified.group);
      }
    }
  }
  if (sections.size === 0 && dates.count === 0)
    throw new BankFormatError('malformed_qif', 'the file has no QIF transaction records (D/T fields ended by ^)');
  sections = new Set([...sections].filter((s) => s !== ''));

  const fileIssues: RowIssue[] = [];
  const csvOptions = context.options.csv ?? {};
  let dateFormat: Detected<DateFormat>;
  if (csvOptions.dateFormat !== undefined) {
    dateFormat = fixed(csvOptions.dateFormat, 'option', 'as given');
  } else {
    const commaDecimal = amounts.comma === amounts.total && amounts.dot < amounts.total;
    const decision = dates.decide(
      commaDecimal
        ? { dayFirst: true, reason: 'the amounts use a decimal comma (day-first locales)' }
        : { dayFirst: false, reason: 'QIF is a US format (Quicken) and nothing else decides it' },
    );
    if (decision.format === null) throw new BankFormatError('malformed_qif', `the D fields hold no readable dates: ${decision.evidence}`);
    dateFormat = {
      value: decision.format,
      source: 'content',
      confidence: decision.confidence,
      evidence: decision.evidence,
      ambiguous: decision.ambiguous,
      alternatives: decision.alternatives,
    };
    if (decision.ambiguous) {
      if ((context.options.onAmbiguousDate ?? 'guess') === 'fail') {
        throw new BankFormatError(
          'ambiguous_date_format',
          `the dates cannot decide the date format (${decision.evidence}); give the date format`,
        );
      }
      fileIssues.push(
        issue({
          type: 'file',
          code: 'ambiguous_date_format',
          severity: 'warning',
          field: 'D',
          error: `every date reads as ${[decision.format, ...decision.alternatives].join(' or ')}; read as ${decision.format}. Give the date format if that is wrong`,
        }),
      );
    }
  }

  let numberFormat: Detected<NumberFormat>;
  if (csvOptions.numberFormat !== undefined) {
    numberFormat = fixed(csvOptions.numberFormat, 'option', 'as given');
  } else {
    const decimal = amounts.dot === amounts.total ? '.' : amounts.comma === amounts.total ? ',' : amounts.dot >= amounts.comma ? '.' : ',';
    const ambiguous = amounts.dot === amounts.total && amounts.comma === amounts.total && amounts.differs > 0;
    const group = [...amounts.groups[decimal]].find((g) => g !== '') ?? '';
    numberFormat = {
      value: numberFormatFor(decimal, group as '' | ',' | '.' | ' ' | "'"),
      source: 'content',
      confidence: ambiguous ? 0.5 : 1,
      evidence: ambiguous
        ? `${amounts.differs} amounts read either way; chose "${decimal}"`
        : `${decimal === '.' ? amounts.dot : amounts.comma} of ${amounts.total} amounts read with "${decimal}" as the decimal separator`,
      ambiguous,
      alternatives: ambiguous ? [numberFormatFor(',', null)] : [],
    };
  }
  const decimal = NUMBER_FORMATS[numberFormat.value].decimal;
  const currency = context.options.defaultCurrency ?? null;

  const detection: Detection = {
    ...baseDetection(context),
    dateFormat,
    numberFormat,
    signConvention: fixed('negative_is_money_out', 'format', 'QIF T amounts are negative for payments (money out)'),
    version: [...sections].map((s) => `!Type:${s}`).join(', ') || null,
    currency: currency !== null && ISO_CURRENCY.test(currency) ? currency : null,
  };
  const stats = newStats();

  async function* events(): AsyncIterable<BankFileEvent> {
    for (const fileIssue of fileIssues) {
      stats.warnings += 1;
      yield { type: 'issue', issue: fileIssue };
    }
    const finisher = new LineFinisher();
    const announced = new Set<string>();
    let blockAccount: QifRecord['account'] = null;
    for await (const record of qifRecords(context)) {
      if ('accountBlock' in record) {
        blockAccount = record.accountBlock;
        const info = accountInfo(record.accountBlock, '');
        announced.add(info.externalId);
        stats.accounts += 1;
        yield { type: 'account', account: info };
        continue;
      }
      const section = record.section;
      stats.rows += 1;
      const rowIssues: RowIssue[] = [];
      const externalId = accountId(context, record.account ?? blockAccount, section);
      if (!announced.has(externalId)) {
        announced.add(externalId);
        stats.accounts += 1;
        yield {
          type: 'account',
          account: accountInfo(record.account ?? { name: null, type: null, limit: null, balance: null, description: null }, section),
        };
      }
      const draft = readRecord(record, externalId, rowIssues);
      const line = draft === null ? null : finisher.finish(draft, rowIssues);
      if (line === null) stats.invalid += 1;
      else stats.lines += 1;
      for (const rowIssue of rowIssues) {
        if (rowIssue.severity === 'warning') stats.warnings += 1;
        yield { type: 'issue', issue: rowIssue };
      }
      if (line !== null) yield { type: 'line', line };
    }
  }

  function cents(text: string | null): number | null {
    if (text === null || text.trim() === '') return null;
    const parsed = parseAmountText(text, decimal);
    return parsed.ok ? parsed.cents : null;
  }

  function accountInfo(account: NonNullable<QifRecord['account']>, section: string): BankAccountInfo {
    const kind = TRANSACTION_TYPES[(account.type ?? section).toUpperCase()] ?? { type: 'other' as const, subtype: null };
    const balance = cents(account.balance);
    return {
      externalId: accountId(context, account, section),
      name: account.name,
      officialName: account.description,
      mask: null,
      type: kind.type,
      subtype: kind.subtype,
      currency: currency !== null && ISO_CURRENCY.test(currency) ? currency : null,
      unofficialCurrency: null,
      currentBalanceCents: balance === null ? null : kind.type === 'credit' ? -balance || 0 : balance,
      availableBalanceCents: null,
      creditLimitCents: cents(account.limit),
      balancesAsOf: null,
      institutionRef: null,
      raw: { ...account },
    };
  }

  function readRecord(record: QifRecord, externalId: string, issues: RowIssue[]): LineDraft | null {
    const row = record.line;
    const first = (code: string): string | null => {
      const found = record.fields.find(([c]) => c === code);
      return found === undefined ? null : found[1].trim();
    };
    const reject = (code: RowIssue['code'], fieldName: string, value: string | null, error: string): null => {
      issues.push(issue({ code, row, field: fieldName, value, error }));
      return null;
    };
    if (record.section !== '' && TRANSACTION_TYPES[record.section] === undefined) {
      return reject(
        'malformed_record',
        '!Type',
        record.section,
        `!Type:${record.section} records are not bank transactions and are not imported`,
      );
    }
    const dateText = first('D');
    if (dateText === null || dateText === '') return reject('missing_date', 'D', null, 'the record has no D (date) field');
    const date = readDate(normalizeQifDate(dateText), dateFormat.value);
    if (!date.ok) return reject(date.reason === 'shape' ? 'unparseable_date' : 'invalid_calendar_date', 'D', dateText, date.message);
    const amountText = first('T') ?? first('U');
    if (amountText === null || amountText === '') return reject('missing_amount', 'T', null, 'the record has no T (amount) field');
    const amount = parseAmountText(amountText, decimal);
    if (!amount.ok) {
      return reject(
        amount.reason === 'unparseable' ? 'unparseable_amount' : amount.reason === 'precision' ? 'amount_precision' : 'amount_out_of_range',
        'T',
        amountText,
        amount.message,
      );
    }
    if (currency === null) return reject('missing_currency', 'T', null, 'QIF files carry no currency and none was given for the file');
    const payee = cleanText(first('P'));
    const memo = cleanText(first('M'));
    const description = payee === '' ? memo : memo === '' || payee.includes(memo) ? payee : `${payee} ${memo}`;
    if (description === '') return reject('missing_description', 'P', null, 'the record has neither P (payee) nor M (memo)');
    const category = optionalText(first('L'));
    const transfer = category !== null && /^\[.*\]$/.test(category);
    const raw: Record<string, string | string[]> = {};
    for (const [code, value] of record.fields) {
      const existing = raw[code];
      raw[code] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
    return {
      row,
      accountExternalId: externalId,
      date: date.iso,
      amountCents: -amount.cents || 0,
      currency,
      description,
      providerCategory: transfer ? null : category,
      transactionType: transfer ? 'transfer' : null,
      checkNumber: optionalText(first('N')),
      counterparty: payee === '' ? null : payee,
      raw,
    };
  }

  return { detection, fileIssues, stats, events };
}
