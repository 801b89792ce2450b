import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BalanceCents, EXACT_SEARCH_LIMIT, suggestTransfers, type TransferCents, walkTransfers } from './settlements.ts';

/** Ids that sort in a different order than they are listed, like real uuids. */
const ID = (i: number) => `${((i * 7919) % 1000).toString().padStart(3, '0')}-${i}`;

const balancesOf = (cents: readonly number[]): BalanceCents[] => cents.map((c, i) => ({ userId: ID(i), cents: c }));

/** Random balances summing to 0: amounts from a small set (so debts often cancel) or wide (so they rarely do). */
const balanceSet = (maxPeople: number, amount: fc.Arbitrary<number>, minPeople = 2) =>
  fc.array(amount, { minLength: minPeople - 1, maxLength: maxPeople - 1 }).map((xs) => balancesOf([...xs, -xs.reduce((a, b) => a + b, 0)]));
const coarse = fc.integer({ min: -6, max: 6 }).map((x) => x * 500);
const wide = fc.integer({ min: -500_000, max: 500_000 });

/** Applies the transfers to the balances (the payer's balance goes up, the receiver's down). */
function after(balances: readonly BalanceCents[], transfers: readonly TransferCents[]): BalanceCents[] {
  const next = new Map(balances.map((b) => [b.userId, b.cents]));
  for (const t of transfers) {
    next.set(t.from, (next.get(t.from) ?? 0) + t.cents);
    next.set(t.to, (next.get(t.to) ?? 0) - t.cents);
  }
  return [...next].map(([userId, cents]) => ({ userId, cents }));
}

const key = (t: TransferCents) => `${t.from}>${t.to}:${t.cents}`;
const keys = (ts: readonly TransferCents[]) => ts.map(key).sort();

/** The fewest transfers by brute force: people with a balance minus the most zero-sum groups over every set partition. */
function bruteForceFewest(balances: readonly BalanceCents[]): number {
  const values = balances.map((b) => b.cents).filter((c) => c !== 0);
  let most = 0;
  const groups: number[] = [];
  const place = (i: number) => {
    if (i === values.length) {
      if (groups.every((g) => g === 0)) most = Math.max(most, groups.length);
      return;
    }
    const v = values[i] as number;
    for (let g = 0; g < groups.length; g++) {
      groups[g] = (groups[g] as number) + v;
      place(i + 1);
      groups[g] = (groups[g] as number) - v;
    }
    groups.push(v);
    place(i + 1);
    groups.pop();
  };
  place(0);
  return values.length - most;
}

/** Everything a valid suggestion list must be: settles everyone, debtors pay creditors, positive, at most n - 1. */
function expectValid(balances: readonly BalanceCents[], transfers: readonly TransferCents[]): void {
  expect(after(balances, transfers).every((b) => b.cents === 0)).toBe(true);
  const sign = new Map(balances.map((b) => [b.userId, Math.sign(b.cents)]));
  for (const t of transfers) {
    expect(t.cents).toBeGreaterThan(0);
    expect(sign.get(t.from)).toBe(-1);
    expect(sign.get(t.to)).toBe(1);
  }
  const people = balances.filter((b) => b.cents !== 0).length;
  expect(transfers.length).toBeLessThanOrEqual(Math.max(people - 1, 0));
}

/** Recording any one suggestion (the balances after it, the settled person kept at 0) leaves exactly the others. */
function expectStable(balances: readonly BalanceCents[], transfers: readonly TransferCents[]): void {
  for (const [i, t] of transfers.entries()) {
    const rest = transfers.filter((_, j) => j !== i);
    expect(keys(suggestTransfers(after(balances, [t]))), `after recording ${key(t)}`).toEqual(keys(rest));
  }
}

