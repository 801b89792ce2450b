-- Foundations: extensions, the private schema, and the helpers every concern uses.
--
-- `private` holds helpers that RLS policies, triggers and RPCs call. PostgREST
-- does not expose it (supabase/config.toml lists only public and
-- graphql_public). Each function's EXECUTE is granted explicitly, to the roles
-- that need it, next to the function.
--
-- Helpers here: updated_at, time zones and currencies, the caller's id
-- (require_user) and exact money allocation (allocate_cents).

create extension if not exists pg_trgm with schema extensions;
create extension if not exists pgcrypto with schema extensions;

create schema if not exists private;
comment on schema private is
  'Wallai internals: membership helpers for RLS, trigger functions, rate-limit state. Not exposed by the API.';
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- Postgres grants EXECUTE on every new function to PUBLIC, and a default
-- privilege IN SCHEMA cannot take that global default back. So every function
-- revokes it right after its definition and grants EXECUTE only to the roles
-- that must call it (a policy, a column default, or a trigger that runs as the
-- writing role). supabase/tests/privileges.test.ts lists what anon and
-- authenticated may execute against a declared allow-list.

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
revoke execute on function private.touch_updated_at() from public;

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
revoke execute on function private.is_valid_timezone(text) from public;
-- Check_currency_and_timezone, a trigger that runs as the writing role, calls it.
grant execute on function private.is_valid_timezone(text) to authenticated, service_role;

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
revoke execute on function private.check_currency_and_timezone() from public;

-- The caller ------------------------------------------------------------------------------

create function private.require_user() returns uuid
language plpgsql stable
set search_path = ''
as $$
declare
  uid uuid := (select auth.uid());
begin
  if uid is null then
    raise exception 'sign in first' using errcode = '28000';
  end if;
  return uid;
end
$$;
comment on function private.require_user() is 'The caller''s user id; raises 28000 for a request without a user.';
revoke execute on function private.require_user() from public;

-- Exact allocation ---------------------------------------------------------------------

create function private.allocate_cents(
  total_cents bigint,
  weights numeric[],
  rotation integer default 0,
  carried bigint[] default null
) returns bigint[]
language plpgsql immutable
set search_path = ''
as $$
-- Splits total_cents in proportion to weights so that the parts sum exactly to
-- total_cents: everyone gets the floor of their share, and the cents left over
-- go one each to the largest remainders. Ties go first to the lowest carried
-- (the rounding each position has carried so far; none: all equal), then in
-- turn from position rotation + 1 (mod n) onwards; by default the earlier position.
declare
  n integer;
  weight_sum numeric := 0;
  parts bigint[] := '{}'::bigint[];
  leftover bigint;
  i integer;
begin
  if total_cents is null or total_cents < 0 then
    raise exception 'cannot allocate % cents', total_cents using errcode = '22023';
  end if;
  if weights is null or cardinality(weights) = 0 then
    raise exception 'allocation needs at least one weight' using errcode = '22023';
  end if;
  n := cardinality(weights);
  if rotation is null or rotation < 0 then
    raise exception 'rotation must be a whole number, 0 or more' using errcode = '22023';
  end if;
  if carried is not null and (cardinality(carried) <> n or array_position(carried, null) is not null) then
    raise exception 'carried needs one whole number per weight' using errcode = '22023';
  end if;
  for i in 1..n loop
    if weights[i] is null or weights[i] < 0 then
      raise exception 'weights must be zero or positive' using errcode = '22023';
    end if;
    weight_sum := weight_sum + weights[i];
  end loop;
  if weight_sum = 0 then
    raise exception 'weights must not all be zero' using errcode = '22023';
  end if;

  for i in 1..n loop
    parts := parts || floor(total_cents * weights[i] / weight_sum)::bigint;
  end loop;
  leftover := total_cents - (select sum(p) from unnest(parts) p);

  for i in (
    select ord
    from unnest(weights) with ordinality as w(weight, ord)
    order by (total_cents * weight / weight_sum) - floor(total_cents * weight / weight_sum) desc,
             coalesce(carried[ord], 0),
             ((ord - 1 - rotation) % n + n) % n
    limit leftover
  ) loop
    parts[i] := parts[i] + 1;
  end loop;
  return parts;
end
$$;
comment on function private.allocate_cents(bigint, numeric[], integer, bigint[]) is
  'Largest-remainder allocation of integer cents by weights; the parts always sum to the total. Ties go to the lowest carried rounding, then in turn from position rotation + 1; by default to the earlier position.';
revoke execute on function private.allocate_cents(bigint, numeric[], integer, bigint[]) from public;

create function private.leftover_rotation(expense_id uuid) returns integer
language sql immutable
set search_path = ''
as $$
  -- The first 7 hex digits of the id as a number: uuids are random, so every start is as likely.
  select ('x' || lpad(substr(expense_id::text, 1, 7), 8, '0'))::bit(32)::integer
$$;
comment on function private.leftover_rotation(uuid) is
  'Where an expense''s tied leftover cents start (mod the number of people): derived from its id, so one expense always splits the same way.';
revoke execute on function private.leftover_rotation(uuid) from public;
