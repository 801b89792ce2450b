/**
 * OFX / QFX, SGML 1.x and XML 2.x, streamed.
 *
 * OFX 1.x is SGML whose leaf elements have no end tags (`<TRNAMT>-12.30`);
 * OFX 2.x is XML with end tags everywhere. One tokenizer reads both: an
 * element followed by text is a leaf (an end tag naming it, if any, is
 * skipped); an element followed by another tag is an aggregate, closed by
 * its end tag. Each `<STMTTRN>` becomes a line as soon as it closes, so only
 * one transaction is in memory at a time. Spec: OFX 2.3 §11.4 (STMTRS,
 * CCSTMTRS, STMTTRN), §3.2.8 (dates).
 */
import { decodeText } from './bytes.ts';
import { baseDetection, newStats, type FormatContext, type FormatReader } from './context.ts';
import { readDate } from './dates.ts';
import { BankFormatError, issue } from './errors.ts';
import { ISO_CURRENCY, LineFinisher, cleanText, optionalText, type LineDraft } from './lines.ts';
import { parseAmountText } from './numbers.ts';
import type { AccountType, BankAccountInfo, BankFileEvent, Detection, RowIssue } from './types.ts';

type Token = { kind: 'start'; name: string } | { kind: 'end'; name: string } | { kind: 'text'; text: string };

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Tags and text of an OFX body (the header lines before the first `<` are text too, and ignored). */
async function* tokens(chunks: AsyncIterable<string>): AsyncIterable<Token> {
  let buffer = '';
  for await (const chunk of chunks) {
    buffer += chunk;
    let position = 0;
    for (;;) {
      const open = buffer.indexOf('<', position);
      if (open < 0) break;
      const close = buffer.indexOf('>', open);
      if (close < 0) break;
      if (open > position) yield { kind: 'text', text: buffer.slice(position, open) };
      const tag = buffer.slice(open + 1, close);
      position = close + 1;
      if (tag.startsWith('?') || tag.startsWith('!')) continue;
      if (tag.startsWith('/')) yield { kind: 'end', name: tag.slice(1).trim().toUpperCase() };
      else if (tag.endsWith('/')) {
        const name = tag.slice(0, -1).trim().split(/\s/)[0]!.toUpperCase();
        yield { kind: 'start', name };
        yield { kind: 'end', name };
      } else yield { kind: 'start', name: tag.trim().split(/\s/)[0]!.toUpperCase() };
    }
    buffer = buffer.slice(position);
  }
  if (buffer.trim() !== '') yield { kind: 'text', text: buffer };
}

export interface OfxNode {
  readonly name: string;
  readonly values: Map<string, string>;
  readonly children: OfxNode[];
}

function child(node: OfxNode | undefined, name: string): OfxNode | undefined {
  return node?.children.find((c) => c.name === name);
}

/** Closed aggregates of an OFX stream with their open ancestors; a closed STMTTRN is not kept in its parent. */
async function* walk(chunks: AsyncIterable<string>): AsyncIterable<{ readonly node: OfxNode; readonly ancestors: readonly OfxNode[] }> {
  const stack: OfxNode[] = [];
  let pending: string | null = null;
  let lastLeaf: string | null = null;
  const openAggregate = (name: string): void => {
    stack.push({ name, values: new Map(), children: [] });
  };
  function* closeTo(name: string): Iterable<{ node: OfxNode; ancestors: readonly OfxNode[] }> {
    const index = stack.map((node) => node.name).lastIndexOf(name);
    if (index < 0) return;
    while (stack.length > index) {
      const node = stack.pop()!;
      yield { node, ancestors: stack };
      if (node.name !== 'STMTTRN') stack[stack.length - 1]?.children.push(node);
    }
  }
  for await (const token of tokens(chunks)) {
    if (token.kind === 'start') {
      if (pending !== null) openAggregate(pending);
      pending = token.name;
      lastLeaf = null;
    } else if (token.kind === 'text') {
      const text = token.text.trim();
      if (text === '' || pending === null) continue;
      stack[stack.length - 1]?.values.set(pending, decodeEntities(text));
      lastLeaf = pending;
      pending = null;
    } else {
      if (pending !== null) {
        // <TAG></TAG>: an empty leaf.
        if (pending === token.name) {
          stack[stack.length - 1]?.values.set(pending, '');
          pending = null;
          continue;
        }
        openAggregate(pending);
        pending = null;
      }
      if (token.name === lastLeaf) {
        lastLeaf = null;
        continue;
      }
      lastLeaf = null;
      yield* closeTo(token.name);
    }
  }
  if (pending !== null) openAggregate(pending);
  while (stack.length > 0) yield* closeTo(stack[stack.length - 1]!.name);
}

