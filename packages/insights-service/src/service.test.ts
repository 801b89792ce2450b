/**
 * The insights service against the test database: consent before anything is
 * read, what it writes, idempotent regeneration (dismissed stays dismissed,
 * cleared expires, a material change resurfaces), the review of
 * recommendations, a space with no data, and members' refreshes through RLS.
 */
import { transactionsAs, type SqlClient } from '@wallai/db-client';
import {
  addMember,
  claimsFor,
  createOperator,
  createSpace,
  insightsHousehold,
  queryAs,
  serviceRole,
  setConsent,
  useTestDatabase,
  type TestUser,
} from '@wallai/testing';
import { replayInsight, type DecisionTrace } from '@wallai/insights';
import { describe, expect, it } from 'vitest';
import { loadSpace, type Transact } from './load.ts';
import { generateSpaceInsights, generateInsightsBatch, type Phraser, type SpaceRun } from './service.ts';

const db = useTestDatabase();

const asUser = (client: SqlClient, person: TestUser): Transact =>
  transactionsAs(client, claimsFor(person.actor) as { role: 'authenticated' }) as Transact;
const asService = (client: SqlClient): Transact => transactionsAs(client, { role: 'service_role' }) as Transact;
const service = () => ({ load: asService(db()), write: asService(db()) });

type Analysed = Extract<SpaceRun, { kind: 'analysed' }>;

function analysed(run: SpaceRun): Analysed {
  expect(run.kind).toBe('analysed');
  return run as Analysed;
}

const insightsOf = (spaceId: string) =>
  db().query<{
    id: string;
    type: string;
    rule: string;
    subject: string;
    is_dismissed: boolean;
    current: boolean;
    review_status: string | null;
  }>(
    `select id, type, rule, subject, is_dismissed, (expires_at is null or expires_at > now()) as current, review_status
       from public.financial_insights where space_id = $1 order by rule, subject, period`,
    [spaceId],
  );

/** Counts calls and answers with the template itself (figures unchanged). */
function countingPhraser(): { phraser: Phraser; calls: () => number } {
  let calls = 0;
  return {
    phraser: async (candidate) => {
      calls += 1;
      return { title: candidate.title, description: candidate.description };
    },
    calls: () => calls,
  };
}

