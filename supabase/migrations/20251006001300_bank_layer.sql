-- The bank layer: what a bank import brings, beside the budgeting layer.
--
-- A bank file or a Plaid sync carries more than spending: salary, refunds,
-- transfers between a space's own accounts, card payments, balances and credit
-- limits. Every imported line lands in bank_transactions, signed as Plaid signs
-- (positive = money out), with a kind; a spending line also becomes an expense
-- (expenses.bank_transaction_id), the rest stays here and never breaks
-- expenses.amount > 0. imports is SpendSense's data_uploads adapted to spaces:
-- one row per uploaded file or sync walk, with its validation report.
--
-- Access: every active member of the space reads (viewers too); members,
-- admins and owners of an active space import into it; outsiders see nothing.

-- imports -----------------------------------------------------------------------------------

create table public.imports (
  id uuid primary key default gen_random_uuid(),
  space_id uuid not null references public.spaces (id) on delete cascade,
  uploaded_by uuid default auth.uid() references public.users (id) on delete set null,
  source text not null default 'file',
  file_name text not null,
  file_size bigint not null default 0,
  file_type text,
  storage_bucket text,
  storage_key text,
  status text not null default 'pending',
  validation_errors jsonb not null default '[]'::jsonb,
  detection jsonb not null default '{}'::jsonb,
  row_count integer not null default 0,
  added_count integer not null default 0,
  updated_count integer not null default 0,
  removed_count integer not null default 0,
  unchanged_count integer not null default 0,
  duplicate_count integer not null default 0,
  invalid_count integer not null default 0,
  row_matches jsonb not null default '[]'::jsonb,
  failure_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  processed_at timestamptz,
  constraint imports_source_check check (source in ('file', 'plaid_sync')),
  constraint imports_file_type_check check (file_type in ('plaid', 'csv', 'ofx', 'qif', 'camt053')),
  -- Only a file that could not be read as any format goes without one (recorded pending, then failed).
  constraint imports_file_type_known check (file_type is not null or status in ('pending', 'failed')),
  constraint imports_status_check check (status in ('pending', 'processing', 'completed', 'failed')),
  constraint imports_file_name_length check (char_length(btrim(file_name)) between 1 and 255),
  constraint imports_file_size_non_negative check (file_size >= 0),
  constraint imports_validation_errors_is_array check (jsonb_typeof(validation_errors) = 'array'),
  constraint imports_detection_is_object check (jsonb_typeof(detection) = 'object'),
  constraint imports_row_matches_is_array check (jsonb_typeof(row_matches) = 'array'),
  constraint imports_counts_non_negative check (
    row_count >= 0 and added_count >= 0 and updated_count >= 0 and removed_count >= 0
    and unchanged_count >= 0 and duplicate_count >= 0 and invalid_count >= 0
  ),
  constraint imports_failure_reason_when_failed check ((status = 'failed') = (failure_reason is not null)),
  constraint imports_processed_at_when_done check ((status in ('completed', 'failed')) = (processed_at is not null)),
  constraint imports_id_space_id_key unique (id, space_id),
  constraint imports_storage_key_format check (storage_key ~ '^[0-9a-f-]{36}/[0-9a-f-]{36}/[^/]+$')
);

-- SpendSense's data_uploads indexes, per space: a space's imports newest first,
-- by status, and the uploader's foreign key.
create index idx_imports_space_created on public.imports (space_id, created_at desc);
create index idx_imports_space_status on public.imports (space_id, status);
create index idx_imports_status on public.imports (status);
create index idx_imports_uploaded_by on public.imports (uploaded_by);

comment on table public.imports is
  'One uploaded bank file or Plaid sync walk of a space (SpendSense''s data_uploads): status pending -> processing -> completed / failed, its validation report and counts.';
comment on column public.imports.uploaded_by is 'Who imported; the signed-in caller by default. Null once their account is deleted.';
comment on column public.imports.source is 'file (an uploaded file) or plaid_sync (a live /transactions/sync walk).';
comment on column public.imports.file_type is
  'The format the file was read as: plaid (JSON pages), csv (also TSV), ofx (also QFX), qif, camt053. Null only for a failed import no format could read.';
