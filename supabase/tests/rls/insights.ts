/**
 * RLS matrix rows for the insights tables (space_profiles, persona_history,
 * recurring_series), recommendations under review on financial_insights, and
 * consent on users. Members read; only the insights service (service role)
 * writes; operators read the recommendation queue and nothing of the space.
 */
import { randomUUID } from 'node:crypto';
import type { SqlClient } from '@wallai/db-client';
import { MEMBERS, type ActorName, type MatrixArea, type MatrixFixture, type Subject } from '../support/rls-matrix.ts';

const SERVICE = ['service_role'] as const;

function row(fx: MatrixFixture, key: string): string {
  const id = fx.rows[key];
  if (!id) throw new Error(`fixture row ${key} was not prepared`);
  return id;
}

const byId = (verb: 'select' | 'update' | 'delete', table: string, set = '') =>
  verb === 'select'
    ? `select id from public.${table} where id = $1`
    : verb === 'update'
      ? `update public.${table} set ${set} where id = $1 returning id`
      : `delete from public.${table} where id = $1 returning id`;

const SIGNALS = `'{"window_days":30,"missing":[]}'::jsonb`;

const spaceProfile: Subject = {
  name: 'space_profiles',
  table: 'public.space_profiles',
  select: (fx) => ({ sql: byId('select', 'space_profiles'), params: [row(fx, 'space_profile')] }),
  // One profile per space: the probe first removes the fixture's, so only the policy decides.
  insert: (fx) => ({
    sql: `insert into public.space_profiles (space_id, status, status_reason, missing_consents)
          values ($1, 'consent_missing', 'Probe', 1) returning id`,
    params: [fx.space.id],
    setup: async (tx) => {
      await tx.query(`delete from public.space_profiles where space_id = $1`, [fx.space.id]);
    },
  }),
  update: (fx) => ({ sql: byId('update', 'space_profiles', 'persona_id = 3'), params: [row(fx, 'space_profile')] }),
  delete: (fx) => ({ sql: byId('delete', 'space_profiles'), params: [row(fx, 'space_profile')] }),
};

const personaHistory: Subject = {
  name: 'persona_history',
  table: 'public.persona_history',
  select: (fx) => ({ sql: byId('select', 'persona_history'), params: [row(fx, 'persona_history')] }),
  insert: (fx) => ({
    sql: `insert into public.persona_history (space_id, persona_id, persona_name) values ($1, 3, 'SUBSCRIPTION_HEAVY') returning id`,
    params: [fx.space.id],
  }),
  update: (fx) => ({ sql: byId('update', 'persona_history', 'persona_id = 4'), params: [row(fx, 'persona_history')] }),
  delete: (fx) => ({ sql: byId('delete', 'persona_history'), params: [row(fx, 'persona_history')] }),
};

const recurringSeries: Subject = {
  name: 'recurring_series',
  table: 'public.recurring_series',
  select: (fx) => ({ sql: byId('select', 'recurring_series'), params: [row(fx, 'recurring_series')] }),
  insert: (fx) => ({
    sql: `insert into public.recurring_series (space_id, series_key, merchant, cadence, median_gap_days, typical_amount, currency,
            monthly_amount, first_date, last_date, next_expected_date, status, occurrences, confidence)
          values ($1, 'probe:usd', 'Probe', 'monthly', 30, 9.99, 'USD', 9.99, '2025-01-05', '2025-03-05', '2025-04-05', 'active', 3, 0.9)
          returning id`,
    params: [fx.space.id],
  }),
  update: (fx) => ({ sql: byId('update', 'recurring_series', `status = 'ended'`), params: [row(fx, 'recurring_series')] }),
  delete: (fx) => ({ sql: byId('delete', 'recurring_series'), params: [row(fx, 'recurring_series')] }),
};

const recommendationInsert = (fx: MatrixFixture) => ({
  sql: `insert into public.financial_insights (space_id, type, title, kind, review_status) values ($1, 'recommendation', 'Probe', 'education', 'pending')
        returning id`,
  params: [fx.space.id],
});

/** A recommendation waiting for review: the queue is the operators'; members do not see it yet. */
const pendingRecommendation: Subject = {
  name: 'financial_insights (a pending recommendation)',
  table: 'public.financial_insights',
  select: (fx) => ({ sql: byId('select', 'financial_insights'), params: [row(fx, 'recommendation:pending')] }),
  insert: recommendationInsert,
  update: (fx) => ({ sql: byId('update', 'financial_insights', 'is_read = true'), params: [row(fx, 'recommendation:pending')] }),
  delete: (fx) => ({ sql: byId('delete', 'financial_insights'), params: [row(fx, 'recommendation:pending')] }),
};

/** The same recommendation, but the update approves it directly: only through approve_recommendation. */
const reviewColumns: Subject = {
  ...pendingRecommendation,
  name: 'financial_insights (review columns of a pending recommendation)',
  update: (fx) => ({
    sql: byId('update', 'financial_insights', `review_status = 'approved', approved_at = now()`),
    params: [row(fx, 'recommendation:pending')],
  }),
};

