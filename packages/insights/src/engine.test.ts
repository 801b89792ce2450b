import { INSIGHT_TYPES } from '@wallai/domain';
import { describe, expect, it } from 'vitest';
import { computeSignals, generateInsights, replayInsight } from './engine.ts';
import { richSpace, SpaceBuilder } from './fixtures.ts';
import { InsightsInputError } from './model.ts';
import type { InsightsInput } from './types.ts';

const NOW = '2025-11-20T15:00:00.000Z';

function base(options: { currency?: string; timezone?: string } = {}) {
  return new SpaceBuilder({ now: NOW, ...options }).member('u-1', { name: 'Alex' }).member('u-2', { name: 'Sam' });
}

/** A little everyday spending, so the persona rules have a denominator. */
function everyday(b: SpaceBuilder, perDay = 40, every = 3): void {
  for (let d = 178; d > 0; d -= every)
    b.expense({ date: b.daysAgo(d), amount: perDay + (d % 7), description: `Corner Grocer ${d % 5}`, category: 'groceries' });
}

describe('a space with no data', () => {
  const result = generateInsights(base().build());

  it('gets no signals and no insights, and the trace names every missing input', () => {
    expect(result.insights).toEqual([]);
    const s = result.profile!.signals_180d;
    for (const key of ['subscriptions', 'savings', 'credit', 'income', 'category_trends', 'anomalies', 'budget_pacing', 'payers'])
      expect(s).not.toHaveProperty(key);
    expect(Object.fromEntries(s.missing.map((m) => [m.signal, m.input]))).toEqual({
      subscriptions: 'expenses',
      savings: 'bank_accounts.savings|expenses.savings_categories',
      credit: 'bank_accounts.credit',
      income: 'bank_transactions.income|budgets.total_income',
      category_trends: 'expenses',
      anomalies: 'expenses',
      budget_pacing: 'budgets',
      payers: 'expenses',
    });
    expect(result.profile!.persona_id).toBe(5);
  });
});

describe('consent', () => {
  it('analyses nothing when an active non-viewer member has not consented, and says why', () => {
    const b = new SpaceBuilder({ now: NOW }).member('u-1').member('u-2', { consent: false });
    everyday(b);
    const result = generateInsights(b.build());
    expect(result.profile).toBeNull();
    expect(result.insights).toEqual([]);
    expect(result.recurring_series).toEqual([]);
    expect(result.consent).toEqual({
      ok: false,
      required_version: '1.0',
      missing_user_ids: ['u-2'],
      reason: '1 of 2 active members have not consented to the analysis (consent version 1.0)',
    });
  });

  it('needs the current consent version, not an older one', () => {
    const b = new SpaceBuilder({ now: NOW }).member('u-1', { version: '0.9' });
    expect(generateInsights({ ...b.build(), consent_version_required: '1.0' }).consent.missing_user_ids).toEqual(['u-1']);
  });

  it('does not wait for viewers or people who left', () => {
    const b = new SpaceBuilder({ now: NOW })
      .member('u-1')
      .member('u-2', { role: 'viewer', consent: false })
      .member('u-3', { consent: false, active: false });
    expect(generateInsights(b.build()).consent.ok).toBe(true);
  });
});

