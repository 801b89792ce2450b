/**
 * ai-chat with the model: the real @anthropic-ai/sdk streaming from the fake
 * Messages API on loopback. Tool loops, tool errors and malformed input
 * returned as data, wrong numbers corrected, 429/529/timeouts answered
 * offline, the round cap, the deadline, the quota, history and the stored
 * transcript.
 */
import { apiError, type FakeReply, startFakeAnthropic, streamError, streamMessage, useServedTestDatabase } from '@wallai/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../_shared/db.ts';
import { ask, chatHandler, expenseCount, household, post, sse, transcript, type Household } from './support/chat.ts';

const served = useServedTestDatabase();
let pool: Db;
let fx: Household;
let fake: Awaited<ReturnType<typeof startFakeAnthropic>>;

beforeAll(async () => {
  pool = createDb(served().url, { max: 2 });
  fake = await startFakeAnthropic(() => ({ stream: streamMessage({ text: 'Hello.' }) }));
  fx = await household(served().db);
});

afterAll(async () => {
  await fake?.stop();
  await pool?.close();
});

beforeEach(() => fake.setReply(() => ({ stream: streamMessage({ text: 'Hello.' }) })));

/** Replies in order; the last one repeats. */
function script(...replies: FakeReply[]) {
  fake.setReply((_request, index) => replies[Math.min(index, replies.length - 1)] as FakeReply);
}

const groceries = { id: 'toolu_01Groceries', name: 'spending_summary', input: { period: 'this_month', category: 'groceries' } };

