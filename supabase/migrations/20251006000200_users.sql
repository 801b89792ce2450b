-- Users: the public profile that extends each auth.users row (1:1).
--
-- A trigger on auth.users creates the profile at sign-up, so every signed-in
-- user has one. Profiles are deleted with their auth user.

create table public.users (
  id uuid primary key references auth.users (id) on delete cascade,
  username text not null,
  full_name text,
  avatar_url text,
  currency text not null default 'USD',
  timezone text not null default 'UTC',
  settings jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint users_username_key unique (username),
  constraint users_username_format check (username ~ '^[a-z0-9_]{3,30}$'),
  constraint users_full_name_length check (char_length(full_name) <= 120),
  constraint users_settings_is_object check (jsonb_typeof(settings) = 'object')
);

comment on table public.users is
  'Profile of a signed-in person, extending auth.users 1:1; created by a trigger at sign-up.';
comment on column public.users.username is
  'Unique handle for @mentions: 3-30 of a-z, 0-9 and _. Taken from sign-up metadata when valid and free, generated otherwise.';
comment on column public.users.currency is 'Preferred ISO 4217 currency for new spaces.';
comment on column public.users.timezone is 'IANA time zone, used for new spaces and month boundaries.';
comment on column public.users.settings is 'Free-form client preferences (language, notification choices). Always a JSON object.';

create trigger users_touch_updated_at
  before update on public.users
  for each row execute function private.touch_updated_at();

create trigger users_check_currency_and_timezone
  before insert or update of currency, timezone on public.users
  for each row execute function private.check_currency_and_timezone();

alter table public.users enable row level security;

revoke all on public.users from anon, authenticated, service_role;
grant select on public.users to authenticated;
grant update (username, full_name, avatar_url, currency, timezone, settings) on public.users to authenticated;
grant select, insert, update, delete on public.users to service_role;

-- Policies on users that need to know about shared spaces are created with the
-- spaces migration, once space_members exists.

create policy "Users can update their own profile"
  on public.users for update
  to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

-- Sign-up: create the profile ----------------------------------------------------

create function private.unique_username(wanted text, email text) returns text
language plpgsql
set search_path = ''
as $$
declare
  base text;
  candidate text;
begin
  candidate := lower(coalesce(wanted, ''));
  if candidate ~ '^[a-z0-9_]{3,30}$'
     and not exists (select 1 from public.users u where u.username = candidate) then
    return candidate;
  end if;

  -- Derive a readable base from the wanted name, else the e-mail, then add random digits.
  base := regexp_replace(lower(coalesce(wanted, '')), '[^a-z0-9_]', '', 'g');
  if char_length(base) < 3 then
    base := regexp_replace(lower(split_part(coalesce(email, ''), '@', 1)), '[^a-z0-9_]', '', 'g');
  end if;
  base := left(case when char_length(base) >= 3 then base else 'user' end, 24);
  loop
    candidate := base || '_' || lpad((floor(random() * 100000))::int::text, 5, '0');
    exit when not exists (select 1 from public.users u where u.username = candidate);
  end loop;
  return candidate;
end
$$;
comment on function private.unique_username(text, text) is
  'The wanted username when it is valid and free, else a free one derived from it or the e-mail.';
revoke execute on function private.unique_username(text, text) from public;

create function private.create_profile_for_new_user() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  meta jsonb := coalesce(new.raw_user_meta_data, '{}'::jsonb);
  tz text := coalesce(meta ->> 'timezone', 'UTC');
  cur text := upper(coalesce(meta ->> 'currency', 'USD'));
begin
  -- Bad optional metadata must not make sign-up fail: fall back to defaults.
  if not private.is_valid_timezone(tz) then
    tz := 'UTC';
  end if;
  if cur !~ '^[A-Z]{3}$' then
    cur := 'USD';
  end if;

  insert into public.users (id, username, full_name, avatar_url, currency, timezone)
  values (
    new.id,
    private.unique_username(meta ->> 'username', new.email),
    left(coalesce(meta ->> 'full_name', meta ->> 'name'), 120),
    meta ->> 'avatar_url',
    cur,
    tz
  );
  return new;
end
$$;
comment on function private.create_profile_for_new_user() is
  'Trigger on auth.users: creates the public.users profile at sign-up.';
revoke execute on function private.create_profile_for_new_user() from public;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function private.create_profile_for_new_user();
