-- Expense splits: who owes the payer of an expense which part of it.
--
-- Payer: the person who recorded an expense (expenses.created_by) paid it. A
-- split says who owes the payer which part of it; the payer's own part (when
-- they are among the participants) is not a debt. Deleted accounts: like
-- expenses.created_by, split people become null; the rows stay (so sums still
-- hold) but no longer count in any balance (next migration).
--
-- Currency: a split is in its expense's own currency (expenses.currency), never
-- converted; balances and suggestions are per currency.
--
-- Exact sums: amounts are computed in integer cents with private.allocate_cents
-- (largest remainder), participants ordered by user id. Leftover cents that tie
-- (every equal split) go first to whoever has carried the least rounding in
-- the space and currency so far (expense_splits.rounding: each part minus its
-- exact share), then in turn from a start derived from the expense id; so over
-- many expenses everyone carries the extra cent about equally often and each
-- person's total stays within about a cent of their exact share, while an
-- expense split again with nothing else changed splits the same way. Splits
-- already stored never change (decision 0011). Every part is at least 0.01: an
-- amount too small to give everyone a cent is rejected (22023), never split
-- into zero debts. A deferred constraint trigger checks at commit that an
-- expense's splits add up to its amount, whatever wrote them (23514).
--
-- Amount edits: when an expense's amount changes and none of its splits is
-- paid, the splits are rescaled in proportion to their stored percentages
-- (their previous amounts when a percentage rounds to 0), percentages kept.
-- With a paid split the amount (or currency) cannot change, and the expense
-- cannot be deleted (that would erase the record of the payment): PT409.
-- Deleting the whole space still removes everything in it.
--
-- Clients never write expense_splits directly: split_expense and
-- mark_split_paid do the writing. Errors as in the membership RPCs: 22023 bad
-- input, PT403 not allowed, PT404 not found (or not yours to see), PT409
-- conflicts with the current state, PT410 inactive space.

-- expense_splits ----------------------------------------------------------------------------

create table public.expense_splits (
  id uuid primary key default gen_random_uuid(),
  expense_id uuid not null references public.expenses (id) on delete cascade,
  user_id uuid references public.users (id) on delete set null,
  amount numeric(12,2) not null,
  percentage numeric(5,2),
  is_paid boolean not null default false,
  paid_at timestamptz,
  payment_method text,
  payment_reference text,
  rounding numeric(8,6) not null default 0,
  created_at timestamptz not null default now(),
  constraint expense_splits_expense_id_user_id_key unique (expense_id, user_id),
  constraint expense_splits_rounding_range check (rounding > -1 and rounding < 1),
  constraint expense_splits_amount_positive check (amount > 0),
  constraint expense_splits_percentage_range check (percentage >= 0 and percentage <= 100),
  constraint expense_splits_paid_at_when_paid check (is_paid = (paid_at is not null)),
  constraint expense_splits_payment_method_length check (char_length(payment_method) <= 100),
  constraint expense_splits_payment_reference_length check (char_length(payment_reference) <= 200)
);

-- The unique (expense_id, user_id) index serves the expense_id foreign key and the policy.
create index idx_expense_splits_user_id on public.expense_splits (user_id);

comment on table public.expense_splits is
  'Who owes the payer of an expense (its creator) which part of it, in the expense''s currency. Written only by split_expense() and mark_split_paid(); the parts always add up to the expense amount.';
comment on column public.expense_splits.user_id is
  'The person who owes this part; an active member of the space when the split was made. The payer''s own part is not a debt. Null once their account is deleted: the part stays, so the expense still adds up, but counts in no balance.';
comment on column public.expense_splits.amount is
  'This person''s part in the expense''s currency; at least 0.01. The parts of an expense sum exactly to its amount (checked at commit).';
comment on column public.expense_splits.percentage is
  'The share of the expense this part represents, rounded to 2 decimals (as given in percentage mode); kept when the amount is rescaled.';
comment on column public.expense_splits.rounding is
  'This part minus its exact share of the expense, in cents (6 decimals, between -1 and 1): the rounding this person carried. Summed per person, space and currency, it decides who gets the next tied leftover cent.';
