/**
 * Money as integers, never floats.
 *
 * In TypeScript an amount is an integer number of the currency's minor unit
 * (cents for EUR, yen for JPY, fils for KWD: see currencyExponent). In SQL it
 * is `numeric(12,2)` whatever the currency, so the database's own unit is the
 * hundredth: `centsToDecimal` / `decimalToCents` convert numeric(12,2) text and
 * integer hundredths, and `toDecimalString` / `fromDecimalString` do the same
 * for minor units of a given currency.
 *
 * Bound: every integer here is a JavaScript number, exact up to
 * Number.MAX_SAFE_INTEGER (2^53 − 1 ≈ 9.007e15 minor units, 90 trillion euros);
 * anything beyond is refused with an AmountError, never rounded. numeric(12,2)
 * itself holds at most 9 999 999 999.99 (NUMERIC_12_2_MAX_CENTS hundredths),
 * so any sum of up to 9 000 stored amounts is exact too.
 */
import { currencyExponent } from './currencies.ts';

/** Raised for text that is not an amount, or an amount that cannot be represented exactly. */
export class AmountError extends Error {
  override name = 'AmountError';
}

/** The largest numeric(12,2) value, 9 999 999 999.99, in hundredths. */
export const NUMERIC_12_2_MAX_CENTS = 999_999_999_999;

function assertSafeInteger(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new AmountError(`${what} must be an integer between -(2^53 - 1) and 2^53 - 1, got ${String(value)}`);
  }
}

/**
 * `digits` decimal text ("-12.30", "7") as an integer count of 10^-scale units;
 * null when the text is not a plain decimal with at most `scale` decimals.
 */
function parseScaled(text: string, scale: number): number | null {
  const match = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?$/.exec(text);
  if (match === null) return null;
  const [, sign = '', whole = '', fraction = ''] = match;
  if (fraction.length > scale) return null;
  const value = Number(whole + fraction.padEnd(scale, '0'));
  return sign === '-' && value !== 0 ? -value : value;
}

/** An integer count of 10^-scale units as decimal text with exactly `scale` decimals. */
function formatScaled(units: number, scale: number): string {
  const digits = String(Math.abs(units)).padStart(scale + 1, '0');
  const sign = units < 0 ? '-' : '';
  if (scale === 0) return `${sign}${digits}`;
  return `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/**
 * What a person typed, in major units, as minor units: parseAmount('12.30', 'EUR') = 1230,
 * parseAmount('500', 'JPY') = 500, parseAmount('1.005', 'KWD') = 1005.
 * Strict: digits with an optional minus sign and at most the currency's decimals;
 * no exponent, grouping, spaces, "+", leading zeros, NaN or Infinity.
 */
export function parseAmount(text: string, currency: string): number {
  const exponent = currencyExponent(currency);
  if (typeof text !== 'string') throw new AmountError(`an amount must be text, got ${typeof text}`);
  const units = parseScaled(text, exponent);
  if (units === null) {
    const rule = exponent === 0 ? 'no decimals' : `at most ${exponent} decimals`;
    throw new AmountError(
      `${JSON.stringify(text)} is not a ${currency} amount: write digits with ${rule}, like ${exponent === 0 ? '1230' : `12.${'30'.padEnd(exponent, '0')}`}`,
    );
  }
  assertSafeInteger(units, `${JSON.stringify(text)} in ${currency} minor units`);
  return units;
}

/** Minor units as a plain decimal in the currency's own decimals: formatAmount(1230, 'EUR') = '12.30', formatAmount(500, 'JPY') = '500'. */
export function formatAmount(minorUnits: number, currency: string): string {
  const exponent = currencyExponent(currency);
  assertSafeInteger(minorUnits, 'an amount in minor units');
  return formatScaled(minorUnits, exponent);
}

/** Hundredths as numeric text with two decimals, as Postgres prints numeric(12,2): 12345 → '123.45', -5 → '-0.05'. */
export function centsToDecimal(cents: number): string {
  assertSafeInteger(cents, 'cents');
  return formatScaled(cents, 2);
}

/**
 * numeric text with at most two decimals ('123.45', '0', '-7.5', what Postgres
 * returns for numeric(12,2) columns and their sums) as integer hundredths.
 */
export function decimalToCents(text: string): number {
  if (typeof text !== 'string') throw new AmountError(`a decimal amount must be text, got ${typeof text}`);
  const cents = parseScaled(text, 2);
  if (cents === null) throw new AmountError(`${JSON.stringify(text)} is not a decimal with at most 2 decimals`);
  assertSafeInteger(cents, `${JSON.stringify(text)} in cents`);
  return cents;
}

/**
 * The numeric(12,2) text that stores this amount: toDecimalString(1230, 'EUR') = '12.30',
 * toDecimalString(500, 'JPY') = '500.00', toDecimalString(1230, 'KWD') = '1.23'.
 * Refuses what numeric(12,2) would round or reject: a third decimal (KWD 1.005)
 * or more than 9 999 999 999.99.
 */
export function toDecimalString(minorUnits: number, currency: string): string {
  const exponent = currencyExponent(currency);
  assertSafeInteger(minorUnits, 'an amount in minor units');
  let cents: number;
  if (exponent <= 2) {
    cents = minorUnits * 10 ** (2 - exponent);
  } else {
    const per = 10 ** (exponent - 2);
    if (minorUnits % per !== 0) {
      throw new AmountError(`${formatScaled(minorUnits, exponent)} ${currency} has more than 2 decimals; numeric(12,2) would round it`);
    }
    cents = minorUnits / per;
  }
  if (Math.abs(cents) > NUMERIC_12_2_MAX_CENTS) {
    throw new AmountError(`${formatScaled(minorUnits, exponent)} ${currency} is beyond numeric(12,2) (at most 9999999999.99)`);
  }
  return formatScaled(cents, 2);
}

/** numeric(12,2) text of an amount in this currency as minor units: fromDecimalString('500.00', 'JPY') = 500. */
export function fromDecimalString(text: string, currency: string): number {
  const exponent = currencyExponent(currency);
  const cents = decimalToCents(text);
  if (exponent >= 2) return cents * 10 ** (exponent - 2);
  const per = 10 ** (2 - exponent);
  if (cents % per !== 0) throw new AmountError(`${text} is not a whole ${currency} amount (${currency} has ${exponent} decimals)`);
  return cents / per;
}
