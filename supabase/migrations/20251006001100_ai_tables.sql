-- AI tables: conversations with the assistant and the insights it produces.
--
-- ai_conversations are private to the person who had them: nobody else reads
-- them, not even the admins of a space the conversation is scoped to. A
-- conversation may be scoped to one space the person is an active member of;
-- it stays theirs (unscoped) when that space is deleted.
--
-- financial_insights belong to a space and are written by the backend (the
-- service role) only. Every active member reads them; the only thing members
-- change is the space's shared read/dismissed state. Expired insights are
-- hidden from members and left for the backend to purge.
--
-- Nothing fills these tables yet: the edge functions that do arrive later.

-- ai_conversations ---------------------------------------------------------------------

create table public.ai_conversations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.users (id) on delete cascade,
  space_id uuid references public.spaces (id) on delete set null,
  thread_id text,
  title text,
  messages jsonb not null default '[]'::jsonb,
  total_tokens integer not null default 0,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  last_message_at timestamptz not null default now(),
  constraint ai_conversations_messages_is_array check (jsonb_typeof(messages) = 'array'),
  constraint ai_conversations_total_tokens_non_negative check (total_tokens >= 0),
  constraint ai_conversations_title_length check (char_length(title) <= 200),
  constraint ai_conversations_thread_id_length check (char_length(thread_id) <= 200)
);

-- "My conversations, most recent first"; also serves the user_id foreign key and policies.
create index idx_ai_conversations_user_last_message on public.ai_conversations (user_id, last_message_at desc);
create index idx_ai_conversations_space_id on public.ai_conversations (space_id);

comment on table public.ai_conversations is
  'A chat with the AI assistant. Private to its user, even when scoped to a space.';
comment on column public.ai_conversations.user_id is
  'Whose conversation it is: the signed-in caller (column default and policy), never someone else.';
comment on column public.ai_conversations.space_id is
  'Optional space whose data the conversation is about; must be one the user is an active member of when set. Null once the space is deleted.';
comment on column public.ai_conversations.thread_id is 'Identifier of the conversation thread at the AI provider, if any.';
comment on column public.ai_conversations.messages is
  'The messages in order, as a JSON array of objects (role, content, timestamps...).';
comment on column public.ai_conversations.total_tokens is
  'Tokens used by the conversation so far; recorded by the backend that calls the model, not by clients.';
comment on column public.ai_conversations.is_active is 'False once the user archived the conversation.';
comment on column public.ai_conversations.last_message_at is 'When messages last changed; kept by a trigger, orders the conversation list.';

create function private.touch_last_message_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.messages is distinct from old.messages then
    new.last_message_at := now();
  end if;
  return new;
end
$$;
comment on function private.touch_last_message_at() is
  'Trigger: moves ai_conversations.last_message_at to now whenever the messages change.';
revoke execute on function private.touch_last_message_at() from public;

create trigger ai_conversations_touch_last_message_at
  before update of messages on public.ai_conversations
  for each row execute function private.touch_last_message_at();

-- RLS: ai_conversations -----------------------------------------------------------------

alter table public.ai_conversations enable row level security;

-- user_id is insertable so a client may name itself, but the policy refuses anyone
-- else; it is never updatable. total_tokens and last_message_at are not client-writable.
revoke all on public.ai_conversations from anon, authenticated, service_role;
grant select, delete on public.ai_conversations to authenticated;
grant insert (id, user_id, space_id, thread_id, title, messages, is_active) on public.ai_conversations to authenticated;
grant update (space_id, thread_id, title, messages, is_active) on public.ai_conversations to authenticated;
grant select, insert, update, delete on public.ai_conversations to service_role;

create policy "Users can read their own conversations"
  on public.ai_conversations for select
  to authenticated
  using (user_id = (select auth.uid()));

-- A space is checked whenever a row is written: after leaving a space, a user
-- still reads and deletes a conversation scoped to it, and may detach it
-- (space_id = null), but cannot move a conversation into it or edit one still in it.
create policy "Users can start conversations, scoped to a space they are a member of"
  on public.ai_conversations for insert
  to authenticated
  with check (
    user_id = (select auth.uid())
    and (space_id is null or space_id in (select private.member_space_ids()))
  );

