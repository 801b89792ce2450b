/**
 * The insights engine's contract: what a caller hands in (one space's rows as
 * the database returns them), what comes out (signals in SpendSense's JSON
 * shape, the persona, insight candidates with decision traces, recurring
 * series), and the engine's functions.
 *
 * Pure data: no I/O, no clock (the caller passes `now`), so the same rows and
 * the same `now` always give the same result, byte for byte.
 *
 * Amounts come in as the database gives `numeric` (decimal text such as
 * "15.49", or a number); the engine computes in integer minor units and
 * reports amounts as numbers in major units of the space's currency, rounded
 * to the currency's decimals (SpendSense's shape: `150.5`).
 *
 * Changes to this file are additive only (the service, the edge function and
 * the CLI code against it).
 */
import type { InsightPriority, InsightType } from '@wallai/domain';

/** `numeric` as Postgres drivers return it ("15.49") or a JS number. */
export type Decimal = string | number;
/** A calendar day, `yyyy-MM-dd` (what `date` columns hold). */
export type IsoDay = string;
/** An instant, ISO 8601 with offset (`2025-11-04T10:00:00.000Z`). */
export type IsoInstant = string;

// ---------------------------------------------------------------------------
// Input: one space's rows
// ---------------------------------------------------------------------------

export interface SpaceInput {
  readonly id: string;
  /** ISO 4217 code of the space (`spaces.currency`); every signal is in it. */
  readonly currency: string;
  /** IANA zone (`spaces.timezone`): decides which day and month "now" is in. */
  readonly timezone: string;
}

export interface MemberInput {
  readonly user_id: string;
  readonly role: 'owner' | 'admin' | 'member' | 'viewer';
  readonly is_active: boolean;
  /** `users.consent_status`. */
  readonly consent_status: boolean;
  /** `users.consent_version` the person agreed to (null when never). */
  readonly consent_version: string | null;
  /** Display name for "who pays for what" (never shown beyond the space). */
  readonly display_name?: string | null;
}

export interface ExpenseInput {
  readonly id: string;
  readonly date: IsoDay;
  /** In the expense's own currency, positive. */
  readonly amount: Decimal;
  readonly currency: string;
  /** `expenses.base_amount`: amount in the space's currency (what the engine adds up). */
  readonly base_amount: Decimal;
  readonly description: string;
  readonly category: string;
  /** The payer (`expenses.created_by`); null once their account is gone. */
  readonly created_by: string | null;
  readonly budget_item_id?: string | null;
  readonly bank_transaction_id?: string | null;
}

export interface SplitInput {
  readonly id?: string;
  readonly expense_id: string;
  /** Who owes this part; null once their account is gone. */
  readonly user_id: string | null;
  /** In the expense's currency. */
  readonly amount: Decimal;
}

export interface BudgetInput {
  readonly id: string;
  readonly type: 'master' | 'secondary';
  /** First day of the month. */
  readonly month_period: IsoDay;
  readonly total_income: Decimal;
  readonly total_budgeted: Decimal;
  readonly total_spent: Decimal;
  readonly currency: string;
}

export interface BudgetItemInput {
  readonly id: string;
  readonly budget_id: string;
  readonly category: string;
  readonly category_type: 'needs' | 'wants' | 'savings' | 'income';
  readonly budgeted_amount: Decimal;
  readonly spent_amount: Decimal;
}

/** A category key and its type; defaults to Wallai's taxonomy when not given. */
export interface CategoryInput {
  readonly key: string;
  readonly category_type: 'needs' | 'wants' | 'savings' | 'income';
  readonly label?: string;
}

export interface BankAccountInput {
  readonly id: string;
  readonly external_id?: string;
  readonly name: string;
  readonly mask?: string | null;
  readonly type: 'depository' | 'credit' | 'loan' | 'investment' | 'other';
  /** Plaid subtype: checking, savings, money market, credit card, ... */
  readonly subtype: string | null;
  readonly currency: string | null;
  readonly current_balance: Decimal | null;
  readonly available_balance: Decimal | null;
  readonly credit_limit: Decimal | null;
  readonly balances_as_of?: IsoInstant | null;
  readonly owner_id?: string | null;
}