describe('suggestTransfers', () => {
  it("settles the issue's example in 3 transfers where the walk needs 4", () => {
    // u2 -50.00, u3 +10.00, u4 -60.00, u5 +60.00, u6 +40.00
    const balances = [
      { userId: 'u2', cents: -5000 },
      { userId: 'u3', cents: 1000 },
      { userId: 'u4', cents: -6000 },
      { userId: 'u5', cents: 6000 },
      { userId: 'u6', cents: 4000 },
    ];
    expect(walkTransfers(balances)).toHaveLength(4);
    expect(keys(suggestTransfers(balances))).toEqual(
      keys([
        { from: 'u4', to: 'u5', cents: 6000 },
        { from: 'u2', to: 'u6', cents: 4000 },
        { from: 'u2', to: 'u3', cents: 1000 },
      ]),
    );
    expectStable(balances, suggestTransfers(balances));
  });

  it('suggests nothing when everyone is even, and one transfer for two people', () => {
    expect(suggestTransfers([])).toEqual([]);
    expect(suggestTransfers(balancesOf([0, 0]))).toEqual([]);
    expect(suggestTransfers(balancesOf([-700, 700]))).toEqual([{ from: ID(0), to: ID(1), cents: 700 }]);
  });

  it('refuses balances that do not sum to 0, fractions of a cent and a person twice', () => {
    expect(() => suggestTransfers(balancesOf([100, -99]))).toThrow('balances must sum to 0');
    expect(() => suggestTransfers(balancesOf([0.5, -0.5]))).toThrow('whole cents');
    expect(() =>
      suggestTransfers([
        { userId: 'a', cents: 1 },
        { userId: 'a', cents: -1 },
      ]),
    ).toThrow('appears twice');
  });

  it('is exactly the brute-force optimum on groups of up to 8, never more than the walk, and valid', () => {
    let fewer = 0;
    fc.assert(
      fc.property(fc.oneof(balanceSet(8, coarse), balanceSet(8, wide)), (balances) => {
        const suggested = suggestTransfers(balances);
        expectValid(balances, suggested);
        expect(suggested.length).toBe(bruteForceFewest(balances));
        expect(suggested.length).toBeLessThanOrEqual(walkTransfers(balances).length);
        if (suggested.length < walkTransfers(balances).length) fewer++;
      }),
      { seed: 9, numRuns: 3_000 },
    );
    expect(fewer).toBeGreaterThan(100);
  });

  it('is stable up to the exact limit: recording any one suggestion leaves exactly the others', () => {
    fc.assert(
      fc.property(fc.oneof(balanceSet(EXACT_SEARCH_LIMIT, coarse), balanceSet(EXACT_SEARCH_LIMIT, wide)), (balances) => {
        expectStable(balances, suggestTransfers(balances));
      }),
      { seed: 10, numRuns: 2_000 },
    );
  });

  it('is stable above the exact limit too: 11 to 30 people, recording any one suggestion leaves exactly the others', () => {
    fc.assert(
      fc.property(fc.oneof(balanceSet(30, coarse, EXACT_SEARCH_LIMIT + 1), balanceSet(30, wide, EXACT_SEARCH_LIMIT + 1)), (balances) => {
        const suggested = suggestTransfers(balances);
        expectValid(balances, suggested);
        expect(suggested.length).toBeLessThanOrEqual(walkTransfers(balances).length);
        expect(suggestTransfers([...balances].reverse())).toEqual(suggested);
        expectStable(balances, suggested);
      }),
      { seed: 11, numRuns: 1_000 },
    );
  });

  it('above the exact limit: the walk, even when recording a payment leaves two people owing each other exactly', () => {
    // Six balances and five people already settled: 11 in the currency, above the limit.
    const balances = [-6000, 3500, 4000, -3000, -1000, 2500, 0, 0, 0, 0, 0].map((cents, i) => ({
      userId: `u${String(i + 1).padStart(2, '0')}`,
      cents,
    }));
    const suggested = suggestTransfers(balances);
    expect(suggested).toEqual(walkTransfers(balances));
    expect(suggested).toEqual([
      { from: 'u01', to: 'u02', cents: 3500 },
      { from: 'u01', to: 'u03', cents: 2500 },
      { from: 'u04', to: 'u03', cents: 1500 },
      { from: 'u04', to: 'u06', cents: 1500 },
      { from: 'u05', to: 'u06', cents: 1000 },
    ]);
    // After u01 pays u02, u01 owes 25.00 and u06 is owed 25.00: a search for exact pairs would pair
    // them and move every other suggestion; the walk leaves the other four exactly as they were.
    const next = after(balances, [suggested[0] as TransferCents]);
    expect(next.find((b) => b.userId === 'u01')?.cents).toBe(-2500);
    expect(next.find((b) => b.userId === 'u06')?.cents).toBe(2500);
    expectStable(balances, suggested);
  });
});

describe('walkTransfers (today’s algorithm, the reference)', () => {
  it('lays debtors and creditors in id order end to end: at most n - 1 transfers, stable', () => {
    fc.assert(
      fc.property(balanceSet(12, wide), (balances) => {
        const walked = walkTransfers(balances);
        expectValid(balances, walked);
        for (const [i, t] of walked.entries()) {
          expect(keys(walkTransfers(after(balances, [t])))).toEqual(keys(walked.filter((_, j) => j !== i)));
        }
      }),
      { seed: 12, numRuns: 500 },
    );
  });
});
