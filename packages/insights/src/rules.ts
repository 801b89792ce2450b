/**
 * The insight rules. Each rule finds its subjects in the space's analysis,
 * names the rows its figures come from, measures the figures from exactly
 * those rows (the same function a replay runs), and presents them as template
 * text with a priority, a confidence and an expiry.
 */
import { DEFAULT_CATEGORIES, type InsightPriority, type InsightType } from '@wallai/domain';
import { analyse, signalsOf, type Analysis } from './analysis.ts';
import { holds, pathOf, valueAt } from './conditions.ts';
import { dayNumber, fromDayNumber, monthOf, plusMonths } from './dates.ts';
import { chargesOf, type Context } from './model.ts';
import { MerchantResolver } from './merchant.ts';
import { formatMajor, ratio, toCents, toMajor } from './money.ts';
import { cadenceOf, detectSeries, PER_MONTH, priceChanges, type DetectedSeries, type Recurrable } from './recurring.ts';
import {
  budgetPacing,
  categorySpread,
  categoryTrends,
  creditAccounts,
  creditSignal,
  currentMasterBudget,
  incomeItems,
  incomeSignal,
  isSavingsAccount,
  payersSignal,
  savingsSignal,
  trendPeriods,
  windowOf,
} from './signals.ts';
import { RowSet } from './trace-rows.ts';
import type {
  ContentItem,
  InsightData,
  InsightsInput,
  IsoDay,
  PartnerOffer,
  PersonaAssignment,
  RecommendationLogic,
  RecommendationPayload,
  Signals,
  Thresholds,
  TraceInputs,
} from './types.ts';

export type Offer = PartnerOffer & { readonly eligibility: readonly string[] };

export interface Library {
  readonly content: readonly ContentItem[];
  readonly offers: readonly Offer[];
}

export interface Finding {
  readonly subject: string;
  readonly period: IsoDay;
  readonly inputs: TraceInputs;
  /** Values the rule derived from the whole space and used as thresholds (e.g. the anomaly floor). */
  readonly derived?: Readonly<Record<string, number | string | boolean>>;
  readonly detected: Readonly<Record<string, unknown>>;
  readonly logic?: RecommendationLogic;
  readonly eligibility?: { readonly ok: boolean; readonly reasons: readonly string[] };
}

export interface MeasureArgs {
  /** The input restricted to the finding's rows. */
  readonly input: InsightsInput;
  readonly ctx: Context;
  readonly subject: string;
  readonly derived: Readonly<Record<string, number | string | boolean>>;
  readonly library: Library;
  /** Per-run memo for measures that several findings share (the recommendations' signals). */
  readonly memo?: Map<string, unknown>;
  /** While generating: the whole input and its 180-day signals (a replay has none). */
  readonly whole?: WholeSpace;
}

export interface WholeSpace {
  readonly input: InsightsInput;
  readonly signals180: Signals;
}

export interface Presented {
  readonly title: string;
  readonly description: string;
  readonly priority: InsightPriority;
  readonly confidence: number;
  /** Calendar day (space zone) at whose midnight the insight expires. */
  readonly expires: IsoDay;
  readonly material: string;
  readonly recommendation?: RecommendationPayload;
}

export interface Rule {
  readonly id: string;
  readonly version: number;
  readonly type: InsightType;
  readonly window: 30 | 180;
  readonly thresholds: readonly (keyof Thresholds)[];
  find(a: Analysis, s30: Signals, s180: Signals, persona: PersonaAssignment, library: Library): Finding[];
  measure(m: MeasureArgs): InsightData | null;
  present(data: InsightData, ctx: Context, library: Library): Presented;
}

// ── helpers ─────────────────────────────────────────────────────────────────

const LABELS = new Map<string, string>(DEFAULT_CATEGORIES.map((c) => [c.key, c.label]));

export function categoryLabel(key: string): string {
  return LABELS.get(key) ?? key.replace(/_/g, ' ').replace(/^\p{L}/u, (c) => c.toUpperCase());
}

function money(value: number, currency: string): string {
  return `${formatMajor(value, currency)} ${currency}`;
}

function pct(r: number): string {
  return `${Math.round(Math.abs(r) * 100)} %`;
}

function num(d: InsightData, key: string): number {
  const v = d[key];
  return typeof v === 'number' ? v : 0;
}

function str(d: InsightData, key: string): string {
  const v = d[key];
  return typeof v === 'string' ? v : '';
}

function currentPeriod(ctx: Context): IsoDay {
  return monthOf(ctx.today);
}

function plusDaysDay(ctx: Context, days: number): IsoDay {
  return fromDayNumber(ctx.todayDay + days);
}

function seriesRows(rows: RowSet, series: readonly DetectedSeries[]): RowSet {
  for (const s of series) {
    for (const id of s.series.expense_ids) rows.expense.add(id);
    for (const id of s.series.bank_transaction_ids) rows.bankTransaction.add(id);
  }
  return rows;
}

