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

create function private.is_valid_timezone(tz text) returns boolean
language sql stable
set search_path = ''
as $$
  select exists (select 1 from pg_catalog.pg_timezone_names where name = tz)
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
  if new.timezone is null or not private.is_valid_timezone(new.timezone) then
    raise exception 'unknown time zone %', coalesce(new.timezone, 'null')
      using errcode = '22023', hint = 'Use an IANA name such as Europe/Madrid.';
  end if;
  return new;
end
$$;
comment on function private.check_currency_and_timezone() is
  'Trigger: rejects currencies that are not three upper-case letters and unknown time zones.';

grant execute on function private.is_valid_timezone(text) to authenticated, service_role;
