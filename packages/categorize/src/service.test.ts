/**
 * The categorization service against the test database: what it loads, how it
 * writes, and that a change between the decision and the write leaves nothing
 * half-written.
 */
import { transactionsAs, type SqlClient } from '@wallai/db-client';
import { addMember, claimsFor, createExpense, createSpace, queryAs, useTestDatabase, type TestSpace, type TestUser } from '@wallai/testing';
import { describe, expect, it } from 'vitest';
import type { AiClassifier } from './ai.ts';
import { categorizeExpenses, suggestCategories, type Transact } from './service.ts';

const db = useTestDatabase();

const asUser = (client: SqlClient, person: TestUser): Transact =>
  transactionsAs(client, claimsFor(person.actor) as { role: 'authenticated' }) as Transact;
const asService = (client: SqlClient): Transact => transactionsAs(client, { role: 'service_role' }) as Transact;

async function uncategorized(space: TestSpace, description: string, by?: TestUser): Promise<string> {
  const [row] = await queryAs<{ id: string }>(
    db(),
    (by ?? space.owner).actor,
    `insert into public.expenses (space_id, amount, description, date) values ($1, 12, $2, '2025-10-15') returning id`,
    [space.id, description],
  );
  return row!.id;
}

const stored = async (id: string) =>
  (
    await db().query<{ category: string; category_source: string }>(`select category, category_source from public.expenses where id = $1`, [
      id,
    ])
  )[0];

describe('categorizeExpenses', () => {
  it("categorizes with the space's history first, then the rules, and stores each answer with its step", async () => {
    const space = await createSpace(db());
    await createExpense(db(), space, { amount: '4.50', description: 'CORNER BAKERY 221 MAIN', category: 'dining' });
    const bakery = await uncategorized(space, 'CORNER BAKERY 221 MAIN ST');
    const uber = await uncategorized(space, 'UBER *TRIP HELP.UBER.COM');
    const outcome = await categorizeExpenses(asUser(db(), space.owner), [bakery, uber]);
    expect(outcome).toMatchObject({
      kind: 'done',
      results: [
        { expenseId: bakery, category: 'dining', source: 'history', written: true },
        { expenseId: uber, category: 'transport', source: 'rules', written: true },
      ],
    });
    expect(await stored(bakery)).toEqual({ category: 'dining', category_source: 'history' });
    expect(await stored(uber)).toEqual({ category: 'transport', category_source: 'rules' });
  });

  it("the service role categorizes any space's expenses; a member of another space finds them missing", async () => {
    const space = await createSpace(db());
    const other = await createSpace(db());
    const id = await uncategorized(space, 'UBER *TRIP');
    expect(await categorizeExpenses(asUser(db(), other.owner), [id])).toEqual({ kind: 'missing', stage: 'load', expenseIds: [id] });
    expect(await categorizeExpenses(asService(db()), [id])).toMatchObject({ kind: 'done', results: [{ written: true }] });
  });

  it('a viewer is refused before anything is decided', async () => {
    const space = await createSpace(db());
    const viewer = await addMember(db(), space, 'viewer');
    const id = await uncategorized(space, 'UBER *TRIP');
    expect(await categorizeExpenses(asUser(db(), viewer), [id])).toEqual({ kind: 'refused', stage: 'load', expenseIds: [id] });
    expect(await stored(id)).toEqual({ category: 'other', category_source: 'default' });
  });

  it('an expense deleted while the AI decides rolls the whole batch back, and the outcome names it', async () => {
    const space = await createSpace(db());
    const first = await uncategorized(space, 'UBER *TRIP');
    const vanishing = await uncategorized(space, 'zz unknown thing 77');
    const llm: AiClassifier = async (request) => {
      await db().query(`delete from public.expenses where id = $1`, [vanishing]);
      return { category: request.candidates[0]!, confidence: 0.99 };
    };
    const outcome = await categorizeExpenses(asUser(db(), space.owner), [first, vanishing], { llm });
    expect(outcome).toEqual({ kind: 'missing', stage: 'write', expenseIds: [vanishing] });
    expect(await stored(first)).toEqual({ category: 'other', category_source: 'default' });
  });
});

describe('suggestCategories', () => {
  it("suggests from the space's history without writing, and answers null for a space the caller cannot see", async () => {
    const space = await createSpace(db());
    await createExpense(db(), space, { amount: '9.00', description: 'MERCADONA MADRID 4521', category: 'groceries' });
    const suggestions = await suggestCategories(asUser(db(), space.owner), space.id, [{ description: 'MERCADONA MADRID 4522' }]);
    expect(suggestions).toMatchObject([{ category: 'groceries', source: 'history', aiUnavailable: false }]);
    const outsider = await createSpace(db());
    expect(await suggestCategories(asUser(db(), outsider.owner), space.id, [{ description: 'MERCADONA' }])).toBeNull();
  });
});