function recurrablesOf(input: InsightsInput, ctx: Context): Recurrable[] {
  return chargesOf(input, ctx).filter((c) => c.day <= ctx.todayDay);
}

const CADENCE_WORD: Record<string, string> = {
  weekly: 'weekly',
  biweekly: 'fortnightly',
  monthly: 'monthly',
  quarterly: 'quarterly',
  annual: 'yearly',
};
const CADENCE_EVERY: Record<string, string> = {
  weekly: 'every week',
  biweekly: 'every two weeks',
  monthly: 'every month',
  quarterly: 'every quarter',
  annual: 'every year',
};

// ── trend: category period over period ──────────────────────────────────────

const TREND_MAX = 3;

const trendRule: Rule = {
  id: 'trend.category_change',
  version: 1,
  type: 'trend',
  window: 30,
  thresholds: ['trend_min_change'],
  find(a, s30) {
    const trends = s30.category_trends;
    if (!trends) return [];
    const floor = Math.max(toCents(trends.total_current), toCents(trends.total_previous)) * 0.05;
    const { current, previous } = trendPeriods(a.ctx, 30);
    return trends.categories
      .filter((t) => (t.direction === 'up' || t.direction === 'down') && Math.abs(toCents(t.current) - toCents(t.previous)) >= floor)
      .slice(0, TREND_MAX)
      .map((t) => {
        const rows = new RowSet();
        for (const c of a.charges) {
          if (c.category === t.category && c.source === 'expense' && c.day >= previous.from && c.day < current.to) rows.expense.add(c.id);
        }
        return {
          subject: t.category,
          period: currentPeriod(a.ctx),
          inputs: rows.toInputs(a.input),
          detected: { category_trends: { current_period: trends.current_period, previous_period: trends.previous_period, category: t } },
        };
      });
  },
  measure({ input, ctx, subject }) {
    const trends = categoryTrends(chargesOf(input, ctx), ctx, 30);
    const t = trends?.categories.find((c) => c.category === subject);
    if (!trends || !t || t.change === null) return null;
    return {
      category: subject,
      current: t.current,
      previous: t.previous,
      change: t.change,
      change_pct: Math.round(t.change * 100),
      difference: toMajor(toCents(t.current) - toCents(t.previous), ctx.currency),
      direction: t.direction,
      current_from: trends.current_period.from,
      previous_from: trends.previous_period.from,
      days: 30,
      currency: ctx.currency,
    };
  },
  present(d, ctx) {
    const label = categoryLabel(str(d, 'category'));
    const up = str(d, 'direction') === 'up';
    const change = num(d, 'change');
    return {
      title: `${label} spending ${up ? 'up' : 'down'} ${pct(change)} on the previous 30 days`,
      description: `${label} came to ${money(num(d, 'current'), ctx.currency)} in the last 30 days, against ${money(num(d, 'previous'), ctx.currency)} in the 30 days before.`,
      priority: up && change >= 0.75 ? 'medium' : 'low',
      confidence: 0.8,
      expires: plusDaysDay(ctx, 30),
      material: `${str(d, 'direction')}:${Math.round(change * 10)}`,
    };
  },
};

// ── anomaly: unusual expense for its category ───────────────────────────────

const ANOMALY_MAX = 3;

const anomalyRule: Rule = {
  id: 'anomaly.unusual_expense',
  version: 1,
  type: 'anomaly',
  window: 30,
  thresholds: ['anomaly_robust_z', 'anomaly_min_category_size'],
  find(a, s30) {
    const found = s30.anomalies;
    if (!found) return [];
    return found.anomalies.slice(0, ANOMALY_MAX).map((an) => {
      const rows = new RowSet();
      for (const c of a.baseline) if (c.category === an.category) rows.expense.add(c.id);
      return {
        subject: an.expense_id,
        period: monthOf(an.date),
        inputs: rows.toInputs(a.input),
        derived: { anomaly_min_amount: found.min_amount },
        detected: { anomalies: { min_amount: found.min_amount, anomaly: an } },
      };
    });
  },
  measure({ input, ctx, subject, derived }) {
    const charges = chargesOf(input, ctx);
    const target = charges.find((c) => c.id === subject);
    if (!target || target.category === null || target.baseCents === null) return null;
    const rows = charges.filter((c) => c.category === target.category);
    if (rows.length < ctx.thresholds.anomaly_min_category_size) return null;
    const spread = categorySpread(rows);
    if (spread.scale <= 0) return null;
    const score = (target.baseCents - spread.median) / spread.scale;
    const min = toCents(Number(derived.anomaly_min_amount ?? 0));
    return {
      expense_id: subject,
      category: target.category,
      date: target.date,
      amount: toMajor(target.baseCents, ctx.currency),
      category_median: toMajor(Math.round(spread.median), ctx.currency),
      category_mad: toMajor(Math.round(spread.mad), ctx.currency),
      score: ratio(score, 2),
      times_median: spread.median > 0 ? ratio(target.baseCents / spread.median, 1) : 0,
      baseline_count: spread.count,
      above_minimum: target.baseCents >= min,
      currency: ctx.currency,
    };
  },
  present(d, ctx) {
    const label = categoryLabel(str(d, 'category'));
    const score = num(d, 'score');
    return {
      title: `An unusual ${label.toLowerCase()} expense of ${money(num(d, 'amount'), ctx.currency)}`,
      description: `On ${str(d, 'date')}, a ${label.toLowerCase()} expense of ${money(num(d, 'amount'), ctx.currency)} was about ${num(d, 'times_median')} times the category’s typical ${money(num(d, 'category_median'), ctx.currency)}. If it was planned, there is nothing more to it.`,
      priority: score >= 8 ? 'high' : score >= 5 ? 'medium' : 'low',
      confidence: ratio(Math.min(0.95, 0.5 + 0.03 * num(d, 'baseline_count')), 2),
      expires: plusDaysDay(ctx, 30),
      material: `${toCents(num(d, 'amount'))}`,
    };
  },
};

