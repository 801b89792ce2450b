import { DEFAULT_CATEGORIES, decimalToCents as cents } from '@wallai/domain';
import {
  addMember,
  budgetItems,
  createBudget,
  createExpense,
  createSpace,
  expectSqlError,
  queryAs,
  spaceWithEveryRole,
  totalsDrift,
  useTestDatabase,
} from '@wallai/testing';
import { describe, expect, it } from 'vitest';

const db = useTestDatabase();

async function budgetRow(id: string) {
  const [row] = await db().query<{
    total_income: string;
    total_budgeted: string;
    total_spent: string;
    to_assign: string;
    currency: string;
    month_period: Date | string;
    name: string;
  }>(
    `select total_income, total_budgeted, total_spent, to_assign, currency, month_period::text as month_period, name from public.budgets where id = $1`,
    [id],
  );
  return row;
}

async function typeTotals(budgetId: string): Promise<Record<string, number>> {
  const items = await budgetItems(db(), budgetId);
  const totals: Record<string, number> = {};
  for (const item of items.values()) totals[item.type] = (totals[item.type] ?? 0) + cents(item.budgeted);
  return totals;
}

describe('the default taxonomy', () => {
  it('the database categories equal DEFAULT_CATEGORIES in @wallai/domain', async () => {
    const rows = await db().query(
      `select key, label, category_type as type, description, weight_bp as "weightBp", icon, color from private.default_categories order by display_order`,
    );
    expect(rows).toEqual(
      DEFAULT_CATEGORIES.map(({ key, label, type, description, weightBp, icon, color }) => ({
        key,
        label,
        type,
        description,
        weightBp,
        icon,
        color,
      })),
    );
  });

  it('the weights of each category type add up to 10 000 basis points', () => {
    const sums = new Map<string, number>();
    for (const c of DEFAULT_CATEGORIES) sums.set(c.type, (sums.get(c.type) ?? 0) + c.weightBp);
    expect([...sums.values()].every((s) => s === 10_000)).toBe(true);
  });
});

describe('create_budget frameworks', () => {
  it('50/30/20 gives needs, wants and savings exactly 50%, 30% and 20% of income, to the cent', async () => {
    const space = await createSpace(db());
    const id = await createBudget(db(), space, { framework: '50_30_20', income: '3333.33' });
    // 333 333 cents: floors 166 666 / 99 999 / 66 666, remainders .5 / .9 / .6, so the 2 leftover cents go to wants and savings.
    expect(await typeTotals(id)).toEqual({ needs: 166666, wants: 100000, savings: 66667, income: 333333 });
    expect(await budgetRow(id)).toMatchObject({ total_income: '3333.33', total_budgeted: '3333.33', to_assign: '0.00' });
  });

  it('60/20/20 splits income 60/20/20 and every item amount adds up to the total', async () => {
    const space = await createSpace(db());
    const id = await createBudget(db(), space, { framework: '60_20_20', income: '2500.01' });
    const totals = await typeTotals(id);
    expect(totals.needs! + totals.wants! + totals.savings!).toBe(250001);
    expect(totals.needs).toBe(150001);
    expect(await budgetRow(id)).toMatchObject({ to_assign: '0.00' });
  });

  it('zero-based starts every item at 0 and shows all income as to assign', async () => {
    const space = await createSpace(db());
    const id = await createBudget(db(), space, { framework: 'zero_based', income: '1800.00' });
    const items = await budgetItems(db(), id);
    expect(items.size).toBe(DEFAULT_CATEGORIES.length);
    expect(await budgetRow(id)).toMatchObject({ total_budgeted: '0.00', to_assign: '1800.00' });
    await queryAs(db(), space.owner.actor, `update public.budget_items set budgeted_amount = 1800 where id = $1`, [
      items.get('housing')!.id,
    ]);
    expect(await budgetRow(id)).toMatchObject({ total_budgeted: '1800.00', to_assign: '0.00' });
  });

  it('custom creates an empty budget', async () => {
    const space = await createSpace(db());
    const id = await createBudget(db(), space, { framework: 'custom', income: '100.00' });
    expect((await budgetItems(db(), id)).size).toBe(0);
  });

  it('month_period is normalized to the first day of the month; currency is the space currency', async () => {
    const space = await createSpace(db(), { currency: 'EUR' });
    const id = await createBudget(db(), space, { month: '2025-11-17' });
    expect(await budgetRow(id)).toMatchObject({ month_period: '2025-11-01', currency: 'EUR', name: 'Budget 2025-11' });
  });

  it('a second master budget for the same month is refused with PT409; a secondary one is fine', async () => {
    const space = await createSpace(db());
    await createBudget(db(), space, { month: '2025-10-01' });
    await expectSqlError(createBudget(db(), space, { month: '2025-10-09' }), 'PT409', /already has a master budget/);
    await createBudget(db(), space, { month: '2025-10-01', type: 'secondary', framework: 'custom' });
  });

  it('bad input is rejected with 22023 and nothing is written', async () => {
    const space = await createSpace(db());
    await expectSqlError(createBudget(db(), space, { framework: '70_20_10' }), '22023');
    await expectSqlError(createBudget(db(), space, { income: '-5' }), '22023');
    await expectSqlError(createBudget(db(), space, { income: '10.001' }), '22023');
    expect(await db().query(`select 1 from public.budgets where space_id = $1`, [space.id])).toHaveLength(0);
  });

  it('members and viewers cannot create budgets (PT403); outsiders get PT404', async () => {
    const { space, member, viewer, outsider } = await spaceWithEveryRole(db());
    await expectSqlError(createBudget(db(), space, { by: member }), 'PT403');
    await expectSqlError(createBudget(db(), space, { by: viewer }), 'PT403');
    await expectSqlError(createBudget(db(), space, { by: outsider }), 'PT404');
  });

  it('an admin can create budgets', async () => {
    const space = await createSpace(db());
    const admin = await addMember(db(), space, 'admin');
    await createBudget(db(), space, { by: admin });
  });

  it('clients cannot write the totals', async () => {
    const space = await createSpace(db());
    const id = await createBudget(db(), space);
    await expectSqlError(queryAs(db(), space.owner.actor, `update public.budgets set total_spent = 0 where id = $1`, [id]), '42501');
    await expectSqlError(
      queryAs(db(), space.owner.actor, `update public.budget_items set spent_amount = 5 where budget_id = $1`, [id]),
      '42501',
    );
  });
});

