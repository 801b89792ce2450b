/**
 * Amounts inside the engine are integer hundredths, exactly as `numeric(12,2)`
 * stores them for every currency; they leave the engine as numbers in major
 * units rounded to the currency's decimals (JPY 1500, USD 15.49).
 */
import { currencyExponent } from '@wallai/domain';
import type { Decimal } from './types.ts';

const DECIMAL = /^\s*(-)?(\d+)(?:\.(\d+))?\s*$/;
const TWO_DECIMALS = /^-?\d{1,13}(?:\.\d{1,2})?$/;

/** `numeric` text or number → integer hundredths (half away from zero beyond two decimals). */
export function toCents(value: Decimal | null | undefined): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`amount must be finite, got ${value}`);
    return Math.sign(value) * Math.round(Math.abs(value) * 100);
  }
  // Fast path for what numeric(12,2) columns return ("15.49", "-3.5", "1200"): at most two
  // decimals, so the product with 100 is within a rounding error of the integer it names.
  if (TWO_DECIMALS.test(value)) return Math.round(Number(value) * 100);
  const m = DECIMAL.exec(value);
  if (!m) throw new RangeError(`amount must be decimal text such as "15.49", got ${JSON.stringify(value)}`);
  const frac = (m[3] ?? '').padEnd(3, '0');
  let cents = Number(m[2]) * 100 + Number(frac.slice(0, 2));
  if (Number(frac[2]) >= 5) cents += 1;
  return m[1] ? -cents : cents;
}

/** Hundredths → major units as a number, rounded to the currency's decimals (at most two). */
export function toMajor(cents: number, currency: string): number {
  const digits = Math.min(currencyExponent(currency), 2);
  const factor = 10 ** (2 - digits);
  const rounded = Math.round(cents / factor) * factor;
  return Number((rounded / 100).toFixed(digits));
}

/** Major units as text with the currency's decimals: "15.49", "1500". */
export function formatMajor(value: number, currency: string): string {
  return value.toFixed(Math.min(currencyExponent(currency), 2));
}

/** A ratio rounded to `digits` decimals (default 4): what ratios look like in signals. */
export function ratio(value: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