describe('personas', () => {
  /** The profile's persona, after checking that every insight's trace carries it with its criteria. */
  function persona(input: InsightsInput) {
    const result = generateInsights(input);
    const p = result.profile!.persona;
    expect(result.insights.length).toBeGreaterThan(0);
    for (const i of result.insights) {
      expect(i.decision_trace.persona_assignment, i.subject_key).toMatchObject({
        persona_id: p.persona_id,
        persona_name: p.persona_name,
        matching_criteria: p.matching_criteria,
      });
    }
    return p;
  }

  it('1 HIGH_UTILIZATION: a card at 70 % of its limit', () => {
    const b = base();
    everyday(b);
    b.account({ type: 'credit', name: 'Card', current_balance: '3500.00', credit_limit: '5000.00' });
    const p = persona(b.build());
    expect(p.persona_id).toBe(1);
    expect(p.matching_criteria.find((c) => c.signal === 'credit.utilization_rate')).toMatchObject({
      value: 0.7,
      threshold: 0.5,
      met: true,
    });
  });

  it('2 VARIABLE_INCOME_BUDGETER: uneven income and under a month of buffer', () => {
    const b = base();
    everyday(b, 60, 2);
    const checking = b.account({ type: 'depository', subtype: 'checking', current_balance: '300.00' });
    const pay = [900, 3100, 1500, 4200, 700, 2600, 1800, 3900, 1200];
    pay.forEach((amount, i) =>
      b.line({
        account: checking,
        date: b.daysAgo(175 - i * 19),
        amount: -amount,
        description: `Client ${'ABCDEFGHI'[i]} invoice`,
        kind: 'income',
      }),
    );
    const p = persona(b.build());
    expect(p.persona_id).toBe(2);
    expect(p.matching_criteria.filter((c) => c.met).map((c) => c.signal)).toEqual(
      expect.arrayContaining(['income.variable_income', 'income.cash_flow_buffer']),
    );
  });

  it('3 SUBSCRIPTION_HEAVY: several recurring merchants taking over 10 % of spending', () => {
    const b = base();
    everyday(b, 15, 4);
    for (const [d, a] of [
      ['Netflix', 15.49],
      ['Spotify', 10.99],
      ['Iron Gym', 39],
      ['Cloud Drive Plus', 9.99],
    ] as const)
      b.series({ description: d, amount: a, count: 6, months: 1, lastDaysAgo: 4 });
    const p = persona(b.build());
    expect(p.persona_id).toBe(3);
    expect(p.matching_criteria.every((c) => c.met)).toBe(true);
  });

  it('4 SAVINGS_BUILDER: money put aside in most months, no card debt', () => {
    const b = base();
    everyday(b);
    b.series({ description: 'Transfer to emergency fund', amount: 200, count: 6, months: 1, lastDaysAgo: 3, category: 'emergency_fund' });
    const p = persona(b.build());
    expect(p.persona_id).toBe(4);
    expect(p.matching_criteria.find((c) => c.signal === 'savings.months_with_savings')).toMatchObject({ value: 6, met: true });
  });

  it('5 CUSTOM: nothing stands out', () => {
    const b = base();
    everyday(b);
    expect(persona(b.build())).toMatchObject({ persona_id: 5, persona_name: 'CUSTOM', matched: [5] });
  });

  it('takes the lowest number when several match (utilization before subscriptions)', () => {
    const b = base();
    everyday(b, 15, 4);
    for (const d of ['Netflix', 'Spotify', 'Iron Gym', 'Cloud Drive Plus'])
      b.series({ description: d, amount: 20, count: 6, months: 1, lastDaysAgo: 4 });
    b.account({ type: 'credit', current_balance: '900.00', credit_limit: '1000.00' });
    const p = persona(b.build());
    expect(p.persona_id).toBe(1);
    expect(p.matched).toEqual([1, 3]);
  });
});

describe('insights', () => {
  const input = richSpace();
  const result = generateInsights(input);

  it('come in all five types, each with a trace in SpendSense’s shape', () => {
    expect(new Set(result.insights.map((i) => i.type))).toEqual(new Set(INSIGHT_TYPES));
    for (const i of result.insights) {
      expect(Object.keys(i.decision_trace)).toEqual(
        expect.arrayContaining([
          'detected_signals',
          'persona_assignment',
          'guardrails_checks',
          'recommendation_logic',
          'rule',
          'rule_version',
          'thresholds',
          'inputs',
        ]),
      );
      expect(i.decision_trace.guardrails_checks).toMatchObject({ consent: true, eligibility: true, tone_validation: true });
      expect(i.decision_trace.persona_assignment.matching_criteria.length).toBeGreaterThan(0);
      expect(i.confidence).toBeGreaterThanOrEqual(0);
      expect(i.confidence).toBeLessThanOrEqual(1);
      expect(i.period).toMatch(/^\d{4}-\d{2}-01$/);
      expect(Date.parse(i.expires_at)).toBeGreaterThan(Date.parse(NOW));
      expect(i.subject_key).toBe(`space-rich:${i.rule}:${i.subject}:${i.period}`);
    }
  });

  it('reproduce the same numbers when their trace is replayed on the same rows', () => {
    for (const i of result.insights) expect(replayInsight(i.decision_trace, input), i.subject_key).toEqual(i.insight_data);
  });

  it('replay to different numbers when a row the trace names changes', () => {
    const anomaly = result.insights.find((i) => i.rule === 'anomaly.unusual_expense')!;
    const changed = {
      ...input,
      expenses: input.expenses.map((e) => (e.id === anomaly.subject ? { ...e, amount: '700.00', base_amount: '700.00' } : e)),
    };
    expect(replayInsight(anomaly.decision_trace, changed)!.amount).toBe(700);
  });

  it('are the same, byte for byte, on a second run and with the rows shuffled', () => {
    const shuffled = { ...input, expenses: [...input.expenses].reverse(), bank_transactions: [...input.bank_transactions!].reverse() };
    expect(JSON.stringify(generateInsights(shuffled))).toBe(JSON.stringify(result));
  });

  it('keep their subject key when regenerated later in the month, and change material key only with the figures', () => {
    const later = generateInsights({ ...input, now: '2025-11-21T15:00:00.000Z' });
    const credit = (r: typeof result) => r.insights.find((i) => i.rule === 'goal.credit_utilization')!;
    expect(credit(later).subject_key).toBe(credit(result).subject_key);
    expect(credit(later).material_key).toBe(credit(result).material_key);
    const paidDown = generateInsights({
      ...input,
      bank_accounts: input.bank_accounts!.map((a) => (a.type === 'credit' ? { ...a, current_balance: '2000.00' } : a)),
    });
    expect(credit(paidDown).material_key).not.toBe(credit(result).material_key);
  });

  it('record the price change "15.49 → 17.99" as a trend', () => {
    const i = result.insights.find((x) => x.rule === 'subscription.price_change')!;
    expect(i.insight_data).toMatchObject({ from: 15.49, to: 17.99, label: '15.49 → 17.99', cadence: 'monthly' });
    expect(i.title).toBe('Netflix now charges 17.99 USD instead of 15.49 USD');
  });

  it('flag the spike against its category’s median and spread', () => {
    const i = result.insights.find((x) => x.rule === 'anomaly.unusual_expense')!;
    expect(i.insight_data).toMatchObject({ category: 'groceries', amount: 912.4 });
    expect(Number(i.insight_data.score)).toBeGreaterThan(3.5);
  });

  it('never offer a credit product to a space at high utilization', () => {
    const offers = result.insights.filter((i) => i.recommendation?.kind === 'partner_offer').map((i) => i.subject);
    expect(offers).not.toContain('offer.fictional-balance-transfer');
    const logic = result.insights.find((i) => i.rule === 'recommendation.education')!.decision_trace.recommendation_logic;
    expect(logic.excluded_partner_offers!.find((o) => o.id === 'offer.fictional-balance-transfer')).toBeDefined();
  });

  it('offer the balance-transfer example only to a space with low utilization', () => {
    const b = base();
    everyday(b);
    b.series({ description: 'Transfer to emergency fund', amount: 200, count: 6, months: 1, lastDaysAgo: 3, category: 'emergency_fund' });
    b.account({ type: 'credit', current_balance: '200.00', credit_limit: '5000.00' });
    const r = generateInsights(b.build());
    expect(r.profile!.persona_id).toBe(4);
    const offer = r.insights.find((i) => i.recommendation?.kind === 'partner_offer');
    expect(offer?.decision_trace.guardrails_checks.eligibility).toBe(true);
  });
});

