-- Supabase compatibility layer for local targets (PGlite and plain PostgreSQL).
--
-- Hosted Supabase already provides everything here, so this file is never a
-- migration: `npm run db:reset`, `npm run dev` and the test harness apply it
-- before the migrations when the target is not Supabase. It recreates what the
-- migrations and the RLS tests rely on, with Supabase's own definitions:
--   roles anon, authenticated, service_role, authenticator;
--   schema auth with auth.users and auth.uid()/role()/email()/jwt();
--   schema storage with buckets, objects and the path helpers;
--   schema extensions (pgcrypto preinstalled, as on Supabase);
--   publication supabase_realtime;
--   Supabase's default privileges on schema public.
-- Every statement is idempotent: applying the file twice changes nothing.

-- Roles -----------------------------------------------------------------------

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$$;

grant anon, authenticated, service_role to authenticator;
-- On Supabase the migration role (postgres) can switch to the API roles.
grant anon, authenticated, service_role to postgres;

-- Schema extensions ---------------------------------------------------------------

create schema if not exists extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;

-- Schema public: Supabase's default privileges ----------------------------------
-- Supabase grants everything in public to the API roles by default and relies on
-- RLS; Wallai's migrations revoke and re-grant explicitly, table by table.

grant usage on schema public to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;

-- Schema auth ---------------------------------------------------------------------

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

create table if not exists auth.users (
  instance_id uuid,
  id uuid primary key,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255),
  confirmation_sent_at timestamptz,
  recovery_token varchar(255),
  recovery_sent_at timestamptz,
  email_change_token_new varchar(255),
  email_change varchar(255),
  email_change_sent_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  created_at timestamptz,
  updated_at timestamptz,
  phone text unique default null,
  phone_confirmed_at timestamptz,
  phone_change text default '',
  phone_change_token varchar(255) default '',
  phone_change_sent_at timestamptz,
  confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
  email_change_token_current varchar(255) default '',
  email_change_confirm_status smallint default 0 check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
  banned_until timestamptz,
  reauthentication_token varchar(255) default '',
  reauthentication_sent_at timestamptz,
  is_sso_user boolean not null default false,
  deleted_at timestamptz,
  is_anonymous boolean not null default false
);
create index if not exists users_instance_id_idx on auth.users (instance_id);
create index if not exists users_is_anonymous_idx on auth.users (is_anonymous);
alter table auth.users enable row level security;
grant all on auth.users to service_role;

-- The request helpers exactly as Supabase defines them: PostgREST publishes the
-- verified JWT as request.jwt.claims (older versions: request.jwt.claim.*).
create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.email() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
  to anon, authenticated, service_role;

-- Schema storage ------------------------------------------------------------------

create schema if not exists storage;
grant usage on schema storage to anon, authenticated, service_role;

create table if not exists storage.buckets (
  id text primary key,
  name text not null,
  owner uuid,
  owner_id text,
  public boolean default false,
  avif_autodetection boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);
create unique index if not exists bname on storage.buckets (name);

create table if not exists storage.objects (
  id uuid primary key default gen_random_uuid(),
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid,
  owner_id text,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  version text,
  user_metadata jsonb
);
create unique index if not exists bucketid_objname on storage.objects (bucket_id, name);
create index if not exists name_prefix_search on storage.objects (name text_pattern_ops);

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;
-- What the Storage API does with them, and no more: TRUNCATE would bypass RLS,
-- TRIGGER and REFERENCES are never an API's business.
revoke all on storage.buckets, storage.objects from anon, authenticated, service_role;
grant select on storage.buckets to anon, authenticated;
grant select, insert, update, delete on storage.buckets to service_role;
grant select, insert, update, delete on storage.objects to anon, authenticated, service_role;

create or replace function storage.foldername(name text) returns text[]
language plpgsql immutable
as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[1:array_length(_parts, 1) - 1];
end
$$;

create or replace function storage.filename(name text) returns text
language plpgsql immutable
as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[array_length(_parts, 1)];
end
$$;

create or replace function storage.extension(name text) returns text
language plpgsql immutable
as $$
declare
  _parts text[];
  _filename text;
begin
  select string_to_array(name, '/') into _parts;
  select _parts[array_length(_parts, 1)] into _filename;
  return reverse(split_part(reverse(_filename), '.', 1));
end
$$;

grant execute on function storage.foldername(text), storage.filename(text), storage.extension(text)
  to anon, authenticated, service_role;

-- Realtime ---------------------------------------------------------------------------

do $$
begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;

