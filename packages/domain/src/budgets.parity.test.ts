/**
 * frameworkBudgetItems against what public.create_budget writes on the test
 * database, for every framework and seeded random incomes, to the cent.
 */
import { budgetItems, createBudget, createSpace, useTestDatabase } from '@wallai/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUDGET_FRAMEWORKS, frameworkBudgetItems, totalBudgetedCents } from './budgets.ts';
import { centsToDecimal, decimalToCents, NUMERIC_12_2_MAX_CENTS } from './money.ts';

const db = useTestDatabase();

describe('frameworkBudgetItems equals create_budget', () => {
  it('for every framework, on incomes from 0 to the largest numeric(12,2), to the cent', async () => {
    const incomes = [
      0,
      1,
      333_333,
      250_001,
      NUMERIC_12_2_MAX_CENTS,
      ...fc.sample(fc.integer({ min: 0, max: 100_000_000 }), { numRuns: 7, seed: 5030 }),
    ];
    const space = await createSpace(db());
    let month = 0;
    for (const income of incomes) {
      for (const framework of BUDGET_FRAMEWORKS) {
        const first = new Date(Date.UTC(2020, month++, 1)).toISOString().slice(0, 10);
        const id = await createBudget(db(), space, { framework, income: centsToDecimal(income), month: first });
        const built = Object.fromEntries(
          [...(await budgetItems(db(), id))].map(([category, item]) => [category, decimalToCents(item.budgeted)]),
        );
        const planned = frameworkBudgetItems(framework, income);
        expect(Object.fromEntries(planned.map((item) => [item.category, item.cents])), `${framework} of ${income} cents`).toEqual(built);

        const [totals] = await db().query<{ total_budgeted: string; to_assign: string }>(
          `select total_budgeted, to_assign from public.budgets where id = $1`,
          [id],
        );
        expect(decimalToCents(totals?.total_budgeted ?? '')).toBe(totalBudgetedCents(planned));
        expect(decimalToCents(totals?.to_assign ?? '')).toBe(income - totalBudgetedCents(planned));
      }
    }
  });
});