comment on column public.expense_splits.is_paid is
  'The debtor paid the payer this part (mark_split_paid). Paid parts no longer count in balances and freeze the expense''s amount and splits.';

-- Deferred check: splits sum to the expense amount ----------------------------------------

create function private.check_expense_split_sum() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  targets uuid[];
  target uuid;
  expense_amount numeric;
  split_sum numeric;
begin
  if tg_table_name = 'expenses' then
    targets := array[new.id];
  elsif tg_op = 'INSERT' then
    targets := array[new.expense_id];
  elsif tg_op = 'DELETE' then
    targets := array[old.expense_id];
  else
    -- An update may move a split to another expense: both must add up.
    targets := array[old.expense_id, new.expense_id];
  end if;
  foreach target in array targets loop
    select e.amount into expense_amount from public.expenses e where e.id = target;
    select sum(s.amount) into split_sum from public.expense_splits s where s.expense_id = target;
    if expense_amount is not null and split_sum is not null and split_sum <> expense_amount then
      raise exception 'the splits of expense % add up to %, not to its amount %', target, split_sum, expense_amount
        using errcode = '23514', hint = 'Re-split the expense with split_expense().';
    end if;
  end loop;
  return null;
end
$$;
comment on function private.check_expense_split_sum() is
  'Deferred constraint trigger: at commit, an expense with splits has splits that sum exactly to its amount (23514 otherwise).';
revoke execute on function private.check_expense_split_sum() from public;

create constraint trigger expense_splits_sum_matches_amount
  after insert or update of amount, expense_id or delete on public.expense_splits
  deferrable initially deferred
  for each row execute function private.check_expense_split_sum();

create constraint trigger expenses_splits_sum_matches_amount
  after update of amount on public.expenses
  deferrable initially deferred
  for each row execute function private.check_expense_split_sum();

-- Rounding carried so far ------------------------------------------------------------------

create function private.split_carried(expense_id uuid, people uuid[]) returns bigint[]
language sql stable
security definer
set search_path = ''
as $$
  -- Per person (in the order given): the rounding they carried over the other expenses of
  -- this expense's space and currency, in millionths of a cent (0 for nobody, or none yet).
  select array_agg(coalesce(c.micros, 0) order by p.o)
    from unnest(people) with ordinality as p(uid, o)
    left join lateral (
      select round(sum(s.rounding) * 1000000)::bigint as micros
        from public.expense_splits s
        join public.expenses e on e.id = s.expense_id
        join public.expenses this on this.id = split_carried.expense_id
       where s.user_id = p.uid and e.space_id = this.space_id and e.currency = this.currency and e.id <> this.id
    ) c on true
$$;
comment on function private.split_carried(uuid, uuid[]) is
  'For split_expense and amount edits: the rounding each person carried in the space and currency (other expenses), in millionths of a cent; the lowest gets the next tied leftover cent.';
revoke execute on function private.split_carried(uuid, uuid[]) from public;

-- Amount edits rescale unpaid splits -----------------------------------------------------------

create function private.rescale_expense_splits() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  split_ids uuid[];
  people uuid[];
  weights numeric[];
  parts bigint[];
begin
  if new.amount is not distinct from old.amount and new.currency is not distinct from old.currency then
    return null;
  end if;
  if exists (select 1 from public.expense_splits s where s.expense_id = new.id and s.is_paid) then
    raise exception 'this expense has paid splits; its amount and currency cannot change'
      using errcode = 'PT409', hint = 'Record a correcting expense or settlement instead.';
  end if;
  if new.amount is not distinct from old.amount then
    return null; -- a currency change alone: the same numbers in the new currency
  end if;

  -- Weights: the stored percentages (an equal split stays equal), else the previous amounts.
  select array_agg(s.id order by s.user_id, s.id), array_agg(s.user_id order by s.user_id, s.id),
         case when bool_and(s.percentage > 0) then array_agg(s.percentage order by s.user_id, s.id)
              else array_agg(s.amount order by s.user_id, s.id) end
    into split_ids, people, weights
    from public.expense_splits s
   where s.expense_id = new.id;
  if split_ids is null then
    return null;
  end if;

  parts := private.allocate_cents((new.amount * 100)::bigint, weights,
                                  private.leftover_rotation(new.id), private.split_carried(new.id, people));
  if 0 = any (parts) then
    raise exception '% is too small to keep % splits of at least 0.01', new.amount, cardinality(split_ids)
      using errcode = '22023', hint = 'Re-split the expense between fewer people first.';
  end if;
  update public.expense_splits s
     set amount = p.part_cents / 100.0,
         rounding = round(p.part_cents - (new.amount * 100) * p.weight / (select sum(w) from unnest(weights) w), 6)
    from unnest(split_ids, parts, weights) as p(split_id, part_cents, weight)
   where s.id = p.split_id;
  return null;