// ── trend: a subscription changed its price ─────────────────────────────────

const PRICE_CHANGE_RECENT_DAYS = 90;

const priceChangeRule: Rule = {
  id: 'subscription.price_change',
  version: 1,
  type: 'trend',
  window: 180,
  thresholds: ['recurrence_gap_tolerance', 'recurrence_amount_tolerance', 'recurrence_min_occurrences'],
  find(a) {
    const out: Finding[] = [];
    for (const s of a.series) {
      const last = s.series.price_changes[s.series.price_changes.length - 1];
      if (!last || s.series.status === 'ended' || dayNumber(last.date) < a.ctx.todayDay - PRICE_CHANGE_RECENT_DAYS) continue;
      out.push({
        subject: s.series.key,
        period: monthOf(last.date),
        inputs: seriesRows(new RowSet(), [s]).toInputs(a.input),
        detected: { subscriptions: { series: s.series } },
      });
    }
    return out;
  },
  measure({ input, ctx, subject }) {
    const items = recurrablesOf(input, ctx);
    if (items.length < 2) return null;
    const gaps = items.slice(1).map((it, i) => it.day - items[i]!.day);
    const sortedGaps = [...gaps].sort((x, y) => x - y);
    const mid = sortedGaps.length >> 1;
    const medianGap = sortedGaps.length % 2 ? sortedGaps[mid]! : (sortedGaps[mid - 1]! + sortedGaps[mid]!) / 2;
    const cadence = cadenceOf(medianGap, ctx.thresholds.recurrence_gap_tolerance);
    const currency = items[0]!.currency;
    const changes = priceChanges(items, currency, ctx.thresholds.recurrence_amount_tolerance);
    const last = changes[changes.length - 1];
    if (!cadence || !last) return null;
    const after = items.filter((i) => i.day >= dayNumber(last.date));
    const base = after[after.length - 1]!.baseCents ?? 0;
    const before = items.filter((i) => i.day < dayNumber(last.date));
    const baseBefore = before[before.length - 1]?.baseCents ?? 0;
    const first = items[0]!;
    return {
      series: subject,
      merchant: new MerchantResolver().resolve(first.description, first.merchantName).name,
      cadence,
      from: last.from,
      to: last.to,
      label: last.label,
      change: ratio((last.to - last.from) / last.from),
      date: last.date,
      monthly_impact: toMajor(Math.round((base - baseBefore) * PER_MONTH[cadence]), ctx.currency),
      currency,
      space_currency: ctx.currency,
    };
  },
  present(d, ctx) {
    const up = num(d, 'to') > num(d, 'from');
    const currency = str(d, 'currency');
    return {
      title: `${str(d, 'merchant')} now charges ${money(num(d, 'to'), currency)} instead of ${money(num(d, 'from'), currency)}`,
      description: `The ${CADENCE_WORD[str(d, 'cadence')] ?? str(d, 'cadence')} ${str(d, 'merchant')} charge changed from ${formatMajor(num(d, 'from'), currency)} to ${formatMajor(num(d, 'to'), currency)} ${currency} on ${str(d, 'date')}, about ${money(Math.abs(num(d, 'monthly_impact')), ctx.currency)} a month ${up ? 'more' : 'less'}.`,
      priority: up ? 'medium' : 'low',
      confidence: 0.9,
      expires: fromDayNumber(dayNumber(str(d, 'date')) + 60 > ctx.todayDay ? dayNumber(str(d, 'date')) + 60 : ctx.todayDay + 7),
      material: `${toCents(num(d, 'to'))}`,
    };
  },
};

// ── prediction: where the month's budget is heading ─────────────────────────