export type BankTransactionKind = 'spending' | 'income' | 'refund' | 'transfer' | 'card_payment' | 'fee' | 'interest' | 'other';

export interface BankTransactionInput {
  readonly id: string;
  readonly account_id: string;
  readonly date: IsoDay;
  /** Signed as Plaid signs: positive is money out of the account, negative money in. */
  readonly amount: Decimal;
  readonly currency: string | null;
  readonly description: string;
  readonly merchant_name?: string | null;
  readonly kind: BankTransactionKind;
  /** The expense a spending line became (then the expense is what counts). */
  readonly expense_id?: string | null;
  readonly pending?: boolean;
}

/** Everything the engine looks at for one space. Arrays may be empty; none is optional except the bank layer. */
export interface InsightsInput {
  readonly space: SpaceInput;
  /** The instant the run happens at; "today" is its calendar day in the space's zone. */
  readonly now: Date | IsoInstant;
  readonly members: readonly MemberInput[];
  readonly expenses: readonly ExpenseInput[];
  readonly splits: readonly SplitInput[];
  readonly budgets: readonly BudgetInput[];
  readonly budget_items: readonly BudgetItemInput[];
  /** Defaults to `DEFAULT_CATEGORIES` of @wallai/domain plus the budget items' own categories. */
  readonly categories?: readonly CategoryInput[];
  readonly bank_accounts?: readonly BankAccountInput[];
  readonly bank_transactions?: readonly BankTransactionInput[];
  /** Consent version the guardrail requires (default `CURRENT_CONSENT_VERSION`). */
  readonly consent_version_required?: string;
}

// ---------------------------------------------------------------------------
// Signals (SpendSense's signals_30d / signals_180d, plus Wallai's own keys)
// ---------------------------------------------------------------------------

export type Cadence = 'weekly' | 'biweekly' | 'monthly' | 'quarterly' | 'annual';
export type SeriesStatus = 'active' | 'overdue' | 'ended';

export interface PriceChange {
  /** Day of the first charge at the new amount. */
  readonly date: IsoDay;
  readonly from: number;
  readonly to: number;
  /** `"15.49 → 17.99"` in the series' currency decimals. */
  readonly label: string;
}

/** One detected recurring series (a row of `recurring_series`). */
export interface RecurringSeries {
  /** Stable key: normalized merchant + currency (+ amount band when a merchant has several series). */
  readonly key: string;
  /** Merchant as people read it ("Netflix"). */
  readonly merchant: string;
  readonly cadence: Cadence;
  /** Median gap in days between charges. */
  readonly median_gap_days: number;
  /** Current typical amount (median of the charges since the last price change), in `currency`. */
  readonly typical_amount: number;
  readonly currency: string;
  /** Typical amount converted to a month in the space's currency. */
  readonly monthly_amount: number;
  readonly category: string | null;
  readonly first_date: IsoDay;
  readonly last_date: IsoDay;
  readonly next_expected_date: IsoDay;
  readonly status: SeriesStatus;
  readonly occurrences: number;
  readonly price_changes: readonly PriceChange[];
  /** 0–1: how regular gaps and amounts are. */
  readonly confidence: number;
  readonly expense_ids: readonly string[];
  readonly bank_transaction_ids: readonly string[];
}

export interface SubscriptionSignal {
  readonly monthly_recurring_spend: number;
  /** monthly_recurring_spend ÷ average monthly spending of the window (0–1). */
  readonly subscription_share: number;
  readonly merchants: readonly string[];
  readonly series_count: number;
  readonly price_changes: readonly (PriceChange & { readonly merchant: string })[];
}

