/**
 * Column-mapping presets for common bank exports, recognized from the header
 * row (every `signature` header present) or chosen by id. Written from the
 * header rows these banks' CSV downloads carry; a preset fixes what the
 * content alone could get wrong (Amex signs charges positive, Chase writes
 * MM/DD/YYYY, Sparkasse DD.MM.YY with a decimal comma).
 */
import type { ColumnMapping, DateFormat, Delimiter, NumberFormat } from '../types.ts';

export interface CsvPreset {
  readonly id: string;
  readonly name: string;
  /** Normalized header names that must all be present (see `normalizeHeader`). */
  readonly signature: readonly string[];
  readonly mapping: ColumnMapping;
  readonly dateFormat?: DateFormat;
  readonly numberFormat?: NumberFormat;
  readonly delimiter?: Delimiter;
  /** The currency of every line when the export has no currency column. */
  readonly currency?: string;
  /** For exports without a header row: the field count and a test on the first data row. */
  readonly headerless?: { readonly fields: number; readonly test: (cells: readonly string[]) => boolean };
}

export const CSV_PRESETS: readonly CsvPreset[] = [
  {
    id: 'chase-checking',
    name: 'Chase checking / savings',
    signature: ['details', 'posting date', 'description', 'amount', 'type', 'balance'],
    mapping: { date: 'posting date', description: 'description', amount: 'amount', type: 'type', checkNumber: 'check or slip #' },
    dateFormat: 'MM/DD/YYYY',
    numberFormat: '1234.56',
  },
  {
    id: 'chase-card',
    name: 'Chase credit card',
    signature: ['transaction date', 'post date', 'description', 'category', 'type', 'amount'],
    mapping: {
      date: 'post date',
      authorizedDate: 'transaction date',
      description: 'description',
      amount: 'amount',
      category: 'category',
      type: 'type',
    },
    dateFormat: 'MM/DD/YYYY',
    numberFormat: '1234.56',
  },
  {
    id: 'amex',
    name: 'American Express (charges positive)',
    signature: ['date', 'description', 'card member', 'account #', 'amount'],
    mapping: { date: 'date', description: 'description', amount: 'amount', amountSign: 'positive_is_money_out', id: 'reference' },
    dateFormat: 'MM/DD/YYYY',
    currency: 'USD',
  },
  {
    id: 'capital-one',
    name: 'Capital One card',
    signature: ['transaction date', 'posted date', 'card no.', 'description', 'category', 'debit', 'credit'],
    mapping: {
      date: 'posted date',
      authorizedDate: 'transaction date',
      description: 'description',
      debit: 'debit',
      credit: 'credit',
      category: 'category',
      account: 'card no.',
    },
    dateFormat: 'YYYY-MM-DD',
    currency: 'USD',
  },
  {
    id: 'bank-of-america',
    name: 'Bank of America checking (with summary preamble)',
    signature: ['date', 'description', 'amount', 'running bal.'],
    mapping: { date: 'date', description: 'description', amount: 'amount' },
    dateFormat: 'MM/DD/YYYY',
    numberFormat: '1,234.56',
    currency: 'USD',
  },
  {
    id: 'monzo',
    name: 'Monzo',
    signature: ['transaction id', 'date', 'time', 'type', 'name', 'category', 'amount', 'currency'],
    mapping: {
      date: 'date',
      description: 'name',
      amount: 'amount',
      currency: 'currency',
      category: 'category',
      type: 'type',
      id: 'transaction id',
    },
    dateFormat: 'DD/MM/YYYY',
  },
  {
    id: 'revolut',
    name: 'Revolut',
    signature: ['type', 'product', 'started date', 'completed date', 'description', 'amount', 'currency', 'state'],
    mapping: {
      date: 'started date',
      valueDate: 'completed date',
      description: 'description',
      amount: 'amount',
      currency: 'currency',
      type: 'type',
      status: 'state',
      pendingValues: ['PENDING'],
    },
    dateFormat: 'YYYY-MM-DD',
  },
  {
    id: 'n26',
    name: 'N26',
    signature: ['date', 'payee', 'account number', 'transaction type', 'payment reference', 'amount (eur)'],
    mapping: {
      date: 'date',
      description: ['payee', 'payment reference'],
      amount: 'amount (eur)',
      type: 'transaction type',
      counterparty: 'payee',
    },
    dateFormat: 'YYYY-MM-DD',
    currency: 'EUR',
  },
  {
    id: 'sparkasse-camt',
    name: 'Sparkasse CSV-CAMT',
    signature: ['auftragskonto', 'buchungstag', 'valutadatum', 'buchungstext', 'verwendungszweck', 'betrag', 'waehrung'],
    mapping: {
      date: 'buchungstag',
      valueDate: 'valutadatum',
      description: ['beguenstigter/zahlungspflichtiger', 'verwendungszweck'],
      amount: 'betrag',
      currency: 'waehrung',
      account: 'auftragskonto',
      type: 'buchungstext',
      counterparty: 'beguenstigter/zahlungspflichtiger',
      status: 'info',
      pendingValues: ['UMSATZ VORGEMERKT'],
    },
    dateFormat: 'DD.MM.YY',
    numberFormat: '1234,56',
    delimiter: ';',
  },
  {
    id: 'vr-bank',
    name: 'Volksbank / Raiffeisenbank (Umsatz with Soll/Haben)',
    signature: ['buchungstag', 'valuta', 'vorgang/verwendungszweck', 'umsatz'],
    mapping: {
      date: 'buchungstag',
      valueDate: 'valuta',
      description: ['empfanger/zahlungspflichtiger', 'vorgang/verwendungszweck'],
      amount: 'umsatz',
      direction: 'soll/haben',
      currency: 'wahrung',
      counterparty: 'empfanger/zahlungspflichtiger',
    },
    dateFormat: 'DD.MM.YYYY',
    numberFormat: '1.234,56',
    delimiter: ';',
  },
  {
    id: 'wells-fargo',
    name: 'Wells Fargo (no header: date, amount, *, check number, description)',
    signature: [],
    mapping: { date: 0, amount: 1, checkNumber: 3, description: 4 },
    dateFormat: 'MM/DD/YYYY',
    currency: 'USD',
    headerless: { fields: 5, test: (cells) => cells[2] === '*' && /^\d{1,2}\/\d{1,2}\/\d{4}$/.test(cells[0] ?? '') },
  },
];

export function findPreset(id: string): CsvPreset | undefined {
  return CSV_PRESETS.find((preset) => preset.id === id);
}
