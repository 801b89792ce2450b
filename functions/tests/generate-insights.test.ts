/**
 * generate-insights through its HTTP handler (postgres.js on the served test
 * database, real JWT verification): the service role's batch and single runs,
 * members' refreshes (RLS, rate limit per space, approved recommendations
 * only), consent, and the LLM phrasing through the real SDK against the fake
 * Messages API: nothing is sent without consent, and a phrasing with other
 * figures is discarded for the template.
 */
import {
  addMember,
  anonKey,
  createSpace,
  type FakeReply,
  insightsHousehold,
  promptOf,
  startFakeAnthropic,
  TEST_JWT_SECRET,
  type TestUser,
  tokenFor,
  toolAnswer,
  useServedTestDatabase,
} from '@wallai/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicClient } from '../_shared/ai.ts';
import { createJwtVerifier } from '../_shared/auth.ts';
import { createDb, type Db } from '../_shared/db.ts';
import { fixedWindowRateLimiter } from '../_shared/rate-limit.ts';
import { createHandler, type GenerateInsightsDeps } from '../generate-insights/handler.ts';
import { TOOL_NAME } from '../generate-insights/phraser.ts';

const served = useServedTestDatabase();
const SERVICE_KEY = 'sb_secret_test-service-role-key';
let pool: Db;
let fake: Awaited<ReturnType<typeof startFakeAnthropic>>;
let answer: (prompt: string) => FakeReply = () => ({ status: 500, body: {} });

beforeAll(async () => {
  pool = createDb(served().url, { max: 2 });
  fake = await startFakeAnthropic((request) => answer(promptOf(request)));
});

afterAll(async () => {
  await pool?.close();
  await fake?.stop();
});

function handler(overrides: Partial<GenerateInsightsDeps> = {}) {
  return createHandler({
    db: pool,
    verifyToken: createJwtVerifier({ secret: TEST_JWT_SECRET }),
    serviceRoleKey: SERVICE_KEY,
    ai: null,
    log: () => {},
    ...overrides,
  });
}

const withFakeAi = (overrides: Partial<GenerateInsightsDeps> = {}) =>
  handler({
    ai: createAnthropicClient({
      anthropicApiKey: 'sk-ant-test-key',
      anthropicBaseUrl: fake.url,
      anthropicModel: 'claude-haiku-4-5',
      anthropicTimeoutMs: 2_000,
      anthropicMaxRetries: 0,
    }),
    ...overrides,
  });

async function post(body: unknown, as: TestUser | string | null, h = handler(), idempotencyKey?: string): Promise<Response> {
  const token = as === null ? null : typeof as === 'string' ? as : await tokenFor(as.actor);
  return h(
    new Request('http://127.0.0.1:54321/functions/v1/generate-insights', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey }),
      },
      body: JSON.stringify(body),
    }),
  );
}

interface SpaceBody {
  space_id: string;
  outcome: string;
  reason?: string;
  persona: { id: number; name: string; changed: boolean } | null;
  insights: Array<{ id: string; type: string; title: string; description: string; review_status?: string; phrasing: string }>;
  awaiting_review?: number;
  guardrails: { consent: { ok: boolean }; phrasing: { sent: boolean; attempted: number; accepted: number } };
}

async function ok<T = SpaceBody>(res: Response): Promise<T> {
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as T;
}

async function errorOf(res: Response): Promise<{ status: number; code: string }> {
  const body = (await res.json()) as { error: { code: string } };
  return { status: res.status, code: body.error.code };
}