const monthEndRule: Rule = {
  id: 'prediction.month_end',
  version: 1,
  type: 'prediction',
  window: 30,
  thresholds: ['pacing_over_ratio', 'recurrence_gap_tolerance', 'recurrence_amount_tolerance', 'recurrence_min_occurrences'],
  find(a, s30) {
    const pacing = s30.budget_pacing;
    const budget = currentMasterBudget(a.input.budgets, a.ctx);
    if (!pacing || !budget) return [];
    const rows = new RowSet();
    rows.budget.add(budget.id);
    for (const i of a.input.budget_items) if (i.budget_id === budget.id) rows.budgetItem.add(i.id);
    seriesRows(
      rows,
      a.series.filter((s) => s.series.status !== 'ended'),
    );
    return [{ subject: budget.id, period: budget.month_period, inputs: rows.toInputs(a.input), detected: { budget_pacing: pacing } }];
  },
  measure({ input, ctx, subject }) {
    const budget = input.budgets.find((b) => b.id === subject);
    if (!budget) return null;
    const series = detectSeries(recurrablesOf(input, ctx), ctx.todayDay, ctx.currency, ctx.thresholds);
    const p = budgetPacing(budget, input.budget_items, series, ctx);
    if (!p) return null;
    return {
      budget_id: subject,
      month: p.month,
      budgeted: p.budgeted,
      spent_to_date: p.spent_to_date,
      projected_month_end: p.projected_month_end,
      projected_ratio: ratio(toCents(p.projected_month_end) / toCents(p.budgeted), 2),
      daily_allowance: p.daily_allowance,
      over_by: toMajor(Math.max(0, toCents(p.spent_to_date) - toCents(p.budgeted)), ctx.currency),
      days_left: p.days_in_month - p.days_elapsed + 1,
      days_elapsed: p.days_elapsed,
      recurring_expected: p.recurring_expected,
      over_categories: p.over_budget_categories.map((c) => c.category),
      currency: ctx.currency,
    };
  },
  present(d, ctx) {
    const r = num(d, 'projected_ratio');
    const over = r >= ctx.thresholds.pacing_over_ratio;
    const title = over
      ? `On pace for ${money(num(d, 'projected_month_end'), ctx.currency)} of a ${money(num(d, 'budgeted'), ctx.currency)} budget this month`
      : `On track: about ${money(num(d, 'projected_month_end'), ctx.currency)} of a ${money(num(d, 'budgeted'), ctx.currency)} budget this month`;
    const spentOver = num(d, 'over_by') > 0;
    const description = spentOver
      ? `${money(num(d, 'spent_to_date'), ctx.currency)} is spent with ${num(d, 'days_left')} days to go, ${money(num(d, 'over_by'), ctx.currency)} past the plan already. Moving money from another category, or adjusting the plan, keeps the budget a true picture of the month.`
      : over
        ? `${money(num(d, 'spent_to_date'), ctx.currency)} is spent with ${num(d, 'days_left')} days to go. Around ${money(num(d, 'daily_allowance'), ctx.currency)} a day from here would keep the month within the plan.`
        : `${money(num(d, 'spent_to_date'), ctx.currency)} is spent with ${num(d, 'days_left')} days to go, and ${money(num(d, 'daily_allowance'), ctx.currency)} a day is left in the plan.`;
    const nextMonth = plusMonths(str(d, 'month'), 1);
    return {
      title,
      description,
      priority: r >= 1.25 ? 'high' : over ? 'medium' : 'low',
      confidence: ratio(0.4 + (0.55 * num(d, 'days_elapsed')) / (num(d, 'days_elapsed') + num(d, 'days_left') - 1), 2),
      expires: nextMonth,
      material: `${over ? 'over' : 'under'}:${Math.round(r * 20)}`,
    };
  },
};

// ── goal: savings cover and progress ────────────────────────────────────────

const EMERGENCY_TARGET_MONTHS = 3;

function savingsRows(a: Analysis, w: ReturnType<typeof windowOf>): RowSet {
  const rows = new RowSet();
  const accounts = (a.input.bank_accounts ?? []).filter(isSavingsAccount);
  for (const acc of accounts) rows.bankAccount.add(acc.id);
  const ids = new Set(accounts.map((x) => x.id));
  for (const t of a.input.bank_transactions ?? []) if (ids.has(t.account_id)) rows.bankTransaction.add(t.id);
  rows.addRange(a.input, w.from, w.to);
  return rows;
}

