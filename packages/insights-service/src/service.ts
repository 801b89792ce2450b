/**
 * The insights service: load → engine → (phrase) → write, for one space or a
 * batch of spaces. What the `generate-insights` function, `npm run insights`,
 * the demo and the bench use.
 *
 * 1. One transaction as the caller (`load`) reads the space and its members;
 *    when every active non-viewer member consented, it reads the space's rows
 *    too (nothing is read for analysis without consent).
 * 2. The engine (@wallai/insights) computes signals, persona, recurring
 *    series and insight candidates; pure, no I/O.
 * 3. With a phraser (an LLM) and consent, titles and descriptions may be
 *    rephrased; a phrasing whose figures or tone fail the engine's check is
 *    discarded for the template. Recommendations keep their reviewed text.
 * 4. One transaction as the service role (`write`) re-checks consent, then
 *    writes the profile, the persona history (only on a change), the series
 *    and the insights, idempotently (merge.ts), and expires what cleared.
 *
 * It opens no connection: the caller hands it transaction runners. A member
 * refreshing their own space loads as themselves (RLS: a space they are not in
 * is not found) and writes through the service role, because the insights
 * tables are the backend's to write.
 */
import {
  checkPhrasing,
  generateInsights,
  type ConsentOutcome,
  type EngineOptions,
  type EngineResult,
  type InsightCandidate,
  type MemberInput,
  type Phrasing,
  type RecurringSeries,
} from '@wallai/insights';
import { loadMembers, loadSpace, type Query, type Transact } from './load.ts';
import { clearedInsights, insightKey, mergeInsight, type MergeAction, type StoredInsight } from './merge.ts';

/** Proposes a rephrasing of one candidate's title and description (an LLM); null to keep the template. */
export type Phraser = (candidate: InsightCandidate, context: { readonly currency: string }) => Promise<Phrasing | null>;

export interface GenerateOptions {
  /** The run's instant; default now. */
  readonly now?: Date;
  readonly engine?: EngineOptions;
  /** Used only when the space's members consented; recommendations are never rephrased. */
  readonly phraser?: Phraser;
  /** Phraser calls in flight at once; default 4. */
  readonly phrasingConcurrency?: number;
  /** Hears about a phraser that failed (the template is used). */
  readonly onPhrasingError?: (error: unknown) => void;
}

export interface InsightReport {
  readonly id: string;
  readonly type: string;
  readonly rule: string;
  readonly subject: string;
  readonly period: string | null;
  readonly title: string;
  readonly description: string;
  readonly priority: string;
  readonly confidence: number;
  readonly insight_data: Readonly<Record<string, unknown>>;
  readonly action: MergeAction;
  readonly is_dismissed: boolean;
  readonly review_status: string | null;
  readonly kind: string | null;
  readonly phrasing: 'template' | 'llm';
  readonly expires_at: string;
  readonly decision_trace: Readonly<Record<string, unknown>>;
}

export interface PhrasingReport {
  /** Whether any text of the space was sent to the phraser. */
  readonly sent: boolean;
  readonly attempted: number;
  readonly accepted: number;
  readonly discarded: ReadonlyArray<{ readonly subject_key: string; readonly reasons: readonly string[] }>;
}

export interface Guardrails {
  readonly consent: {
    readonly ok: boolean;
    readonly required_version: string;
    readonly missing_consents: number;
    readonly reason: string | null;
  };
  /** Candidates the engine dropped (tone, eligibility), with why. */
  readonly discarded: EngineResult['discarded'];
  readonly phrasing: PhrasingReport;
}

export interface ProfileReport {
  readonly persona_id: number;
  readonly persona_name: string;
  readonly persona_changed: boolean;
  readonly matching_criteria: unknown;
  readonly signals_30d: unknown;
  readonly signals_180d: unknown;
}

export type SpaceRun =
  /** No such space, or the caller (a member refreshing) cannot see it. */
  | { readonly kind: 'not_found'; readonly space_id: string }
  /** A deactivated space is read-only: not analysed. */
  | { readonly kind: 'inactive'; readonly space_id: string }
  | {
      readonly kind: 'consent_missing';
      readonly space_id: string;
      readonly generated_at: string;
      readonly reason: string;
      readonly missing_consents: number;
      /** Insights that members no longer see. */
      readonly expired: number;
      readonly guardrails: Guardrails;
    }
  | {
      readonly kind: 'analysed';
      readonly space_id: string;
      readonly generated_at: string;
      readonly engine_version: string;
      readonly profile: ProfileReport;
      readonly recurring_series: readonly RecurringSeries[];
      readonly insights: readonly InsightReport[];
      /** Insights whose condition cleared and that expired in this run. */
      readonly expired: number;
      readonly guardrails: Guardrails;
    };

