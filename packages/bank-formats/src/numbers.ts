/**
 * Amounts as written in bank files, to integer cents.
 *
 * A file has one number layout (`NumberFormat`): which character is the
 * decimal separator and which groups thousands. The decimal separator is what
 * matters; grouping is accepted when it is consistent (groups of three digits
 * after the first), so `1234.56` and `1,234.56` both read in a `1,234.56`
 * file, but `1,23.4` never does. Negative amounts may carry a leading or
 * trailing minus, parentheses, or a trailing `DR` (with `CR` for money in).
 * Currency symbols and ISO codes around the number are ignored.
 */
import type { NumberFormat } from './types.ts';

export type DecimalSeparator = '.' | ',';
type GroupSeparator = '' | ',' | '.' | ' ' | "'";

interface Layout {
  readonly decimal: DecimalSeparator;
  readonly group: GroupSeparator;
}

export const NUMBER_FORMATS: Readonly<Record<NumberFormat, Layout>> = {
  '1234.56': { decimal: '.', group: '' },
  '1,234.56': { decimal: '.', group: ',' },
  '1 234.56': { decimal: '.', group: ' ' },
  "1'234.56": { decimal: '.', group: "'" },
  '1234,56': { decimal: ',', group: '' },
  '1.234,56': { decimal: ',', group: '.' },
  '1 234,56': { decimal: ',', group: ' ' },
};

/** numeric(12,2)'s largest value in cents. */
export const MAX_AMOUNT_CENTS = 999_999_999_999;

export type AmountParse =
  | {
      readonly ok: true;
      /** Signed as written: negative when the text marked it negative (minus, parentheses, DR). */
      readonly cents: number;
      /** A trailing DR / CR marker, when the text had one. */
      readonly marker: 'DR' | 'CR' | null;
      /** Whether a sign or marker was written at all. */
      readonly signed: boolean;
    }
  | { readonly ok: false; readonly reason: 'unparseable' | 'precision' | 'range'; readonly message: string };

const CURRENCY_AFFIX =
  /^(?:[A-Z]{3}|R\$|US\$|C\$|A\$|kr\.?|zł|Kč|Ft|lei|[$€£¥₹₽₺₩₪₫฿₱₦₴₡₲₵])\s*|\s*(?:[A-Z]{3}|kr\.?|zł|Kč|Ft|lei|[$€£¥₹₽₺₩₪₫฿₱₦₴₡₲₵])$/u;
const SPACES = /[\s\u00a0\u202f\u2009\u2007]/gu;

/** Sign, marker and currency stripped: the bare digits-and-separators and how the text marked its sign. */
function strip(text: string): { body: string; negative: boolean; marker: 'DR' | 'CR' | null; signed: boolean } | null {
  let s = text.trim().replace(/\u2212/g, '-');
  let negative = false;
  let signed = false;
  let marker: 'DR' | 'CR' | null = null;
  const markerMatch = /(?:\s+|(?<=[0-9)]))(CR|DR|Cr|Dr|cr|dr)\.?$/.exec(s);
  if (markerMatch !== null && markerMatch.index > 0) {
    marker = markerMatch[1]!.toUpperCase() as 'DR' | 'CR';
    s = s.slice(0, markerMatch.index).trim();
    signed = true;
  }
  for (let guard = 0; guard < 4; guard += 1) {
    const before = s;
    if (s.startsWith('(') && s.endsWith(')')) {
      if (signed) return null;
      negative = true;
      signed = true;
      s = s.slice(1, -1).trim();
    }
    s = s.replace(CURRENCY_AFFIX, '').trim();
    if (s.startsWith('-') || s.startsWith('+')) {
      if (signed) return null;
      negative = s.startsWith('-');
      signed = true;
      s = s.slice(1).trim();
    } else if (s.endsWith('-') || s.endsWith('+')) {
      if (signed) return null;
      negative = s.endsWith('-');
      signed = true;
      s = s.slice(0, -1).trim();
    }
    if (s === before) break;
  }
  if (marker === 'DR') negative = true;
  if (s === '' || !/^[0-9]/.test(s)) return null;
  return { body: s, negative, marker, signed };
}

