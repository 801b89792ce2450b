/**
 * Recurring series: charges at one merchant, in one currency, at a steady
 * amount (or a steady amount that changed once in a while), at a steady gap.
 *
 * 1. Group charges by merchant (see merchant.ts) and currency.
 * 2. Within a group, cluster amounts: sorted by amount, a new cluster starts
 *    where one amount is more than the amount tolerance above the previous.
 * 3. Join clusters that follow each other in time into one series with a
 *    price change ("15.49 → 17.99"): one of them has at least two charges
 *    (its cadence is the one the step must fit), all of the earlier lies
 *    before the later, the step is at most 50 %, and the gap across the step
 *    fits that cadence.
 * 4. A cluster is a series when the median gap between its charges is within
 *    the gap tolerance (at least 2 days) of a cadence (weekly 7, biweekly 14, monthly 30.44,
 *    quarterly 91.31, annual 365.25 days), at least 75 % of its gaps are, and
 *    it has enough charges (weekly 4, biweekly and monthly 3, quarterly and
 *    annual 2), and it stands out at its merchant: at a busy one (other
 *    charges within its dates more than half its own), its amounts must
 *    repeat within 2 %, with at most one price change between levels of 3
 *    charges or more; a two-charge series always needs repeated amounts and
 *    at most one other charge between its dates.
 *
 * Status: `active` until the next expected charge is late by more than the
 * grace (the gap tolerance of the cadence, at least 3 days), `overdue` for one
 * more cycle, then `ended`.
 */
import { dayNumber, fromDayNumber, plusDays, plusMonths } from './dates.ts';
import { foldPrefixKeys, MerchantResolver } from './merchant.ts';
import { formatMajor, ratio, toMajor } from './money.ts';
import type { Charge, Context } from './model.ts';
import { clamp, coefficientOfVariation, median } from './stats.ts';
import type { Cadence, PriceChange, RecurringSeries, SeriesStatus, Thresholds } from './types.ts';

export const CADENCE_DAYS: Readonly<Record<Cadence, number>> = {
  weekly: 7,
  biweekly: 14,
  monthly: 30.44,
  quarterly: 91.31,
  annual: 365.25,
};
/** How many times a month a cadence charges. */
export const PER_MONTH: Readonly<Record<Cadence, number>> = {
  weekly: 52 / 12,
  biweekly: 26 / 12,
  monthly: 1,
  quarterly: 1 / 3,
  annual: 1 / 12,
};
const CADENCES = Object.keys(CADENCE_DAYS) as Cadence[];
const MIN_REGULAR_SHARE = 0.75;
const MAX_PRICE_STEP = 0.5;

/** Something that can recur: a charge, or an income line (cents positive). */
export interface Recurrable {
  readonly id: string;
  readonly source: 'expense' | 'bank';
  readonly day: number;
  readonly cents: number;
  readonly currency: string;
  readonly baseCents: number | null;
  readonly description: string;
  readonly merchantName: string | null;
  readonly category: string | null;
}

/** Posting delays are whole days: a gap may always be off by 2 days, whatever the share. */
const MIN_GAP_ALLOWANCE_DAYS = 2;

function allowance(cadence: Cadence, tolerance: number): number {
  return Math.max(MIN_GAP_ALLOWANCE_DAYS, tolerance * CADENCE_DAYS[cadence]);
}

export function cadenceOf(gapDays: number, tolerance: number): Cadence | null {
  let best: Cadence | null = null;
  let bestDistance = Infinity;
  for (const c of CADENCES) {
    const distance = Math.abs(gapDays - CADENCE_DAYS[c]);
    if (distance <= allowance(c, tolerance) && distance / CADENCE_DAYS[c] < bestDistance) {
      best = c;
      bestDistance = distance / CADENCE_DAYS[c];
    }
  }
  return best;
}

function fitsCadence(gap: number, cadence: Cadence, tolerance: number): boolean {
  return Math.abs(gap - CADENCE_DAYS[cadence]) <= allowance(cadence, tolerance);
}