const NOTHING_PHRASED: PhrasingReport = { sent: false, attempted: 0, accepted: 0, discarded: [] };

/** Generates the space's insights: `load` as the caller (service role or a member), `write` as the service role. */
export async function generateSpaceInsights(
  runners: { readonly load: Transact; readonly write: Transact },
  spaceId: string,
  options: GenerateOptions = {},
): Promise<SpaceRun> {
  const now = options.now ?? new Date();
  const loaded = await runners.load(async (query) => {
    const space = await loadSpace(query, spaceId, now, { withData: false });
    if (space === null || !space.isActive) return space;
    const consent = generateInsights(space.input, options.engine).consent;
    return consent.ok ? loadSpace(query, spaceId, now) : space;
  });
  if (loaded === null) return { kind: 'not_found', space_id: spaceId };
  if (!loaded.isActive) return { kind: 'inactive', space_id: spaceId };

  const result = generateInsights(loaded.input, options.engine);
  if (!result.consent.ok || result.profile === null) {
    return runners.write((query) => writeConsentMissing(query, spaceId, result.consent, result, now));
  }

  const phrased = await phraseAll(result, loaded.input.space.currency, options);
  return runners.write(async (query) => {
    // Serialises runs for one space (a batch and a member's refresh at once).
    await query(`select pg_advisory_xact_lock(hashtextextended('wallai.insights:' || $1::text, 0))`, [spaceId]);
    // Consent may have been withdrawn while the engine ran: decide on the current answers.
    const members = await loadMembers(query, spaceId);
    if (consentChanged(loaded.input.members, members)) {
      const consent = generateInsights(
        { ...loaded.input, members, expenses: [], splits: [], budgets: [], budget_items: [] },
        options.engine,
      ).consent;
      if (!consent.ok) return writeConsentMissing(query, spaceId, consent, result, now);
    }
    return writeAnalysed(query, spaceId, result, loaded.input.expenses, phrased);
  });
}

export interface BatchOptions extends GenerateOptions {
  /** Spaces per call; default 100. */
  readonly limit?: number;
  /** Resume after this space id (the previous page's `next_after`). */
  readonly after?: string | null;
  /** Hears about a space whose run failed (the batch carries on). */
  readonly onSpaceError?: (spaceId: string, error: unknown) => void;
}

export interface BatchSpaceSummary {
  readonly space_id: string;
  readonly outcome: SpaceRun['kind'] | 'failed';
  readonly insights: number;
  readonly ms: number;
  readonly error?: string;
}

export interface BatchResult {
  readonly spaces: readonly BatchSpaceSummary[];
  /** Pass as `after` for the next page; null when this was the last. */
  readonly next_after: string | null;
  readonly ms: number;
}

/** One page of active spaces, in id order, each in its own transactions as the service role. */
export async function generateInsightsBatch(service: Transact, options: BatchOptions = {}): Promise<BatchResult> {
  const started = performance.now();
  const limit = Math.min(Math.max(1, options.limit ?? 100), 1000);
  const page = await service((query) =>
    query<{ id: string }>(
      `select s.id from public.spaces s where s.is_active and ($1::uuid is null or s.id > $1::uuid) order by s.id limit $2::int`,
      [options.after ?? null, limit + 1],
    ),
  );
  const ids = page.slice(0, limit).map((row) => row.id);
  const spaces: BatchSpaceSummary[] = [];
  for (const id of ids) {
    const t0 = performance.now();
    try {
      const run = await generateSpaceInsights({ load: service, write: service }, id, options);
      spaces.push({
        space_id: id,
        outcome: run.kind,
        insights: run.kind === 'analysed' ? run.insights.length : 0,
        ms: performance.now() - t0,
      });
    } catch (error) {
      options.onSpaceError?.(id, error);
      spaces.push({ space_id: id, outcome: 'failed', insights: 0, ms: performance.now() - t0, error: (error as Error).message });
    }
  }
  return { spaces, next_after: page.length > limit ? (ids[ids.length - 1] ?? null) : null, ms: performance.now() - started };
}

