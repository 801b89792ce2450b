/**
 * Signals over a window of calendar days ending today (30 or 180), in
 * SpendSense's shape (subscriptions, savings, credit, income) plus Wallai's
 * own (category trends, anomalies, budget pacing, who pays for what).
 *
 * Each signal is a function of explicit rows, so a rule can re-run it on the
 * rows its trace names. A signal without the data it needs is absent, and
 * `missing` says which input was missing.
 */
import { dayNumber, daysInMonthOf, fromDayNumber, monthOf, plusMonths } from './dates.ts';
import { ratio, toCents, toMajor } from './money.ts';
import { isSpending, windowDays, type Charge, type Context } from './model.ts';
import { CADENCE_DAYS, PER_MONTH, detectSeries, graceDays, nextExpected, type DetectedSeries, type Recurrable } from './recurring.ts';
import { clamp, coefficientOfVariation, mad, median } from './stats.ts';
import type {
  AnomaliesSignal,
  Anomaly,
  BankAccountInput,
  BankTransactionInput,
  BudgetInput,
  BudgetItemInput,
  BudgetPacingSignal,
  CategoryPacing,
  CategoryTrend,
  CategoryTrendsSignal,
  CreditCardState,
  CreditSignal,
  IncomeSignal,
  MemberInput,
  MissedPaycheck,
  PayerShare,
  PayersSignal,
  SavingsSignal,
  SplitInput,
  SubscriptionSignal,
} from './types.ts';

export const DAYS_PER_MONTH = 30.44;
const SAVINGS_SUBTYPES = new Set(['savings', 'money market', 'cd', 'hsa', 'cash management']);
const LIQUID_SUBTYPES = new Set(['checking', 'savings', 'money market', 'cash management', 'prepaid', 'paypal']);
/** Categories of type savings that are not money kept (debt payoff leaves the space). */
const NOT_SAVINGS_BALANCE = new Set(['debt_payoff']);
/** An estimated card minimum: this share of the balance (issuers use 1 % + interest, or 2–3 %). */
export const MINIMUM_PAYMENT_SHARE = 0.03;
const MAX_ANOMALIES = 10;
const MAD_TO_SIGMA = 1.4826;

export interface Window {
  readonly days: 30 | 180;
  readonly from: number;
  readonly to: number;
}

export function windowOf(ctx: Context, days: 30 | 180): Window {
  return { days, ...windowDays(ctx, days) };
}

function inWindow(day: number, w: { from: number; to: number }): boolean {
  return day >= w.from && day < w.to;
}

/** Spending of the window in hundredths of the space's currency. */
export function spendingCents(charges: readonly Charge[], w: { from: number; to: number }): number {
  let total = 0;
  for (const c of charges) if (c.baseCents !== null && isSpending(c) && inWindow(c.day, w)) total += c.baseCents;
  return total;
}

/** Average monthly spending over the window. */
export function monthlySpendingCents(charges: readonly Charge[], w: Window): number {
  return spendingCents(charges, w) / (w.days / DAYS_PER_MONTH);
}

// ── subscriptions ───────────────────────────────────────────────────────────

/** Series that count for a window: not ended, and charged in it (or charging less often than the window is long). */
export function seriesInWindow(series: readonly DetectedSeries[], w: Window): DetectedSeries[] {
  return series.filter((s) => {
    if (s.series.status === 'ended') return false;
    const last = dayNumber(s.series.last_date);
    return last >= w.from || CADENCE_DAYS[s.series.cadence] > w.days;
  });
}

