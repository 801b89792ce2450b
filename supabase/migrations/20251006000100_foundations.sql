-- Foundations: extensions and the private schema.
--
-- `private` holds helpers that RLS policies and RPCs call. PostgREST does not
-- expose it (supabase/config.toml lists only public and graphql_public), so
-- nothing in it is callable over the API; authenticated only gets the usage
-- right policies need to call the membership helpers.

create extension if not exists pg_trgm with schema extensions;
create extension if not exists pgcrypto with schema extensions;

create schema if not exists private;
comment on schema private is
  'Wallai internals: membership helpers for RLS, trigger functions, rate-limit state. Not exposed by the API.';
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- Postgres grants EXECUTE on new functions to PUBLIC; Wallai grants it explicitly.
alter default privileges in schema private revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from public;

create function private.touch_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
comment on function private.touch_updated_at() is 'Trigger: keeps updated_at current on every update.';

-- pg_timezone_names reads the whole tz database on every query (~35 ms), too slow
-- for a per-row check: the names are copied once into an indexed table.
create table private.time_zones (
  name text primary key
);
comment on table private.time_zones is
  'The IANA time zone names Postgres knows (pg_timezone_names), copied when the schema was built; is_valid_timezone looks them up.';
insert into private.time_zones (name)
select distinct z.name from pg_catalog.pg_timezone_names z;
grant select on private.time_zones to authenticated, service_role;

create function private.is_valid_timezone(tz text) returns boolean
language plpgsql stable
set search_path = ''
as $$
begin
  -- plpgsql caches the plan: one primary-key probe per call.
  return exists (select 1 from private.time_zones z where z.name = tz);
end
$$;
comment on function private.is_valid_timezone(text) is 'True when tz is an IANA time zone name Postgres knows.';

create function private.check_currency_and_timezone() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.currency is null or new.currency !~ '^[A-Z]{3}$' then
    raise exception 'currency must be an ISO 4217 code such as USD, got %', coalesce(new.currency, 'null')
      using errcode = '22023';
  end if;
  -- An update that leaves the time zone as it was (a currency change) needs no look-up.
  if new.timezone is null
     or ((tg_op = 'INSERT' or new.timezone is distinct from old.timezone) and not private.is_valid_timezone(new.timezone)) then
    raise exception 'unknown time zone %', coalesce(new.timezone, 'null')
      using errcode = '22023', hint = 'Use an IANA name such as Europe/Madrid.';
  end if;
  return new;
end
$$;
comment on function private.check_currency_and_timezone() is
  'Trigger: rejects currencies that are not three upper-case letters and unknown time zones.';

grant execute on function private.is_valid_timezone(text) to authenticated, service_role;