comment on column public.imports.storage_key is
  'The original file in the private imports bucket: <space_id>/<import_id>/<file name>. Null for a live sync.';
comment on column public.imports.validation_errors is
  'Per-row errors and warnings in SpendSense''s shape ({type, transaction_id, error, severity}) plus row, field, value and a stable code.';
comment on column public.imports.detection is
  'File-level detection with its evidence: encoding, delimiter, header row, date and number formats, sign convention.';
comment on column public.imports.row_matches is
  'How every line was matched: {row, match (provider_id, content_key, pending_link or new), action (added, updated, removed, unchanged, duplicate, invalid, kept), bank_transaction_id}.';
comment on column public.imports.failure_reason is 'Why the import failed (status failed); nothing of a failed import is kept but this row.';

create trigger imports_touch_updated_at
  before update on public.imports
  for each row execute function private.touch_updated_at();

alter table public.imports enable row level security;

revoke all on public.imports from anon, authenticated, service_role;
grant select on public.imports to authenticated;
grant insert (id, space_id, uploaded_by, source, file_name, file_size, file_type, storage_bucket, storage_key)
  on public.imports to authenticated;
grant update (status, validation_errors, detection, row_matches, row_count, added_count, updated_count, removed_count,
              unchanged_count, duplicate_count, invalid_count, failure_reason, processed_at, storage_bucket, storage_key)
  on public.imports to authenticated;
grant select, insert, update, delete on public.imports to service_role;

create policy "Members can read their space's imports"
  on public.imports for select
  to authenticated
  using (space_id in (select private.member_space_ids()));

create policy "Members can import into their space, as themselves"
  on public.imports for insert
  to authenticated
  with check (space_id in (select private.writable_space_ids()) and uploaded_by = (select auth.uid()));

create policy "Importers update their imports, admins any"
  on public.imports for update
  to authenticated
  using (
    (space_id in (select private.writable_space_ids()) and uploaded_by = (select auth.uid()))
    or space_id in (select private.managed_space_ids())
  )
  with check (
    (space_id in (select private.writable_space_ids()) and uploaded_by = (select auth.uid()))
    or space_id in (select private.managed_space_ids())
  );

-- bank_accounts -------------------------------------------------------------------------------

create table public.bank_accounts (
  id uuid primary key default gen_random_uuid(),
  space_id uuid not null references public.spaces (id) on delete cascade,
  external_id text not null,
  owner_id uuid references public.users (id) on delete set null,
  name text not null,
  official_name text,
  mask text,
  type text not null default 'other',
  subtype text,
  currency text,
  unofficial_currency text,
  current_balance numeric(14,2),
  available_balance numeric(14,2),
  credit_limit numeric(14,2),
  balances_as_of timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint bank_accounts_space_id_external_id_key unique (space_id, external_id),
  -- Lets bank_transactions name its account and space together, so a line never sits in another space's account.
  constraint bank_accounts_id_space_id_key unique (id, space_id),
  constraint bank_accounts_type_check check (type in ('depository', 'credit', 'loan', 'investment', 'other')),
  constraint bank_accounts_currency_format check (currency ~ '^[A-Z]{3}$'),
  constraint bank_accounts_one_currency check ((currency is null) <> (unofficial_currency is null)),
  constraint bank_accounts_unofficial_currency_length check (char_length(unofficial_currency) between 1 and 20),
  constraint bank_accounts_external_id_length check (char_length(external_id) between 1 and 200),
  constraint bank_accounts_name_length check (char_length(btrim(name)) between 1 and 200),
  constraint bank_accounts_mask_length check (char_length(mask) <= 8),
  constraint bank_accounts_credit_limit_non_negative check (credit_limit >= 0)
);

-- The unique (space_id, external_id) index serves the space_id foreign key and the policies.
create index idx_bank_accounts_owner_id on public.bank_accounts (owner_id);