create policy "Users can update their own conversations, within their spaces"
  on public.ai_conversations for update
  to authenticated
  using (user_id = (select auth.uid()))
  with check (
    user_id = (select auth.uid())
    and (space_id is null or space_id in (select private.member_space_ids()))
  );

create policy "Users can delete their own conversations"
  on public.ai_conversations for delete
  to authenticated
  using (user_id = (select auth.uid()));

-- financial_insights -----------------------------------------------------------------------

create table public.financial_insights (
  id uuid primary key default gen_random_uuid(),
  space_id uuid not null references public.spaces (id) on delete cascade,
  type text not null,
  title text not null,
  description text,
  insight_data jsonb not null default '{}'::jsonb,
  priority text not null default 'medium',
  confidence numeric(3,2),
  is_read boolean not null default false,
  is_dismissed boolean not null default false,
  period date,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  constraint financial_insights_type_check check (type in ('trend', 'anomaly', 'recommendation', 'prediction', 'goal')),
  constraint financial_insights_priority_check check (priority in ('low', 'medium', 'high', 'urgent')),
  constraint financial_insights_confidence_range check (confidence >= 0 and confidence <= 1),
  constraint financial_insights_insight_data_is_object check (jsonb_typeof(insight_data) = 'object'),
  constraint financial_insights_period_first_day check (extract(day from period) = 1),
  constraint financial_insights_expires_after_created check (expires_at > created_at),
  constraint financial_insights_title_length check (char_length(btrim(title)) between 1 and 200),
  constraint financial_insights_description_length check (char_length(description) <= 4000)
);

-- A space's insights, newest first; also serves the space_id foreign key and policies.
create index idx_financial_insights_space_created on public.financial_insights (space_id, created_at desc);
-- The unread badge and "new insights" list: what nobody in the space has read or dismissed yet.
create index idx_financial_insights_unread on public.financial_insights (space_id, created_at desc)
  where not is_read and not is_dismissed;
-- The backend's purge of expired insights.
create index idx_financial_insights_expires_at on public.financial_insights (expires_at) where expires_at is not null;

comment on table public.financial_insights is
  'An AI-generated observation about a space (trend, anomaly, recommendation, prediction, goal). Written by the backend only.';
comment on column public.financial_insights.insight_data is 'Structured details behind the insight (figures, categories, links); always a JSON object.';
comment on column public.financial_insights.confidence is 'Model confidence from 0 to 1; null when not applicable.';
comment on column public.financial_insights.is_read is
  'Shared by the whole space: set by any active member, viewers included. The only column members change, with is_dismissed.';
comment on column public.financial_insights.is_dismissed is
  'Shared by the whole space: once a member dismisses an insight, it is dismissed for everyone.';
comment on column public.financial_insights.period is
  'First day of the month the insight is about; null when it is not about one month.';
comment on column public.financial_insights.expires_at is
  'After this the insight is hidden from members (and may be purged); null = never expires.';

-- RLS: financial_insights ----------------------------------------------------------------

alter table public.financial_insights enable row level security;

-- Members change only the read state; the service role writes everything else.
revoke all on public.financial_insights from anon, authenticated, service_role;
grant select on public.financial_insights to authenticated;
grant update (is_read, is_dismissed) on public.financial_insights to authenticated;
grant select, insert, update, delete on public.financial_insights to service_role;

create policy "Members can read their space's current insights"
  on public.financial_insights for select
  to authenticated
  using (
    space_id in (select private.member_space_ids())
    and (expires_at is null or expires_at > now())
  );

-- Viewers included: reading state is shared per space, and marking an insight
-- read or dismissed changes no financial data. An inactive space stays read-only.
-- Expired insights are out of reach here as in the read policy, so an update
-- without a filter never changes rows the member cannot see.
create policy "Members, viewers included, can mark their space's insights read or dismissed"
  on public.financial_insights for update
  to authenticated
  using (
    space_id in (select private.member_active_space_ids())
    and (expires_at is null or expires_at > now())
  )
  with check (space_id in (select private.member_active_space_ids()));