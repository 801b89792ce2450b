/**
 * Which column holds what: an explicit mapping, a preset recognized from the
 * header, or the generic mapping built from common header names in English,
 * German, French, Spanish, Italian and Portuguese.
 */
import { BankFormatError } from '../errors.ts';
import type { ColumnMapping, ColumnRef, ResolvedColumns } from '../types.ts';
import { CSV_PRESETS, type CsvPreset } from './presets.ts';

export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/^["']|["']$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Header names per field, most specific first. */
const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  date: [
    'posting date',
    'posted date',
    'post date',
    'booking date',
    'date posted',
    'buchungstag',
    'buchungsdatum',
    'buchung',
    'date de comptabilisation',
    'fecha contable',
    'date',
    'datum',
    'fecha',
    'data',
    'fecha operacion',
    'date operation',
    'data operazione',
    'data movimento',
    'transaction date',
    'trans date',
    'trans. date',
  ],
  authorizedDate: ['transaction date', 'trans date', 'trans. date', 'date of transaction', 'fecha operacion', 'date operation'],
  valueDate: ['value date', 'valuta', 'valutadatum', 'wertstellung', 'date de valeur', 'fecha valor', 'data valuta'],
  description: [
    'description',
    'transaction description',
    'details',
    'narrative',
    'particulars',
    'payee',
    'name',
    'verwendungszweck',
    'beschreibung',
    'buchungstext',
    'libelle',
    'libelle operation',
    'concepto',
    'descripcion',
    'descrizione',
    'descricao',
    'memo',
    'text',
    'reference',
  ],
  amount: ['amount', 'transaction amount', 'betrag', 'umsatz', 'importe', 'montant', 'importo', 'valor', 'value', 'amt'],
  debit: [
    'debit',
    'debit amount',
    'debits',
    'withdrawal',
    'withdrawals',
    'withdrawal amount',
    'money out',
    'paid out',
    'outflow',
    'soll',
    'belastung',
    'ausgang',
    'cargo',
    'cargos',
    'debito',
    'addebiti',
  ],
  credit: [
    'credit',
    'credit amount',
    'credits',
    'deposit',
    'deposits',
    'deposit amount',
    'money in',
    'paid in',
    'inflow',
    'haben',
    'gutschrift',
    'eingang',
    'abono',
    'abonos',
    'credito',
    'accrediti',
  ],
  direction: [
    'dr/cr',
    'cr/dr',
    'debit/credit',
    'credit/debit',
    's/h',
    'soll/haben',
    'd/c',
    'c/d',
    'direction',
    'debit or credit',
    'cd indicator',
  ],
  currency: ['currency', 'ccy', 'curr', 'currency code', 'waehrung', 'wahrung', 'moneda', 'devise', 'divisa', 'valuta code', 'moeda'],
  account: [
    'account',
    'account number',
    'account no',
    'account no.',
    'account #',
    'acct',
    'iban',
    'auftragskonto',
    'konto',
    'card no.',
    'card number',
  ],
  merchant: ['merchant', 'merchant name'],
  category: ['category', 'kategorie', 'categorie', 'categoria'],
  type: ['type', 'transaction type', 'details', 'tipo', 'typ', 'vorgang'],
  id: ['transaction id', 'transaction reference', 'fitid', 'reference number', 'id'],
  checkNumber: ['check number', 'check #', 'check no', 'cheque number', 'check or slip #', 'chq no'],
  counterparty: ['counterparty', 'beguenstigter/zahlungspflichtiger', 'auftraggeber/empfanger', 'empfanger', 'payee name'],
  status: ['status', 'state'],
};

/** Values of a status column that mean pending. */
export const DEFAULT_PENDING_VALUES = ['PENDING', 'AUTHORIZED', 'AUTHORISED', 'VORGEMERKT', 'UMSATZ VORGEMERKT', 'EN ATTENTE', 'PENDIENTE'];

