-- Linked Plaid items: the live bank sync of a space (the plaid-sync edge function).
--
-- A member links a bank through Plaid Link; plaid-sync exchanges the public
-- token for the item's access token (its `exchange` step) and later walks
-- /transactions/sync from the item's stored cursor, applying each complete
-- walk through the import service (an imports row with source plaid_sync).
--
-- public.plaid_items is what members see: institution, who linked it, status,
-- cursor, last sync, last error. Nobody writes it through the API: the function
-- does, as the service role, and the applying transaction stores the walk's
-- cursor through public.record_plaid_sync, so the cursor commits with the walk
-- or not at all.
--
-- The access token lives in private.plaid_item_tokens, which only service_role
-- may touch, and only as AES-256-GCM ciphertext made in the function (WebCrypto)
-- under PLAID_TOKEN_KEY, a key of the function's environment that never reaches
-- the database. Why not pgsodium, Vault or pgcrypto: pgsodium is deprecated on
-- Supabase, and neither it nor supabase_vault exists on PGlite or a plain
-- PostgreSQL 15 (two of the three targets); pgcrypto would put the key in SQL
-- text (statement logs, pg_stat_statements). So a dump, a backup or a leaked
-- service-role key alone yields ciphertext, and no client role reads even that.
-- The ciphertext is bound to its item (space and item id as associated data):
-- moved to another row it does not decrypt.

-- plaid_items ------------------------------------------------------------------------------

create table public.plaid_items (
  id uuid primary key default gen_random_uuid(),
  space_id uuid not null references public.spaces (id) on delete cascade,
  item_id text not null,
  institution_id text,
  institution_name text,
  linked_by uuid references public.users (id) on delete set null,
  status text not null default 'active',
  sync_cursor text,
  last_synced_at timestamptz,
  last_import_id uuid,
  last_error_code text,
  last_error text,
  last_error_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint plaid_items_space_id_item_id_key unique (space_id, item_id),
  constraint plaid_items_status_check check (status in ('active', 'login_required', 'error')),
  constraint plaid_items_item_id_length check (char_length(item_id) between 1 and 200),
  constraint plaid_items_institution_name_length check (char_length(institution_name) <= 200),
  constraint plaid_items_last_error_together check ((last_error_code is null) = (last_error is null) and (last_error is null) = (last_error_at is null)),
  constraint plaid_items_last_import_in_space foreign key (last_import_id, space_id)
    references public.imports (id, space_id) on delete set null (last_import_id)
);

-- The unique (space_id, item_id) index serves the space_id foreign key and the policies.
create index idx_plaid_items_linked_by on public.plaid_items (linked_by);
create index idx_plaid_items_last_import on public.plaid_items (last_import_id, space_id) where last_import_id is not null;

comment on table public.plaid_items is
  'A bank a space linked through Plaid Link: the item, its /transactions/sync cursor and sync status. Its access token is in private.plaid_item_tokens.';
comment on column public.plaid_items.item_id is 'Plaid''s item_id.';
comment on column public.plaid_items.linked_by is 'Who linked it (exchanged the public token). Null once their account is deleted.';
comment on column public.plaid_items.status is
  'active; login_required (Plaid answered ITEM_LOGIN_REQUIRED: the person must re-authenticate through Link update mode); error (another item error).';
comment on column public.plaid_items.sync_cursor is
  'Plaid''s next_cursor after the last applied walk; null before the first sync. Stored in the walk''s own transaction.';
comment on column public.plaid_items.last_import_id is 'The imports row (source plaid_sync) of the last applied walk.';
comment on column public.plaid_items.last_error_code is 'Plaid''s error_code of the last failed sync (ITEM_LOGIN_REQUIRED...); cleared by the next applied walk.';

create trigger plaid_items_touch_updated_at
  before update on public.plaid_items
  for each row execute function private.touch_updated_at();

alter table public.plaid_items enable row level security;

revoke all on public.plaid_items from anon, authenticated, service_role;
grant select on public.plaid_items to authenticated;
grant select, insert, update, delete on public.plaid_items to service_role;

create policy "Members can read their space's linked banks"
  on public.plaid_items for select
  to authenticated
  using (space_id in (select private.member_space_ids()));

-- plaid_item_tokens ------------------------------------------------------------------------

create table private.plaid_item_tokens (
  plaid_item_id uuid primary key references public.plaid_items (id) on delete cascade,
  access_token_ciphertext text not null,
  key_version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint plaid_item_tokens_ciphertext_format check (access_token_ciphertext ~ '^v[0-9]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$'),
  constraint plaid_item_tokens_key_version_positive check (key_version >= 1)
);

comment on table private.plaid_item_tokens is
  'The access token of each linked Plaid item, AES-256-GCM ciphertext under the function''s PLAID_TOKEN_KEY (never in the database). service_role only.';
comment on column private.plaid_item_tokens.access_token_ciphertext is
  'v<key version>:<base64 96-bit IV>:<base64 ciphertext and tag>, associated data <space_id>:<item_id>.';

create trigger plaid_item_tokens_touch_updated_at
  before update on private.plaid_item_tokens
  for each row execute function private.touch_updated_at();

alter table private.plaid_item_tokens enable row level security;

revoke all on private.plaid_item_tokens from public, anon, authenticated, service_role;
grant select, insert, update, delete on private.plaid_item_tokens to service_role;

-- The cursor, stored with its walk ------------------------------------------------------------

-- Called in the transaction that applies a walk (the import service's beforeComplete), as the
-- person syncing: the item's cursor moves to the walk's next_cursor only if it still is the
-- cursor the walk started from (another sync that got there first makes this answer false, and
-- the caller rolls its walk back). security definer: clients have no write grant on plaid_items;
-- this checks everything itself.
create function public.record_plaid_sync(plaid_item_id uuid, import_id uuid, from_cursor text, next_cursor text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  -- Only the caller's own plaid_sync import, while it is being applied, in a space they may write to.
  target_space uuid := private.applying_import_space(record_plaid_sync.import_id, 'plaid_sync');
begin
  update public.plaid_items p
     set sync_cursor = record_plaid_sync.next_cursor, last_synced_at = now(), last_import_id = record_plaid_sync.import_id,
         status = 'active', last_error_code = null, last_error = null, last_error_at = null
   where p.id = record_plaid_sync.plaid_item_id and p.space_id = target_space
     and p.sync_cursor is not distinct from record_plaid_sync.from_cursor;
  return found;
end
$$;
comment on function public.record_plaid_sync(uuid, uuid, text, text) is
  'Within the caller''s plaid_sync import being applied: the item''s cursor moves from from_cursor to next_cursor (status active, error cleared). False when the cursor is no longer from_cursor.';
revoke execute on function public.record_plaid_sync(uuid, uuid, text, text) from public, anon;
grant execute on function public.record_plaid_sync(uuid, uuid, text, text) to authenticated;
