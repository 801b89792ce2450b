-- Expenses, their link to the month's budget, and the spent totals.
--
-- Currency rule: every total is in the space's currency. An expense may be in
-- another currency only with an exchange_rate to the space currency; base_amount
-- (amount x rate, rounded to cents) is what budgets add up. Amounts in different
-- currencies are never summed as if equal.
--
-- Linking: an expense without an explicit budget item is linked to the master
-- budget of its month, and to that budget's item of the same category when one
-- exists; changing its date or category moves the link. Expenses linked by hand
-- to a secondary (project) budget stay where they were put.
--
-- Totals: budget_items.spent_amount and budgets.total_spent move by increments
-- in statement-level triggers (one update per table, after locking the rows it
-- touches in a fixed order), so they equal a recomputation after any change and
-- under concurrent writers.
--
-- Cost: the insert path is measured against a bare copy of this table (npm run
-- bench, docs/benchmarks.md), so per-row work is kept small: the month's budget
-- and items are looked up once per statement, totals and the activity log are
-- written once per statement.
--
-- category_source records who set the category; its rules (never overwrite a
-- person's choice) live in the categorization migration, except the one for
-- inserts, which prepare_expense applies (one row trigger per insert, not two).

create table public.expenses (
  id uuid primary key default gen_random_uuid(),
  space_id uuid not null references public.spaces (id) on delete cascade,
  budget_id uuid references public.budgets (id) on delete set null,
  budget_item_id uuid references public.budget_items (id) on delete set null,
  amount numeric(12,2) not null,
  description text not null,
  category text not null default 'other',
  ai_category_confidence numeric(3,2),
  date date not null default current_date,
  receipt_url text,
  receipt_processed boolean not null default false,
  payment_method text,
  bank_transaction_id text,
  currency text not null,
  exchange_rate numeric(18,8),
  base_amount numeric(12,2) generated always as (round(amount * coalesce(exchange_rate, 1), 2)) stored,
  tags text[] not null default '{}',
  notes text,
  created_by uuid references public.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  category_source text not null default 'default',
  constraint expenses_amount_positive check (amount > 0),
  constraint expenses_base_amount_positive check (base_amount > 0),
  constraint expenses_exchange_rate_positive check (exchange_rate > 0),
  constraint expenses_ai_category_confidence_range check (ai_category_confidence >= 0 and ai_category_confidence <= 1),
  constraint expenses_currency_format check (currency ~ '^[A-Z]{3}$'),
  constraint expenses_category_format check (category ~ '^[a-z0-9_]{1,40}$'),
  constraint expenses_description_length check (char_length(btrim(description)) between 1 and 500),
  constraint expenses_notes_length check (char_length(notes) <= 4000),
  constraint expenses_tags_limit check (cardinality(tags) <= 20),
  constraint expenses_space_id_bank_transaction_id_key unique (space_id, bank_transaction_id),
  constraint expenses_category_source_check check (category_source in ('default', 'user', 'history', 'rules', 'ai'))
);

create index idx_expenses_space_date on public.expenses (space_id, date desc);
create index idx_expenses_category on public.expenses (category);
create index idx_expenses_description_trgm on public.expenses using gin (description extensions.gin_trgm_ops);
create index idx_expenses_budget_id on public.expenses (budget_id);
create index idx_expenses_budget_item_id on public.expenses (budget_item_id);
create index idx_expenses_created_by on public.expenses (created_by);
-- Relinking when a budget item appears: unlinked expenses of one space, month and category.
create index idx_expenses_unlinked_by_month on public.expenses (space_id, category, date) where budget_item_id is null;
-- Serves "categorize like the last similar expense": categorized rows of one space.
create index idx_expenses_categorized_by_space on public.expenses (space_id) where category_source <> 'default';

comment on table public.expenses is 'Money spent in a space. Totals of the linked budget and item follow every change.';
comment on column public.expenses.amount is 'Amount in the expense''s own currency; always positive.';
comment on column public.expenses.currency is 'ISO 4217; defaults to the space''s currency.';
comment on column public.expenses.exchange_rate is
  'Units of the space currency per unit of this expense''s currency. Required when the currencies differ, null otherwise.';
comment on column public.expenses.base_amount is 'amount x exchange_rate in the space currency: what budget totals add up.';
comment on column public.expenses.budget_id is 'The budget this expense counts towards; set automatically from the date, or by hand.';
comment on column public.expenses.budget_item_id is 'The budget line this expense counts towards; follows category and date unless set by hand.';
comment on column public.expenses.bank_transaction_id is 'Id from a bank import; unique within a space, so an import never duplicates.';
comment on column public.expenses.created_by is 'Who recorded the expense (and who paid it); set from the JWT, never by the client.';
comment on column public.expenses.ai_category_confidence is 'Confidence 0-1 of an automatic categorization; null when a person chose the category.';
comment on column public.expenses.category_source is
  'Who set the category: default (nothing chosen yet), user (a person), or the categorizer step (history, rules, ai). Automatic categorization only changes default and automatic ones.';
create trigger expenses_touch_updated_at
  before update on public.expenses
  for each row execute function private.touch_updated_at();

-- Currency, creator and budget link --------------------------------------------------------

create function private.prepare_expense() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
-- Runs for every expense row, so each look-up is a query embedded here (plpgsql
-- caches its plan), never a call to an SQL function (planned again on every
-- call), and the common case (a new expense linked automatically) runs as few
-- statements as it can: each statement here costs about half a microsecond per
-- inserted row.
--
-- The insert statement's memory is the session setting wallai.expense_link:
--   <space id>|<month>|<currency>|<master budget id or empty>|<caller>|;<category>=<item id>;...
-- where <caller> is the signed-in caller's id, or '-' when nobody is signed in.
-- expenses_link_cache_before sets it to '||||<caller>|' (the caller read from
-- the JWT once per statement, no space or month yet); the first row of each
-- space and month fills in the rest with one query (a 500-row import makes one
-- query, not 500); expenses_link_cache_after empties it and checks what was
-- linked against the tables. Category keys are [a-z0-9_], so ';<category>='
-- finds exactly one item. split_part and left, not strpos and substr: those
-- count characters from the start of the string on every row (the database is
-- UTF-8). The month goes through timestamp: date_trunc of a date would resolve
-- to the timestamptz variant and consult the time zone on every row.
declare
  link text;
  caller text;
  link_month date;
  auto_linked boolean := false;
  space_currency text;
  item_budget uuid;
  master_budget uuid;
  master_item uuid;
  link_budget_type text;
  relink boolean;
begin
  if tg_op = 'INSERT' then
    -- Who chose the category (the categorization migration holds the rule for
    -- changes): a client that names the source (the categorizer) keeps it;
    -- otherwise a category other than the default one was chosen by the
    -- person. Here rather than in a second row trigger, because every inserted
    -- row pays for each call.
    if new.category_source = 'default' and new.category <> 'other' then
      new.category_source := 'user';
    end if;
    link := pg_catalog.current_setting('wallai.expense_link', true);
    if new.budget_item_id is null and new.budget_id is null
       and starts_with(link, new.space_id::text || '|' || date_trunc('month', new.date::timestamp)::date::text || '|') then
      -- The common case: a new expense of the space and month the statement's
      -- previous row was in, linked automatically, in the space currency.
      new.created_by := coalesce(nullif(split_part(link, '|', 5), '-')::uuid, new.created_by);
      new.budget_id := nullif(split_part(link, '|', 4), '')::uuid;
      new.budget_item_id := nullif(left(split_part(link, ';' || new.category || '=', 2), 36), '')::uuid;
      if new.currency = split_part(link, '|', 3) and new.exchange_rate is null and new.ai_category_confidence is null then
        return new;
      end if;
      -- Another currency, a rate or a confidence: the rules below.
      auto_linked := true;
      space_currency := split_part(link, '|', 3);
    else
      -- The creator: the signed-in caller ('-': nobody, and then the row's own
      -- created_by stands; empty only when expenses_link_cache_before did not
      -- run for this statement, and then read here).
      caller := split_part(link, '|', 5);
      if caller is null or caller = '' then
        caller := coalesce(auth.uid()::text, '-');
      end if;
      if caller <> '-' then
        new.created_by := caller::uuid;
      end if;
      if new.budget_item_id is null and new.budget_id is null and new.date is not null and new.space_id is not null then
        -- Linked automatically, first row of its space and month in this
        -- statement: the space currency, the master budget of the month and its
        -- items, remembered for the rows that follow.
        link_month := date_trunc('month', new.date::timestamp)::date;
        select new.space_id::text || '|' || link_month::text || '|' || s.currency || '|' || coalesce(b.id::text, '') || '|'
               || caller || '|' || coalesce(string_agg(';' || i.category || '=' || i.id::text, '' order by i.category), '') || ';'
          into link
          from public.spaces s
          left join public.budgets b
            on b.space_id = s.id and b.type = 'master' and b.month_period = link_month
          left join public.budget_items i on i.budget_id = b.id
         where s.id = new.space_id
         group by s.currency, b.id;
        -- No such space: nothing to remember (the foreign key refuses the row).
        if link is not null then
          perform pg_catalog.set_config('wallai.expense_link', link, false);
          space_currency := split_part(link, '|', 3);
          new.budget_id := nullif(split_part(link, '|', 4), '')::uuid;
          new.budget_item_id := nullif(left(split_part(link, ';' || new.category || '=', 2), 36), '')::uuid;
          auto_linked := true;
        end if;
      end if;
    end if;
    -- People's categories carry no confidence.
    if new.ai_category_confidence is not null and new.category_source in ('default', 'user') then
      new.ai_category_confidence := null;
    end if;
  elsif new.space_id <> old.space_id then
    raise exception 'an expense cannot move to another space' using errcode = '22023';
  end if;
  if not auto_linked then
    select s.currency into space_currency from public.spaces s where s.id = new.space_id;
  end if;

  -- Currency: the space's by default; another one only with a rate.
  if new.currency is distinct from space_currency then
    new.currency := upper(coalesce(new.currency, space_currency));
  end if;
  if new.currency = space_currency then
    if new.exchange_rate is not null then
      if new.exchange_rate <> 1 then
        raise exception 'an expense in the space currency (%) takes no exchange_rate', space_currency using errcode = '22023';
      end if;
      new.exchange_rate := null;
    end if;
  elsif new.exchange_rate is null then
    raise exception 'an expense in % in a % space needs exchange_rate (% per 1 %)',
      new.currency, space_currency, space_currency, new.currency
      using errcode = '22023', hint = 'Amounts in different currencies are never added up as if equal.';
  end if;
  if auto_linked then
    return new;
  end if;

  -- Budget link.
  if new.budget_item_id is not null
     and (tg_op = 'INSERT' or new.budget_item_id is distinct from old.budget_item_id) then
    select i.budget_id into item_budget
      from public.budget_items i join public.budgets b on b.id = i.budget_id
     where i.id = new.budget_item_id and b.space_id = new.space_id;
    if item_budget is null then
      raise exception 'budget item % is not in this space', new.budget_item_id using errcode = '22023';
    end if;
    new.budget_id := item_budget;
    return new;
  end if;

  if new.budget_id is not null
     and (tg_op = 'INSERT' or new.budget_id is distinct from old.budget_id) then
    if not exists (select 1 from public.budgets b where b.id = new.budget_id and b.space_id = new.space_id) then
      raise exception 'budget % is not in this space', new.budget_id using errcode = '22023';
    end if;
    if tg_op = 'UPDATE' and new.budget_item_id is not null
       and not exists (select 1 from public.budget_items i where i.id = new.budget_item_id and i.budget_id = new.budget_id) then
      new.budget_item_id := null;
    end if;
    if tg_op = 'UPDATE' or new.budget_item_id is not null then
      return new;
    end if;
    -- A new expense given only a budget: take its item of the same category, if any.
    select i.id into new.budget_item_id from public.budget_items i
     where i.budget_id = new.budget_id and i.category = new.category;
    return new;
  end if;

  if tg_op = 'INSERT' then
    -- A new expense with neither link nor date or space: the constraints refuse it.
    return new;
  end if;

  -- An update moves the link when the date or category changed, unless the
  -- expense was put in a project budget by hand.
  relink := new.date is distinct from old.date or new.category is distinct from old.category;
  if relink and old.budget_id is not null then
    select b.type into link_budget_type from public.budgets b where b.id = old.budget_id;
    relink := link_budget_type = 'master';
  end if;

  if relink then
    select b.id, i.id into master_budget, master_item
      from public.budgets b
      left join public.budget_items i on i.budget_id = b.id and i.category = new.category
     where b.space_id = new.space_id
       and b.type = 'master'
       and b.month_period = date_trunc('month', new.date::timestamp)::date;
    new.budget_id := master_budget;
    new.budget_item_id := master_item;
  end if;
  return new;
end
$$;
comment on function private.prepare_expense() is
  'Trigger: creator from the JWT, the category source of a new expense, currency rule, and the budget link (explicit item or budget checked against the space; otherwise the month''s master budget and its item of the same category).';
revoke execute on function private.prepare_expense() from public;

create trigger expenses_prepare
  before insert or update of space_id, currency, exchange_rate, amount, date, category, budget_id, budget_item_id
  on public.expenses
  for each row execute function private.prepare_expense();

-- The insert statement's memory (the setting wallai.expense_link, described in
-- prepare_expense): set up before every insert statement (nothing from an
-- earlier statement, whose budgets may have changed since, is reused) and
-- emptied after it (no ids stay behind in the session). A client that wrote the
-- setting itself in the middle of its statement would only fool the row
-- trigger: after the statement, every inserted row's link and currency are
-- checked against the tables, once per distinct link, and the insert policy
-- checks created_by against the JWT.
create function private.expense_link_cache() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Session-level (not local): a local value would end with this function's own search_path setting.
  if tg_when = 'BEFORE' then
    -- The caller once per statement rather than a JWT parse per row. Rewriting it
    -- mid-statement gains nothing: the insert policy checks created_by against auth.uid().
    perform pg_catalog.set_config('wallai.expense_link', '||||' || coalesce(auth.uid()::text, '-') || '|', false);
    return null;
  end if;
  perform pg_catalog.set_config('wallai.expense_link', '', false);
  if exists (
    select 1
      from (select distinct n.space_id, n.budget_id, n.budget_item_id, n.currency, n.exchange_rate is null as no_rate from new_rows n) n
      join public.spaces s on s.id = n.space_id
      left join public.budgets b on b.id = n.budget_id
      left join public.budget_items i on i.id = n.budget_item_id
     where (n.budget_id is not null and b.space_id is distinct from n.space_id)
        or (n.budget_item_id is not null and i.budget_id is distinct from n.budget_id)
        or ((n.currency = s.currency) is distinct from n.no_rate)
  ) then
    raise exception 'an expense was linked to a budget outside its space, or its currency does not match its rate'
      using errcode = '22023';
  end if;
  return null;