describe('who may call it', () => {
  it('refuses no token, the anon key, and a signed-in person outside the space', async () => {
    const home = await insightsHousehold(served().db);
    const stranger = (await createSpace(served().db)).owner;
    expect(await errorOf(await post({ space_id: home.space.id }, null))).toEqual({ status: 401, code: 'missing_token' });
    expect(await errorOf(await post({ space_id: home.space.id }, await anonKey()))).toEqual({ status: 401, code: 'not_a_user' });
    expect(await errorOf(await post({ space_id: home.space.id }, stranger))).toEqual({ status: 404, code: 'not_found' });
    expect(await served().db.query(`select id from public.space_profiles where space_id = $1`, [home.space.id])).toEqual([]);
  });

  it("a member must name their space; a batch is the service role's", async () => {
    const home = await insightsHousehold(served().db);
    expect(await errorOf(await post({}, home.alice))).toEqual({ status: 422, code: 'validation_failed' });
    expect(await errorOf(await post({ limit: 10 }, home.alice))).toEqual({ status: 422, code: 'validation_failed' });
  });

  it("members refresh their space at most the limit's times per window, whoever of them asks", async () => {
    const home = await insightsHousehold(served().db);
    const h = handler({ rateLimiter: fixedWindowRateLimiter({ limit: 1, windowMs: 60_000 }) });
    await ok(await post({ space_id: home.space.id }, home.alice, h));
    expect(await errorOf(await post({ space_id: home.space.id }, home.bob, h))).toEqual({ status: 429, code: 'rate_limited' });
  });
});

describe('runs', () => {
  it('the service role (its key) runs one space; the response lists the insights and guardrails', async () => {
    const home = await insightsHousehold(served().db);
    const body = await ok(await post({ space_id: home.space.id }, SERVICE_KEY));
    expect(body).toMatchObject({
      space_id: home.space.id,
      outcome: 'analysed',
      guardrails: { consent: { ok: true }, phrasing: { sent: false } },
    });
    expect(body.persona?.changed).toBe(true);
    expect(body.insights.length).toBeGreaterThan(0);
    expect(body.insights.every((i) => i.phrasing === 'template')).toBe(true);
  });

  it('a service_role JWT runs a batch page and says where the next one starts', async () => {
    await insightsHousehold(served().db);
    await createSpace(served().db);
    const token = await tokenFor({ role: 'service_role' });
    const page = await ok<{ processed: number; next_after: string | null; spaces: Array<{ space_id: string; outcome: string }> }>(
      await post({ limit: 1 }, token),
    );
    expect(page.processed).toBe(1);
    expect(page.next_after).toBe(page.spaces[0]!.space_id);
    const next = await ok<{ spaces: Array<{ space_id: string }> }>(await post({ limit: 1, after: page.next_after }, token));
    expect(next.spaces[0]!.space_id > page.spaces[0]!.space_id).toBe(true);
  });

  it('a member sees approved recommendations only: pending ones are counted, not shown', async () => {
    const home = await insightsHousehold(served().db);
    const full = await ok(await post({ space_id: home.space.id }, SERVICE_KEY));
    const pending = full.insights.filter((i) => i.type === 'recommendation' && i.review_status === 'pending');
    const mine = await ok(await post({ space_id: home.space.id }, home.bob));
    expect(mine.insights.filter((i) => i.type === 'recommendation' && i.review_status !== 'approved')).toEqual([]);
    expect(mine.awaiting_review).toBe(pending.length);
  });

  it('a space with a member who did not consent gets no insights, and nothing reaches the Messages API', async () => {
    const home = await insightsHousehold(served().db);
    await addMember(served().db, home.space, 'member');
    const before = fake.requests.length;
    const body = await ok(await post({ space_id: home.space.id }, home.alice, withFakeAi()));
    expect(body).toMatchObject({ outcome: 'consent_missing', insights: [], persona: null, guardrails: { phrasing: { sent: false } } });
    expect(body.reason).toMatch(/not consented/);
    expect(fake.requests.length).toBe(before);
  });
});

