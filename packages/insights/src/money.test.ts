import { describe, expect, it } from 'vitest';
import { formatMajor, toCents, toMajor } from './money.ts';

describe('money in the engine', () => {
  it('reads numeric text exactly, and rounds only beyond two decimals', () => {
    expect(['0.01', '15.49', '-3.5', '1200', '999999999999.99', '0.29', '4.35', '1.005', '2.675'].map(toCents)).toEqual([
      1, 1549, -350, 120000, 99999999999999, 29, 435, 101, 268,
    ]);
    expect(toCents(17.99)).toBe(1799);
    expect(() => toCents('12,50')).toThrow(RangeError);
  });

  it('reports major units with the currency’s decimals', () => {
    expect(toMajor(1549, 'USD')).toBe(15.49);
    expect(toMajor(150050, 'JPY')).toBe(1501);
    expect(formatMajor(1500, 'JPY')).toBe('1500');
    expect(formatMajor(17.9, 'EUR')).toBe('17.90');
  });
});
