-- Membership RPCs: joining with an invite code, leaving, roles, ownership.
--
-- These are the only way space_members changes for signed-in users. Each runs
-- as security definer with an empty search_path, takes a row lock on the space
-- first so that concurrent membership changes of one space are serialized (the
-- last-owner rule cannot be raced), and reports failures with SQLSTATEs that
-- PostgREST turns into HTTP statuses (PTxxx -> xxx):
--   28000 not signed in (401)          22023 malformed argument (400)
--   PT403 not allowed (403)            PT404 no such space or member (404)
--   PT409 conflicts with current state  PT410 space is inactive (410)
--   PT429 too many failed invite codes (429)

-- Failed join attempts ---------------------------------------------------------------

create table private.failed_join_attempts (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.users (id) on delete cascade,
  attempted_at timestamptz not null default now()
);
create index idx_failed_join_attempts_user_time on private.failed_join_attempts (user_id, attempted_at);
comment on table private.failed_join_attempts is
  'One row per unknown invite code a user tried; join_space() refuses after too many in the last hour.';

create function private.join_failure_limit() returns integer
language sql immutable
set search_path = ''
as $$ select 10 $$;
comment on function private.join_failure_limit() is 'Unknown invite codes a user may try per rolling hour.';
revoke execute on function private.join_failure_limit() from public;

create function private.lock_space_for_membership_change(target_space uuid, caller uuid)
returns public.space_members
language plpgsql
set search_path = ''
as $$
declare
  space_row public.spaces;
  caller_row public.space_members;
begin
  select * into space_row from public.spaces where id = target_space for update;
  select * into caller_row from public.space_members
   where space_id = target_space and user_id = caller and is_active;
  -- Outsiders learn nothing about whether the space exists.
  if space_row.id is null or caller_row.id is null then
    raise exception 'space not found' using errcode = 'PT404';
  end if;
  if not space_row.is_active then
    raise exception 'this space is inactive' using errcode = 'PT410';
  end if;
  return caller_row;
end
$$;
comment on function private.lock_space_for_membership_change(uuid, uuid) is
  'Locks the space row and returns the caller''s active membership; 404 for outsiders, 410 for inactive spaces.';
revoke execute on function private.lock_space_for_membership_change(uuid, uuid) from public;

create function private.active_owner_count(target_space uuid) returns integer
language sql stable
set search_path = ''
as $$
  select count(*)::integer from public.space_members
  where space_id = target_space and is_active and role = 'owner'
$$;
comment on function private.active_owner_count(uuid) is 'Active owners of a space: the last one can neither leave nor be demoted.';
revoke execute on function private.active_owner_count(uuid) from public;

-- join_space -----------------------------------------------------------------------------

create function public.join_space(invite_code text) returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_user();
  wanted text := upper(btrim(coalesce(invite_code, '')));
  recent_failures integer;
  target public.spaces;
  existing public.space_members;
begin
  if wanted !~ '^[A-Z0-9]{6}$' then
    raise exception 'an invite code is 6 letters and digits' using errcode = '22023';
  end if;

  -- Serialize one user's attempts so parallel guesses cannot all pass the count.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('join_space:' || caller::text, 0));

  select count(*) into recent_failures
  from private.failed_join_attempts a
  where a.user_id = caller and a.attempted_at > now() - interval '1 hour';
  if recent_failures >= private.join_failure_limit() then
    raise exception 'too many unknown invite codes; try again later'
      using errcode = 'PT429',
            hint = format('At most %s unknown codes per hour.', private.join_failure_limit());
  end if;

  select * into target from public.spaces s where s.invite_code = wanted for update;

  if target.id is null then
    -- Raising would roll the failure record back with the request, so an unknown
    -- code answers null (HTTP 404 through PostgREST) and commits the failure.
    insert into private.failed_join_attempts (user_id) values (caller);
    delete from private.failed_join_attempts a
     where a.user_id = caller and a.attempted_at < now() - interval '1 day';
    perform pg_catalog.set_config('response.status', '404', true);
    return null;
  end if;

  if not target.is_active then
    raise exception 'this space is inactive' using errcode = 'PT410';
  end if;

  select * into existing from public.space_members m
   where m.space_id = target.id and m.user_id = caller;

  if existing.id is not null and existing.is_active then
    raise exception 'you are already a member of this space' using errcode = 'PT409';
  elsif existing.id is not null then
    -- Someone who left comes back with the role they had, but never as owner:
    -- ownership is given, not reclaimed.
    update public.space_members m
       set is_active = true,
           left_at = null,
           joined_at = now(),
           role = case when existing.role = 'owner' then 'admin' else existing.role end
     where m.id = existing.id;
  else
    insert into public.space_members (space_id, user_id, role)
    values (target.id, caller, 'member');
  end if;

  return target.id;
end
$$;
comment on function public.join_space(text) is
  'Join the active space with this invite code (case-insensitive) as a member; returns its id, or null (HTTP 404) for an unknown code, which counts towards 10 per hour.';

-- regenerate_invite_code -------------------------------------------------------------------

create function public.regenerate_invite_code(space_id uuid) returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_user();
  membership public.space_members := private.lock_space_for_membership_change(space_id, caller);
  fresh text;
begin
  if membership.role not in ('owner', 'admin') then
    raise exception 'only admins and owners can change the invite code' using errcode = 'PT403';
  end if;
  fresh := private.unused_invite_code();
  update public.spaces s set invite_code = fresh where s.id = regenerate_invite_code.space_id;
  return fresh;