export function subscriptionSignal(
  series: readonly DetectedSeries[],
  charges: readonly Charge[],
  w: Window,
  ctx: Context,
): SubscriptionSignal | null {
  const spend = spendingCents(charges, w);
  if (spend === 0 && series.length === 0) return null;
  const counted = seriesInWindow(series, w);
  let monthly = 0;
  for (const s of counted) monthly += toCents(s.series.monthly_amount);
  const monthlySpend = spend / (w.days / DAYS_PER_MONTH);
  const merchants = [...new Set(counted.map((s) => s.series.merchant))].sort();
  const price_changes = counted
    .flatMap((s) => s.series.price_changes.filter((p) => dayNumber(p.date) >= w.from).map((p) => ({ ...p, merchant: s.series.merchant })))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.merchant < b.merchant ? -1 : 1));
  return {
    monthly_recurring_spend: toMajor(Math.round(monthly), ctx.currency),
    subscription_share: monthlySpend > 0 ? ratio(Math.min(1, monthly / monthlySpend)) : 0,
    merchants,
    series_count: counted.length,
    price_changes,
  };
}

// ── savings ─────────────────────────────────────────────────────────────────

export function isSavingsAccount(a: BankAccountInput): boolean {
  return a.type === 'depository' && a.subtype !== null && SAVINGS_SUBTYPES.has(a.subtype.toLowerCase());
}

export function savingsSignal(
  accounts: readonly BankAccountInput[],
  lines: readonly BankTransactionInput[],
  charges: readonly Charge[],
  w: Window,
  ctx: Context,
): (SavingsSignal & { readonly balance: number | null; readonly months_with_savings: number }) | null {
  const savingsAccounts = accounts.filter((a) => isSavingsAccount(a) && (a.currency ?? ctx.currency) === ctx.currency);
  const monthlySpend = monthlySpendingCents(charges, w);
  if (savingsAccounts.length > 0) {
    const ids = new Set(savingsAccounts.map((a) => a.id));
    let inflow = 0;
    const months = new Set<string>();
    for (const t of lines) {
      if (!ids.has(t.account_id) || t.pending) continue;
      const day = dayNumber(t.date);
      if (!inWindow(day, w)) continue;
      const cents = -toCents(t.amount);
      inflow += cents;
      if (cents > 0) months.add(monthOf(t.date));
    }
    let balance = 0;
    let known = false;
    for (const a of savingsAccounts) {
      if (a.current_balance !== null) {
        balance += toCents(a.current_balance);
        known = true;
      }
    }
    const start = balance - inflow;
    return {
      net_inflow: toMajor(inflow, ctx.currency),
      growth_rate: known && start > 0 ? ratio(inflow / start) : null,
      emergency_fund_coverage: known && monthlySpend > 0 ? ratio(balance / monthlySpend, 2) : null,
      source: 'bank',
      balance: known ? toMajor(balance, ctx.currency) : null,
      months_with_savings: months.size,
    };
  }
  let inflow = 0;
  let any = false;
  const months = new Set<string>();
  for (const c of charges) {
    if (c.categoryKind !== 'savings' || c.category === null || NOT_SAVINGS_BALANCE.has(c.category) || c.baseCents === null) continue;
    if (!inWindow(c.day, w)) continue;
    inflow += c.baseCents;
    any = true;
    months.add(monthOf(c.date));
  }
  if (!any) return null;
  return {
    net_inflow: toMajor(inflow, ctx.currency),
    growth_rate: null,
    emergency_fund_coverage: null,
    source: 'savings_categories',
    balance: null,
    months_with_savings: months.size,
  };
}

// ── credit ──────────────────────────────────────────────────────────────────

export function creditAccounts(accounts: readonly BankAccountInput[], ctx: Context): BankAccountInput[] {
  return accounts.filter(
    (a) =>
      a.type === 'credit' &&
      a.credit_limit !== null &&
      toCents(a.credit_limit) > 0 &&
      a.current_balance !== null &&
      (a.currency ?? ctx.currency) === ctx.currency,
  );
}

