import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateCents, equalParts, leftoverRotation, roundingMicros } from './allocation.ts';

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

describe('allocateCents: ties', () => {
  it('start at the rotation (mod n) and go round, instead of always to the first position', () => {
    expect(allocateCents(100, [1, 1, 1], { rotation: 0 })).toEqual([34, 33, 33]);
    expect(allocateCents(100, [1, 1, 1], { rotation: 1 })).toEqual([33, 34, 33]);
    expect(allocateCents(100, [1, 1, 1], { rotation: 5 })).toEqual([33, 33, 34]);
    expect(allocateCents(101, [1, 1, 1], { rotation: 2 })).toEqual([34, 33, 34]);
  });

  it('go first to the lowest carried rounding, and only ties of remainders: a larger remainder still wins', () => {
    expect(allocateCents(100, [1, 1, 1], { carried: [5, -3, 0] })).toEqual([33, 34, 33]);
    expect(allocateCents(101, [1, 1, 1], { carried: [5, -3, 0], rotation: 1 })).toEqual([33, 34, 34]);
    // Remainders .9 / .1: the first gets the cent whatever it carried.
    expect(allocateCents(10, [9, 1], { carried: [900_000, -900_000] })).toEqual([9, 1]);
    expect(allocateCents(1, [9, 1], { carried: [900_000, -900_000] })).toEqual([1, 0]);
  });

  it('refuse a negative rotation and carried values that do not match the weights', () => {
    expect(() => allocateCents(100, [1, 1], { rotation: -1 })).toThrow('rotation must be a whole number, 0 or more');
    expect(() => allocateCents(100, [1, 1], { carried: [0] })).toThrow('carried needs one whole number per weight');
    expect(() => allocateCents(100, [1, 1], { carried: [0, 0.5] })).toThrow('carried needs one whole number per weight');
  });
});

describe('leftoverRotation and roundingMicros', () => {
  it("read an expense id's first 7 hex digits, and a part's distance from its exact share", () => {
    expect(leftoverRotation('0000001a-0000-4000-8000-000000000000')).toBe(1);
    expect(leftoverRotation('fffffffe-0000-4000-8000-000000000000')).toBe(0xfffffff);
    expect(() => leftoverRotation('nope')).toThrow('not an expense id');
    // 1.00 three ways: 34 is 0.666667 above 33.333…, 33 is 0.333333 below.
    expect(roundingMicros(34, 100, 1, [1, 1, 1])).toBe(666_667);
    expect(roundingMicros(33, 100, 1, [1, 1, 1])).toBe(-333_333);
    expect(roundingMicros(50, 100, '50', ['50', '50'])).toBe(0);
  });
});

describe('leftover cents over a long series of equal splits', () => {
  /**
   * What split_expense does for each expense: people in user-id order, each
   * one's rounding carried so far, the expense's rotation; then everyone's
   * total against their exact share.
   */
  function simulate(expenses: ReadonlyArray<{ totalCents: number; people: number[]; rotation: number }>, people: number) {
    const carried = new Array<number>(people).fill(0);
    const paid = new Array<number>(people).fill(0);
    const exact = new Array<number>(people).fill(0);
    let worst = 0;
    for (const e of expenses) {
      const weights = e.people.map(() => 1);
      const parts = allocateCents(e.totalCents, weights, { rotation: e.rotation, carried: e.people.map((p) => carried[p] ?? 0) });
      parts.forEach((part, i) => {
        const p = e.people[i] as number;
        carried[p] = (carried[p] ?? 0) + roundingMicros(part, e.totalCents, 1, weights);
        paid[p] = (paid[p] ?? 0) + part;
        exact[p] = (exact[p] ?? 0) + e.totalCents / e.people.length;
        worst = Math.max(worst, Math.abs((paid[p] ?? 0) - (exact[p] ?? 0)));
      });
    }
    return { worst, paid, exact };
  }

  it('fifty 1.00 dinners three ways: everyone pays 16.66 or 16.67, not the lowest id 17.00 and the others 16.50', () => {
    const dinners = Array.from({ length: 50 }, (_, i) => ({ totalCents: 100, people: [0, 1, 2], rotation: (i * 2_654_435) % 0xfffffff }));
    const { paid, worst } = simulate(dinners, 3);
    for (const p of paid) expect([1666, 1667]).toContain(p);
    expect(worst).toBeLessThan(1);
    // Today's rule (no carried rounding, no rotation): the first person pays 0.34 every time.
    expect(Array.from({ length: 50 }, () => allocateCents(100, [1, 1, 1])[0] ?? 0).reduce((a, b) => a + b, 0)).toBe(1700);
  });

  /** Equal splits with leftover cents: 2–7 of a household of 7, the total never a multiple of the group's size. */
  const equalSplitsWithLeftover = (length: number) =>
    fc.array(
      fc
        .record({
          people: fc.subarray([0, 1, 2, 3, 4, 5, 6], { minLength: 2 }),
          base: fc.integer({ min: 0, max: 50_000 }),
          extra: fc.nat(),
          rotation: fc.nat({ max: 0xfffffff }),
        })
        .map(({ people, base, extra, rotation }) => ({
          people,
          totalCents: base * people.length + 1 + (extra % (people.length - 1)),
          rotation,
        })),
      { minLength: length, maxLength: length },
    );

  it('over 1,000 random equal splits among 2–7 people everyone stays within 2 cents of their exact share, no further off than after 100', () => {
    fc.assert(
      fc.property(equalSplitsWithLeftover(1_000), (expenses) => {
        const after100 = simulate(expenses.slice(0, 100), 7).worst;
        const after1000 = simulate(expenses, 7).worst;
        expect(after100).toBeLessThan(2);
        expect(after1000).toBeLessThan(2);
        // Not growing: a random walk would be about √10 ≈ 3.2 times further off after 1,000.
        expect(after1000).toBeLessThan(after100 + 1);
      }),
      { seed: 2025, numRuns: 20 },
    );
  });
});

describe('equalParts', () => {
  it('splits into parts that differ by at most one cent, the first parts getting the extra cents', () => {
    expect(equalParts(1000, 3)).toEqual([334, 333, 333]);
    expect(equalParts(2, 3)).toEqual([1, 1, 0]);
    expect(() => equalParts(100, 0)).toThrow('cannot split into 0 parts');
  });
});
