/**
 * The engine: consent check, signals of both windows, persona, and the insight
 * candidates of every rule with their decision traces; and the replay that
 * re-runs one trace on the rows it names.
 */
import { INSIGHT_PRIORITIES, type InsightPriority } from '@wallai/domain';
import { analyse, signalsOf } from './analysis.ts';
import { CONTENT_LIBRARY, PARTNER_OFFERS } from './content.ts';
import { midnightIn } from './dates.ts';
import { buildContext, type Context } from './model.ts';
import { assignPersonaFrom } from './personas.ts';
import { checkPhrasing } from './phrasing.ts';
import { ruleById, RULES, type Finding, type Library, type Offer, type Rule, type WholeSpace } from './rules.ts';
import { CURRENT_CONSENT_VERSION, DEFAULT_THRESHOLDS, ENGINE_VERSION } from './thresholds.ts';
import { checkTone } from './tone.ts';
import { restrict } from './trace-rows.ts';
import type {
  ConsentOutcome,
  DecisionTrace,
  EngineOptions,
  EngineResult,
  InsightCandidate,
  InsightData,
  InsightsEngine,
  InsightsInput,
  PersonaAssignment,
  RecurringSeries,
  Signals,
  Thresholds,
} from './types.ts';

function libraryOf(options?: EngineOptions): Library {
  return { content: options?.content ?? CONTENT_LIBRARY, offers: (options?.offers as readonly Offer[] | undefined) ?? PARTNER_OFFERS };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (Number.isNaN(d)) return a < b ? -1 : a > b ? 1 : 0;
    if (d !== 0) return d;
  }
  return 0;
}

/** A space is analysed only when every active non-viewer member consented to the required version. */
export function consentOf(input: InsightsInput): ConsentOutcome {
  const required = input.consent_version_required ?? CURRENT_CONSENT_VERSION;
  const voters = input.members.filter((m) => m.is_active && m.role !== 'viewer');
  if (voters.length === 0)
    return { ok: false, required_version: required, missing_user_ids: [], reason: 'the space has no active member who can consent' };
  const missing = voters
    .filter((m) => !m.consent_status || m.consent_version === null || compareVersions(m.consent_version, required) < 0)
    .map((m) => m.user_id)
    .sort();
  if (missing.length === 0) return { ok: true, required_version: required, missing_user_ids: [], reason: null };
  return {
    ok: false,
    required_version: required,
    missing_user_ids: missing,
    reason: `${missing.length} of ${voters.length} active members have not consented to the analysis (consent version ${required})`,
  };
}

export function computeSignals(input: InsightsInput, windowDays: 30 | 180, options?: EngineOptions): Signals {
  return signalsOf(analyse(input, options), windowDays);
}

export function detectRecurring(input: InsightsInput, options?: EngineOptions): readonly RecurringSeries[] {
  return analyse(input, options).series.map((s) => s.series);
}

/** Persona from the 180-day signals (the 30-day ones are taken for credit when the 180-day lack it). */
export function assignPersona(signals30: Signals, signals180: Signals, options?: EngineOptions): PersonaAssignment {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...(options?.thresholds ?? {}) };
  const merged: Signals = signals180.credit || !signals30.credit ? signals180 : { ...signals180, credit: signals30.credit };
  return assignPersonaFrom(merged, thresholds);
}

const PRIORITY_RANK = new Map<InsightPriority, number>(INSIGHT_PRIORITIES.map((p, i) => [p, i]));

function measure(
  rule: Rule,
  input: InsightsInput,
  ctx: Context,
  finding: Pick<Finding, 'subject' | 'inputs' | 'derived'>,
  library: Library,
  memos?: Map<string, Map<string, unknown>>,
  whole?: WholeSpace,
): InsightData | null {
  // Findings with the same rows share one memo (the recommendations' signals are computed once).
  const rowsKey = JSON.stringify(finding.inputs);
  let memo = memos?.get(rowsKey);
  if (memos && !memo) {
    memo = new Map();
    memos.set(rowsKey, memo);
  }
  return rule.measure({
    input: restrict(input, finding.inputs),
    ctx,
    subject: finding.subject,
    derived: finding.derived ?? {},
    library,
    ...(memo ? { memo } : {}),
    ...(whole ? { whole } : {}),
  });
}

