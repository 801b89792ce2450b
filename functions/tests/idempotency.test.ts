/**
 * Idempotency-Key on the write functions: a retried request is answered with
 * the first attempt's response and its work is done once.
 */
import {
  createExpense,
  createSpace,
  spaceWithEveryRole,
  type SpaceWithEveryRole,
  TEST_JWT_SECRET,
  tokenFor,
  type TestUser,
  useServedTestDatabase,
} from '@wallai/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createCategorizeHandler } from '../categorize-expense/handler.ts';
import { createJwtVerifier } from '../_shared/auth.ts';
import { createDb, type Db } from '../_shared/db.ts';
import { chatHandler, household, type Household } from './support/chat.ts';

const served = useServedTestDatabase();
let pool: Db;
let fx: SpaceWithEveryRole;

beforeAll(() => {
  pool = createDb(served().url, { max: 2 });
});
afterAll(async () => {
  await pool?.close();
});
beforeEach(async () => {
  fx = await spaceWithEveryRole(served().db);
});

const categorize = () =>
  createCategorizeHandler({ db: pool, verifyToken: createJwtVerifier({ secret: TEST_JWT_SECRET }), ai: null, log: () => {} });

async function post(
  handler: (req: Request) => Promise<Response>,
  name: string,
  who: TestUser,
  body: unknown,
  key?: string,
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await handler(
    new Request(`http://127.0.0.1:54321/functions/v1/${name}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await tokenFor(who.actor)}`,
        ...(key === undefined ? {} : { 'Idempotency-Key': key }),
      },
      body: JSON.stringify(body),
    }),
  );
  return { status: res.status, text: await res.text(), headers: res.headers };
}

async function writes(expenseId: string): Promise<string> {
  const [row] = await served().db.query<{ updated: string }>(`select updated_at::text as updated from public.expenses where id = $1`, [
    expenseId,
  ]);
  return row!.updated;
}

describe('categorize-expense with an Idempotency-Key', () => {
  it('a retried batch gets the first answer again, marked as replayed, and the expenses are written once', async () => {
    const a = await createExpense(
      served().db,
      fx.space,
      { amount: '12.00', description: 'MERCADONA MADRID', category: 'other' },
      fx.member,
    );
    const b = await createExpense(served().db, fx.space, { amount: '9.99', description: 'NETFLIX.COM', category: 'other' }, fx.member);
    const h = categorize();
    const first = await post(h, 'categorize-expense', fx.member, { expense_ids: [a.id, b.id] }, 'retry-1');
    expect(first.status).toBe(200);
    expect(first.headers.get('Idempotency-Replayed')).toBeNull();
    const stamps = [await writes(a.id), await writes(b.id)];
    // A person changes one in between: a replay must not put the automatic answer back.
    await served().db.query(`update public.expenses set category = 'dining', category_source = 'user' where id = $1`, [a.id]);
    const touched = await writes(a.id);

    const again = await post(h, 'categorize-expense', fx.member, { expense_ids: [a.id, b.id] }, 'retry-1');
    expect(again.status).toBe(200);
    expect(again.headers.get('Idempotency-Replayed')).toBe('true');
    expect(JSON.parse(again.text)).toEqual(JSON.parse(first.text));
    expect([await writes(a.id), await writes(b.id)]).toEqual([touched, stamps[1]]);
  });

  it('the same key with another body is refused with 422 idempotency_key_reused', async () => {
    const a = await createExpense(served().db, fx.space, { amount: '12.00', description: 'LIDL', category: 'other' }, fx.member);
    const b = await createExpense(served().db, fx.space, { amount: '3.00', description: 'LIDL', category: 'other' }, fx.member);
    const h = categorize();
    expect((await post(h, 'categorize-expense', fx.member, { expense_id: a.id }, 'k')).status).toBe(200);
    const reused = await post(h, 'categorize-expense', fx.member, { expense_id: b.id }, 'k');
    expect(reused.status).toBe(422);
    expect(JSON.parse(reused.text)).toMatchObject({ error: { code: 'validation_failed', details: { reason: 'idempotency_key_reused' } } });
  });

  it('a refused first attempt frees its key: the retry runs afresh', async () => {
    const other = await createSpace(served().db);
    const foreign = await createExpense(served().db, other, { amount: '5.00', description: 'X', category: 'other' });
    const h = categorize();
    const first = await post(h, 'categorize-expense', fx.member, { expense_id: foreign.id }, 'refused');
    expect(first.status).toBe(404);
    const retry = await post(h, 'categorize-expense', fx.member, { expense_id: foreign.id }, 'refused');
    expect(retry.status).toBe(404);
    expect(retry.headers.get('Idempotency-Replayed')).toBeNull();
    const [row] = await served().db.query<{ n: number }>(`select count(*)::int as n from private.idempotency_keys where key = 'refused'`);
    expect(row?.n).toBe(0);
  });

  it('a retry while the first attempt still runs gets 409 with Retry-After; after the lease it runs', async () => {
    const a = await createExpense(served().db, fx.space, { amount: '12.00', description: 'REPSOL', category: 'other' }, fx.member);
    const h = categorize();
    const body = { expense_id: a.id };
    // The first attempt claims the key, then its instance is slow (here: simply holds the claim).
    const first = await post(h, 'categorize-expense', fx.member, body, 'slow');
    expect(first.status).toBe(200);
    await served().db.query(
      `update private.idempotency_keys set state = 'in_progress', response_status = null, response_body = null where key = 'slow'`,
    );
    const busy = await post(h, 'categorize-expense', fx.member, body, 'slow');
    expect(busy.status).toBe(409);
    expect(busy.headers.get('Retry-After')).toBe('2');
    // The first attempt's instance died: after the lease the retry takes over and answers.
    await served().db.query(`update private.idempotency_keys set created_at = now() - interval '3 minutes' where key = 'slow'`);
    const taken = await post(h, 'categorize-expense', fx.member, body, 'slow');
    expect(taken.status).toBe(200);
  });

  it('keys are per person: another member using the same key runs their own request', async () => {
    const a = await createExpense(served().db, fx.space, { amount: '12.00', description: 'IKEA', category: 'other' }, fx.member);
    const h = categorize();
    expect((await post(h, 'categorize-expense', fx.member, { expense_id: a.id }, 'shared')).status).toBe(200);
    const theirs = await post(h, 'categorize-expense', fx.owner, { expense_id: a.id }, 'shared');
    expect(theirs.status).toBe(200);
    expect(theirs.headers.get('Idempotency-Replayed')).toBeNull();
  });

  it('refuses a key that is empty, too long or not printable ASCII with 400, writing nothing', async () => {
    const a = await createExpense(served().db, fx.space, { amount: '12.00', description: 'IKEA', category: 'other' }, fx.member);
    const before = await writes(a.id);
    for (const key of ['x'.repeat(256), 'clé', 'a b']) {
      const res = await post(categorize(), 'categorize-expense', fx.member, { expense_id: a.id }, key);
      expect(res.status, key).toBe(400);
    }
    expect(await writes(a.id)).toBe(before);
  });
});