/** OFX datetime (YYYYMMDD[HHMMSS[.XXX]][[±h[:mm]][:TZ]]) as an ISO timestamp. */
export function ofxTimestamp(value: string): string | null {
  const match = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(?:(\d{2})(?:\.\d+)?)?)?\s*(?:\[([+-]?\d+(?:\.\d+)?)(?::[A-Za-z]+)?\])?/.exec(
    value.trim(),
  );
  if (match === null) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', offset] = match;
  const date = readDate(`${y}${mo}${d}`, 'YYYYMMDD');
  if (!date.ok) return null;
  let zone = 'Z';
  if (offset !== undefined) {
    const hours = Number(offset);
    const sign = hours < 0 ? '-' : '+';
    const abs = Math.abs(hours);
    zone = `${sign}${String(Math.floor(abs)).padStart(2, '0')}:${String(Math.round((abs % 1) * 60)).padStart(2, '0')}`;
  }
  return `${date.iso}T${h}:${mi}:${s}${zone}`;
}

function ofxAmount(text: string): ReturnType<typeof parseAmountText> {
  const decimal = text.includes(',') && !text.includes('.') ? ',' : '.';
  return parseAmountText(text, decimal);
}

function accountFrom(node: OfxNode, kind: 'bank' | 'card', currency: string | null): BankAccountInfo | null {
  const id = optionalText(node.values.get('ACCTID'));
  if (id === null) return null;
  const accountType = node.values.get('ACCTTYPE')?.toUpperCase() ?? null;
  const type: AccountType = kind === 'card' || accountType === 'CREDITLINE' ? 'credit' : 'depository';
  const raw: Record<string, string> = Object.fromEntries(node.values);
  return {
    externalId: id,
    name: null,
    officialName: null,
    mask: /[0-9]{4}$/.exec(id)?.[0] ?? null,
    type,
    subtype: kind === 'card' ? 'credit card' : (accountType?.toLowerCase() ?? null),
    currency: currency !== null && ISO_CURRENCY.test(currency) ? currency : null,
    unofficialCurrency: null,
    currentBalanceCents: null,
    availableBalanceCents: null,
    creditLimitCents: null,
    balancesAsOf: null,
    institutionRef: optionalText([node.values.get('BANKID'), node.values.get('BRANCHID')].filter(Boolean).join('/')),
    raw,
  };
}

