/**
 * The demo's insights step, on the seeded spaces:
 *   1. Bob refreshes "Sunny Street" through the generate-insights edge function
 *      (his access token, an Idempotency-Key); its answer lists the insights he
 *      may see and how many recommendations wait for review;
 *   2. Bob reads them from financial_insights as himself (RLS): one of every
 *      type with an excerpt of its decision trace;
 *   3. Olga, the seeded operator (app_metadata.role = operator), reads the
 *      review queue with its traces, and cannot read the space's expenses;
 *      she approves a recommendation, and Bob then sees it;
 *   4. Alice refreshes "Alice & Bob", where she never consented: no insights,
 *      and the reason.
 * A module of its own so that scripts/demo.ts only calls it.
 */
import type { SqlClient } from '@wallai/db-client';
import { queryAs, type Actor } from '@wallai/testing/acting-as';

export const SUNNY_STREET = '5ace0000-0000-4000-8000-00000000000c';
export const ALICE_AND_BOB = '5ace0000-0000-4000-8000-00000000000a';
/** The operator supabase/seed.sql creates (app_metadata.role operator, in no space). */
export const DEMO_OPERATOR = { name: 'Olga', id: '0be2a000-0000-4000-8000-000000000006', email: 'olga@wallai.test' } as const;
const BOB = { id: 'b0b00000-0000-4000-8000-000000000002', email: 'bob@wallai.test' };

export interface InsightsStepContext {
  readonly db: SqlClient;
  /** Functions are at `${apiUrl}/functions/v1/<name>`. */
  readonly apiUrl: string;
  readonly tokens: { readonly alice: string; readonly bob: string };
  readonly heading: (title: string) => void;
  readonly say: (text: string) => void;
}

interface RefreshAnswer {
  outcome: 'analysed' | 'consent_missing';
  reason?: string;
  persona: { id: number; name: string } | null;
  insights: Array<{ type: string; title: string }>;
  awaiting_review?: number;
}

interface InsightRow extends Record<string, unknown> {
  id: string;
  type: string;
  rule: string;
  title: string;
  priority: string;
  confidence: string;
  review_status: string | null;
  decision_trace: Record<string, unknown>;
}

export const INSIGHT_TYPES = ['trend', 'anomaly', 'prediction', 'goal', 'recommendation'] as const;

async function refresh(ctx: InsightsStepContext, token: string, spaceId: string): Promise<{ answer: RefreshAnswer; replayed: boolean }> {
  const res = await fetch(`${ctx.apiUrl}/functions/v1/generate-insights`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      'Idempotency-Key': `demo-insights-${spaceId}-${Date.now()}`,
    },
    body: JSON.stringify({ space_id: spaceId }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`generate-insights answered ${res.status}: ${text}`);
  return { answer: JSON.parse(text) as RefreshAnswer, replayed: res.headers.get('Idempotency-Replayed') === 'true' };
}

/** A few words from a trace: the rule, the persona and its criteria, the guardrails, the rows it read. */
export function traceExcerpt(trace: Record<string, unknown>): string {
  const persona = trace.persona_assignment as { persona_name?: string; matching_criteria?: Array<{ met?: boolean }> } | undefined;
  const guard = trace.guardrails_checks as { consent?: boolean; eligibility?: boolean; tone_validation?: boolean } | undefined;
  const inputs = trace.inputs as { expense_ids?: unknown[]; ranges?: Array<{ table: string; count: number }> } | undefined;
  const ranged = (inputs?.ranges ?? []).filter((r) => r.table === 'expenses').reduce((n, r) => n + r.count, 0);
  const signals = Object.keys((trace.detected_signals as Record<string, unknown> | undefined) ?? {});
  const yes = (v: boolean | undefined) => (v ? 'ok' : 'no');
  return [
    `rule ${String(trace.rule)} v${String(trace.rule_version)}`,
    `signals ${signals.join(', ') || 'none'}`,
    `persona ${persona?.persona_name ?? '?'} (${(persona?.matching_criteria ?? []).filter((c) => c.met).length} criteria met)`,
    `consent ${yes(guard?.consent)}, eligibility ${yes(guard?.eligibility)}, tone ${yes(guard?.tone_validation)}`,
    `rows: ${inputs?.expense_ids?.length ?? 0} expenses named${ranged > 0 ? `, ${ranged} in date ranges` : ''}`,
  ].join('; ');
}

