/**
 * The engine's working view of a space: the caller's rows checked and turned
 * into integer hundredths and day numbers once, and the run's context (today
 * in the space's zone, thresholds, category types).
 */
import { assertCurrencyCode, DEFAULT_CATEGORIES } from '@wallai/domain';
import { assertTimeZone, dayNumber, todayIn } from './dates.ts';
import { toCents } from './money.ts';
import { resolveThresholds } from './thresholds.ts';
import type { CategoryInput, InsightsInput, IsoDay, Thresholds } from './types.ts';

export type CategoryKind = CategoryInput['category_type'];

/** Raised for input the engine cannot work with (bad date, amount, zone, currency). */
export class InsightsInputError extends Error {
  override name = 'InsightsInputError';
}

/** A charge: money spent, from an expense or from a bank spending line no expense came from. */
export interface Charge {
  readonly id: string;
  readonly source: 'expense' | 'bank';
  readonly date: IsoDay;
  readonly day: number;
  /** Hundredths in `currency` (the row's own currency). */
  readonly cents: number;
  readonly currency: string;
  /** Hundredths in the space's currency; null for a bank line in another currency (no rate known). */
  readonly baseCents: number | null;
  readonly description: string;
  readonly merchantName: string | null;
  readonly category: string | null;
  readonly categoryKind: CategoryKind | null;
  readonly payer: string | null;
}

export interface Context {
  readonly spaceId: string;
  readonly currency: string;
  readonly timezone: string;
  readonly now: Date;
  readonly nowIso: string;
  readonly today: IsoDay;
  readonly todayDay: number;
  readonly thresholds: Thresholds;
  readonly categoryKinds: ReadonlyMap<string, CategoryKind>;
}

export function buildContext(input: InsightsInput, thresholds?: Partial<Thresholds>): Context {
  const { space } = input;
  try {
    assertCurrencyCode(space.currency);
    assertTimeZone(space.timezone);
  } catch (error) {
    throw new InsightsInputError((error as Error).message);
  }
  const now = input.now instanceof Date ? input.now : new Date(input.now);
  if (Number.isNaN(now.getTime())) throw new InsightsInputError(`now must be an instant, got ${JSON.stringify(input.now)}`);
  const categoryKinds = new Map<string, CategoryKind>(DEFAULT_CATEGORIES.map((c) => [c.key, c.type]));
  for (const item of input.budget_items) categoryKinds.set(item.category, item.category_type);
  for (const c of input.categories ?? []) categoryKinds.set(c.key, c.category_type);
  const today = todayIn(now, space.timezone);
  return {
    spaceId: space.id,
    currency: space.currency,
    timezone: space.timezone,
    now,
    nowIso: now.toISOString(),
    today,
    todayDay: dayNumber(today),
    thresholds: resolveThresholds(thresholds),
    categoryKinds,
  };
}

function checkedDay(value: string, what: string): number {
  try {
    return dayNumber(value);
  } catch {
    throw new InsightsInputError(`${what}: date must be yyyy-MM-dd, got ${JSON.stringify(value)}`);
  }
}

function checkedCents(value: Parameters<typeof toCents>[0], what: string): number {
  try {
    return toCents(value);
  } catch (error) {
    throw new InsightsInputError(`${what}: ${(error as Error).message}`);
  }
}

/**
 * Every charge of the space, oldest first (ties by id, so order never depends
 * on the caller's row order): expenses, plus bank spending and fee lines that
 * did not become an expense (a line that did is counted through its expense).
 */
export function chargesOf(input: InsightsInput, ctx: Context): Charge[] {
  const charges: Charge[] = [];
  for (const e of input.expenses) {
    const kind = ctx.categoryKinds.get(e.category) ?? null;
    charges.push({
      id: e.id,
      source: 'expense',
      date: e.date,
      day: checkedDay(e.date, `expense ${e.id}`),
      cents: checkedCents(e.amount, `expense ${e.id}`),
      currency: e.currency,
      baseCents: checkedCents(e.base_amount, `expense ${e.id}`),
      description: e.description,
      merchantName: null,
      category: e.category,
      categoryKind: kind,
      payer: e.created_by,
    });
  }
  for (const t of input.bank_transactions ?? []) {
    if ((t.kind !== 'spending' && t.kind !== 'fee') || t.expense_id || t.pending) continue;
    const cents = checkedCents(t.amount, `bank transaction ${t.id}`);
    if (cents <= 0) continue;
    const currency = t.currency ?? ctx.currency;
    charges.push({
      id: t.id,
      source: 'bank',
      date: t.date,
      day: checkedDay(t.date, `bank transaction ${t.id}`),
      cents,
      currency,
      baseCents: currency === ctx.currency ? cents : null,
      description: t.description,
      merchantName: t.merchant_name ?? null,
      category: null,
      categoryKind: null,
      payer: null,
    });
  }
  charges.sort(byDayThenId);
  return charges;
}

export function byDayThenId(a: { day: number; id: string }, b: { day: number; id: string }): number {
  return a.day - b.day || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Consumption: a charge that is not money moved to savings, debt payoff or income. */
export function isSpending(c: Charge): boolean {
  return c.categoryKind !== 'savings' && c.categoryKind !== 'income';
}

/** [from, to) of the window of `days` calendar days ending today, as day numbers. */
export function windowDays(ctx: Context, days: number): { from: number; to: number } {
  return { from: ctx.todayDay - days + 1, to: ctx.todayDay + 1 };
}
