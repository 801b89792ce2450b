-- Spaces, their members, and the membership helpers every policy uses.
--
-- A space is a shared budget (a household, a couple, a flat). People join with a
-- 6-character invite code. Roles, from least to most: viewer (reads only),
-- member (reads, writes their own records), admin (manages budgets, members and
-- any record), owner (also deactivates the space and manages owners).
-- Membership changes go through the RPCs of the next migration; clients never
-- write space_members directly.
--
-- Order: invite codes, spaces and their lifecycle triggers, space_members, the
-- membership helpers (which need both tables), then the policies of spaces,
-- space_members and the shared-space policy of users, which all call them.

-- Invite codes -------------------------------------------------------------------------

create function private.random_invite_code() returns text
language sql volatile
set search_path = ''
as $$
  -- 31 symbols: A-Z and 2-9 without the look-alikes 0, O, 1, I, L.
  -- get_byte % 31 has a bias below 1%: irrelevant next to the join rate limit.
  select string_agg(substr('ABCDEFGHJKMNPQRSTUVWXYZ23456789', (get_byte(b, i) % 31) + 1, 1), '' order by i)
  from extensions.gen_random_bytes(6) as b, generate_series(0, 5) as i
$$;
comment on function private.random_invite_code() is 'Six random characters of the invite alphabet.';
revoke execute on function private.random_invite_code() from public;

-- security definer: as a column default it runs as the inserting user, whose RLS
-- would hide other spaces' codes from the collision check.
create function private.unused_invite_code() returns text
language plpgsql volatile
security definer
set search_path = ''
as $$
declare
  candidate text;
begin
  for attempt in 1..50 loop
    candidate := private.random_invite_code();
    if not exists (select 1 from public.spaces s where s.invite_code = candidate) then
      return candidate;
    end if;
  end loop;
  raise exception 'could not find a free invite code after 50 attempts' using errcode = '55000';
end
$$;
comment on function private.unused_invite_code() is
  'A random invite code no space uses yet; draws again on collision. The default of spaces.invite_code.';
revoke execute on function private.unused_invite_code() from public;
-- The default of spaces.invite_code, evaluated as the inserting role.
grant execute on function private.unused_invite_code() to authenticated, service_role;

-- spaces ---------------------------------------------------------------------------

create table public.spaces (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  description text,
  invite_code text not null default private.unused_invite_code(),
  currency text not null default 'USD',
  timezone text not null default 'UTC',
  is_active boolean not null default true,
  created_by uuid references public.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint spaces_invite_code_key unique (invite_code),
  constraint spaces_invite_code_format check (invite_code ~ '^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$'),
  constraint spaces_name_length check (char_length(btrim(name)) between 1 and 100),
  constraint spaces_description_length check (char_length(description) <= 1000)
);

create index idx_spaces_created_by on public.spaces (created_by);

comment on table public.spaces is 'A collaborative budgeting space shared by its members.';
comment on column public.spaces.invite_code is
  'Six characters from an alphabet without look-alikes (no 0, O, 1, I, L); generated on insert, changed only by regenerate_invite_code(). Joins compare case-insensitively.';
comment on column public.spaces.currency is 'ISO 4217 currency of the space''s budgets.';
comment on column public.spaces.timezone is 'IANA time zone that decides which month an expense falls in.';
comment on column public.spaces.is_active is 'Soft delete: only an owner can deactivate or reactivate. An inactive space is read-only.';
comment on column public.spaces.created_by is 'The signed-in user who created the space; set by the database, never by the client.';

create trigger spaces_touch_updated_at
  before update on public.spaces
  for each row execute function private.touch_updated_at();

create trigger spaces_check_currency_and_timezone
  before insert or update of currency, timezone on public.spaces
  for each row execute function private.check_currency_and_timezone();

-- Space lifecycle triggers ---------------------------------------------------------------

create function private.prepare_new_space() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Signed-in callers always create for themselves; the service role names a creator.
  if (select auth.uid()) is not null then
    new.created_by := (select auth.uid());
  elsif new.created_by is null then
    raise exception 'a space needs a creator (created_by)' using errcode = '23502';
  end if;
  new.is_active := true;
  return new;
end
$$;
comment on function private.prepare_new_space() is
  'Trigger: sets the creator from the JWT, whatever the client sent; new spaces start active.';
revoke execute on function private.prepare_new_space() from public;

create trigger spaces_prepare_new_space
  before insert on public.spaces
  for each row execute function private.prepare_new_space();

create function private.add_space_creator_as_owner() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.space_members (space_id, user_id, role)
  values (new.id, new.created_by, 'owner');
  return null;
end
$$;
comment on function private.add_space_creator_as_owner() is 'Trigger: the creator of a space becomes its owner.';
revoke execute on function private.add_space_creator_as_owner() from public;