export function creditSignal(
  accounts: readonly BankAccountInput[],
  lines: readonly BankTransactionInput[],
  w: Window,
  ctx: Context,
): (CreditSignal & { readonly interest_charged: number }) | null {
  const cards = creditAccounts(accounts, ctx).sort((a, b) => (a.id < b.id ? -1 : 1));
  if (cards.length === 0) return null;
  let totalBalance = 0;
  let totalLimit = 0;
  const states: CreditCardState[] = [];
  const atRisk: string[] = [];
  let minimumOnly = false;
  let interest = 0;
  for (const card of cards) {
    const balance = Math.max(0, toCents(card.current_balance));
    const limit = toCents(card.credit_limit);
    totalBalance += balance;
    totalLimit += limit;
    const utilization = balance / limit;
    states.push({
      account_id: card.id,
      name: card.name,
      balance: toMajor(balance, ctx.currency),
      limit: toMajor(limit, ctx.currency),
      utilization: ratio(utilization),
    });
    if (utilization >= ctx.thresholds.credit_card_at_risk) atRisk.push(card.id);
    const payments: number[] = [];
    for (const t of lines) {
      if (t.account_id !== card.id || t.pending || !inWindow(dayNumber(t.date), w)) continue;
      const cents = toCents(t.amount);
      if (t.kind === 'interest' && cents > 0) interest += cents;
      if ((t.kind === 'card_payment' || t.kind === 'transfer') && cents < 0) payments.push(-cents);
    }
    const minimum = Math.round(balance * MINIMUM_PAYMENT_SHARE);
    if (balance > 0 && payments.length > 0 && payments.every((p) => p <= minimum * 1.1)) minimumOnly = true;
  }
  return {
    utilization_rate: ratio(totalBalance / totalLimit),
    cards_at_risk: atRisk,
    minimum_payment_only: minimumOnly,
    cards: states,
    interest_charged: toMajor(interest, ctx.currency),
  };
}

// ── income ──────────────────────────────────────────────────────────────────

export function incomeItems(lines: readonly BankTransactionInput[], ctx: Context): Recurrable[] {
  const items: Recurrable[] = [];
  for (const t of lines) {
    if (t.kind !== 'income' || t.pending || (t.currency ?? ctx.currency) !== ctx.currency) continue;
    const cents = -toCents(t.amount);
    if (cents <= 0) continue;
    items.push({
      id: t.id,
      source: 'bank',
      day: dayNumber(t.date),
      cents,
      currency: ctx.currency,
      baseCents: cents,
      description: t.description,
      merchantName: t.merchant_name ?? null,
      category: 'income',
    });
  }
  return items.sort((a, b) => a.day - b.day || (a.id < b.id ? -1 : 1));
}

/** Complete calendar months before today's month that start inside the 180-day window, oldest first. */
export function completeMonths(ctx: Context): string[] {
  const first = monthOf(fromDayNumber(ctx.todayDay - 179));
  const current = monthOf(ctx.today);
  const months: string[] = [];
  for (let m = plusMonths(first, 1); m < current; m = plusMonths(m, 1)) months.push(m);
  if (first >= fromDayNumber(ctx.todayDay - 179)) months.unshift(first);
  return months;
}

