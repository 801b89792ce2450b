-- The activity log: who changed a space's shared money, when, how, and what.
--
-- Every insert, update and delete of spaces, memberships, budgets and their
-- items, expenses, splits, settlements and bank imports, and every review of
-- a recommendation (approved or rejected by an operator), is recorded by statement-level
-- triggers (one insert per statement, from its transition tables, so a
-- 500-row import writes its log in one go): the person (auth.uid(), null for
-- the service role), the path it came through (rpc, table, function, import,
-- system) and the values of the columns that changed. Columns the database
-- derives itself (totals, generated amounts, timestamps) are left out, so a
-- change of totals is never logged as if someone had typed it.
--
-- The log is append-only: no API role may insert, update or delete a row, and
-- a trigger refuses updates and deletes to everyone, except the cascade of a
-- deleted space. Members read their space's activity, as rows or as a feed
-- with readable sentences (space_activity), and live on Realtime.
--
-- The path: an edge function or the import names itself in the transaction-
-- local setting `wallai.origin` ("function:<name>", "import:<id>"); otherwise
-- the outermost public function on the call stack is the RPC; otherwise a
-- signed-in write is a direct table write (PostgREST) and anything else is
-- `system` (the service role, seeds, maintenance).

-- activity_log -----------------------------------------------------------------------------

create table public.activity_log (
  id bigint generated always as identity primary key,
  space_id uuid not null,
  actor_id uuid,
  actor_role text not null,
  path text not null,
  via text,
  table_name text not null,
  row_id uuid not null,
  label text,
  operation text not null,
  old_values jsonb,
  new_values jsonb,
  occurred_at timestamptz not null default now(),
  constraint activity_log_path_check check (path in ('rpc', 'table', 'function', 'import', 'system')),
  constraint activity_log_operation_check check (operation in ('insert', 'update', 'delete')),
  constraint activity_log_table_name_check check (
    table_name in ('spaces', 'space_members', 'budgets', 'budget_items', 'expenses', 'expense_splits', 'settlements', 'imports', 'financial_insights')
  ),
  constraint activity_log_values_present check (
    (operation = 'insert' and old_values is null and new_values is not null)
    or (operation = 'update' and old_values is not null and new_values is not null)
    or (operation = 'delete' and old_values is not null and new_values is null)
  )
);

-- A space's feed, newest first; also serves the policy. Deliberately the only
-- index besides the key, and no foreign keys: every money write pays for this
-- table, so the space's cascade and a deleted account's anonymisation are
-- statement triggers on spaces and users instead of per-row key checks.
create index idx_activity_log_space_id on public.activity_log (space_id, id desc);

comment on table public.activity_log is
  'Append-only record of every change to a space''s shared money and membership: who, when, through which path, and the values of the columns that changed.';
comment on column public.activity_log.actor_id is 'The signed-in person who made the change; null for the service role and the system. Null once their account is deleted.';
comment on column public.activity_log.label is 'What the row was called when it changed (an expense''s description, a budget''s name...), so the feed reads as it was then.';
comment on column public.activity_log.actor_role is 'The API role of the request: authenticated, service_role, or the database role when there was no request.';
comment on column public.activity_log.path is
  'How the change arrived: rpc (a database function), table (a direct table write through the API), function (an edge function), import (a bank import), system.';
comment on column public.activity_log.via is 'The RPC, edge function or import id the change came through, when there was one.';
comment on column public.activity_log.old_values is 'Before: the changed columns (update) or the whole row (delete), without the columns the database derives.';
comment on column public.activity_log.new_values is 'After: the changed columns (update) or the whole row (insert), without the columns the database derives.';

alter table public.activity_log enable row level security;

revoke all on public.activity_log from anon, authenticated, service_role;
revoke all on sequence public.activity_log_id_seq from anon, authenticated, service_role;
grant select on public.activity_log to authenticated, service_role;

