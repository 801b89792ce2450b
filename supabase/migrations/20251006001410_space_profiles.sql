-- Space profiles and persona history: SpendSense's user_profiles and
-- persona_history, per space (Wallai's money is shared, so the unit is the space).
--
-- One profile per space holds the current persona (1-5), the behavioural
-- signals over 30 and 180 days in SpendSense's JSON shape, and the outcome of
-- the last run: analysed, or not analysed because consent is missing (with the
-- reason). persona_history gets a row only when the persona changes, with the
-- signals it was assigned on. Members read both; only the insights service
-- (service role) writes them.

-- space_profiles ------------------------------------------------------------------------------

create table public.space_profiles (
  id uuid primary key default gen_random_uuid(),
  space_id uuid not null references public.spaces (id) on delete cascade,
  status text not null,
  status_reason text,
  missing_consents integer not null default 0,
  persona_id smallint,
  persona_name text,
  signals_30d jsonb,
  signals_180d jsonb,
  engine_version text,
  analysed_at timestamptz,
  updated_at timestamptz not null default now(),
  constraint space_profiles_space_id_key unique (space_id),
  constraint space_profiles_status_check check (status in ('analysed', 'consent_missing')),
  constraint space_profiles_persona_id_range check (persona_id >= 1 and persona_id <= 5),
  constraint space_profiles_persona_name_check check (
    persona_name in ('HIGH_UTILIZATION', 'VARIABLE_INCOME_BUDGETER', 'SUBSCRIPTION_HEAVY', 'SAVINGS_BUILDER', 'CUSTOM')
  ),
  -- Analysed: a persona and both windows' signals. Not analysed: nothing kept, and why.
  constraint space_profiles_analysed_has_persona check (
    (status = 'analysed' and persona_id is not null and persona_name is not null and signals_30d is not null and signals_180d is not null
       and analysed_at is not null and status_reason is null and missing_consents = 0)
    or (status = 'consent_missing' and persona_id is null and persona_name is null and signals_30d is null and signals_180d is null
       and status_reason is not null and missing_consents > 0)
  ),
  constraint space_profiles_signals_30d_is_object check (jsonb_typeof(signals_30d) = 'object'),
  constraint space_profiles_signals_180d_is_object check (jsonb_typeof(signals_180d) = 'object'),
  constraint space_profiles_status_reason_length check (char_length(status_reason) <= 500)
);

-- The unique key on space_id serves the foreign key, the policy and the service's upsert.
create index idx_space_profiles_persona_id on public.space_profiles (persona_id);

comment on table public.space_profiles is
  'SpendSense''s user_profiles per space: the current persona, the 30- and 180-day signals and the last run''s outcome. Written by the insights service only.';
comment on column public.space_profiles.status is
  'analysed, or consent_missing: an active non-viewer member has not consented, so nothing was analysed and no insights are shown.';
comment on column public.space_profiles.status_reason is 'Why the space was not analysed; null when it was.';
comment on column public.space_profiles.missing_consents is 'How many active non-viewer members have not consented (names are not recorded here).';
comment on column public.space_profiles.persona_id is
  '1 HIGH_UTILIZATION, 2 VARIABLE_INCOME_BUDGETER, 3 SUBSCRIPTION_HEAVY, 4 SAVINGS_BUILDER, 5 CUSTOM (docs/insights.md has the criteria and priority).';
comment on column public.space_profiles.signals_30d is
  'Signals over the last 30 days in SpendSense''s shape (subscriptions, savings, credit, income) plus Wallai''s (category_trends, anomalies, budget_pacing, payers) and missing: why an absent signal is absent.';
comment on column public.space_profiles.signals_180d is 'The same signals over the last 180 days.';
comment on column public.space_profiles.engine_version is 'The @wallai/insights version that computed the signals.';
comment on column public.space_profiles.analysed_at is 'When the signals were last computed; kept only while the space is analysed.';

alter table public.space_profiles enable row level security;

revoke all on public.space_profiles from anon, authenticated, service_role;
grant select on public.space_profiles to authenticated;
grant select, insert, update, delete on public.space_profiles to service_role;

create policy "Members can read their space's profile"
  on public.space_profiles for select
  to authenticated
  using (space_id in (select private.member_space_ids()));

-- persona_history -----------------------------------------------------------------------------

create table public.persona_history (
  id uuid primary key default gen_random_uuid(),
  space_id uuid not null references public.spaces (id) on delete cascade,
  persona_id smallint not null,
  persona_name text not null,
  assigned_at timestamptz not null default now(),
  signals jsonb,
  constraint persona_history_persona_id_range check (persona_id >= 1 and persona_id <= 5),
  constraint persona_history_persona_name_check check (
    persona_name in ('HIGH_UTILIZATION', 'VARIABLE_INCOME_BUDGETER', 'SUBSCRIPTION_HEAVY', 'SAVINGS_BUILDER', 'CUSTOM')
  ),
  constraint persona_history_signals_is_object check (jsonb_typeof(signals) = 'object')
);

-- A space's timeline, newest first; also serves the foreign key and the policy.
create index idx_persona_history_space_assigned on public.persona_history (space_id, assigned_at desc);

comment on table public.persona_history is
  'SpendSense''s persona_history per space: a row each time the space''s persona changes (the first assignment included). Written by the insights service only.';
comment on column public.persona_history.signals is 'Snapshot of the signals the persona was assigned on: {"signals_30d": ..., "signals_180d": ...}.';

alter table public.persona_history enable row level security;

revoke all on public.persona_history from anon, authenticated, service_role;
grant select on public.persona_history to authenticated;
grant select, insert, update, delete on public.persona_history to service_role;

create policy "Members can read their space's persona history"
  on public.persona_history for select
  to authenticated
  using (space_id in (select private.member_space_ids()));