export function incomeSignal(
  lines: readonly BankTransactionInput[],
  accounts: readonly BankAccountInput[],
  budgets: readonly BudgetInput[],
  charges: readonly Charge[],
  w: Window,
  ctx: Context,
): (IncomeSignal & { readonly months: readonly { readonly month: string; readonly amount: number }[] }) | null {
  const spendWindow = windowOf(ctx, 180);
  const monthlySpend = monthlySpendingCents(charges, spendWindow);
  const months = completeMonths(ctx);
  const items = incomeItems(lines, ctx).filter((i) => i.day <= ctx.todayDay && i.day > ctx.todayDay - 180);
  if (items.length > 0) {
    const totals = new Map<string, number>();
    for (const i of items) {
      const m = monthOf(fromDayNumber(i.day));
      totals.set(m, (totals.get(m) ?? 0) + i.cents);
    }
    const firstMonth = monthOf(fromDayNumber(items[0]!.day));
    const counted = months.filter((m) => m >= firstMonth);
    const series = counted.map((m) => totals.get(m) ?? 0);
    const cv = coefficientOfVariation(series);
    const detected = detectSeries(items, ctx.todayDay, ctx.currency, {
      ...ctx.thresholds,
      recurrence_amount_tolerance: Math.max(ctx.thresholds.recurrence_amount_tolerance, 0.25),
    });
    const main = [...detected].sort(
      (a, b) => toCents(b.series.monthly_amount) - toCents(a.series.monthly_amount) || (a.series.key < b.series.key ? -1 : 1),
    )[0];
    const missed: MissedPaycheck[] = [];
    if (main) {
      const cadence = main.series.cadence;
      const grace = graceDays(cadence, ctx.thresholds.recurrence_gap_tolerance);
      for (let k = 1; k < main.items.length; k++) {
        const prev = main.items[k - 1]!;
        let expected = nextExpected(prev.day, cadence);
        while (main.items[k]!.day > expected + grace) {
          missed.push({ expected_date: fromDayNumber(expected), source: main.series.merchant });
          expected = nextExpected(expected, cadence);
        }
      }
      let expected = nextExpected(main.items[main.items.length - 1]!.day, cadence);
      while (ctx.todayDay > expected + grace && missed.length < 12) {
        missed.push({ expected_date: fromDayNumber(expected), source: main.series.merchant });
        expected = nextExpected(expected, cadence);
      }
    }
    let liquid = 0;
    let liquidKnown = false;
    for (const a of accounts) {
      if (a.type !== 'depository' || a.current_balance === null || (a.currency ?? ctx.currency) !== ctx.currency) continue;
      if (a.subtype !== null && !LIQUID_SUBTYPES.has(a.subtype.toLowerCase())) continue;
      liquid += toCents(a.current_balance);
      liquidKnown = true;
    }
    const windowIncome = items.filter((i) => inWindow(i.day, w)).reduce((s, i) => s + i.cents, 0);
    const monthlyIncome = w.days === 30 ? windowIncome : median(series.length ? series : [windowIncome]);
    return {
      stability_score: ratio(clamp(1 - cv, 0, 1), 2),
      cash_flow_buffer: liquidKnown && monthlySpend > 0 ? ratio(Math.max(0, liquid) / monthlySpend, 2) : null,
      variable_income: cv > ctx.thresholds.variable_income_cv,
      monthly_income: toMajor(Math.round(monthlyIncome), ctx.currency),
      pay_cadence: main ? main.series.cadence : 'irregular',
      missed_paychecks: missed,
      source: 'bank',
      months: counted.map((m) => ({ month: m, amount: toMajor(totals.get(m) ?? 0, ctx.currency) })),
    };
  }
  const windowStart = monthOf(fromDayNumber(w.from));
  const withIncome = budgets
    .filter((b) => b.type === 'master' && b.month_period >= windowStart && b.month_period <= ctx.today && toCents(b.total_income) > 0)
    .sort((a, b) => (a.month_period < b.month_period ? -1 : 1));
  if (withIncome.length === 0) return null;
  const incomes = withIncome.map((b) => toCents(b.total_income));
  const stabilityBudgets = budgets
    .filter((b) => b.type === 'master' && months.includes(b.month_period) && toCents(b.total_income) > 0)
    .map((b) => toCents(b.total_income));
  const cv = coefficientOfVariation(stabilityBudgets.length ? stabilityBudgets : incomes);
  let surplus = 0;
  for (const b of withIncome) surplus += toCents(b.total_income) - toCents(b.total_spent);
  return {
    stability_score: ratio(clamp(1 - cv, 0, 1), 2),
    cash_flow_buffer: monthlySpend > 0 ? ratio(Math.max(0, surplus) / monthlySpend, 2) : null,
    variable_income: cv > ctx.thresholds.variable_income_cv,
    monthly_income: toMajor(Math.round(median(incomes)), ctx.currency),
    pay_cadence: null,
    missed_paychecks: [],
    source: 'budgets',
    months: withIncome.map((b) => ({ month: b.month_period, amount: toMajor(toCents(b.total_income), ctx.currency) })),
  };
}

// ── category trends ─────────────────────────────────────────────────────────