-- A recommendation's review is in the feed once it was approved: members never
-- see a pending or rejected recommendation, so neither do they see its review.
create function private.activity_shown_to_members(table_name text, new_values jsonb) returns boolean
language sql immutable
set search_path = ''
as $$
  select table_name <> 'financial_insights' or new_values ->> 'review_status' = 'approved'
$$;
comment on function private.activity_shown_to_members(text, jsonb) is
  'Whether members may read an activity row of their space: all but the reviews of recommendations they cannot see (pending, rejected).';
revoke execute on function private.activity_shown_to_members(text, jsonb) from public;
grant execute on function private.activity_shown_to_members(text, jsonb) to authenticated;

-- Operators review recommendations: they read the reviews (who decided what),
-- never a space's other activity. One policy, so each row is tested once.
create policy "Members can read their space's activity, operators the reviews"
  on public.activity_log for select
  to authenticated
  using (
    (space_id in (select private.member_space_ids()) and private.activity_shown_to_members(table_name, new_values))
    or (table_name = 'financial_insights' and (select private.is_operator()))
  );

create function private.guard_activity_log() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Only the cascade of a deleted space removes activity: by then the space row is gone.
  if tg_op = 'DELETE' and not exists (select 1 from public.spaces s where s.id = old.space_id) then
    return old;
  end if;
  -- A deleted account leaves its activity anonymous (actor_id set null by the
  -- foreign key), like every other table's people; nothing else may change.
  if tg_op = 'UPDATE' and old.actor_id is not null and new.actor_id is null
     and (to_jsonb(new) - 'actor_id') = (to_jsonb(old) - 'actor_id')
     and not exists (select 1 from public.users u where u.id = old.actor_id) then
    return new;
  end if;
  raise exception 'the activity log is append-only' using errcode = '42501';
end
$$;
comment on function private.guard_activity_log() is
  'Trigger: activity rows are never changed (but for a deleted account''s actor_id becoming null), and deleted only with their space.';
revoke execute on function private.guard_activity_log() from public;

create trigger activity_log_append_only
  before update or delete on public.activity_log
  for each row execute function private.guard_activity_log();

-- What foreign keys would do, once per statement.
create function private.forget_activity() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_table_name = 'spaces' then
    -- A deleted space takes its activity with it.
    delete from public.activity_log a using old_rows o where a.space_id = o.id;
  else
    -- A deleted account leaves its activity, anonymous. A scan of the log:
    -- accounts are deleted rarely, and an index would cost every money write.
    update public.activity_log a set actor_id = null from old_rows o where a.actor_id = o.id;
  end if;
  return null;
end
$$;
comment on function private.forget_activity() is
  'Statement trigger: a deleted space''s activity is deleted with it; a deleted account''s activity keeps no actor.';
revoke execute on function private.forget_activity() from public;

create trigger spaces_forget_activity
  after delete on public.spaces
  referencing old table as old_rows
  for each statement execute function private.forget_activity();

create trigger users_forget_activity
  after delete on public.users
  referencing old table as old_rows
  for each statement execute function private.forget_activity();

-- Recording ------------------------------------------------------------------------------------

-- Columns the database computes: a change to them is a consequence, not an action.
create function private.activity_derived_columns() returns text[]
language sql immutable
set search_path = ''
as $$
  select array['created_at', 'updated_at', 'spent_amount', 'total_spent', 'total_budgeted', 'to_assign', 'base_amount']
$$;
comment on function private.activity_derived_columns() is 'Columns the activity log leaves out: timestamps, trigger-kept totals and generated amounts.';
revoke execute on function private.activity_derived_columns() from public;

-- What a row is called and which space it belongs to, from its jsonb: one
-- definition for the three statement branches below.
create function private.activity_row_space(table_name text, vals jsonb) returns uuid
language sql stable
security definer
set search_path = ''
as $$
  select case table_name
           when 'spaces' then (vals ->> 'id')::uuid
           when 'budget_items' then (select b.space_id from public.budgets b where b.id = (vals ->> 'budget_id')::uuid)
           when 'expense_splits' then (select e.space_id from public.expenses e where e.id = (vals ->> 'expense_id')::uuid)
           else (vals ->> 'space_id')::uuid
         end