describe('currencies and time zones', () => {
  it('adds up expenses in another currency by their base amount', () => {
    const b = base({ currency: 'USD' });
    b.expense({ date: b.daysAgo(3), amount: 100, currency: 'EUR', rate: 1.1, description: 'Paris Bistro', category: 'dining' });
    b.expense({ date: b.daysAgo(4), amount: 20, description: 'Taco Town', category: 'dining' });
    const trends = computeSignals(b.build(), 30).category_trends!;
    expect(trends.categories).toEqual([{ category: 'dining', current: 130, previous: 0, change: null, direction: 'new' }]);
  });

  it('reports a zero-decimal currency in whole units and scales the anomaly floor with the space’s amounts', () => {
    const b = base({ currency: 'JPY', timezone: 'Asia/Tokyo' });
    for (let d = 170; d > 0; d -= 4)
      b.expense({ date: b.daysAgo(d), amount: 1200 + (d % 9) * 37, description: `Konbini ${d % 3}`, category: 'groceries' });
    b.expense({ date: b.daysAgo(5), amount: 48000, description: 'Department store gift set', category: 'groceries' });
    const s = computeSignals(b.build(), 30);
    expect(Number.isInteger(s.anomalies!.min_amount)).toBe(true);
    expect(s.anomalies!.min_amount).toBeGreaterThan(2000);
    expect(s.anomalies!.anomalies.map((a) => a.amount)).toEqual([48000]);
  });

  it('takes "today" in the space’s time zone', () => {
    // 2025-11-30 23:30 in UTC is already 1 December in Madrid.
    const input = { ...base({ timezone: 'Europe/Madrid' }).build(), now: '2025-11-30T23:30:00.000Z' };
    expect(computeSignals(input, 30).period).toEqual({ from: '2025-11-02', to: '2025-12-02' });
    expect(computeSignals({ ...input, space: { ...input.space, timezone: 'UTC' } }, 30).period).toEqual({
      from: '2025-11-01',
      to: '2025-12-01',
    });
  });

  it('rejects input it cannot read with a clear error', () => {
    const b = base();
    expect(() => generateInsights({ ...b.build(), space: { ...b.space, timezone: 'Mars/Olympus' } })).toThrow(InsightsInputError);
    b.expense({ date: '2025-13-01', amount: 5, description: 'x' });
    expect(() => generateInsights(b.build())).toThrow(/date must be yyyy-MM-dd/);
  });
});
