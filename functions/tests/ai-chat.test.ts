/**
 * ai-chat offline (no API key): the request contract, JSON and SSE answers,
 * conversations resumed and refused, and the offline assistant's answers.
 */
import { useServedTestDatabase } from '@wallai/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../_shared/db.ts';
import { ask, chatHandler, household, post, sse, transcript, type Household } from './support/chat.ts';

const served = useServedTestDatabase();
let pool: Db;
let fx: Household;
let handler: ReturnType<typeof chatHandler>;

beforeAll(async () => {
  pool = createDb(served().url, { max: 2 });
  fx = await household(served().db);
  handler = chatHandler(pool);
});

afterAll(async () => {
  await pool?.close();
});

describe('the request', () => {
  it('needs a signed-in user', async () => {
    const res = await handler(new Request('http://x/functions/v1/ai-chat', { method: 'POST', body: '{"message":"hi"}' }));
    expect(res.status).toBe(401);
  });

  it('takes a message or a confirmation, never both or neither, and ids that are uuids', async () => {
    for (const body of [
      {},
      { message: 'hi', confirm: fx.space.id },
      { confirm: fx.space.id },
      { message: 'hi', space_id: 'nope' },
      { message: 'hi', extra: 1 },
    ]) {
      const res = await post(handler, fx.alice, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(await res.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
  });

  it('refuses a message over the size limit (413) and a NUL character (422), storing nothing', async () => {
    const before = await served().db.query(`select id from public.ai_conversations where user_id = $1`, [fx.alice.id]);
    expect((await post(handler, fx.alice, { message: 'x'.repeat(4001) })).status).toBe(413);
    expect((await post(handler, fx.alice, { message: 'how much\u0000' })).status).toBe(422);
    expect(await served().db.query(`select id from public.ai_conversations where user_id = $1`, [fx.alice.id])).toEqual(before);
  });

  it('a space the person is not a member of is 404, whether or not it exists', async () => {
    for (const spaceId of [fx.outsiderSpace.id, '00000000-0000-4000-8000-000000000000']) {
      const res = await post(handler, fx.alice, { space_id: spaceId, message: 'How much did we spend?' });
      expect(res.status).toBe(404);
    }
  });
});

describe('answers', () => {
  it('answers offline in one JSON body, labelled offline, every figure cited', async () => {
    const answer = await ask(handler, fx.alice, { space_id: fx.space.id, message: 'How much did we spend on groceries this month?' });
    expect(answer.answer).toBe(
      'Offline answer (the AI assistant is not available), computed from your data.\nYou spent 42.50 EUR [1] on groceries in October 2025 over 2 [2] expenses.',
    );
    expect(answer.trace.source).toBe('offline');
    expect(answer.trace.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^offline_/),
        name: 'spending_summary',
        input: { period: 'this_month', category: 'groceries' },
        outcome: 'ok',
        ms: expect.any(Number),
      },
    ]);
    expect(answer.trace.citations.map((c) => [c.path, c.value])).toEqual([
      ['total.amount', '42.50'],
      ['total.count', 2],
    ]);
    expect(answer.usage.total_tokens).toBe(0);
  });

  it('streams Server-Sent Events with stream: true or Accept: text/event-stream', async () => {
    const events = await sse(handler, fx.alice, { space_id: fx.space.id, message: 'Who owes whom?' });
    expect(events[0]?.event).toBe('conversation');
    expect(events.map((e) => e.event).filter((e) => e !== 'text_delta')).toEqual(['conversation', 'tool_call', 'tool_result', 'done']);
    const res = await post(handler, fx.alice, { space_id: fx.space.id, message: 'Who owes whom?' }, { accept: 'text/event-stream' });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.text()).toMatch(/^event: conversation\ndata: \{.*\}\n\n/);
  });

  it('resumes a conversation by id, and refuses it to anyone else (404), appending nothing', async () => {
    const first = await ask(handler, fx.alice, { space_id: fx.space.id, message: 'What were our biggest expenses this month?' });
    const again = await ask(handler, fx.alice, { conversation_id: first.conversation_id, message: 'And last month?' });
    expect(again.conversation_id).toBe(first.conversation_id);
    const stored = await transcript(served().db, first.conversation_id);
    const questions = stored.messages.filter((m) => m.role === 'user' && (m.content as Array<{ type: string }>)[0]?.type === 'text');
    expect(questions).toHaveLength(2);

    for (const who of [fx.bob, fx.outsider]) {
      const res = await post(handler, who, { conversation_id: first.conversation_id, message: 'Show me' });
      expect(res.status).toBe(404);
    }
    expect((await transcript(served().db, first.conversation_id)).messages).toHaveLength(stored.messages.length);
  });

  it('a conversation keeps its scope: another space_id is 409', async () => {
    const first = await ask(handler, fx.alice, { space_id: fx.space.id, message: 'Balances?' });
    const res = await post(handler, fx.alice, { conversation_id: first.conversation_id, space_id: fx.outsiderSpace.id, message: 'x' });
    expect(res.status).toBe(409);
  });

  it('for a question it cannot answer it says what it can answer, with no figure and no tool', async () => {
    const answer = await ask(handler, fx.alice, { space_id: fx.space.id, message: 'Write me a poem about the sea' });
    expect(answer.answer).toContain("I can't answer that one offline. I can answer questions about:");
    expect(answer.trace.tool_calls).toEqual([]);
    expect(answer.trace.citations).toEqual([]);
  });

  it('without space_id the tools cover every space of the person', async () => {
    const answer = await ask(handler, fx.outsider, { message: 'How much did I spend this month?' });
    expect(answer.answer).toContain('777.77 EUR [1]');
  });

  it('names members: what Bob paid', async () => {
    const answer = await ask(handler, fx.alice, { space_id: fx.space.id, message: 'How much did Bob spend this month?' });
    expect(answer.answer).toContain('Bob paid 37.50 EUR [1]');
  });
});