export function nextExpected(lastDay: number, cadence: Cadence): number {
  const last = fromDayNumber(lastDay);
  switch (cadence) {
    case 'weekly':
      return dayNumber(plusDays(last, 7));
    case 'biweekly':
      return dayNumber(plusDays(last, 14));
    case 'monthly':
      return dayNumber(plusMonths(last, 1));
    case 'quarterly':
      return dayNumber(plusMonths(last, 3));
    case 'annual':
      return dayNumber(plusMonths(last, 12));
  }
}

export function graceDays(cadence: Cadence, tolerance: number): number {
  return Math.max(3, Math.round(CADENCE_DAYS[cadence] * tolerance));
}

/** Persistent amount changes along a series in date order: a new amount that the next charge repeats (or the last charge). */
export function priceChanges(items: readonly Recurrable[], currency: string, tolerance: number): PriceChange[] {
  const changes: PriceChange[] = [];
  let level = items[0]?.cents ?? 0;
  for (let i = 1; i < items.length; i++) {
    const cents = items[i]!.cents;
    if (cents === level) continue;
    const next = items[i + 1];
    const persists = next === undefined || Math.abs(next.cents - cents) <= tolerance * cents * 0.1;
    if (!persists) continue;
    const from = toMajor(level, currency);
    const to = toMajor(cents, currency);
    changes.push({ date: fromDayNumber(items[i]!.day), from, to, label: `${formatMajor(from, currency)} → ${formatMajor(to, currency)}` });
    level = cents;
  }
  return changes;
}

interface Cluster {
  items: Recurrable[];
}

function clusterAmounts(group: readonly Recurrable[], tolerance: number): Cluster[] {
  const byAmount = [...group].sort((a, b) => a.cents - b.cents || a.day - b.day || (a.id < b.id ? -1 : 1));
  const clusters: Cluster[] = [];
  let current: Recurrable[] = [];
  for (const item of byAmount) {
    const prev = current[current.length - 1];
    if (prev && item.cents > prev.cents * (1 + tolerance)) {
      clusters.push({ items: current });
      current = [];
    }
    current.push(item);
  }
  if (current.length) clusters.push({ items: current });
  for (const c of clusters) c.items.sort((a, b) => a.day - b.day || (a.id < b.id ? -1 : 1));
  return clusters;
}

function clusterCadence(items: readonly Recurrable[], tolerance: number): Cadence | null {
  if (items.length < 2) return null;
  const gaps: number[] = [];
  for (let i = 1; i < items.length; i++) gaps.push(items[i]!.day - items[i - 1]!.day);
  return cadenceOf(median(gaps), tolerance);
}

function joinPriceSteps(clusters: Cluster[], tolerance: number): Cluster[] {
  const ordered = [...clusters].sort((a, b) => a.items[0]!.day - b.items[0]!.day);
  const out: Cluster[] = [];
  for (const cluster of ordered) {
    const prev = out[out.length - 1];
    if (prev && (prev.items.length >= 2 || cluster.items.length >= 2)) {
      const prevLast = prev.items[prev.items.length - 1]!;
      const first = cluster.items[0]!;
      const cadence = clusterCadence(prev.items.length >= 2 ? prev.items : cluster.items, tolerance);
      const step = Math.abs(first.cents - prevLast.cents) / prevLast.cents;
      if (cadence && prevLast.day < first.day && step <= MAX_PRICE_STEP && fitsCadence(first.day - prevLast.day, cadence, tolerance)) {
        prev.items = [...prev.items, ...cluster.items];
        continue;
      }
    }
    out.push({ items: [...cluster.items] });
  }
  return out;
}

export interface DetectedSeries {
  readonly series: RecurringSeries;
  readonly merchantKey: string;
  readonly items: readonly Recurrable[];
}

