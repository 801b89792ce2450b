import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NUMBER_FORMATS, classifyAmount, formatCents, parseAmountText, type NegativeStyle } from './numbers.ts';
import type { NumberFormat } from './types.ts';

const cents = (text: string, decimal: '.' | ','): number => {
  const parsed = parseAmountText(text, decimal);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.cents;
};

describe('amounts as banks write them', () => {
  it('reads every number layout to the same cents', () => {
    expect(cents('1,234.56', '.')).toBe(123456);
    expect(cents('1234.56', '.')).toBe(123456);
    expect(cents('1.234,56', ',')).toBe(123456);
    expect(cents('1 234,56', ',')).toBe(123456);
    expect(cents('1\u00a0234,56', ',')).toBe(123456);
    expect(cents('1\u202f234,56', ',')).toBe(123456);
    expect(cents("1'234.56", '.')).toBe(123456);
    expect(cents('1234,56', ',')).toBe(123456);
    expect(cents('12', '.')).toBe(1200);
    expect(cents('12.5', '.')).toBe(1250);
  });

  it('never reads 1,234.56 as 1.23456: a comma before three digits groups thousands', () => {
    expect(cents('1,234.56', '.')).toBe(123456);
    expect(parseAmountText('1,234.56', ',').ok).toBe(false);
  });

  it('reads negatives written with a leading or trailing minus, parentheses or DR', () => {
    expect(cents('-12.30', '.')).toBe(-1230);
    expect(cents('12.30-', '.')).toBe(-1230);
    expect(cents('(12.30)', '.')).toBe(-1230);
    expect(cents('12.30 DR', '.')).toBe(-1230);
    expect(cents('12.30CR', '.')).toBe(1230);
    expect(cents('−12,30', ',')).toBe(-1230);
    expect(cents('-$1,200.00', '.')).toBe(-120000);
    expect(cents('$-1,200.00', '.')).toBe(-120000);
    expect(cents('(€12,30)', ',')).toBe(-1230);
    expect(cents('EUR 12,30', ',')).toBe(1230);
    expect(cents('+5.00', '.')).toBe(500);
  });

  it('refuses what is not an amount instead of guessing', () => {
    for (const text of ['abc', '', '1,23.4', '12.3.4', '--5', '(-5)', '1,2345', '12,30', '1.234.5']) {
      expect(parseAmountText(text, '.').ok, text).toBe(false);
    }
  });

  it('keeps amounts to the cent: a third non-zero decimal is a precision error, trailing zeros are fine', () => {
    expect(parseAmountText('1.005', '.')).toMatchObject({ ok: false, reason: 'precision' });
    expect(cents('1.500', '.')).toBe(150);
  });

  it('refuses amounts numeric(12,2) cannot hold', () => {
    expect(parseAmountText('10000000000.00', '.')).toMatchObject({ ok: false, reason: 'range' });
    expect(cents('9,999,999,999.99', '.')).toBe(999_999_999_999);
  });

  it('tells which decimal separators a value allows, for detection', () => {
    expect(classifyAmount('1,234.56')?.fits).toEqual(['.']);
    expect(classifyAmount('1.234,56')?.fits).toEqual([',']);
    expect(classifyAmount('12,30')?.fits).toEqual([',']);
    expect(classifyAmount('1,230')).toMatchObject({ fits: ['.', ','], differs: true });
    expect(classifyAmount('45')).toMatchObject({ fits: ['.', ','], differs: false });
    expect(classifyAmount('n/a')).toBeNull();
  });

  it('round-trips any amount through every layout and negative style (property)', () => {
    const formats = Object.keys(NUMBER_FORMATS) as NumberFormat[];
    const styles: NegativeStyle[] = ['leading', 'trailing', 'parentheses', 'dr'];
    fc.assert(
      fc.property(
        fc.integer({ min: -999_999_999_999, max: 999_999_999_999 }),
        fc.constantFrom(...formats),
        fc.constantFrom(...styles),
        (value, format, style) => {
          const text = formatCents(value, format, style);
          const parsed = parseAmountText(text, NUMBER_FORMATS[format].decimal);
          expect(parsed.ok && parsed.cents).toBe(value);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('classifies a formatted amount as fitting its own layout (property)', () => {
    const formats = Object.keys(NUMBER_FORMATS) as NumberFormat[];
    fc.assert(
      fc.property(fc.integer({ min: -99_999_999, max: 99_999_999 }), fc.constantFrom(...formats), (value, format) => {
        const classified = classifyAmount(formatCents(value, format));
        expect(classified?.fits).toContain(NUMBER_FORMATS[format].decimal);
      }),
    );
  });
});