/** An approved recommendation: members see it and mark it read; operators still see it in the queue's history. */
const approvedRecommendation: Subject = {
  name: 'financial_insights (an approved recommendation)',
  table: 'public.financial_insights',
  select: (fx) => ({ sql: byId('select', 'financial_insights'), params: [row(fx, 'recommendation:approved')] }),
  insert: recommendationInsert,
  update: (fx) => ({ sql: byId('update', 'financial_insights', 'is_read = true'), params: [row(fx, 'recommendation:approved')] }),
  delete: (fx) => ({ sql: byId('delete', 'financial_insights'), params: [row(fx, 'recommendation:approved')] }),
};

/** The actor's own profile; anon and service_role aim at the mate's. */
function ownProfileId(fx: MatrixFixture, actor: ActorName): string {
  return actor === 'anon' || actor === 'service_role' ? fx.mate.id : fx[actor].id;
}

/** Consent is the person's, and changes only through set_insights_consent (which stamps when). */
const ownConsent: Subject = {
  name: 'users (own consent columns)',
  table: 'public.users',
  select: (fx, a) => ({ sql: `select id from public.users where id = $1 and consent_status is not null`, params: [ownProfileId(fx, a)] }),
  // A new auth user whose profile was removed, so the insert has something valid to try.
  insert: () => {
    const id = randomUUID();
    return {
      sql: `insert into public.users (id, username, consent_status) values ($1, 'probe_consent', true) returning id`,
      params: [id],
      setup: async (tx) => {
        await tx.query(`insert into auth.users (id, email) values ($1, 'probe-consent@example.test')`, [id]);
        await tx.query(`delete from public.users where id = $1`, [id]);
      },
    };
  },
  update: (fx, a) => ({ sql: `update public.users set consent_status = true where id = $1 returning id`, params: [ownProfileId(fx, a)] }),
  delete: (fx, a) => ({ sql: `delete from public.users where id = $1 returning id`, params: [ownProfileId(fx, a)] }),
};

async function prepare(db: SqlClient, fx: MatrixFixture): Promise<void> {
  const one = async (sql: string, params: unknown[]): Promise<string> => {
    const [created] = await db.query<{ id: string }>(sql, params);
    if (!created) throw new Error(`fixture insert returned no row: ${sql.slice(0, 60)}`);
    return created.id;
  };
  fx.rows.space_profile = await one(
    `insert into public.space_profiles (space_id, status, persona_id, persona_name, signals_30d, signals_180d, analysed_at)
     values ($1, 'analysed', 5, 'CUSTOM', ${SIGNALS}, ${SIGNALS}, now()) returning id`,
    [fx.space.id],
  );
  fx.rows.persona_history = await one(
    `insert into public.persona_history (space_id, persona_id, persona_name, signals) values ($1, 5, 'CUSTOM', ${SIGNALS}) returning id`,
    [fx.space.id],
  );
  fx.rows.recurring_series = await one(
    `insert into public.recurring_series (space_id, series_key, merchant, cadence, median_gap_days, typical_amount, currency,
       monthly_amount, first_date, last_date, next_expected_date, status, occurrences, confidence, price_changes)
     values ($1, 'netflix:usd', 'Netflix', 'monthly', 30, 17.99, 'USD', 17.99, '2025-05-05', '2025-10-05', '2025-11-05', 'active', 6, 0.95,
             '[{"date":"2025-09-05","from":15.49,"to":17.99,"label":"15.49 → 17.99"}]') returning id`,
    [fx.space.id],
  );
  fx.rows['recommendation:pending'] = await one(
    `insert into public.financial_insights (space_id, type, title, kind, review_status, rule, rule_version, subject, decision_trace)
     values ($1, 'recommendation', 'Review your subscriptions', 'education', 'pending', 'recommendation.education', 1, 'edu.probe-pending', '{}')
     returning id`,
    [fx.space.id],
  );
  fx.rows['recommendation:approved'] = await one(
    `insert into public.financial_insights (space_id, type, title, kind, review_status, approved_by, approved_at)
     values ($1, 'recommendation', 'Build a cushion', 'education', 'approved', $2, now()) returning id`,
    [fx.space.id, fx.operator.id],
  );
}

export const INSIGHTS_AREA: MatrixArea = {
  prepare,
  rows: [
    [spaceProfile, { select: [...MEMBERS, 'service_role'], insert: SERVICE, update: SERVICE, delete: SERVICE }],
    [personaHistory, { select: [...MEMBERS, 'service_role'], insert: SERVICE, update: SERVICE, delete: SERVICE }],
    [recurringSeries, { select: [...MEMBERS, 'service_role'], insert: SERVICE, update: SERVICE, delete: SERVICE }],
    [pendingRecommendation, { select: ['operator', 'service_role'], insert: SERVICE, update: SERVICE, delete: SERVICE }],
    [reviewColumns, { select: ['operator', 'service_role'], insert: SERVICE, update: SERVICE, delete: SERVICE }],
    [
      approvedRecommendation,
      {
        select: [...MEMBERS, 'operator', 'service_role'],
        insert: SERVICE,
        update: [...MEMBERS, 'service_role'],
        delete: SERVICE,
      },
    ],
    [
      ownConsent,
      {
        select: ['outsider', ...MEMBERS, 'operator', 'service_role'],
        insert: SERVICE,
        update: SERVICE,
        delete: SERVICE,
      },
    ],
  ],
};
