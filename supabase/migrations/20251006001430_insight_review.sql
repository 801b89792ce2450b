-- Insights as the insights service writes them: one per space, rule, subject
-- and period (regeneration updates it in place), with SpendSense's decision
-- trace, and the operator review of recommendations (SpendSense's
-- recommendations table folded into financial_insights, type recommendation).
--
-- Idempotency. The service upserts on (space_id, rule, subject, period): a
-- dismissed insight stays dismissed while material_key is unchanged, one whose
-- condition cleared is expired (expires_at set to now), and a different
-- material_key (the figures changed materially) resurfaces it unread.
--
-- Review. A recommendation (kind education or partner_offer) starts pending;
-- members see it only once approved. Operators are users whose JWT carries
-- app_metadata.role operator or admin (set only by the service role through
-- the auth admin API, never by a client). They read the review queue and the
-- traces, never a space's expenses (they are not members), and decide through
-- approve_recommendation and reject_recommendation, recorded with who and when.

alter table public.financial_insights
  add column rule text,
  add column rule_version integer,
  add column subject text,
  add column material_key text,
  add column decision_trace jsonb,
  add column phrasing text not null default 'template',
  add column kind text,
  add column rationale text,
  add column review_status text,
  add column approved_by uuid references public.users (id) on delete set null,
  add column approved_at timestamptz,
  add column rejected_by uuid references public.users (id) on delete set null,
  add column rejected_at timestamptz,
  add column rejection_reason text,
  add column updated_at timestamptz not null default now(),
  add constraint financial_insights_rule_format check (rule ~ '^[a-z0-9_.-]{1,80}$'),
  add constraint financial_insights_rule_version_positive check (rule_version >= 1),
  add constraint financial_insights_subject_length check (char_length(subject) between 1 and 200),
  add constraint financial_insights_material_key_length check (char_length(material_key) <= 500),
  add constraint financial_insights_rule_has_subject check ((rule is null) = (subject is null) and (rule is null) = (rule_version is null)),
  add constraint financial_insights_decision_trace_is_object check (jsonb_typeof(decision_trace) = 'object'),
  add constraint financial_insights_phrasing_check check (phrasing in ('template', 'llm')),
  add constraint financial_insights_kind_check check (kind in ('education', 'partner_offer')),
  add constraint financial_insights_review_status_check check (review_status in ('pending', 'approved', 'rejected')),
  add constraint financial_insights_recommendation_reviewed check (
    (type = 'recommendation') = (kind is not null) and (type = 'recommendation') = (review_status is not null)
  ),
  add constraint financial_insights_approval_stamped check ((review_status = 'approved') = (approved_at is not null)),
  add constraint financial_insights_approver_only_when_approved check (approved_by is null or review_status = 'approved'),
  add constraint financial_insights_rejection_stamped check (
    (review_status = 'rejected') = (rejected_at is not null) and (review_status = 'rejected') = (rejection_reason is not null)
  ),
  add constraint financial_insights_rejector_only_when_rejected check (rejected_by is null or review_status = 'rejected'),
  add constraint financial_insights_rationale_length check (char_length(rationale) <= 2000),
  add constraint financial_insights_rejection_reason_length check (char_length(btrim(rejection_reason)) between 1 and 500);

-- One insight per space, rule, subject and period: what regeneration upserts on.
create unique index financial_insights_space_rule_subject_period_key
  on public.financial_insights (space_id, rule, subject, period) nulls not distinct
  where rule is not null;
-- The operators' review queue, oldest first.
create index idx_financial_insights_review_queue on public.financial_insights (created_at)
  where type = 'recommendation' and review_status = 'pending';
-- The approver and rejecter foreign keys (on delete set null).
create index idx_financial_insights_approved_by on public.financial_insights (approved_by) where approved_by is not null;
create index idx_financial_insights_rejected_by on public.financial_insights (rejected_by) where rejected_by is not null;

comment on column public.financial_insights.rule is 'The engine rule that produced the insight (anomaly.category_mad, ...); null for insights written by other means.';
comment on column public.financial_insights.rule_version is 'Version of the rule; bumped when its logic changes.';
comment on column public.financial_insights.subject is 'What the insight is about within its rule: a category, a merchant, a budget, space.';
comment on column public.financial_insights.material_key is
  'The rounded headline figures; when a regeneration brings a different one, a dismissed insight resurfaces unread.';
comment on column public.financial_insights.decision_trace is
  'SpendSense''s decision_trace: detected_signals, persona_assignment (matching_criteria), guardrails_checks (consent, eligibility, tone_validation), recommendation_logic, plus the rule, its version, thresholds and the ids of the rows used, so a replay gives the same numbers.';