/** 30 days: the last 30 against the 30 before; 180 days: the last 90 against the 90 before. */
export function trendPeriods(
  ctx: Context,
  days: 30 | 180,
): { current: { from: number; to: number }; previous: { from: number; to: number } } {
  const half = days === 30 ? 30 : 90;
  const to = ctx.todayDay + 1;
  return { current: { from: to - half, to }, previous: { from: to - 2 * half, to: to - half } };
}

export function categoryTrends(charges: readonly Charge[], ctx: Context, days: 30 | 180): CategoryTrendsSignal | null {
  const { current, previous } = trendPeriods(ctx, days);
  const cur = new Map<string, number>();
  const prev = new Map<string, number>();
  let totalCur = 0;
  let totalPrev = 0;
  for (const c of charges) {
    if (c.category === null || c.baseCents === null || !isSpending(c)) continue;
    if (inWindow(c.day, current)) {
      cur.set(c.category, (cur.get(c.category) ?? 0) + c.baseCents);
      totalCur += c.baseCents;
    } else if (inWindow(c.day, previous)) {
      prev.set(c.category, (prev.get(c.category) ?? 0) + c.baseCents);
      totalPrev += c.baseCents;
    }
  }
  if (totalCur === 0 && totalPrev === 0) return null;
  const keys = [...new Set([...cur.keys(), ...prev.keys()])].sort();
  const min = ctx.thresholds.trend_min_change;
  const categories: CategoryTrend[] = keys.map((category) => {
    const c = cur.get(category) ?? 0;
    const p = prev.get(category) ?? 0;
    const change = p > 0 ? ratio((c - p) / p) : null;
    const direction: CategoryTrend['direction'] = p === 0 ? 'new' : change! >= min ? 'up' : change! <= -min ? 'down' : 'flat';
    return { category, current: toMajor(c, ctx.currency), previous: toMajor(p, ctx.currency), change, direction };
  });
  categories.sort((a, b) => Math.abs(b.current - b.previous) - Math.abs(a.current - a.previous) || (a.category < b.category ? -1 : 1));
  return {
    current_period: { from: fromDayNumber(current.from), to: fromDayNumber(current.to) },
    previous_period: { from: fromDayNumber(previous.from), to: fromDayNumber(previous.to) },
    total_current: toMajor(totalCur, ctx.currency),
    total_previous: toMajor(totalPrev, ctx.currency),
    categories,
  };
}

// ── anomalies ───────────────────────────────────────────────────────────────

/** The smallest amount worth calling unusual: twice the space's median expense (currency-free: it scales with the space's own amounts). */
export function anomalyMinimumCents(baseline: readonly Charge[]): number {
  return Math.round(2 * median(baseline.map((c) => c.baseCents ?? 0)));
}

/** Expenses the anomaly rule compares: spending expenses of the last 180 days that are not part of a recurring series. */
export function anomalyBaseline(charges: readonly Charge[], recurringIds: ReadonlySet<string>, ctx: Context): Charge[] {
  const w = windowOf(ctx, 180);
  return charges.filter(
    (c) =>
      c.source === 'expense' &&
      c.category !== null &&
      c.baseCents !== null &&
      isSpending(c) &&
      inWindow(c.day, w) &&
      !recurringIds.has(c.id),
  );
}

export interface CategorySpread {
  readonly median: number;
  readonly mad: number;
  readonly scale: number;
  readonly count: number;
}

export function categorySpread(rows: readonly Charge[]): CategorySpread {
  const amounts = rows.map((c) => c.baseCents ?? 0);
  const m = median(amounts);
  const d = mad(amounts, m);
  return { median: m, mad: d, scale: d > 0 ? MAD_TO_SIGMA * d : 0.1 * m, count: amounts.length };
}

