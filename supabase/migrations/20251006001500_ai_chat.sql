-- The ai-chat assistant: a backend-only transcript, proposals the person
-- confirms, and a monthly token quota per person.
--
-- Transcript. ai_conversations.messages is what the assistant said and which
-- tools it ran with what results. Until now a signed-in client could write it
-- (insert and update grants on the column), so anyone could forge an assistant
-- or tool message in their own conversation, or overwrite one another tab had
-- just appended. From here on only the backend appends, through
-- private.append_chat_turn (service role, one turn at a time under a row lock);
-- clients keep reading, renaming, archiving and deleting their conversations
-- (title, is_active, space_id), and thread_id is set once, at creation, and
-- never changes.
--
-- Proposals. The assistant's write tools never write: they record a proposal
-- (ai_proposals, inserted with the turn by the backend). The person confirms it
-- in a later request; the ai-chat function then flips it from pending to
-- confirmed and carries it out in the same transaction as the person, so RLS
-- decides whether they may, and a second confirmation finds nothing pending.
--
-- Quota. private.ai_token_usage counts the model's tokens per person and
-- calendar month (UTC); the function answers 429 beyond the monthly limit.

-- ai_conversations: the transcript is the backend's ----------------------------------------------

revoke insert, update on public.ai_conversations from authenticated;
grant insert (id, user_id, space_id, title, is_active) on public.ai_conversations to authenticated;
grant update (space_id, title, is_active) on public.ai_conversations to authenticated;

comment on column public.ai_conversations.messages is
  'The transcript, in Messages API blocks (text, tool_use, tool_result) with per-message tokens, timestamps, source and citations. Appended only by the backend (private.append_chat_turn); clients read it.';
comment on column public.ai_conversations.thread_id is
  'Stable identifier of the conversation thread: set once at creation (thread_<id>), never changed.';

create function private.prepare_ai_conversation() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    new.thread_id := 'thread_' || replace(new.id::text, '-', '');
    return new;
  end if;
  if new.thread_id is distinct from old.thread_id then
    raise exception 'thread_id never changes' using errcode = '22023';
  end if;
  return new;
end
$$;
comment on function private.prepare_ai_conversation() is
  'Trigger: a new conversation gets its stable thread id; it never changes afterwards.';
revoke execute on function private.prepare_ai_conversation() from public;

create trigger ai_conversations_prepare
  before insert or update of thread_id on public.ai_conversations
  for each row execute function private.prepare_ai_conversation();

-- ai_proposals ----------------------------------------------------------------------------------------