export function generateInsights(input: InsightsInput, options?: EngineOptions): EngineResult {
  const ctx = buildContext(input, options?.thresholds);
  const consent = consentOf(input);
  const base = { engine_version: ENGINE_VERSION, space_id: ctx.spaceId, generated_at: ctx.nowIso, consent };
  if (!consent.ok) return { ...base, profile: null, recurring_series: [], insights: [], discarded: [] };

  const a = analyse(input, options);
  const s30 = signalsOf(a, 30);
  const s180 = signalsOf(a, 180);
  const persona = assignPersona(s30, s180, options);
  const library = libraryOf(options);
  const insights: InsightCandidate[] = [];
  const discarded: { subject_key: string; reason: string }[] = [];
  const memos = new Map<string, Map<string, unknown>>();

  for (const rule of RULES) {
    for (const finding of rule.find(a, s30, s180, persona, library)) {
      const subjectKey = `${ctx.spaceId}:${rule.id}:${finding.subject}:${finding.period}`;
      const data = measure(rule, input, ctx, finding, library, memos, { input, signals180: s180 });
      if (!data) {
        discarded.push({ subject_key: subjectKey, reason: 'the rule measured nothing on its rows' });
        continue;
      }
      const p = rule.present(data, ctx, library);
      const tone = checkTone(`${p.title}\n${p.description}`);
      const eligibility = finding.eligibility ?? { ok: true, reasons: [] };
      const trace: DecisionTrace = {
        detected_signals: finding.detected,
        persona_assignment: persona,
        guardrails_checks: {
          consent: true,
          eligibility: eligibility.ok,
          tone_validation: tone.ok,
          consent_version: consent.required_version,
          eligibility_reasons: eligibility.reasons,
          tone,
        },
        recommendation_logic: finding.logic ?? { selected_education_items: [], selected_partner_offers: [] },
        rule: rule.id,
        rule_version: rule.version,
        subject: finding.subject,
        period: finding.period,
        engine_version: ENGINE_VERSION,
        thresholds: { ...ctx.thresholds, ...(finding.derived ?? {}) },
        inputs: finding.inputs,
        context: { now: ctx.nowIso, timezone: ctx.timezone, currency: ctx.currency, window_days: rule.window },
      };
      if (!tone.ok) {
        discarded.push({ subject_key: subjectKey, reason: `tone: ${tone.violations.join(', ')}` });
        continue;
      }
      if (!eligibility.ok) {
        discarded.push({ subject_key: subjectKey, reason: `eligibility: ${eligibility.reasons.join('; ')}` });
        continue;
      }
      insights.push({
        type: rule.type,
        rule: rule.id,
        rule_version: rule.version,
        subject: finding.subject,
        period: finding.period,
        subject_key: subjectKey,
        material_key: p.material,
        title: p.title,
        description: p.description,
        insight_data: data,
        priority: p.priority,
        confidence: p.confidence,
        expires_at: midnightIn(p.expires, ctx.timezone),
        decision_trace: trace,
        ...(p.recommendation ? { recommendation: p.recommendation } : {}),
      });
    }
  }
  insights.sort((x, y) => PRIORITY_RANK.get(y.priority)! - PRIORITY_RANK.get(x.priority)! || (x.subject_key < y.subject_key ? -1 : 1));

  return {
    ...base,
    profile: { persona_id: persona.persona_id, persona_name: persona.persona_name, persona, signals_30d: s30, signals_180d: s180 },
    recurring_series: a.series.map((s) => s.series),
    insights,
    discarded,
  };
}

/**
 * Re-runs a trace's rule (its version must be the one this engine has) on
 * exactly the rows the trace names, with the trace's `now`, zone, currency
 * and thresholds. Same rows → the same insight_data. Null when the rule is
 * unknown, its version differs, or it measures nothing on those rows.
 */
export function replayInsight(trace: DecisionTrace, input: InsightsInput, options?: EngineOptions): InsightData | null {
  const rule = ruleById(trace.rule);
  if (!rule || rule.version !== trace.rule_version) return null;
  const known: Partial<Record<keyof Thresholds, number>> = {};
  const derived: Record<string, number | string | boolean> = {};
  for (const [k, v] of Object.entries(trace.thresholds)) {
    if (k in DEFAULT_THRESHOLDS && typeof v === 'number') known[k as keyof Thresholds] = v;
    else derived[k] = v;
  }
  const ctx = buildContext(
    { ...input, now: trace.context.now, space: { ...input.space, timezone: trace.context.timezone, currency: trace.context.currency } },
    known,
  );
  return measure(rule, input, ctx, { subject: trace.subject, inputs: trace.inputs, derived }, libraryOf(options));
}

export const engine: InsightsEngine = {
  generateInsights,
  computeSignals,
  detectRecurring,
  assignPersona,
  replayInsight,
  checkTone,
  checkPhrasing,
};
