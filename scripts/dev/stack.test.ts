/**
 * End to end: the local stack as `npm run dev` starts it (database built with
 * compat layer + Supabase CLI migrations + seed, the Deno gateway serving the
 * functions of supabase/config.toml), called the way an app calls it:
 * supabase-js `functions.invoke` with real user JWTs.
 *
 * Ports are always free ones, so a developer's running `npm run dev` never
 * clashes. With DATABASE_URL the stack runs against a fresh database created on
 * that server (and dropped afterwards); otherwise on a fresh PGlite in a temp dir.
 */
import { randomBytes } from 'node:crypto';
import { FunctionsHttpError, type RealtimePostgresInsertPayload, type SupabaseClient } from '@supabase/supabase-js';
import { postgresClient, type SqlClient } from '@wallai/db-client';
import { queryAs, user } from '@wallai/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Inbox, subscribed } from './api/realtime/test-support.ts';
import { DEMO_PASSWORD, DEMO_SPACES, DEMO_USERS, type DemoUserKey } from './local-keys.ts';
import type { Stack } from './stack.ts';
import { startThrowawayStack } from './throwaway-stack.ts';
import { localSupabase } from './supabase-client.ts';

let stack: Stack;
let db: SqlClient;
const cleanups: (() => Promise<void> | void)[] = [];
/** Everything the stack and its functions printed during this file's run. */
const logs: string[] = [];

beforeAll(async () => {
  const common = {
    // Offline: the tests must never reach a real AI API, whatever the developer's shell holds.
    env: { ANTHROPIC_API_KEY: undefined },
    log: (line: string) => logs.push(line),
    gatewayLog: (line: string) => logs.push(line),
    apiLog: (line: string) => logs.push(line),
  };
  const started = await startThrowawayStack(common);
  stack = started.stack;
  cleanups.push(started.stop);
  db = postgresClient(stack.databaseUrl, { max: 1 });
  cleanups.push(() => db.close());
});

afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

const actor = (key: DemoUserKey) => user(DEMO_USERS[key].id, DEMO_USERS[key].email);

/** supabase-js as a signed-in app user would configure it. */
function clientAs(key: DemoUserKey | null) {
  return localSupabase(stack.apiUrl, stack.anonKey, key === null ? null : stack.tokens[key]);
}

async function newExpense(who: DemoUserKey, spaceId: string, description: string, amount: string): Promise<string> {
  const [row] = await queryAs<{ id: string }>(
    db,
    actor(who),
    `insert into public.expenses (space_id, amount, description, currency) values ($1, $2, $3, 'EUR') returning id`,
    [spaceId, amount, description],
  );
  return row!.id;
}

async function expenseRow(id: string) {
  const [row] = await db.query<{ category: string; category_source: string; ai_category_confidence: string | null }>(
    'select category, category_source, ai_category_confidence::text as ai_category_confidence from public.expenses where id = $1',
    [id],
  );
  return row;
}