-- Realtime change capture (local only) -----------------------------------------------
-- Hosted Realtime reads the WAL. The local /realtime/v1 (scripts/dev/api/realtime) gets
-- the same changes from a row trigger that NOTIFYs channel `wallai_realtime` with the
-- change as JSON; NOTIFY is delivered only when (and in the order) transactions commit,
-- so a rolled-back change is never announced. A payload over NOTIFY's 8000-byte limit
-- carries the primary key instead of the row (`record_pk`) and the server reads the row.
-- `realtime.wallai_install_capture()` puts the trigger on every table of the
-- supabase_realtime publication (and takes it off tables that left it); the local
-- Realtime server calls it when it starts, since the migrations add the tables after this
-- file runs. Nothing here is executable by the API roles.

create schema if not exists realtime;
revoke all on schema realtime from public;

create or replace function realtime.wallai_notify_change() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  _row jsonb := case when tg_op <> 'DELETE' then pg_catalog.to_jsonb(new) end;
  _old jsonb := case when tg_op <> 'INSERT' then pg_catalog.to_jsonb(old) end;
  _pk text[];
  _payload text;
begin
  select coalesce(pg_catalog.array_agg(a.attname::text order by a.attnum), '{}')
    into _pk
    from pg_catalog.pg_index i
    join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
   where i.indrelid = tg_relid and i.indisprimary;
  _payload := pg_catalog.jsonb_build_object(
    'schema', tg_table_schema,
    'table', tg_table_name,
    'type', tg_op,
    'commit_timestamp', pg_catalog.to_char(pg_catalog.clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'pk', pg_catalog.to_jsonb(_pk),
    'record', _row,
    'old_record', _old)::text;
  if pg_catalog.octet_length(_payload) > 7900 then
    _payload := pg_catalog.jsonb_build_object(
      'schema', tg_table_schema,
      'table', tg_table_name,
      'type', tg_op,
      'commit_timestamp', pg_catalog.to_char(pg_catalog.clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      'pk', pg_catalog.to_jsonb(_pk),
      'record_pk', (select pg_catalog.jsonb_object_agg(k, _row -> k) from pg_catalog.unnest(_pk) k where _row is not null),
      'old_record', (select pg_catalog.jsonb_object_agg(k, _old -> k) from pg_catalog.unnest(_pk) k where _old is not null))::text;
  end if;
  perform pg_catalog.pg_notify('wallai_realtime', _payload);
  return null;
end
$$;
revoke execute on function realtime.wallai_notify_change() from public;

create or replace function realtime.wallai_install_capture() returns integer
language plpgsql
set search_path = ''
as $$
declare
  _t record;
  _n integer := 0;
begin
  for _t in
    select p.schemaname, p.tablename from pg_catalog.pg_publication_tables p where p.pubname = 'supabase_realtime'
  loop
    execute pg_catalog.format(
      'create or replace trigger wallai_realtime_capture after insert or update or delete on %I.%I for each row execute function realtime.wallai_notify_change()',
      _t.schemaname, _t.tablename);
    _n := _n + 1;
  end loop;
  for _t in
    select n.nspname as schemaname, c.relname as tablename
      from pg_catalog.pg_trigger tr
      join pg_catalog.pg_class c on c.oid = tr.tgrelid
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where tr.tgname = 'wallai_realtime_capture'
       and not exists (select 1 from pg_catalog.pg_publication_tables p
                        where p.pubname = 'supabase_realtime' and p.schemaname = n.nspname and p.tablename = c.relname)
  loop
    execute pg_catalog.format('drop trigger wallai_realtime_capture on %I.%I', _t.schemaname, _t.tablename);
  end loop;
  return _n;
end
$$;
revoke execute on function realtime.wallai_install_capture() from public;

-- Which subscribers may see a row, decided as each of them, in one round trip: for each
-- `{n, role, claims}` of _subscribers the role and request.jwt.claims are set
-- transaction-local and the row is selected by primary key (_where, built by the server
-- from catalog names, reads the key values from $1), so RLS decides as for that
-- subscriber's own query; what fails for a role (no privilege) counts as not visible.
-- Realtime's apply_rls does the same per subscription. Called by the local Realtime
-- server's own connection (a superuser), never by the API roles.
create or replace function realtime.wallai_visible_to(_schema text, _table text, _where text, _pk text[], _subscribers jsonb)
returns integer[]
language plpgsql
set search_path = ''
as $$
declare
  _s jsonb;
  _visible boolean;
  _out integer[] := '{}';
  _me text := current_user;
  _query text := pg_catalog.format('select exists (select 1 from %I.%I where %s)', _schema, _table, _where);
begin
  for _s in select e from pg_catalog.jsonb_array_elements(_subscribers) e loop
    perform pg_catalog.set_config('role', _s ->> 'role', true), pg_catalog.set_config('request.jwt.claims', (_s -> 'claims')::text, true);
    begin
      execute _query into _visible using _pk;
    exception when others then
      _visible := false;
    end;
    perform pg_catalog.set_config('role', _me, true);
    if _visible then
      _out := _out || (_s ->> 'n')::integer;
    end if;
  end loop;
  return _out;
end
$$;
revoke execute on function realtime.wallai_visible_to(text, text, text, text[], jsonb) from public;