const savingsGoalRule: Rule = {
  id: 'goal.savings',
  version: 1,
  type: 'goal',
  window: 180,
  thresholds: [],
  find(a, _s30, s180) {
    if (!s180.savings) return [];
    return [
      {
        subject: 'space',
        period: currentPeriod(a.ctx),
        inputs: savingsRows(a, windowOf(a.ctx, 180)).toInputs(a.input),
        detected: { savings: s180.savings },
      },
    ];
  },
  measure({ input, ctx }) {
    const w = windowOf(ctx, 180);
    const charges = chargesOf(input, ctx);
    const s = savingsSignal(input.bank_accounts ?? [], input.bank_transactions ?? [], charges, w, ctx);
    if (!s) return null;
    const monthlySpend = Math.round(
      charges
        .filter(
          (c) => c.baseCents !== null && c.categoryKind !== 'savings' && c.categoryKind !== 'income' && c.day >= w.from && c.day < w.to,
        )
        .reduce((t, c) => t + c.baseCents!, 0) /
        (180 / 30.44),
    );
    const base = {
      source: s.source,
      net_inflow: s.net_inflow,
      months_with_savings: s.months_with_savings ?? 0,
      monthly_average: toMajor(Math.round(toCents(s.net_inflow) / 6), ctx.currency),
      monthly_spending: toMajor(monthlySpend, ctx.currency),
      currency: ctx.currency,
    };
    if (s.emergency_fund_coverage === null || s.balance === null || s.balance === undefined) return base;
    return {
      ...base,
      balance: s.balance,
      coverage_months: s.emergency_fund_coverage,
      growth_rate: s.growth_rate,
      target_months: EMERGENCY_TARGET_MONTHS,
      target_amount: toMajor(monthlySpend * EMERGENCY_TARGET_MONTHS, ctx.currency),
      gap_to_target: toMajor(Math.max(0, monthlySpend * EMERGENCY_TARGET_MONTHS - toCents(s.balance)), ctx.currency),
    };
  },
  present(d, ctx) {
    if (typeof d.coverage_months === 'number') {
      const cover = num(d, 'coverage_months');
      return {
        title: `Savings cover about ${cover.toFixed(1)} months of spending`,
        description:
          cover >= EMERGENCY_TARGET_MONTHS
            ? `Savings of ${money(num(d, 'balance'), ctx.currency)} cover about ${cover.toFixed(1)} months of the space’s average monthly spending of ${money(num(d, 'monthly_spending'), ctx.currency)}, past the common ${num(d, 'target_months')}-month cushion.`
            : `Savings of ${money(num(d, 'balance'), ctx.currency)} cover about ${cover.toFixed(1)} months of the space’s average monthly spending of ${money(num(d, 'monthly_spending'), ctx.currency)}. A ${num(d, 'target_months')}-month cushion would be ${money(num(d, 'target_amount'), ctx.currency)}, ${money(num(d, 'gap_to_target'), ctx.currency)} from here.`,
        priority: cover < 1 ? 'medium' : 'low',
        confidence: 0.9,
        expires: plusDaysDay(ctx, 30),
        material: `cover:${Math.round(cover * 2)}`,
      };
    }
    return {
      title: `${money(num(d, 'net_inflow'), ctx.currency)} put aside in the last 180 days`,
      description: `Savings categories received ${money(num(d, 'net_inflow'), ctx.currency)} over the last 180 days, in ${num(d, 'months_with_savings')} of the months, about ${money(num(d, 'monthly_average'), ctx.currency)} a month on average.`,
      priority: 'low',
      confidence: 0.7,
      expires: plusDaysDay(ctx, 30),
      material: `saved:${Math.round(toCents(num(d, 'net_inflow')) / 10000)}`,
    };
  },
};

// ── goal: credit utilization ────────────────────────────────────────────────

const UTILIZATION_TARGET = 0.3;

const creditRule: Rule = {
  id: 'goal.credit_utilization',
  version: 1,
  type: 'goal',
  window: 30,
  thresholds: ['credit_high_utilization', 'credit_card_at_risk'],
  find(a, s30) {
    const credit = s30.credit;
    if (!credit || credit.utilization_rate < UTILIZATION_TARGET) return [];
    const rows = new RowSet();
    const cards = creditAccounts(a.input.bank_accounts ?? [], a.ctx);
    const ids = new Set(cards.map((c) => c.id));
    for (const id of ids) rows.bankAccount.add(id);
    const w = windowOf(a.ctx, 30);
    for (const t of a.input.bank_transactions ?? []) {
      const day = dayNumber(t.date);
      if (ids.has(t.account_id) && day >= w.from && day < w.to) rows.bankTransaction.add(t.id);
    }
    return [{ subject: 'space', period: currentPeriod(a.ctx), inputs: rows.toInputs(a.input), detected: { credit } }];
  },
  measure({ input, ctx }) {
    const c = creditSignal(input.bank_accounts ?? [], input.bank_transactions ?? [], windowOf(ctx, 30), ctx);
    if (!c) return null;
    const balance = c.cards.reduce((s, x) => s + toCents(x.balance), 0);
    const limit = c.cards.reduce((s, x) => s + toCents(x.limit), 0);
    return {
      utilization_rate: c.utilization_rate,
      utilization_pct: Math.round(c.utilization_rate * 100),
      total_balance: toMajor(balance, ctx.currency),
      total_limit: toMajor(limit, ctx.currency),
      target_rate: UTILIZATION_TARGET,
      target_pct: Math.round(UTILIZATION_TARGET * 100),
      amount_to_target: toMajor(Math.max(0, balance - Math.round(limit * UTILIZATION_TARGET)), ctx.currency),
      cards_at_risk: c.cards_at_risk.length,
      minimum_payment_only: c.minimum_payment_only,
      interest_charged: c.interest_charged ?? 0,
      currency: ctx.currency,
    };
  },
  present(d, ctx) {
    const r = num(d, 'utilization_rate');
    return {
      title: `Cards are at ${num(d, 'utilization_pct')} % of their limits`,
      description: `Balances of ${money(num(d, 'total_balance'), ctx.currency)} on limits of ${money(num(d, 'total_limit'), ctx.currency)}. Bringing them to ${num(d, 'target_pct')} % would mean ${money(num(d, 'amount_to_target'), ctx.currency)} less on the cards, which scoring models tend to view more favourably.`,
      priority: r >= ctx.thresholds.credit_card_at_risk ? 'high' : r >= ctx.thresholds.credit_high_utilization ? 'medium' : 'low',
      confidence: 0.9,
      expires: plusDaysDay(ctx, 30),
      material: `${Math.round(r * 20)}`,
    };
  },
};