end
$$;
comment on function private.expense_link_cache() is
  'Statement trigger: before an insert statement, remembers the caller in wallai.expense_link (where prepare_expense remembers the month''s budget and items); after it, empties it and checks the inserted rows'' links and currencies against the tables.';
revoke execute on function private.expense_link_cache() from public;

create trigger expenses_link_cache_before
  before insert on public.expenses
  for each statement execute function private.expense_link_cache();

create trigger expenses_link_cache_after
  after insert on public.expenses
  referencing new table as new_rows
  for each statement execute function private.expense_link_cache();

-- Spent totals ------------------------------------------------------------------------------

-- Once per statement, from its transition tables: a 500-row insert makes one
-- update per budget item and per budget it touches, not one per row (which left
-- ~1,000 dead versions of the same two rows behind).
create function private.apply_spent_delta() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  budget_ids uuid[];
  item_ids uuid[];
  deltas numeric[];
  moved_items uuid[];
  item_deltas numeric[];
  moved_budgets uuid[];
  budget_deltas numeric[];
begin
  -- Every change as (budget, item, delta): an inserted row adds its base amount
  -- to its item and budget, a deleted row takes it away, an updated row does
  -- both (old and new, so rows whose amount and links did not change cancel
  -- out; no join by id, so even an id change stays exact).
  if tg_op = 'INSERT' then
    select array_agg(n.budget_id), array_agg(n.budget_item_id), array_agg(n.base_amount)
      into budget_ids, item_ids, deltas
      from new_rows n;
  elsif tg_op = 'UPDATE' then
    select array_agg(c.budget_id), array_agg(c.budget_item_id), array_agg(c.delta)
      into budget_ids, item_ids, deltas
      from (select n.budget_id, n.budget_item_id, n.base_amount as delta from new_rows n
            union all
            select o.budget_id, o.budget_item_id, -o.base_amount from old_rows o) c;
  else
    select array_agg(o.budget_id), array_agg(o.budget_item_id), array_agg(-o.base_amount)
      into budget_ids, item_ids, deltas
      from old_rows o;
  end if;

  -- The net change per item and per budget, each in id order; zero sums need no update.
  select array_agg(i.id order by i.id), array_agg(i.delta order by i.id)
    into moved_items, item_deltas
    from (select c.item_id as id, sum(c.delta) as delta
            from unnest(item_ids, deltas) as c(item_id, delta)
           where c.item_id is not null
           group by 1 having sum(c.delta) <> 0) i;
  select array_agg(b.id order by b.id), array_agg(b.delta order by b.id)
    into moved_budgets, budget_deltas
    from (select c.budget_id as id, sum(c.delta) as delta
            from unnest(budget_ids, deltas) as c(budget_id, delta)
           where c.budget_id is not null
           group by 1 having sum(c.delta) <> 0) b;

  -- One update per table (so the activity log's statement trigger on each runs
  -- once, not once per row), after locking its rows in id order: items first,
  -- then budgets, so concurrent writers lock rows in the same order and queue
  -- instead of deadlocking.
  if moved_items is not null then
    perform 1 from public.budget_items i where i.id = any (moved_items) order by i.id for no key update;
    update public.budget_items i set spent_amount = i.spent_amount + d.delta
      from unnest(moved_items, item_deltas) as d(id, delta)
     where i.id = d.id;
  end if;
  if moved_budgets is not null then
    perform 1 from public.budgets b where b.id = any (moved_budgets) order by b.id for no key update;
    update public.budgets b set total_spent = b.total_spent + d.delta
      from unnest(moved_budgets, budget_deltas) as d(id, delta)
     where b.id = d.id;
  end if;
  return null;