export interface SavingsSignal {
  /** Money put aside in the window (savings categories, or savings-account net flow). */
  readonly net_inflow: number;
  /** Growth of the savings balance over the window (0.05 = +5 %); null without a starting balance. */
  readonly growth_rate: number | null;
  /** Months of average spending the savings balance covers; null without a balance. */
  readonly emergency_fund_coverage: number | null;
  readonly source: 'bank' | 'savings_categories';
  /** Savings balance today (bank data), null otherwise. */
  readonly balance?: number | null;
  /** Calendar months of the window in which money was put aside. */
  readonly months_with_savings?: number;
}

export interface CreditCardState {
  readonly account_id: string;
  readonly name: string;
  readonly balance: number;
  readonly limit: number;
  readonly utilization: number;
}

export interface CreditSignal {
  /** Total balances ÷ total limits over the space's credit cards (0–1+). */
  readonly utilization_rate: number;
  /** Account ids of cards at or above the at-risk threshold. */
  readonly cards_at_risk: readonly string[];
  /** Every card payment in the window was at (or below) the estimated minimum payment. */
  readonly minimum_payment_only: boolean;
  readonly cards: readonly CreditCardState[];
  /** Interest charged on the cards in the window. */
  readonly interest_charged?: number;
}

export interface MissedPaycheck {
  readonly expected_date: IsoDay;
  readonly source: string;
}

export interface IncomeSignal {
  /** 1 − coefficient of variation of monthly income, clamped to 0–1. */
  readonly stability_score: number;
  /** Months of average spending that liquid balances (or the budgets' unspent income) cover. */
  readonly cash_flow_buffer: number | null;
  readonly variable_income: boolean;
  readonly monthly_income: number;
  readonly pay_cadence: Cadence | 'irregular' | null;
  readonly missed_paychecks: readonly MissedPaycheck[];
  readonly source: 'bank' | 'budgets';
  /** Income per complete calendar month the stability score was computed from. */
  readonly months?: readonly { readonly month: IsoDay; readonly amount: number }[];
}

export interface CategoryTrend {
  readonly category: string;
  readonly current: number;
  readonly previous: number;
  /** (current − previous) ÷ previous; null when previous is 0. */
  readonly change: number | null;
  readonly direction: 'up' | 'down' | 'flat' | 'new';
}

export interface CategoryTrendsSignal {
  readonly current_period: { readonly from: IsoDay; readonly to: IsoDay };
  readonly previous_period: { readonly from: IsoDay; readonly to: IsoDay };
  readonly total_current: number;
  readonly total_previous: number;
  readonly categories: readonly CategoryTrend[];
}

export interface Anomaly {
  readonly expense_id: string;
  readonly date: IsoDay;
  readonly category: string;
  readonly description: string;
  readonly amount: number;
  readonly category_median: number;
  readonly category_mad: number;
  /** Robust z-score: (amount − median) ÷ (1.4826 × MAD). */
  readonly score: number;
}

export interface AnomaliesSignal {
  /** Smallest amount that may be an anomaly, in the space's currency (scaled, not hard-coded dollars). */
  readonly min_amount: number;
  readonly anomalies: readonly Anomaly[];
}

export interface CategoryPacing {
  readonly category: string;
  readonly budgeted: number;
  readonly spent: number;
  readonly projected: number;
}

export interface BudgetPacingSignal {
  readonly budget_id: string;
  readonly month: IsoDay;
  readonly days_elapsed: number;
  readonly days_in_month: number;
  readonly budgeted: number;
  readonly spent_to_date: number;
  /** (budgeted − spent) ÷ days left including today; 0 when over. */
  readonly daily_allowance: number;
  /** Spent so far ÷ days elapsed × days in month. */
  readonly projected_month_end: number;
  /** spent_to_date ÷ (budgeted × days_elapsed ÷ days_in_month); 1 = on pace. */
  readonly pace_ratio: number;
  readonly over_budget_categories: readonly CategoryPacing[];
  /** Recurring charges still expected before the month ends (part of the projection). */
  readonly recurring_expected?: number;
}