describe('generateSpaceInsights', () => {
  it('writes the profile, the first persona, the recurring series and the insights of a consenting household', async () => {
    const home = await insightsHousehold(db());
    const run = analysed(await generateSpaceInsights(service(), home.space.id));

    const [profile] = await db().query<{ status: string; persona_id: number; persona_name: string; signals_30d: { window_days: number } }>(
      `select status, persona_id, persona_name, signals_30d from public.space_profiles where space_id = $1`,
      [home.space.id],
    );
    expect(profile).toMatchObject({ status: 'analysed', persona_id: run.profile.persona_id, persona_name: run.profile.persona_name });
    expect(profile!.signals_30d.window_days).toBe(30);
    expect(run.profile.persona_changed).toBe(true);
    const history = await db().query(`select persona_id from public.persona_history where space_id = $1`, [home.space.id]);
    expect(history).toEqual([{ persona_id: run.profile.persona_id }]);

    const series = await db().query<{ merchant: string; cadence: string; typical_amount: string; price_changes: Array<{ label: string }> }>(
      `select merchant, cadence, typical_amount, price_changes from public.recurring_series where space_id = $1 order by merchant`,
      [home.space.id],
    );
    const netflix = series.find((s) => /netflix/i.test(s.merchant));
    expect(netflix).toMatchObject({ cadence: 'monthly', typical_amount: '17.99' });
    expect(netflix!.price_changes.map((c) => c.label)).toContain('15.49 → 17.99');

    const stored = await insightsOf(home.space.id);
    expect(stored.length).toBe(run.insights.length);
    expect(run.insights.length).toBeGreaterThan(0);
    for (const insight of run.insights) {
      expect(insight.decision_trace).toMatchObject({
        detected_signals: expect.any(Object),
        persona_assignment: { persona_id: run.profile.persona_id },
        guardrails_checks: { consent: true, tone_validation: true },
        recommendation_logic: expect.any(Object),
        rule: insight.rule,
      });
    }
    expect(run.guardrails.consent).toMatchObject({ ok: true, missing_consents: 0 });
  });

  it('regenerating changes nothing: same rows, no second persona row, every insight refreshed', async () => {
    const home = await insightsHousehold(db());
    const first = analysed(await generateSpaceInsights(service(), home.space.id));
    const before = await insightsOf(home.space.id);
    const second = analysed(await generateSpaceInsights(service(), home.space.id));
    expect(await insightsOf(home.space.id)).toEqual(before);
    expect(second.insights.map((i) => i.action)).toEqual(second.insights.map(() => 'refreshed'));
    expect(second.insights.map((i) => i.id)).toEqual(first.insights.map((i) => i.id));
    expect(second.expired).toBe(0);
    expect(second.profile.persona_changed).toBe(false);
    const [{ n }] = (await db().query<{ n: number }>(`select count(*)::int as n from public.persona_history where space_id = $1`, [
      home.space.id,
    ])) as [{ n: number }];
    expect(n).toBe(1);
  });

  it('a dismissed insight stays dismissed on regeneration; a material change resurfaces it', async () => {
    const home = await insightsHousehold(db());
    const run = analysed(await generateSpaceInsights(service(), home.space.id));
    const target = run.insights.find((i) => i.type !== 'recommendation')!;
    await queryAs(db(), home.bob.actor, `update public.financial_insights set is_dismissed = true where id = $1`, [target.id]);

    const again = analysed(await generateSpaceInsights(service(), home.space.id));
    expect(again.insights.find((i) => i.id === target.id)).toMatchObject({ action: 'refreshed', is_dismissed: true });

    // As if the figures had been different when it was dismissed.
    await db().query(`update public.financial_insights set material_key = 'figures at the time' where id = $1`, [target.id]);
    const changed = analysed(await generateSpaceInsights(service(), home.space.id));
    expect(changed.insights.find((i) => i.id === target.id)).toMatchObject({ action: 'resurfaced', is_dismissed: false });
    expect((await insightsOf(home.space.id)).find((i) => i.id === target.id)?.is_dismissed).toBe(false);
  });

  it('an insight whose condition cleared expires: members no longer see it', async () => {
    const home = await insightsHousehold(db());
    const [old] = await queryAs<{ id: string }>(
      db(),
      serviceRole,
      `insert into public.financial_insights (space_id, type, title, rule, rule_version, subject, period, material_key)
       values ($1, 'trend', 'Travel is up 80%', 'trend.category', 1, 'no-such-category', date_trunc('month', now())::date, 'x') returning id`,
      [home.space.id],
    );
    const run = analysed(await generateSpaceInsights(service(), home.space.id));
    expect(run.expired).toBe(1);
    expect(await queryAs(db(), home.alice.actor, `select id from public.financial_insights where id = $1`, [old!.id])).toEqual([]);
  });

  it("without every non-viewer member's consent nothing is read or sent, the reason is recorded, current insights are hidden", async () => {
    const home = await insightsHousehold(db());
    analysed(await generateSpaceInsights(service(), home.space.id));
    const carol = await addMember(db(), home.space, 'member');
    const spy = countingPhraser();

    const run = await generateSpaceInsights(service(), home.space.id, { phraser: spy.phraser });
    expect(run).toMatchObject({
      kind: 'consent_missing',
      missing_consents: 1,
      guardrails: { consent: { ok: false }, phrasing: { sent: false } },
    });
    expect(spy.calls()).toBe(0);
    const [profile] = await db().query(
      `select status, status_reason, missing_consents, persona_id, signals_30d from public.space_profiles where space_id = $1`,
      [home.space.id],
    );
    expect(profile).toMatchObject({ status: 'consent_missing', missing_consents: 1, persona_id: null, signals_30d: null });
    expect(String((profile as { status_reason: string }).status_reason)).toMatch(/not consented/);
    expect((await insightsOf(home.space.id)).filter((i) => i.current)).toEqual([]);
    expect(await db().query(`select id from public.recurring_series where space_id = $1`, [home.space.id])).toEqual([]);

    // Once Carol consents, the space is analysed again.
    await setConsent(db(), carol);
    analysed(await generateSpaceInsights(service(), home.space.id));
  });

  it('a viewer without consent does not block the analysis', async () => {
    const home = await insightsHousehold(db());
    await setConsent(db(), home.viewer, false);
    analysed(await generateSpaceInsights(service(), home.space.id));
  });

  it('a space with no data is analysed: a profile whose signals say which inputs were missing, and no insight of data it does not have', async () => {
    const space = await createSpace(db());
    await setConsent(db(), space.owner);
    const run = analysed(await generateSpaceInsights(service(), space.id));
    const signals = run.profile.signals_180d as { missing: Array<{ signal: string; input: string }>; subscriptions?: unknown };
    expect(signals.subscriptions).toBeUndefined();
    expect(signals.missing.length).toBeGreaterThan(0);
    expect(run.recurring_series).toEqual([]);
    expect(run.insights.filter((i) => i.type === 'anomaly' || i.type === 'trend')).toEqual([]);
  });

  it('recommendations wait for review: members see one only after an operator approves it, and regeneration keeps the approval', async () => {
    const home = await insightsHousehold(db());
    const run = analysed(await generateSpaceInsights(service(), home.space.id));
    const recommendation = run.insights.find((i) => i.type === 'recommendation');
    expect(recommendation, 'the household gets at least one recommendation').toBeDefined();
    expect(recommendation!.review_status).toBe('pending');
    const seen = () => queryAs(db(), home.bob.actor, `select id from public.financial_insights where id = $1`, [recommendation!.id]);
    expect(await seen()).toEqual([]);

    const operator = await createOperator(db());
    await queryAs(db(), operator.actor, `select public.approve_recommendation($1)`, [recommendation!.id]);
    expect(await seen()).toEqual([{ id: recommendation!.id }]);

    const again = analysed(await generateSpaceInsights(service(), home.space.id));
    expect(again.insights.find((i) => i.id === recommendation!.id)).toMatchObject({ action: 'refreshed', review_status: 'approved' });
  });

  it('a member refreshes through RLS; someone outside the space finds nothing and nothing is written', async () => {
    const home = await insightsHousehold(db());
    const outsider = (await createSpace(db())).owner;
    expect(await generateSpaceInsights({ load: asUser(db(), outsider), write: asService(db()) }, home.space.id)).toEqual({
      kind: 'not_found',
      space_id: home.space.id,
    });
    expect(await db().query(`select id from public.space_profiles where space_id = $1`, [home.space.id])).toEqual([]);
    analysed(await generateSpaceInsights({ load: asUser(db(), home.bob), write: asService(db()) }, home.space.id));
  });

  it('an accepted phrasing is stored as llm; one whose figures differ keeps the template', async () => {
    const home = await insightsHousehold(db());
    let n = 0;
    const phraser: Phraser = async (candidate) => {
      n += 1;
      return n === 1
        ? { title: candidate.title, description: candidate.description }
        : { title: candidate.title, description: `${candidate.description} That is 987654.32 in total.` };
    };
    const run = analysed(await generateSpaceInsights(service(), home.space.id, { phraser, phrasingConcurrency: 1 }));
    const phrased = run.insights.filter((i) => i.type !== 'recommendation');
    expect(run.guardrails.phrasing).toMatchObject({ sent: true, attempted: phrased.length, accepted: 1 });
    expect(run.guardrails.phrasing.discarded).toHaveLength(phrased.length - 1);
    expect(run.insights.filter((i) => i.phrasing === 'llm')).toHaveLength(1);
    expect(run.insights.every((i) => !i.description.includes('987654.32'))).toBe(true);
  });
});