/** Direction-column values, upper-cased: money out, money in. */
export const DEFAULT_DIRECTION_VALUES = {
  out: ['S', 'DR', 'D', 'DB', 'DEBIT', 'DBIT', 'SOLL', 'OUT', 'W', 'WITHDRAWAL', 'DEBE', 'CARGO', '-'],
  in: ['H', 'CR', 'C', 'CREDIT', 'CRDT', 'HABEN', 'IN', 'DEPOSIT', 'HABER', 'ABONO', '+'],
} as const;

export function recognizePreset(header: readonly string[]): CsvPreset | null {
  const names = new Set(header.map(normalizeHeader));
  const matches = CSV_PRESETS.filter((preset) => preset.signature.length > 0 && preset.signature.every((name) => names.has(name)));
  // The most specific signature wins (Chase card also has "amount" and "description").
  matches.sort((a, b) => b.signature.length - a.signature.length);
  return matches[0] ?? null;
}

export function recognizeHeaderlessPreset(fields: number, firstRow: readonly string[]): CsvPreset | null {
  return (
    CSV_PRESETS.find(
      (preset) => preset.headerless !== undefined && preset.headerless.fields === fields && preset.headerless.test(firstRow),
    ) ?? null
  );
}

/** The generic mapping from header names. */
export function genericMapping(header: readonly string[]): ColumnMapping | null {
  const names = header.map(normalizeHeader);
  const used = new Set<number>();
  const pick = (field: string, options: { startsWith?: string[] } = {}): number | undefined => {
    for (const synonym of SYNONYMS[field] ?? []) {
      const index = names.findIndex((name, i) => !used.has(i) && name === synonym);
      if (index >= 0) return index;
    }
    for (const prefix of options.startsWith ?? []) {
      const index = names.findIndex((name, i) => !used.has(i) && name.startsWith(prefix));
      if (index >= 0) return index;
    }
    return undefined;
  };
  const take = (index: number | undefined): number | undefined => {
    if (index !== undefined) used.add(index);
    return index;
  };
  const date = take(pick('date', { startsWith: ['date', 'datum', 'fecha'] }));
  if (date === undefined) return null;
  const authorizedDate = take(pick('authorizedDate'));
  const valueDate = take(pick('valueDate'));
  const debit = take(pick('debit'));
  const credit = take(pick('credit'));
  const amount = take(pick('amount', { startsWith: ['amount', 'betrag', 'montant', 'importe'] }));
  const direction = take(pick('direction'));
  const currency = take(pick('currency'));
  const description = take(pick('description'));
  const account = take(pick('account'));
  const merchant = take(pick('merchant'));
  const category = take(pick('category'));
  const type = take(pick('type'));
  const id = take(pick('id'));
  const checkNumber = take(pick('checkNumber'));
  const counterparty = pick('counterparty');
  const status = take(pick('status'));
  const descriptionColumn = description ?? merchant ?? counterparty;
  if (descriptionColumn === undefined) return null;
  const hasMoney = amount !== undefined || (debit !== undefined && credit !== undefined);
  if (!hasMoney) return null;
  return {
    date,
    description: descriptionColumn,
    ...(amount !== undefined && !(debit !== undefined && credit !== undefined) ? { amount } : {}),
    ...(debit !== undefined && credit !== undefined ? { debit, credit } : {}),
    ...(direction !== undefined && amount !== undefined ? { direction } : {}),
    ...(authorizedDate !== undefined ? { authorizedDate } : {}),
    ...(valueDate !== undefined ? { valueDate } : {}),
    ...(currency !== undefined ? { currency } : {}),
    ...(account !== undefined ? { account } : {}),
    ...(merchant !== undefined && merchant !== descriptionColumn ? { merchant } : {}),
    ...(category !== undefined ? { category } : {}),
    ...(type !== undefined ? { type } : {}),
    ...(id !== undefined ? { id } : {}),
    ...(checkNumber !== undefined ? { checkNumber } : {}),
    ...(counterparty !== undefined && counterparty !== descriptionColumn ? { counterparty } : {}),
    ...(status !== undefined ? { status } : {}),
  };
}