comment on table public.bank_accounts is
  'A bank, card, loan or investment account of a space, as the last import or sync described it: balances and credit limit as of balances_as_of.';
comment on column public.bank_accounts.external_id is
  'The provider''s account id (Plaid account_id, OFX ACCTID, CAMT IBAN) or one derived from the file; unique within the space.';
comment on column public.bank_accounts.owner_id is 'Whose account it is: the payer of the expenses its spending lines become. Null = the importer.';
comment on column public.bank_accounts.currency is 'ISO 4217 currency of the account; null when only a non-ISO unofficial_currency is known.';
comment on column public.bank_accounts.unofficial_currency is
  'A currency without an ISO code (Plaid''s unofficial_currency_code, e.g. crypto), kept and flagged, never summed with ISO amounts.';
comment on column public.bank_accounts.current_balance is 'Balance as the bank reports it; for a credit account, what is owed.';

create trigger bank_accounts_touch_updated_at
  before update on public.bank_accounts
  for each row execute function private.touch_updated_at();

alter table public.bank_accounts enable row level security;

revoke all on public.bank_accounts from anon, authenticated, service_role;
grant select, delete on public.bank_accounts to authenticated;
grant insert (id, space_id, external_id, owner_id, name, official_name, mask, type, subtype, currency, unofficial_currency,
              current_balance, available_balance, credit_limit, balances_as_of)
  on public.bank_accounts to authenticated;
grant update (owner_id, name, official_name, mask, type, subtype, current_balance, available_balance, credit_limit, balances_as_of)
  on public.bank_accounts to authenticated;
grant select, insert, update, delete on public.bank_accounts to service_role;

create policy "Members can read their space's bank accounts"
  on public.bank_accounts for select
  to authenticated
  using (space_id in (select private.member_space_ids()));

create policy "Members can add bank accounts to their space"
  on public.bank_accounts for insert
  to authenticated
  with check (space_id in (select private.writable_space_ids()));

create policy "Members can update their space's bank accounts"
  on public.bank_accounts for update
  to authenticated
  using (space_id in (select private.writable_space_ids()))
  with check (space_id in (select private.writable_space_ids()));

create policy "Admins and owners can delete bank accounts"
  on public.bank_accounts for delete
  to authenticated
  using (space_id in (select private.managed_space_ids()));

-- bank_transactions -------------------------------------------------------------------------

create table public.bank_transactions (
  id uuid primary key default gen_random_uuid(),
  -- Its space through its account (bank_transactions_account_in_space, which cascades from the
  -- account and so from the space): no second foreign key to check on every imported line.
  space_id uuid not null,
  account_id uuid not null,
  import_id uuid,
  provider_id text,
  pending_transaction_id text,
  content_key text not null,
  occurrence integer not null default 1,
  pending boolean not null default false,
  date date not null,
  authorized_date date,
  amount numeric(12,2) not null,
  currency text,
  unofficial_currency text,
  description text not null,
  merchant_name text,
  provider_category text,
  kind text not null,
  expense_id uuid references public.expenses (id) on delete set null,
  raw jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint bank_transactions_kind_check check (kind in ('spending', 'income', 'refund', 'transfer', 'card_payment', 'fee', 'interest', 'other')),
  constraint bank_transactions_currency_format check (currency ~ '^[A-Z]{3}$'),
  constraint bank_transactions_one_currency check ((currency is null) <> (unofficial_currency is null)),
  constraint bank_transactions_occurrence_positive check (occurrence >= 1),
  constraint bank_transactions_description_length check (char_length(description) between 1 and 500),
  constraint bank_transactions_provider_id_length check (char_length(provider_id) between 1 and 200),
  constraint bank_transactions_raw_is_object check (jsonb_typeof(raw) = 'object'),
  constraint bank_transactions_expense_id_key unique (expense_id),
  constraint bank_transactions_account_in_space foreign key (account_id, space_id)
    references public.bank_accounts (id, space_id) on delete cascade,
  constraint bank_transactions_import_in_space foreign key (import_id, space_id)
    references public.imports (id, space_id) on delete set null (import_id)
);