export function anomaliesSignal(
  baseline: readonly Charge[],
  w: Window,
  ctx: Context,
  minimumCents = anomalyMinimumCents(baseline),
): AnomaliesSignal | null {
  if (baseline.length === 0) return null;
  const byCategory = new Map<string, Charge[]>();
  for (const c of baseline) {
    const list = byCategory.get(c.category!) ?? [];
    list.push(c);
    byCategory.set(c.category!, list);
  }
  const anomalies: Anomaly[] = [];
  for (const [category, rows] of byCategory) {
    if (rows.length < ctx.thresholds.anomaly_min_category_size) continue;
    const spread = categorySpread(rows);
    if (spread.scale <= 0) continue;
    for (const c of rows) {
      if (!inWindow(c.day, w) || c.baseCents! < minimumCents) continue;
      const score = (c.baseCents! - spread.median) / spread.scale;
      if (score < ctx.thresholds.anomaly_robust_z) continue;
      anomalies.push({
        expense_id: c.id,
        date: c.date,
        category,
        description: c.description,
        amount: toMajor(c.baseCents!, ctx.currency),
        category_median: toMajor(Math.round(spread.median), ctx.currency),
        category_mad: toMajor(Math.round(spread.mad), ctx.currency),
        score: ratio(score, 2),
      });
    }
  }
  anomalies.sort((a, b) => b.score - a.score || (a.expense_id < b.expense_id ? -1 : 1));
  return { min_amount: toMajor(minimumCents, ctx.currency), anomalies: anomalies.slice(0, MAX_ANOMALIES) };
}

// ── budget pacing ───────────────────────────────────────────────────────────

export function currentMasterBudget(budgets: readonly BudgetInput[], ctx: Context): BudgetInput | null {
  const month = monthOf(ctx.today);
  return budgets.find((b) => b.type === 'master' && b.month_period === month) ?? null;
}

/**
 * Month to date against the current master budget. The projection adds to
 * what is spent the recurring charges still expected this month and the
 * rest of the spending at its pace so far, so a rent paid on the 1st is not
 * projected thirty times.
 */
export function budgetPacing(
  budget: BudgetInput,
  items: readonly BudgetItemInput[],
  series: readonly DetectedSeries[],
  ctx: Context,
): (BudgetPacingSignal & { readonly recurring_expected: number }) | null {
  const own = items.filter((i) => i.budget_id === budget.id && i.category_type !== 'income');
  let budgeted = 0;
  let spent = 0;
  for (const i of own) {
    budgeted += toCents(i.budgeted_amount);
    spent += toCents(i.spent_amount);
  }
  if (budgeted === 0) return null;
  const month = budget.month_period;
  const dim = daysInMonthOf(month);
  const monthStart = dayNumber(month);
  const monthEnd = monthStart + dim;
  const elapsed = ctx.todayDay - monthStart + 1;
  if (elapsed < 1 || elapsed > dim) return null;
  let recurringSoFar = 0;
  let recurringExpected = 0;
  const byCategorySoFar = new Map<string, number>();
  const byCategoryExpected = new Map<string, number>();
  for (const s of series) {
    if (s.series.status === 'ended') continue;
    for (const it of s.items) {
      if (it.day >= monthStart && it.day <= ctx.todayDay && it.baseCents !== null) {
        recurringSoFar += it.baseCents;
        if (it.category) byCategorySoFar.set(it.category, (byCategorySoFar.get(it.category) ?? 0) + it.baseCents);
      }
    }
    const typical = toCents(s.series.monthly_amount) / PER_MONTH[s.series.cadence];
    for (let next = dayNumber(s.series.next_expected_date); next < monthEnd; next = nextExpected(next, s.series.cadence)) {
      if (next <= ctx.todayDay) continue;
      recurringExpected += typical;
      if (s.series.category) byCategoryExpected.set(s.series.category, (byCategoryExpected.get(s.series.category) ?? 0) + typical);
    }
  }
  const project = (spentCents: number, soFar: number, expected: number): number => {
    const variable = Math.max(0, spentCents - soFar);
    return spentCents + expected + (variable / elapsed) * (dim - elapsed);
  };
  const projected = project(spent, recurringSoFar, recurringExpected);
  const over: CategoryPacing[] = [];
  for (const i of [...own].sort((a, b) => (a.category < b.category ? -1 : 1))) {
    const b = toCents(i.budgeted_amount);
    const s = toCents(i.spent_amount);
    const p = project(s, byCategorySoFar.get(i.category) ?? 0, byCategoryExpected.get(i.category) ?? 0);
    if (b > 0 ? p >= b * ctx.thresholds.pacing_over_ratio || s > b : s > 0) {
      over.push({
        category: i.category,
        budgeted: toMajor(b, ctx.currency),
        spent: toMajor(s, ctx.currency),
        projected: toMajor(Math.round(p), ctx.currency),
      });
    }
  }
  const left = dim - elapsed + 1;
  return {
    budget_id: budget.id,
    month,
    days_elapsed: elapsed,
    days_in_month: dim,
    budgeted: toMajor(budgeted, ctx.currency),
    spent_to_date: toMajor(spent, ctx.currency),
    daily_allowance: toMajor(Math.max(0, Math.round((budgeted - spent) / left)), ctx.currency),
    projected_month_end: toMajor(Math.round(projected), ctx.currency),
    pace_ratio: ratio(spent / ((budgeted * elapsed) / dim), 2),
    over_budget_categories: over,
    recurring_expected: toMajor(Math.round(recurringExpected), ctx.currency),
  };
}