end
$$;
comment on function private.apply_spent_delta() is
  'Statement trigger: moves spent_amount and total_spent by the statement''s net change in base amounts and links: rows locked in id order (items, then budgets), then one update per table.';
revoke execute on function private.apply_spent_delta() from public;

-- Transition tables need one trigger per event, and no column list (which would
-- anyway miss the links expenses_prepare moves when the date or category changes).
-- The FK actions `on delete set null` are UPDATE statements and fire the update one.
create trigger expenses_apply_spent_delta_insert
  after insert on public.expenses
  referencing new table as new_rows
  for each statement execute function private.apply_spent_delta();

create trigger expenses_apply_spent_delta_update
  after update on public.expenses
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.apply_spent_delta();

create trigger expenses_apply_spent_delta_delete
  after delete on public.expenses
  referencing old table as old_rows
  for each statement execute function private.apply_spent_delta();

-- RLS ------------------------------------------------------------------------------------------

alter table public.expenses enable row level security;

revoke all on public.expenses from anon, authenticated, service_role;
grant select on public.expenses to authenticated;
grant insert (id, space_id, budget_id, budget_item_id, amount, description, category, category_source, ai_category_confidence,
              date, receipt_url, receipt_processed, payment_method, bank_transaction_id, currency, exchange_rate, tags, notes)
  on public.expenses to authenticated;
