/**
 * The insights schema's rules: consent set by the person, the operators'
 * review of recommendations through RLS and the RPCs, what members see, and
 * the constraints that keep profiles, series and insights consistent.
 */
import {
  addMember,
  createExpense,
  createOperator,
  createSpace,
  createUser,
  expectSqlError,
  queryAs,
  serviceRole,
  type TestSpace,
  type TestUser,
  useTestDatabase,
} from '@wallai/testing';
import { describe, expect, it } from 'vitest';

const db = useTestDatabase();

/** A recommendation as the insights service writes it: pending review. */
async function pendingRecommendation(space: TestSpace, title = 'Review your subscriptions'): Promise<string> {
  const [row] = await queryAs<{ id: string }>(
    db(),
    serviceRole,
    `insert into public.financial_insights (space_id, type, title, description, kind, review_status, rule, rule_version, subject, decision_trace)
     values ($1, 'recommendation', $2, 'Three subscriptions add up to 41.47 a month.', 'education', 'pending',
             'recommendation.education', 1, $3, '{"guardrails_checks":{"consent":true}}') returning id`,
    [space.id, title, `edu.${title.length}.${Math.random()}`],
  );
  return row!.id;
}

const visibleTo = async (person: TestUser, id: string) =>
  (await queryAs<{ id: string }>(db(), person.actor, `select id from public.financial_insights where id = $1`, [id])).length === 1;

const review = async (id: string) =>
  (
    await db().query<{
      review_status: string;
      approved_by: string | null;
      approved_at: Date | null;
      rejected_by: string | null;
      rejection_reason: string | null;
    }>(`select review_status, approved_by, approved_at, rejected_by, rejection_reason from public.financial_insights where id = $1`, [id])
  )[0]!;

describe('consent', () => {
  it('a new person has not consented; set_insights_consent records their answer, its version and when', async () => {
    const person = await createUser(db());
    const before = (
      await db().query<{ consent_status: boolean; consent_version: string; consent_updated_at: Date | null }>(
        `select consent_status, consent_version, consent_updated_at from public.users where id = $1`,
        [person.id],
      )
    )[0]!;
    expect(before).toEqual({ consent_status: false, consent_version: '1.0', consent_updated_at: null });
    await queryAs(db(), person.actor, `select public.set_insights_consent(true, '1.1')`);
    const after = (
      await db().query<{ consent_status: boolean; consent_version: string; consent_updated_at: Date | null }>(
        `select consent_status, consent_version, consent_updated_at from public.users where id = $1`,
        [person.id],
      )
    )[0]!;
    expect(after).toMatchObject({ consent_status: true, consent_version: '1.1' });
    expect(after.consent_updated_at).toBeInstanceOf(Date);
  });

  it('nobody sets consent by updating the profile directly, not even their own', async () => {
    const person = await createUser(db());
    await expectSqlError(queryAs(db(), person.actor, `update public.users set consent_status = true where id = $1`, [person.id]), '42501');
  });

  it('a malformed version or a missing answer is refused and changes nothing', async () => {
    const person = await createUser(db());
    await expectSqlError(queryAs(db(), person.actor, `select public.set_insights_consent(true, 'latest')`), '22023');
    await expectSqlError(queryAs(db(), person.actor, `select public.set_insights_consent(null)`), '22023');
    const [row] = await db().query<{ consent_status: boolean }>(`select consent_status from public.users where id = $1`, [person.id]);
    expect(row!.consent_status).toBe(false);
  });

  it('anon cannot answer for anyone', async () => {
    await expectSqlError(queryAs(db(), { role: 'anon' }, `select public.set_insights_consent(true)`), '42501');
  });

  it("withdrawing consent hides the current insights of the person's spaces at once; a viewer's answer changes nothing", async () => {
    const space = await createSpace(db());
    const viewer = await addMember(db(), space, 'viewer');
    const [insight] = await queryAs<{ id: string }>(
      db(),
      serviceRole,
      `insert into public.financial_insights (space_id, type, title) values ($1, 'trend', 'Groceries are up 12%') returning id`,
      [space.id],
    );
    await queryAs(db(), viewer.actor, `select public.set_insights_consent(false)`);
    expect(await visibleTo(space.owner, insight!.id)).toBe(true);
    await queryAs(db(), space.owner.actor, `select public.set_insights_consent(false)`);
    expect(await visibleTo(space.owner, insight!.id)).toBe(false);
  });
});

