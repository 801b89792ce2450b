/**
 * One pass over a space: charges, recurring series, and the signals of both
 * windows with the reason for every absent one.
 */
import { buildContext, chargesOf, type Charge, type Context } from './model.ts';
import { MerchantResolver } from './merchant.ts';
import { detectRecurringCharges, type DetectedSeries } from './recurring.ts';
import {
  anomaliesSignal,
  anomalyBaseline,
  budgetPacing,
  categoryTrends,
  creditSignal,
  currentMasterBudget,
  incomeSignal,
  payersSignal,
  savingsSignal,
  subscriptionSignal,
  windowOf,
} from './signals.ts';
import type { EngineOptions, InsightsInput, MissingInput, Signals } from './types.ts';
import { fromDayNumber } from './dates.ts';

export interface Analysis {
  readonly input: InsightsInput;
  readonly ctx: Context;
  readonly charges: readonly Charge[];
  readonly series: readonly DetectedSeries[];
  readonly recurringIds: ReadonlySet<string>;
  readonly baseline: readonly Charge[];
}

export function analyse(input: InsightsInput, options?: EngineOptions): Analysis {
  const ctx = buildContext(input, options?.thresholds);
  const charges = chargesOf(input, ctx);
  const series = detectRecurringCharges(charges, ctx, new MerchantResolver());
  const recurringIds = new Set<string>();
  for (const s of series) for (const i of s.items) recurringIds.add(i.id);
  const baseline = anomalyBaseline(charges, recurringIds, ctx);
  return { input, ctx, charges, series, recurringIds, baseline };
}

/** The signals of one window; absent keys are explained in `missing`. */
export function signalsOf(a: Analysis, days: 30 | 180): Signals {
  const { input, ctx, charges, series } = a;
  const w = windowOf(ctx, days);
  const accounts = input.bank_accounts ?? [];
  const lines = input.bank_transactions ?? [];
  const missing: MissingInput[] = [];

  const subscriptions = subscriptionSignal(series, charges, w, ctx);
  if (!subscriptions)
    missing.push({ signal: 'subscriptions', input: 'expenses', reason: `no expenses or bank spending in the last ${days} days` });

  const savings = savingsSignal(accounts, lines, charges, w, ctx);
  if (!savings)
    missing.push({
      signal: 'savings',
      input: 'bank_accounts.savings|expenses.savings_categories',
      reason: `no savings account and no expenses in savings categories in the last ${days} days`,
    });

  const credit = creditSignal(accounts, lines, w, ctx);
  if (!credit)
    missing.push({
      signal: 'credit',
      input: 'bank_accounts.credit',
      reason: 'no credit card with a balance and a limit in the space currency',
    });

  const income = incomeSignal(lines, accounts, input.budgets, charges, w, ctx);
  if (!income)
    missing.push({
      signal: 'income',
      input: 'bank_transactions.income|budgets.total_income',
      reason: `no income lines and no budget income in the last ${days} days`,
    });

  const category_trends = categoryTrends(charges, ctx, days);
  if (!category_trends)
    missing.push({
      signal: 'category_trends',
      input: 'expenses',
      reason: `no categorized spending in the last ${days === 30 ? 60 : 180} days`,
    });

  const anomalies = anomaliesSignal(a.baseline, w, ctx);
  if (!anomalies)
    missing.push({ signal: 'anomalies', input: 'expenses', reason: 'no non-recurring expenses in the last 180 days to compare with' });

  const budget = currentMasterBudget(input.budgets, ctx);
  const budget_pacing = budget ? budgetPacing(budget, input.budget_items, series, ctx) : null;
  if (!budget_pacing)
    missing.push(
      budget
        ? { signal: 'budget_pacing', input: 'budget_items', reason: 'the month’s master budget has nothing budgeted' }
        : { signal: 'budget_pacing', input: 'budgets', reason: 'no master budget for the current month' },
    );

  const payers = payersSignal(charges, input.splits, input.members, w, ctx);
  if (!payers)
    missing.push(
      input.members.filter((m) => m.is_active).length < 2
        ? { signal: 'payers', input: 'members', reason: 'the space has fewer than two active members' }
        : { signal: 'payers', input: 'expenses', reason: `no expenses with a payer in the last ${days} days` },
    );

  return {
    window_days: days,
    period: { from: fromDayNumber(w.from), to: fromDayNumber(w.to) },
    currency: ctx.currency,
    ...(subscriptions ? { subscriptions } : {}),
    ...(savings ? { savings } : {}),
    ...(credit ? { credit } : {}),
    ...(income ? { income } : {}),
    ...(category_trends ? { category_trends } : {}),
    ...(anomalies ? { anomalies } : {}),
    ...(budget_pacing ? { budget_pacing } : {}),
    ...(payers ? { payers } : {}),
    missing,
  };
}
