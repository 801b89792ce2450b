/**
 * The categorizer's data rules in SQL: the month's candidate categories, the
 * history neighbours and apply_auto_category, all as the caller under RLS.
 */
import {
  actAs,
  addMember,
  createBudget,
  createExpense,
  createSpace,
  createUser,
  expectSqlError,
  queryAs,
  serviceRole,
  type TestSpace,
  type TestUser,
  useTestDatabase,
} from '@wallai/testing';
import { describe, expect, it } from 'vitest';

const db = useTestDatabase();

const sourceOf = async (id: string) =>
  (
    await db().query<{ category: string; category_source: string; ai_category_confidence: string | null }>(
      `select category, category_source, ai_category_confidence from public.expenses where id = $1`,
      [id],
    )
  )[0];

/** An expense nobody categorized yet (category 'other', source 'default'). */
async function uncategorized(space: TestSpace, description: string, by?: TestUser, date = '2025-10-15'): Promise<string> {
  const [row] = await queryAs<{ id: string }>(
    db(),
    (by ?? space.owner).actor,
    `insert into public.expenses (space_id, amount, description, date) values ($1, 12, $2, $3) returning id`,
    [space.id, description, date],
  );
  return row!.id;
}

const apply = (actor: TestUser['actor'], id: string, category: string, confidence: number, source: string) =>
  queryAs<{ outcome: string }>(db(), actor, `select public.apply_auto_category($1, $2, $3, $4) as outcome`, [
    id,
    category,
    confidence,
    source,
  ]).then((rows) => rows[0]?.outcome);

describe('month_categories', () => {
  it("lists the categories of the month's master budget in display order, and nothing for a month without one", async () => {
    const space = await createSpace(db());
    await createBudget(db(), space, { month: '2025-10-01' });
    const [october] = await queryAs<{ c: string[] }>(db(), space.owner.actor, `select public.month_categories($1, '2025-10-20') as c`, [
      space.id,
    ]);
    const order = await db().query<{ key: string }>(`select key from private.default_categories order by display_order`);
    expect(october!.c).toEqual(order.map((r) => r.key));
    const [november] = await queryAs<{ c: string[] }>(db(), space.owner.actor, `select public.month_categories($1, '2025-11-02') as c`, [
      space.id,
    ]);
    expect(november!.c).toEqual([]);
  });

  it('an outsider gets no categories for a space they are not in', async () => {
    const space = await createSpace(db());
    await createBudget(db(), space, { month: '2025-10-01' });
    const outsider = await createUser(db());
    const [row] = await queryAs<{ c: string[] }>(db(), outsider.actor, `select public.month_categories($1, '2025-10-20') as c`, [space.id]);
    expect(row!.c).toEqual([]);
  });
});

describe('category_history', () => {
  it('returns the nearest categorized expenses, scaled by their confidence, never uncategorized ones or the excluded expense', async () => {
    const space = await createSpace(db());
    await createExpense(db(), space, { amount: '4.00', description: 'BLUE BOTTLE COFFEE OAKLAND', category: 'dining' });
    const guessed = await uncategorized(space, 'BLUE BOTTLE COFFEE SF');
    expect(await apply(space.owner.actor, guessed, 'other', 0.1, 'rules')).toBe('written');
    await uncategorized(space, 'BLUE BOTTLE COFFEE BERKELEY');
    const rows = await queryAs<{ category: string; similarity: number }>(
      db(),
      space.owner.actor,
      `select * from public.category_history($1, 'BLUE BOTTLE COFFEE OAKLAND CA', 10, $2)`,
      [space.id, guessed],
    );
    expect(rows.map((r) => r.category)).toEqual(['dining']);
    const withGuess = await queryAs<{ category: string; similarity: number }>(
      db(),
      space.owner.actor,
      `select * from public.category_history($1, 'BLUE BOTTLE COFFEE SF')`,
      [space.id],
    );
    const other = withGuess.find((r) => r.category === 'other');
    expect(other!.similarity).toBeLessThanOrEqual(0.1);
    expect(withGuess.find((r) => r.category === 'dining')!.similarity).toBeGreaterThan(0.3);
  });

  it("an outsider finds nothing in another space's history; the service role reads it all", async () => {
    const space = await createSpace(db());
    await createExpense(db(), space, { amount: '9.00', description: 'MERCADONA MADRID 4521', category: 'groceries' });
    const outsider = await createUser(db());
    expect(await queryAs(db(), outsider.actor, `select * from public.category_history($1, 'MERCADONA MADRID')`, [space.id])).toEqual([]);
    const all = await queryAs<{ category: string }>(db(), serviceRole, `select * from public.category_history($1, 'MERCADONA MADRID')`, [
      space.id,
    ]);
    expect(all.map((r) => r.category)).toEqual(['groceries']);
  });
});