describe('traces in the database', () => {
  it('replay on the rows the database holds to the stored numbers, in a space whose expenses come in two currencies', async () => {
    const home = await insightsHousehold(db());
    // A dinner abroad, in euros at 1.1 dollars each: the USD space counts its base amount, 88.00.
    await queryAs(
      db(),
      home.alice.actor,
      `insert into public.expenses (space_id, date, amount, currency, exchange_rate, description, category)
       values ($1, current_date - 2, 80.00, 'EUR', 1.1, 'Cafe de Flore Paris', 'dining')`,
      [home.space.id],
    );
    const now = new Date();
    analysed(await generateSpaceInsights(service(), home.space.id, { now }));
    const stored = await db().query<{ rule: string; subject: string; insight_data: unknown; decision_trace: DecisionTrace }>(
      `select rule, subject, insight_data, decision_trace from public.financial_insights
        where space_id = $1 and (expires_at is null or expires_at > now()) order by rule, subject`,
      [home.space.id],
    );
    expect(stored.length).toBeGreaterThan(3);
    const loaded = await asService(db())((query) => loadSpace(query, home.space.id, now));
    const foreign = loaded!.input.expenses.find((e) => e.currency === 'EUR');
    expect(foreign).toMatchObject({ amount: '80.00', base_amount: '88.00' });
    for (const row of stored)
      expect(replayInsight(row.decision_trace, loaded!.input), `${row.rule} ${row.subject}`).toEqual(row.insight_data);
    // The 30-day spending the profile reports counts the foreign dinner at its base amount.
    const [profile] = await db().query<{ total: number }>(
      `select (signals_30d -> 'category_trends' ->> 'total_current')::numeric::float8 as total from public.space_profiles where space_id = $1`,
      [home.space.id],
    );
    const window = await db().query<{ total: number }>(
      `select sum(base_amount)::float8 as total from public.expenses
        where space_id = $1 and date > current_date - 30 and date <= current_date and category <> 'income'`,
      [home.space.id],
    );
    expect(profile?.total).toBeCloseTo(window[0]!.total, 2);
  });
});

describe('generateInsightsBatch', () => {
  it('runs a page of active spaces in id order and says where the next page starts', async () => {
    const a = await insightsHousehold(db());
    const b = await createSpace(db());
    const page = await generateInsightsBatch(asService(db()), { limit: 1 });
    expect(page.spaces).toHaveLength(1);
    expect(page.next_after).toBe(page.spaces[0]!.space_id);
    const next = await generateInsightsBatch(asService(db()), { limit: 1, after: page.next_after });
    expect(next.spaces[0]!.space_id > page.spaces[0]!.space_id).toBe(true);
    const all = await generateInsightsBatch(asService(db()), { limit: 1000 });
    const outcomes = new Map(all.spaces.map((s) => [s.space_id, s.outcome]));
    expect(outcomes.get(a.space.id)).toBe('analysed');
    expect(outcomes.get(b.id)).toBe('consent_missing');
  });
});