export async function openOfx(context: FormatContext): Promise<FormatReader> {
  const head = context.headText;
  const sgmlVersion = /^\s*VERSION:\s*(\d+)/im.exec(head)?.[1];
  const xmlVersion = /<\?OFX[^>]*VERSION="(\d+)"/i.exec(head)?.[1];
  const version =
    xmlVersion !== undefined
      ? `OFX ${xmlVersion} (XML)`
      : sgmlVersion !== undefined
        ? `OFX ${sgmlVersion} (SGML)`
        : /<\?xml/i.test(head)
          ? 'OFX (XML)'
          : 'OFX (SGML)';
  const declaredCurrency = /<CURDEF>\s*([A-Za-z]{3})/i.exec(head)?.[1]?.toUpperCase() ?? null;
  const detection: Detection = {
    ...baseDetection(context),
    dateFormat: {
      value: 'YYYYMMDD',
      source: 'format',
      confidence: 1,
      evidence: 'OFX dates are YYYYMMDD[HHMMSS]',
      ambiguous: false,
      alternatives: [],
    },
    numberFormat: {
      value: '1234.56',
      source: 'format',
      confidence: 1,
      evidence: 'OFX amounts are plain decimals',
      ambiguous: false,
      alternatives: [],
    },
    signConvention: {
      value: 'negative_is_money_out',
      source: 'format',
      confidence: 1,
      evidence: 'OFX TRNAMT is negative for debits (money out of the account)',
      ambiguous: false,
      alternatives: [],
    },
    version,
    currency: declaredCurrency,
  };
  const stats = newStats();

  async function* events(): AsyncIterable<BankFileEvent> {
    const finisher = new LineFinisher();
    const announced = new Set<OfxNode>();
    let row = 0;
    let sawOfx = false;

    for await (const { node, ancestors } of walk(decodeText(context.open, context.encoding.value))) {
      if (node.name === 'OFX' || ancestors[0]?.name === 'OFX') sawOfx = true;
      const parent = ancestors[ancestors.length - 1];
      const statementNode = [...ancestors].reverse().find((a) => a.name === 'STMTRS' || a.name === 'CCSTMTRS');
      if ((node.name === 'BANKACCTFROM' || node.name === 'CCACCTFROM') && parent !== undefined && parent === statementNode) {
        const account = accountFrom(node, parent.name === 'CCSTMTRS' ? 'card' : 'bank', parent.values.get('CURDEF')?.toUpperCase() ?? null);
        if (account !== null) {
          announced.add(parent);
          stats.accounts += 1;
          yield { type: 'account', account };
        }
        continue;
      }
      if (node.name === 'STMTTRN' && parent?.name === 'BANKTRANLIST') {
        row += 1;
        stats.rows += 1;
        const rowIssues: RowIssue[] = [];
        const draft = readTransaction(node, row, statementNode, rowIssues);
        const line = draft === null ? null : finisher.finish(draft, rowIssues);
        if (line === null) stats.invalid += 1;
        else stats.lines += 1;
        for (const rowIssue of rowIssues) {
          if (rowIssue.severity === 'warning') stats.warnings += 1;
          yield { type: 'issue', issue: rowIssue };
        }
        if (line !== null) yield { type: 'line', line };
        continue;
      }
      if ((node.name === 'STMTRS' || node.name === 'CCSTMTRS') && announced.has(node)) {
        const kind = node.name === 'CCSTMTRS' ? 'card' : 'bank';
        const from = child(node, kind === 'card' ? 'CCACCTFROM' : 'BANKACCTFROM');
        const account = from === undefined ? null : accountFrom(from, kind, node.values.get('CURDEF')?.toUpperCase() ?? null);
        if (account === null) continue;
        const ledger = child(node, 'LEDGERBAL');
        const available = child(node, 'AVAILBAL');
        // A card's LEDGERBAL is negative when money is owed; bank_accounts keeps what is owed as a positive balance.
        const sign = account.type === 'credit' ? -1 : 1;
        const cents = (balance: OfxNode | undefined): number | null => {
          const text = balance?.values.get('BALAMT');
          if (text === undefined) return null;
          const parsed = ofxAmount(text);
          return parsed.ok ? parsed.cents : null;
        };
        const currentBalance = cents(ledger);
        const availableBalance = cents(available);
        if (currentBalance === null && availableBalance === null) continue;
        const asOf = ledger?.values.get('DTASOF') ?? available?.values.get('DTASOF');
        yield {
          type: 'account',
          account: {
            ...account,
            currentBalanceCents: currentBalance === null ? null : sign * currentBalance || 0,
            availableBalanceCents: availableBalance,
            balancesAsOf: asOf === undefined ? null : ofxTimestamp(asOf),
            raw: {
              ...account.raw,
              ...(ledger !== undefined ? { LEDGERBAL: Object.fromEntries(ledger.values) } : {}),
              ...(available !== undefined ? { AVAILBAL: Object.fromEntries(available.values) } : {}),
            },
          },
        };
      }
    }
    if (!sawOfx) throw new BankFormatError('malformed_ofx', 'the file has no <OFX> element');
  }

  function readTransaction(node: OfxNode, row: number, statement: OfxNode | undefined, issues: RowIssue[]): LineDraft | null {
    const v = node.values;
    const fitid = optionalText(v.get('FITID'));
    const raw: Record<string, unknown> = Object.fromEntries(v);
    for (const c of node.children) raw[c.name] = Object.fromEntries(c.values);
    const reject = (code: RowIssue['code'], fieldName: string, value: string | null, error: string): null => {
      issues.push(issue({ code, row, field: fieldName, value, transactionId: fitid, error }));
      return null;
    };
    const from = statement === undefined ? undefined : child(statement, statement.name === 'CCSTMTRS' ? 'CCACCTFROM' : 'BANKACCTFROM');
    const account = optionalText(from?.values.get('ACCTID')) ?? context.options.accountExternalId ?? null;
    if (account === null)
      return reject(
        'missing_account',
        'ACCTID',
        null,
        'the transaction is not inside a statement with an account id (BANKACCTFROM/CCACCTFROM)',
      );
    const posted = v.get('DTPOSTED');
    if (posted === undefined || posted.trim() === '') return reject('missing_date', 'DTPOSTED', null, 'the transaction has no DTPOSTED');
    const date = readDate(posted.trim().slice(0, 8), 'YYYYMMDD');
    if (!/^\d{8}/.test(posted.trim()))
      return reject('unparseable_date', 'DTPOSTED', posted, `${JSON.stringify(posted)} is not an OFX date (YYYYMMDD...)`);
    if (!date.ok) return reject('invalid_calendar_date', 'DTPOSTED', posted, date.message);
    const optionalDate = (name: string): string | null => {
      const text = v.get(name)?.trim();
      if (text === undefined || text === '') return null;
      const read = readDate(text.slice(0, 8), 'YYYYMMDD');
      if (read.ok) return read.iso;
      issues.push(
        issue({
          code: 'invalid_calendar_date',
          severity: 'warning',
          row,
          field: name,
          value: text,
          transactionId: fitid,
          error: `${read.message}; ignored`,
        }),
      );
      return null;
    };
    const amountText = v.get('TRNAMT');
    if (amountText === undefined || amountText.trim() === '')
      return reject('missing_amount', 'TRNAMT', null, 'the transaction has no TRNAMT');
    const amount = ofxAmount(amountText);
    if (!amount.ok) {
      return reject(
        amount.reason === 'unparseable' ? 'unparseable_amount' : amount.reason === 'precision' ? 'amount_precision' : 'amount_out_of_range',
        'TRNAMT',
        amountText,
        amount.message,
      );
    }
    const lineCurrency = child(node, 'CURRENCY')?.values.get('CURSYM')?.trim().toUpperCase() ?? null;
    const statementCurrency = statement?.values.get('CURDEF')?.trim().toUpperCase() ?? null;
    const currency = lineCurrency ?? statementCurrency ?? context.options.defaultCurrency ?? null;
    if (currency === null) return reject('missing_currency', 'CURDEF', null, 'the statement has no CURDEF and no currency was given');
    if (!ISO_CURRENCY.test(currency))
      return reject(
        'invalid_currency',
        lineCurrency !== null ? 'CURSYM' : 'CURDEF',
        currency,
        `${JSON.stringify(currency)} is not an ISO 4217 currency code`,
      );
    if (lineCurrency !== null && statementCurrency !== null && lineCurrency !== statementCurrency) {
      issues.push(
        issue({
          code: 'currency_mismatch',
          severity: 'warning',
          row,
          field: 'CURSYM',
          value: lineCurrency,
          transactionId: fitid,
          error: `the transaction is in ${lineCurrency} in a ${statementCurrency} statement; kept in ${lineCurrency}`,
        }),
      );
    }
    const name = cleanText(v.get('NAME') ?? child(node, 'PAYEE')?.values.get('NAME'));
    const memo = cleanText(v.get('MEMO'));
    const description = name === '' ? memo : memo === '' || name.includes(memo) ? name : memo.startsWith(name) ? memo : `${name} ${memo}`;
    if (description === '') return reject('missing_description', 'NAME', null, 'the transaction has neither NAME nor MEMO');
    if (fitid === null) {
      issues.push(
        issue({
          code: 'missing_field',
          severity: 'warning',
          row,
          field: 'FITID',
          error: 'the transaction has no FITID; it is matched by its content instead',
        }),
      );
    }
    return {
      row,
      accountExternalId: account,
      date: date.iso,
      authorizedDate: optionalDate('DTUSER'),
      valueDate: optionalDate('DTAVAIL'),
      amountCents: -amount.cents || 0,
      currency,
      description,
      providerId: fitid,
      providerIdKind: fitid === null ? null : 'fitid',
      transactionType: optionalText(v.get('TRNTYPE')),
      checkNumber: optionalText(v.get('CHECKNUM')),
      counterparty: name === '' ? null : name,
      raw,
    };
  }

  return { detection, fileIssues: [], stats, events };
}
