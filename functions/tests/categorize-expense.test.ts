import { randomUUID } from 'node:crypto';
import { CATEGORY_KEYS } from '@wallai/domain';
import {
  anonKey,
  budgetItems,
  createBudget,
  createExpense,
  createSpace,
  queryAs,
  spaceWithEveryRole,
  type SpaceWithEveryRole,
  TEST_JWT_SECRET,
  type TestUser,
  tokenFor,
  totalsDrift,
  useServedTestDatabase,
} from '@wallai/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJwtVerifier } from '../_shared/auth.ts';
import { createDb, type Db } from '../_shared/db.ts';
import { fixedWindowRateLimiter } from '../_shared/rate-limit.ts';
import { createHandler, type CategorizeDeps } from '../categorize-expense/handler.ts';
import type { CategorizeResponse } from '../categorize-expense/schema.ts';

const served = useServedTestDatabase();
let pool: Db;
let fx: SpaceWithEveryRole;
let budgetId: string;
const logged: Array<{ level: string; message: string }> = [];

function handler(overrides: Partial<CategorizeDeps> = {}) {
  return createHandler({
    db: pool,
    verifyToken: createJwtVerifier({ secret: TEST_JWT_SECRET }),
    ai: null,
    log: (level, message) => logged.push({ level, message }),
    ...overrides,
  });
}

