import { describe, expect, it } from 'vitest';
import { detectRecurring } from './engine.ts';
import { SpaceBuilder } from './fixtures.ts';
import { evaluateRecurrenceOverSeeds } from './labelled-set.ts';

function space() {
  return new SpaceBuilder({ now: '2025-11-20T15:00:00.000Z' }).member('u-1');
}

describe('recurring series', () => {
  it('meets precision >= 0.95 and recall >= 0.90 on the labelled set', () => {
    const score = evaluateRecurrenceOverSeeds();
    expect(score.labelled).toBeGreaterThanOrEqual(250);
    expect(score.precision, score.mistakes.join('\n')).toBeGreaterThanOrEqual(0.95);
    expect(score.recall, score.mistakes.join('\n')).toBeGreaterThanOrEqual(0.9);
  });

  it('matches drifting descriptors as one merchant and records the price change', () => {
    const b = space();
    b.series({
      description: ['NETFLIX.COM 866-579', 'Netflix', 'NETFLIX COM CA'],
      amount: [15.49, 15.49, 15.49, 17.99, 17.99],
      count: 5,
      months: 1,
      lastDaysAgo: 3,
    });
    const [series, ...rest] = detectRecurring(b.build());
    expect(rest).toEqual([]);
    expect(series).toMatchObject({ merchant: 'Netflix', cadence: 'monthly', typical_amount: 17.99, occurrences: 5, status: 'active' });
    expect(series!.price_changes.map((p) => p.label)).toEqual(['15.49 → 17.99']);
  });

  it.each([
    ['weekly', { everyDays: 7, count: 10 }],
    ['biweekly', { everyDays: 14, count: 6 }],
    ['monthly', { months: 1, count: 4 }],
    ['quarterly', { months: 3, count: 3 }],
    ['annual', { months: 12, count: 2 }],
  ] as const)('finds a %s cadence from the median gap', (cadence, spec) => {
    const b = space();
    b.series({ description: 'Sample Service Co', amount: 20, lastDaysAgo: 2, ...spec });
    expect(detectRecurring(b.build()).map((s) => s.cadence)).toEqual([cadence]);
  });

  it('does not take irregular purchases at one merchant, or one-off large buys, for a series', () => {
    const b = space();
    for (const [d, a] of [
      [170, 4.5],
      [160, 4.5],
      [131, 4.5],
      [127, 4.5],
      [90, 4.5],
      [88, 4.5],
      [40, 4.5],
      [33, 4.5],
      [3, 4.5],
    ] as const)
      b.expense({ date: b.daysAgo(d), amount: a, description: 'Bean There Cafe' });
    b.expense({ date: b.daysAgo(50), amount: 1899, description: 'Sofa World' });
    b.expense({ date: b.daysAgo(20), amount: 1299, description: 'Tech Corner Laptop' });
    expect(detectRecurring(b.build())).toEqual([]);
  });

  it('marks a series that stopped charging as ended, and one a little late as overdue', () => {
    const b = space();
    b.series({ description: 'Old Magazine', amount: 5, count: 4, months: 1, lastDaysAgo: 90 });
    b.series({ description: 'Late Streaming', amount: 9, count: 4, months: 1, lastDaysAgo: 40 });
    const statuses = Object.fromEntries(detectRecurring(b.build()).map((s) => [s.merchant, s.status]));
    expect(statuses).toEqual({ 'Old Magazine': 'ended', 'Late Streaming': 'overdue' });
  });

  it('keeps a foreign-currency series in its own currency and its monthly amount in the space currency', () => {
    const b = space();
    b.series({ description: 'LE JOURNAL NUMERIQUE', amount: 9.9, count: 4, months: 1, lastDaysAgo: 4, currency: 'EUR', rate: 1.1 });
    const [series] = detectRecurring(b.build());
    expect(series).toMatchObject({ currency: 'EUR', typical_amount: 9.9, monthly_amount: 10.89 });
  });

  it('gives the same series whatever order the rows come in', () => {
    const b = space();
    b.series({ description: 'Spotify', amount: 10.99, count: 6, months: 1 });
    b.series({ description: 'Iron Gym', amount: 39, count: 6, months: 1, lastDaysAgo: 9 });
    const input = b.build();
    const reversed = { ...input, expenses: [...input.expenses].reverse() };
    expect(detectRecurring(reversed)).toEqual(detectRecurring(input));
  });
});

describe('a busy merchant', () => {
  it('gives no series for receipts every few days whose amounts cycle through a range', () => {
    for (const jitter of [false, true]) {
      const b = new SpaceBuilder({ now: '2025-11-20T15:00:00.000Z' }).member('u-1');
      let w = 0;
      for (let d = 180; d > 0; d -= jitter ? 2 + (w % 3) : 3) {
        b.expense({ date: b.daysAgo(d), amount: 18 + ((w * 53) % 97), description: 'MERCADONA VALENCIA', category: 'groceries' });
        w++;
      }
      expect(detectRecurring(b.build()), `jitter ${jitter}`).toEqual([]);
    }
  });

  it('still finds a subscription charged there at the same amount', () => {
    const b = new SpaceBuilder({ now: '2025-11-20T15:00:00.000Z' }).member('u-1');
    for (let d = 178; d > 0; d -= 4)
      b.expense({ date: b.daysAgo(d), amount: 3 + (d % 40), description: 'APPLE.COM/BILL', category: 'shopping' });
    b.series({ description: 'APPLE.COM/BILL', amount: 2.99, count: 6, months: 1, lastDaysAgo: 7 });
    expect(detectRecurring(b.build()).map((s) => [s.cadence, s.typical_amount])).toEqual([['monthly', 2.99]]);
  });
});