/**
 * Detects series among `items` (any order). `todayDay` decides status;
 * amounts are reported in the items' currency, monthly amounts in the
 * space's (`spaceCurrency`, from base amounts).
 */
export function detectSeries(
  items: readonly Recurrable[],
  todayDay: number,
  spaceCurrency: string,
  thresholds: Thresholds,
  resolver: MerchantResolver = new MerchantResolver(),
): DetectedSeries[] {
  const tolerance = thresholds.recurrence_gap_tolerance;
  const amountTolerance = thresholds.recurrence_amount_tolerance;
  const identities = new Map<Recurrable, { key: string; name: string }>();
  for (const item of items) identities.set(item, resolver.resolve(item.description, item.merchantName));
  const fold = foldPrefixKeys([...identities.values()].map((i) => i.key));
  const groups = new Map<string, { name: string; items: Recurrable[] }>();
  for (const item of items) {
    if (item.baseCents === null || item.cents <= 0) continue;
    const identity = identities.get(item)!;
    const merchantKey = fold.get(identity.key) ?? identity.key;
    const groupKey = `${merchantKey}|${item.currency}`;
    let group = groups.get(groupKey);
    if (!group) {
      group = { name: identity.name, items: [] };
      groups.set(groupKey, group);
    }
    group.items.push(item);
  }

  const found: DetectedSeries[] = [];
  const keys = [...groups.keys()].sort();
  for (const groupKey of keys) {
    const group = groups.get(groupKey)!;
    if (group.items.length < 2) continue;
    const [merchantKey, currency] = groupKey.split('|') as [string, string];
    const clusters = joinPriceSteps(clusterAmounts(group.items, amountTolerance), tolerance);
    const seriesOfGroup: DetectedSeries[] = [];
    for (const cluster of clusters) {
      const s = seriesFromCluster(cluster.items, merchantKey, currency, group.name, todayDay, spaceCurrency, thresholds);
      if (s && standsOut(cluster.items, group.items, amountTolerance)) seriesOfGroup.push({ series: s, merchantKey, items: cluster.items });
    }
    for (const s of seriesOfGroup) {
      const key = seriesOfGroup.length > 1 ? `${s.series.key}:${s.items[0]!.cents}` : s.series.key;
      found.push({ ...s, series: { ...s.series, key } });
    }
  }
  return found;
}

const EXACT_AMOUNT_TOLERANCE = 0.02;
const TWO_CHARGE_MAX_OTHERS = 1;
const BUSY_LEVEL_MIN = 3;

/** Steps between consecutive charges larger than 2 % (a price change is one step). */
function amountSteps(items: readonly Recurrable[]): number {
  let steps = 0;
  for (let i = 1; i < items.length; i++) {
    const prev = items[i - 1]!.cents;
    if (Math.abs(items[i]!.cents - prev) > EXACT_AMOUNT_TOLERANCE * prev) steps++;
  }
  return steps;
}

/**
 * A series must stand out at its merchant. At a busy merchant (other charges
 * between its first and last date more than half its own), a few receipts
 * that happen to be similar and evenly spaced are not a subscription: there
 * the amounts must repeat within 2 %, with at most one price change between
 * levels of at least 3 charges each. A two-charge series always needs
 * repeated amounts, no price change, and at most one other charge between
 * its dates.
 */
/** At a busy merchant a price change counts only between levels of 3 charges or more each. */
function levelsAreLong(items: readonly Recurrable[], changes: readonly PriceChange[]): boolean {
  if (changes.length === 0) return true;
  if (changes.length > 1) return false;
  const at = dayNumber(changes[0]!.date);
  const before = items.filter((i) => i.day < at).length;
  return before >= BUSY_LEVEL_MIN && items.length - before >= BUSY_LEVEL_MIN;
}