create table public.ai_proposals (
  id uuid primary key,
  conversation_id uuid not null references public.ai_conversations (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  space_id uuid references public.spaces (id) on delete cascade,
  tool_call_id text not null,
  kind text not null,
  payload jsonb not null,
  summary text not null,
  status text not null default 'pending',
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '1 day',
  decided_at timestamptz,
  constraint ai_proposals_kind_check check (kind in ('expense', 'split', 'budget_change')),
  constraint ai_proposals_status_check check (status in ('pending', 'confirmed', 'declined')),
  constraint ai_proposals_payload_is_object check (jsonb_typeof(payload) = 'object'),
  constraint ai_proposals_decided_when_not_pending check ((status = 'pending') = (decided_at is null)),
  constraint ai_proposals_summary_length check (char_length(summary) between 1 and 500),
  constraint ai_proposals_tool_call_id_length check (char_length(tool_call_id) between 1 and 200)
);

-- A conversation's proposals (the confirm look-up and the foreign key); the person's (policies); the space's foreign key.
create index idx_ai_proposals_conversation_id on public.ai_proposals (conversation_id);
create index idx_ai_proposals_user_id on public.ai_proposals (user_id, status);
create index idx_ai_proposals_space_id on public.ai_proposals (space_id);

comment on table public.ai_proposals is
  'A change the assistant proposed (an expense, a split, a budget amount). Inserted by the backend with the turn; carried out as the person when they confirm it.';
comment on column public.ai_proposals.payload is 'What confirming does, in the shape the ai-chat function executes (validated when proposed, checked again by RLS when carried out).';
comment on column public.ai_proposals.status is
  'pending until the person confirms (the function carries it out in the same transaction) or declines; then it never changes again.';
comment on column public.ai_proposals.expires_at is 'A pending proposal can no longer be confirmed after this.';

create function private.stamp_ai_proposal_decision() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if old.status <> 'pending' then
    raise exception 'this proposal was already %', old.status using errcode = 'PT409';
  end if;
  if new.status <> old.status then
    new.decided_at := now();
  end if;
  return new;
end
$$;
comment on function private.stamp_ai_proposal_decision() is
  'Trigger: a proposal is decided once (pending -> confirmed or declined), stamped with decided_at.';
revoke execute on function private.stamp_ai_proposal_decision() from public;

create trigger ai_proposals_stamp_decision
  before update of status on public.ai_proposals
  for each row execute function private.stamp_ai_proposal_decision();

alter table public.ai_proposals enable row level security;

revoke all on public.ai_proposals from anon, authenticated, service_role;
grant select on public.ai_proposals to authenticated;
grant update (status) on public.ai_proposals to authenticated;
grant select, insert, update, delete on public.ai_proposals to service_role;

create policy "Users can read their own proposals"
  on public.ai_proposals for select
  to authenticated
  using (user_id = (select auth.uid()));

-- Confirming (through ai-chat, which carries the change out in the same
-- transaction) or declining: only the person's own pending, unexpired proposals.
create policy "Users can decide their own pending proposals"
  on public.ai_proposals for update
  to authenticated
  using (user_id = (select auth.uid()) and status = 'pending' and expires_at > now())
  with check (user_id = (select auth.uid()) and status in ('confirmed', 'declined'));

-- Token quota ------------------------------------------------------------------------------------------

create table private.ai_token_usage (
  user_id uuid not null references public.users (id) on delete cascade,
  month date not null,
  tokens bigint not null default 0,
  turns integer not null default 0,
  updated_at timestamptz not null default now(),
  primary key (user_id, month),
  constraint ai_token_usage_month_first_day check (extract(day from month) = 1),
  constraint ai_token_usage_non_negative check (tokens >= 0 and turns >= 0)
);
comment on table private.ai_token_usage is
  'Model tokens the assistant used per person and calendar month (UTC): what the monthly quota is checked against. Written by private.append_chat_turn only.';

create function private.chat_tokens_used(target_user uuid) returns bigint
language sql stable
security definer
set search_path = ''
as $$
  select coalesce((select u.tokens from private.ai_token_usage u
                    where u.user_id = target_user
                      and u.month = date_trunc('month', now() at time zone 'UTC')::date), 0)
$$;
comment on function private.chat_tokens_used(uuid) is
  'Tokens the person used this calendar month (UTC), for the ai-chat quota check. Backend (service role) only.';
revoke execute on function private.chat_tokens_used(uuid) from public;
grant execute on function private.chat_tokens_used(uuid) to service_role;

-- The one append path ----------------------------------------------------------------------------------

create function private.append_chat_turn(
  conversation uuid,
  for_user uuid,
  new_messages jsonb,
  tokens integer,
  title text default null,
  proposals jsonb default '[]'::jsonb
) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  target public.ai_conversations;
  bad text;
begin
  -- The row lock: two tabs appending at once queue here, and neither loses a message.
  select * into target from public.ai_conversations c where c.id = conversation for update;
  if target.id is null or target.user_id is distinct from for_user then
    raise exception 'conversation not found' using errcode = 'PT404';
  end if;
  if jsonb_typeof(new_messages) is distinct from 'array' or jsonb_array_length(new_messages) = 0 then
    raise exception 'new_messages must be a non-empty JSON array' using errcode = '22023';
  end if;
  select coalesce(m ->> 'role', '(none)') into bad
    from jsonb_array_elements(new_messages) m
   where jsonb_typeof(m) <> 'object'
      or coalesce(m ->> 'role', '') not in ('user', 'assistant')
      or jsonb_typeof(m -> 'content') is distinct from 'array'
      or exists (select 1 from jsonb_array_elements(m -> 'content') b
                  where jsonb_typeof(b) <> 'object' or coalesce(b ->> 'type', '') not in ('text', 'tool_use', 'tool_result'))
   limit 1;
  if bad is not null then
    raise exception 'every message needs role user or assistant and content blocks of type text, tool_use or tool_result (got role %)', bad
      using errcode = '22023';
  end if;
  if tokens is null or tokens < 0 then
    raise exception 'tokens must be zero or more' using errcode = '22023';
  end if;

  update public.ai_conversations c
     set messages = c.messages || new_messages,
         total_tokens = c.total_tokens + tokens,
         title = coalesce(c.title, nullif(left(btrim(append_chat_turn.title), 200), ''))
   where c.id = target.id;

  if jsonb_typeof(proposals) = 'array' and jsonb_array_length(proposals) > 0 then
    insert into public.ai_proposals (id, conversation_id, user_id, space_id, tool_call_id, kind, payload, summary)
    select p.id, target.id, for_user, p.space_id, p.tool_call_id, p.kind, p.payload, p.summary
      from jsonb_to_recordset(proposals) as p(id uuid, space_id uuid, tool_call_id text, kind text, payload jsonb, summary text);
  end if;

  if tokens > 0 then
    insert into private.ai_token_usage as u (user_id, month, tokens, turns)
    values (for_user, date_trunc('month', now() at time zone 'UTC')::date, tokens, 1)
    on conflict (user_id, month) do update
      set tokens = u.tokens + excluded.tokens, turns = u.turns + 1, updated_at = now();
  end if;

  return jsonb_array_length(target.messages) + jsonb_array_length(new_messages);
end
$$;
comment on function private.append_chat_turn(uuid, uuid, jsonb, integer, text, jsonb) is
  'The only way messages reach a transcript: appends one turn under a row lock, adds its tokens to the conversation and the owner''s monthly usage, sets the title once, and records the turn''s proposals. Backend (service role) only; returns the message count.';
revoke execute on function private.append_chat_turn(uuid, uuid, jsonb, integer, text, jsonb) from public;
grant execute on function private.append_chat_turn(uuid, uuid, jsonb, integer, text, jsonb) to service_role;
