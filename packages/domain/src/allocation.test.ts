import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateCents, equalParts } from './allocation.ts';

describe('allocateCents', () => {
  it('gives everyone the floor of their share, and the leftover cents to the largest remainders', () => {
    // 333 333 cents by 50/30/20: floors 166 666 / 99 999 / 66 666, remainders .5 / .9 / .6.
    expect(allocateCents(333_333, [50, 30, 20])).toEqual([166_666, 100_000, 66_667]);
    expect(allocateCents(400_000, [50, 30, 20])).toEqual([200_000, 120_000, 80_000]);
  });

  it('gives leftover cents to the earlier position when remainders tie', () => {
    expect(allocateCents(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocateCents(101, [1, 1, 1])).toEqual([34, 34, 33]);
    expect(allocateCents(5, [2, 1, 1, 2])).toEqual([2, 1, 1, 1]);
  });

  it('computes remainders exactly for decimal weights, not with floats', () => {
    // 100 by 33.33/33.33/33.34: 33.33, 33.33, 33.34 exactly: floors 33/33/33, remainders .33/.33/.34.
    expect(allocateCents(100, [33.33, 33.33, 33.34])).toEqual([33, 33, 34]);
    // 0.1 + 0.2 is not 0.3 in floats; here the weights are the decimals they print as.
    expect(allocateCents(3, [0.1, 0.2])).toEqual([1, 2]);
    expect(allocateCents(3, ['0.1', '0.2'])).toEqual([1, 2]);
    expect(allocateCents(7, [1e-7, 2e-7, 4e-7])).toEqual([1, 2, 4]);
  });

  it('gives zero weights nothing and sums exactly to the total', () => {
    expect(allocateCents(1000, [0, 3, 0, 1])).toEqual([0, 750, 0, 250]);
    expect(allocateCents(0, [1, 2])).toEqual([0, 0]);
    fc.assert(
      fc.property(
        fc.maxSafeInteger().filter((n) => n >= 0),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 20 }).filter((w) => w.some((x) => x > 0)),
        (total, weights) => {
          const parts = allocateCents(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          parts.forEach((part, i) => {
            if (weights[i] === 0) expect(part).toBe(0);
          });
        },
      ),
      { seed: 7 },
    );
  });

  it("refuses what private.allocate_cents refuses, with the SQL function's messages", () => {
    expect(() => allocateCents(-1, [1])).toThrow('cannot allocate -1 cents');
    expect(() => allocateCents(1.5, [1])).toThrow('cannot allocate 1.5 cents');
    expect(() => allocateCents(100, [])).toThrow('allocation needs at least one weight');
    expect(() => allocateCents(100, [1, -1])).toThrow('weights must be zero or positive');
    expect(() => allocateCents(100, [1, Number.NaN])).toThrow('weights must be zero or positive');
    expect(() => allocateCents(100, ['1', 'abc'])).toThrow('weights must be zero or positive');
    expect(() => allocateCents(100, [0, 0])).toThrow('weights must not all be zero');
  });
});

describe('equalParts', () => {
  it('splits into parts that differ by at most one cent, the first parts getting the extra cents', () => {
    expect(equalParts(1000, 3)).toEqual([334, 333, 333]);
    expect(equalParts(2, 3)).toEqual([1, 1, 0]);
    expect(() => equalParts(100, 0)).toThrow('cannot split into 0 parts');
  });
});