describe('recommendation review', () => {
  it("a pending recommendation is in the operators' queue and hidden from members until approved", async () => {
    const space = await createSpace(db());
    const member = await addMember(db(), space, 'member');
    const operator = await createOperator(db());
    const id = await pendingRecommendation(space);
    expect(await visibleTo(member, id)).toBe(false);
    expect(await visibleTo(operator, id)).toBe(true);

    await queryAs(db(), operator.actor, `select public.approve_recommendation($1)`, [id]);
    expect(await visibleTo(member, id)).toBe(true);
    const stamped = await review(id);
    expect(stamped).toMatchObject({ review_status: 'approved', approved_by: operator.id, rejected_by: null });
    expect(stamped.approved_at).toBeInstanceOf(Date);
  });

  it('an app admin reviews like an operator', async () => {
    const space = await createSpace(db());
    const admin = await createOperator(db(), 'admin');
    const id = await pendingRecommendation(space);
    await queryAs(db(), admin.actor, `select public.reject_recommendation($1, 'Not relevant for a shared flat')`, [id]);
    expect(await review(id)).toMatchObject({
      review_status: 'rejected',
      rejected_by: admin.id,
      rejection_reason: 'Not relevant for a shared flat',
    });
  });

  it('a member, even the owner of the space, cannot approve or reject', async () => {
    const space = await createSpace(db());
    const id = await pendingRecommendation(space);
    await expectSqlError(queryAs(db(), space.owner.actor, `select public.approve_recommendation($1)`, [id]), '42501', /operators/);
    await expectSqlError(queryAs(db(), space.owner.actor, `select public.reject_recommendation($1, 'no')`, [id]), '42501');
    expect((await review(id)).review_status).toBe('pending');
  });

  it('a space admin with app_metadata in user_metadata is still no operator: only app_metadata counts', async () => {
    const space = await createSpace(db());
    const id = await pendingRecommendation(space);
    await expectSqlError(
      db().transaction(async (tx) => {
        await tx.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [
          JSON.stringify({ role: 'authenticated', sub: space.owner.id, user_metadata: { role: 'operator' } }),
        ]);
        await tx.query(`select public.approve_recommendation($1)`, [id]);
      }),
      '42501',
    );
  });

  it('a rejection needs a reason; a decided recommendation cannot be decided again', async () => {
    const space = await createSpace(db());
    const operator = await createOperator(db());
    const id = await pendingRecommendation(space);
    await expectSqlError(queryAs(db(), operator.actor, `select public.reject_recommendation($1, '   ')`, [id]), '22023');
    await queryAs(db(), operator.actor, `select public.approve_recommendation($1)`, [id]);
    await expectSqlError(queryAs(db(), operator.actor, `select public.reject_recommendation($1, 'Changed my mind')`, [id]), 'PT409');
    await expectSqlError(queryAs(db(), operator.actor, `select public.approve_recommendation($1)`, [id]), 'PT409');
  });

  it('an insight that is not a recommendation, or no insight at all, is not found', async () => {
    const space = await createSpace(db());
    const operator = await createOperator(db());
    const [trend] = await queryAs<{ id: string }>(
      db(),
      serviceRole,
      `insert into public.financial_insights (space_id, type, title) values ($1, 'trend', 'Dining is down') returning id`,
      [space.id],
    );
    await expectSqlError(queryAs(db(), operator.actor, `select public.approve_recommendation($1)`, [trend!.id]), 'PT404');
    await expectSqlError(
      queryAs(db(), operator.actor, `select public.approve_recommendation($1)`, ['00000000-0000-4000-8000-000000000000']),
      'PT404',
    );
  });

  it("an operator reads the queue and its traces, never the space's expenses, budgets or other insights", async () => {
    const space = await createSpace(db());
    const operator = await createOperator(db());
    await createExpense(db(), space, { amount: '42.00', description: 'Groceries' });
    const id = await pendingRecommendation(space);
    const queue = await queryAs<{ id: string; decision_trace: unknown }>(
      db(),
      operator.actor,
      `select id, decision_trace from public.financial_insights where review_status = 'pending' and space_id = $1`,
      [space.id],
    );
    expect(queue).toEqual([{ id, decision_trace: { guardrails_checks: { consent: true } } }]);
    expect(await queryAs(db(), operator.actor, `select id from public.expenses where space_id = $1`, [space.id])).toEqual([]);
    expect(await queryAs(db(), operator.actor, `select id from public.budgets where space_id = $1`, [space.id])).toEqual([]);
    expect(await queryAs(db(), operator.actor, `select id from public.space_profiles where space_id = $1`, [space.id])).toEqual([]);
  });

  it('a recommendation must carry its kind and review status, and stamps that match the status', async () => {
    const space = await createSpace(db());
    await expectSqlError(
      db().query(`insert into public.financial_insights (space_id, type, title) values ($1, 'recommendation', 'x')`, [space.id]),
      '23514',
    );
    await expectSqlError(
      db().query(
        `insert into public.financial_insights (space_id, type, title, kind, review_status) values ($1, 'recommendation', 'x', 'education', 'approved')`,
        [space.id],
      ),
      '23514',
    );
    await expectSqlError(
      db().query(`insert into public.financial_insights (space_id, type, title, review_status) values ($1, 'trend', 'x', 'pending')`, [
        space.id,
      ]),
      '23514',
    );
  });

  it('one insight per space, rule, subject and period (a month or none)', async () => {
    const space = await createSpace(db());
    const insert = (period: string | null) =>
      db().query(
        `insert into public.financial_insights (space_id, type, title, rule, rule_version, subject, period) values ($1, 'trend', 't', 'trend.category', 1, 'dining', $2)`,
        [space.id, period],
      );
    await insert('2025-10-01');
    await insert('2025-11-01');
    await expectSqlError(insert('2025-10-01'), '23505');
    await insert(null);
    await expectSqlError(insert(null), '23505');
  });
});

describe('space profiles', () => {
  it('an analysed profile has a persona 1-5 and both signal windows; a consent-missing one keeps nothing but why', async () => {
    const space = await createSpace(db());
    await expectSqlError(
      db().query(
        `insert into public.space_profiles (space_id, status, persona_id, persona_name, signals_30d, signals_180d, analysed_at)
         values ($1, 'analysed', 6, 'CUSTOM', '{}', '{}', now())`,
        [space.id],
      ),
      '23514',
    );
    await expectSqlError(
      db().query(
        `insert into public.space_profiles (space_id, status, status_reason, missing_consents, persona_id, persona_name)
                  values ($1, 'consent_missing', 'why', 1, 5, 'CUSTOM')`,
        [space.id],
      ),
      '23514',
    );
    await db().query(
      `insert into public.space_profiles (space_id, status, status_reason, missing_consents) values ($1, 'consent_missing', 'why', 1)`,
      [space.id],
    );
    await expectSqlError(
      db().query(
        `insert into public.space_profiles (space_id, status, status_reason, missing_consents) values ($1, 'consent_missing', 'again', 1)`,
        [space.id],
      ),
      '23505',
    );
  });
});
