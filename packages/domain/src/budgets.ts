/**
 * Budgets: their types, the frameworks they are built from, and the items a
 * framework gives a month's income — exactly what `public.create_budget`
 * writes, so a preview, a data generator or a frontend gets the same cents.
 */
import { allocateCents } from './allocation.ts';
import { DEFAULT_CATEGORIES, type CategoryType } from './categories.ts';

/** One master budget per space and month, and one secondary (project) budget (budgets_type_check). */
export const BUDGET_TYPES = ['master', 'secondary'] as const;
export type BudgetType = (typeof BUDGET_TYPES)[number];

/** How a new budget's items are planned (budgets_framework_check). */
export const BUDGET_FRAMEWORKS = ['50_30_20', '60_20_20', 'zero_based', 'custom'] as const;
export type BudgetFramework = (typeof BUDGET_FRAMEWORKS)[number];

/** Percent of the income for needs, wants and savings, for the frameworks that split it. */
export const FRAMEWORK_SHARES = {
  '50_30_20': { needs: 50, wants: 30, savings: 20 },
  '60_20_20': { needs: 60, wants: 20, savings: 20 },
} as const satisfies Partial<Record<BudgetFramework, Record<Exclude<CategoryType, 'income'>, number>>>;

/** What a budget item is planned from: a category, its type and its share of the type, in basis points. */
export interface PlannableCategory {
  readonly key: string;
  readonly type: CategoryType;
  readonly weightBp: number;
}

export interface PlannedItem {
  readonly category: string;
  readonly type: CategoryType;
  /** budgeted_amount in cents (hundredths of the space currency). */
  readonly cents: number;
}

const SPENDING_TYPES = ['needs', 'wants', 'savings'] as const;

/**
 * The items create_budget gives a budget of this framework and income, in its
 * insert order: needs, wants, savings (each in the categories' order), then
 * the income categories.
 *
 * - 50_30_20 / 60_20_20: the income is allocated to the three types by
 *   FRAMEWORK_SHARES, then each type's cents to its categories by weightBp
 *   (largest remainder, as private.allocate_cents).
 * - zero_based: every spending item starts at 0; all the income is to assign.
 * - custom: no items.
 *
 * Income categories get the whole income (they plan money coming in and do
 * not count towards total_budgeted). `categories` defaults to DEFAULT_CATEGORIES.
 */
export function frameworkBudgetItems(
  framework: BudgetFramework,
  incomeCents: number,
  categories: readonly PlannableCategory[] = DEFAULT_CATEGORIES,
): PlannedItem[] {
  if (framework === 'custom') return [];
  if (!Number.isSafeInteger(incomeCents) || incomeCents < 0)
    throw new RangeError(`income must be zero or more cents, got ${String(incomeCents)}`);
  const typeCents =
    framework === 'zero_based'
      ? [0, 0, 0]
      : allocateCents(
          incomeCents,
          SPENDING_TYPES.map((type) => FRAMEWORK_SHARES[framework][type]),
        );
  const items: PlannedItem[] = [];
  SPENDING_TYPES.forEach((type, t) => {
    const ofType = categories.filter((c) => c.type === type);
    if (ofType.length === 0) return;
    const cents = typeCents[t] ?? 0;
    const parts =
      cents === 0
        ? ofType.map(() => 0)
        : allocateCents(
            cents,
            ofType.map((c) => c.weightBp),
          );
    ofType.forEach((c, k) => items.push({ category: c.key, type, cents: parts[k] ?? 0 }));
  });
  for (const c of categories.filter((c) => c.type === 'income')) items.push({ category: c.key, type: 'income', cents: incomeCents });
  return items;
}

/** total_budgeted of a budget with these items: the sum of its non-income items. */
export function totalBudgetedCents(items: readonly PlannedItem[]): number {
  return items.reduce((sum, item) => (item.type === 'income' ? sum : sum + item.cents), 0);
}
