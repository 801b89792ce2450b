/**
 * plaid-sync through HTTP: the handler served on loopback, built with the
 * official `plaid` client pointed at a fake Plaid API on loopback, against the
 * served test database (PGlite, or PostgreSQL with DATABASE_URL).
 */
import { randomUUID } from 'node:crypto';
import { createTokenCipher, type PlaidApi, type TokenCipher } from '@wallai/bank-import/plaid-sync';
import { EnvError, readEnv } from '@wallai/function-env';
import {
  anon,
  expectSqlError,
  fakePlaidTransaction,
  queryAs,
  spaceWithEveryRole,
  type SpaceWithEveryRole,
  startFakePlaid,
  type FakePlaid,
  type FakeSyncStep,
  TEST_JWT_SECRET,
  type TestUser,
  tokenFor,
  useServedTestDatabase,
} from '@wallai/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJwtVerifier } from '../_shared/auth.ts';
import { createDb, type Db } from '../_shared/db.ts';
import { createPlaidApi } from '../_shared/plaid.ts';
import { createHandler, type PlaidSyncHandlerDeps } from '../plaid-sync/handler.ts';
import { serveOnLoopback, type Served } from './support/serve.ts';

const served = useServedTestDatabase();
const CLIENT_ID = 'fake-client-id';
const SECRET = 'fake-secret';
const TOKEN_KEY = new Uint8Array(32).map((_, i) => (i * 7 + 3) % 256);

let pool: Db;
let fx: SpaceWithEveryRole;
let fake: FakePlaid;
let http: Served;
let cipher: TokenCipher;
/** This test's Plaid item: its public and access tokens are single-use fixtures of the fake. */
let item: { publicToken: string; accessToken: string; itemId: string };
/** A second bank the same space may link. */
let second: { publicToken: string; accessToken: string; itemId: string };

/** The official client, pointed at the fake. */
const plaidApi = (secret: string): PlaidApi =>
  createPlaidApi({ clientId: CLIENT_ID, secret, environment: 'sandbox', tokenKey: TOKEN_KEY, baseUrl: fake.url, timeoutMs: 5_000 })!;

function handler(overrides: Partial<PlaidSyncHandlerDeps> = {}) {
  return createHandler({
    db: pool,
    verifyToken: createJwtVerifier({ secret: TEST_JWT_SECRET }),
    plaid: plaidApi(SECRET),
    cipher,
    log: () => {},
    ...overrides,
  });
}

beforeAll(async () => {
  pool = createDb(served().url, { max: 2 });
  cipher = createTokenCipher(TOKEN_KEY);
});

beforeEach(async () => {
  fx = await spaceWithEveryRole(served().db);
  const id = randomUUID();
  item = { publicToken: `public-sandbox-${id}`, accessToken: `access-sandbox-${id}`, itemId: `item-${id}` };
  second = { publicToken: `public-sandbox-2-${id}`, accessToken: `access-sandbox-2-${id}`, itemId: `item-2-${id}` };
  fake = await startFakePlaid({
    clientId: CLIENT_ID,
    secret: SECRET,
    items: [
      { ...item, institutionId: 'ins_109508', institutionName: 'First Platypus Bank' },
      { ...second, institutionId: 'ins_109509', institutionName: 'Second Platypus Bank' },
    ],
  });
  http = await serveOnLoopback('plaid-sync', handler());
});

afterEach(async () => {
  await http?.close();
  await fake?.stop();
});

afterAll(async () => {
  await pool?.close();
});

async function post(as: TestUser | null, body: unknown, url = http.url, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...headers,
      ...(as === null ? {} : { authorization: `Bearer ${await tokenFor(as.actor)}` }),
    },
    body: JSON.stringify(body),
  });
}

/** The answers' shapes, loosely: what the assertions below read. */
interface Answer {
  item: { id: string } & Record<string, unknown>;
  items: Array<{
    outcome: string;
    item: Record<string, unknown>;
    report: { counts: Record<string, number>; rows: unknown[]; errors: unknown[] };
  }>;
  error: { code: string; details: { items: unknown[] } };
}