end
$$;
comment on function private.rescale_expense_splits() is
  'Trigger: a new expense amount rescales its unpaid splits (in proportion to their percentages, exact in cents); with a paid split the amount and currency are frozen (PT409).';
revoke execute on function private.rescale_expense_splits() from public;

create trigger expenses_rescale_splits
  after update of amount, currency on public.expenses
  for each row execute function private.rescale_expense_splits();

create function private.guard_paid_expense_delete() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Only the cascade of a deleted space may take a paid expense with it: by
  -- then the space row is gone. Whoever issues the delete, and from however
  -- deep a trigger, an expense of a space that still exists is kept.
  if exists (select 1 from public.expense_splits s where s.expense_id = old.id and s.is_paid)
     and exists (select 1 from public.spaces sp where sp.id = old.space_id) then
    raise exception 'this expense has paid splits; it cannot be deleted'
      using errcode = 'PT409', hint = 'Record a correcting expense or settlement instead.';
  end if;
  return old;
end
$$;
comment on function private.guard_paid_expense_delete() is
  'Trigger: an expense with a paid split cannot be deleted (PT409), so no payment record disappears; a deleted space still takes its expenses with it.';
revoke execute on function private.guard_paid_expense_delete() from public;

create trigger expenses_guard_paid_delete
  before delete on public.expenses
  for each row execute function private.guard_paid_expense_delete();

-- RLS: expense_splits ------------------------------------------------------------------------------

create function private.member_expense_ids() returns setof uuid
language sql stable
security definer
set search_path = ''
as $$
  select e.id from public.expenses e
  where e.space_id in (select private.member_space_ids())
$$;
comment on function private.member_expense_ids() is 'Expenses of the spaces the caller is an active member of.';
revoke execute on function private.member_expense_ids() from public;
-- RLS policies call it as the querying user.
grant execute on function private.member_expense_ids() to authenticated;

alter table public.expense_splits enable row level security;

revoke all on public.expense_splits from anon, authenticated, service_role;
grant select on public.expense_splits to authenticated;
grant select, insert, update, delete on public.expense_splits to service_role;

create policy "Members can read the splits of their space's expenses"
  on public.expense_splits for select
  to authenticated
  using (expense_id in (select private.member_expense_ids()));

-- split_expense ---------------------------------------------------------------------------------------

create function public.split_expense(expense_id uuid, mode text, parts jsonb)
returns setof public.expense_splits
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_user();
  target public.expenses;
  target_space uuid;
  caller_role text;
  ids uuid[];
  vals numeric[];
  n integer;
  value_sum numeric;
  cents bigint[];
  percents numeric[];
  roundings numeric[];
  missing uuid;