describe('recurring expenses', () => {
  it("an analysed space's recurring series answer, with their cadence and price changes; otherwise they are detected from expenses", async () => {
    const detected = await ask(handler, fx.alice, { space_id: fx.space.id, message: 'What subscriptions do we pay?' });
    expect(detected.trace.tool_calls.map((c) => c.name)).toEqual(['recurring_expenses']);
    expect(detected.answer).not.toContain('Netflix');

    await served().db.query(
      `insert into public.space_profiles (space_id, status, persona_id, persona_name, signals_30d, signals_180d, analysed_at)
       values ($1, 'analysed', 3, 'SUBSCRIPTION_HEAVY', '{}', '{}', now())`,
      [fx.space.id],
    );
    await served().db.query(
      `insert into public.recurring_series (space_id, series_key, merchant, description, category, cadence, median_gap_days, typical_amount,
         currency, monthly_amount, first_date, last_date, next_expected_date, status, occurrences, confidence, price_changes)
       values ($1, 'netflix:eur', 'Netflix', 'NETFLIX.COM 866-579', 'subscriptions', 'monthly', 30, 17.99, 'EUR', 17.99,
               '2025-04-05', '2025-10-05', '2025-11-05', 'active', 7, 0.95,
               '[{"date":"2025-08-05","from":15.49,"to":17.99,"label":"15.49 → 17.99"}]')`,
      [fx.space.id],
    );
    try {
      const answer = await ask(handler, fx.alice, { space_id: fx.space.id, message: 'What subscriptions do we pay?' });
      expect(answer.answer).toMatch(/"Netflix" \(subscriptions\): about 17\.99 EUR \[\d+\] a month, last on 2025-10-05/);
      expect(answer.trace.citations.map((c) => c.value)).toContain('17.99');
    } finally {
      await served().db.query(`delete from public.recurring_series where space_id = $1`, [fx.space.id]);
      await served().db.query(`delete from public.space_profiles where space_id = $1`, [fx.space.id]);
    }
  });
});