describe('a retried refresh (Idempotency-Key)', () => {
  const echo = (prompt: string): FakeReply => {
    const insight = JSON.parse(prompt.slice(prompt.indexOf('{'), prompt.lastIndexOf('}') + 1)) as { title: string; description: string };
    return toolAnswer({ title: insight.title, description: insight.description }, 'claude-haiku-4-5', TOOL_NAME);
  };
  const profileStamp = async (spaceId: string) =>
    (
      await served().db.query<{ updated_at: string }>(
        `select updated_at::text as updated_at from public.space_profiles where space_id = $1`,
        [spaceId],
      )
    )[0]?.updated_at;

  it('is answered from the first run: not analysed again, no second LLM call, no second refresh taken from the limit', async () => {
    const home = await insightsHousehold(served().db);
    answer = echo;
    const h = withFakeAi({ rateLimiter: fixedWindowRateLimiter({ limit: 1, windowMs: 60_000 }) });
    const first = await post({ space_id: home.space.id }, home.alice, h, 'refresh-1');
    const firstText = await first.text();
    expect(first.status, firstText).toBe(200);
    expect(first.headers.get('Idempotency-Replayed')).toBeNull();
    const stamp = await profileStamp(home.space.id);
    const calls = fake.requests.length;
    expect(JSON.parse(firstText)).toMatchObject({ outcome: 'analysed', guardrails: { phrasing: { sent: true } } });

    const retry = await post({ space_id: home.space.id }, home.alice, h, 'refresh-1');
    expect(retry.status).toBe(200);
    expect(retry.headers.get('Idempotency-Replayed')).toBe('true');
    expect(JSON.parse(await retry.text())).toEqual(JSON.parse(firstText));
    expect(await profileStamp(home.space.id)).toBe(stamp);
    expect(fake.requests.length).toBe(calls);
    // A new refresh (another key) is a new run, and the one refresh of this window is spent.
    expect(await errorOf(await post({ space_id: home.space.id }, home.alice, h, 'refresh-2'))).toEqual({
      status: 429,
      code: 'rate_limited',
    });
  });

  it('the same key for another space is refused with 422 idempotency_key_reused, and that space is not analysed', async () => {
    const home = await insightsHousehold(served().db);
    const second = await createSpace(served().db, { owner: home.alice });
    await ok(await post({ space_id: home.space.id }, home.alice, handler(), 'k'));
    const reused = await post({ space_id: second.id }, home.alice, handler(), 'k');
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ error: { code: 'validation_failed', details: { reason: 'idempotency_key_reused' } } });
    expect(await profileStamp(second.id)).toBeUndefined();
  });

  it('a refused refresh frees its key: after a 429 the retry with the same key runs once the limit allows', async () => {
    const home = await insightsHousehold(served().db);
    let clock = 0;
    const h = handler({ rateLimiter: fixedWindowRateLimiter({ limit: 1, windowMs: 60_000, now: () => clock }) });
    await ok(await post({ space_id: home.space.id }, home.alice, h));
    expect(await errorOf(await post({ space_id: home.space.id }, home.bob, h, 'later'))).toEqual({ status: 429, code: 'rate_limited' });
    clock += 60_000;
    const retry = await post({ space_id: home.space.id }, home.bob, h, 'later');
    expect(retry.status).toBe(200);
    expect(retry.headers.get('Idempotency-Replayed')).toBeNull();
  });
});

describe('LLM phrasing (fake Messages API)', () => {
  it('keeps a phrasing with the same figures and discards one with other figures for the template', async () => {
    const home = await insightsHousehold(served().db);
    let n = 0;
    answer = (prompt) => {
      n += 1;
      const insight = JSON.parse(prompt.slice(prompt.indexOf('{'), prompt.lastIndexOf('}') + 1)) as { title: string; description: string };
      return toolAnswer(
        n === 1
          ? { title: insight.title, description: insight.description }
          : { title: insight.title, description: 'You spent 123456.78 more.' },
        'claude-haiku-4-5',
        TOOL_NAME,
      );
    };
    const before = fake.requests.length;
    const body = await ok(await post({ space_id: home.space.id }, SERVICE_KEY, withFakeAi()));
    const sent = fake.requests.slice(before);
    expect(sent.length).toBe(body.guardrails.phrasing.attempted);
    expect(sent.every((r) => (r.body.tool_choice as { name?: string }).name === TOOL_NAME)).toBe(true);
    expect(body.guardrails.phrasing).toMatchObject({ sent: true, accepted: 1 });
    expect(body.insights.filter((i) => i.phrasing === 'llm')).toHaveLength(1);
    expect(body.insights.some((i) => i.description.includes('123456.78'))).toBe(false);
  });

  it('the templates stand when the Messages API is down', async () => {
    const home = await insightsHousehold(served().db);
    answer = () => ({ status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'fake' } } });
    const body = await ok(await post({ space_id: home.space.id }, SERVICE_KEY, withFakeAi()));
    expect(body.outcome).toBe('analysed');
    expect(body.guardrails.phrasing).toMatchObject({ sent: true, accepted: 0 });
    expect(body.insights.every((i) => i.phrasing === 'template')).toBe(true);
  });
});