end
$$;
comment on function public.regenerate_invite_code(uuid) is
  'Replace the space''s invite code (admins and owners); the old code stops working at once.';

-- leave_space ---------------------------------------------------------------------------------

create function public.leave_space(space_id uuid) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_user();
  membership public.space_members := private.lock_space_for_membership_change(space_id, caller);
begin
  if membership.role = 'owner' and private.active_owner_count(membership.space_id) = 1 then
    raise exception 'the last owner cannot leave; transfer ownership first' using errcode = 'PT409';
  end if;
  update public.space_members m
     set is_active = false, left_at = now()
   where m.id = membership.id;
end
$$;
comment on function public.leave_space(uuid) is
  'Leave a space (history is kept; the invite code lets you back in). The last active owner cannot leave.';

-- set_member_role ---------------------------------------------------------------------------------

create function public.set_member_role(space_id uuid, user_id uuid, role text) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_user();
  membership public.space_members := private.lock_space_for_membership_change(space_id, caller);
  target public.space_members;
begin
  if role is null or role not in ('owner', 'admin', 'member', 'viewer') then
    raise exception 'role must be owner, admin, member or viewer' using errcode = '22023';
  end if;

  select * into target from public.space_members m
   where m.space_id = set_member_role.space_id and m.user_id = set_member_role.user_id and m.is_active;
  if target.id is null then
    raise exception 'that person is not an active member of this space' using errcode = 'PT404';
  end if;

  if membership.role = 'owner' then
    null; -- owners set any role
  elsif membership.role = 'admin' then
    if role not in ('member', 'viewer') or target.role not in ('member', 'viewer') then
      raise exception 'admins can only switch members and viewers between those two roles' using errcode = 'PT403';
    end if;
  else
    raise exception 'only admins and owners can change roles' using errcode = 'PT403';
  end if;

  if target.role = 'owner' and role <> 'owner' and private.active_owner_count(target.space_id) = 1 then
    raise exception 'a space needs an owner; make someone else owner first' using errcode = 'PT409';
  end if;

  update public.space_members m set role = set_member_role.role where m.id = target.id;
end
$$;
comment on function public.set_member_role(uuid, uuid, text) is
  'Change a member''s role: owners set any role, admins switch members and viewers; the last owner is never demoted.';

-- transfer_ownership ---------------------------------------------------------------------------------

create function public.transfer_ownership(space_id uuid, new_owner uuid) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_user();
  membership public.space_members := private.lock_space_for_membership_change(space_id, caller);
  target public.space_members;
begin
  if membership.role <> 'owner' then
    raise exception 'only an owner can transfer ownership' using errcode = 'PT403';
  end if;
  if new_owner = caller then
    raise exception 'you already own this space' using errcode = 'PT409';
  end if;

  select * into target from public.space_members m
   where m.space_id = transfer_ownership.space_id and m.user_id = new_owner and m.is_active;
  if target.id is null then
    raise exception 'the new owner must be an active member of this space' using errcode = 'PT404';
  end if;

  update public.space_members m set role = 'owner' where m.id = target.id;
  update public.space_members m set role = 'admin' where m.id = membership.id;
end
$$;
comment on function public.transfer_ownership(uuid, uuid) is
  'Make another active member the owner; the caller stays on as admin.';

-- remove_member -------------------------------------------------------------------------------------

create function public.remove_member(space_id uuid, user_id uuid) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_user();
  membership public.space_members := private.lock_space_for_membership_change(space_id, caller);
  target public.space_members;
begin
  select * into target from public.space_members m
   where m.space_id = remove_member.space_id and m.user_id = remove_member.user_id and m.is_active;
  if target.id is null then
    raise exception 'that person is not an active member of this space' using errcode = 'PT404';
  end if;
  if target.user_id = caller then
    raise exception 'use leave_space to leave a space yourself' using errcode = 'PT409';
  end if;
  if not (membership.role = 'owner' and target.role <> 'owner'
          or membership.role = 'admin' and target.role in ('member', 'viewer')) then
    raise exception 'owners remove admins, members and viewers; admins remove members and viewers' using errcode = 'PT403';
  end if;
  -- Removal takes away any admin rights: someone removed who rejoins with the
  -- invite code comes back as a member (a viewer as a viewer), never with the
  -- role they were removed from.
  update public.space_members m
     set is_active = false, left_at = now(),
         role = case when m.role = 'viewer' then 'viewer' else 'member' end
   where m.id = target.id;
end
$$;
comment on function public.remove_member(uuid, uuid) is
  'Remove someone from a space (owners: anyone but owners; admins: members and viewers). They can rejoin only with a current invite code, and then as a member (a removed viewer as a viewer).';

-- Grants: signed-in users only -----------------------------------------------------------------------

revoke all on function
  public.join_space(text),
  public.regenerate_invite_code(uuid),
  public.leave_space(uuid),
  public.set_member_role(uuid, uuid, text),
  public.transfer_ownership(uuid, uuid),
  public.remove_member(uuid, uuid)
from public, anon;

grant execute on function
  public.join_space(text),
  public.regenerate_invite_code(uuid),
  public.leave_space(uuid),
  public.set_member_role(uuid, uuid, text),
  public.transfer_ownership(uuid, uuid),
  public.remove_member(uuid, uuid)
to authenticated;