-- Exact dedupe: a line with a provider id is keyed by it; one without by its
-- content key and its occurrence among identical lines of the file.
-- Provider id before account: Plaid's ids are unique across an item's accounts, so a
-- removed or pending id is found by (space, provider id) alone.
create unique index idx_bank_transactions_provider_key on public.bank_transactions (space_id, provider_id, account_id)
  where provider_id is not null;
create unique index idx_bank_transactions_content_key on public.bank_transactions (space_id, account_id, content_key, occurrence)
  where provider_id is null;
create index idx_bank_transactions_space_date on public.bank_transactions (space_id, date desc);
-- Both serve their composite foreign key (account or import, and space) and the per-account and per-import listings.
create index idx_bank_transactions_account_date on public.bank_transactions (account_id, space_id, date desc);
create index idx_bank_transactions_import_id on public.bank_transactions (import_id, space_id);
-- Plaid's pending -> posted link: the posted line names the pending one.
create index idx_bank_transactions_pending_link on public.bank_transactions (space_id, pending_transaction_id)
  where pending_transaction_id is not null;

comment on table public.bank_transactions is
  'Every imported bank line of a space, signed as Plaid signs (positive = money out), with its kind; a spending line also became an expense.';
comment on column public.bank_transactions.provider_id is
  'The provider''s id of the line (Plaid transaction_id, OFX FITID, CAMT AcctSvcrRef or EndToEndId); null when the file has none.';
comment on column public.bank_transactions.content_key is
  'Account, date, amount in cents, currency and normalized description: how a line without a provider id is recognized again.';
comment on column public.bank_transactions.occurrence is
  'Which of the identical lines (same content key) of its file this is, from 1, so N identical real purchases stay N rows.';
comment on column public.bank_transactions.amount is 'Signed as Plaid signs: positive is money out of the account, negative money in.';
comment on column public.bank_transactions.kind is
  'spending (became an expense), income, refund, transfer (between the space''s own accounts), card_payment, fee, interest or other.';
comment on column public.bank_transactions.expense_id is 'The expense a spending line became; null for every other kind, or once the expense is deleted.';
comment on column public.bank_transactions.raw is 'The line as the file or provider gave it, for the validation report and re-processing.';

create trigger bank_transactions_touch_updated_at
  before update on public.bank_transactions
  for each row execute function private.touch_updated_at();

-- security definer: the expense's space is checked whoever may see the expense. Once per
-- statement over its transition table (an import writes 500 lines a statement), not per row.
create function private.check_bank_transaction_expense() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  stray uuid;
begin
  select n.expense_id into stray
    from new_rows n
    left join public.expenses e on e.id = n.expense_id
   where n.expense_id is not null and e.space_id is distinct from n.space_id
   limit 1;
  if stray is not null then
    raise exception 'expense % is not in this space', stray using errcode = '22023';
  end if;
  return null;
end
$$;
comment on function private.check_bank_transaction_expense() is
  'Statement trigger: the bank lines written link only to expenses of their own space.';
revoke execute on function private.check_bank_transaction_expense() from public;

create trigger bank_transactions_check_expense_insert
  after insert on public.bank_transactions
  referencing new table as new_rows
  for each statement execute function private.check_bank_transaction_expense();
create trigger bank_transactions_check_expense_update
  after update on public.bank_transactions
  referencing new table as new_rows
  for each statement execute function private.check_bank_transaction_expense();

alter table public.bank_transactions enable row level security;

revoke all on public.bank_transactions from anon, authenticated, service_role;
grant select, delete on public.bank_transactions to authenticated;
grant insert (id, space_id, account_id, import_id, provider_id, pending_transaction_id, content_key, occurrence, pending, date,
              authorized_date, amount, currency, unofficial_currency, description, merchant_name, provider_category, kind, expense_id, raw)
  on public.bank_transactions to authenticated;