describe('copy_budget', () => {
  it('copies items to another month; with rollover each item gains its unspent amount, never a negative one', async () => {
    const space = await createSpace(db());
    const october = await createBudget(db(), space, { month: '2025-10-01', income: '1000.00' });
    const before = await budgetItems(db(), october);
    // Groceries: 90.00 budgeted (needs 500 x 18%), 30 spent -> 60 left. Dining: 75.00 budgeted, 100 spent -> overspent.
    await createExpense(db(), space, { amount: '30.00', category: 'groceries', date: '2025-10-03' });
    await createExpense(db(), space, { amount: '100.00', category: 'dining', date: '2025-10-04' });

    const [plain] = await queryAs<{ id: string }>(db(), space.owner.actor, `select public.copy_budget($1, '2025-11-01', false) as id`, [
      october,
    ]);
    const [rolled] = await queryAs<{ id: string }>(db(), space.owner.actor, `select public.copy_budget($1, '2025-12-01', true) as id`, [
      october,
    ]);
    const plainItems = await budgetItems(db(), plain!.id);
    const rolledItems = await budgetItems(db(), rolled!.id);

    expect(plainItems.get('groceries')).toMatchObject({ budgeted: before.get('groceries')!.budgeted, spent: '0.00' });
    expect(before.get('groceries')!.budgeted).toBe('90.00');
    expect(rolledItems.get('groceries')!.budgeted).toBe('150.00');
    expect(rolledItems.get('dining')!.budgeted).toBe(before.get('dining')!.budgeted);
    expect(rolledItems.get('income')!.budgeted).toBe('1000.00');
    expect(await budgetRow(rolled!.id)).toMatchObject({ name: 'Budget 2025-12' });
    expect(await totalsDrift(db())).toEqual([]);
  });

  it('copying onto a month that already has that budget is refused (PT409)', async () => {
    const space = await createSpace(db());
    const october = await createBudget(db(), space, { month: '2025-10-01' });
    await createBudget(db(), space, { month: '2025-11-01' });
    await expectSqlError(queryAs(db(), space.owner.actor, `select public.copy_budget($1, '2025-11-01', true)`, [october]), 'PT409');
  });

  it('a member cannot copy budgets (PT403)', async () => {
    const space = await createSpace(db());
    const member = await addMember(db(), space, 'member');
    const october = await createBudget(db(), space);
    await expectSqlError(queryAs(db(), member.actor, `select public.copy_budget($1, '2025-11-01')`, [october]), 'PT403');
  });
});
