-- Idempotency keys for the write functions.
--
-- A client that retries a write (a flaky network, a double tap) sends the same
-- `Idempotency-Key` header; the function then answers the first attempt's
-- response again instead of doing the work twice. A key belongs to one person and
-- one function, remembers a hash of the request it was first used with (reusing
-- it for another request is refused), and is kept for 24 hours.
--
-- Only the functions' backend touches it, through the three helpers below, which
-- only service_role may execute.

create table private.idempotency_keys (
  user_id uuid not null references public.users (id) on delete cascade,
  function_name text not null,
  key text not null,
  request_hash text not null,
  state text not null default 'in_progress',
  response_status integer,
  response_headers jsonb,
  response_body text,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  primary key (user_id, function_name, key),
  constraint idempotency_keys_state_check check (state in ('in_progress', 'completed')),
  constraint idempotency_keys_key_check check (length(key) between 1 and 255),
  constraint idempotency_keys_completed_check check ((state = 'completed') = (response_status is not null))
);
create index idx_idempotency_keys_created_at on private.idempotency_keys (created_at);
comment on table private.idempotency_keys is
  'Idempotency-Key headers of write-function requests per person and function: the first attempt''s response, replayed to retries for 24 hours.';

-- claim: the first attempt takes the key; a retry learns what became of it ------------------

create function private.claim_idempotency_key(
  target_user uuid, target_function text, target_key text, target_hash text, lease interval default interval '2 minutes'
) returns table (outcome text, response_status integer, response_headers jsonb, response_body text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  existing private.idempotency_keys;
begin
  -- Forget keys older than a day (the index keeps this to the few rows that expired).
  delete from private.idempotency_keys k where k.created_at < now() - interval '24 hours';

  insert into private.idempotency_keys (user_id, function_name, key, request_hash)
  values (target_user, target_function, target_key, target_hash)
  on conflict do nothing;
  if found then
    return query select 'claimed'::text, null::integer, null::jsonb, null::text;
    return;
  end if;

  select * into existing from private.idempotency_keys k
   where k.user_id = target_user and k.function_name = target_function and k.key = target_key
   for update;
  if existing.request_hash <> target_hash then
    return query select 'mismatch'::text, null::integer, null::jsonb, null::text;
  elsif existing.state = 'completed' then
    return query select 'replay'::text, existing.response_status, existing.response_headers, existing.response_body;
  elsif existing.created_at < now() - lease then
    -- The first attempt died without an answer (its instance crashed): this one takes over.
    update private.idempotency_keys k set created_at = now()
     where k.user_id = target_user and k.function_name = target_function and k.key = target_key;
    return query select 'claimed'::text, null::integer, null::jsonb, null::text;
  else
    return query select 'in_progress'::text, null::integer, null::jsonb, null::text;
  end if;
end
$$;
comment on function private.claim_idempotency_key(uuid, text, text, text, interval) is
  'Takes an idempotency key for a request (claimed), or says what became of an earlier one: replay (its response), in_progress, or mismatch (the key was used for another request).';
revoke execute on function private.claim_idempotency_key(uuid, text, text, text, interval) from public;
grant execute on function private.claim_idempotency_key(uuid, text, text, text, interval) to service_role;

-- complete: the first attempt's answer, kept for its retries ---------------------------------

create function private.complete_idempotency_key(
  target_user uuid, target_function text, target_key text, status integer, headers jsonb, body text
) returns void
language sql
security definer
set search_path = ''
as $$
  update private.idempotency_keys k
     set state = 'completed', response_status = status, response_headers = headers, response_body = body, completed_at = now()
   where k.user_id = target_user and k.function_name = target_function and k.key = target_key
$$;
comment on function private.complete_idempotency_key(uuid, text, text, integer, jsonb, text) is
  'Stores the response of the request that claimed the key, to be replayed to its retries.';
revoke execute on function private.complete_idempotency_key(uuid, text, text, integer, jsonb, text) from public;
grant execute on function private.complete_idempotency_key(uuid, text, text, integer, jsonb, text) to service_role;

-- release: a request that did nothing lets its retry run ------------------------------------

create function private.release_idempotency_key(target_user uuid, target_function text, target_key text) returns void
language sql
security definer
set search_path = ''
as $$
  delete from private.idempotency_keys k
   where k.user_id = target_user and k.function_name = target_function and k.key = target_key and k.state = 'in_progress'
$$;
comment on function private.release_idempotency_key(uuid, text, text) is
  'Frees a key whose request was refused or failed, so a retry runs it afresh.';
revoke execute on function private.release_idempotency_key(uuid, text, text) from public;
grant execute on function private.release_idempotency_key(uuid, text, text) to service_role;
