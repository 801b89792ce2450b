/**
 * ISO 20022 camt.053 (BankToCustomerStatement), versions 001.02 to 001.13.
 *
 * XML is read whole with fast-xml-parser (a statement file is one document;
 * the brief allows XML to buffer one file). Every `Stmt` is an account with
 * its balances (CLBD closing booked -> current, CLAV closing available ->
 * available, a credit line -> credit limit); every `Ntry` is one line, signed
 * by its CdtDbtInd (DBIT = money out), booked (BOOK) or pending (PDNG), with
 * the bank's reference as provider id: the entry's AcctSvcrRef, else the
 * transaction's AcctSvcrRef, else its EndToEndId (unless NOTPROVIDED).
 */
import { XMLParser } from 'fast-xml-parser';
import { decodeText } from './bytes.ts';
import { baseDetection, fixed, newStats, type FormatContext, type FormatReader } from './context.ts';
import { readDate } from './dates.ts';
import { BankFormatError, issue } from './errors.ts';
import { ISO_CURRENCY, LineFinisher, cleanText, optionalText, type LineDraft } from './lines.ts';
import { parseAmountText } from './numbers.ts';
import type { BankAccountInfo, BankFileEvent, Detection, ProviderIdKind, RowIssue } from './types.ts';

type XmlNode = Record<string, unknown>;

const ARRAYS = new Set(['Stmt', 'Ntry', 'Bal', 'NtryDtls', 'TxDtls', 'Ustrd', 'CdtLine', 'Rpt']);

function node(value: unknown): XmlNode | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as XmlNode) : undefined;
}
function list(value: unknown): XmlNode[] {
  if (Array.isArray(value)) return value.map(node).filter((n): n is XmlNode => n !== undefined);
  const one = node(value);
  return one === undefined ? [] : [one];
}
function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number') return String(value);
  const n = node(value);
  if (n !== undefined && typeof n['#text'] === 'string') return text(n['#text']);
  return null;
}
function at(root: unknown, ...path: string[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    const n = Array.isArray(current) ? node(current[0]) : node(current);
    if (n === undefined) return undefined;
    current = n[key];
  }
  return current;
}
function attribute(value: unknown, name: string): string | null {
  const n = node(Array.isArray(value) ? value[0] : value);
  const attr = n?.[`@_${name}`];
  return typeof attr === 'string' ? attr.trim() : null;
}
/** A date element (`<Dt>` or `<DtTm>`) as an ISO date. */
function isoDate(value: unknown): { iso: string | null; raw: string | null; bad: string | null } {
  const raw = text(at(value, 'Dt')) ?? text(at(value, 'DtTm'));
  if (raw === null) return { iso: null, raw: null, bad: null };
  const read = readDate(raw.slice(0, 10), 'YYYY-MM-DD');
  return read.ok ? { iso: read.iso, raw, bad: null } : { iso: null, raw, bad: read.message };
}
function amountOf(value: unknown): {
  cents: number | null;
  currency: string | null;
  raw: string | null;
  error: ReturnType<typeof parseAmountText> | null;
} {
  const raw = text(value);
  const currency = attribute(value, 'Ccy');
  if (raw === null) return { cents: null, currency, raw, error: null };
  const parsed = parseAmountText(raw, '.');
  return parsed.ok ? { cents: parsed.cents, currency, raw, error: null } : { cents: null, currency, raw, error: parsed };
}
/** A party's name in either layout: `<Cdtr><Nm>` (001.02) or `<Cdtr><Pty><Nm>` (001.08 on). */
function partyName(party: unknown): string | null {
  return text(at(party, 'Nm')) ?? text(at(party, 'Pty', 'Nm'));
}

