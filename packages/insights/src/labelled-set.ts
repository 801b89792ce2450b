/**
 * A labelled set of recurring and non-recurring charge series, written for
 * this project, to measure recurrence detection: weekly, biweekly, monthly,
 * quarterly and annual series (some with price changes, descriptor drift,
 * a few days of jitter, foreign currency), against irregular purchases at one
 * merchant, similar amounts at irregular gaps, and one-off large buys.
 *
 * `evaluateRecurrence` runs the detector and scores it per series: a detected
 * series is a true positive when most of its charges belong to one labelled
 * recurring series and it covers most of that series.
 */
import { generateInsights } from './engine.ts';
import { seeded, SpaceBuilder } from './fixtures.ts';
import type { InsightsInput } from './types.ts';

export interface LabelledSet {
  readonly input: InsightsInput;
  /** Expense id → labelled recurring series name (absent = not recurring). */
  readonly labels: ReadonlyMap<string, string>;
  readonly recurring: readonly string[];
  readonly nonRecurringGroups: number;
}

export function buildLabelledSet(seed = 42): LabelledSet {
  const rng = seeded(seed);
  const b = new SpaceBuilder({ id: 'space-labelled', now: '2025-11-20T15:00:00.000Z' });
  b.member('u-1');
  const labels = new Map<string, string>();
  const recurring: string[] = [];
  const add = (name: string, ids: string[]) => {
    recurring.push(name);
    for (const id of ids) labels.set(id, name);
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

  // Monthly subscriptions, some with descriptor drift and price changes.
  const monthly: [string | string[], number | number[]][] = [
    [
      ['NETFLIX.COM 866-579', 'Netflix', 'NETFLIX COM CA'],
      [15.49, 15.49, 15.49, 15.49, 17.99, 17.99, 17.99, 17.99],
    ],
    [['SPOTIFY USA 1234', 'Spotify P0A1B2C3', 'SPOTIFY'], 10.99],
    [
      ['DISNEY PLUS', 'DISNEYPLUS 888-905'],
      [7.99, 7.99, 7.99, 10.99, 10.99, 10.99],
    ],
    ['Hulu', 17.99],
    ['Apple iCloud Storage', 2.99],
    ['Youtube Premium', 13.99],
    ['Planet Fitness', 24.99],
    ['Adobe Creative Cloud', [54.99, 54.99, 54.99, 59.99, 59.99, 59.99, 59.99]],
    ['City Water Utility', [41.2, 43.9, 39.75, 42.1, 44.3, 40.8, 42.6]],
    ['Bright Electric Co', [88.1, 92.4, 85.3, 95.0, 90.2, 87.7]],
    ['Metro Mobile Phone Plan', 45],
    ['Home Internet Fiber', [59.99, 59.99, 64.99, 64.99, 64.99, 64.99, 64.99]],
    ['Sunrise Car Insurance', 112.5],
    ['Cozy Apartments Rent', 1450],
    ['Daily News Digital', 4.99],
    ['Language App Plus', 9.99],
  ];
  for (const [description, amount] of monthly) {
    const count = 6 + Math.floor(rng() * 3);
    const name = typeof description === 'string' ? description : description[0]!;
    add(
      name,
      b.series({
        description,
        amount,
        count,
        months: 1,
        lastDaysAgo: 1 + Math.floor(rng() * 20),
        category: 'subscriptions',
        jitter: 2,
        rng,
      }),
    );
  }
  // Weekly and biweekly.
  for (const [description, amount, every] of [
    ['Sunday Yoga Studio', 18, 7],
    ['Lawn Care Crew', 35, 7],
    ['Kids Swim Lessons', 22.5, 7],
    ['House Cleaning Service', 90, 14],
    ['Dog Walker Biweekly', 60, 14],
    ['Meal Kit Box', [59.99, 59.99, 59.99, 59.99, 64.99, 64.99, 64.99, 64.99, 64.99, 64.99], 14],
  ] as [string, number | number[], number][]) {
    const count = every === 7 ? 14 + Math.floor(rng() * 8) : 8 + Math.floor(rng() * 4);
    add(
      description,
      b.series({
        description,
        amount,
        count,
        everyDays: every,
        lastDaysAgo: 1 + Math.floor(rng() * 5),
        category: 'personal_care',
        jitter: 1,
        rng,
      }),
    );
  }
  // Quarterly and annual (history beyond 180 days, as the service loads for recurrence).
  add(
    'Quarterly Pest Control',
    b.series({ description: 'Quarterly Pest Control', amount: 75, count: 4, months: 3, lastDaysAgo: 20, category: 'housing' }),
  );
  add(
    'Town Trash Pickup',
    b.series({ description: 'TOWN TRASH PICKUP Q', amount: 64.5, count: 3, months: 3, lastDaysAgo: 40, category: 'utilities' }),
  );
  add(
    'Amazon Prime annual',
    b.series({
      description: ['AMAZON PRIME*MEMBERSHIP', 'Amazon Prime'],
      amount: [119, 139, 139],
      count: 3,
      months: 12,
      lastDaysAgo: 60,
      category: 'subscriptions',
    }),
  );
  add(
    'Domain renewal',
    b.series({ description: 'NAMECHEAP DOMAIN RENEWAL', amount: 12.98, count: 3, months: 12, lastDaysAgo: 100, category: 'subscriptions' }),
  );
  add(
    'Antivirus yearly',
    b.series({ description: 'SECURESHIELD ANTIVIRUS', amount: 49.99, count: 2, months: 12, lastDaysAgo: 150, category: 'subscriptions' }),
  );
  // A foreign-currency subscription (EUR in a USD space).
  add(
    'Euro news',
    b.series({
      description: 'LE JOURNAL NUMERIQUE',
      amount: 9.9,
      count: 6,
      months: 1,
      lastDaysAgo: 8,
      currency: 'EUR',
      rate: 1.08,
      category: 'subscriptions',
    }),
  );

  // Non-recurring: irregular purchases at one merchant, similar amounts at irregular gaps, one-off large buys.
  let groups = 0;
  const irregular: [string, number, number, number][] = [
    ['Bean There Cafe', 3.5, 7.5, 40],
    ['Corner Grocer', 18, 140, 35],
    ['AMZN Mktp US*2K4', 8, 120, 25],
    ['Shell Gas Station', 30, 65, 20],
    ['Taco Town', 11, 28, 15],
    ['Hardware Depot', 6, 180, 10],
    ['Book Nook', 9, 35, 8],
    ['Pharmacy Plus', 4, 60, 12],
  ];
  for (const [description, lo, hi, n] of irregular) {
    groups++;
    for (let i = 0; i < n; i++)
      b.expense({
        date: b.daysAgo(Math.floor(rng() * 178)),
        amount: Math.round((lo + rng() * (hi - lo)) * 100) / 100,
        description,
        category: 'shopping',
      });
  }
  // Same amount, irregular gaps (a lunch spot with a fixed menu price, parking meters).
  for (const [description, amount] of [
    ['Lunch Box Deli', 12.5],
    ['City Parking Meter', 4],
    ['Car Wash Express', 15],
  ] as [string, number][]) {
    groups++;
    let day = 175;
    while (day > 1) {
      b.expense({ date: b.daysAgo(day), amount, description, category: 'dining' });
      day -= pick([1, 2, 3, 5, 8, 13, 21, 4, 9]);
    }
  }
  // A busy grocer whose receipts follow a formula (every ~3 days, amounts cycling through 18-114):
  // subsets of similar amounts look evenly spaced, and must not become series.
  for (const [description, step] of [
    ['MERCADONA VALENCIA', 53],
    ['Hiper Ahorro', 31],
  ] as [string, number][]) {
    groups++;
    let w = 0;
    for (let day = 178; day > 0; day -= 2 + Math.floor(rng() * 3)) {
      b.expense({
        date: b.daysAgo(day),
        amount: 18 + ((w * step) % 97) + Math.floor(rng() * 100) / 100,
        description,
        category: 'groceries',
      });
      w++;
    }
  }
  // One-off large buys, and rare purchases a few months apart at uneven amounts.
  for (const [description, amount] of [
    ['Sofa World', 1899],
    ['Tech Corner Laptop', 1299],
    ['Airline Tickets', 860],
    ['Dentist Crown', 950],
    ['Bike Shop', 640],
  ] as [string, number][]) {
    groups++;
    b.expense({ date: b.daysAgo(10 + Math.floor(rng() * 160)), amount, description, category: 'shopping' });
  }
  for (const [description, amounts, days] of [
    ['Garden Center', [45, 120, 32], [170, 95, 20]],
    ['Shoe Store', [89, 140], [150, 40]],
    ['Concert Tickets', [75, 75], [160, 33]],
  ] as [string, number[], number[]][]) {
    groups++;
    amounts.forEach((amount, i) => b.expense({ date: b.daysAgo(days[i]!), amount, description, category: 'entertainment' }));
  }
  return { input: b.build(), labels, recurring, nonRecurringGroups: groups };
}

export interface RecurrenceScore {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly precision: number;
  readonly recall: number;
  readonly detected: number;
  readonly labelled: number;
  readonly mistakes: readonly string[];
}

export function evaluateRecurrence(set: LabelledSet = buildLabelledSet()): RecurrenceScore {
  const result = generateInsights(set.input);
  const sizes = new Map<string, number>();
  for (const name of set.labels.values()) sizes.set(name, (sizes.get(name) ?? 0) + 1);
  const found = new Set<string>();
  let tp = 0;
  let fp = 0;
  const mistakes: string[] = [];
  for (const s of result.recurring_series) {
    const votes = new Map<string, number>();
    for (const id of s.expense_ids) {
      const label = set.labels.get(id);
      if (label) votes.set(label, (votes.get(label) ?? 0) + 1);
    }
    const [best, count] = [...votes.entries()].sort((a, b) => b[1] - a[1])[0] ?? [null, 0];
    if (best && count / s.expense_ids.length >= 0.8 && count / sizes.get(best)! >= 0.6 && !found.has(best)) {
      tp++;
      found.add(best);
    } else {
      fp++;
      mistakes.push(`false positive: ${s.key} (${s.cadence}, ${s.occurrences} charges)`);
    }
  }
  const fn = set.recurring.filter((r) => !found.has(r));
  for (const r of fn) mistakes.push(`missed: ${r}`);
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp / set.recurring.length;
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn.length,
    precision,
    recall,
    detected: result.recurring_series.length,
    labelled: set.recurring.length,
    mistakes,
  };
}

/** The score summed over several seeds of the labelled set (different jitter, amounts and dates). */
export function evaluateRecurrenceOverSeeds(
  seeds: readonly number[] = [42, 1, 2, 3, 4, 5, 6, 7, 8, 9],
): RecurrenceScore & { readonly seeds: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let detected = 0;
  let labelled = 0;
  const mistakes: string[] = [];
  for (const seed of seeds) {
    const r = evaluateRecurrence(buildLabelledSet(seed));
    tp += r.truePositives;
    fp += r.falsePositives;
    fn += r.falseNegatives;
    detected += r.detected;
    labelled += r.labelled;
    mistakes.push(...r.mistakes.map((m) => `seed ${seed}: ${m}`));
  }
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp / labelled,
    detected,
    labelled,
    mistakes,
    seeds: seeds.length,
  };
}
