/**
 * ISO 4217 minor-unit exponents: how many decimals an amount in a currency has.
 *
 * A table rather than `Intl.NumberFormat(...).resolvedOptions().maximumFractionDigits`:
 * Intl answers with CLDR's display digits, which differ from ISO 4217 for
 * several currencies (CLDR shows IQD, LAK, RSD, IRR... with 0 decimals; ISO
 * gives them 3 or 2), and its answer depends on the ICU data the runtime
 * ships (Node built with small-icu, Deno and each browser can disagree). Banks
 * and card networks use ISO 4217, so the same code must give the same
 * exponent in Node, Deno and every browser.
 *
 * Every code not listed has exponent 2, as most currencies do (ISO 4217 list
 * one, 2024 edition). The database accepts any three upper-case letters.
 */
const EXPONENT_0 = ['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'];
const EXPONENT_3 = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'];
const EXPONENT_4 = ['CLF', 'UYW'];

export type CurrencyExponent = 0 | 2 | 3 | 4;

const EXPONENTS: ReadonlyMap<string, CurrencyExponent> = new Map([
  ...EXPONENT_0.map((code) => [code, 0] as const),
  ...EXPONENT_3.map((code) => [code, 3] as const),
  ...EXPONENT_4.map((code) => [code, 4] as const),
]);

/** Raised for a currency code that is not three upper-case letters (what the schema checks). */
export class CurrencyCodeError extends Error {
  override name = 'CurrencyCodeError';
}

export function assertCurrencyCode(currency: string): void {
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
    throw new CurrencyCodeError(`currency must be an ISO 4217 code such as USD, got ${JSON.stringify(currency)}`);
  }
}

/** Decimals of the currency's minor unit: 2 for EUR, 0 for JPY, 3 for KWD. */
export function currencyExponent(currency: string): CurrencyExponent {
  assertCurrencyCode(currency);
  return EXPONENTS.get(currency) ?? 2;
}