grant update (import_id, provider_id, pending_transaction_id, pending, date, authorized_date, amount, currency, unofficial_currency,
              description, merchant_name, provider_category, kind, expense_id, raw)
  on public.bank_transactions to authenticated;
grant select, insert, update, delete on public.bank_transactions to service_role;

create policy "Members can read their space's bank transactions"
  on public.bank_transactions for select
  to authenticated
  using (space_id in (select private.member_space_ids()));

create policy "Members can import bank transactions into their space"
  on public.bank_transactions for insert
  to authenticated
  with check (space_id in (select private.writable_space_ids()));

create policy "Members can update their space's bank transactions"
  on public.bank_transactions for update
  to authenticated
  using (space_id in (select private.writable_space_ids()))
  with check (space_id in (select private.writable_space_ids()));

create policy "Members can delete their space's bank transactions"
  on public.bank_transactions for delete
  to authenticated
  using (space_id in (select private.writable_space_ids()));

-- The payer of imported expenses ----------------------------------------------------------------

-- The space of the caller's own import (of this source, when one is named) while it is being
-- applied (status processing, a space they may write to); raises 42501 otherwise. For the
-- security definer functions an applying import calls; executable by nobody else.
create function private.applying_import_space(target_import uuid, import_source text default null) returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  target_space uuid;
begin
  if caller is null then
    raise exception 'sign in to import' using errcode = '42501';
  end if;
  select i.space_id into target_space
    from public.imports i
   where i.id = target_import and i.uploaded_by = caller and i.status = 'processing'
     and (import_source is null or i.source = import_source)
     and i.space_id in (select private.writable_space_ids());
  if target_space is null then
    raise exception 'no %import % of yours is being applied', coalesce(import_source || ' ', ''), target_import
      using errcode = '42501';
  end if;
  return target_space;
end
$$;
comment on function private.applying_import_space(uuid, text) is
  'The space of the caller''s own import (of this source, when one is named) while it is being applied; raises 42501 for any other import.';
revoke execute on function private.applying_import_space(uuid, text) from public;

-- An expense's payer is the person who recorded it (expenses.created_by, which the expense
-- trigger sets to the signed-in caller and the insert policy checks). A spending line of an
-- account that has an owner is the owner's purchase: within the applying transaction, the import
-- hands the expenses it has just created from such lines to the owner. security definer: the
-- caller may not write created_by; this checks everything itself.
create function public.assign_import_payers(import_id uuid, expense_ids uuid[])
returns table (expense_id uuid, payer_id uuid)
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  -- Only the import's own uploader, while it is being applied, in a space they may write to.
  target_space uuid := private.applying_import_space(assign_import_payers.import_id);
begin
  -- Each expense: created by the caller from a line of this import, not split yet, on an account
  -- whose owner is an active member, admin or owner of the space (anyone else: the importer pays).
  return query
  update public.expenses e
     set created_by = a.owner_id
    from public.bank_transactions t
    join public.bank_accounts a on a.id = t.account_id and a.space_id = t.space_id
    join public.space_members m on m.space_id = a.space_id and m.user_id = a.owner_id
   where e.id = any (assign_import_payers.expense_ids)
     and t.expense_id = e.id and t.import_id = assign_import_payers.import_id and t.space_id = target_space
     and e.space_id = target_space and e.created_by = caller
     and a.owner_id is not null and a.owner_id <> caller
     and m.is_active and m.role in ('owner', 'admin', 'member')
     and not exists (select 1 from public.expense_splits s where s.expense_id = e.id)
  returning e.id, e.created_by;
end
$$;
comment on function public.assign_import_payers(uuid, uuid[]) is
  'Within an import being applied by the caller: its new expenses from accounts with an owner (an active member, admin or owner) become the owner''s (created_by, the payer). Answers the expenses moved.';
revoke execute on function public.assign_import_payers(uuid, uuid[]) from public, anon;
grant execute on function public.assign_import_payers(uuid, uuid[]) to authenticated;