// -----------------------------------------------------------------------------
// Phrasing
// -----------------------------------------------------------------------------

interface Phrased {
  readonly bySubjectKey: ReadonlyMap<string, Phrasing>;
  readonly report: PhrasingReport;
}

async function phraseAll(result: EngineResult, currency: string, options: GenerateOptions): Promise<Phrased> {
  const phraser = options.phraser;
  const candidates = result.insights.filter((c) => c.type !== 'recommendation');
  if (phraser === undefined || !result.consent.ok || candidates.length === 0) return { bySubjectKey: new Map(), report: NOTHING_PHRASED };
  const accepted = new Map<string, Phrasing>();
  const discarded: Array<{ subject_key: string; reasons: string[] }> = [];
  const queue = [...candidates];
  const worker = async () => {
    for (let candidate = queue.shift(); candidate !== undefined; candidate = queue.shift()) {
      let proposal: Phrasing | null;
      try {
        proposal = await phraser(candidate, { currency });
      } catch (error) {
        options.onPhrasingError?.(error);
        discarded.push({ subject_key: candidate.subject_key, reasons: ['llm_unavailable'] });
        continue;
      }
      if (proposal === null) {
        discarded.push({ subject_key: candidate.subject_key, reasons: ['no_phrasing'] });
        continue;
      }
      const check = checkPhrasing(candidate, proposal);
      if (check.accepted) accepted.set(candidate.subject_key, check.phrasing);
      else discarded.push({ subject_key: candidate.subject_key, reasons: [...check.reasons] });
    }
  };
  const concurrency = Math.max(1, options.phrasingConcurrency ?? 4);
  await Promise.all(Array.from({ length: Math.min(concurrency, candidates.length) }, worker));
  discarded.sort((a, b) => a.subject_key.localeCompare(b.subject_key));
  return {
    bySubjectKey: accepted,
    report: { sent: true, attempted: candidates.length, accepted: accepted.size, discarded },
  };
}

// -----------------------------------------------------------------------------
// Writes (one transaction, as the service role)
// -----------------------------------------------------------------------------

