-- Recurring series: the subscriptions and other regular charges the insights
-- engine detects in a space's expenses and bank lines (cadence from the median
-- gap, amounts within a tolerance, price changes as events, merchants matched
-- through the categorizer's descriptor normalization).
--
-- The insights service replaces a space's series on every analysed run: a
-- series seen again keeps its row (same series_key), one no longer detected is
-- deleted. Members read them (ai-chat's recurring_expenses tool answers from
-- here); only the service role writes.

create table public.recurring_series (
  id uuid primary key default gen_random_uuid(),
  space_id uuid not null references public.spaces (id) on delete cascade,
  series_key text not null,
  merchant text not null,
  description text,
  category text,
  cadence text not null,
  median_gap_days numeric(6,1) not null,
  typical_amount numeric(12,2) not null,
  currency text not null,
  monthly_amount numeric(12,2) not null,
  first_date date not null,
  last_date date not null,
  next_expected_date date not null,
  status text not null,
  is_active boolean generated always as (status <> 'ended') stored,
  occurrences integer not null,
  price_changes jsonb not null default '[]'::jsonb,
  confidence numeric(3,2) not null,
  expense_ids uuid[] not null default '{}',
  bank_transaction_ids uuid[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint recurring_series_space_id_series_key_key unique (space_id, series_key),
  constraint recurring_series_cadence_check check (cadence in ('weekly', 'biweekly', 'monthly', 'quarterly', 'annual')),
  constraint recurring_series_status_check check (status in ('active', 'overdue', 'ended')),
  constraint recurring_series_typical_amount_positive check (typical_amount > 0),
  constraint recurring_series_monthly_amount_non_negative check (monthly_amount >= 0),
  constraint recurring_series_currency_format check (currency ~ '^[A-Z]{3}$'),
  constraint recurring_series_category_format check (category ~ '^[a-z0-9_]{1,40}$'),
  constraint recurring_series_dates_ordered check (first_date <= last_date and last_date < next_expected_date),
  constraint recurring_series_occurrences_min check (occurrences >= 2),
  constraint recurring_series_price_changes_is_array check (jsonb_typeof(price_changes) = 'array'),
  constraint recurring_series_confidence_range check (confidence >= 0 and confidence <= 1),
  constraint recurring_series_series_key_length check (char_length(series_key) between 1 and 200),
  constraint recurring_series_merchant_length check (char_length(btrim(merchant)) between 1 and 200),
  constraint recurring_series_description_length check (char_length(description) <= 500)
);

-- The unique key serves the foreign key, the policy and the service's upsert.
-- "What is due next" per space (the chat tool and the demo).
create index idx_recurring_series_space_next on public.recurring_series (space_id, next_expected_date) where status <> 'ended';

comment on table public.recurring_series is
  'Recurring charges detected in a space''s expenses and bank lines (subscriptions, rent, memberships). Written by the insights service only.';
comment on column public.recurring_series.series_key is 'The engine''s stable key: normalized merchant and currency (and amount band when a merchant has several series).';
comment on column public.recurring_series.merchant is 'The merchant as people read it (Netflix), whatever the descriptors said (NETFLIX.COM 866-579).';
comment on column public.recurring_series.description is 'The latest charge''s description as recorded.';
comment on column public.recurring_series.cadence is 'weekly | biweekly | monthly | quarterly | annual, from the median gap between charges.';
comment on column public.recurring_series.typical_amount is 'Median charge since the last price change, in currency.';
comment on column public.recurring_series.monthly_amount is 'The typical amount as a monthly cost in the space''s currency.';
comment on column public.recurring_series.next_expected_date is 'last_date plus the cadence: when the next charge is due.';
comment on column public.recurring_series.status is 'active; overdue (the next charge is late beyond the tolerance); ended (no charge for two periods).';
comment on column public.recurring_series.is_active is 'status is not ended.';
comment on column public.recurring_series.price_changes is
  'Price-change events, oldest first: [{"date","from","to","label":"15.49 → 17.99"}].';
comment on column public.recurring_series.confidence is '0-1: how regular the gaps and amounts are.';
comment on column public.recurring_series.expense_ids is 'The expenses the series was detected from (the trace''s rows).';
comment on column public.recurring_series.bank_transaction_ids is 'The bank lines the series was detected from, when the space has bank data.';

create trigger recurring_series_touch_updated_at
  before update on public.recurring_series
  for each row execute function private.touch_updated_at();

alter table public.recurring_series enable row level security;

revoke all on public.recurring_series from anon, authenticated, service_role;
grant select on public.recurring_series to authenticated;
grant select, insert, update, delete on public.recurring_series to service_role;

create policy "Members can read their space's recurring series"
  on public.recurring_series for select
  to authenticated
  using (space_id in (select private.member_space_ids()));