export async function openCamt(context: FormatContext): Promise<FormatReader> {
  let xml = '';
  for await (const chunk of decodeText(context.open, context.encoding.value)) xml += chunk;
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => ARRAYS.has(name),
  });
  let document: XmlNode;
  try {
    document = parser.parse(xml, true) as XmlNode;
  } catch (error) {
    throw new BankFormatError('malformed_xml', `the CAMT.053 file is not well-formed XML: ${(error as Error).message}`);
  }
  const statementRoot = at(document, 'Document', 'BkToCstmrStmt');
  if (statementRoot === undefined)
    throw new BankFormatError('malformed_xml', 'the XML has no Document/BkToCstmrStmt element (not a camt.053 statement)');
  const statements = list(at(statementRoot, 'Stmt'));
  const version = /camt\.053\.\d{3}\.\d{2}/.exec(context.headText)?.[0] ?? 'camt.053';
  const firstCurrency = text(at(statements[0], 'Acct', 'Ccy'));

  const detection: Detection = {
    ...baseDetection(context),
    dateFormat: fixed('YYYY-MM-DD', 'format', 'ISO 20022 dates are ISO 8601 (BookgDt/Dt or DtTm)'),
    numberFormat: fixed('1234.56', 'format', 'ISO 20022 amounts are plain decimals with the currency as an attribute'),
    signConvention: fixed('credit_debit_indicator', 'format', 'unsigned Amt with CdtDbtInd: DBIT is money out, CRDT money in'),
    version,
    currency: firstCurrency !== null && ISO_CURRENCY.test(firstCurrency) ? firstCurrency : null,
  };
  const stats = newStats();

  async function* events(): AsyncIterable<BankFileEvent> {
    const finisher = new LineFinisher();
    let row = 0;
    for (const statement of statements) {
      const account = accountOf(statement);
      if (account !== null) {
        stats.accounts += 1;
        yield { type: 'account', account };
      }
      for (const entry of list(statement['Ntry'])) {
        row += 1;
        stats.rows += 1;
        const rowIssues: RowIssue[] = [];
        const draft = readEntry(entry, row, account, rowIssues);
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
  }

  function accountOf(statement: XmlNode): BankAccountInfo | null {
    const acct = at(statement, 'Acct');
    const iban = text(at(acct, 'Id', 'IBAN'));
    const other = text(at(acct, 'Id', 'Othr', 'Id'));
    const id = iban ?? other ?? context.options.accountExternalId ?? null;
    if (id === null) return null;
    const currency = text(at(acct, 'Ccy'));
    let current: number | null = null;
    let available: number | null = null;
    let creditLimit: number | null = null;
    let asOf: string | null = null;
    let interim: { cents: number; asOf: string | null } | null = null;
    for (const balance of list(statement['Bal'])) {
      const code = text(at(balance, 'Tp', 'CdOrPrtry', 'Cd')) ?? text(at(balance, 'Tp', 'CdOrPrtry', 'Prtry'));
      const amount = amountOf(balance['Amt']);
      if (amount.cents === null) continue;
      const signed = text(balance['CdtDbtInd']) === 'DBIT' ? -amount.cents : amount.cents;
      const when = text(at(balance, 'Dt', 'DtTm')) ?? text(at(balance, 'Dt', 'Dt'));
      if (code === 'CLBD') {
        current = signed;
        asOf = when;
      } else if (code === 'CLAV') available = signed;
      else if (code === 'ITBD' || code === 'ITAV') interim = { cents: signed, asOf: when };
      for (const line of list(balance['CdtLine'])) {
        const limit = amountOf(line['Amt']);
        if (limit.cents !== null && text(line['Incl']) !== 'false') creditLimit = limit.cents;
      }
    }
    if (current === null && interim !== null) {
      current = interim.cents;
      asOf = interim.asOf;
    }
    const name = text(at(acct, 'Nm'));
    return {
      externalId: id,
      name,
      officialName: null,
      mask: /[0-9]{4}$/.exec(id)?.[0] ?? null,
      type: creditLimit !== null ? 'credit' : 'depository',
      subtype: text(at(acct, 'Tp', 'Cd'))?.toLowerCase() ?? null,
      currency: currency !== null && ISO_CURRENCY.test(currency) ? currency : null,
      unofficialCurrency: null,
      // A credit account's balance in bank_accounts is what is owed: a DBIT closing balance.
      currentBalanceCents: current === null ? null : creditLimit !== null ? -current || 0 : current,
      availableBalanceCents: available,
      creditLimitCents: creditLimit,
      balancesAsOf: asOf === null ? null : /T/.test(asOf) ? asOf : `${asOf}T00:00:00Z`,
      institutionRef: text(at(acct, 'Svcr', 'FinInstnId', 'BIC')) ?? text(at(acct, 'Svcr', 'FinInstnId', 'BICFI')),
      raw: { statementId: text(statement['Id']), account: acct, balances: statement['Bal'] },
    };
  }

  function readEntry(entry: XmlNode, row: number, account: BankAccountInfo | null, issues: RowIssue[]): LineDraft | null {
    const details = list(at(entry, 'NtryDtls')).flatMap((d) => list(d['TxDtls']));
    const first = details[0];
    const endToEnd = text(at(first, 'Refs', 'EndToEndId'));
    const candidates: Array<[string | null, ProviderIdKind]> = [
      [text(entry['AcctSvcrRef']), 'acct_svcr_ref'],
      [details.length === 1 ? text(at(first, 'Refs', 'AcctSvcrRef')) : null, 'acct_svcr_ref'],
      [details.length === 1 && endToEnd !== null && endToEnd.toUpperCase() !== 'NOTPROVIDED' ? endToEnd : null, 'end_to_end_id'],
    ];
    const provider = candidates.find(([id]) => id !== null);
    const providerId = provider?.[0] ?? null;
    const reject = (code: RowIssue['code'], fieldName: string, value: string | null, error: string): null => {
      issues.push(issue({ code, row, field: fieldName, value, transactionId: providerId, error }));
      return null;
    };
    if (account === null) return reject('missing_account', 'Acct/Id', null, 'the statement has no account IBAN or Othr/Id');
    const booking = isoDate(entry['BookgDt']);
    const value = isoDate(entry['ValDt']);
    if (booking.bad !== null) return reject('invalid_calendar_date', 'BookgDt', booking.raw, booking.bad);
    const date = booking.iso ?? value.iso;
    if (date === null)
      return reject(
        value.bad !== null ? 'invalid_calendar_date' : 'missing_date',
        'BookgDt',
        value.raw,
        value.bad ?? 'the entry has neither BookgDt nor ValDt',
      );
    const amount = amountOf(entry['Amt']);
    if (amount.raw === null) return reject('missing_amount', 'Amt', null, 'the entry has no Amt');
    if (amount.error !== null && !amount.error.ok) {
      return reject(
        amount.error.reason === 'unparseable'
          ? 'unparseable_amount'
          : amount.error.reason === 'precision'
            ? 'amount_precision'
            : 'amount_out_of_range',
        'Amt',
        amount.raw,
        amount.error.message,
      );
    }
    const indicator = text(entry['CdtDbtInd']);
    if (indicator !== 'DBIT' && indicator !== 'CRDT')
      return reject('unknown_direction', 'CdtDbtInd', indicator, `CdtDbtInd must be DBIT or CRDT, got ${JSON.stringify(indicator)}`);
    const currency = amount.currency ?? account.currency ?? context.options.defaultCurrency ?? null;
    if (currency === null) return reject('missing_currency', 'Amt/@Ccy', null, 'the entry amount has no Ccy and the account none');
    if (!ISO_CURRENCY.test(currency))
      return reject('invalid_currency', 'Amt/@Ccy', currency, `${JSON.stringify(currency)} is not an ISO 4217 currency code`);
    if (account.currency !== null && currency !== account.currency) {
      issues.push(
        issue({
          code: 'currency_mismatch',
          severity: 'warning',
          row,
          field: 'Amt/@Ccy',
          value: currency,
          transactionId: providerId,
          error: `the entry is in ${currency} on a ${account.currency} account; kept in ${currency}`,
        }),
      );
    }
    const magnitude = Math.abs(amount.cents!);
    const status = (text(entry['Sts']) ?? text(at(entry, 'Sts', 'Cd')) ?? 'BOOK').toUpperCase();
    const parties = at(first, 'RltdPties');
    const counterparty =
      indicator === 'DBIT'
        ? (partyName(at(parties, 'Cdtr')) ?? partyName(at(parties, 'UltmtCdtr')))
        : (partyName(at(parties, 'Dbtr')) ?? partyName(at(parties, 'UltmtDbtr')));
    const remittance = details
      .flatMap((d) => list(d['RmtInf']).flatMap((r) => (Array.isArray(r['Ustrd']) ? r['Ustrd'] : [r['Ustrd']]).map(text)))
      .filter((t): t is string => t !== null)
      .join(' ');
    const additional = text(entry['AddtlNtryInf']);
    let description = cleanText([counterparty, remittance].filter((part) => part !== null && part !== '').join(' '));
    if (description === '') description = cleanText(additional);
    if (description === '')
      return reject('missing_description', 'RmtInf', null, 'the entry has no counterparty, remittance information or AddtlNtryInf');
    const domain = at(entry, 'BkTxCd', 'Domn');
    const code = [text(at(domain, 'Cd')), text(at(domain, 'Fmly', 'Cd')), text(at(domain, 'Fmly', 'SubFmlyCd'))].filter(Boolean).join('/');
    return {
      row,
      accountExternalId: account.externalId,
      date,
      valueDate: value.iso,
      amountCents: indicator === 'DBIT' ? magnitude : -magnitude || 0,
      currency,
      description,
      providerId,
      providerIdKind: provider?.[1] ?? null,
      pending: status === 'PDNG',
      transactionType: optionalText(code) ?? text(at(entry, 'BkTxCd', 'Prtry', 'Cd')) ?? optionalText(additional),
      counterparty,
      raw: entry,
    };
  }

  return { detection, fileIssues: [], stats, events };
}