/** Digits of `body` read with `decimal` as the decimal separator and any consistent grouping; null when it does not fit. */
function readBody(body: string, decimal: DecimalSeparator): { whole: string; fraction: string } | null {
  const compact = body.replace(SPACES, ' ');
  const parts = compact.split(decimal);
  if (parts.length > 2) return null;
  const [integer = '', fraction = ''] = parts;
  if (parts.length === 2 && !/^[0-9]+$/.test(fraction)) return null;
  if (/^[0-9]+$/.test(integer)) return { whole: integer, fraction };
  // Grouped: one separator (not the decimal), groups of three after the first.
  const group = /[^0-9]/.exec(integer)?.[0];
  if (group === undefined || group === decimal || !",. '".includes(group)) return null;
  const escaped = group === '.' ? '\\.' : group;
  if (!new RegExp(`^[0-9]{1,3}(?:${escaped}[0-9]{3})+$`).test(integer)) return null;
  return { whole: integer.split(group).join(''), fraction };
}

/** Parse an amount with a known decimal separator into cents. */
export function parseAmountText(text: string, decimal: DecimalSeparator): AmountParse {
  const stripped = strip(text);
  if (stripped === null) return { ok: false, reason: 'unparseable', message: `${JSON.stringify(text)} is not an amount` };
  const read = readBody(stripped.body, decimal);
  if (read === null) {
    return {
      ok: false,
      reason: 'unparseable',
      message: `${JSON.stringify(text)} is not an amount with "${decimal}" as the decimal separator`,
    };
  }
  const fraction = read.fraction.replace(/0+$/, '');
  if (fraction.length > 2) {
    return { ok: false, reason: 'precision', message: `${JSON.stringify(text)} has more than two decimals; amounts are kept to the cent` };
  }
  const digits = read.whole.replace(/^0+(?=\d)/, '') + fraction.padEnd(2, '0');
  if (digits.length > 15 || Number(digits) > MAX_AMOUNT_CENTS) {
    return { ok: false, reason: 'range', message: `${JSON.stringify(text)} is larger than 9,999,999,999.99` };
  }
  const magnitude = Number(digits);
  return {
    ok: true,
    cents: stripped.negative && magnitude !== 0 ? -magnitude : magnitude,
    marker: stripped.marker,
    signed: stripped.signed,
  };
}

/** Which decimal separators a value can be read with, and which grouping it shows (for detection). */
export function classifyAmount(
  text: string,
): { readonly fits: readonly DecimalSeparator[]; readonly differs: boolean; readonly group: GroupSeparator | null } | null {
  const stripped = strip(text);
  if (stripped === null) return null;
  const dot = parseAmountText(text, '.');
  const comma = parseAmountText(text, ',');
  const fits: DecimalSeparator[] = [];
  if (dot.ok) fits.push('.');
  if (comma.ok) fits.push(',');
  if (fits.length === 0) return null;
  const differs = dot.ok && comma.ok && dot.cents !== comma.cents;
  let group: GroupSeparator | null = null;
  if (fits.length === 1) {
    const decimal = fits[0]!;
    const integer = stripped.body.replace(SPACES, ' ').split(decimal)[0] ?? '';
    const g = /[^0-9]/.exec(integer)?.[0];
    group = g === undefined ? '' : (g as GroupSeparator);
  }
  return { fits, differs, group };
}

/** The NumberFormat named by a decimal separator and the grouping seen. */
export function numberFormatFor(decimal: DecimalSeparator, group: GroupSeparator | null): NumberFormat {
  if (decimal === '.') {
    if (group === ',') return '1,234.56';
    if (group === ' ') return '1 234.56';
    if (group === "'") return "1'234.56";
    return '1234.56';
  }
  if (group === '.') return '1.234,56';
  if (group === ' ') return '1 234,56';
  return '1234,56';
}

export type NegativeStyle = 'leading' | 'trailing' | 'parentheses' | 'dr';

/** Cents written in a layout: formatCents(-123456, '1.234,56') = '-1.234,56'. The inverse of parseAmountText. */
export function formatCents(cents: number, format: NumberFormat, negative: NegativeStyle = 'leading'): string {
  const { decimal, group } = NUMBER_FORMATS[format];
  const abs = Math.abs(cents);
  const whole = String(Math.floor(abs / 100));
  const fraction = String(abs % 100).padStart(2, '0');
  const grouped = group === '' ? whole : whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  const body = `${grouped}${decimal}${fraction}`;
  if (cents >= 0) return negative === 'dr' ? `${body} CR` : body;
  switch (negative) {
    case 'leading':
      return `-${body}`;
    case 'trailing':
      return `${body}-`;
    case 'parentheses':
      return `(${body})`;
    case 'dr':
      return `${body} DR`;
  }
}

/** Cents as numeric(12,2) text: centsToAmount(-150000) = '-1500.00'. */
export function centsToAmount(cents: number): string {
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
