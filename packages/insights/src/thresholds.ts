/**
 * Every threshold a rule uses, in one place; each lands in the trace of the
 * insights it shaped, and a replay uses the trace's values, not these.
 */
import type { Thresholds } from './types.ts';

export const ENGINE_VERSION = '1.1.0';
/** The consent text version a space's members must have agreed to (users.consent_version). */
export const CURRENT_CONSENT_VERSION = '1.0';

export const DEFAULT_THRESHOLDS: Thresholds = {
  // Gaps may differ from the cadence's nominal gap by this share (monthly: 30.4 ± 20 %).
  recurrence_gap_tolerance: 0.2,
  // Charges of one series stay within this share of its typical amount (a price change starts a new level).
  recurrence_amount_tolerance: 0.1,
  // Charges needed for weekly, biweekly and monthly series (quarterly and annual need 2).
  recurrence_min_occurrences: 3,
  // Robust z-score ((x − median) ÷ (1.4826 × MAD)) at or above which an expense is unusual.
  anomaly_robust_z: 3.5,
  // Expenses a category needs in the 180-day window before its spread means anything.
  anomaly_min_category_size: 5,
  // Period-over-period change of a category worth a trend insight (±25 %).
  trend_min_change: 0.25,
  // Persona 1 (SpendSense): utilization at or above 50 %.
  credit_high_utilization: 0.5,
  // A card at or above 80 % of its limit is "at risk".
  credit_card_at_risk: 0.8,
  // Monthly income with a coefficient of variation above 20 % is variable.
  variable_income_cv: 0.2,
  // Persona 3: recurring spend at least 10 % of spending...
  subscription_heavy_share: 0.1,
  // ...over at least 3 recurring merchants.
  subscription_heavy_count: 3,
  // Persona 4: savings growing at least 2 % over the window...
  savings_builder_growth: 0.02,
  // ...or money put aside in at least this many of the window's months.
  savings_builder_min_months: 3,
  // Budget pacing: projected month end at or above 110 % of the budget is "over pace".
  pacing_over_ratio: 1.1,
};

export function resolveThresholds(overrides: Partial<Thresholds> | undefined): Thresholds {
  return { ...DEFAULT_THRESHOLDS, ...(overrides ?? {}) };
}