export interface PayerShare {
  readonly user_id: string;
  readonly display_name: string | null;
  /** What they paid (expenses they created), space currency. */
  readonly paid: number;
  /** What they owe of all expenses by split shares (their own part of what they paid included). */
  readonly share: number;
  /** paid ÷ total. */
  readonly paid_ratio: number;
  /** share ÷ total. */
  readonly share_ratio: number;
  /** paid − share: positive = carries more than their share. */
  readonly difference: number;
  readonly top_categories: readonly string[];
}

export interface PayersSignal {
  readonly total: number;
  readonly members: readonly PayerShare[];
}

/** An input the engine needed for a signal and did not have. */
export interface MissingInput {
  /** Signal key: `subscriptions`, `credit`, ... */
  readonly signal: string;
  /** The input that was missing: `expenses`, `bank_accounts.credit`, `budgets`, ... */
  readonly input: string;
  readonly reason: string;
}

export interface Signals {
  readonly window_days: 30 | 180;
  readonly period: { readonly from: IsoDay; readonly to: IsoDay };
  readonly currency: string;
  // SpendSense's keys: absent when there is no data for them (never invented).
  readonly subscriptions?: SubscriptionSignal;
  readonly savings?: SavingsSignal;
  readonly credit?: CreditSignal;
  readonly income?: IncomeSignal;
  // Wallai's own.
  readonly category_trends?: CategoryTrendsSignal;
  readonly anomalies?: AnomaliesSignal;
  readonly budget_pacing?: BudgetPacingSignal;
  readonly payers?: PayersSignal;
  /** Why each absent signal is absent. */
  readonly missing: readonly MissingInput[];
}

// ---------------------------------------------------------------------------
// Personas
// ---------------------------------------------------------------------------

export const PERSONAS = {
  1: 'HIGH_UTILIZATION',
  2: 'VARIABLE_INCOME_BUDGETER',
  3: 'SUBSCRIPTION_HEAVY',
  4: 'SAVINGS_BUILDER',
  5: 'CUSTOM',
} as const;
export type PersonaId = keyof typeof PERSONAS;
export type PersonaName = (typeof PERSONAS)[PersonaId];

export interface MatchingCriterion {
  /** `credit.utilization_rate >= 0.5` */
  readonly criterion: string;
  readonly signal: string;
  readonly value: number | boolean | null;
  readonly threshold: number | boolean;
  readonly met: boolean;
}

export interface PersonaAssignment {
  readonly persona_id: PersonaId;
  readonly persona_name: PersonaName;
  /** The criteria of the chosen persona, as evaluated. */
  readonly matching_criteria: readonly MatchingCriterion[];
  /** Every persona that matched, in priority order (the first one wins). */
  readonly matched: readonly PersonaId[];
}

// ---------------------------------------------------------------------------
// Decision trace (SpendSense's recommendations.decision_trace, plus replay data)
// ---------------------------------------------------------------------------

export interface ToneValidation {
  readonly ok: boolean;
  /** Rule ids that failed, e.g. `shaming`, `command`. */
  readonly violations: readonly string[];
}

export interface GuardrailsChecks {
  readonly consent: boolean;
  readonly eligibility: boolean;
  readonly tone_validation: boolean;
  readonly consent_version?: string;
  readonly eligibility_reasons?: readonly string[];
  readonly tone?: ToneValidation;
}

export interface RecommendationLogic {
  readonly selected_education_items: readonly string[];
  readonly selected_partner_offers: readonly string[];
  /** Offers considered and not eligible, with why. */
  readonly excluded_partner_offers?: readonly { readonly id: string; readonly reason: string }[];
  readonly rationale?: string;
}