describe('apply_auto_category', () => {
  it('stores category, confidence and source, and a later run of the same step can change its own answer', async () => {
    const space = await createSpace(db());
    const id = await uncategorized(space, 'Uber trip');
    expect(await apply(space.owner.actor, id, 'transport', 0.93, 'rules')).toBe('written');
    expect(await sourceOf(id)).toEqual({ category: 'transport', category_source: 'rules', ai_category_confidence: '0.93' });
    expect(await apply(space.owner.actor, id, 'travel', 0.812, 'rules')).toBe('written');
    expect(await sourceOf(id)).toEqual({ category: 'travel', category_source: 'rules', ai_category_confidence: '0.81' });
  });

  it('never overwrites a category a person chose', async () => {
    const space = await createSpace(db());
    const mine = await createExpense(db(), space, { amount: '20.00', description: 'Gift', category: 'shopping' });
    expect(await apply(space.owner.actor, mine.id, 'other', 0.5, 'ai')).toBe('user_category');
    expect(await sourceOf(mine.id)).toEqual({ category: 'shopping', category_source: 'user', ai_category_confidence: null });
  });

  it('a person changing the category right after, in the same transaction, makes it theirs', async () => {
    const space = await createSpace(db());
    const id = await uncategorized(space, 'Uber trip');
    await actAs(db(), space.owner.actor, async (tx) => {
      await tx.query(`select public.apply_auto_category($1, 'transport', 0.9, 'rules')`, [id]);
      await tx.query(`update public.expenses set category = 'travel' where id = $1`, [id]);
    });
    expect(await sourceOf(id)).toEqual({ category: 'travel', category_source: 'user', ai_category_confidence: null });
  });

  it('a viewer sees the expense but cannot change it; an outsider does not see it; nothing is written', async () => {
    const space = await createSpace(db());
    const viewer = await addMember(db(), space, 'viewer');
    const outsider = await createUser(db());
    const id = await uncategorized(space, 'Uber trip');
    expect(await apply(viewer.actor, id, 'transport', 0.9, 'rules')).toBe('not_writable');
    expect(await apply(outsider.actor, id, 'transport', 0.9, 'rules')).toBe('not_visible');
    expect(await sourceOf(id)).toEqual({ category: 'other', category_source: 'default', ai_category_confidence: null });
  });

  it('bad input is rejected with 22023 and changes nothing', async () => {
    const space = await createSpace(db());
    const id = await uncategorized(space, 'Uber trip');
    for (const [category, confidence, source] of [
      ['transport', 0.9, 'user'],
      ['transport', 0.9, null],
      ['transport', 1.5, 'rules'],
      ['transport', Number.NaN, 'rules'],
      ['Not A Key', 0.9, 'rules'],
    ] as const) {
      await expectSqlError(
        queryAs(db(), space.owner.actor, `select public.apply_auto_category($1, $2, $3, $4)`, [id, category, confidence, source]),
        '22023',
      );
    }
    expect(await sourceOf(id)).toEqual({ category: 'other', category_source: 'default', ai_category_confidence: null });
  });
});
