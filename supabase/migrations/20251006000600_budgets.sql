-- Budgets and budget items: monthly plans built from a framework.
--
-- A space has at most one master budget per month (plus one secondary, per the
-- ERD's unique constraint) made of items, one per category. Totals are kept by
-- triggers, never written by clients: budgets.total_budgeted here, spent
-- amounts in the expenses migration. Amounts are numeric(12,2); allocations are
-- computed in integer cents with largest-remainder rounding so parts always add
-- up exactly. Only admins and owners write budgets; every member reads them.
--
-- Expense links follow budgets: a new master budget or item picks up the
-- month's unlinked expenses (the triggers after each table).

-- budgets ---------------------------------------------------------------------------------

create table public.budgets (
  id uuid primary key default gen_random_uuid(),
  space_id uuid not null references public.spaces (id) on delete cascade,
  name text not null,
  description text,
  type text not null default 'master',
  month_period date not null,
  framework text not null default 'custom',
  total_income numeric(12,2) not null default 0,
  total_budgeted numeric(12,2) not null default 0,
  total_spent numeric(12,2) not null default 0,
  to_assign numeric(12,2) generated always as (total_income - total_budgeted) stored,
  currency text not null,
  created_by uuid references public.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint budgets_space_id_type_month_period_key unique (space_id, type, month_period),
  constraint budgets_type_check check (type in ('master', 'secondary')),
  constraint budgets_framework_check check (framework in ('50_30_20', '60_20_20', 'zero_based', 'custom')),
  constraint budgets_month_period_first_day check (extract(day from month_period) = 1),
  constraint budgets_total_income_non_negative check (total_income >= 0),
  constraint budgets_total_budgeted_non_negative check (total_budgeted >= 0),
  constraint budgets_total_spent_non_negative check (total_spent >= 0),
  constraint budgets_name_length check (char_length(btrim(name)) between 1 and 100)
);

create index idx_budgets_space_month on public.budgets (space_id, month_period);
create index idx_budgets_created_by on public.budgets (created_by);

comment on table public.budgets is
  'A monthly plan of a space: one master budget per month, and one secondary (project) budget per month.';
comment on column public.budgets.month_period is 'First day of the month the budget covers.';
comment on column public.budgets.total_budgeted is 'Sum of the budgeted amounts of the non-income items; kept by a trigger.';
comment on column public.budgets.total_spent is
  'Sum of the base amounts of the expenses linked to this budget (with or without an item); kept by triggers.';
comment on column public.budgets.to_assign is
  'Income not yet given to an item (total_income - total_budgeted); a zero-based budget is done when this is 0.';
comment on column public.budgets.currency is 'Always the space''s currency: every total is in it.';

create trigger budgets_touch_updated_at
  before update on public.budgets
  for each row execute function private.touch_updated_at();

create function private.prepare_new_budget() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if (select auth.uid()) is not null then
    new.created_by := (select auth.uid());
  end if;
  select s.currency into new.currency from public.spaces s where s.id = new.space_id;
  new.total_budgeted := 0;
  new.total_spent := 0;
  return new;
end
$$;
comment on function private.prepare_new_budget() is
  'Trigger: creator from the JWT, currency from the space, totals start at zero whatever the client sent.';
revoke execute on function private.prepare_new_budget() from public;

create trigger budgets_prepare_new
  before insert on public.budgets
  for each row execute function private.prepare_new_budget();

create function private.link_expenses_to_new_budget() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.type = 'master' then
    update public.expenses e
       set budget_id = new.id
     where e.space_id = new.space_id
       and e.budget_id is null
       and e.date >= new.month_period
       and e.date < (new.month_period + interval '1 month')::date;
  end if;
  return null;
end
$$;
comment on function private.link_expenses_to_new_budget() is
  'Trigger: a new master budget links the month''s expenses that had no budget yet.';
revoke execute on function private.link_expenses_to_new_budget() from public;

create trigger budgets_link_expenses
  after insert on public.budgets
  for each row execute function private.link_expenses_to_new_budget();

alter table public.budgets enable row level security;

revoke all on public.budgets from anon, authenticated, service_role;
grant select on public.budgets to authenticated;
grant insert (space_id, name, description, type, month_period, framework, total_income) on public.budgets to authenticated;
grant update (name, description, framework, total_income) on public.budgets to authenticated;
grant delete on public.budgets to authenticated;
grant select, insert, update, delete on public.budgets to service_role;

create policy "Members can read their space's budgets"
  on public.budgets for select
  to authenticated
  using (space_id in (select private.member_space_ids()));

create policy "Admins and owners can create budgets"
  on public.budgets for insert
  to authenticated
  with check (space_id in (select private.managed_space_ids()));

create policy "Admins and owners can update budgets"
  on public.budgets for update
  to authenticated
  using (space_id in (select private.managed_space_ids()))
  with check (space_id in (select private.managed_space_ids()));

create policy "Admins and owners can delete budgets"
  on public.budgets for delete
  to authenticated
  using (space_id in (select private.managed_space_ids()));

-- Budget helpers for RLS on budget_items -----------------------------------------------

create function private.member_budget_ids() returns setof uuid
language sql stable
security definer
set search_path = ''
as $$
  select b.id from public.budgets b
  where b.space_id in (select private.member_space_ids())
$$;
comment on function private.member_budget_ids() is 'Budgets of the spaces the caller is an active member of.';
revoke execute on function private.member_budget_ids() from public;
-- RLS policies call it as the querying user.
grant execute on function private.member_budget_ids() to authenticated;

create function private.managed_budget_ids() returns setof uuid
language sql stable
security definer
set search_path = ''
as $$
  select b.id from public.budgets b
  where b.space_id in (select private.managed_space_ids())
$$;
comment on function private.managed_budget_ids() is 'Budgets of the active spaces the caller administers or owns.';
revoke execute on function private.managed_budget_ids() from public;
-- RLS policies call it as the querying user.
grant execute on function private.managed_budget_ids() to authenticated;

-- budget_items ------------------------------------------------------------------------------

create table public.budget_items (
  id uuid primary key default gen_random_uuid(),
  budget_id uuid not null references public.budgets (id) on delete cascade,
  category text not null,
  description text,
  category_type text not null,
  budgeted_amount numeric(12,2) not null default 0,
  spent_amount numeric(12,2) not null default 0,
  icon text,
  color text,
  display_order integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint budget_items_budget_id_category_key unique (budget_id, category),
  constraint budget_items_category_type_check check (category_type in ('needs', 'wants', 'savings', 'income')),
  constraint budget_items_budgeted_amount_non_negative check (budgeted_amount >= 0),
  constraint budget_items_spent_amount_non_negative check (spent_amount >= 0),
  constraint budget_items_category_format check (category ~ '^[a-z0-9_]{1,40}$'),
  constraint budget_items_color_format check (color ~ '^#[0-9A-Fa-f]{6}$')
);

comment on table public.budget_items is 'One category line of a budget: what is planned and what has been spent.';
comment on column public.budget_items.category is
  'Category key (lower-case, a-z 0-9 _), unique within the budget; expenses of that category link to it.';
comment on column public.budget_items.spent_amount is
  'Sum of the base amounts of the expenses linked to this item; kept by triggers, never written by clients.';
comment on column public.budget_items.category_type is
  'needs | wants | savings | income. Income items plan money coming in and do not count towards total_budgeted.';

create trigger budget_items_touch_updated_at
  before update on public.budget_items
  for each row execute function private.touch_updated_at();

create function private.reset_new_budget_item_spent() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.spent_amount := 0;
  return new;
end
$$;
comment on function private.reset_new_budget_item_spent() is
  'Trigger: a new item starts with nothing spent; linking expenses to it adds their amounts.';
revoke execute on function private.reset_new_budget_item_spent() from public;

create trigger budget_items_reset_new_spent
  before insert on public.budget_items
  for each row execute function private.reset_new_budget_item_spent();

-- A budget item that appears in a master budget picks up the month's unlinked
-- expenses of its category, and gives them back when it goes away.
create function private.link_expenses_to_new_item() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  budget public.budgets;
begin
  select * into budget from public.budgets b where b.id = new.budget_id;
  if budget.type <> 'master' then
    return null;
  end if;
  update public.expenses e
     set budget_item_id = new.id
   where e.space_id = budget.space_id
     and e.category = new.category
     and e.budget_item_id is null
     and (e.budget_id is null or e.budget_id = budget.id)
     and e.date >= budget.month_period
     and e.date < (budget.month_period + interval '1 month')::date;
  return null;
end
$$;
comment on function private.link_expenses_to_new_item() is
  'Trigger: a new master-budget item links the month''s unlinked expenses of its category.';
revoke execute on function private.link_expenses_to_new_item() from public;

create trigger budget_items_link_expenses
  after insert on public.budget_items
  for each row execute function private.link_expenses_to_new_item();

create function private.apply_budgeted_delta() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  old_part numeric(12,2) := 0;
  new_part numeric(12,2) := 0;
  change record;
begin
  if tg_level = 'STATEMENT' then
    -- Inserts and deletes, once per statement (create_budget adds ~18 items in
    -- 4 statements): one update per budget, in id order.
    if tg_op = 'INSERT' then
      for change in
        select n.budget_id as id, sum(n.budgeted_amount) as delta
          from new_rows n where n.category_type <> 'income'
         group by 1 having sum(n.budgeted_amount) <> 0 order by 1
      loop
        update public.budgets set total_budgeted = total_budgeted + change.delta where id = change.id;
      end loop;
    else
      for change in
        select o.budget_id as id, sum(o.budgeted_amount) as delta
          from old_rows o where o.category_type <> 'income'
         group by 1 having sum(o.budgeted_amount) <> 0 order by 1
      loop
        update public.budgets set total_budgeted = total_budgeted - change.delta where id = change.id;
      end loop;
    end if;
    return null;
  end if;

  -- Updates, per row (they are single-row edits, and a row trigger can name its
  -- columns, so the spent_amount updates of every expense never fire it).
  if old.category_type <> 'income' then
    old_part := old.budgeted_amount;
  end if;
  if new.category_type <> 'income' then
    new_part := new.budgeted_amount;
  end if;
  if old.budget_id <> new.budget_id then
    -- Two budgets: lock them in id order, like every other totals writer.
    if old.budget_id < new.budget_id then
      update public.budgets set total_budgeted = total_budgeted - old_part where id = old.budget_id;
      update public.budgets set total_budgeted = total_budgeted + new_part where id = new.budget_id;
    else
      update public.budgets set total_budgeted = total_budgeted + new_part where id = new.budget_id;
      update public.budgets set total_budgeted = total_budgeted - old_part where id = old.budget_id;
    end if;
  elsif new_part <> old_part then
    update public.budgets
       set total_budgeted = total_budgeted + new_part - old_part
     where id = new.budget_id;
  end if;
  return null;
end
$$;
comment on function private.apply_budgeted_delta() is
  'Trigger: moves budgets.total_budgeted by the change in non-income budgeted amounts, as increments in budget id order so concurrent writers stay exact (per statement for inserts and deletes, per row for updates).';
revoke execute on function private.apply_budgeted_delta() from public;

-- Transition tables need one trigger per event and no column list.
create trigger budget_items_apply_budgeted_delta_insert
  after insert on public.budget_items
  referencing new table as new_rows
  for each statement execute function private.apply_budgeted_delta();

create trigger budget_items_apply_budgeted_delta_delete
  after delete on public.budget_items
  referencing old table as old_rows
  for each statement execute function private.apply_budgeted_delta();

create trigger budget_items_apply_budgeted_delta_update
  after update of budgeted_amount, category_type, budget_id on public.budget_items
  for each row execute function private.apply_budgeted_delta();

alter table public.budget_items enable row level security;

revoke all on public.budget_items from anon, authenticated, service_role;
grant select on public.budget_items to authenticated;
grant insert (budget_id, category, description, category_type, budgeted_amount, icon, color, display_order)
  on public.budget_items to authenticated;
grant update (category, description, category_type, budgeted_amount, icon, color, display_order)
  on public.budget_items to authenticated;
grant delete on public.budget_items to authenticated;
grant select, insert, update, delete on public.budget_items to service_role;

create policy "Members can read their space's budget items"
  on public.budget_items for select
  to authenticated
  using (budget_id in (select private.member_budget_ids()));

create policy "Admins and owners can create budget items"
  on public.budget_items for insert
  to authenticated
  with check (budget_id in (select private.managed_budget_ids()));

create policy "Admins and owners can update budget items"
  on public.budget_items for update
  to authenticated
  using (budget_id in (select private.managed_budget_ids()))
  with check (budget_id in (select private.managed_budget_ids()));

create policy "Admins and owners can delete budget items"
  on public.budget_items for delete
  to authenticated
  using (budget_id in (select private.managed_budget_ids()));

-- create_budget ---------------------------------------------------------------------------------

create function public.create_budget(
  space_id uuid,
  month_period date,
  framework text,
  total_income numeric,
  type text default 'master',
  name text default null
) returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  month_start date := date_trunc('month', month_period)::date;
  budget_name text := coalesce(nullif(btrim(name), ''),
                               case when type = 'master' then 'Budget ' else 'Project ' end || to_char(month_start, 'YYYY-MM'));
  income_cents bigint;
  type_shares numeric[];
  type_cents bigint[];
  new_budget uuid;
  kind record;
  item_cents bigint[];
  kinds text[] := array['needs', 'wants', 'savings'];
begin
  perform private.require_space_role(space_id, array['owner', 'admin']);

  if month_period is null then
    raise exception 'month_period is required (the first day of the month)' using errcode = '22023';
  end if;
  if framework is null or framework not in ('50_30_20', '60_20_20', 'zero_based', 'custom') then
    raise exception 'framework must be 50_30_20, 60_20_20, zero_based or custom' using errcode = '22023';
  end if;
  if type is null or type not in ('master', 'secondary') then
    raise exception 'type must be master or secondary' using errcode = '22023';
  end if;
  if total_income is null or total_income < 0 or total_income <> round(total_income, 2) then
    raise exception 'total_income must be zero or more, with at most 2 decimals' using errcode = '22023';
  end if;
  if exists (select 1 from public.budgets b
             where b.space_id = create_budget.space_id and b.type = create_budget.type and b.month_period = month_start) then
    raise exception 'this space already has a % budget for %', type, to_char(month_start, 'YYYY-MM')
      using errcode = 'PT409';
  end if;

  insert into public.budgets (space_id, name, type, month_period, framework, total_income)
  values (space_id, budget_name, type, month_start, framework, total_income)
  returning id into new_budget;

  if framework = 'custom' then
    return new_budget;
  end if;

  income_cents := (total_income * 100)::bigint;
  type_shares := case framework
    when '50_30_20' then array[50, 30, 20]
    when '60_20_20' then array[60, 20, 20]
    else array[0, 0, 0] -- zero_based: every item starts at 0, all income is "to assign"
  end;
  type_cents := case when framework = 'zero_based' then array[0, 0, 0]::bigint[]
                     else private.allocate_cents(income_cents, type_shares) end;

  for i in 1..3 loop
    select array_agg(c.weight_bp order by c.display_order) as weights,
           array_agg(c.key order by c.display_order) as keys
      into kind
      from private.default_categories c where c.category_type = kinds[i];
    item_cents := case when type_cents[i] = 0 then array_fill(0::bigint, array[cardinality(kind.keys)])
                       else private.allocate_cents(type_cents[i], kind.weights::numeric[]) end;
    insert into public.budget_items (budget_id, category, description, category_type, budgeted_amount, icon, color, display_order)
    select new_budget, c.key, c.label, c.category_type, item_cents[k.ord] / 100.0, c.icon, c.color, c.display_order
      from unnest(kind.keys) with ordinality as k(key, ord)
      join private.default_categories c on c.key = k.key;
  end loop;

  insert into public.budget_items (budget_id, category, description, category_type, budgeted_amount, icon, color, display_order)
  select new_budget, c.key, c.label, c.category_type, total_income, c.icon, c.color, c.display_order
    from private.default_categories c where c.category_type = 'income';

  return new_budget;
end
$$;
comment on function public.create_budget(uuid, date, text, numeric, text, text) is
  'Create a budget for the month of month_period with items from the framework (50_30_20, 60_20_20, zero_based: all items at 0, custom: no items). Admins and owners.';

-- copy_budget -----------------------------------------------------------------------------------

create function public.copy_budget(budget_id uuid, to_month date, rollover boolean default false) returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  source public.budgets;
  month_start date := date_trunc('month', to_month)::date;
  new_budget uuid;
begin
  select * into source from public.budgets b where b.id = copy_budget.budget_id;
  if source.id is null or source.space_id not in (select private.member_space_ids()) then
    raise exception 'budget not found' using errcode = 'PT404';
  end if;
  perform private.require_space_role(source.space_id, array['owner', 'admin']);
  if to_month is null then
    raise exception 'to_month is required' using errcode = '22023';
  end if;
  if month_start = source.month_period then
    raise exception 'to_month must be another month than the source budget''s' using errcode = '22023';
  end if;
  if exists (select 1 from public.budgets b
             where b.space_id = source.space_id and b.type = source.type and b.month_period = month_start) then
    raise exception 'this space already has a % budget for %', source.type, to_char(month_start, 'YYYY-MM')
      using errcode = 'PT409';
  end if;

  insert into public.budgets (space_id, name, description, type, month_period, framework, total_income)
  values (source.space_id,
          case when source.name = 'Budget ' || to_char(source.month_period, 'YYYY-MM')
               then 'Budget ' || to_char(month_start, 'YYYY-MM') else source.name end,
          source.description, source.type, month_start, source.framework, source.total_income)
  returning id into new_budget;

  -- Rollover carries what was left unspent; overspending is not carried as debt.
  insert into public.budget_items (budget_id, category, description, category_type, budgeted_amount, icon, color, display_order)
  select new_budget, i.category, i.description, i.category_type,
         i.budgeted_amount + case when rollover and i.category_type <> 'income'
                                  then greatest(i.budgeted_amount - i.spent_amount, 0) else 0 end,
         i.icon, i.color, i.display_order
    from public.budget_items i
   where i.budget_id = source.id;

  return new_budget;
end
$$;
comment on function public.copy_budget(uuid, date, boolean) is
  'Copy a budget and its items to another month; with rollover each non-income item also gets its unspent amount (never negative). Admins and owners.';

revoke all on function public.create_budget(uuid, date, text, numeric, text, text), public.copy_budget(uuid, date, boolean)
  from public, anon;
grant execute on function public.create_budget(uuid, date, text, numeric, text, text), public.copy_budget(uuid, date, boolean)
  to authenticated;