function consentChanged(before: readonly MemberInput[], after: readonly MemberInput[]): boolean {
  const state = (members: readonly MemberInput[]) =>
    JSON.stringify(
      members
        .map((m) => [m.user_id, m.role, m.is_active, m.consent_status, m.consent_version])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  return state(before) !== state(after);
}

function guardrailsOf(consent: ConsentOutcome, result: EngineResult, phrasing: PhrasingReport): Guardrails {
  return {
    consent: {
      ok: consent.ok,
      required_version: consent.required_version,
      missing_consents: consent.missing_user_ids.length,
      reason: consent.reason,
    },
    discarded: consent.ok ? result.discarded : [],
    phrasing,
  };
}

const CONSENT_MISSING_REASON = (missing: number) =>
  `Not analysed: ${missing} active ${missing === 1 ? 'member who can change the space has' : 'members who can change the space have'} not consented to insights.`;

async function writeConsentMissing(
  query: Query,
  spaceId: string,
  consent: ConsentOutcome,
  result: EngineResult,
  now: Date,
): Promise<SpaceRun> {
  const missing = Math.max(1, consent.missing_user_ids.length);
  const reason = CONSENT_MISSING_REASON(missing);
  await query(
    `insert into public.space_profiles as p (space_id, status, status_reason, missing_consents, updated_at)
     values ($1::uuid, 'consent_missing', $2, $3::int, now())
     on conflict (space_id) do update
       set status = excluded.status, status_reason = excluded.status_reason, missing_consents = excluded.missing_consents,
           persona_id = null, persona_name = null, signals_30d = null, signals_180d = null, engine_version = null,
           analysed_at = null, updated_at = now()`,
    [spaceId, reason, missing],
  );
  // What was derived from the space's data is not kept without consent.
  await query(`delete from public.recurring_series where space_id = $1::uuid`, [spaceId]);
  const expired = await query<{ id: string }>(
    `update public.financial_insights fi
        set expires_at = greatest(now(), fi.created_at + interval '1 millisecond')
      where fi.space_id = $1::uuid and (fi.expires_at is null or fi.expires_at > now())
      returning fi.id`,
    [spaceId],
  );
  return {
    kind: 'consent_missing',
    space_id: spaceId,
    generated_at: now.toISOString(),
    reason,
    missing_consents: missing,
    expired: expired.length,
    guardrails: guardrailsOf({ ...consent, ok: false, reason: consent.reason ?? reason }, result, NOTHING_PHRASED),
  };
}

interface StoredRow extends Record<string, unknown> {
  id: string;
  rule: string;
  subject: string;
  period: string | null;
  material_key: string | null;
  title: string;
  description: string | null;
  rationale: string | null;
  is_read: boolean;
  is_dismissed: boolean;
  review_status: 'pending' | 'approved' | 'rejected' | null;
  approved_by: string | null;
  approved_at: string | null;
  rejected_by: string | null;
  rejected_at: string | null;
  rejection_reason: string | null;
  current: boolean;
}

async function writeAnalysed(
  query: Query,
  spaceId: string,
  result: EngineResult,
  expenses: EngineInputExpenses,
  phrased: Phrased,
): Promise<SpaceRun> {
  const profile = result.profile!;
  const generatedAt = result.generated_at;

  await query(
    `insert into public.space_profiles as p
       (space_id, status, status_reason, missing_consents, persona_id, persona_name, signals_30d, signals_180d, engine_version, analysed_at, updated_at)
     values ($1::uuid, 'analysed', null, 0, $2::smallint, $3, $4::text::jsonb, $5::text::jsonb, $6, $7::timestamptz, now())
     on conflict (space_id) do update
       set status = excluded.status, status_reason = null, missing_consents = 0, persona_id = excluded.persona_id,
           persona_name = excluded.persona_name, signals_30d = excluded.signals_30d, signals_180d = excluded.signals_180d,
           engine_version = excluded.engine_version, analysed_at = excluded.analysed_at, updated_at = now()`,
    [
      spaceId,
      profile.persona_id,
      profile.persona_name,
      JSON.stringify(profile.signals_30d),
      JSON.stringify(profile.signals_180d),
      result.engine_version,
      generatedAt,
    ],
  );

  const history = await query<{ id: string }>(
    `insert into public.persona_history (space_id, persona_id, persona_name, assigned_at, signals)
     select $1::uuid, $2::smallint, $3, $4::timestamptz, $5::text::jsonb
      where (select h.persona_id from public.persona_history h where h.space_id = $1::uuid
              order by h.assigned_at desc, h.id desc limit 1) is distinct from $2::smallint
     returning id`,
    [
      spaceId,
      profile.persona_id,
      profile.persona_name,
      generatedAt,
      JSON.stringify({ signals_30d: profile.signals_30d, signals_180d: profile.signals_180d }),
    ],
  );

  await writeSeries(query, spaceId, result.recurring_series, expenses);
  const { insights, expired } = await writeInsights(query, spaceId, result.insights, phrased.bySubjectKey);

  return {
    kind: 'analysed',
    space_id: spaceId,
    generated_at: generatedAt,
    engine_version: result.engine_version,
    profile: {
      persona_id: profile.persona_id,
      persona_name: profile.persona_name,
      persona_changed: history.length > 0,
      matching_criteria: profile.persona.matching_criteria,
      signals_30d: profile.signals_30d,
      signals_180d: profile.signals_180d,
    },
    recurring_series: result.recurring_series,
    insights,
    expired,
    guardrails: guardrailsOf(result.consent, result, phrased.report),
  };
}

type EngineInputExpenses = ReadonlyArray<{ readonly id: string; readonly description: string }>;

async function writeSeries(
  query: Query,
  spaceId: string,
  series: readonly RecurringSeries[],
  expenses: EngineInputExpenses,
): Promise<void> {
  const descriptions = new Map(expenses.map((e) => [e.id, e.description]));
  const rows = series.map((s) => ({
    series_key: s.key,
    merchant: s.merchant,
    description: descriptions.get(s.expense_ids[s.expense_ids.length - 1] ?? '') ?? null,
    category: s.category,
    cadence: s.cadence,
    median_gap_days: s.median_gap_days,
    typical_amount: s.typical_amount,
    currency: s.currency,
    monthly_amount: s.monthly_amount,
    first_date: s.first_date,
    last_date: s.last_date,
    next_expected_date: s.next_expected_date,
    status: s.status,
    occurrences: s.occurrences,
    price_changes: s.price_changes,
    confidence: s.confidence,
    expense_ids: s.expense_ids,
    bank_transaction_ids: s.bank_transaction_ids,
  }));
  await query(
    `with incoming as (
       select * from jsonb_to_recordset($2::text::jsonb) as x(
         series_key text, merchant text, description text, category text, cadence text, median_gap_days numeric,
         typical_amount numeric, currency text, monthly_amount numeric, first_date date, last_date date, next_expected_date date,
         status text, occurrences int, price_changes jsonb, confidence numeric, expense_ids uuid[], bank_transaction_ids uuid[])
     ), removed as (
       delete from public.recurring_series r
        where r.space_id = $1::uuid and r.series_key not in (select i.series_key from incoming i)
       returning r.id
     )
     insert into public.recurring_series as r (space_id, series_key, merchant, description, category, cadence, median_gap_days,
       typical_amount, currency, monthly_amount, first_date, last_date, next_expected_date, status, occurrences, price_changes,
       confidence, expense_ids, bank_transaction_ids)
     select $1::uuid, i.series_key, i.merchant, i.description, i.category, i.cadence, round(i.median_gap_days, 1),
            round(i.typical_amount, 2), i.currency, round(i.monthly_amount, 2), i.first_date, i.last_date, i.next_expected_date,
            i.status, i.occurrences, i.price_changes, round(i.confidence, 2), i.expense_ids, i.bank_transaction_ids
       from incoming i
     on conflict (space_id, series_key) do update
       set merchant = excluded.merchant, description = excluded.description, category = excluded.category,
           cadence = excluded.cadence, median_gap_days = excluded.median_gap_days, typical_amount = excluded.typical_amount,
           currency = excluded.currency, monthly_amount = excluded.monthly_amount, first_date = excluded.first_date,
           last_date = excluded.last_date, next_expected_date = excluded.next_expected_date, status = excluded.status,
           occurrences = excluded.occurrences, price_changes = excluded.price_changes, confidence = excluded.confidence,
           expense_ids = excluded.expense_ids, bank_transaction_ids = excluded.bank_transaction_ids`,
    [spaceId, JSON.stringify(rows)],
  );
}

async function writeInsights(
  query: Query,
  spaceId: string,
  candidates: readonly InsightCandidate[],
  phrasings: ReadonlyMap<string, Phrasing>,
): Promise<{ insights: InsightReport[]; expired: number }> {
  // Locked, so a member's read or dismiss in between cannot be overwritten with the old state.
  const stored = await query<StoredRow>(
    `select fi.id, fi.rule, fi.subject, fi.period::text as period, fi.material_key, fi.title, fi.description, fi.rationale,
            fi.is_read, fi.is_dismissed, fi.review_status, fi.approved_by, fi.approved_at::text as approved_at,
            fi.rejected_by, fi.rejected_at::text as rejected_at, fi.rejection_reason,
            (fi.expires_at is null or fi.expires_at > now()) as current
       from public.financial_insights fi
      where fi.space_id = $1::uuid and fi.rule is not null
      for update`,
    [spaceId],
  );
  const byKey = new Map<string, StoredInsight>(stored.map((s) => [insightKey(s.rule, s.subject, s.period), s]));

  const rows = candidates.map((c) => {
    const phrasing = phrasings.get(c.subject_key);
    const title = phrasing?.title ?? c.title;
    const description = phrasing?.description ?? c.description;
    const rationale = c.recommendation?.rationale ?? null;
    const merged = mergeInsight(byKey.get(insightKey(c.rule, c.subject, c.period)), {
      type: c.type,
      rule: c.rule,
      subject: c.subject,
      period: c.period,
      material_key: c.material_key,
      title,
      description,
      rationale,
    });
    const trace = {
      ...c.decision_trace,
      guardrails_checks: { ...c.decision_trace.guardrails_checks, phrasing: phrasing === undefined ? 'template' : 'llm' },
    };
    return {
      candidate: c,
      merged,
      phrasing: phrasing === undefined ? ('template' as const) : ('llm' as const),
      row: {
        type: c.type,
        rule: c.rule,
        rule_version: c.rule_version,
        subject: c.subject,
        period: c.period,
        material_key: c.material_key,
        title,
        description,
        insight_data: c.insight_data,
        priority: c.priority,
        confidence: c.confidence,
        expires_at: c.expires_at,
        decision_trace: trace,
        phrasing: phrasing === undefined ? 'template' : 'llm',
        kind: c.recommendation?.kind ?? null,
        rationale,
        is_read: merged.is_read,
        is_dismissed: merged.is_dismissed,
        review_status: merged.review_status,
        approved_by: merged.approved_by,
        approved_at: merged.approved_at,
        rejected_by: merged.rejected_by,
        rejected_at: merged.rejected_at,
        rejection_reason: merged.rejection_reason,
      },
    };
  });

  const written =
    rows.length === 0
      ? []
      : await query<{ id: string; rule: string; subject: string; period: string | null }>(
          `insert into public.financial_insights as fi (space_id, type, rule, rule_version, subject, period, material_key, title,
             description, insight_data, priority, confidence, expires_at, decision_trace, phrasing, kind, rationale, is_read,
             is_dismissed, review_status, approved_by, approved_at, rejected_by, rejected_at, rejection_reason)
           select $1::uuid, x.type, x.rule, x.rule_version, x.subject, x.period, x.material_key, x.title, x.description,
                  x.insight_data, x.priority, round(x.confidence, 2), x.expires_at, x.decision_trace, x.phrasing, x.kind, x.rationale,
                  x.is_read, x.is_dismissed, x.review_status, x.approved_by, x.approved_at, x.rejected_by, x.rejected_at,
                  x.rejection_reason
             from jsonb_to_recordset($2::text::jsonb) as x(type text, rule text, rule_version int, subject text, period date,
                  material_key text, title text, description text, insight_data jsonb, priority text, confidence numeric,
                  expires_at timestamptz, decision_trace jsonb, phrasing text, kind text, rationale text, is_read boolean,
                  is_dismissed boolean, review_status text, approved_by uuid, approved_at timestamptz, rejected_by uuid,
                  rejected_at timestamptz, rejection_reason text)
           on conflict (space_id, rule, subject, period) where rule is not null do update
             set type = excluded.type, rule_version = excluded.rule_version, material_key = excluded.material_key,
                 title = excluded.title, description = excluded.description, insight_data = excluded.insight_data,
                 priority = excluded.priority, confidence = excluded.confidence, expires_at = excluded.expires_at,
                 decision_trace = excluded.decision_trace, phrasing = excluded.phrasing, kind = excluded.kind,
                 rationale = excluded.rationale, is_read = excluded.is_read, is_dismissed = excluded.is_dismissed,
                 review_status = excluded.review_status, approved_by = excluded.approved_by, approved_at = excluded.approved_at,
                 rejected_by = excluded.rejected_by, rejected_at = excluded.rejected_at, rejection_reason = excluded.rejection_reason
           returning fi.id, fi.rule, fi.subject, fi.period::text as period`,
          [spaceId, JSON.stringify(rows.map((r) => r.row))],
        );
  const ids = new Map(written.map((w) => [insightKey(w.rule, w.subject, w.period), w.id]));

  const cleared = clearedInsights(stored, new Set(rows.map((r) => insightKey(r.candidate.rule, r.candidate.subject, r.candidate.period))));
  if (cleared.length > 0) {
    await query(
      `update public.financial_insights fi
          set expires_at = greatest(now(), fi.created_at + interval '1 millisecond')
        where fi.id = any(string_to_array($1::text, ',')::uuid[])`,
      [cleared.map((c) => c.id).join(',')],
    );
  }

  const insights = rows.map(({ candidate: c, merged, phrasing, row }) => ({
    id: ids.get(insightKey(c.rule, c.subject, c.period)) ?? '',
    type: c.type,
    rule: c.rule,
    subject: c.subject,
    period: c.period,
    title: row.title,
    description: row.description,
    priority: c.priority,
    confidence: c.confidence,
    insight_data: c.insight_data,
    action: merged.action,
    is_dismissed: merged.is_dismissed,
    review_status: merged.review_status,
    kind: row.kind,
    phrasing,
    expires_at: c.expires_at,
    decision_trace: row.decision_trace,
  }));
  return { insights, expired: cleared.length };
}
