/**
 * (d) ai-chat offline answers on the benchmark database, for a member of its
 * largest space: the common questions asked round after round.
 *
 * On PostgreSQL the requests go end to end, over HTTP to the Deno functions
 * gateway `npm run dev` uses (JWT verification, postgres.js, the handler, the
 * service, SSE): per question the time to the first SSE byte and to the last
 * one. On the embedded PGlite (one connection, no server) the service runs in
 * process instead. Every tool's own time comes from the answers' traces.
 */
import { createChatService } from '@wallai/assistant/service';
import { transactionsAs, type SqlClient } from '@wallai/db-client';
import { signAccessToken } from '../dev/local-keys.ts';
import { startStack } from '../dev/stack.ts';
import type { Dataset } from './generator.ts';
import { distribution, type Distribution } from './stats.ts';

export const CHAT_QUESTIONS = [
  'How much did we spend this month?',
  'How much did we spend on groceries last month?',
  'Spending by category this month',
  'What were our 5 biggest expenses last month?',
  'Are we on track with the budget?',
  'Who owes whom?',
  'What subscriptions do we pay?',
  'How does our spending this month compare to last month?',
  'How many expenses did we have this year?',
  'What are our account balances?',
  'Any insights for us?',
  'How much did we spend at Starbucks in the last 90 days?',
] as const;

export interface ChatBenchResult {
  mode: 'http' | 'in-process';
  space: { id: string; expenses: number; members: number };
  questions: number;
  rounds: number;
  /** Whole answer: request sent → last byte read (HTTP), or open → done (in process). ms. */
  endToEnd: Distribution;
  /** Request sent → first SSE byte (HTTP), or open → the conversation event (in process). ms. */
  firstByte: Distribution | null;
  tools: Record<string, Distribution>;
  offlineAnswers: number;
  failures: number;
}

async function largestSpace(
  db: SqlClient,
  dataset: Dataset,
): Promise<{
  id: string;
  expenses: number;
  memberId: string;
  email: string;
  members: number;
  askers: Array<{ id: string; email: string }>;
}> {
  const [row] = await db.query<{ space_id: string; n: number }>(
    `select space_id, count(*)::int as n from public.expenses group by space_id order by count(*) desc, space_id limit 1`,
  );
  if (!row) throw new Error('the benchmark database has no expenses');
  const space = dataset.spaces.find((s) => s.id === row.space_id);
  const member = space?.members.find((m) => m.role === 'member') ?? space?.members.find((m) => m.role !== 'viewer');
  if (!space || !member) throw new Error(`no member found for space ${row.space_id}`);
  const users = await db.query<{ id: string; email: string }>(`select id, email from auth.users where id = any($1::text::uuid[])`, [
    `{${space.members.map((m) => m.id).join(',')}}`,
  ]);
  const email = (id: string) => users.find((u) => u.id === id)?.email ?? `${id}@bench.test`;
  return {
    id: space.id,
    expenses: row.n,
    memberId: member.id,
    email: email(member.id),
    members: space.members.length,
    // Over HTTP the questions rotate through the members, so the per-person rate limit (60 a minute) is not what is measured.
    askers: space.members.map((m) => ({ id: m.id, email: email(m.id) })),
  };
}

export async function measureChat(
  db: SqlClient,
  dataset: Dataset,
  options: { databaseUrl: string | null; rounds: number; warmupRounds: number; log?: (line: string) => void },
): Promise<ChatBenchResult> {
  const log = options.log ?? (() => {});
  const target = await largestSpace(db, dataset);
  const endToEnd: number[] = [];
  const firstByte: number[] = [];
  const tools = new Map<string, number[]>();
  let offlineAnswers = 0;
  let failures = 0;
  const record = (done: { trace?: { source?: string; tool_calls?: Array<{ name: string; ms: number }> } }, measured: boolean) => {
    if (!measured) return;
    if (done.trace?.source === 'offline') offlineAnswers += 1;
    for (const call of done.trace?.tool_calls ?? []) tools.set(call.name, [...(tools.get(call.name) ?? []), call.ms]);
  };

  if (options.databaseUrl !== null) {
    log(`  starting the functions gateway on the benchmark database (offline: no ANTHROPIC_API_KEY)…`);
    const stack = await startStack({
      databaseUrl: options.databaseUrl,
      functionsPort: 0,
      env: { ANTHROPIC_API_KEY: undefined },
      gatewayLog: () => {},
    });
    try {
      const tokens = await Promise.all(target.askers.map((a) => signAccessToken(a)));
      let turn = 0;
      const ask = async (message: string, measured: boolean) => {
        const token = tokens[turn++ % tokens.length] as string;
        const started = performance.now();
        const res = await fetch(`${stack.functionsUrl}/ai-chat`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'text/event-stream' },
          body: JSON.stringify({ space_id: target.id, message }),
        });
        const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
        let text = '';
        let first: number | null = null;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          if (first === null) first = performance.now() - started;
          text += value;
        }
        const total = performance.now() - started;
        const doneFrame = /event: done\ndata: (.*)\n\n$/.exec(text)?.[1];
        if (res.status !== 200 || doneFrame === undefined) {
          failures += 1;
          return;
        }
        if (measured) {
          endToEnd.push(total);
          firstByte.push(first ?? total);
        }
        record(JSON.parse(doneFrame) as never, measured);
      };
      for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
        for (const q of CHAT_QUESTIONS) await ask(q, round >= options.warmupRounds);
      }
    } finally {
      await stack.stop();
    }
  } else {
    const claims = { role: 'authenticated' as const, sub: target.memberId, email: target.email, aud: 'authenticated' };
    const service = createChatService({
      asUser: transactionsAs(db, claims),
      backend: transactionsAs(db, { role: 'service_role' }),
      model: null,
    });
    for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
      for (const q of CHAT_QUESTIONS) {
        const measured = round >= options.warmupRounds;
        const started = performance.now();
        let first: number | null = null;
        try {
          const turn = await service.open(target.memberId, { spaceId: target.id, message: q });
          const result = await turn.run((e) => {
            if (e.type === 'conversation' && first === null) first = performance.now() - started;
          });
          if (measured) {
            endToEnd.push(performance.now() - started);
            firstByte.push(first ?? 0);
          }
          record(result, measured);
        } catch {
          failures += 1;
        }
      }
    }
  }
  return {
    mode: options.databaseUrl === null ? 'in-process' : 'http',
    space: { id: target.id, expenses: target.expenses, members: target.members },
    questions: CHAT_QUESTIONS.length,
    rounds: options.rounds,
    endToEnd: distribution(endToEnd),
    firstByte: firstByte.length > 0 ? distribution(firstByte) : null,
    tools: Object.fromEntries([...tools].sort(([a], [b]) => a.localeCompare(b)).map(([name, samples]) => [name, distribution(samples)])),
    offlineAnswers,
    failures,
  };
}