/** The status and JSON body of a failed functions.invoke. */
async function failure(error: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  expect(error).toBeInstanceOf(FunctionsHttpError);
  const response = (error as FunctionsHttpError).context as Response;
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('local stack (npm run dev) end to end', () => {
  it('builds the database with migrations and seed, and serves the configured functions', async () => {
    expect(stack.database.built).toBe(true);
    const [counts] = await db.query<{ users: number; migrations: number }>(
      `select (select count(*) from public.users)::int as users,
              (select count(*) from supabase_migrations.schema_migrations)::int as migrations`,
    );
    // The five demo people and Olga, the insights operator.
    expect(counts).toEqual({ users: 6, migrations: stack.database.appliedMigrations });
    expect(stack.functions.map((f) => f.name)).toContain('categorize-expense');
    expect(stack.sampleExpense).not.toBeNull();
  });

  it('a member categorizes a new expense through functions.invoke and the row changes', async () => {
    const id = await newExpense('bob', DEMO_SPACES.household.id, 'MERCADONA C/ ALCALA 123 MADRID', '23.40');
    expect(await expenseRow(id)).toEqual({ category: 'other', category_source: 'default', ai_category_confidence: null });

    const { data, error } = await clientAs('alice').functions.invoke('categorize-expense', { body: { expense_id: id } });
    expect(error).toBeNull();
    expect(data).toEqual({
      results: [
        {
          expense_id: id,
          category: 'groceries',
          confidence: expect.any(Number) as unknown,
          source: expect.stringMatching(/^(history|rules)$/) as unknown,
          written: true,
        },
      ],
    });
    const row = await expenseRow(id);
    expect(row).toMatchObject({ category: 'groceries', category_source: (data as { results: [{ source: string }] }).results[0].source });
    expect(Number(row?.ai_category_confidence)).toBeGreaterThanOrEqual(0.8);
  });

  it('an outsider gets 404 and a viewer 403, and nothing changes', async () => {
    const household = await newExpense('alice', DEMO_SPACES.household.id, 'NETFLIX.COM', '13.99');
    const outsider = await failure(
      (await clientAs('erin').functions.invoke('categorize-expense', { body: { expense_id: household } })).error,
    );
    expect(outsider.status).toBe(404);
    expect(outsider.body).toMatchObject({ error: { code: 'not_found' } });

    const flat = await newExpense('carol', DEMO_SPACES.flat.id, 'NETFLIX.COM', '13.99');
    const viewer = await failure((await clientAs('erin').functions.invoke('categorize-expense', { body: { expense_id: flat } })).error);
    expect(viewer.status).toBe(403);

    for (const id of [household, flat]) {
      expect(await expenseRow(id)).toEqual({ category: 'other', category_source: 'default', ai_category_confidence: null });
    }
  });

  it('without a token the gateway answers 401; with only the anon key the function does', async () => {
    const bare = await fetch(`${stack.functionsUrl}/categorize-expense`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ expense_id: stack.sampleExpense?.id }),
    });
    expect(bare.status).toBe(401);
    expect(await bare.json()).toEqual({ code: 'UNAUTHORIZED_NO_AUTH_HEADER', message: 'Missing authorization header' });

    // supabase-js without a session sends the anon key: it passes the gateway, but it is not a user.
    const anon = await failure(
      (await clientAs(null).functions.invoke('categorize-expense', { body: { expense_id: stack.sampleExpense?.id } })).error,
    );
    expect(anon.status).toBe(401);
    expect(anon.body).toMatchObject({ error: { code: expect.any(String) as unknown } });
    expect(anon.body).not.toHaveProperty('code');
  });

  it('answers CORS preflights without a token and unknown functions with 404 JSON', async () => {
    const preflight = await fetch(`${stack.functionsUrl}/categorize-expense`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.ok).toBe(true);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    await preflight.arrayBuffer();

    const unknown = await fetch(`${stack.functionsUrl}/no-such-function`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${stack.tokens.alice}` },
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('Auth on the dev stack (one origin with the functions)', () => {
  it('a seeded demo user signs in with the documented password, and that session calls a function', async () => {
    const supabase = clientAs(null);
    const { data, error } = await supabase.auth.signInWithPassword({ email: DEMO_USERS.alice.email, password: DEMO_PASSWORD });
    expect(error).toBeNull();
    expect(data.user?.id).toBe(DEMO_USERS.alice.id);
    expect((await supabase.auth.getUser()).data.user?.email).toBe(DEMO_USERS.alice.email);
    const { error: invokeError } = await supabase.functions.invoke('categorize-expense', {
      body: { space_id: DEMO_SPACES.household.id, description: 'MERCADONA MADRID', amount: 12.5 },
    });
    expect(invokeError).toBeNull();
    expect((await supabase.auth.signOut()).error).toBeNull();
  });

  it('Auth needs the apikey like Supabase’s gateway; the functions do not', async () => {
    const res = await fetch(`${stack.authUrl}/user`, { headers: { Authorization: `Bearer ${stack.tokens.alice}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: 'No API key found in request' });
  });
});