export async function insightsStep(ctx: InsightsStepContext): Promise<void> {
  const bob: Actor = { role: 'authenticated', userId: BOB.id, email: BOB.email };
  const olga: Actor = { role: 'authenticated', userId: DEMO_OPERATOR.id, email: DEMO_OPERATOR.email, appRole: 'operator' };
  const current = `space_id = $1 and (expires_at is null or expires_at > now())`;

  ctx.heading('Insights: Bob refreshes Sunny Street with the generate-insights function');
  const { answer } = await refresh(ctx, ctx.tokens.bob, SUNNY_STREET);
  if (answer.outcome !== 'analysed') throw new Error(`Sunny Street was not analysed: ${answer.reason ?? answer.outcome}`);
  ctx.say(`Everyone who can change Sunny Street consented, so it is analysed. Persona: ${answer.persona?.name ?? 'none'}.`);
  ctx.say(
    `Bob's answer lists ${answer.insights.length} insights; ${answer.awaiting_review ?? 0} recommendations wait for an operator's review first.`,
  );

  const mine = await queryAs<InsightRow>(
    ctx.db,
    bob,
    `select id, type, rule, title, priority, confidence::text as confidence, review_status, decision_trace
       from public.financial_insights where ${current} order by type, priority, rule`,
    [SUNNY_STREET],
  );
  for (const type of INSIGHT_TYPES.filter((t) => t !== 'recommendation')) {
    const row = mine.find((r) => r.type === type);
    if (row === undefined) throw new Error(`Sunny Street has no ${type} insight`);
    ctx.say(`${type.padEnd(10)} ${row.title} (${row.priority}, confidence ${row.confidence})`);
    ctx.say(`           trace: ${traceExcerpt(row.decision_trace)}`);
  }

  ctx.heading('Olga, an operator, reviews recommendations before members see them');
  const queue = await queryAs<InsightRow>(
    ctx.db,
    olga,
    `select id, type, rule, title, priority, confidence::text as confidence, review_status, decision_trace
       from public.financial_insights where ${current} and type = 'recommendation' order by review_status, rule, id`,
    [SUNNY_STREET],
  );
  const pending = queue.filter((r) => r.review_status === 'pending');
  ctx.say(`Her queue for Sunny Street: ${pending.length} pending, ${queue.length - pending.length} already decided.`);
  const [expenses] = await queryAs<{ n: number }>(ctx.db, olga, `select count(*)::int as n from public.expenses where space_id = $1`, [
    SUNNY_STREET,
  ]);
  ctx.say(`She reads the recommendations and their traces, never the space's money: she sees ${expenses?.n ?? 0} of its expenses.`);
  const chosen = pending[0] ?? queue.find((r) => r.review_status === 'approved');
  if (chosen === undefined) throw new Error('Sunny Street has no recommendation to review');
  const logic = chosen.decision_trace.recommendation_logic as { rationale?: string } | undefined;
  ctx.say(`"${chosen.title}"`);
  ctx.say(`  trace: ${traceExcerpt(chosen.decision_trace)}`);
  if (logic?.rationale) ctx.say(`  why: ${logic.rationale}`);
  if (chosen.review_status === 'pending') {
    await queryAs(ctx.db, olga, `select public.approve_recommendation($1)`, [chosen.id]);
    ctx.say('Olga approves it (approve_recommendation, stamped with her id and the time).');
  } else {
    ctx.say('She approved it on an earlier run of the demo.');
  }
  const [seen] = await queryAs<{ title: string; approved_at: string }>(
    ctx.db,
    bob,
    `select title, approved_at::text as approved_at from public.financial_insights where id = $1`,
    [chosen.id],
  );
  if (seen === undefined) throw new Error('Bob does not see the approved recommendation');
  ctx.say(`Bob now sees it: recommendation "${seen.title}".`);
  const hidden = pending.length - (chosen.review_status === 'pending' ? 1 : 0);
  if (hidden > 0) ctx.say(`The other ${hidden} stay hidden from him until Olga decides.`);

  ctx.heading('A space where someone has not consented gets no insights');
  const { answer: none } = await refresh(ctx, ctx.tokens.alice, ALICE_AND_BOB);
  if (none.outcome !== 'consent_missing' || none.insights.length !== 0) throw new Error('Alice & Bob was analysed without consent');
  ctx.say(`Alice refreshes "Alice & Bob": ${none.insights.length} insights. ${none.reason ?? ''}`);
  ctx.say('Nothing of that space was read for analysis or sent to an AI model.');
}