async function post(body: unknown, as: TestUser | string | null, h = handler()): Promise<Response> {
  const token = as === null ? null : typeof as === 'string' ? as : await tokenFor(as.actor);
  return h(
    new Request('http://127.0.0.1:54321/functions/v1/categorize-expense', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

async function ok(res: Response): Promise<CategorizeResponse> {
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as CategorizeResponse;
}

async function errorOf(res: Response): Promise<{ status: number; code: string; details?: unknown }> {
  const body = (await res.json()) as { error: { code: string; message: string; details?: unknown } };
  expect(typeof body.error.message).toBe('string');
  return { status: res.status, code: body.error.code, ...(body.error.details === undefined ? {} : { details: body.error.details }) };
}

async function expenseRow(id: string) {
  const [row] = await served().db.query<{
    category: string;
    category_source: string;
    ai_category_confidence: string | null;
    budget_item_id: string | null;
    updated_at: Date;
  }>(`select category, category_source, ai_category_confidence, budget_item_id, updated_at from public.expenses where id = $1`, [id]);
  if (!row) throw new Error(`no expense ${id}`);
  return row;
}

/** An expense left in the default category, as an import or a quick entry leaves it. */
async function uncategorized(description: string, by?: TestUser, date = '2025-10-15'): Promise<string> {
  return (await createExpense(served().db, fx.space, { amount: '12.50', description, category: 'other', date }, by)).id;
}

beforeAll(async () => {
  pool = createDb(served().url, { max: 2 });
});

// Every test gets its own space: history from one test must not answer another's.
beforeEach(async () => {
  fx = await spaceWithEveryRole(served().db);
  budgetId = await createBudget(served().db, fx.space, { month: '2025-10-01' });
});

afterAll(async () => {
  await pool?.close();
});

describe('requests that are refused', () => {
  it('answers 401 without a token, with the anon key, and with an expired token', async () => {
    const id = await uncategorized('NETFLIX.COM');
    expect(await errorOf(await post({ expense_id: id }, null))).toEqual({ status: 401, code: 'missing_token' });
    expect(await errorOf(await post({ expense_id: id }, await anonKey()))).toEqual({ status: 401, code: 'not_a_user' });
    const expired = await tokenFor(fx.owner.actor, { expiresIn: -120 });
    expect(await errorOf(await post({ expense_id: id }, expired))).toEqual({ status: 401, code: 'token_expired' });
    expect((await expenseRow(id)).category_source).toBe('default');
  });

  it('answers 401 invalid_token to a validly signed token without an expiry, and changes nothing', async () => {
    const id = await uncategorized('NETFLIX.COM');
    const forever = await tokenFor(fx.owner.actor, { claims: { exp: undefined } });
    expect(await errorOf(await post({ expense_id: id }, forever))).toEqual({ status: 401, code: 'invalid_token' });
    expect((await expenseRow(id)).category_source).toBe('default');
  });

  it('answers 401 invalid_token to a token whose sub is not a user id, before any query', async () => {
    const id = await uncategorized('NETFLIX.COM');
    const token = await tokenFor(fx.owner.actor, { claims: { sub: 'alice' } });
    expect(await errorOf(await post({ expense_id: id }, token))).toEqual({ status: 401, code: 'invalid_token' });
    expect(await errorOf(await post({ space_id: fx.space.id, description: 'Coffee' }, token))).toEqual({
      status: 401,
      code: 'invalid_token',
    });
  });

  it('answers 422 with the field path to a description containing a NUL character (Postgres cannot store it)', async () => {
    const error = await errorOf(await post({ space_id: fx.space.id, description: 'COFFEE\u0000SHOP' }, fx.owner));
    expect(error).toEqual({
      status: 422,
      code: 'validation_failed',
      details: { issues: [{ path: 'description', code: 'custom', message: 'must not contain the NUL character (\\u0000)' }] },
    });
  });

  it('answers 405 to other methods and 204 to preflights', async () => {
    const h = handler();
    const get = await h(new Request('http://127.0.0.1/functions/v1/categorize-expense', { method: 'GET' }));
    expect(await errorOf(get)).toEqual({ status: 405, code: 'method_not_allowed' });
    const preflight = await h(new Request('http://127.0.0.1/functions/v1/categorize-expense', { method: 'OPTIONS' }));
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'authorization, x-client-info, apikey, content-type, idempotency-key',
    );
  });

  it('answers 400 to malformed JSON and 413 to oversized bodies', async () => {
    expect(await errorOf(await post('{"expense_id": ', fx.owner))).toEqual({ status: 400, code: 'malformed_json' });
    const huge = JSON.stringify({ space_id: fx.space.id, description: 'x'.repeat(70 * 1024) });
    expect(await errorOf(await post(huge, fx.owner))).toMatchObject({ status: 413, code: 'payload_too_large' });
    const small = handler({ maxBodyBytes: 100 });
    expect(await errorOf(await post({ expense_ids: [randomUUID(), randomUUID(), randomUUID()] }, fx.owner, small))).toMatchObject({
      status: 413,
    });
  });

  it('answers 422 with the zod issues to invalid input', async () => {
    const invalid: unknown[] = [
      { expense_id: 'not-a-uuid' },
      { expense_ids: [] },
      { expense_ids: Array.from({ length: 101 }, () => randomUUID()) },
      { expense_id: randomUUID(), extra: true },
      { space_id: fx.space.id, description: '   ' },
      { space_id: fx.space.id, description: 'x'.repeat(501) },
      { space_id: fx.space.id, description: 'Coffee', amount: '4.50' },
      { space_id: fx.space.id, description: 'Coffee', amount: -1 },
      { something: 'else' },
      [1, 2],
      'a string',
    ];
    for (const body of invalid) {
      const error = await errorOf(await post(JSON.stringify(body), fx.owner));
      expect(error, JSON.stringify(body).slice(0, 80)).toMatchObject({ status: 422, code: 'validation_failed' });
      expect((error.details as { issues: unknown[] }).issues.length).toBeGreaterThan(0);
    }
  });

  it('answers 404 to expenses that do not exist or that the caller cannot see, and changes nothing', async () => {
    expect(await errorOf(await post({ expense_id: randomUUID() }, fx.owner))).toMatchObject({ status: 404, code: 'not_found' });
    const id = await uncategorized('NETFLIX.COM');
    const before = await expenseRow(id);
    expect(await errorOf(await post({ expense_id: id }, fx.outsider))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await expenseRow(id)).toEqual(before);
    // A space the caller is not in is invisible for suggestions too.
    expect(await errorOf(await post({ space_id: fx.space.id, description: 'NETFLIX.COM' }, fx.outsider))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });

  it('answers 403 to people who can see an expense but not change it, and changes nothing', async () => {
    const ownersExpense = await uncategorized('NETFLIX.COM');
    const before = await expenseRow(ownersExpense);
    expect(await errorOf(await post({ expense_id: ownersExpense }, fx.viewer))).toEqual({
      status: 403,
      code: 'forbidden',
      details: { expense_ids: [ownersExpense] },
    });
    expect(await errorOf(await post({ expense_id: ownersExpense }, fx.member))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await expenseRow(ownersExpense)).toEqual(before);
  });

  it('answers 403 in an inactive space, which is read-only for everyone', async () => {
    const id = await uncategorized('NETFLIX.COM');
    await queryAs(served().db, fx.owner.actor, `update public.spaces set is_active = false where id = $1`, [fx.space.id]);
    expect(await errorOf(await post({ expense_id: id }, fx.owner))).toMatchObject({ status: 403, code: 'forbidden' });
    expect((await expenseRow(id)).category_source).toBe('default');
    // Suggestions only read, so they still work.
    await ok(await post({ space_id: fx.space.id, description: 'NETFLIX.COM' }, fx.owner));
  });

  it('answers 429 when a user sends too many requests', async () => {
    const limited = handler({ rateLimiter: fixedWindowRateLimiter({ limit: 2, windowMs: 60_000 }) });
    const body = { space_id: fx.space.id, description: 'NETFLIX.COM' };
    await ok(await post(body, fx.owner, limited));
    await ok(await post(body, fx.owner, limited));
    const res = await post(body, fx.owner, limited);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await errorOf(res)).toMatchObject({ status: 429, code: 'rate_limited' });
    await ok(await post(body, fx.admin, limited));
  });
});

describe('categorizing stored expenses', () => {
  it('stores the rules answer with its confidence and source, and the triggers move the budget link', async () => {
    const id = await uncategorized('NETFLIX.COM 866-579-7172 CA');
    const items = await budgetItems(served().db, budgetId);
    expect((await expenseRow(id)).budget_item_id).toBe(items.get('other')?.id);

    const { results } = await ok(await post({ expense_id: id }, fx.owner));
    expect(results).toEqual([{ expense_id: id, category: 'subscriptions', confidence: 0.95, source: 'rules', written: true }]);
    const row = await expenseRow(id);
    expect(row).toMatchObject({ category: 'subscriptions', category_source: 'rules', ai_category_confidence: '0.95' });
    expect(row.budget_item_id).toBe(items.get('subscriptions')?.id);
    expect(await totalsDrift(served().db)).toEqual([]);
  });

  it("lets a member categorize their own expense and an admin anyone's", async () => {
    const mine = await uncategorized('SHELL OIL 57444', fx.member);
    expect((await ok(await post({ expense_id: mine }, fx.member))).results[0]).toMatchObject({ category: 'transport', written: true });
    const theirs = await uncategorized('SHELL OIL 57445', fx.member);
    expect((await ok(await post({ expense_id: theirs }, fx.admin))).results[0]).toMatchObject({ category: 'transport', written: true });
  });

  it("uses the space's own history before the rules, as the user, and only categorized rows of the same space", async () => {
    const db = served().db;
    // The person filed this merchant under shopping before; the rules know nothing about it.
    await createExpense(db, fx.space, { amount: '30.00', description: 'ZORBLAX WIDGETS BROOKLYN', category: 'shopping' });
    // Not evidence: an uncategorized row, and another space's choice.
    await uncategorized('ZORBLAX WIDGETS BROOKLYN');
    const elsewhere = await createSpace(db, { owner: fx.outsider });
    await createExpense(
      db,
      elsewhere,
      { amount: '30.00', description: 'ZORBLAX WIDGETS BROOKLYN NY', category: 'entertainment' },
      fx.outsider,
    );

    const id = await uncategorized('ZORBLAX WIDGETS BROOKLYN');
    const { results } = await ok(await post({ expense_id: id }, fx.owner));
    expect(results).toEqual([{ expense_id: id, category: 'shopping', confidence: 1, source: 'history', written: true }]);
    expect(await expenseRow(id)).toMatchObject({ category: 'shopping', category_source: 'history', ai_category_confidence: '1.00' });

    // The outsider's lookalike in their own space follows their history, not ours.
    const theirs = (
      await createExpense(db, elsewhere, { amount: '9.00', description: 'ZORBLAX WIDGETS BROOKLYN', category: 'other' }, fx.outsider)
    ).id;
    expect((await ok(await post({ expense_id: theirs }, fx.outsider))).results[0]).toMatchObject({
      category: 'entertainment',
      source: 'history',
    });
  });

  it('never overwrites a category a person chose', async () => {
    const id = (await createExpense(served().db, fx.space, { amount: '15.99', description: 'NETFLIX.COM', category: 'entertainment' })).id;
    const before = await expenseRow(id);
    expect(before.category_source).toBe('user');
    const { results } = await ok(await post({ expense_id: id }, fx.owner));
    expect(results).toEqual([
      { expense_id: id, category: 'entertainment', confidence: 1, source: 'user', written: false, skipped: 'user_category' },
    ]);
    expect(await expenseRow(id)).toEqual(before);
  });

  it('re-categorizes an automatic category, keeping it automatic even when the same step answers', async () => {
    const id = await uncategorized('NETFLIX.COM');
    await ok(await post({ expense_id: id }, fx.owner));
    // The description is corrected; the rules now say transport.
    await queryAs(served().db, fx.owner.actor, `update public.expenses set description = 'SHELL OIL 12345' where id = $1`, [id]);
    const { results } = await ok(await post({ expense_id: id }, fx.owner));
    expect(results[0]).toMatchObject({ category: 'transport', source: 'rules', written: true });
    expect(await expenseRow(id)).toMatchObject({ category: 'transport', category_source: 'rules', ai_category_confidence: '0.95' });
    expect(await totalsDrift(served().db)).toEqual([]);
  });

  it("categorizes a batch in one request, skipping people's categories and repeated ids", async () => {
    const a = await uncategorized('NETFLIX.COM');
    const b = await uncategorized('SHELL OIL 99812');
    const c = (await createExpense(served().db, fx.space, { amount: '3.00', description: 'SPOTIFY', category: 'groceries' })).id;
    const d = await uncategorized('XQZ REF 88213');
    const { results } = await ok(await post({ expense_ids: [a, b, c, a.toUpperCase(), d] }, fx.owner));
    expect(results).toEqual([
      { expense_id: a, category: 'subscriptions', confidence: 0.95, source: 'rules', written: true },
      { expense_id: b, category: 'transport', confidence: expect.any(Number), source: 'rules', written: true },
      { expense_id: c, category: 'groceries', confidence: 1, source: 'user', written: false, skipped: 'user_category' },
      // Offline and nothing matched: the fallback, stored as an automatic guess.
      { expense_id: d, category: 'other', confidence: 0.1, source: 'rules', written: true },
    ]);
    expect(await expenseRow(c)).toMatchObject({ category: 'groceries', category_source: 'user' });
    expect(await expenseRow(d)).toMatchObject({ category: 'other', category_source: 'rules', ai_category_confidence: '0.10' });
  });

  it('refuses a whole batch when any expense is invisible or not changeable, changing nothing', async () => {
    const a = await uncategorized('NETFLIX.COM');
    const hidden = randomUUID();
    expect(await errorOf(await post({ expense_ids: [a, hidden] }, fx.owner))).toEqual({
      status: 404,
      code: 'not_found',
      details: { expense_ids: [hidden] },
    });
    const members = await uncategorized('SHELL OIL 1', fx.member);
    expect(await errorOf(await post({ expense_ids: [members, a] }, fx.member))).toEqual({
      status: 403,
      code: 'forbidden',
      details: { expense_ids: [a] },
    });
    expect((await expenseRow(a)).category_source).toBe('default');
    expect((await expenseRow(members)).category_source).toBe('default');
  });

  it("chooses among the categories of the month's master budget, plus other", async () => {
    const db = served().db;
    const space = await createSpace(db, { owner: fx.owner });
    const custom = await createBudget(db, space, { month: '2025-11-01', framework: 'custom', income: '1000.00' });
    await queryAs(
      db,
      fx.owner.actor,
      `insert into public.budget_items (budget_id, category, description, category_type, budgeted_amount)
       values ($1, 'groceries', 'Food', 'needs', 300), ($1, 'fun_money', 'Fun', 'wants', 100)`,
      [custom],
    );
    const inBudget = (await createExpense(db, space, { amount: '9.99', description: 'NETFLIX.COM', category: 'other', date: '2025-11-03' }))
      .id;
    const noBudget = (await createExpense(db, space, { amount: '9.99', description: 'NETFLIX.COM', category: 'other', date: '2025-12-03' }))
      .id;
    const { results } = await ok(await post({ expense_ids: [inBudget, noBudget] }, fx.owner));
    // subscriptions is not a line of November's budget: the answer stays within it.
    expect(results[0]).toMatchObject({ category: 'other', source: 'rules' });
    // December has no budget: the default taxonomy applies.
    expect(results[1]).toMatchObject({ category: 'subscriptions', source: 'rules' });
    expect(CATEGORY_KEYS).toContain('subscriptions');
  });
});

describe('suggestions', () => {
  it('suggests a category without writing anything, for any member including viewers', async () => {
    await createExpense(served().db, fx.space, { amount: '30.00', description: 'ZORBLAX WIDGETS BROOKLYN', category: 'shopping' });
    const [{ count: before }] = (await served().db.query<{ count: number }>(`select count(*)::int as count from public.expenses`)) as [
      { count: number },
    ];
    const { results } = await ok(await post({ space_id: fx.space.id, description: '  NETFLIX.COM  ', amount: 15.99 }, fx.viewer));
    expect(results).toEqual([{ category: 'subscriptions', confidence: 0.95, source: 'rules', written: false }]);
    const history = await ok(await post({ space_id: fx.space.id, description: 'ZORBLAX WIDGETS BROOKLYN' }, fx.member));
    expect(history.results[0]).toMatchObject({ category: 'shopping', source: 'history', written: false });
    const [{ count: after }] = (await served().db.query<{ count: number }>(`select count(*)::int as count from public.expenses`)) as [
      { count: number },
    ];
    expect(after).toBe(before);
  });

  it('works offline when nothing matches: the fallback category', async () => {
    const { results } = await ok(await post({ space_id: fx.space.id, description: 'XQZ REF 88213' }, fx.owner));
    expect(results).toEqual([{ category: 'other', confidence: 0.1, source: 'rules', written: false }]);
  });

  it('weighs automatic history by its stored confidence: a stored fallback guess is no evidence', async () => {
    const guessed = await uncategorized('XQZ REF 88213');
    expect((await ok(await post({ expense_id: guessed }, fx.owner))).results[0]).toMatchObject({ category: 'other', confidence: 0.1 });
    const { results } = await ok(await post({ space_id: fx.space.id, description: 'XQZ REF 88213' }, fx.owner));
    expect(results).toEqual([{ category: 'other', confidence: 0.1, source: 'rules', written: false }]);
    // A confident automatic answer is evidence, weighted by its confidence.
    const netflix = await uncategorized('NETFLIX.COM');
    await ok(await post({ expense_id: netflix }, fx.owner));
    const again = await ok(await post({ space_id: fx.space.id, description: 'NETFLIX.COM' }, fx.owner));
    expect(again.results).toEqual([{ category: 'subscriptions', confidence: 0.95, source: 'history', written: false }]);
  });
});