async function json(res: Response, status: number): Promise<Answer> {
  const body = (await res.json()) as Answer;
  expect(res.status, JSON.stringify(body)).toBe(status);
  return body;
}

/** Links this test's item as a member, then scripts its /transactions/sync answers. */
async function linkAndScript(steps: readonly FakeSyncStep[], as: TestUser = fx.member): Promise<Answer['item']> {
  const body = await json(await post(as, { action: 'exchange', space_id: fx.space.id, public_token: item.publicToken }), 200);
  fake.script(item.accessToken, steps);
  return body.item;
}

const sync = (as: TestUser = fx.member, extra: Record<string, unknown> = {}) =>
  post(as, { action: 'sync', space_id: fx.space.id, ...extra });

async function stored() {
  const db = served().db;
  const [itemRow] = await db.query<{
    status: string;
    sync_cursor: string | null;
    last_error_code: string | null;
    last_synced_at: string | null;
  }>(`select status, sync_cursor, last_error_code, last_synced_at::text from public.plaid_items where space_id = $1`, [fx.space.id]);
  const lines = await db.query<{ provider_id: string; amount: string; pending: boolean; expense_id: string | null; updated_at: string }>(
    `select provider_id, amount::text, pending, expense_id, updated_at::text from public.bank_transactions where space_id = $1 order by provider_id`,
    [fx.space.id],
  );
  const expenses = await db.query<{ id: string; amount: string; description: string; updated_at: string }>(
    `select id, amount::text, description, updated_at::text from public.expenses where space_id = $1 order by description`,
    [fx.space.id],
  );
  const imports = await db.query<{ source: string; status: string }>(
    `select source, status from public.imports where space_id = $1 order by created_at`,
    [fx.space.id],
  );
  return { item: itemRow, lines, expenses, imports };
}

const coffee = fakePlaidTransaction('txn-coffee', 4.5, 'BLUE BOTTLE COFFEE #12', { merchant_name: 'Blue Bottle Coffee' });
const groceries = fakePlaidTransaction('txn-groceries', 82.13, 'WHOLE FOODS MARKET #123', {
  merchant_name: 'Whole Foods Market',
  personal_finance_category: { primary: 'FOOD_AND_DRINK', detailed: 'FOOD_AND_DRINK_GROCERIES' },
});
const salary = fakePlaidTransaction('txn-salary', -2500, 'ACME CORP PAYROLL', {
  personal_finance_category: { primary: 'INCOME', detailed: 'INCOME_WAGES' },
});

/** A two-page first walk: coffee and salary, then groceries; the walk ends at cursor c2. */
const FIRST_WALK: FakeSyncStep[] = [
  { cursor: '', reply: { added: [coffee, salary], next_cursor: 'c1', has_more: true } },
  { cursor: 'c1', reply: { added: [groceries], next_cursor: 'c2', has_more: false } },
];