begin
  select e.space_id into target_space from public.expenses e where e.id = split_expense.expense_id;
  if target_space is null then
    raise exception 'expense not found' using errcode = 'PT404';
  end if;
  caller_role := private.require_space_role(target_space, array['owner', 'admin', 'member']);

  -- Serializes splits, payments and amount edits of this expense.
  select * into target from public.expenses e where e.id = split_expense.expense_id for update;
  if target.id is null then
    raise exception 'expense not found' using errcode = 'PT404';
  end if;
  if caller_role = 'member' and target.created_by is distinct from caller then
    raise exception 'members split only the expenses they paid; admins and owners split any'
      using errcode = 'PT403';
  end if;

  -- Parse the parts into (user id, value), ordered by user id.
  if mode is null or mode not in ('equal', 'exact', 'percentage', 'shares') then
    raise exception 'mode must be equal, exact, percentage or shares' using errcode = '22023';
  end if;
  if mode = 'equal' then
    if jsonb_typeof(parts) is distinct from 'array' then
      raise exception 'equal mode takes a JSON array of user ids' using errcode = '22023';
    end if;
    if exists (select 1 from jsonb_array_elements(parts) x where jsonb_typeof(x) <> 'string') then
      raise exception 'equal mode takes a JSON array of user ids' using errcode = '22023';
    end if;
  else
    if jsonb_typeof(parts) is distinct from 'object' then
      raise exception '% mode takes a JSON object of user id -> number', mode using errcode = '22023';
    end if;
    if exists (select 1 from jsonb_each(parts) x where jsonb_typeof(x.value) not in ('number', 'string')) then
      raise exception '% mode takes a JSON object of user id -> number', mode using errcode = '22023';
    end if;
  end if;
  begin
    if mode = 'equal' then
      select array_agg(p.uid order by p.uid), array_agg(1::numeric order by p.uid), count(distinct p.uid)
        into ids, vals, n
        from (select (x #>> '{}')::uuid as uid from jsonb_array_elements(parts) x) p;
    else
      select array_agg(p.uid order by p.uid), array_agg(p.val order by p.uid), count(distinct p.uid)
        into ids, vals, n
        from (select x.key::uuid as uid, (x.value #>> '{}')::numeric as val from jsonb_each(parts) x) p;
    end if;
  exception
    when invalid_text_representation then
      raise exception 'parts must name people by user id and give numbers (%)', sqlerrm using errcode = '22023';
  end;

  if ids is null then
    raise exception 'a split needs at least one person' using errcode = '22023';
  end if;
  if n <> cardinality(ids) then
    raise exception 'each person can appear only once in a split' using errcode = '22023';
  end if;
  select u into missing from unnest(ids) u
   where not exists (select 1 from public.space_members m
                      where m.space_id = target.space_id and m.user_id = u and m.is_active)
   order by u limit 1;
  if missing is not null then
    raise exception 'user % is not an active member of this space', missing using errcode = '22023';
  end if;
  -- NaN compares above every number in Postgres, so it fails the upper bound.
  if exists (select 1 from unnest(vals) v where v is null or not (v > 0 and v < 10000000000)) then
    raise exception 'every % must be greater than 0 (and below 10 billion)',
      case mode when 'exact' then 'amount' when 'percentage' then 'percentage' else 'share' end
      using errcode = '22023';
  end if;

  value_sum := (select sum(v) from unnest(vals) v);
  if mode = 'exact' then
    if exists (select 1 from unnest(vals) v where v <> round(v, 2)) then
      raise exception 'exact amounts have at most 2 decimals' using errcode = '22023';
    end if;
    if value_sum <> target.amount then
      raise exception 'exact amounts add up to %, not to the expense amount %', value_sum, target.amount
        using errcode = '22023';
    end if;
    cents := (select array_agg((v * 100)::bigint order by o) from unnest(vals) with ordinality as x(v, o));
    percents := (select array_agg(round(v * 100 / target.amount, 2) order by o) from unnest(vals) with ordinality as x(v, o));
    roundings := array_fill(0::numeric, array[cardinality(ids)]);
  elsif mode = 'percentage' then
    if exists (select 1 from unnest(vals) v where v <> round(v, 2) or v > 100) then
      raise exception 'percentages are at most 100, with at most 2 decimals' using errcode = '22023';
    end if;
    if value_sum <> 100 then
      raise exception 'percentages add up to %, not to 100', value_sum using errcode = '22023';
    end if;
    cents := private.allocate_cents((target.amount * 100)::bigint, vals,
                                    private.leftover_rotation(target.id), private.split_carried(target.id, ids));
    percents := vals;
  else -- equal (every weight 1) and shares
    cents := private.allocate_cents((target.amount * 100)::bigint, vals,
                                    private.leftover_rotation(target.id), private.split_carried(target.id, ids));
    percents := (select array_agg(round(v * 100 / value_sum, 2) order by o) from unnest(vals) with ordinality as x(v, o));
  end if;
  if roundings is null then
    roundings := (select array_agg(round(x.c - (target.amount * 100) * x.v / value_sum, 6) order by x.o)
                    from unnest(cents, vals) with ordinality as x(c, v, o));
  end if;

  if 0 = any (cents) then
    raise exception '% cannot be split this way between % people: every part must be at least 0.01',
      target.amount, cardinality(ids) using errcode = '22023';
  end if;

  if exists (select 1 from public.expense_splits s where s.expense_id = target.id and s.is_paid) then
    raise exception 'some splits of this expense are paid; they cannot be replaced' using errcode = 'PT409';
  end if;

  delete from public.expense_splits s where s.expense_id = target.id;
  insert into public.expense_splits (expense_id, user_id, amount, percentage, rounding)
  select target.id, x.uid, x.c / 100.0, x.p, x.r
    from unnest(ids, cents, percents, roundings) as x(uid, c, p, r);

  return query
    select s.* from public.expense_splits s where s.expense_id = target.id order by s.user_id;
end
$$;
comment on function public.split_expense(uuid, text, jsonb) is
  'Replace an expense''s splits: mode equal, parts [user ids]; exact {user id: amount}; percentage {user id: percent, adding up to 100}; shares {user id: weight}. Exact in cents; tied leftover cents to whoever carried the least rounding in the space and currency, then in turn from a start derived from the expense id. The payer (its creator, as member/admin/owner) or an admin/owner.';

-- mark_split_paid -------------------------------------------------------------------------------------

create function public.mark_split_paid(split_id uuid, payment_method text default null, payment_reference text default null)
returns public.expense_splits
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_user();
  split public.expense_splits;
  expense public.expenses;
  result public.expense_splits;
begin
  select * into split from public.expense_splits s where s.id = mark_split_paid.split_id;
  select * into expense from public.expenses e where e.id = split.expense_id;
  if split.id is null or expense.id is null or expense.space_id not in (select private.member_space_ids()) then
    raise exception 'split not found' using errcode = 'PT404';
  end if;
  perform private.require_space_role(expense.space_id, array['owner', 'admin', 'member', 'viewer']);

  -- Same lock order as split_expense and amount edits: the expense, then the split.
  perform 1 from public.expenses e where e.id = expense.id for share;
  select * into split from public.expense_splits s where s.id = mark_split_paid.split_id for update;
  if split.id is null then
    raise exception 'split not found' using errcode = 'PT404';
  end if;

  if caller is distinct from split.user_id and caller is distinct from expense.created_by then
    raise exception 'only the person who owes this part or the payer can mark it paid' using errcode = 'PT403';
  end if;
  if split.user_id is not distinct from expense.created_by then
    raise exception 'this is the payer''s own part; there is nothing to pay' using errcode = 'PT409';
  end if;
  if split.is_paid then
    raise exception 'this split is already paid' using errcode = 'PT409';
  end if;
  if char_length(payment_method) > 100 or char_length(payment_reference) > 200 then
    raise exception 'payment_method is at most 100 characters, payment_reference at most 200' using errcode = '22023';
  end if;

  update public.expense_splits s
     set is_paid = true,
         paid_at = now(),
         payment_method = nullif(btrim(mark_split_paid.payment_method), ''),
         payment_reference = nullif(btrim(mark_split_paid.payment_reference), '')
   where s.id = split.id
  returning s.* into result;
  return result;
end
$$;
comment on function public.mark_split_paid(uuid, text, text) is
  'Mark a split paid now: the person who owes it or the payer. PT409 when already paid or when it is the payer''s own part.';

-- Grants: signed-in users only ------------------------------------------------------------------------------

revoke all on function
  public.split_expense(uuid, text, jsonb),
  public.mark_split_paid(uuid, text, text)
from public, anon;

grant execute on function
  public.split_expense(uuid, text, jsonb),
  public.mark_split_paid(uuid, text, text)
to authenticated;