grant update (budget_id, budget_item_id, amount, description, category, category_source, ai_category_confidence, date,
              receipt_url, receipt_processed, payment_method, bank_transaction_id, currency, exchange_rate, tags, notes)
  on public.expenses to authenticated;
grant delete on public.expenses to authenticated;
grant select, insert, update, delete on public.expenses to service_role;

create policy "Members can read their space's expenses"
  on public.expenses for select
  to authenticated
  using (space_id in (select private.member_space_ids()));

create policy "Members can record expenses in their space"
  on public.expenses for insert
  to authenticated
  with check (space_id in (select private.writable_space_ids()) and created_by = (select auth.uid()));

create policy "Members can change their own expenses, admins any"
  on public.expenses for update
  to authenticated
  using (
    (space_id in (select private.writable_space_ids()) and created_by = (select auth.uid()))
    or space_id in (select private.managed_space_ids())
  )
  with check (
    (space_id in (select private.writable_space_ids()) and created_by = (select auth.uid()))
    or space_id in (select private.managed_space_ids())
  );

create policy "Members can delete their own expenses, admins any"
  on public.expenses for delete
  to authenticated
  using (
    (space_id in (select private.writable_space_ids()) and created_by = (select auth.uid()))
    or space_id in (select private.managed_space_ids())
  );

-- search_expenses --------------------------------------------------------------------------------

create function public.search_expenses(space_id uuid, query text, max_results integer default 20)
returns setof public.expenses
language plpgsql stable
security invoker
set search_path = ''
as $$
declare
  wanted text := btrim(coalesce(query, ''));
begin
  if char_length(wanted) < 2 then
    raise exception 'search needs at least 2 characters' using errcode = '22023';
  end if;
  if max_results is null or max_results < 1 or max_results > 100 then
    raise exception 'max_results must be between 1 and 100' using errcode = '22023';
  end if;
  -- security invoker: RLS decides what the caller may find.
  return query
    select e.*
      from public.expenses e
     where e.space_id = search_expenses.space_id
       and (e.description operator(extensions.%) wanted or e.description ilike '%' || wanted || '%')
     order by extensions.similarity(e.description, wanted) desc, e.date desc, e.id
     limit max_results;
end
$$;
comment on function public.search_expenses(uuid, text, integer) is
  'Expenses of a space whose description resembles the query (pg_trgm), most similar first; only what the caller may read.';

revoke all on function public.search_expenses(uuid, text, integer) from public, anon;
grant execute on function public.search_expenses(uuid, text, integer) to authenticated, service_role;