comment on column public.financial_insights.phrasing is 'template (the engine''s text) or llm (an LLM''s rephrasing that passed the figure and tone checks).';
comment on column public.financial_insights.kind is 'For recommendations: education or partner_offer (SpendSense''s recommendations.type); null otherwise.';
comment on column public.financial_insights.rationale is 'For recommendations: why this space sees it, with its figures (SpendSense''s rationale).';
comment on column public.financial_insights.review_status is
  'For recommendations: pending until an operator approves or rejects it (SpendSense''s status); members see approved ones only. Null for other types.';
comment on column public.financial_insights.approved_by is 'The operator who approved the recommendation; null once their account is deleted.';
comment on column public.financial_insights.rejection_reason is 'Why the operator rejected the recommendation.';
comment on column public.financial_insights.updated_at is 'When the service last regenerated the insight.';

create trigger financial_insights_touch_updated_at
  before update on public.financial_insights
  for each row execute function private.touch_updated_at();

-- Who is an operator ------------------------------------------------------------------------

create function private.is_operator() returns boolean
language sql stable
set search_path = ''
as $$
  select coalesce((select auth.jwt()) -> 'app_metadata' ->> 'role', '') in ('operator', 'admin')
$$;
comment on function private.is_operator() is
  'Whether the request''s JWT says app_metadata.role operator or admin (only the service role can set app_metadata).';
revoke execute on function private.is_operator() from public;
-- RLS policies call it as the querying user.
grant execute on function private.is_operator() to authenticated;

-- RLS: members see approved recommendations only; operators see the queue -----------------------
-- One SELECT policy for both (one permissive policy per role and action, so
-- Postgres evaluates a single expression). Operators see every recommendation
-- of every space, whatever its status, with its trace: the queue and its
-- history. Nothing else of a space (expenses, budgets, other insights) is
-- theirs to read.

alter policy "Members can read their space's current insights"
  on public.financial_insights
  using (
    (
      space_id in (select private.member_space_ids())
      and (expires_at is null or expires_at > now())
      and (type <> 'recommendation' or review_status = 'approved')
    )
    or (type = 'recommendation' and (select private.is_operator()))
  );
alter policy "Members can read their space's current insights"
  on public.financial_insights
  rename to "Members can read their space's current insights, operators the recommendation queue";

alter policy "Members, viewers included, can mark their space's insights read or dismissed"
  on public.financial_insights
  using (
    space_id in (select private.member_active_space_ids())
    and (expires_at is null or expires_at > now())
    and (type <> 'recommendation' or review_status = 'approved')
  );

-- The review RPCs -----------------------------------------------------------------------------

create function private.lock_pending_recommendation(insight_id uuid) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  current_status text;
begin
  if not private.is_operator() then
    raise exception 'only operators review recommendations' using errcode = '42501';
  end if;
  select fi.review_status into current_status
    from public.financial_insights fi
   where fi.id = lock_pending_recommendation.insight_id and fi.type = 'recommendation'
     for update;
  if not found then
    raise exception 'recommendation not found' using errcode = 'PT404';
  end if;
  if current_status <> 'pending' then
    raise exception 'this recommendation was already %', current_status using errcode = 'PT409';
  end if;
end
$$;
comment on function private.lock_pending_recommendation(uuid) is
  'For the review RPCs: raises 42501 unless the caller is an operator, PT404 for no such recommendation, PT409 when it is no longer pending; locks the row.';
revoke execute on function private.lock_pending_recommendation(uuid) from public;

create function public.approve_recommendation(insight_id uuid) returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.require_user();
  perform private.lock_pending_recommendation(approve_recommendation.insight_id);
  update public.financial_insights fi
     set review_status = 'approved', approved_by = (select auth.uid()), approved_at = now()
   where fi.id = approve_recommendation.insight_id;
end
$$;
comment on function public.approve_recommendation(uuid) is
  'An operator approves a pending recommendation: the space''s members see it from now on. 42501 for non-operators, PT404, PT409 when already decided.';
revoke execute on function public.approve_recommendation(uuid) from public, anon;
grant execute on function public.approve_recommendation(uuid) to authenticated;

create function public.reject_recommendation(insight_id uuid, reason text) returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.require_user();
  if reason is null or char_length(btrim(reason)) not between 1 and 500 then
    raise exception 'a rejection needs a reason (1-500 characters)' using errcode = '22023';
  end if;
  perform private.lock_pending_recommendation(reject_recommendation.insight_id);
  update public.financial_insights fi
     set review_status = 'rejected', rejected_by = (select auth.uid()), rejected_at = now(),
         rejection_reason = btrim(reject_recommendation.reason)
   where fi.id = reject_recommendation.insight_id;
end
$$;
comment on function public.reject_recommendation(uuid, text) is
  'An operator rejects a pending recommendation with a reason: members never see it. 42501 for non-operators, 22023 without a reason, PT404, PT409 when already decided.';
revoke execute on function public.reject_recommendation(uuid, text) from public, anon;
grant execute on function public.reject_recommendation(uuid, text) to authenticated;
