/**
 * SpendSense's five personas, assigned to a space from its 180-day signals
 * (credit from current balances, so the same in both windows).
 *
 * | priority | persona | matches when |
 * |---|---|---|
 * | 1 | HIGH_UTILIZATION | utilization ≥ 50 %, or a card ≥ 80 %, or only minimum payments, or interest charged |
 * | 2 | VARIABLE_INCOME_BUDGETER | income variable (monthly CV > 20 %) or irregular pay, and a cash-flow buffer under 1 month |
 * | 3 | SUBSCRIPTION_HEAVY | ≥ 3 recurring merchants and recurring spend ≥ 10 % of spending |
 * | 4 | SAVINGS_BUILDER | savings growing ≥ 2 % or money put aside in ≥ 3 months, and utilization under 30 % (or no cards) |
 * | 5 | CUSTOM | none of the above |
 *
 * When several match, the lowest number wins: money at risk first (debt
 * costs), then cash flow, then recurring costs, then growth.
 */
import { PERSONAS, type MatchingCriterion, type PersonaAssignment, type PersonaId, type Signals, type Thresholds } from './types.ts';

const SAVINGS_BUILDER_MAX_UTILIZATION = 0.3;
const VARIABLE_INCOME_MAX_BUFFER = 1;

interface PersonaRule {
  readonly id: PersonaId;
  /** Groups of criteria: every group must have a met criterion. */
  readonly groups: (s: Signals, t: Thresholds) => MatchingCriterion[][];
}

function crit(
  criterion: string,
  signal: string,
  value: number | boolean | null,
  threshold: number | boolean,
  met: boolean,
): MatchingCriterion {
  return { criterion, signal, value, threshold, met };
}

const RULES: readonly PersonaRule[] = [
  {
    id: 1,
    groups: (s, t) => {
      const c = s.credit;
      const interest = c?.interest_charged ?? null;
      return [
        [
          crit(
            `credit.utilization_rate >= ${t.credit_high_utilization}`,
            'credit.utilization_rate',
            c?.utilization_rate ?? null,
            t.credit_high_utilization,
            !!c && c.utilization_rate >= t.credit_high_utilization,
          ),
          crit(
            'credit.cards_at_risk is not empty',
            'credit.cards_at_risk',
            c ? c.cards_at_risk.length : null,
            1,
            !!c && c.cards_at_risk.length > 0,
          ),
          crit(
            'credit.minimum_payment_only',
            'credit.minimum_payment_only',
            c?.minimum_payment_only ?? null,
            true,
            !!c && c.minimum_payment_only,
          ),
          crit('credit.interest_charged > 0', 'credit.interest_charged', interest, 0, interest !== null && interest > 0),
        ],
      ];
    },
  },
  {
    id: 2,
    groups: (s, t) => {
      const i = s.income;
      return [
        [
          crit(
            `income.variable_income (monthly CV > ${t.variable_income_cv})`,
            'income.variable_income',
            i?.variable_income ?? null,
            true,
            !!i && i.variable_income,
          ),
          crit(
            "income.pay_cadence = 'irregular'",
            'income.pay_cadence',
            i ? i.pay_cadence === 'irregular' : null,
            true,
            !!i && i.pay_cadence === 'irregular',
          ),
        ],
        [
          crit(
            `income.cash_flow_buffer < ${VARIABLE_INCOME_MAX_BUFFER}`,
            'income.cash_flow_buffer',
            i?.cash_flow_buffer ?? null,
            VARIABLE_INCOME_MAX_BUFFER,
            !!i && i.cash_flow_buffer !== null && i.cash_flow_buffer < VARIABLE_INCOME_MAX_BUFFER,
          ),
        ],
      ];
    },
  },
  {
    id: 3,
    groups: (s, t) => {
      const sub = s.subscriptions;
      return [
        [
          crit(
            `subscriptions.series_count >= ${t.subscription_heavy_count}`,
            'subscriptions.series_count',
            sub?.series_count ?? null,
            t.subscription_heavy_count,
            !!sub && sub.series_count >= t.subscription_heavy_count,
          ),
        ],
        [
          crit(
            `subscriptions.subscription_share >= ${t.subscription_heavy_share}`,
            'subscriptions.subscription_share',
            sub?.subscription_share ?? null,
            t.subscription_heavy_share,
            !!sub && sub.subscription_share >= t.subscription_heavy_share,
          ),
        ],
      ];
    },
  },
  {
    id: 4,
    groups: (s, t) => {
      const sv = s.savings;
      const months = sv?.months_with_savings ?? null;
      const c = s.credit;
      return [
        [
          crit(
            `savings.growth_rate >= ${t.savings_builder_growth}`,
            'savings.growth_rate',
            sv?.growth_rate ?? null,
            t.savings_builder_growth,
            !!sv && sv.growth_rate !== null && sv.growth_rate >= t.savings_builder_growth,
          ),
          crit(
            `savings.months_with_savings >= ${t.savings_builder_min_months}`,
            'savings.months_with_savings',
            months,
            t.savings_builder_min_months,
            months !== null && months >= t.savings_builder_min_months,
          ),
        ],
        [
          crit(
            `credit.utilization_rate < ${SAVINGS_BUILDER_MAX_UTILIZATION} (or no cards)`,
            'credit.utilization_rate',
            c?.utilization_rate ?? null,
            SAVINGS_BUILDER_MAX_UTILIZATION,
            !c || c.utilization_rate < SAVINGS_BUILDER_MAX_UTILIZATION,
          ),
        ],
      ];
    },
  },
];

export function assignPersonaFrom(signals180: Signals, thresholds: Thresholds): PersonaAssignment {
  const matched: PersonaId[] = [];
  const evaluated = new Map<PersonaId, MatchingCriterion[]>();
  for (const rule of RULES) {
    const groups = rule.groups(signals180, thresholds);
    evaluated.set(rule.id, groups.flat());
    if (groups.every((g) => g.some((c) => c.met))) matched.push(rule.id);
  }
  const chosen = matched[0];
  if (chosen === undefined) {
    return {
      persona_id: 5,
      persona_name: PERSONAS[5],
      matching_criteria: [crit('no other persona matched', 'personas 1-4', null, true, true), ...[...evaluated.values()].flat()],
      matched: [5],
    };
  }
  return { persona_id: chosen, persona_name: PERSONAS[chosen], matching_criteria: evaluated.get(chosen)!, matched };
}