$$;
comment on function private.activity_row_space(text, jsonb) is 'The space an audited row belongs to (a split''s through its expense, an item''s through its budget).';
revoke execute on function private.activity_row_space(text, jsonb) from public;

create function private.activity_row_label(table_name text, vals jsonb) returns text
language sql stable
security definer
set search_path = ''
as $$
  select case table_name
           when 'expense_splits' then (select e.description from public.expenses e where e.id = (vals ->> 'expense_id')::uuid)
           when 'space_members' then null
           when 'budget_items' then coalesce(vals ->> 'description', vals ->> 'category')
           when 'imports' then vals ->> 'file_name'
           when 'financial_insights' then vals ->> 'title'
           else coalesce(vals ->> 'description', vals ->> 'name')
         end
$$;
comment on function private.activity_row_label(text, jsonb) is
  'What an audited row is called in the feed: an expense''s description, a budget''s name, a split''s expense, an import''s file, a recommendation''s title.';
revoke execute on function private.activity_row_label(text, jsonb) from public;

-- Per table, what the log keeps of a row. An import's report (its per-row
-- errors and matches: megabytes for a large file) stays on the imports row;
-- the log keeps its status and counts. A recommendation is logged only for
-- its review; its regeneration (priority, numbers, expiry) is nobody's action.
create function private.activity_dropped_columns(table_name text) returns text[]
language sql immutable
set search_path = ''
as $$
  select case table_name when 'imports' then array['validation_errors', 'row_matches', 'detection'] else '{}'::text[] end
$$;
comment on function private.activity_dropped_columns(text) is 'Columns of a table the activity log leaves out besides the derived ones (an import''s report).';
revoke execute on function private.activity_dropped_columns(text) from public;

create function private.activity_kept_columns(table_name text) returns text[]
language sql immutable
set search_path = ''
as $$
  select case table_name
           when 'financial_insights' then array['review_status', 'approved_by', 'approved_at', 'rejected_by', 'rejected_at', 'rejection_reason']
         end
$$;
comment on function private.activity_kept_columns(text) is
  'For a table audited for some changes only, the columns whose change is recorded (a recommendation''s review); null for every other table.';
revoke execute on function private.activity_kept_columns(text) from public;

create function private.record_activity() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  origin text;
  claims jsonb;
  actor uuid;
  actor_role text;
  stack text;
  rpc text;
  entry_path text;
  entry_via text;
  derived text[] := private.activity_derived_columns() || private.activity_dropped_columns(tg_table_name);
  kept text[] := private.activity_kept_columns(tg_table_name);
