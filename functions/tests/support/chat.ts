/**
 * Shared by the ai-chat tests: a household with known figures, the handler
 * built around the real SDK (or offline), and a parser for its SSE stream.
 */
import Anthropic from '@anthropic-ai/sdk';
import { anthropicModel } from '@wallai/assistant/anthropic';
import type { ChatLimits } from '@wallai/assistant/service';
import type { SqlClient } from '@wallai/db-client';
import {
  addMember,
  createBudget,
  createExpense,
  createSpace,
  createUser,
  queryAs,
  TEST_JWT_SECRET,
  tokenFor,
  type TestSpace,
  type TestUser,
} from '@wallai/testing';
import { createHandler } from '../../ai-chat/handler.ts';
import { createJwtVerifier } from '../../_shared/auth.ts';
import type { Db } from '../../_shared/db.ts';

/** Every test runs on 20 October 2025, noon in Madrid. */
export const NOW = new Date('2025-10-20T10:00:00Z');

export interface Household {
  space: TestSpace;
  alice: TestUser;
  bob: TestUser;
  viewer: TestUser;
  /** Not in the household; owns a space of their own. */
  outsider: TestUser;
  outsiderSpace: TestSpace;
  budgetId: string;
  groceryIds: string[];
}

/**
 * Alice (owner) and Bob (member) in "Casa" (EUR, Madrid), a 50/30/20 October
 * budget of 4000, groceries 30.00 + 12.50 = 42.50 in October (2 expenses), a
 * dining 25.00, September groceries 20.00; an outsider with a space of their own.
 */
export async function household(db: SqlClient): Promise<Household> {
  const alice = await createUser(db, { metadata: { full_name: 'Alice Martin' } });
  const bob = await createUser(db, { metadata: { full_name: 'Bob Stone' } });
  const space = await createSpace(db, { owner: alice, name: 'Casa', currency: 'EUR', timezone: 'Europe/Madrid' });
  await addMember(db, space, 'member', bob);
  const viewer = await addMember(db, space, 'viewer');
  const budgetId = await createBudget(db, space, { month: '2025-10-01', income: '4000.00' });
  const g1 = await createExpense(db, space, { amount: '30.00', description: 'Mercadona', category: 'groceries', date: '2025-10-05' });
  const g2 = await createExpense(db, space, { amount: '12.50', description: 'Lidl', category: 'groceries', date: '2025-10-12' }, bob);
  await createExpense(db, space, { amount: '25.00', description: 'Sushi Ko', category: 'dining', date: '2025-10-14' }, bob);
  await createExpense(db, space, { amount: '20.00', description: 'Mercadona', category: 'groceries', date: '2025-09-20' });
  const outsider = await createUser(db, { metadata: { full_name: 'Olga Out' } });
  const outsiderSpace = await createSpace(db, { owner: outsider, name: 'Elsewhere', currency: 'EUR', timezone: 'Europe/Madrid' });
  await createExpense(db, outsiderSpace, { amount: '777.77', description: 'Secret purchase', category: 'shopping', date: '2025-10-10' });
  return { space, alice, bob, viewer, outsider, outsiderSpace, budgetId, groceryIds: [g1.id, g2.id] };
}

export function chatHandler(
  pool: Db,
  options: {
    fakeUrl?: string;
    timeoutMs?: number;
    maxRetries?: number;
    limits?: Partial<ChatLimits>;
    log?: (level: string, message: string, fields?: Record<string, unknown>) => void;
  } = {},
) {
  const model =
    options.fakeUrl === undefined
      ? null
      : anthropicModel(
          new Anthropic({
            apiKey: 'sk-ant-test-key',
            baseURL: options.fakeUrl,
            timeout: options.timeoutMs ?? 3_000,
            maxRetries: options.maxRetries ?? 0,
          }),
          'claude-haiku-4-5',
        );
  return createHandler({
    db: pool,
    verifyToken: createJwtVerifier({ secret: TEST_JWT_SECRET }),
    model,
    now: () => NOW,
    log: options.log ?? (() => {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
}

export async function post(
  handler: (req: Request) => Promise<Response>,
  who: TestUser,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return handler(
    new Request('http://127.0.0.1:54321/functions/v1/ai-chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(who.actor)}`, ...headers },
      body: JSON.stringify(body),
    }),
  );
}

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Parses an SSE body strictly: every frame is `event:` then `data:` then a blank line. */
export function parseSse(text: string): SseEvent[] {
  if (!text.endsWith('\n\n')) throw new Error(`the stream does not end with a blank line: ${JSON.stringify(text.slice(-40))}`);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      const lines = frame.split('\n');
      const [eventLine, dataLine, ...rest] = lines;
      if (!eventLine?.startsWith('event: ') || !dataLine?.startsWith('data: ') || rest.length > 0)
        throw new Error(`bad SSE frame: ${JSON.stringify(frame)}`);
      return { event: eventLine.slice(7), data: JSON.parse(dataLine.slice(6)) as Record<string, unknown> };
    });
}

export async function sse(handler: (req: Request) => Promise<Response>, who: TestUser, body: unknown): Promise<SseEvent[]> {
  const res = await post(handler, who, { ...(body as object), stream: true });
  if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
  if (!res.headers.get('content-type')?.startsWith('text/event-stream'))
    throw new Error(`not an event stream: ${res.headers.get('content-type')}`);
  return parseSse(await res.text());
}

export interface JsonAnswer {
  conversation_id: string;
  answer: string;
  proposals?: Array<{ id: string; kind: string; summary: string; confirm: { conversation_id: string; confirm: string } }>;
  trace: {
    source: string;
    fallback_reason?: string;
    rounds: number;
    tool_calls: Array<{ id: string; name: string; input: unknown; outcome: string; ms: number; error?: string }>;
    citations: Array<{ n: number; tool_call_id: string; path: string; value: string | number }>;
    corrections: Array<{ stated: string; corrected: string; tool_call_id: string; path: string }>;
    removed: string[];
    notes: string[];
    deadline_hit: boolean;
    history: { turns_kept: number; turns_dropped: number };
  };
  usage: {
    input_tokens: number;
    output_tokens: number;
    total_tokens: number;
    cache_read_input_tokens: number;
    cache_creation_input_tokens: number;
  };
}

export async function ask(handler: (req: Request) => Promise<Response>, who: TestUser, body: unknown): Promise<JsonAnswer> {
  const res = await post(handler, who, body);
  const json = (await res.json()) as JsonAnswer;
  if (res.status !== 200) throw new Error(`status ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

export async function transcript(db: SqlClient, conversationId: string) {
  const [row] = await db.query<{
    messages: Array<Record<string, unknown>>;
    total_tokens: number;
    title: string | null;
    thread_id: string | null;
    user_id: string;
  }>(`select messages, total_tokens, title, thread_id, user_id from public.ai_conversations where id = $1`, [conversationId]);
  if (!row) throw new Error('no such conversation');
  return row;
}

export async function expenseCount(db: SqlClient, spaceId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(`select count(*)::int as n from public.expenses where space_id = $1`, [spaceId]);
  return row?.n ?? 0;
}

export { queryAs };