/** The rows a rule read; replaying the rule on exactly these rows gives the same insight_data. */
export interface TraceInputs {
  readonly expense_ids: readonly string[];
  readonly bank_transaction_ids: readonly string[];
  readonly bank_account_ids: readonly string[];
  readonly budget_ids: readonly string[];
  readonly budget_item_ids: readonly string[];
  /** Those of `expense_ids` that have splits (the splits of a range's expenses are the range's: `split_count`). */
  readonly split_expense_ids: readonly string[];
  /**
   * Row sets named by a range instead of ids, for aggregates over a window (a window's total
   * spending): every expense and bank line of the table dated in [from, to), with their splits.
   * `count` is how many rows the range held when the trace was made (and, for expenses,
   * `split_count` how many splits they had), so a replay can tell when rows changed.
   */
  readonly ranges?: readonly TraceRange[];
}

export interface TraceRange {
  readonly table: 'expenses' | 'bank_transactions';
  readonly from: IsoDay;
  readonly to: IsoDay;
  readonly count: number;
  /** Expenses only: the splits of the range's expenses. */
  readonly split_count?: number;
}

export interface DecisionTrace {
  readonly detected_signals: Readonly<Record<string, unknown>>;
  readonly persona_assignment: PersonaAssignment;
  readonly guardrails_checks: GuardrailsChecks;
  readonly recommendation_logic: RecommendationLogic;
  /** Rule id, e.g. `anomaly.category_mad`. */
  readonly rule: string;
  readonly rule_version: number;
  /** The subject and period of the insight (as in its subject_key). */
  readonly subject: string;
  readonly period: IsoDay;
  readonly engine_version: string;
  readonly thresholds: Readonly<Record<string, number | string | boolean>>;
  readonly inputs: TraceInputs;
  /** The run's `now` and the space's zone and currency: what replay needs besides the rows. */
  readonly context: { readonly now: IsoInstant; readonly timezone: string; readonly currency: string; readonly window_days: 30 | 180 };
}

// ---------------------------------------------------------------------------
// Insight candidates and recommendations
// ---------------------------------------------------------------------------

export type InsightDataValue =
  number | string | boolean | null | readonly InsightDataValue[] | { readonly [key: string]: InsightDataValue };
export type InsightData = { readonly [key: string]: InsightDataValue };

export type RecommendationKind = 'education' | 'partner_offer';

export interface RecommendationPayload {
  /** SpendSense's recommendations.type. */
  readonly kind: RecommendationKind;
  /** Content library or offer id (`edu.subscription-audit`, `offer.fictional-hysa`). */
  readonly item_id: string;
  readonly title: string;
  readonly content: string;
  /** Why this space sees it, with its figures. */
  readonly rationale: string;
}

export interface InsightCandidate {
  readonly type: InsightType;
  readonly rule: string;
  readonly rule_version: number;
  /** What the insight is about within the rule: a category, a merchant key, a budget id, `space`. */
  readonly subject: string;
  /** First day of the month the insight is about (financial_insights.period). */
  readonly period: IsoDay;
  /** `${space_id}:${rule}:${subject}:${period}`: one insight per key; regeneration updates it. */
  readonly subject_key: string;
  /**
   * Changes only when the insight's figures change materially (rounded headline numbers); when it
   * differs from the stored one, a dismissed insight resurfaces.
   */
  readonly material_key: string;
  /** Template text; passes the tone checker. */
  readonly title: string;
  readonly description: string;
  readonly insight_data: InsightData;
  readonly priority: InsightPriority;
  /** 0–1, two decimals (financial_insights.confidence numeric(3,2)). */
  readonly confidence: number;
  readonly expires_at: IsoInstant;
  readonly decision_trace: DecisionTrace;
  /** Present for type `recommendation`. */
  readonly recommendation?: RecommendationPayload;
}

export interface ContentItem {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  /** Signal conditions it is written for, e.g. `subscriptions.subscription_share>=0.1`. */
  readonly signals: readonly string[];
  readonly personas: readonly PersonaId[];
  readonly topic: 'subscriptions' | 'savings' | 'credit' | 'income' | 'budgeting' | 'spending' | 'sharing';
}

export interface PartnerOffer {
  readonly id: string;
  /** Clearly fictional partner ("Example Savings Co. (fictional)"). */
  readonly partner: string;
  readonly title: string;
  readonly body: string;
  readonly category: 'savings' | 'credit' | 'budgeting' | 'subscriptions';
  readonly personas: readonly PersonaId[];
}