// ── anomaly: an expected payment has not arrived ────────────────────────────

const missedPaycheckRule: Rule = {
  id: 'income.missed_paycheck',
  version: 1,
  type: 'anomaly',
  window: 180,
  thresholds: ['recurrence_gap_tolerance', 'recurrence_amount_tolerance', 'recurrence_min_occurrences'],
  find(a, _s30, s180) {
    const income = s180.income;
    if (!income || income.source !== 'bank' || income.missed_paychecks.length === 0) return [];
    const latest = income.missed_paychecks[income.missed_paychecks.length - 1]!;
    if (dayNumber(latest.expected_date) < a.ctx.todayDay - 45) return [];
    const rows = new RowSet();
    for (const i of incomeItems(a.input.bank_transactions ?? [], a.ctx))
      if (i.day > a.ctx.todayDay - 180 && i.day <= a.ctx.todayDay) rows.bankTransaction.add(i.id);
    return [
      {
        subject: `income:${latest.source.toLowerCase()}`,
        period: monthOf(latest.expected_date),
        inputs: rows.toInputs(a.input),
        detected: { income },
      },
    ];
  },
  measure({ input, ctx }) {
    const inc = incomeSignal(input.bank_transactions ?? [], [], [], [], windowOf(ctx, 180), ctx);
    const latest = inc?.missed_paychecks[inc.missed_paychecks.length - 1];
    if (!inc || !latest) return null;
    return {
      source: latest.source,
      expected_date: latest.expected_date,
      missed_count: inc.missed_paychecks.filter((m) => dayNumber(m.expected_date) >= ctx.todayDay - 45).length,
      cadence: inc.pay_cadence ?? 'irregular',
      monthly_income: inc.monthly_income,
      currency: ctx.currency,
    };
  },
  present(d, ctx) {
    return {
      title: `A payment from ${str(d, 'source')} expected around ${str(d, 'expected_date')} has not arrived yet`,
      description: `${str(d, 'source')} has paid ${CADENCE_EVERY[str(d, 'cadence')] ?? 'regularly'}, and the payment due around ${str(d, 'expected_date')} is not among the imported lines. It may simply be late or not imported yet.`,
      priority: 'high',
      confidence: 0.75,
      expires: plusDaysDay(ctx, 14),
      material: `${str(d, 'expected_date')}`,
    };
  },
};

// ── trend: who pays for what ────────────────────────────────────────────────

const PAYER_GAP_SHARE = 0.1;

const payersRule: Rule = {
  id: 'sharing.payer_balance',
  version: 1,
  type: 'trend',
  window: 30,
  thresholds: [],
  find(a, s30) {
    const p = s30.payers;
    if (!p) return [];
    const total = toCents(p.total);
    const top = [...p.members].sort((x, y) => Math.abs(y.difference) - Math.abs(x.difference))[0];
    if (!top || Math.abs(toCents(top.difference)) < total * PAYER_GAP_SHARE) return [];
    const w = windowOf(a.ctx, 30);
    return [
      {
        subject: 'space',
        period: currentPeriod(a.ctx),
        inputs: new RowSet().addRange(a.input, w.from, w.to).toInputs(a.input),
        detected: { payers: p },
      },
    ];
  },
  measure({ input, ctx }) {
    const p = payersSignal(chargesOf(input, ctx), input.splits, input.members, windowOf(ctx, 30), ctx);
    if (!p) return null;
    const sorted = [...p.members].sort((x, y) => y.difference - x.difference || (x.user_id < y.user_id ? -1 : 1));
    const most = sorted[0]!;
    return {
      total: p.total,
      user_id: most.user_id,
      display_name: most.display_name,
      paid: most.paid,
      share: most.share,
      difference: most.difference,
      paid_pct: Math.round(most.paid_ratio * 100),
      share_pct: Math.round(most.share_ratio * 100),
      members: p.members.map((m) => ({ user_id: m.user_id, paid: m.paid, share: m.share, difference: m.difference })),
      currency: ctx.currency,
    };
  },
  present(d, ctx) {
    const who = str(d, 'display_name') || 'One member';
    return {
      title: `${who} paid ${num(d, 'paid_pct')} % of the space’s spending in the last 30 days`,
      description: `${who} paid ${money(num(d, 'paid'), ctx.currency)} of ${money(num(d, 'total'), ctx.currency)}, while the splits put their share at ${money(num(d, 'share'), ctx.currency)} (${num(d, 'share_pct')} %). Settling up, or splitting the next shared costs differently, would even it out.`,
      priority: 'low',
      confidence: 0.8,
      expires: plusDaysDay(ctx, 30),
      material: `${str(d, 'user_id')}:${Math.round(num(d, 'paid_pct') / 5)}`,
    };
  },
};

