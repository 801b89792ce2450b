/**
 * The rows a rule read, and the input restricted to them: what a trace names
 * and what a replay re-runs the rule on.
 */
import { fromDayNumber } from './dates.ts';
import type { InsightsInput, TraceInputs, TraceRange } from './types.ts';

export class RowSet {
  readonly expense = new Set<string>();
  readonly bankTransaction = new Set<string>();
  readonly bankAccount = new Set<string>();
  readonly budget = new Set<string>();
  readonly budgetItem = new Set<string>();
  readonly ranges: TraceRange[] = [];

  addRange(input: InsightsInput, from: number, to: number): this {
    const f = fromDayNumber(from);
    const t = fromDayNumber(to);
    if (this.ranges.some((r) => r.from === f && r.to === t)) return this;
    const expenses = new Set(input.expenses.filter((e) => e.date >= f && e.date < t).map((e) => e.id));
    const splitCount = input.splits.reduce((n, s) => (expenses.has(s.expense_id) ? n + 1 : n), 0);
    this.ranges.push({ table: 'expenses', from: f, to: t, count: expenses.size, split_count: splitCount });
    this.ranges.push({
      table: 'bank_transactions',
      from: f,
      to: t,
      count: (input.bank_transactions ?? []).filter((e) => e.date >= f && e.date < t).length,
    });
    return this;
  }

  toInputs(input: InsightsInput): TraceInputs {
    const sorted = (s: Set<string>) => [...s].sort();
    const expenseIds = sorted(this.expense);
    // A range's splits are counted in the range, not listed: a window over a large space would
    // otherwise name thousands of ids in every trace that reads it.
    const withSplits = new Set(input.splits.map((s) => s.expense_id));
    const splitExpenses = expenseIds.filter((id) => withSplits.has(id));
    return {
      expense_ids: expenseIds,
      bank_transaction_ids: sorted(this.bankTransaction),
      bank_account_ids: sorted(this.bankAccount),
      budget_ids: sorted(this.budget),
      budget_item_ids: sorted(this.budgetItem),
      split_expense_ids: splitExpenses,
      ...(this.ranges.length ? { ranges: [...this.ranges].sort((a, b) => (a.table + a.from < b.table + b.from ? -1 : 1)) } : {}),
    };
  }
}

function inRange(date: string, ranges: readonly TraceRange[], table: TraceRange['table']): boolean {
  for (const r of ranges) if (r.table === table && date >= r.from && date < r.to) return true;
  return false;
}

/** The input with only the rows a trace names (members, space and categories whole). */
export function restrict(input: InsightsInput, inputs: TraceInputs): InsightsInput {
  const ranges = inputs.ranges ?? [];
  const expenses = new Set(inputs.expense_ids);
  const lines = new Set(inputs.bank_transaction_ids);
  const accounts = new Set(inputs.bank_account_ids);
  const budgets = new Set(inputs.budget_ids);
  const items = new Set(inputs.budget_item_ids);
  const keptExpenses = input.expenses.filter((e) => expenses.has(e.id) || inRange(e.date, ranges, 'expenses'));
  const keptIds = new Set(keptExpenses.map((e) => e.id));
  const keptLines = (input.bank_transactions ?? []).filter((t) => lines.has(t.id) || inRange(t.date, ranges, 'bank_transactions'));
  return {
    ...input,
    expenses: keptExpenses,
    splits: input.splits.filter((s) => keptIds.has(s.expense_id)),
    budgets: input.budgets.filter((b) => budgets.has(b.id)),
    budget_items: input.budget_items.filter((i) => items.has(i.id)),
    bank_accounts: (input.bank_accounts ?? []).filter((a) => accounts.has(a.id)),
    bank_transactions: keptLines,
  };
}