begin
  -- Every expense write moves its item's and budget's totals: updates in which
  -- only derived columns changed are nobody's action, and leave at once.
  if tg_op = 'UPDATE' then
    if not exists (select 1 from new_rows n join old_rows o on o.id = n.id where (to_jsonb(n) - derived) <> (to_jsonb(o) - derived)) then
      return null;
    end if;
  end if;

  -- Who, read only now: the updates above (totals moving) are most of the calls.
  origin := nullif(pg_catalog.current_setting('wallai.origin', true), '');
  claims := nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb;
  actor := nullif(claims ->> 'sub', '')::uuid;
  actor_role := coalesce(claims ->> 'role', nullif(pg_catalog.current_setting('role', true), 'none'), session_user);

  -- The imports table is written by the import itself (its row, its status).
  if origin is null and tg_table_name = 'imports' then
    origin := 'import:';
  end if;

  if origin like 'function:%' or origin like 'import:%' then
    entry_path := split_part(origin, ':', 1);
    entry_via := nullif(substr(origin, char_length(entry_path) + 2), '');
  else
    -- The outermost public function on the stack is the RPC the client called.
    get diagnostics stack = pg_context;
    select m[1] into rpc
      from regexp_matches(stack, 'function public\.([a-z_][a-z0-9_]*)\(', 'g') with ordinality as x(m, n)
     order by n desc limit 1;
    if rpc is not null then
      entry_path := 'rpc';
      entry_via := rpc;
    elsif actor_role in ('authenticated', 'anon') then
      entry_path := 'table';
    else
      entry_path := 'system';
    end if;
  end if;

  -- Each row becomes jsonb once: the `offset 0` keeps the planner from pulling
  -- the subqueries up, which would copy to_jsonb(x) into every expression that
  -- reads it (the filter, the id, the space, the label and the values: five
  -- conversions of the whole row, and one per column in the update branch).
  if tg_op = 'INSERT' and tg_table_name = 'expenses' then
    -- The hot path (every expense, every import line): the columns read as
    -- columns, and the row's jsonb built from the non-derived ones directly
    -- (a test checks this list against the table's columns). They are listed
    -- in jsonb's own key order (shorter keys first, then bytewise), which
    -- jsonb sorts every object into: a list already in order is checked in
    -- one pass instead of sorted, which halves the cost of the conversion.
    insert into public.activity_log (space_id, actor_id, actor_role, path, via, table_name, row_id, label, operation, new_values)
    select x.space_id, actor, actor_role, entry_path, entry_via, 'expenses', x.id, x.description, 'insert',
           (select to_jsonb(r)
              from (select x.id, x.date, x.tags, x.notes, x.amount, x.category, x.currency, x.space_id, x.budget_id,
                           x.created_by, x.description, x.receipt_url, x.exchange_rate, x.budget_item_id, x.payment_method,
                           x.category_source, x.receipt_processed, x.bank_transaction_id, x.ai_category_confidence) r)
      from new_rows x;
  elsif tg_op = 'INSERT' then
    insert into public.activity_log (space_id, actor_id, actor_role, path, via, table_name, row_id, label, operation, new_values)
    select n.space_id, actor, actor_role, entry_path, entry_via, tg_table_name, n.id, n.label, 'insert', n.vals - derived
      from (select r.vals, (r.vals ->> 'id')::uuid as id,
                   private.activity_row_space(tg_table_name, r.vals) as space_id,
                   private.activity_row_label(tg_table_name, r.vals) as label
              from (select to_jsonb(x) as vals from new_rows x offset 0) r
            offset 0) n
     where n.space_id is not null;
  elsif tg_op = 'DELETE' then
    insert into public.activity_log (space_id, actor_id, actor_role, path, via, table_name, row_id, label, operation, old_values)
    select o.space_id, actor, actor_role, entry_path, entry_via, tg_table_name, o.id, o.label, 'delete', o.vals - derived
      from (select r.vals, (r.vals ->> 'id')::uuid as id,
                   private.activity_row_space(tg_table_name, r.vals) as space_id,
                   private.activity_row_label(tg_table_name, r.vals) as label
              from (select to_jsonb(x) as vals from old_rows x offset 0) r
            offset 0) o
     where o.space_id is not null
       -- A deleted space takes its activity with it; nothing to record.
       and exists (select 1 from public.spaces s where s.id = o.space_id);
  else
    insert into public.activity_log (space_id, actor_id, actor_role, path, via, table_name, row_id, label, operation, old_values, new_values)
    select d.space_id, actor, actor_role, entry_path, entry_via, tg_table_name, d.id, d.label, 'update', d.before, d.after
      from (
        select n.id, c.before, c.after,
               private.activity_row_space(tg_table_name, n.vals) as space_id,
               private.activity_row_label(tg_table_name, n.vals) as label
          from (select to_jsonb(x) - derived as vals, x.id from new_rows x offset 0) n
          join (select to_jsonb(x) - derived as vals, x.id from old_rows x offset 0) o on o.id = n.id
          -- Only the columns that changed, before and after, in one pass over the keys.
          cross join lateral (
            select jsonb_object_agg(k.key, o.vals -> k.key) as before, jsonb_object_agg(k.key, n.vals -> k.key) as after
              from jsonb_object_keys(n.vals) k(key)
             where (n.vals -> k.key) is distinct from (o.vals -> k.key)
               and (kept is null or k.key = any (kept))
          ) c
         -- Rows where only derived columns moved (totals, timestamps) are no one's change.
         where n.vals <> o.vals
        offset 0
      ) d
     where d.space_id is not null
       -- A table audited for some columns only: nothing of those changed.
       and d.before is not null;
  end if;
  return null;
end
$$;
comment on function private.record_activity() is
  'Statement trigger: one activity row per changed row (insert: the row; update: the changed columns before and after; delete: the row), with the actor, path, via and the row''s name (an expense''s description, a budget''s name, a split''s expense).';
revoke execute on function private.record_activity() from public;

-- The audited tables: three statement triggers each (transition tables need one per event).
-- Imports: every status change and its counts (the expenses an import writes
-- are recorded on their own, with the path import).
do $$
declare
  t text;
begin
  foreach t in array array['spaces', 'space_members', 'budgets', 'budget_items', 'expenses', 'expense_splits', 'settlements', 'imports'] loop
    execute format(
      'create trigger %1$s_record_activity_insert after insert on public.%1$I referencing new table as new_rows
         for each statement execute function private.record_activity()', t);
    execute format(
      'create trigger %1$s_record_activity_update after update on public.%1$I referencing old table as old_rows new table as new_rows
         for each statement execute function private.record_activity()', t);
    execute format(
      'create trigger %1$s_record_activity_delete after delete on public.%1$I referencing old table as old_rows
         for each statement execute function private.record_activity()', t);
  end loop;
end
$$;

-- Recommendations: their review only (approve_recommendation, reject_recommendation).
create trigger financial_insights_record_review after update on public.financial_insights referencing old table as old_rows new table as new_rows
  for each statement execute function private.record_activity();

-- The feed ---------------------------------------------------------------------------------

create function private.activity_person(person uuid) returns text
language sql stable
security definer
set search_path = ''
as $$
  select coalesce(nullif(btrim(u.full_name), ''), u.username, 'Someone') from public.users u where u.id = person
$$;
comment on function private.activity_person(uuid) is 'A person''s display name for the feed (full name, else username).';
revoke execute on function private.activity_person(uuid) from public;

create function private.activity_summary(entry public.activity_log) returns text
language plpgsql stable
security definer
set search_path = ''
as $$
declare
  who text := coalesce(private.activity_person(entry.actor_id), case when entry.actor_id is null then 'Wallai' else 'Someone' end);
  vals jsonb := coalesce(entry.new_values, '{}'::jsonb);
  was jsonb := coalesce(entry.old_values, '{}'::jsonb);
  label text;
  changed text;
  imported public.imports;
begin
  case entry.table_name
    when 'expenses' then
      label := coalesce(entry.label, 'an expense');
      if entry.operation = 'insert' then
        return format('%s added %s (%s %s)', who, label, vals ->> 'amount', vals ->> 'currency');
      elsif entry.operation = 'delete' then
        return format('%s deleted %s (%s %s)', who, label, was ->> 'amount', was ->> 'currency');
      elsif vals ? 'amount' then
        return format('%s changed %s from %s to %s', who, label, was ->> 'amount', vals ->> 'amount');
      elsif vals ? 'category' then
        return format('%s moved %s from %s to %s', who, label, was ->> 'category', vals ->> 'category');
      end if;
    when 'expense_splits' then
      label := entry.label;
      if entry.operation = 'update' and (vals ->> 'is_paid')::boolean then
        return format('%s marked %s''s share of %s paid (%s)', who,
                      coalesce(private.activity_person((was ->> 'user_id')::uuid), 'someone'), coalesce(label, 'an expense'),
                      coalesce(vals ->> 'amount', (select s.amount::text from public.expense_splits s where s.id = entry.row_id)));
      elsif entry.operation = 'insert' then
        return format('%s split %s: %s owes %s', who, coalesce(label, 'an expense'),
                      coalesce(private.activity_person((vals ->> 'user_id')::uuid), 'someone'), vals ->> 'amount');
      elsif entry.operation = 'delete' then
        return format('%s removed %s''s share of %s (%s)', who,
                      coalesce(private.activity_person((was ->> 'user_id')::uuid), 'someone'), coalesce(label, 'an expense'), was ->> 'amount');
      end if;
    when 'settlements' then
      if entry.operation = 'insert' then
        return format('%s recorded that %s paid %s %s %s', who,
                      coalesce(private.activity_person((vals ->> 'from_user')::uuid), 'someone'),
                      coalesce(private.activity_person((vals ->> 'to_user')::uuid), 'someone'), vals ->> 'amount', vals ->> 'currency');
      elsif entry.operation = 'delete' then
        return format('%s deleted the repayment of %s %s', who, was ->> 'amount', was ->> 'currency');
      elsif vals ? 'status' then
        -- A decision on a recorded repayment: the payer and the amount are the row's.
        return (
          select format('%s %s that %s paid %s %s %s', who, case vals ->> 'status' when 'confirmed' then 'confirmed' else 'declined' end,
                        coalesce(private.activity_person(s.from_user), 'someone'), coalesce(private.activity_person(s.to_user), 'someone'),
                        s.amount, s.currency)
            from public.settlements s where s.id = entry.row_id
        );
      end if;
    when 'imports' then
      label := coalesce(entry.label, 'a file');
      if entry.operation = 'insert' then
        return format('%s started importing %s', who, label);
      elsif entry.operation = 'delete' then
        return format('%s deleted the import of %s', who, label);
      elsif vals ->> 'status' = 'completed' then
        -- Counts the completing statement left as they were are the row's.
        select * into imported from public.imports i where i.id = entry.row_id;
        return format('%s imported %s: %s added, %s updated, %s removed, %s invalid', who, label,
                      coalesce(vals ->> 'added_count', imported.added_count::text, '0'), coalesce(vals ->> 'updated_count', imported.updated_count::text, '0'),
                      coalesce(vals ->> 'removed_count', imported.removed_count::text, '0'), coalesce(vals ->> 'invalid_count', imported.invalid_count::text, '0'));
      elsif vals ->> 'status' = 'failed' then
        return format('The import of %s failed: %s', label, coalesce(vals ->> 'failure_reason', 'unknown reason'));
      elsif vals ->> 'status' = 'processing' then
        return format('%s is being imported', label);
      end if;
    when 'financial_insights' then
      -- Operators are not members: the feed names their role, not them.
      label := coalesce(entry.label, 'a recommendation');
      if vals ->> 'review_status' = 'approved' then
        return format('A reviewer approved the recommendation "%s"', label);
      elsif vals ->> 'review_status' = 'rejected' then
        return format('A reviewer rejected the recommendation "%s": %s', label, coalesce(vals ->> 'rejection_reason', 'no reason given'));
      elsif vals ->> 'review_status' = 'pending' then
        return format('The recommendation "%s" is waiting for review again', label);
      end if;
    when 'budgets' then
      label := coalesce(entry.label, 'a budget');
      if entry.operation = 'insert' then
        return format('%s created %s', who, label);
      elsif entry.operation = 'delete' then
        return format('%s deleted %s', who, label);
      elsif vals ? 'total_income' then
        return format('%s changed the income of %s from %s to %s', who, label, was ->> 'total_income', vals ->> 'total_income');
      end if;
    when 'budget_items' then
      label := coalesce(entry.label, 'a budget line');
      if entry.operation = 'update' and vals ? 'budgeted_amount' then
        return format('%s changed the %s budget from %s to %s', who, label, was ->> 'budgeted_amount', vals ->> 'budgeted_amount');
      elsif entry.operation = 'insert' then
        return format('%s added %s to the budget (%s)', who, label, vals ->> 'budgeted_amount');
      elsif entry.operation = 'delete' then
        return format('%s removed %s from the budget', who, label);
      end if;
    when 'space_members' then
      label := coalesce(private.activity_person(coalesce((vals ->> 'user_id')::uuid, (was ->> 'user_id')::uuid,
                        (select m.user_id from public.space_members m where m.id = entry.row_id))), 'someone');
      if entry.operation = 'insert' then
        return case when (vals ->> 'role') = 'owner' then format('%s is the owner', label) else format('%s joined', label) end;
      elsif vals ? 'is_active' and (vals ->> 'is_active')::boolean then
        return format('%s rejoined', label);
      elsif vals ? 'is_active' then
        return case when entry.actor_id is not distinct from (select m.user_id from public.space_members m where m.id = entry.row_id)
                    then format('%s left', label) else format('%s removed %s', who, label) end;
      elsif vals ? 'role' then
        return format('%s made %s %s', who, label, vals ->> 'role');
      end if;
    when 'spaces' then
      if entry.operation = 'insert' then
        return format('%s created the space %s', who, vals ->> 'name');
      elsif vals ? 'name' and entry.operation = 'update' then
        return format('%s renamed the space from %s to %s', who, was ->> 'name', vals ->> 'name');
      elsif vals ? 'is_active' then
        return format('%s %s the space', who, case when (vals ->> 'is_active')::boolean then 'reactivated' else 'deactivated' end);
      end if;
    else
      null;
  end case;
  -- Anything else: which columns changed.
  select string_agg(k, ', ' order by k) into changed from jsonb_object_keys(coalesce(entry.new_values, entry.old_values)) k
   where k not in ('id', 'space_id');
  return format('%s %s %s%s', who,
                case entry.operation when 'insert' then 'added' when 'delete' then 'deleted' else 'changed' end,
                replace(entry.table_name, '_', ' '),
                case when entry.operation = 'update' and changed is not null then format(' (%s)', changed) else '' end);
end
$$;
comment on function private.activity_summary(public.activity_log) is
  'One readable sentence for an activity row ("Bob changed Dinner from 80.00 to 95.00", "Bob imported october.csv: 40 added, ...", "A reviewer approved the recommendation ...").';
revoke execute on function private.activity_summary(public.activity_log) from public;

create function public.space_activity(space_id uuid, max_results integer default 50, before_id bigint default null)
returns table (
  id bigint,
  occurred_at timestamptz,
  actor_id uuid,
  path text,
  via text,
  table_name text,
  row_id uuid,
  operation text,
  old_values jsonb,
  new_values jsonb,
  summary text
)
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  if space_activity.space_id is null or space_activity.space_id not in (select private.member_space_ids()) then
    raise exception 'space not found' using errcode = 'PT404';
  end if;
  if max_results is null or max_results < 1 or max_results > 200 then
    raise exception 'max_results must be between 1 and 200' using errcode = '22023';
  end if;
  return query
    select a.id, a.occurred_at, a.actor_id, a.path, a.via, a.table_name, a.row_id, a.operation, a.old_values, a.new_values,
           private.activity_summary(a)
      from public.activity_log a
     where a.space_id = space_activity.space_id
       and private.activity_shown_to_members(a.table_name, a.new_values)
       and (space_activity.before_id is null or a.id < space_activity.before_id)
     order by a.id desc
     limit max_results;
end
$$;
comment on function public.space_activity(uuid, integer, bigint) is
  'A space''s activity feed, newest first, each change with a readable summary; before_id pages back. Active members only (PT404 otherwise).';
revoke execute on function public.space_activity(uuid, integer, bigint) from public, anon;
grant execute on function public.space_activity(uuid, integer, bigint) to authenticated;

alter publication supabase_realtime add table public.activity_log;