function standsOut(items: readonly Recurrable[], group: readonly Recurrable[], tolerance: number): boolean {
  const own = new Set(items);
  const first = items[0]!.day;
  const last = items[items.length - 1]!.day;
  let others = 0;
  for (const g of group) if (!own.has(g) && g.day >= first && g.day <= last) others++;
  const changes = priceChanges(items, items[0]!.currency, tolerance);
  const exact = amountSteps(items) <= changes.length;
  if (items.length === 2) return exact && changes.length === 0 && others <= TWO_CHARGE_MAX_OTHERS;
  if (others > items.length / 2) return exact && levelsAreLong(items, changes);
  return true;
}

function seriesFromCluster(
  items: readonly Recurrable[],
  merchantKey: string,
  currency: string,
  merchant: string,
  todayDay: number,
  spaceCurrency: string,
  thresholds: Thresholds,
): RecurringSeries | null {
  const tolerance = thresholds.recurrence_gap_tolerance;
  if (items.length < 2) return null;
  const gaps: number[] = [];
  for (let i = 1; i < items.length; i++) gaps.push(items[i]!.day - items[i - 1]!.day);
  const medianGap = median(gaps);
  const cadence = cadenceOf(medianGap, tolerance);
  if (!cadence) return null;
  const minOccurrences =
    cadence === 'quarterly' || cadence === 'annual'
      ? 2
      : cadence === 'weekly'
        ? thresholds.recurrence_min_occurrences + 1
        : thresholds.recurrence_min_occurrences;
  if (items.length < minOccurrences) return null;
  const regular = gaps.filter((g) => fitsCadence(g, cadence, tolerance)).length;
  if (regular / gaps.length < MIN_REGULAR_SHARE) return null;

  const changes = priceChanges(items, currency, thresholds.recurrence_amount_tolerance);
  const lastChange = changes[changes.length - 1];
  const sinceChange = lastChange ? items.filter((i) => i.day >= dayNumber(lastChange.date)) : items;
  const typicalCents = median(sinceChange.map((i) => i.cents));
  const typicalBase = median(sinceChange.map((i) => i.baseCents ?? 0));
  const last = items[items.length - 1]!;
  const next = nextExpected(last.day, cadence);
  const grace = graceDays(cadence, tolerance);
  let status: SeriesStatus = 'active';
  if (todayDay > next + grace) status = todayDay > next + Math.round(CADENCE_DAYS[cadence]) + grace ? 'ended' : 'overdue';

  const gapCv = coefficientOfVariation(gaps);
  const amountCv = coefficientOfVariation(sinceChange.map((i) => i.cents));
  const depth = 0.6 + 0.4 * Math.min(1, (items.length - 1) / 5);
  const confidence = ratio(clamp((1 - gapCv) * (1 - amountCv) * depth, 0, 1), 2);
  const categories = new Map<string, number>();
  for (const i of items) if (i.category) categories.set(i.category, (categories.get(i.category) ?? 0) + 1);
  const category = [...categories.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? null;

  return {
    key: `${merchantKey}:${currency}`,
    merchant,
    cadence,
    median_gap_days: medianGap,
    typical_amount: toMajor(Math.round(typicalCents), currency),
    currency,
    monthly_amount: toMajor(Math.round(typicalBase * PER_MONTH[cadence]), spaceCurrency),
    category,
    first_date: fromDayNumber(items[0]!.day),
    last_date: fromDayNumber(last.day),
    next_expected_date: fromDayNumber(next),
    status,
    occurrences: items.length,
    price_changes: changes,
    confidence,
    expense_ids: items.filter((i) => i.source === 'expense').map((i) => i.id),
    bank_transaction_ids: items.filter((i) => i.source === 'bank').map((i) => i.id),
  };
}

/** The space's recurring spending series, as `recurring_series` rows. */
export function detectRecurringCharges(charges: readonly Charge[], ctx: Context, resolver?: MerchantResolver): DetectedSeries[] {
  return detectSeries(
    charges.filter((c) => c.day <= ctx.todayDay),
    ctx.todayDay,
    ctx.currency,
    ctx.thresholds,
    resolver,
  );
}