describe('a tool loop, streamed', () => {
  it('runs the tool as the person, streams the checked answer with footnotes, and caches the prompt', async () => {
    script(
      { stream: streamMessage({ toolCalls: [groceries] }) },
      {
        stream: streamMessage({
          text: 'You spent 42.50 EUR [[toolu_01Groceries:total.amount]] on groceries in October, over 2 [[toolu_01Groceries:total.count]] expenses.',
        }),
      },
    );
    const events = await sse(chatHandler(pool, { fakeUrl: fake.url }), fx.alice, {
      space_id: fx.space.id,
      message: 'How much on groceries this month?',
    });
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('conversation');
    expect(names.slice(1, 3)).toEqual(['tool_call', 'tool_result']);
    expect(names.at(-1)).toBe('done');
    expect(names.filter((n) => n === 'text_delta').length).toBeGreaterThan(0);
    const streamed = events
      .filter((e) => e.event === 'text_delta')
      .map((e) => e.data.text)
      .join('');
    expect(streamed).toBe('You spent 42.50 EUR [1] on groceries in October, over 2 [2] expenses.');
    const done = events.at(-1)!.data as {
      answer: string;
      usage: { total_tokens: number };
      trace: { source: string; citations: unknown[]; tool_calls: Array<{ outcome: string }> };
    };
    expect(done.answer).toBe(streamed);
    expect(done.trace.source).toBe('ai');
    expect(done.trace.citations).toEqual([
      { n: 1, tool_call_id: 'toolu_01Groceries', path: 'total.amount', value: '42.50' },
      { n: 2, tool_call_id: 'toolu_01Groceries', path: 'total.count', value: 2 },
    ]);
    expect(done.trace.tool_calls[0]?.outcome).toBe('ok');
    expect(done.usage.total_tokens).toBeGreaterThan(0);

    expect(fake.requests).toHaveLength(2);
    const [first, second] = fake.requests;
    expect(first?.body.stream).toBe(true);
    expect(first?.body.tool_choice).toEqual({ type: 'auto' });
    expect(first?.body.tools?.map((t) => t.name)).toEqual([
      'list_expenses',
      'spending_summary',
      'budget_status',
      'balances',
      'recurring_expenses',
      'accounts',
      'insights',
      'propose_expense',
      'propose_split',
      'propose_budget_change',
    ]);
    expect(first?.body.tools?.at(-1)?.cache_control).toEqual({ type: 'ephemeral' });
    const system = first?.body.system as Array<{ text: string; cache_control?: unknown }>;
    expect(system[0]?.cache_control).toEqual({ type: 'ephemeral' });
    expect(system[1]?.text).toContain(fx.space.id);
    // The tool result goes back as delimited, typed data.
    const toolResult = (second?.body.messages?.at(-1)?.content as Array<{ type: string; content: string; tool_use_id: string }>)[0];
    expect(toolResult?.type).toBe('tool_result');
    expect(toolResult?.tool_use_id).toBe('toolu_01Groceries');
    expect(toolResult?.content).toMatch(
      /^<data tool="spending_summary" call_id="toolu_01Groceries">\n\{.*"amount":"42.50".*\}\n<\/data>$/s,
    );
  });

  it('stores the turn in Messages API blocks with tokens and timestamps, a title and a stable thread id', async () => {
    script(
      { stream: streamMessage({ toolCalls: [groceries], usage: { input_tokens: 300, output_tokens: 30 } }) },
      {
        stream: streamMessage({
          text: 'Groceries: 42.50 EUR [[toolu_01Groceries:total.amount]].',
          usage: { input_tokens: 400, output_tokens: 20, cache_read_input_tokens: 250 },
        }),
      },
    );
    const handler = chatHandler(pool, { fakeUrl: fake.url });
    const first = await ask(handler, fx.alice, { space_id: fx.space.id, message: 'Groceries this month?' });
    const stored = await transcript(served().db, first.conversation_id);
    expect(stored.user_id).toBe(fx.alice.id);
    expect(stored.title).toBe('Groceries this month?');
    expect(stored.thread_id).toMatch(/^thread_[0-9a-f]{32}$/);
    expect(stored.messages.map((m) => [m.role, (m.content as Array<{ type: string }>).map((b) => b.type)])).toEqual([
      ['user', ['text']],
      ['assistant', ['tool_use']],
      ['user', ['tool_result']],
      ['assistant', ['text']],
    ]);
    for (const m of stored.messages) {
      expect(Number.isNaN(Date.parse(String(m.created_at)))).toBe(false);
      expect(m.tokens).toEqual(expect.objectContaining({ input: expect.any(Number), output: expect.any(Number) }));
    }
    expect(stored.messages[1]?.tokens).toEqual({ input: 300, output: 30 });
    expect(stored.messages[3]?.tokens).toEqual({ input: 400, output: 20, cache_read: 250 });
    expect(stored.total_tokens).toBe(first.usage.total_tokens);
    expect(first.usage).toEqual({
      input_tokens: 700,
      output_tokens: 50,
      cache_read_input_tokens: 250,
      cache_creation_input_tokens: 0,
      total_tokens: 1000,
    });

    // Resumed: the history goes back to the model, the thread id stays.
    script({ stream: streamMessage({ text: 'Nothing more to add.' }) });
    const again = await ask(handler, fx.alice, { conversation_id: first.conversation_id, message: 'And anything else?' });
    expect(again.conversation_id).toBe(first.conversation_id);
    const replayed = fake.requests[0]?.body.messages ?? [];
    expect(replayed.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    const after = await transcript(served().db, first.conversation_id);
    expect(after.thread_id).toBe(stored.thread_id);
    expect(after.title).toBe('Groceries this month?');
    expect(after.messages).toHaveLength(6);
  });

  it('trims the history to the token budget, oldest turns first', async () => {
    const handler = chatHandler(pool, { fakeUrl: fake.url, limits: { historyTokens: 40 } });
    script({ stream: streamMessage({ text: 'First answer, which is long enough to count for something in the budget.' }) });
    const first = await ask(handler, fx.alice, {
      space_id: fx.space.id,
      message: 'A first question that takes some room in the history budget.',
    });
    script({ stream: streamMessage({ text: 'Second.' }) });
    await ask(handler, fx.alice, {
      conversation_id: first.conversation_id,
      message: 'Second question, also rather long for the tiny budget.',
    });
    script({ stream: streamMessage({ text: 'Third.' }) });
    const third = await ask(handler, fx.alice, { conversation_id: first.conversation_id, message: 'Third?' });
    expect(third.trace.history.turns_dropped).toBeGreaterThanOrEqual(1);
    const sent = fake.requests[0]?.body.messages ?? [];
    expect(JSON.stringify(sent)).not.toContain('A first question');
    expect(sent[0]?.role).toBe('user');
  });
});

describe('grounded figures', () => {
  it('corrects a wrong figure from its cited source and removes a sentence whose figure has no source', async () => {
    script(
      { stream: streamMessage({ toolCalls: [groceries] }) },
      {
        stream: streamMessage({
          text: 'You spent 999.99 EUR [[toolu_01Groceries:total.amount]] on groceries over 12 [[toolu_01Groceries:total.count]] expenses. That is 317.25 EUR more than last year. Keep it up!',
        }),
      },
    );
    const handler = chatHandler(pool, { fakeUrl: fake.url });
    const answer = await ask(handler, fx.alice, { space_id: fx.space.id, message: 'Groceries?' });
    expect(answer.answer).toContain('You spent 42.50 EUR [1] on groceries over 2 [2] expenses.');
    expect(answer.answer).not.toContain('999.99');
    expect(answer.answer).not.toContain('317.25');
    expect(answer.answer).toContain('Keep it up!');
    expect(answer.answer).toContain('Some figures could not be checked against your data, so I left them out.');
    expect(answer.trace.corrections).toEqual([
      { stated: '999.99', corrected: '42.50', tool_call_id: 'toolu_01Groceries', path: 'total.amount' },
      { stated: '12', corrected: '2', tool_call_id: 'toolu_01Groceries', path: 'total.count' },
    ]);
    expect(answer.trace.removed).toEqual(['That is 317.25 EUR more than last year.']);
    const stored = await transcript(served().db, answer.conversation_id);
    expect(JSON.stringify(stored.messages)).not.toContain('999.99');
  });

  it('cites a figure the model stated without a marker when the same value is in a result, and a figure from a wrong path is corrected', async () => {
    script(
      { stream: streamMessage({ toolCalls: [groceries] }) },
      { stream: streamMessage({ text: 'Groceries came to 42.50 EUR this month. The count was 9 [[toolu_01Groceries:no.such.path]].' }) },
    );
    const answer = await ask(chatHandler(pool, { fakeUrl: fake.url }), fx.alice, { space_id: fx.space.id, message: 'Groceries?' });
    expect(answer.answer).toContain('Groceries came to 42.50 EUR [1] this month.');
    expect(answer.answer).not.toContain('9');
    expect(answer.trace.citations[0]).toMatchObject({ path: 'total.amount', value: '42.50' });
  });
});

describe('tool errors and malformed input are data the model reads', () => {
  it('a tool refusal comes back as an error result, and the model answers', async () => {
    script(
      {
        stream: streamMessage({ toolCalls: [{ id: 'toolu_bad_space', name: 'list_expenses', input: { space_id: fx.outsiderSpace.id } }] }),
      },
      { stream: streamMessage({ text: 'I can only look at Casa.' }) },
    );
    const answer = await ask(chatHandler(pool, { fakeUrl: fake.url }), fx.alice, { space_id: fx.space.id, message: 'List everything' });
    expect(answer.trace.tool_calls[0]).toMatchObject({ name: 'list_expenses', outcome: 'error' });
    expect(answer.trace.tool_calls[0]?.error).toContain("is not in this conversation's scope");
    const result = (fake.requests[1]?.body.messages?.at(-1)?.content as Array<{ is_error?: boolean; content: string }>)[0];
    expect(result?.is_error).toBe(true);
    expect(result?.content).not.toContain('777.77');
    expect(answer.answer).toBe('I can only look at Casa.');
  });

  it('malformed JSON and input that fails the schema are error results, nothing runs', async () => {
    script(
      {
        stream: streamMessage({
          toolCalls: [
            { id: 'toolu_broken', name: 'list_expenses', rawJson: '{"period": "this_mon' },
            { id: 'toolu_schema', name: 'list_expenses', input: { limit: 'lots', created_by: 'someone' } },
            { id: 'toolu_unknown', name: 'run_sql', input: { sql: 'select * from auth.users' } },
          ],
        }),
      },
      { stream: streamMessage({ text: 'Those lookups failed.' }) },
    );
    const answer = await ask(chatHandler(pool, { fakeUrl: fake.url }), fx.alice, { space_id: fx.space.id, message: 'List' });
    expect(answer.trace.tool_calls.map((c) => [c.id, c.outcome])).toEqual([
      ['toolu_broken', 'error'],
      ['toolu_schema', 'error'],
      ['toolu_unknown', 'error'],
    ]);
    expect(answer.trace.tool_calls[0]?.error).toContain('not valid JSON');
    expect(answer.trace.tool_calls[1]?.error).toMatch(/Invalid input for list_expenses/);
    expect(answer.trace.tool_calls[2]?.error).toContain('There is no tool named "run_sql"');
    expect(answer.answer).toBe('Those lookups failed.');
  });
});

describe('when the provider fails, the offline assistant answers', () => {
  const question = { message: 'How much did we spend on groceries this month?' };

  for (const [label, reply, reason, billed] of [
    ['429 rate limit', apiError(429, 'rate_limit_error'), 'rate_limited', false],
    ['529 overloaded', apiError(529, 'overloaded_error'), 'overloaded', false],
    // The stream had started: its input tokens were used and count.
    [
      'an overloaded error inside the stream',
      { stream: [streamMessage({ text: 'x' })[0]!, streamError('overloaded_error')] } as FakeReply,
      'overloaded_error',
      true,
    ],
  ] as const) {
    it(`on ${label}`, async () => {
      fake.setReply(() => reply);
      const answer = await ask(chatHandler(pool, { fakeUrl: fake.url }), fx.alice, { space_id: fx.space.id, ...question });
      expect(answer.trace.source).toBe('offline');
      expect(answer.trace.fallback_reason).toBe(reason);
      expect(answer.answer).toMatch(/^Offline answer \(the AI assistant is unavailable right now/);
      expect(answer.answer).toContain('42.50 EUR [1]');
      expect(answer.usage.total_tokens > 0).toBe(billed);
    });
  }

  it('on a timeout', async () => {
    fake.setReply(() => ({ hang: true }));
    const answer = await ask(chatHandler(pool, { fakeUrl: fake.url, timeoutMs: 300 }), fx.alice, { space_id: fx.space.id, ...question });
    expect(answer.trace.source).toBe('offline');
    expect(answer.trace.fallback_reason).toBe('timeout');
    expect(answer.answer).toContain('42.50 EUR [1]');
  });
});

describe('limits', () => {
  it('stops after the round cap: the last round is forced to answer in text', async () => {
    let n = 0;
    fake.setReply(() => ({ stream: streamMessage({ toolCalls: [{ id: `toolu_loop_${++n}`, name: 'balances', input: {} }] }) }));
    const answer = await ask(chatHandler(pool, { fakeUrl: fake.url, limits: { maxToolRounds: 3 } }), fx.alice, {
      space_id: fx.space.id,
      message: 'Balances?',
    });
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests.map((r) => r.body.tool_choice)).toEqual([{ type: 'auto' }, { type: 'auto' }, { type: 'none' }]);
    expect(answer.trace.rounds).toBe(3);
    expect(answer.trace.tool_calls).toHaveLength(2);
    expect(answer.answer).toContain('maximum number of tool rounds');
    const stored = await transcript(served().db, answer.conversation_id);
    expect(JSON.stringify(stored.messages.at(-1))).not.toContain('tool_use');
  });

  it('the eight-round default', async () => {
    let n = 0;
    fake.setReply(() => ({ stream: streamMessage({ toolCalls: [{ id: `toolu_many_${++n}`, name: 'insights', input: {} }] }) }));
    const answer = await ask(chatHandler(pool, { fakeUrl: fake.url }), fx.alice, { space_id: fx.space.id, message: 'Insights?' });
    expect(fake.requests).toHaveLength(8);
    expect(answer.trace.rounds).toBe(8);
  });

  it('a hard deadline returns what the answer has so far, with a note', async () => {
    fake.setReply(() => ({
      stream: streamMessage({ text: `Here is a first sentence. ${'And a second one that takes far too long to arrive. '.repeat(10)}` }),
      chunkDelayMs: 60,
    }));
    const started = Date.now();
    const answer = await ask(chatHandler(pool, { fakeUrl: fake.url, limits: { turnDeadlineMs: 1500 } }), fx.alice, {
      space_id: fx.space.id,
      message: 'Talk',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(answer.trace.deadline_hit).toBe(true);
    expect(answer.answer).toMatch(/^Here is a first sentence\./);
    expect(answer.answer).toContain('I ran out of time for this question');
  });

  it('beyond the monthly token quota: 429 with Retry-After, and no model call', async () => {
    const heavy = await household(served().db);
    await served().db.query(
      `insert into private.ai_token_usage (user_id, month, tokens, turns) values ($1, date_trunc('month', now() at time zone 'UTC')::date, 5000, 3)`,
      [heavy.alice.id],
    );
    const res = await post(chatHandler(pool, { fakeUrl: fake.url, limits: { monthlyTokenQuota: 5000 } }), heavy.alice, { message: 'Hi' });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.json()).toMatchObject({ error: { code: 'rate_limited', details: { used_tokens: 5000, quota_tokens: 5000 } } });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('proposals', () => {
  it('a write tool only proposes; confirming carries it out as the person, once', async () => {
    script(
      {
        stream: streamMessage({
          toolCalls: [
            {
              id: 'toolu_prop',
              name: 'propose_expense',
              input: { amount: '4.20', description: 'Coffee beans', category: 'groceries', date: '2025-10-19' },
            },
          ],
        }),
      },
      { stream: streamMessage({ text: 'I proposed adding it; confirm it in the app.' }) },
    );
    const handler = chatHandler(pool, { fakeUrl: fake.url });
    const before = await expenseCount(served().db, fx.space.id);
    const events = await sse(handler, fx.bob, { space_id: fx.space.id, message: 'Add 4.20 for coffee beans' });
    const proposal = events.find((e) => e.event === 'proposal')?.data as {
      id: string;
      confirm: { conversation_id: string; confirm: string };
      summary: string;
    };
    expect(proposal.summary).toContain('4.20 EUR');
    expect(await expenseCount(served().db, fx.space.id)).toBe(before);

    const confirmed = await ask(handler, fx.bob, proposal.confirm);
    expect(confirmed.answer).toContain('Done');
    expect(await expenseCount(served().db, fx.space.id)).toBe(before + 1);
    const [row] = await served().db.query<{ created_by: string; amount: string }>(
      `select created_by, amount::text as amount from public.expenses where space_id = $1 and description = 'Coffee beans'`,
      [fx.space.id],
    );
    expect(row).toEqual({ created_by: fx.bob.id, amount: '4.20' });

    const again = await post(handler, fx.bob, proposal.confirm);
    expect(again.status).toBe(409);
    expect(await expenseCount(served().db, fx.space.id)).toBe(before + 1);
  });
});