export interface Column {
  readonly index: number;
  readonly header: string | null;
}

/** A mapping with every column resolved to an index. */
export interface Columns {
  readonly date: Column;
  readonly description: readonly Column[];
  readonly amount: Column | null;
  readonly debit: Column | null;
  readonly credit: Column | null;
  readonly direction: Column | null;
  readonly authorizedDate: Column | null;
  readonly valueDate: Column | null;
  readonly currency: Column | null;
  readonly account: Column | null;
  readonly merchant: Column | null;
  readonly category: Column | null;
  readonly type: Column | null;
  readonly id: Column | null;
  readonly checkNumber: Column | null;
  readonly counterparty: Column | null;
  readonly status: Column | null;
}

const OPTIONAL_FIELDS = [
  'amount',
  'debit',
  'credit',
  'direction',
  'authorizedDate',
  'valueDate',
  'currency',
  'account',
  'merchant',
  'category',
  'type',
  'id',
  'checkNumber',
  'counterparty',
  'status',
] as const;

/**
 * Resolves a mapping against the header (null = no header: indexes only).
 * `strict` (explicit mappings) fails on a column that is not there; presets
 * skip their optional columns an export version lacks.
 */
export function resolveColumns(mapping: ColumnMapping, header: readonly string[] | null, fields: number, strict: boolean): Columns {
  const names = header?.map(normalizeHeader) ?? null;
  const resolve = (ref: ColumnRef | undefined, field: string, required: boolean): Column | null => {
    if (ref === undefined) return null;
    let index: number;
    if (typeof ref === 'number') {
      index = ref;
      if (!Number.isInteger(index) || index < 0 || index >= fields) {
        if (!required && !strict) return null;
        throw new BankFormatError(
          'unmapped_columns',
          `column ${ref} for ${field} is outside the file's ${fields} columns (0-${fields - 1})`,
        );
      }
    } else {
      if (names === null)
        throw new BankFormatError(
          'unmapped_columns',
          `the file has no header row: map ${field} by column index, not ${JSON.stringify(ref)}`,
        );
      index = names.indexOf(normalizeHeader(ref));
      if (index < 0) {
        if (!required && !strict) return null;
        throw new BankFormatError(
          'unmapped_columns',
          `the header has no column ${JSON.stringify(ref)} for ${field}; columns are ${header!.map((h) => JSON.stringify(h)).join(', ')}`,
        );
      }
    }
    return { index, header: header?.[index] ?? null };
  };
  const date = resolve(mapping.date, 'date', true)!;
  const refs = Array.isArray(mapping.description) ? mapping.description : [mapping.description as ColumnRef];
  const description = refs.map((ref, i) => resolve(ref, 'description', i === 0)).filter((column): column is Column => column !== null);
  const optional = Object.fromEntries(OPTIONAL_FIELDS.map((field) => [field, resolve(mapping[field], field, false)])) as Record<
    (typeof OPTIONAL_FIELDS)[number],
    Column | null
  >;
  const columns: Columns = { date, description, ...optional };
  const hasAmount = columns.amount !== null;
  const hasDebitCredit = columns.debit !== null || columns.credit !== null;
  if (!hasAmount && !hasDebitCredit) {
    throw new BankFormatError('unmapped_columns', 'the mapping names no amount column: give amount, or debit and credit');
  }
  if (hasAmount && hasDebitCredit) {
    throw new BankFormatError(
      'unmapped_columns',
      'the mapping names both an amount column and debit/credit columns: give one or the other',
    );
  }
  return columns;
}

export function describeColumns(columns: Columns): ResolvedColumns {
  const out: Record<string, Column | readonly Column[]> = {};
  for (const [field, value] of Object.entries(columns)) {
    if (value === null) continue;
    out[field] = value as Column | readonly Column[];
  }
  return out;
}