describe('plaid-sync exchange', () => {
  it('stores the item with its access token encrypted, which no client role can read', async () => {
    const linked = await linkAndScript([]);
    expect(linked).toMatchObject({
      item_id: item.itemId,
      institution_name: 'First Platypus Bank',
      status: 'active',
      linked_by: fx.member.id,
    });
    expect(JSON.stringify(linked)).not.toContain(item.accessToken);

    const [token] = await served().db.query<{ access_token_ciphertext: string }>(
      `select access_token_ciphertext from private.plaid_item_tokens where plaid_item_id = $1`,
      [linked.id],
    );
    expect(token!.access_token_ciphertext).not.toContain(item.accessToken);
    expect(token!.access_token_ciphertext).toMatch(/^v1:/);
    // It opens only under the key and for its own item.
    expect(await cipher.decrypt(token!.access_token_ciphertext, `${fx.space.id}:${item.itemId}`)).toBe(item.accessToken);
    await expect(cipher.decrypt(token!.access_token_ciphertext, `${fx.space.id}:another-item`)).rejects.toThrow();

    for (const actor of [fx.owner.actor, fx.member.actor, anon]) {
      await expectSqlError(queryAs(served().db, actor, `select access_token_ciphertext from private.plaid_item_tokens`), '42501');
    }
    // Members read the item; nothing in it is the token.
    const rows = await queryAs(served().db, fx.viewer.actor, `select * from public.plaid_items where space_id = $1`, [fx.space.id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(item.accessToken);
    // Plaid got the credentials in its headers.
    const exchange = fake.requests.find((r) => r.path === '/item/public_token/exchange')!;
    expect(exchange.headers['plaid-client-id']).toBe(CLIENT_ID);
    expect(exchange.headers['plaid-secret']).toBe(SECRET);
  });

  it('a viewer is refused with 403 and an outsider with 404; Plaid is never asked and nothing is stored', async () => {
    const viewer = await json(await post(fx.viewer, { action: 'exchange', space_id: fx.space.id, public_token: item.publicToken }), 403);
    expect(viewer.error.code).toBe('forbidden');
    const outsider = await json(
      await post(fx.outsider, { action: 'exchange', space_id: fx.space.id, public_token: item.publicToken }),
      404,
    );
    expect(outsider.error.code).toBe('not_found');
    expect(fake.requests).toEqual([]);
    expect((await stored()).item).toBeUndefined();
  });

  it('a public token Plaid refuses answers 422 plaid_rejected', async () => {
    const body = await json(
      await post(fx.member, { action: 'exchange', space_id: fx.space.id, public_token: 'public-sandbox-unknown' }),
      422,
    );
    expect(body.error).toMatchObject({ code: 'plaid_rejected', details: { plaid: { error_code: 'INVALID_PUBLIC_TOKEN' } } });
  });
});

describe('plaid-sync sync', () => {
  it('walks every page: spending becomes expenses, income stays in the bank layer, and the cursor is stored with the walk', async () => {
    await linkAndScript(FIRST_WALK);
    const body = await json(await sync(), 200);
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({ outcome: 'synced', restarts: 0, item: { status: 'active' } });
    expect(body.items[0]!.report).toMatchObject({ status: 'completed', counts: { added: 3 }, expenses_created: 2 });
    expect(fake.syncCursors(item.accessToken)).toEqual(['', 'c1']);

    const after = await stored();
    expect(after.item).toMatchObject({ status: 'active', sync_cursor: 'c2' });
    expect(after.item!.last_synced_at).not.toBeNull();
    expect(after.lines.map((l) => l.provider_id)).toEqual(['txn-coffee', 'txn-groceries', 'txn-salary']);
    expect(after.expenses.map((e) => [e.description, e.amount])).toEqual([
      ['Blue Bottle Coffee', '4.50'],
      ['Whole Foods Market', '82.13'],
    ]);
    expect(after.imports).toEqual([{ source: 'plaid_sync', status: 'completed' }]);
  });

  it('a second sync with no changes changes nothing, and a walk applied again from the same cursor neither', async () => {
    await linkAndScript(FIRST_WALK);
    await json(await sync(), 200);
    const before = await stored();

    const again = await json(await sync(), 200);
    expect(again.items[0]!.report.counts).toMatchObject({ added: 0, updated: 0, removed: 0 });
    expect(fake.syncCursors(item.accessToken).at(-1)).toBe('c2');
    const unchanged = await stored();
    expect(unchanged.lines).toEqual(before.lines);
    expect(unchanged.expenses).toEqual(before.expenses);
    expect(unchanged.item!.sync_cursor).toBe('c2');

    // The same cursor state again (as if the cursor had never been stored): Plaid sends the same pages, nothing changes.
    await served().db.query(`update public.plaid_items set sync_cursor = null where space_id = $1`, [fx.space.id]);
    const replay = await json(await sync(), 200);
    expect(replay.items[0]!.report.counts).toMatchObject({ added: 0, updated: 0, removed: 0, unchanged: 3 });
    const replayed = await stored();
    expect(replayed.lines).toEqual(before.lines);
    expect(replayed.expenses).toEqual(before.expenses);
    expect(replayed.item!.sync_cursor).toBe('c2');
  });

  it('pending then posted across two syncs is one expense, which takes the posted amount', async () => {
    const pending = fakePlaidTransaction('txn-pending', 12, 'CAFE LUNA', { pending: true });
    const posted = fakePlaidTransaction('txn-posted', 14.4, 'CAFE LUNA', { pending_transaction_id: 'txn-pending', date: '2025-10-03' });
    await linkAndScript([
      { cursor: '', reply: { added: [pending], next_cursor: 'c1', has_more: false } },
      { cursor: 'c1', reply: { added: [posted], removed: [{ transaction_id: 'txn-pending' }], next_cursor: 'c2', has_more: false } },
    ]);
    await json(await sync(), 200);
    const first = await stored();
    expect(first.expenses).toHaveLength(1);
    expect(first.lines).toMatchObject([{ provider_id: 'txn-pending', pending: true }]);

    const second = await json(await sync(), 200);
    expect(second.items[0]!.report.rows).toContainEqual(expect.objectContaining({ match: 'pending_link', action: 'updated' }));
    const after = await stored();
    expect(after.lines).toMatchObject([{ provider_id: 'txn-posted', pending: false, amount: '14.40', expense_id: first.expenses[0]!.id }]);
    expect(after.expenses).toMatchObject([{ id: first.expenses[0]!.id, amount: '14.40' }]);
    expect(after.item!.sync_cursor).toBe('c2');
  });

  it('a mutation during pagination restarts the walk from its original cursor and keeps nothing of the interrupted one', async () => {
    const dropped = fakePlaidTransaction('txn-interrupted', 9.99, 'ONLY IN THE INTERRUPTED WALK');
    const coffeeLater = { ...coffee, amount: 5.25 };
    const books = fakePlaidTransaction('txn-books', 30, 'POWELLS BOOKS');
    await linkAndScript([
      { cursor: '', times: 1, reply: { added: [coffee, dropped], next_cursor: 'c1', has_more: true } },
      { cursor: 'c1', times: 1, reply: { error: 'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION' } },
      { cursor: '', reply: { added: [coffeeLater, groceries], next_cursor: 'r1', has_more: true } },
      { cursor: 'r1', reply: { added: [books], next_cursor: 'r2', has_more: false } },
    ]);
    const body = await json(await sync(), 200);
    expect(body.items[0]).toMatchObject({ outcome: 'synced', restarts: 1 });
    expect(body.items[0]!.report.errors).toContainEqual(expect.objectContaining({ code: 'interrupted_walk', severity: 'warning' }));
    expect(fake.syncCursors(item.accessToken)).toEqual(['', 'c1', '', 'r1']);

    const after = await stored();
    expect(after.lines.map((l) => [l.provider_id, l.amount])).toEqual([
      ['txn-books', '30.00'],
      ['txn-coffee', '5.25'],
      ['txn-groceries', '82.13'],
    ]);
    expect(after.expenses.map((e) => e.description)).not.toContain('ONLY IN THE INTERRUPTED WALK');
    expect(after.item!.sync_cursor).toBe('r2');
    expect(after.imports).toHaveLength(1);
  });

  it('a walk that Plaid keeps mutating gives up after three restarts: 503 plaid_unavailable, nothing applied, the item still active', async () => {
    await linkAndScript([
      { cursor: '', reply: { added: [coffee], next_cursor: 'c1', has_more: true } },
      { cursor: 'c1', reply: { error: 'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION' } },
    ]);
    const res = await sync();
    expect(res.headers.get('retry-after')).toBe('30');
    expect((await json(res, 503)).error.code).toBe('plaid_unavailable');
    expect(fake.syncCursors(item.accessToken)).toEqual(['', 'c1', '', 'c1', '', 'c1', '', 'c1']);
    const after = await stored();
    expect(after.item).toMatchObject({
      status: 'active',
      last_error_code: 'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION',
      sync_cursor: null,
    });
    expect(after.lines).toEqual([]);
    expect(after.imports).toEqual([]);
  });

  it('an expired item answers 409 item_login_required and is marked; once the person signs in again the next sync clears it', async () => {
    await linkAndScript([{ cursor: '', times: 1, reply: { error: 'ITEM_LOGIN_REQUIRED' } }, ...FIRST_WALK]);
    const body = await json(await sync(), 409);
    expect(body.error).toMatchObject({ code: 'item_login_required', details: { plaid: { error_code: 'ITEM_LOGIN_REQUIRED' } } });
    expect(body.error.details.items[0]).toMatchObject({ outcome: 'plaid_error', item: { status: 'login_required' } });
    const marked = await stored();
    expect(marked.item).toMatchObject({ status: 'login_required', last_error_code: 'ITEM_LOGIN_REQUIRED', sync_cursor: null });
    expect(marked.lines).toEqual([]);
    expect(marked.imports).toEqual([]);

    const fixed = await json(await sync(), 200);
    expect(fixed.items[0]!.item).toMatchObject({ status: 'active', last_error_code: null });
    expect((await stored()).item).toMatchObject({ status: 'active', last_error_code: null, sync_cursor: 'c2' });
  });

  it('without item_id every linked bank syncs in turn; one that needs a login decides the answer and the others are kept', async () => {
    await linkAndScript(FIRST_WALK);
    await json(await post(fx.member, { action: 'exchange', space_id: fx.space.id, public_token: second.publicToken }), 200);
    fake.script(second.accessToken, [{ cursor: '', reply: { error: 'ITEM_LOGIN_REQUIRED' } }]);

    const body = await json(await sync(), 409);
    expect(body.error.code).toBe('item_login_required');
    expect(body.error.details.items).toMatchObject([
      { outcome: 'synced', item: { item_id: item.itemId, status: 'active' } },
      { outcome: 'plaid_error', item: { item_id: second.itemId, status: 'login_required' } },
    ]);
    // The first bank's walk is committed with its cursor; the second has none.
    const items = await served().db.query<{ item_id: string; status: string; sync_cursor: string | null }>(
      `select item_id, status, sync_cursor from public.plaid_items where space_id = $1 order by institution_name`,
      [fx.space.id],
    );
    expect(items).toEqual([
      { item_id: item.itemId, status: 'active', sync_cursor: 'c2' },
      { item_id: second.itemId, status: 'login_required', sync_cursor: null },
    ]);
    expect((await stored()).expenses).toHaveLength(2);
  });

  it('a viewer is refused with 403, an outsider with 404, and an item the space does not have with 404', async () => {
    await linkAndScript(FIRST_WALK);
    expect((await json(await sync(fx.viewer), 403)).error.code).toBe('forbidden');
    expect((await json(await sync(fx.outsider), 404)).error.code).toBe('not_found');
    expect((await json(await sync(fx.member, { item_id: 'item-elsewhere' }), 404)).error.code).toBe('not_found');
    expect(fake.syncCursors(item.accessToken)).toEqual([]);
    expect((await stored()).lines).toEqual([]);
    // The item named: synced.
    await json(await sync(fx.admin, { item_id: item.itemId }), 200);
  });

  it('of two syncs racing on one item, the one that stores its cursor second answers 409 and keeps nothing', async () => {
    await linkAndScript(FIRST_WALK);
    const real = plaidApi(SECRET);
    // Another sync moves the item's cursor while this one fetches its last page.
    const racing: PlaidApi = {
      ...real,
      async syncPage(accessToken, cursor) {
        const page = await real.syncPage(accessToken, cursor);
        if (page['has_more'] === false) {
          await served().db.query(`update public.plaid_items set sync_cursor = 'moved-by-another-sync' where space_id = $1`, [fx.space.id]);
        }
        return page;
      },
    };
    const raced = await serveOnLoopback('plaid-sync', handler({ plaid: racing }));
    try {
      const body = await json(await post(fx.member, { action: 'sync', space_id: fx.space.id }, raced.url), 409);
      expect(body.error).toMatchObject({ code: 'conflict', details: { reason: 'sync_in_progress' } });
    } finally {
      await raced.close();
    }
    const after = await stored();
    expect(after.lines).toEqual([]);
    expect(after.expenses).toEqual([]);
    expect(after.imports).toEqual([{ source: 'plaid_sync', status: 'failed' }]);
    expect(after.item!.sync_cursor).toBe('moved-by-another-sync');
  });

  it("record_plaid_sync moves a cursor only inside the caller's own sync being applied", async () => {
    const linked = await linkAndScript([]);
    const call = `select public.record_plaid_sync($1, $2, null, 'forged')`;
    await expectSqlError(queryAs(served().db, fx.member.actor, call, [linked.id, randomUUID()]), '42501');
    await expectSqlError(queryAs(served().db, anon, call, [linked.id, randomUUID()]), '42501');
    expect((await stored()).item!.sync_cursor).toBeNull();
  });

  it('a retry with the same Idempotency-Key gets the first answer, not a second walk', async () => {
    await linkAndScript(FIRST_WALK);
    const first = await post(fx.member, { action: 'sync', space_id: fx.space.id }, http.url, { 'Idempotency-Key': 'sync-1' });
    const firstBody = await json(first, 200);
    const retry = await post(fx.member, { action: 'sync', space_id: fx.space.id }, http.url, { 'Idempotency-Key': 'sync-1' });
    expect(retry.headers.get('idempotency-replayed')).toBe('true');
    expect(await json(retry, 200)).toEqual(firstBody);
    expect(fake.syncCursors(item.accessToken)).toEqual(['', 'c1']);
  });
});

describe('plaid-sync configuration', () => {
  it('without Plaid credentials it answers 503 plaid_not_configured and writes nothing', async () => {
    const bare = await serveOnLoopback('plaid-sync', handler({ plaid: null, cipher: null }));
    try {
      for (const action of [
        { action: 'exchange', space_id: fx.space.id, public_token: item.publicToken },
        { action: 'sync', space_id: fx.space.id },
      ]) {
        expect((await json(await post(fx.member, action, bare.url), 503)).error.code).toBe('plaid_not_configured');
      }
    } finally {
      await bare.close();
    }
    expect(fake.requests).toEqual([]);
    expect((await stored()).item).toBeUndefined();
  });

  it('credentials Plaid refuses answer 503 plaid_not_configured', async () => {
    const wrong = await serveOnLoopback('plaid-sync', handler({ plaid: plaidApi('wrong') }));
    try {
      const body = await json(
        await post(fx.member, { action: 'exchange', space_id: fx.space.id, public_token: item.publicToken }, wrong.url),
        503,
      );
      expect(body.error).toMatchObject({ code: 'plaid_not_configured', details: { plaid: { error_code: 'INVALID_API_KEYS' } } });
    } finally {
      await wrong.close();
    }
  });

  it('readEnv gives Plaid settings only when all four are set, and refuses a malformed key or environment', () => {
    const base = {
      SUPABASE_URL: 'http://127.0.0.1:54321',
      SUPABASE_ANON_KEY: 'anon',
      SUPABASE_SERVICE_ROLE_KEY: 'service',
      SUPABASE_DB_URL: 'postgres://localhost/db',
      SUPABASE_JWT_SECRET: 'secret',
    };
    const plaid = {
      PLAID_CLIENT_ID: 'id',
      PLAID_SECRET: 's',
      PLAID_ENV: 'sandbox',
      PLAID_TOKEN_KEY: Buffer.from(TOKEN_KEY).toString('base64'),
    };
    const read = (vars: Record<string, string>) => readEnv((name) => vars[name]);
    expect(read({ ...base, ...plaid }).plaid).toMatchObject({ clientId: 'id', environment: 'sandbox', baseUrl: null, tokenKey: TOKEN_KEY });
    expect(read({ ...base, ...plaid, PLAID_BASE_URL: fake.url }).plaid?.baseUrl).toBe(fake.url);
    expect(read({ ...base, ...plaid, PLAID_SECRET: '' }).plaid).toBeNull();
    expect(read(base).plaid).toBeNull();
    expect(() => read({ ...base, ...plaid, PLAID_TOKEN_KEY: 'c2hvcnQ=' })).toThrow(EnvError);
    expect(() => read({ ...base, ...plaid, PLAID_ENV: 'development' })).toThrow(/PLAID_ENV/);
  });
});