describe('ai-chat with an Idempotency-Key', () => {
  let home: Household;
  beforeEach(async () => {
    home = await household(served().db);
  });

  const userTurns = async (conversationId: string) => {
    const [row] = await served().db.query<{ n: number }>(
      `select count(*)::int as n from public.ai_conversations c, jsonb_array_elements(c.messages) m
        where c.id = $1 and m ->> 'role' = 'user' and m -> 'content' -> 0 ->> 'type' = 'text'`,
      [conversationId],
    );
    return row?.n ?? 0;
  };

  it('a retried message is answered once: the replay is the first answer and the transcript holds one turn', async () => {
    const h = chatHandler(pool);
    const body = { space_id: home.space.id, message: 'How much did we spend on groceries this month?', stream: false };
    const first = await post(h, 'ai-chat', home.alice, body, 'ask-1');
    expect(first.status).toBe(200);
    const again = await post(h, 'ai-chat', home.alice, body, 'ask-1');
    expect(again.status).toBe(200);
    expect(again.headers.get('Idempotency-Replayed')).toBe('true');
    expect(again.text).toBe(first.text);
    const conversationId = (JSON.parse(first.text) as { conversation_id: string }).conversation_id;
    expect(await userTurns(conversationId)).toBe(1);
    const [conversations] = await served().db.query<{ n: number }>(
      `select count(*)::int as n from public.ai_conversations where user_id = $1`,
      [home.alice.id],
    );
    expect(conversations?.n).toBe(1);
  });

  it('a streamed answer is stored once complete and replayed whole', async () => {
    const h = chatHandler(pool);
    const body = { space_id: home.space.id, message: 'Who owes whom?', stream: true };
    const first = await post(h, 'ai-chat', home.bob, body, 'stream-1');
    expect(first.status).toBe(200);
    expect(first.text.endsWith('\n\n')).toBe(true);
    const again = await post(h, 'ai-chat', home.bob, body, 'stream-1');
    expect(again.headers.get('Idempotency-Replayed')).toBe('true');
    expect(again.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(again.text).toBe(first.text);
  });

  it('without a key, the same message sent twice is two turns, as before', async () => {
    const h = chatHandler(pool);
    const first = await post(h, 'ai-chat', home.alice, { space_id: home.space.id, message: 'Who owes whom?', stream: false });
    const conversationId = (JSON.parse(first.text) as { conversation_id: string }).conversation_id;
    await post(h, 'ai-chat', home.alice, { conversation_id: conversationId, message: 'Who owes whom?', stream: false });
    expect(await userTurns(conversationId)).toBe(2);
  });
});
