/** Money in answers: exact decimal text from SQL, added in integer cents (never floats). */
import { centsToDecimal, decimalToCents } from '@wallai/domain';

/** numeric text from Postgres (any scale ≤ 2) as cents. */
export function cents(text: string | null | undefined): number {
  if (text === null || text === undefined || text === '') return 0;
  return decimalToCents(text.includes('.') ? text.replace(/(\.\d{2})\d*$/, '$1') : text);
}

export const decimal = (value: number): string => centsToDecimal(value);

export function sumDecimals(values: ReadonlyArray<string | null | undefined>): string {
  return decimal(values.reduce((total: number, v) => total + cents(v), 0));
}

/** a / b as a percentage with one decimal (a number), or null when b is 0. */
export function percent(numeratorCents: number, denominatorCents: number): number | null {
  if (denominatorCents === 0) return null;
  return Math.round((numeratorCents * 1000) / denominatorCents) / 10;
}

/** "1,234.50" for an answer's text (the citation checker accepts the separators). */
export function display(text: string): string {
  const negative = text.startsWith('-');
  const [whole = '0', fraction] = text.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}