// ---------------------------------------------------------------------------
// Engine output and API
// ---------------------------------------------------------------------------

export interface ConsentOutcome {
  readonly ok: boolean;
  readonly required_version: string;
  /** Active non-viewer members who have not consented to the required version. */
  readonly missing_user_ids: readonly string[];
  /** Set when not ok: why the space was not analysed. */
  readonly reason: string | null;
}

export interface SpaceProfile {
  readonly persona_id: PersonaId;
  readonly persona_name: PersonaName;
  readonly persona: PersonaAssignment;
  readonly signals_30d: Signals;
  readonly signals_180d: Signals;
}

export interface EngineResult {
  readonly engine_version: string;
  readonly space_id: string;
  readonly generated_at: IsoInstant;
  readonly consent: ConsentOutcome;
  /** Null when consent is missing (nothing analysed). */
  readonly profile: SpaceProfile | null;
  readonly recurring_series: readonly RecurringSeries[];
  readonly insights: readonly InsightCandidate[];
  /** Candidates dropped by a guardrail (tone, eligibility), with why; for the CLI's report. */
  readonly discarded: readonly { readonly subject_key: string; readonly reason: string }[];
}

/** Thresholds the rules use; every one lands in the trace of the insights it shaped. */
export interface Thresholds {
  readonly recurrence_gap_tolerance: number;
  readonly recurrence_amount_tolerance: number;
  readonly recurrence_min_occurrences: number;
  readonly anomaly_robust_z: number;
  readonly anomaly_min_category_size: number;
  readonly trend_min_change: number;
  readonly credit_high_utilization: number;
  readonly credit_card_at_risk: number;
  readonly variable_income_cv: number;
  readonly subscription_heavy_share: number;
  readonly subscription_heavy_count: number;
  readonly savings_builder_growth: number;
  readonly savings_builder_min_months: number;
  readonly pacing_over_ratio: number;
}

export interface EngineOptions {
  readonly thresholds?: Partial<Thresholds>;
  readonly content?: readonly ContentItem[];
  readonly offers?: readonly PartnerOffer[];
}

/** A rephrasing proposed by an LLM for a candidate's title and description. */
export interface Phrasing {
  readonly title: string;
  readonly description: string;
}

export interface PhrasingCheck {
  readonly accepted: boolean;
  /** What was wrong: figures not in insight_data, tone violations. */
  readonly reasons: readonly string[];
  /** The phrasing to store: the LLM's when accepted, the template otherwise. */
  readonly phrasing: Phrasing;
}

/**
 * The engine's functions (implemented in engine.ts and friends; exported from index.ts):
 * - `generateInsights(input, options?)`: consent check, signals 30/180, persona, candidates.
 * - `computeSignals(input, windowDays, options?)`: one window's signals.
 * - `detectRecurring(input, options?)`: recurring series from expenses and bank lines.
 * - `assignPersona(signals30, signals180, options?)`.
 * - `replayInsight(trace, input)`: re-runs the trace's rule on the trace's rows only, gives insight_data.
 * - `checkTone(text)`: `ToneValidation`.
 * - `checkPhrasing(candidate, phrasing)`: `PhrasingCheck`.
 */
export interface InsightsEngine {
  generateInsights(input: InsightsInput, options?: EngineOptions): EngineResult;
  computeSignals(input: InsightsInput, windowDays: 30 | 180, options?: EngineOptions): Signals;
  detectRecurring(input: InsightsInput, options?: EngineOptions): readonly RecurringSeries[];
  assignPersona(signals30: Signals, signals180: Signals, options?: EngineOptions): PersonaAssignment;
  replayInsight(trace: DecisionTrace, input: InsightsInput, options?: EngineOptions): InsightData | null;
  checkTone(text: string): ToneValidation;
  checkPhrasing(candidate: InsightCandidate, phrasing: Phrasing): PhrasingCheck;
}