create trigger spaces_add_creator_as_owner
  after insert on public.spaces
  for each row execute function private.add_space_creator_as_owner();

create function private.guard_space_update() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if (select auth.uid()) is null then
    return new; -- service role and migrations
  end if;
  if new.is_active is distinct from old.is_active
     and old.id not in (select private.owned_space_ids()) then
    raise exception 'only an owner can deactivate or reactivate a space' using errcode = '42501';
  end if;
  if not old.is_active and new.is_active is not distinct from old.is_active then
    raise exception 'this space is inactive; an owner must reactivate it first' using errcode = '55000';
  end if;
  return new;
end
$$;
comment on function private.guard_space_update() is
  'Trigger: only owners change is_active; an inactive space accepts no other change.';
revoke execute on function private.guard_space_update() from public;

create trigger spaces_guard_update
  before update on public.spaces
  for each row execute function private.guard_space_update();

-- A space's currency is what every total is in: it cannot change under them.
create function private.guard_space_currency() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.currency is distinct from old.currency
     and (exists (select 1 from public.budgets b where b.space_id = old.id)
          or exists (select 1 from public.expenses e where e.space_id = old.id)) then
    raise exception 'the currency of a space with budgets or expenses cannot change' using errcode = '55000';
  end if;
  return new;
end
$$;
comment on function private.guard_space_currency() is 'Trigger: freezes a space''s currency once money is recorded in it.';
revoke execute on function private.guard_space_currency() from public;

create trigger spaces_guard_currency
  before update of currency on public.spaces
  for each row execute function private.guard_space_currency();

-- space_members --------------------------------------------------------------------

