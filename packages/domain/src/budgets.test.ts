import { describe, expect, it } from 'vitest';
import { frameworkBudgetItems, totalBudgetedCents, type PlannableCategory } from './budgets.ts';
import { DEFAULT_CATEGORIES } from './categories.ts';

const TINY: PlannableCategory[] = [
  { key: 'rent', type: 'needs', weightBp: 7000 },
  { key: 'food', type: 'needs', weightBp: 3000 },
  { key: 'fun', type: 'wants', weightBp: 10000 },
  { key: 'save', type: 'savings', weightBp: 10000 },
  { key: 'salary', type: 'income', weightBp: 10000 },
];

describe('frameworkBudgetItems', () => {
  it('50_30_20 splits the income by type, then each type by its categories, to the cent', () => {
    expect(frameworkBudgetItems('50_30_20', 100_001, TINY)).toEqual([
      { category: 'rent', type: 'needs', cents: 35_001 },
      { category: 'food', type: 'needs', cents: 15_000 },
      { category: 'fun', type: 'wants', cents: 30_000 },
      { category: 'save', type: 'savings', cents: 20_000 },
      { category: 'salary', type: 'income', cents: 100_001 },
    ]);
  });

  it('zero_based starts every spending item at 0 and leaves all the income to assign', () => {
    const items = frameworkBudgetItems('zero_based', 180_000);
    expect(items).toHaveLength(DEFAULT_CATEGORIES.length);
    expect(items.filter((i) => i.type !== 'income').every((i) => i.cents === 0)).toBe(true);
    expect(items.find((i) => i.type === 'income')?.cents).toBe(180_000);
    expect(totalBudgetedCents(items)).toBe(0);
  });

  it('custom has no items, and every other framework budgets exactly the income', () => {
    expect(frameworkBudgetItems('custom', 100_000)).toEqual([]);
    for (const framework of ['50_30_20', '60_20_20'] as const) {
      expect(totalBudgetedCents(frameworkBudgetItems(framework, 333_333))).toBe(333_333);
    }
  });
});