// ── who pays for what ───────────────────────────────────────────────────────

/**
 * What each person paid (expenses they recorded) against what their split
 * shares say they owe, in the space's currency. An expense without splits is
 * the payer's alone; with splits, each part converts at the expense's own
 * rate and the payer keeps the rest.
 */
export function payersSignal(
  charges: readonly Charge[],
  splits: readonly SplitInput[],
  members: readonly MemberInput[],
  w: Window,
  ctx: Context,
): PayersSignal | null {
  const people = members.filter((m) => m.is_active);
  if (people.length < 2) return null;
  const splitsBy = new Map<string, SplitInput[]>();
  for (const s of splits) {
    const list = splitsBy.get(s.expense_id) ?? [];
    list.push(s);
    splitsBy.set(s.expense_id, list);
  }
  const paid = new Map<string, number>();
  const share = new Map<string, number>();
  const cats = new Map<string, Map<string, number>>();
  let total = 0;
  for (const c of charges) {
    if (c.source !== 'expense' || c.payer === null || c.baseCents === null || !inWindow(c.day, w) || !isSpending(c)) continue;
    total += c.baseCents;
    paid.set(c.payer, (paid.get(c.payer) ?? 0) + c.baseCents);
    const perCat = cats.get(c.payer) ?? new Map<string, number>();
    perCat.set(c.category ?? 'other', (perCat.get(c.category ?? 'other') ?? 0) + c.baseCents);
    cats.set(c.payer, perCat);
    let rest = c.baseCents;
    for (const s of splitsBy.get(c.id) ?? []) {
      if (s.user_id === null || s.user_id === c.payer) continue;
      const part = c.cents > 0 ? Math.round((toCents(s.amount) * c.baseCents) / c.cents) : 0;
      share.set(s.user_id, (share.get(s.user_id) ?? 0) + part);
      rest -= part;
    }
    share.set(c.payer, (share.get(c.payer) ?? 0) + rest);
  }
  if (total === 0) return null;
  const ids = [...new Set([...people.map((m) => m.user_id), ...paid.keys(), ...share.keys()])].sort();
  const names = new Map(members.map((m) => [m.user_id, m.display_name ?? null]));
  const rows: PayerShare[] = ids.map((id) => {
    const p = paid.get(id) ?? 0;
    const s = share.get(id) ?? 0;
    const top = [...(cats.get(id) ?? new Map<string, number>()).entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 3)
      .map(([k]) => k);
    return {
      user_id: id,
      display_name: names.get(id) ?? null,
      paid: toMajor(p, ctx.currency),
      share: toMajor(s, ctx.currency),
      paid_ratio: ratio(p / total),
      share_ratio: ratio(s / total),
      difference: toMajor(p - s, ctx.currency),
      top_categories: top,
    };
  });
  return { total: toMajor(total, ctx.currency), members: rows };
}