create table public.space_members (
  id uuid primary key default gen_random_uuid(),
  space_id uuid not null references public.spaces (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  role text not null default 'member',
  is_active boolean not null default true,
  joined_at timestamptz not null default now(),
  left_at timestamptz,
  constraint space_members_space_id_user_id_key unique (space_id, user_id),
  constraint space_members_role_check check (role in ('owner', 'admin', 'member', 'viewer')),
  constraint space_members_left_at_when_inactive check ((is_active and left_at is null) or (not is_active and left_at is not null))
);

create index idx_space_members_space_id on public.space_members (space_id);
create index idx_space_members_user_id on public.space_members (user_id);
-- Serves every membership helper below: "which spaces am I active in, with what role".
create index idx_space_members_active_by_user on public.space_members (user_id, space_id, role) where is_active;

comment on table public.space_members is 'Who belongs to which space, with which role. One row per person and space, kept after leaving.';
comment on column public.space_members.role is 'owner | admin | member | viewer; see the README for what each may do.';
comment on column public.space_members.is_active is 'False once the person left; rejoining with the invite code reactivates the row.';
comment on column public.space_members.left_at is 'When the person last left; null while active.';

-- Membership helpers for RLS -------------------------------------------------------
-- security definer so that policies on space_members can ask about space_members
-- without recursing into their own RLS. Policies call them as
-- `space_id in (select private.xxx())`, which Postgres evaluates once per query.

create function private.member_space_ids() returns setof uuid
language sql stable
security definer
set search_path = ''
as $$
  select m.space_id
  from public.space_members m
  where m.user_id = (select auth.uid()) and m.is_active
$$;
comment on function private.member_space_ids() is
  'Spaces the caller is an active member of, in any role: what they may read.';
revoke execute on function private.member_space_ids() from public;
-- RLS policies call it as the querying user.
grant execute on function private.member_space_ids() to authenticated;

create function private.writable_space_ids() returns setof uuid
language sql stable
security definer
set search_path = ''
as $$
  select m.space_id
  from public.space_members m
  join public.spaces s on s.id = m.space_id
  where m.user_id = (select auth.uid()) and m.is_active and s.is_active
    and m.role in ('owner', 'admin', 'member')
$$;
comment on function private.writable_space_ids() is
  'Active spaces where the caller is member, admin or owner: where they may write their own records.';
revoke execute on function private.writable_space_ids() from public;
-- RLS policies call it as the querying user.
grant execute on function private.writable_space_ids() to authenticated;

create function private.managed_space_ids() returns setof uuid
language sql stable
security definer
set search_path = ''
as $$
  select m.space_id
  from public.space_members m
  join public.spaces s on s.id = m.space_id
  where m.user_id = (select auth.uid()) and m.is_active and s.is_active
    and m.role in ('owner', 'admin')
$$;
comment on function private.managed_space_ids() is
  'Active spaces where the caller is admin or owner: where they manage budgets, members and any record.';
revoke execute on function private.managed_space_ids() from public;
-- RLS policies call it as the querying user.
grant execute on function private.managed_space_ids() to authenticated;

create function private.owned_space_ids() returns setof uuid
language sql stable
security definer
set search_path = ''
as $$
  select m.space_id
  from public.space_members m
  where m.user_id = (select auth.uid()) and m.is_active and m.role = 'owner'
$$;
comment on function private.owned_space_ids() is
  'Spaces the caller owns, active or not: an owner may reactivate a deactivated space.';
revoke execute on function private.owned_space_ids() from public;
-- RLS policies call it as the querying user.
grant execute on function private.owned_space_ids() to authenticated;

create function private.co_member_user_ids() returns setof uuid
language sql stable
security definer
set search_path = ''
as $$
  select other.user_id
  from public.space_members mine
  join public.space_members other on other.space_id = mine.space_id
  where mine.user_id = (select auth.uid()) and mine.is_active
$$;
comment on function private.co_member_user_ids() is
  'People who share a space with the caller (including those who left it), so names stay readable in shared history.';
revoke execute on function private.co_member_user_ids() from public;
-- RLS policies call it as the querying user.
grant execute on function private.co_member_user_ids() to authenticated;

create function private.space_has_no_members(target_space uuid) returns boolean
language sql stable
security definer
set search_path = ''
as $$
  select not exists (select 1 from public.space_members m where m.space_id = target_space)
$$;
comment on function private.space_has_no_members(uuid) is
  'True only while a new space is being inserted: its owner row is added right after, and rows are never deleted.';
revoke execute on function private.space_has_no_members(uuid) from public;
-- RLS policies call it as the querying user.
grant execute on function private.space_has_no_members(uuid) to authenticated;

create function private.member_active_space_ids() returns setof uuid
language sql stable
security definer
set search_path = ''
as $$
  select m.space_id
  from public.space_members m
  join public.spaces s on s.id = m.space_id
  where m.user_id = (select auth.uid()) and m.is_active and s.is_active
$$;
comment on function private.member_active_space_ids() is
  'Active spaces the caller is an active member of, in any role: where viewers too may record read state.';
revoke execute on function private.member_active_space_ids() from public;
-- RLS policies call it as the querying user.
grant execute on function private.member_active_space_ids() to authenticated;


-- Access checks for RPCs ----------------------------------------------------------------

create function private.require_space_role(target_space uuid, allowed_roles text[]) returns text
language plpgsql stable
security definer
set search_path = ''
as $$
declare
  space_active boolean;
  caller_role text;
begin
  select s.is_active, m.role into space_active, caller_role
  from public.spaces s
  join public.space_members m on m.space_id = s.id and m.user_id = (select auth.uid()) and m.is_active
  where s.id = target_space;
  if caller_role is null then
    raise exception 'space not found' using errcode = 'PT404';
  end if;
  if not space_active then
    raise exception 'this space is inactive' using errcode = 'PT410';
  end if;
  if not caller_role = any (allowed_roles) then
    raise exception 'your role (%) cannot do this here', caller_role using errcode = 'PT403';
  end if;
  return caller_role;
end
$$;
comment on function private.require_space_role(uuid, text[]) is
  'Raises PT404 for non-members, PT410 for inactive spaces, PT403 when the caller''s role is not allowed; returns the role.';
revoke execute on function private.require_space_role(uuid, text[]) from public;

-- RLS: spaces --------------------------------------------------------------------------

alter table public.spaces enable row level security;

revoke all on public.spaces from anon, authenticated, service_role;
grant select on public.spaces to authenticated;
grant insert (name, description, currency, timezone) on public.spaces to authenticated;
grant update (name, description, currency, timezone, is_active) on public.spaces to authenticated;
grant select, insert, update, delete on public.spaces to service_role;

-- The second branch lets `insert ... returning` (supabase-js `.insert().select()`)
-- show the creator the row before the owner membership is added after it.
create policy "Members can read their spaces"
  on public.spaces for select
  to authenticated
  using (
    id in (select private.member_space_ids())
    or (created_by = (select auth.uid()) and private.space_has_no_members(id))
  );

create policy "Signed-in users can create spaces they own"
  on public.spaces for insert
  to authenticated
  with check (created_by = (select auth.uid()));

create policy "Admins and owners can update their space"
  on public.spaces for update
  to authenticated
  using (id in (select private.managed_space_ids()) or id in (select private.owned_space_ids()))
  with check (id in (select private.managed_space_ids()) or id in (select private.owned_space_ids()));

-- RLS: space_members -------------------------------------------------------------------

alter table public.space_members enable row level security;

revoke all on public.space_members from anon, authenticated, service_role;
grant select on public.space_members to authenticated;
grant select, insert, update, delete on public.space_members to service_role;

create policy "Members can read their space's memberships"
  on public.space_members for select
  to authenticated
  using (space_id in (select private.member_space_ids()));

-- RLS: users, now that memberships exist -------------------------------------------------

create policy "Users can read their own profile and those of people they share a space with"
  on public.users for select
  to authenticated
  using (id = (select auth.uid()) or id in (select private.co_member_user_ids()));