// ── recommendations: education and partner offers ───────────────────────────

const EDUCATION_MAX = 3;
const HEADLINE: Readonly<Record<string, string>> = {
  subscriptions: 'monthly_recurring_spend',
  savings: 'net_inflow',
  credit: 'utilization_rate',
  income: 'monthly_income',
  category_trends: 'total_current',
  anomalies: 'min_amount',
  budget_pacing: 'pace_ratio',
  payers: 'total',
};

function figuresFor(signals: Signals, conditions: readonly string[]): Record<string, number | boolean | null> {
  const out: Record<string, number | boolean | null> = {};
  for (const c of conditions) {
    let path = pathOf(c);
    if (!path.includes('.')) path = `${path}.${HEADLINE[path] ?? ''}`;
    const v = valueAt(signals, path);
    out[path.replace(/\./g, '__')] = Array.isArray(v) ? v.length : typeof v === 'number' || typeof v === 'boolean' ? v : null;
  }
  return out;
}

function signalsFromRows(input: InsightsInput, ctx: Context, memo: Map<string, unknown> | undefined, whole?: WholeSpace): Signals {
  // The recommendations' rows are every row of the space; when the restricted input kept them
  // all (restrict only filters, so equal counts mean equal rows), the run's own signals are
  // exactly what analysing it again would give.
  if (whole && sameRows(input, whole.input)) return whole.signals180;
  const key = 'signals180';
  const hit = memo?.get(key) as Signals | undefined;
  if (hit) return hit;
  const signals = signalsOf(analyse(input, { thresholds: ctx.thresholds }), 180);
  memo?.set(key, signals);
  return signals;
}

function sameRows(a: InsightsInput, b: InsightsInput): boolean {
  return (
    a.expenses.length === b.expenses.length &&
    a.splits.length === b.splits.length &&
    a.budgets.length === b.budgets.length &&
    a.budget_items.length === b.budget_items.length &&
    (a.bank_accounts?.length ?? 0) === (b.bank_accounts?.length ?? 0) &&
    (a.bank_transactions?.length ?? 0) === (b.bank_transactions?.length ?? 0)
  );
}

/** Every row of the space: expenses and bank lines by one range over all their dates, accounts, budgets and items by id. */
function everyRow(a: Analysis): RowSet {
  const rows = new RowSet();
  let min = Infinity;
  let max = -Infinity;
  for (const e of a.input.expenses) {
    const d = dayNumber(e.date);
    if (d < min) min = d;
    if (d > max) max = d;
  }
  for (const t of a.input.bank_transactions ?? []) {
    const d = dayNumber(t.date);
    if (d < min) min = d;
    if (d > max) max = d;
  }
  if (min <= max) rows.addRange(a.input, min, max + 1);
  for (const acc of a.input.bank_accounts ?? []) rows.bankAccount.add(acc.id);
  for (const b of a.input.budgets) rows.budget.add(b.id);
  for (const i of a.input.budget_items) rows.budgetItem.add(i.id);
  return rows;
}

export function offerEligibility(offer: Offer, signals: Signals, thresholds: Thresholds): { ok: boolean; reasons: string[] } {
  const reasons: string[] = [];
  for (const c of offer.eligibility) if (!holds(signals, c)) reasons.push(`requires ${c}`);
  if (offer.category === 'credit') {
    const credit = signals.credit;
    if (credit && credit.utilization_rate >= thresholds.credit_high_utilization)
      reasons.push(`no credit offer at utilization ${credit.utilization_rate} (>= ${thresholds.credit_high_utilization})`);
    if (credit && credit.cards_at_risk.length > 0) reasons.push('no credit offer with a card at risk');
    if (credit?.minimum_payment_only) reasons.push('no credit offer while only minimum payments are made');
  }
  return { ok: reasons.length === 0, reasons };
}

function selectEducation(s180: Signals, persona: PersonaAssignment, library: Library): ContentItem[] {
  const fitting = library.content.filter((item) => item.signals.every((c) => holds(s180, c)));
  const score = (item: ContentItem) => (item.personas.includes(persona.persona_id) ? 10 : 0) + item.signals.length;
  return [...fitting].sort((x, y) => score(y) - score(x) || (x.id < y.id ? -1 : 1)).slice(0, EDUCATION_MAX);
}

