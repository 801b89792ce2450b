import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyExponent, CurrencyCodeError } from './currencies.ts';
import {
  AmountError,
  centsToDecimal,
  decimalToCents,
  formatAmount,
  fromDecimalString,
  NUMERIC_12_2_MAX_CENTS,
  parseAmount,
  toDecimalString,
} from './money.ts';

describe('currencyExponent', () => {
  it('follows ISO 4217: 2 for most currencies, 0 for JPY and KRW, 3 for the Gulf dinars, 4 for CLF', () => {
    expect(['EUR', 'USD', 'GBP', 'MXN', 'BRL', 'IDR', 'HUF'].map(currencyExponent)).toEqual([2, 2, 2, 2, 2, 2, 2]);
    expect(['JPY', 'KRW', 'CLP', 'VND', 'ISK', 'XOF'].map(currencyExponent)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(['BHD', 'KWD', 'JOD', 'OMR', 'TND', 'IQD', 'LYD'].map(currencyExponent)).toEqual([3, 3, 3, 3, 3, 3, 3]);
    expect(currencyExponent('CLF')).toBe(4);
  });

  it('gives an unlisted but well-formed code 2 decimals, and refuses what the schema refuses', () => {
    expect(currencyExponent('ZZZ')).toBe(2);
    for (const bad of ['eur', 'EURO', 'EU', '', 'E1R']) expect(() => currencyExponent(bad)).toThrow(CurrencyCodeError);
  });
});

describe('parseAmount', () => {
  it('reads major units into integer minor units per currency exponent', () => {
    expect(parseAmount('12.30', 'EUR')).toBe(1230);
    expect(parseAmount('12.3', 'EUR')).toBe(1230);
    expect(parseAmount('12', 'EUR')).toBe(1200);
    expect(parseAmount('0.01', 'USD')).toBe(1);
    expect(parseAmount('-4.05', 'USD')).toBe(-405);
    expect(parseAmount('500', 'JPY')).toBe(500);
    expect(parseAmount('1.005', 'KWD')).toBe(1005);
  });

  it('never goes through floating point: 0.29, 1.15 and 4.35 are exact', () => {
    // 0.29 * 100 = 28.999999999999996 and 4.35 * 100 = 434.99999999999994 in floats.
    expect(['0.29', '1.15', '4.35', '1.005'].map((t) => parseAmount(t, 'BHD'))).toEqual([290, 1150, 4350, 1005]);
    expect(['0.29', '1.15', '4.35'].map((t) => parseAmount(t, 'EUR'))).toEqual([29, 115, 435]);
  });

  it('refuses malformed text with an error that names the input and the rule', () => {
    const malformed = [
      '',
      ' 12.30',
      '12.30 ',
      '1e3',
      '1E3',
      'NaN',
      'Infinity',
      '-',
      '.5',
      '5.',
      '+5',
      '1,000.00',
      '1 000',
      '0x10',
      '012.30',
      '--1',
      '12.3.4',
    ];
    for (const text of malformed) expect(() => parseAmount(text, 'EUR'), text).toThrow(AmountError);
    expect(() => parseAmount('12.345', 'EUR')).toThrow('"12.345" is not a EUR amount: write digits with at most 2 decimals, like 12.30');
    expect(() => parseAmount('12.5', 'JPY')).toThrow('"12.5" is not a JPY amount: write digits with no decimals, like 1230');
    expect(() => parseAmount('1.0001', 'KWD')).toThrow(/at most 3 decimals/);
  });

  it('refuses numbers and amounts beyond 2^53 minor units instead of rounding them', () => {
    expect(() => parseAmount(12.3 as unknown as string, 'EUR')).toThrow(AmountError);
    expect(parseAmount('90071992547409.91', 'EUR')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => parseAmount('90071992547409.92', 'EUR')).toThrow(/2\^53/);
  });
});

describe('formatAmount', () => {
  it('writes minor units with the currency exponent, and reads back what it wrote', () => {
    expect(formatAmount(1230, 'EUR')).toBe('12.30');
    expect(formatAmount(5, 'EUR')).toBe('0.05');
    expect(formatAmount(-5, 'EUR')).toBe('-0.05');
    expect(formatAmount(500, 'JPY')).toBe('500');
    expect(formatAmount(1005, 'KWD')).toBe('1.005');
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.constantFrom('EUR', 'JPY', 'KWD', 'CLF'), (units, currency) => {
        expect(parseAmount(formatAmount(units, currency), currency)).toBe(units);
      }),
      { seed: 4217 },
    );
  });

  it('refuses fractions of a minor unit and unsafe integers', () => {
    expect(() => formatAmount(12.5, 'EUR')).toThrow(AmountError);
    expect(() => formatAmount(2 ** 53, 'EUR')).toThrow(AmountError);
  });
});

describe('numeric(12,2) text', () => {
  it('centsToDecimal writes hundredths the way Postgres prints numeric(12,2)', () => {
    expect([12345, 5, 0, -5, -12345, 100].map(centsToDecimal)).toEqual(['123.45', '0.05', '0.00', '-0.05', '-123.45', '1.00']);
  });

  it('decimalToCents reads numeric text with up to 2 decimals, and nothing else', () => {
    expect(['123.45', '0', '7.5', '-0.05', '100.00'].map(decimalToCents)).toEqual([12345, 0, 750, -5, 10000]);
    for (const bad of ['1.005', '', 'abc', '1e2', ' 1.00']) expect(() => decimalToCents(bad), bad).toThrow(AmountError);
  });

  it('toDecimalString stores minor units of any currency as numeric(12,2) text', () => {
    expect(toDecimalString(1230, 'EUR')).toBe('12.30');
    expect(toDecimalString(500, 'JPY')).toBe('500.00');
    expect(toDecimalString(1230, 'KWD')).toBe('1.23');
    expect(toDecimalString(NUMERIC_12_2_MAX_CENTS, 'USD')).toBe('9999999999.99');
  });

  it('toDecimalString refuses what numeric(12,2) would round or reject', () => {
    expect(() => toDecimalString(1005, 'KWD')).toThrow('1.005 KWD has more than 2 decimals; numeric(12,2) would round it');
    expect(() => toDecimalString(NUMERIC_12_2_MAX_CENTS + 1, 'USD')).toThrow(/beyond numeric\(12,2\)/);
    expect(() => toDecimalString(10_000_000_000, 'JPY')).toThrow(/beyond numeric\(12,2\)/);
  });

  it('fromDecimalString reads numeric(12,2) text back into minor units', () => {
    expect(fromDecimalString('12.30', 'EUR')).toBe(1230);
    expect(fromDecimalString('500.00', 'JPY')).toBe(500);
    expect(fromDecimalString('1.23', 'KWD')).toBe(1230);
    expect(() => fromDecimalString('500.50', 'JPY')).toThrow('500.50 is not a whole JPY amount (JPY has 0 decimals)');
    fc.assert(
      fc.property(fc.integer({ min: -NUMERIC_12_2_MAX_CENTS, max: NUMERIC_12_2_MAX_CENTS }), (cents) => {
        expect(fromDecimalString(toDecimalString(cents, 'EUR'), 'EUR')).toBe(cents);
        expect(decimalToCents(centsToDecimal(cents))).toBe(cents);
      }),
      { seed: 1202 },
    );
  });
});