describe('REST on the dev stack (one origin with Auth and the functions)', () => {
  it('a signed-in demo user reads their space through supabase.from and calls an RPC; RLS decides the rows', async () => {
    const supabase = clientAs(null);
    expect((await supabase.auth.signInWithPassword({ email: DEMO_USERS.alice.email, password: DEMO_PASSWORD })).error).toBeNull();
    const { data, error } = await supabase
      .from('expenses')
      .select('id, space_id, amount')
      .eq('space_id', DEMO_SPACES.household.id)
      .order('date', { ascending: false })
      .limit(5);
    expect(error).toBeNull();
    expect(data?.length).toBe(5);
    expect(new Set(data?.map((row) => row.space_id))).toEqual(new Set([DEMO_SPACES.household.id]));
    const balances = await supabase.rpc('space_balances', { space_id: DEMO_SPACES.household.id });
    expect(balances.error).toBeNull();
    expect(Array.isArray(balances.data)).toBe(true);
    // The RPC's own PT404 for a space she is not in: PostgREST's PTxxx -> xxx.
    const foreign = await supabase.rpc('space_balances', { space_id: '00000000-0000-4000-8000-000000000000' });
    expect({ status: foreign.status, message: foreign.error?.message }).toEqual({ status: 404, message: 'space not found' });
    // Signed out, the same read is anon's, which has no grant on expenses: 401 42501 as on Supabase.
    const anonymous = await clientAs(null).from('expenses').select('id').eq('space_id', DEMO_SPACES.household.id);
    expect({ status: anonymous.status, code: anonymous.error?.code }).toEqual({ status: 401, code: '42501' });
    // Carol is in no seeded space with Alice's household: RLS shows her none of its rows.
    const outsider = await clientAs('carol').from('expenses').select('id').eq('space_id', DEMO_SPACES.household.id);
    expect(outsider).toMatchObject({ error: null, data: [] });
  });

  it('REST needs the apikey and answers browsers with CORS like Supabase’s gateway', async () => {
    const bare = await fetch(`${stack.restUrl}/expenses?select=id`);
    expect(bare.status).toBe(401);
    const preflight = await fetch(`${stack.restUrl}/expenses`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:3000',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'apikey, authorization',
      },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('apikey, authorization');
    const read = await fetch(`${stack.restUrl}/spaces?select=id`, {
      headers: { apikey: stack.anonKey, Authorization: `Bearer ${stack.tokens.alice}`, Prefer: 'count=exact' },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-expose-headers')).toContain('Content-Range');
  });

  it("sees a table created while it runs (NOTIFY pgrst, 'reload schema'; on PGlite the catalog watch)", async () => {
    const table = `stack_reload_${randomBytes(4).toString('hex')}`;
    await db.exec(
      `create table public.${table} (id int primary key); grant select on public.${table} to anon; insert into public.${table} values (7)`,
    );
    cleanups.push(() => db.exec(`drop table if exists public.${table}`));
    const before = await clientAs(null).from(table).select('id');
    expect(before.error?.code).toBe('PGRST205');
    await db.exec(`notify pgrst, 'reload schema'`);
    let after = await clientAs(null).from(table).select('id');
    for (let i = 0; i < 100 && after.error !== null; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await clientAs(null).from(table).select('id');
    }
    expect(after).toMatchObject({ error: null, data: [{ id: 7 }] });
  });
});

describe('ai-chat over HTTP on the dev stack', () => {
  const ask = (who: DemoUserKey, body: unknown, accept = 'text/event-stream') =>
    fetch(`${stack.functionsUrl}/ai-chat`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${stack.tokens[who]}`, 'Content-Type': 'application/json', Accept: accept },
      body: JSON.stringify(body),
    });

  /** Reads the stream frame by frame, as an EventSource would; checks each frame's framing. */
  async function frames(res: Response): Promise<Array<{ event: string; data: Record<string, unknown> }>> {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const out: Array<{ event: string; data: Record<string, unknown> }> = [];
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const [eventLine, dataLine, ...rest] = buffer.slice(0, end).split('\n');
        expect(eventLine).toMatch(/^event: [a-z_]+$/);
        expect(dataLine).toMatch(/^data: \{.*\}$/);
        expect(rest).toEqual([]);
        out.push({ event: eventLine!.slice(7), data: JSON.parse(dataLine!.slice(6)) as Record<string, unknown> });
        buffer = buffer.slice(end + 2);
      }
    }
    expect(buffer).toBe('');
    return out;
  }

  it("streams the printed curl line's question as Server-Sent Events: a correct, cited answer, offline", async () => {
    const res = await ask('alice', { space_id: DEMO_SPACES.household.id, message: 'How much did we spend on groceries this month?' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = await frames(res);
    expect(events[0]?.event).toBe('conversation');
    expect(events.at(-1)?.event).toBe('done');
    const done = events.at(-1)!.data as { answer: string; trace: { source: string; citations: Array<{ value: string }> } };
    const [expected] = await db.query<{ total: string }>(
      `select coalesce(sum(base_amount), 0)::text as total from public.expenses
        where space_id = $1 and category = 'groceries'
          and date >= date_trunc('month', now() at time zone 'Europe/Madrid')::date
          and date < (date_trunc('month', now() at time zone 'Europe/Madrid') + interval '1 month')::date`,
      [DEMO_SPACES.household.id],
    );
    expect(done.trace.source).toBe('offline');
    expect(done.trace.citations[0]?.value).toBe(expected?.total);
    expect(done.answer).toMatch(/^Offline answer/);
    expect(done.answer).toMatch(/ EUR \[1\]/);
  });

  it('resumes a conversation, and refuses it to another person', async () => {
    const first = await frames(await ask('alice', { space_id: DEMO_SPACES.household.id, message: 'Who owes whom?' }));
    const conversationId = String(first[0]?.data.conversation_id);
    const second = await frames(await ask('alice', { conversation_id: conversationId, message: 'What are our subscriptions?' }));
    expect(second[0]?.data).toMatchObject({ conversation_id: conversationId, created: false });
    const [row] = await db.query<{ n: number }>(
      `select count(*)::int as n from public.ai_conversations c, jsonb_array_elements(c.messages) m
        where c.id = $1 and m ->> 'role' = 'user' and m -> 'content' -> 0 ->> 'type' = 'text'`,
      [conversationId],
    );
    expect(row?.n).toBe(2);

    const refused = await ask('bob', { conversation_id: conversationId, message: 'What did Alice ask?' }, 'application/json');
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('generate-insights over HTTP on the dev stack', () => {
  const generate = (bearer: string, body: unknown) =>
    fetch(`${stack.functionsUrl}/generate-insights`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('a member refreshes the seeded Sunny Street: every insight type, pending recommendations counted but not shown', async () => {
    const res = await generate(stack.tokens.bob, { space_id: DEMO_SPACES.insights.id });
    const body = (await res.json()) as {
      outcome: string;
      insights: Array<{ type: string; review_status?: string }>;
      awaiting_review: number;
      persona: { id: number };
    };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.outcome).toBe('analysed');
    expect(new Set(body.insights.map((i) => i.type))).toEqual(new Set(['trend', 'anomaly', 'prediction', 'goal']));
    expect(body.awaiting_review).toBeGreaterThan(0);
    const [stored] = await db.query<{ types: string[] }>(
      `select array_agg(distinct type order by type) as types from public.financial_insights where space_id = $1`,
      [DEMO_SPACES.insights.id],
    );
    expect(stored?.types).toEqual(['anomaly', 'goal', 'prediction', 'recommendation', 'trend']);
  });

  it('a seeded space where Alice never consented gets no insights, and says why', async () => {
    const res = await generate(stack.tokens.alice, { space_id: DEMO_SPACES.household.id });
    const body = (await res.json()) as { outcome: string; reason: string; insights: unknown[] };
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ outcome: 'consent_missing', insights: [] });
    expect(body.reason).toMatch(/not consented/);
  });

  it('the service-role key runs a batch over every active space', async () => {
    const res = await generate(stack.serviceRoleKey, { limit: 50 });
    const body = (await res.json()) as { processed: number; failed: number; next_after: string | null };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ failed: 0, next_after: null });
    expect(body.processed).toBeGreaterThanOrEqual(3);
  });
});

describe('Storage on the dev stack (supabase.storage, unchanged)', () => {
  it('a member uploads a receipt and a co-member reads it back; an outsider sees nothing; odd paths are refused', async () => {
    const { household } = DEMO_SPACES;
    const expenseId = await newExpense('alice', household.id, 'Hardware store', '23.40');
    const key = `${household.id}/${expenseId}/receipt.pdf`;
    const receipt = '%PDF-1.4\n% HARDWARE STORE, screws 23.40 EUR\n%%EOF\n';
    const upload = await clientAs('alice')
      .storage.from('receipts')
      .upload(key, new Blob([receipt], { type: 'application/pdf' }));
    expect(upload.error).toBeNull();
    expect(upload.data?.path).toBe(key);

    const bob = clientAs('bob').storage.from('receipts');
    const download = await bob.download(key);
    expect(download.error).toBeNull();
    expect(await download.data!.text()).toBe(receipt);
    const listed = await bob.list(`${household.id}/${expenseId}`);
    expect(listed.data?.map((o) => o.name)).toEqual(['receipt.pdf']);

    // A signed URL is fetched with no key at all, as from an <img> tag.
    const signed = await bob.createSignedUrl(key, 60);
    expect(signed.error).toBeNull();
    expect(signed.data!.signedUrl.startsWith(`${stack.apiUrl}/storage/v1/object/sign/receipts/`)).toBe(true);
    const viaUrl = await fetch(signed.data!.signedUrl);
    expect(viaUrl.status).toBe(200);
    expect(await viaUrl.text()).toBe(receipt);

    const carol = clientAs('carol').storage.from('receipts');
    expect((await carol.download(key)).error).not.toBeNull();
    expect((await carol.list(`${household.id}/${expenseId}`)).data).toEqual([]);
    expect(
      (await carol.upload(`${household.id}/${expenseId}/mine.pdf`, new Blob(['%PDF-1.4'], { type: 'application/pdf' }))).error,
    ).not.toBeNull();
    expect((await clientAs(null).storage.from('receipts').download(key)).error).not.toBeNull();

    const odd = await clientAs('alice')
      .storage.from('receipts')
      .upload(`${household.id}/${expenseId}/../escape.pdf`, new Blob(['%PDF-1.4'], { type: 'application/pdf' }));
    expect(odd.error).not.toBeNull();
    const [rows] = await db.query<{ n: number }>(`select count(*)::int as n from storage.objects where name like $1`, [
      `${household.id}/${expenseId}/%`,
    ]);
    expect(rows!.n).toBe(1);
  });
});

describe('Realtime on the dev stack (supabase.channel, unchanged)', () => {
  type ExpenseRow = { id: string; space_id: string; description: string };
  const channels: { client: SupabaseClient }[] = [];
  afterAll(async () => {
    for (const { client } of channels) await client.removeAllChannels();
  });

  /** Subscribes `who` to inserts into expenses (of one space, or all they may see). */
  async function watchExpenses(
    who: DemoUserKey,
    name: string,
    spaceId?: string,
  ): Promise<Inbox<RealtimePostgresInsertPayload<ExpenseRow>>> {
    const client = clientAs(who);
    channels.push({ client });
    const inbox = new Inbox<RealtimePostgresInsertPayload<ExpenseRow>>();
    const channel = client
      .channel(name)
      .on<ExpenseRow>(
        'postgres_changes',
        { event: 'INSERT', schema: 'public', table: 'expenses', ...(spaceId === undefined ? {} : { filter: `space_id=eq.${spaceId}` }) },
        inbox.push,
      );
    await subscribed(channel);
    return inbox;
  }

  async function insertThroughRest(who: DemoUserKey, spaceId: string, description: string): Promise<string> {
    const { data, error } = await clientAs(who)
      .from('expenses')
      .insert({ space_id: spaceId, amount: 9.5, description, currency: 'EUR' })
      .select('id')
      .single();
    expect(error).toBeNull();
    return (data as { id: string }).id;
  }

  it("a member watching the space receives another member's expense as it is committed; an outsider receives nothing", async () => {
    const { household, flat } = DEMO_SPACES;
    const bob = await watchExpenses('bob', 'household-expenses', household.id);
    const carol = await watchExpenses('carol', 'everything-carol-may-see');

    const id = await insertThroughRest('alice', household.id, 'Bakery, seen live');
    const arrived = await bob.find((c) => c.new.id === id);
    expect(arrived).toMatchObject({ eventType: 'INSERT', schema: 'public', table: 'expenses' });
    expect(arrived.new).toMatchObject({ space_id: household.id, description: 'Bakery, seen live' });

    // Changes arrive in commit order: once Carol has her own later expense, she would have had Alice's.
    const marker = await insertThroughRest('carol', flat.id, 'Carol marker');
    await carol.find((c) => c.new.id === marker);
    expect(carol.items.some((c) => c.new.id === id)).toBe(false);
  });

  it("the websocket needs the project's apikey, as behind Supabase's gateway", async () => {
    const status = (query: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`${stack.apiUrl.replace(/^http/, 'ws')}/realtime/v1/websocket?vsn=1.0.0${query}`);
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('open', () => {
          resolve(101);
          ws.close();
        });
        ws.on('error', (error) => {
          if (!/Unexpected server response/.test(error.message)) reject(error);
        });
      });
    expect(await status('')).toBe(401);
    expect(await status('&apikey=not-a-key')).toBe(401);
    expect(await status(`&apikey=${stack.anonKey}`)).toBe(101);
  });
});

describe("the stack's logs", () => {
  it('never contain a secret, an API key, an access token or the database password', async () => {
    // Runs last: by now every request of this file has been logged.
    const secrets: Record<string, string> = {
      'JWT secret': stack.jwtSecret,
      'service-role key': stack.serviceRoleKey,
      'anon key': stack.anonKey,
      ...Object.fromEntries(Object.entries(stack.tokens).map(([who, token]) => [`${who}'s access token`, token])),
    };
    // The local password is a plain word ("postgres"), so look for it where a URL would carry it.
    const password = new URL(stack.databaseUrl).password;
    if (password !== '') secrets['database password'] = `:${password}@`;
    // A token's signature alone is enough to replay it, so look for that part too.
    for (const [name, value] of Object.entries({ ...secrets })) {
      const signature = value.split('.')[2];
      if (signature !== undefined && signature.length > 16) secrets[`${name} (signature)`] = signature;
    }
    expect(logs.length).toBeGreaterThan(5);
    const text = logs.join('\n');
    const leaked = Object.entries(secrets)
      .filter(([, value]) => value.length >= 8 && text.includes(value))
      .map(([name]) => name);
    expect(leaked).toEqual([]);
  });
});