function recommendationLogic(s180: Signals, persona: PersonaAssignment, library: Library, thresholds: Thresholds): RecommendationLogic {
  // No spending data, no signal to recommend from.
  if (!s180.subscriptions)
    return {
      selected_education_items: [],
      selected_partner_offers: [],
      excluded_partner_offers: [],
      rationale: 'no spending in the last 180 days',
    };
  const education = selectEducation(s180, persona, library);
  const selected: string[] = [];
  const excluded: { id: string; reason: string }[] = [];
  for (const offer of library.offers) {
    if (!offer.personas.includes(persona.persona_id)) {
      excluded.push({ id: offer.id, reason: `not for persona ${persona.persona_id}` });
      continue;
    }
    const e = offerEligibility(offer, s180, thresholds);
    if (e.ok && selected.length === 0) selected.push(offer.id);
    else excluded.push({ id: offer.id, reason: e.ok ? 'one offer per run' : e.reasons.join('; ') });
  }
  return {
    selected_education_items: education.map((i) => i.id),
    selected_partner_offers: selected,
    excluded_partner_offers: excluded,
    rationale: `persona ${persona.persona_id} (${persona.persona_name}); items whose signal conditions all hold, persona matches first`,
  };
}

const educationRule: Rule = {
  id: 'recommendation.education',
  version: 1,
  type: 'recommendation',
  window: 180,
  thresholds: [],
  find(a, _s30, s180, persona, library) {
    const logic = recommendationLogic(s180, persona, library, a.ctx.thresholds);
    return logic.selected_education_items.map((id) => {
      const item = library.content.find((c) => c.id === id)!;
      const detected: Record<string, unknown> = {};
      for (const c of item.signals) {
        const key = pathOf(c).split('.')[0]!;
        detected[key] = (s180 as unknown as Record<string, unknown>)[key] ?? null;
      }
      return { subject: id, period: currentPeriod(a.ctx), inputs: everyRow(a).toInputs(a.input), detected, logic };
    });
  },
  measure({ input, ctx, subject, library, memo, whole }) {
    const item = library.content.find((c) => c.id === subject);
    if (!item) return null;
    const signals = signalsFromRows(input, ctx, memo, whole);
    return {
      item_id: item.id,
      kind: 'education',
      topic: item.topic,
      conditions: [...item.signals],
      holds: item.signals.every((c) => holds(signals, c)),
      ...figuresFor(signals, item.signals),
    };
  },
  present(d, ctx, library) {
    const item = library.content.find((c) => c.id === str(d, 'item_id'))!;
    return {
      title: item.title,
      description: item.body,
      priority: 'medium',
      confidence: 0.7,
      expires: plusDaysDay(ctx, 45),
      material: item.id,
      recommendation: {
        kind: 'education',
        item_id: item.id,
        title: item.title,
        content: item.body,
        rationale: `Written for spaces where ${item.signals.join(' and ')}.`,
      },
    };
  },
};

const offerRule: Rule = {
  id: 'recommendation.partner_offer',
  version: 1,
  type: 'recommendation',
  window: 180,
  thresholds: ['credit_high_utilization'],
  find(a, _s30, s180, persona, library) {
    const logic = recommendationLogic(s180, persona, library, a.ctx.thresholds);
    return logic.selected_partner_offers.map((id) => {
      const offer = library.offers.find((o) => o.id === id)!;
      const conditions = [...offer.eligibility, ...(offer.category === 'credit' ? ['credit exists'] : [])];
      return {
        subject: id,
        period: currentPeriod(a.ctx),
        inputs: everyRow(a).toInputs(a.input),
        detected: Object.fromEntries(
          conditions.map((c) => [pathOf(c).split('.')[0]!, (s180 as unknown as Record<string, unknown>)[pathOf(c).split('.')[0]!] ?? null]),
        ),
        logic,
        eligibility: offerEligibility(offer, s180, a.ctx.thresholds),
      };
    });
  },
  measure({ input, ctx, subject, library, memo, whole }) {
    const offer = library.offers.find((o) => o.id === subject);
    if (!offer) return null;
    const signals = signalsFromRows(input, ctx, memo, whole);
    const e = offerEligibility(offer, signals, ctx.thresholds);
    return {
      item_id: offer.id,
      kind: 'partner_offer',
      partner: offer.partner,
      eligible: e.ok,
      ...figuresFor(signals, [...offer.eligibility, ...(offer.category === 'credit' ? ['credit exists'] : [])]),
    };
  },
  present(d, ctx, library) {
    const offer = library.offers.find((o) => o.id === str(d, 'item_id'))!;
    return {
      title: offer.title,
      description: offer.body,
      priority: 'low',
      confidence: 0.6,
      expires: plusDaysDay(ctx, 45),
      material: offer.id,
      recommendation: {
        kind: 'partner_offer',
        item_id: offer.id,
        title: offer.title,
        content: offer.body,
        rationale: `Eligible: ${offer.eligibility.join(' and ')}; offered to persona ${offer.personas.join(', ')}.`,
      },
    };
  },
};

export const RULES: readonly Rule[] = [
  trendRule,
  anomalyRule,
  priceChangeRule,
  monthEndRule,
  savingsGoalRule,
  creditRule,
  missedPaycheckRule,
  payersRule,
  educationRule,
  offerRule,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
