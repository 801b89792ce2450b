-- Settlements, balances and settlement suggestions.
--
-- A settlement is money one person gave another to settle what they owe in a
-- space. It counts once the person who received it agrees: recorded by the
-- receiver it is confirmed at once; recorded by the payer (or an admin) it is
-- pending until the receiver, an admin or an owner confirms or declines it
-- (confirm_settlement, decline_settlement). Declined ones are kept, marked.
-- Balances add up the unpaid splits of the previous migration and the
-- confirmed settlements, per person and currency (kept by triggers in
-- private.balance_totals), and list the pending ones
-- beside them; suggestions bring every balance to 0 with the fewest transfers
-- (decision 0006). Deleted accounts: people become null; the rows stay but
-- count in no balance.
-- Errors as in the membership RPCs: 22023 bad input, PT403 not allowed, PT404
-- not found (or not yours to see), PT410 inactive space.

-- settlements --------------------------------------------------------------------------------------

create table public.settlements (
  id uuid primary key default gen_random_uuid(),
  space_id uuid not null references public.spaces (id) on delete cascade,
  from_user uuid references public.users (id) on delete set null,
  to_user uuid references public.users (id) on delete set null,
  amount numeric(12,2) not null,
  currency text not null,
  note text,
  created_by uuid references public.users (id) on delete set null,
  created_at timestamptz not null default now(),
  status text not null default 'pending',
  decided_by uuid references public.users (id) on delete set null,
  decided_at timestamptz,
  constraint settlements_amount_positive check (amount > 0),
  constraint settlements_status_check check (status in ('pending', 'confirmed', 'declined')),
  constraint settlements_decided_at_when_decided check ((status = 'pending') = (decided_at is null)),
  constraint settlements_from_user_differs_from_to_user check (from_user <> to_user),
  constraint settlements_currency_format check (currency ~ '^[A-Z]{3}$'),
  constraint settlements_note_length check (char_length(note) <= 500)
);

create index idx_settlements_space_currency on public.settlements (space_id, currency);
create index idx_settlements_from_user on public.settlements (from_user);
create index idx_settlements_to_user on public.settlements (to_user);
create index idx_settlements_created_by on public.settlements (created_by);
create index idx_settlements_decided_by on public.settlements (decided_by);

comment on table public.settlements is
  'Money one person gave another to settle what they owe in a space, in one currency. Recorded with record_settlement() by either party or an admin/owner; counts in balances only once confirmed (at once when the receiver records it, else confirm_settlement() by the receiver or an admin/owner); declined ones are kept. Never edited otherwise; admins and owners delete mistaken ones.';
comment on column public.settlements.from_user is
  'Who paid (the debtor); a member of the space, active or former: debts outlive membership. Their balance goes up by amount. Null once their account is deleted; the settlement then counts in no balance.';
comment on column public.settlements.to_user is
  'Who received the money (the creditor); a member of the space, active or former. Their balance goes down by amount. Null once their account is deleted.';
comment on column public.settlements.currency is 'ISO 4217 currency of the amount; balances are per currency.';
comment on column public.settlements.created_by is 'Who recorded the settlement; set by record_settlement().';
comment on column public.settlements.status is
  'pending: recorded by someone other than the receiver, waiting for the receiver (or an admin/owner) to confirm; confirmed: counts in balances; declined: the receiver (or an admin/owner, or whoever recorded it) said it did not happen. Kept, counted nowhere.';
comment on column public.settlements.decided_by is 'Who confirmed or declined it (the receiver when they recorded it themselves); null while pending or once their account is deleted.';
comment on column public.settlements.decided_at is 'When it was confirmed or declined; null exactly while pending.';

alter table public.settlements enable row level security;

revoke all on public.settlements from anon, authenticated, service_role;
grant select, delete on public.settlements to authenticated;
grant select, insert, update, delete on public.settlements to service_role;

create policy "Members can read their space's settlements"
  on public.settlements for select
  to authenticated
  using (space_id in (select private.member_space_ids()));

create policy "Admins and owners can delete mistaken settlements"
  on public.settlements for delete
  to authenticated
  using (space_id in (select private.managed_space_ids()));

-- Balances ---------------------------------------------------------------------------------------------

-- Balances are kept, not recomputed: private.balance_totals holds, per space, currency and
-- person, the sum of their entries (unpaid splits, as debtor and as payer, and confirmed
-- settlements) and how many entries there are; triggers on expense_splits, expenses and
-- settlements add each change as a delta, so space_balances reads one row per person
-- instead of aggregating every unpaid split (issue 9: 50 members, 5,000 unpaid splits).
-- A row exists exactly while its person has an entry, as the aggregation it replaces gave
-- them a row (zeros included). No foreign keys: rows leave when their last entry does,
-- also when a space or an account is deleted and its rows cascade or are set null.

create table private.balance_totals (
  space_id uuid not null,
  currency text not null,
  user_id uuid not null,
  balance numeric(14,2) not null,
  entries integer not null,
  constraint balance_totals_pkey primary key (space_id, currency, user_id)
);
comment on table private.balance_totals is
  'Kept by triggers: per space, currency and person, the balance over unpaid splits and confirmed settlements (positive: owed to them) and the number of those entries. Read by private.space_balances; checked against a recomputation by the tests.';

-- No row-level security: like private.idempotency_keys, no API role can reach it at all.
revoke all on private.balance_totals from public, anon, authenticated, service_role;

create function private.add_balance_deltas(
  spaces uuid[], currencies text[], people uuid[], amounts numeric[], counts integer[]
) returns void
language plpgsql
security definer
set search_path = ''
as $$
-- Adds each (space, currency, person) delta of amount and entry count, in key order (so
-- concurrent writers lock rows in the same order), and drops rows left with no entry.
begin
  with summed as (
    select d.s, d.c, d.u, sum(d.a) as a, sum(d.n)::integer as n
      from unnest(spaces, currencies, people, amounts, counts) as d(s, c, u, a, n)
     where d.u is not null
     group by d.s, d.c, d.u
    having sum(d.a) <> 0 or sum(d.n) <> 0
  )
  insert into private.balance_totals as t (space_id, currency, user_id, balance, entries)
  select summed.s, summed.c, summed.u, summed.a, summed.n from summed order by summed.s, summed.c, summed.u
  on conflict (space_id, currency, user_id)
  do update set balance = t.balance + excluded.balance, entries = t.entries + excluded.entries;
  -- (A check constraint cannot say entries >= 0: INSERT ... ON CONFLICT checks the row it
  -- would insert, the bare delta, before it finds the row to update.)
  if exists (select 1 from private.balance_totals t where t.space_id = any (spaces) and t.entries < 0) then
    raise exception 'balance totals out of step with the splits and settlements' using errcode = 'XX000';
  end if;
  delete from private.balance_totals t
   where t.entries = 0 and t.space_id = any (spaces);
end
$$;
comment on function private.add_balance_deltas(uuid[], text[], uuid[], numeric[], integer[]) is
  'For the balance triggers: adds per-person deltas to private.balance_totals in key order and drops rows with no entry left.';
revoke execute on function private.add_balance_deltas(uuid[], text[], uuid[], numeric[], integer[]) from public;

create function private.split_balance_entries() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
-- Statement trigger on expense_splits: every unpaid split of a known payer and debtor (not
-- the payer's own part) is an entry of -amount for the debtor and +amount for the payer.
-- Old rows count -1, new rows +1. A split whose expense is gone (the expense's delete
-- cascading) was already taken out by expenses_balance_before_delete.
declare
  expense_ids uuid[]; debtors uuid[]; amounts numeric[]; paid boolean[]; signs integer[];
  s uuid[]; c text[]; u uuid[]; a numeric[]; n integer[];
begin
  if tg_op <> 'INSERT' then
    select array_agg(o.expense_id), array_agg(o.user_id), array_agg(o.amount), array_agg(o.is_paid), array_agg(-1)
      into expense_ids, debtors, amounts, paid, signs
      from old_rows o;
  end if;
  if tg_op <> 'DELETE' then
    select expense_ids || array_agg(w.expense_id), debtors || array_agg(w.user_id), amounts || array_agg(w.amount),
           paid || array_agg(w.is_paid), signs || array_agg(1)
      into expense_ids, debtors, amounts, paid, signs
      from new_rows w;
  end if;
  select array_agg(e.space_id), array_agg(e.currency), array_agg(side.user_id), array_agg(side.amount * x.sign), array_agg(x.sign)
    into s, c, u, a, n
    from unnest(expense_ids, debtors, amounts, paid, signs) as x(expense_id, user_id, amount, is_paid, sign)
    join public.expenses e on e.id = x.expense_id
    cross join lateral (values (x.user_id, -x.amount), (e.created_by, x.amount)) as side(user_id, amount)
   where not x.is_paid and x.user_id is not null and e.created_by is not null and x.user_id <> e.created_by;
  if s is not null then
    perform private.add_balance_deltas(s, c, u, a, n);
  end if;
  return null;
end
$$;
comment on function private.split_balance_entries() is
  'Trigger: keeps private.balance_totals in step with inserted, updated and deleted expense splits.';
revoke execute on function private.split_balance_entries() from public;

create function private.expense_balance_entries() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
-- Row trigger on expenses. Before a delete: takes the expense's entries out (its splits
-- are about to cascade, and their own trigger no longer sees the expense). After a change
-- of payer, currency or space: moves its entries from the old to the new. It runs before
-- expenses_rescale_splits (trigger names fire in order), so it moves the splits' amounts as
-- they were; the rescale's own split updates then change them under the new currency.
declare
  s uuid[]; c text[]; u uuid[]; a numeric[]; n integer[];
begin
  if tg_op = 'UPDATE' and new.created_by is not distinct from old.created_by
     and new.currency is not distinct from old.currency and new.space_id is not distinct from old.space_id then
    return null;
  end if;
  with versions as (
    select old.space_id, old.currency, old.created_by as payer, -1 as sign
    union all
    select new.space_id, new.currency, new.created_by, 1 where tg_op = 'UPDATE'
  ), entries as (
    select v.space_id, v.currency, side.user_id, side.amount * v.sign as amount, v.sign
      from versions v
      cross join public.expense_splits x
      cross join lateral (values (x.user_id, -x.amount), (v.payer, x.amount)) as side(user_id, amount)
     where x.expense_id = old.id and not x.is_paid and x.user_id is not null and v.payer is not null and x.user_id <> v.payer
  )
  select array_agg(en.space_id), array_agg(en.currency), array_agg(en.user_id), array_agg(en.amount), array_agg(en.sign)
    into s, c, u, a, n
    from entries en;
  if s is not null then
    perform private.add_balance_deltas(s, c, u, a, n);
  end if;
  if tg_op = 'DELETE' then
    return old;
  end if;
  return null;
end
$$;
comment on function private.expense_balance_entries() is
  'Trigger: takes a deleted expense''s entries out of private.balance_totals, and moves them when its payer, currency or space changes.';
revoke execute on function private.expense_balance_entries() from public;

create function private.settlement_balance_entries() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
-- Statement trigger on settlements: a confirmed settlement between two known people is an
-- entry of +amount for the payer and -amount for the receiver. Old rows count -1, new +1.
declare
  spaces uuid[]; currencies text[]; payers uuid[]; receivers uuid[]; amounts numeric[]; statuses text[]; signs integer[];
  s uuid[]; c text[]; u uuid[]; a numeric[]; n integer[];
begin
  if tg_op <> 'INSERT' then
    select array_agg(o.space_id), array_agg(o.currency), array_agg(o.from_user), array_agg(o.to_user), array_agg(o.amount),
           array_agg(o.status), array_agg(-1)
      into spaces, currencies, payers, receivers, amounts, statuses, signs
      from old_rows o;
  end if;
  if tg_op <> 'DELETE' then
    select spaces || array_agg(w.space_id), currencies || array_agg(w.currency), payers || array_agg(w.from_user),
           receivers || array_agg(w.to_user), amounts || array_agg(w.amount), statuses || array_agg(w.status), signs || array_agg(1)
      into spaces, currencies, payers, receivers, amounts, statuses, signs
      from new_rows w;
  end if;
  select array_agg(x.space_id), array_agg(x.currency), array_agg(side.user_id), array_agg(side.amount * x.sign), array_agg(x.sign)
    into s, c, u, a, n
    from unnest(spaces, currencies, payers, receivers, amounts, statuses, signs)
           as x(space_id, currency, from_user, to_user, amount, status, sign)
    cross join lateral (values (x.from_user, x.amount), (x.to_user, -x.amount)) as side(user_id, amount)
   where x.status = 'confirmed' and x.from_user is not null and x.to_user is not null;
  if s is not null then
    perform private.add_balance_deltas(s, c, u, a, n);
  end if;
  return null;
end
$$;
comment on function private.settlement_balance_entries() is
  'Trigger: keeps private.balance_totals in step with confirmed settlements (recorded, confirmed, deleted, or a person set null).';
revoke execute on function private.settlement_balance_entries() from public;

create trigger expense_splits_balance_insert
  after insert on public.expense_splits
  referencing new table as new_rows
  for each statement execute function private.split_balance_entries();
create trigger expense_splits_balance_update
  after update on public.expense_splits
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.split_balance_entries();
create trigger expense_splits_balance_delete
  after delete on public.expense_splits
  referencing old table as old_rows
  for each statement execute function private.split_balance_entries();
create trigger expenses_balance_before_delete
  before delete on public.expenses
  for each row execute function private.expense_balance_entries();
create trigger expenses_balance_move
  after update of created_by, currency, space_id on public.expenses
  for each row execute function private.expense_balance_entries();
create trigger settlements_balance_insert
  after insert on public.settlements
  referencing new table as new_rows
  for each statement execute function private.settlement_balance_entries();
create trigger settlements_balance_update
  after update on public.settlements
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.settlement_balance_entries();
create trigger settlements_balance_delete
  after delete on public.settlements
  referencing old table as old_rows
  for each statement execute function private.settlement_balance_entries();

create function private.space_balances(target_space uuid)
returns table (user_id uuid, currency text, balance numeric)
language sql stable
security definer
set search_path = ''
as $$
  -- Positive: the person is owed money; negative: they owe. Sums to 0 per currency.
  select t.user_id, t.currency, t.balance from private.balance_totals t where t.space_id = target_space
$$;
comment on function private.space_balances(uuid) is
  'Per person and currency: owed minus owing over unpaid splits (the payer''s own part excluded) and confirmed settlements, as kept in private.balance_totals.';
revoke execute on function private.space_balances(uuid) from public;

create function public.space_balances(space_id uuid)
returns table (user_id uuid, currency text, balance numeric, pending_paid numeric, pending_received numeric)
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  if space_balances.space_id is null or space_balances.space_id not in (select private.member_space_ids()) then
    raise exception 'space not found' using errcode = 'PT404';
  end if;
  return query
    with pending as (
      select side.user_id, st.currency, sum(side.paid)::numeric(14,2) as paid, sum(side.received)::numeric(14,2) as received
        from public.settlements st
        cross join lateral (values (st.from_user, st.amount, 0::numeric), (st.to_user, 0::numeric, st.amount)) as side(user_id, paid, received)
       where st.space_id = space_balances.space_id and st.status = 'pending' and st.from_user is not null and st.to_user is not null
       group by side.user_id, st.currency
    )
    select coalesce(b.user_id, p.user_id), coalesce(b.currency, p.currency), coalesce(b.balance, 0)::numeric(14,2),
           coalesce(p.paid, 0)::numeric(14,2), coalesce(p.received, 0)::numeric(14,2)
      from private.space_balances(space_balances.space_id) b
      full join pending p on p.user_id = b.user_id and p.currency = b.currency
     order by 2, 1;
end
$$;
comment on function public.space_balances(uuid) is
  'Each person''s balance per currency in a space: positive is owed to them, negative they owe; every currency sums to 0. Confirmed repayments only; pending_paid and pending_received are the repayments from and to them waiting for the receiver''s confirmation. Active members only.';

-- suggest_settlements --------------------------------------------------------------------------------------

create function private.walk_transfers(labels integer[], ranks integer[], balances bigint[])
returns table (label integer, from_rank integer, to_rank integer, cents bigint)
language plpgsql immutable
set search_path = ''
as $$
-- The walk, for each group (people with the same label; each group sums to 0) on its own:
-- debtors and creditors, each in rank order, lay their amounts end to end on two lines of
-- the same length; each overlap of a debtor's stretch with a creditor's is one transfer. At
-- most debtors + creditors - 1 of them. Recording one shrinks both stretches by the same
-- amount, so every other overlap keeps its size: the rest stay the same. One pass, two
-- pointers: the next overlap ends where the current debtor's or creditor's stretch does.
declare
  debtor_labels integer[]; debtor_ranks integer[]; owes bigint[];
  creditor_labels integer[]; creditor_ranks integer[]; owed bigint[];
  i integer := 1;
  j integer := 1;
  debt bigint;
  due bigint;
  part bigint;
begin
  select array_agg(x.l order by x.l, x.r), array_agg(x.r order by x.l, x.r), array_agg(-x.b order by x.l, x.r)
    into debtor_labels, debtor_ranks, owes
    from unnest(labels, ranks, balances) as x(l, r, b) where x.b < 0;
  select array_agg(x.l order by x.l, x.r), array_agg(x.r order by x.l, x.r), array_agg(x.b order by x.l, x.r)
    into creditor_labels, creditor_ranks, owed
    from unnest(labels, ranks, balances) as x(l, r, b) where x.b > 0;
  if debtor_labels is null or creditor_labels is null then
    return;
  end if;
  debt := owes[1];
  due := owed[1];
  while i <= cardinality(debtor_labels) and j <= cardinality(creditor_labels) loop
    if debtor_labels[i] < creditor_labels[j] then
      i := i + 1;
      debt := owes[i];
    elsif debtor_labels[i] > creditor_labels[j] then
      j := j + 1;
      due := owed[j];
    else
      part := least(debt, due);
      label := debtor_labels[i];
      from_rank := debtor_ranks[i];
      to_rank := creditor_ranks[j];
      cents := part;
      return next;
      debt := debt - part;
      due := due - part;
      if debt = 0 then
        i := i + 1;
        debt := owes[i];
      end if;
      if due = 0 then
        j := j + 1;
        due := owed[j];
      end if;
    end if;
  end loop;
end
$$;
comment on function private.walk_transfers(integer[], integer[], bigint[]) is
  'The walk behind settle-up suggestions (the whole algorithm before issue 9; now how each zero-sum group is settled), per label: debtors and creditors in rank order, end to end; each overlap is one transfer.';
revoke execute on function private.walk_transfers(integer[], integer[], bigint[]) from public;

create function private.transfer_key(from_rank integer, to_rank integer, cents bigint) returns numeric
language sql immutable
set search_path = ''
as $$
  -- (from rank, to rank, cents) as one number that sorts the same way (ranks at most 15).
  select (from_rank * 16 + to_rank)::numeric * 1000000000000000 + cents
$$;
comment on function private.transfer_key(integer, integer, bigint) is
  'A transfer''s tie-break key in private.suggest_transfers: (from rank, to rank, cents) as one sortable number.';
revoke execute on function private.transfer_key(integer, integer, bigint) from public;

create function private.plan_keys(group_keys jsonb, plan_choice integer[], first_group integer, rest integer)
returns numeric[]
language plpgsql immutable
set search_path = ''
as $$
-- private.suggest_transfers' tie-break: the transfer keys of a plan (first_group, then the
-- chosen groups of rest, one after the other), sorted descending.
declare
  chosen integer[] := array[first_group];
  left_over integer := rest;
begin
  while left_over <> 0 loop
    chosen := chosen || plan_choice[left_over + 1];
    left_over := left_over # plan_choice[left_over + 1];
  end loop;
  return array(
    select k.value::numeric
      from unnest(chosen) c, jsonb_array_elements_text(group_keys -> c::text) k
     order by 1 desc);
end
$$;
comment on function private.plan_keys(jsonb, integer[], integer, integer) is
  'Tie-break helper of private.suggest_transfers: the sorted transfer keys of a partition into zero-sum groups.';
revoke execute on function private.plan_keys(jsonb, integer[], integer, integer) from public;

-- The twin of suggestTransfers in @wallai/domain (packages/domain/src/settlements.ts): the
-- same answer on the same balances, checked by its parity test. Decision 0006 has the why.
create function private.suggest_transfers(people uuid[], balances bigint[])
returns table (from_user uuid, to_user uuid, cents bigint)
language plpgsql immutable
set search_path = ''
as $$
-- people: everyone with a balance in one currency, zeros included (a settled person keeps
-- their rank); balances: theirs in cents, summing to 0. Ranks: 1, 2, ... in user-id order.
--
-- Up to 10 people, exact: the partition of the nonzero balances into the most zero-sum
-- groups (fewest transfers), then the least cost, a transfer of x cents from rank i to
-- rank j costing -(i * j * x), then the smaller list of transfer keys sorted descending;
-- each group settled by the walk (the cheapest way to settle it under that cost).
-- Above, the walk: a search for cancellations on the balances as they are would also find
-- the ones a recorded payment creates and reshuffle the list; the walk stays stable.
declare
  exact_limit constant integer := 10;
  ids uuid[];
  vals bigint[];
  nz integer[];
  m integer;
  minimal integer[];       -- minimal zero-sum groups (bit b = nz[b + 1]), by lowest bit
  first_of integer[];      -- per bit: the first index in minimal whose lowest bit it is
  zero_sets integer[];
  group_cost numeric[];
  group_keys jsonb;
  plan_groups integer[];
  plan_cost numeric[];
  plan_choice integer[];
  labels integer[];
  mask integer;
  rest integer;
  low integer;
  g integer;
  i integer;
  cand_groups integer;
  cand_cost numeric;
begin
  select array_agg(x.id order by x.id), array_agg(x.c order by x.id)
    into ids, vals
    from unnest(people, balances) as x(id, c);
  if ids is null then
    return;
  end if;
  if (select sum(v) from unnest(vals) v) <> 0 then
    raise exception 'balances must sum to 0' using errcode = '22023';
  end if;
  select array_agg(x.o order by x.o) into nz from unnest(vals) with ordinality as x(v, o) where x.v <> 0;
  m := coalesce(cardinality(nz), 0);
  if m = 0 then
    return;
  end if;
  labels := array_fill(0, array[cardinality(ids)]);

  if cardinality(ids) <= exact_limit then
    -- Every zero-sum subset of the nonzero people, and the minimal ones (no zero-sum part
    -- of their own), each minimal one settled by the walk: its cost and its keys.
    with subsets as (
      select s.mask from generate_series(1, (1 << m) - 1) s(mask)
        join generate_series(0, m - 1) b on s.mask & (1 << b) <> 0
       group by s.mask having sum(vals[nz[b + 1]]) = 0
    )
    select array_agg(z.mask order by z.mask) into zero_sets from subsets z;
    select array_agg(z order by z & -z, z) into minimal
      from unnest(zero_sets) z
     where not exists (select 1 from unnest(zero_sets) y where y <> z and y & z = y);
    first_of := array_fill(null::integer, array[m + 1]);
    for i in reverse cardinality(minimal)..1 loop
      g := minimal[i] & -minimal[i];
      low := 0;
      while (1 << low) <> g loop
        low := low + 1;
      end loop;
      first_of[low + 1] := i;
    end loop;
    group_cost := array_fill(null::numeric, array[(1 << m)]);
    for g, cand_cost in
      select w.label, sum(-(w.from_rank::numeric * w.to_rank * w.cents))
        from unnest(minimal) grp,
             private.walk_transfers(array(select case when grp & (1 << (b - 1)) <> 0 then grp else 0 end
                                            from generate_series(1, m) b),
                                    nz, array(select vals[r] from unnest(nz) r)) w
       where w.label = grp
       group by w.label
    loop
      group_cost[g + 1] := cand_cost;
    end loop;
    select jsonb_object_agg(k.label, k.keys) into group_keys
      from (select w.label, jsonb_agg(private.transfer_key(w.from_rank, w.to_rank, w.cents)
                                      order by private.transfer_key(w.from_rank, w.to_rank, w.cents) desc) as keys
              from unnest(minimal) grp,
                   private.walk_transfers(array(select case when grp & (1 << (b - 1)) <> 0 then grp else 0 end
                                                  from generate_series(1, m) b),
                                          nz, array(select vals[r] from unnest(nz) r)) w
             where w.label = grp
             group by w.label) k;

    -- The best plan of every zero-sum set, smallest masks first: the minimal group of its
    -- lowest person, and the best plan of what is left. Keys are compared only on a tie.
    plan_groups := array_fill(null::integer, array[(1 << m)]);
    plan_cost := array_fill(null::numeric, array[(1 << m)]);
    plan_choice := array_fill(null::integer, array[(1 << m)]);
    foreach mask in array zero_sets loop
      low := 0;
      while mask & (1 << low) = 0 loop
        low := low + 1;
      end loop;
      i := first_of[low + 1];
      while i is not null and i <= cardinality(minimal) and minimal[i] & (1 << low) <> 0 and minimal[i] & -minimal[i] = (1 << low) loop
        g := minimal[i];
        i := i + 1;
        continue when g & mask <> g;
        rest := mask # g;
        continue when rest <> 0 and plan_groups[rest + 1] is null;
        cand_groups := 1 + coalesce(plan_groups[rest + 1], 0);
        cand_cost := group_cost[g + 1] + coalesce(plan_cost[rest + 1], 0);
        if plan_groups[mask + 1] is null
           or cand_groups > plan_groups[mask + 1]
           or (cand_groups = plan_groups[mask + 1] and cand_cost < plan_cost[mask + 1])
           or (cand_groups = plan_groups[mask + 1] and cand_cost = plan_cost[mask + 1]
               and private.plan_keys(group_keys, plan_choice, g, rest)
                   < private.plan_keys(group_keys, plan_choice, plan_choice[mask + 1], mask # plan_choice[mask + 1])) then
          plan_groups[mask + 1] := cand_groups;
          plan_cost[mask + 1] := cand_cost;
          plan_choice[mask + 1] := g;
        end if;
      end loop;
    end loop;

    -- Label everyone with their group in the best plan of the whole set.
    mask := (1 << m) - 1;
    while mask <> 0 loop
      g := plan_choice[mask + 1];
      for i in 0..m - 1 loop
        if g & (1 << i) <> 0 then
          labels[nz[i + 1]] := g;
        end if;
      end loop;
      mask := mask # g;
    end loop;
  end if;
  -- Above the limit every label stays 0: the walk over everyone (decision 0006).

  return query
    select ids[w.from_rank], ids[w.to_rank], w.cents
      from private.walk_transfers(labels, array(select generate_series(1, cardinality(ids))), vals) w
     order by w.from_rank, w.to_rank;
end
$$;
comment on function private.suggest_transfers(uuid[], bigint[]) is
  'Settle-up transfers for one currency (everyone with a balance, zeros included, and their balances in cents): the fewest possible up to 10 people, else the walk; deterministic, stable. Decision 0006.';
revoke execute on function private.suggest_transfers(uuid[], bigint[]) from public;

create function public.suggest_settlements(space_id uuid)
returns table (from_user uuid, to_user uuid, amount numeric, currency text)
language plpgsql stable
security definer
set search_path = ''
as $$
declare
  cur record;
begin
  if suggest_settlements.space_id is null or suggest_settlements.space_id not in (select private.member_space_ids()) then
    raise exception 'space not found' using errcode = 'PT404';
  end if;
  -- Per currency, over everyone with a balance in it (zeros included: ranks must not move
  -- when someone is settled), confirmed repayments only.
  for cur in
    select b.currency, array_agg(b.user_id order by b.user_id) as people, array_agg((b.balance * 100)::bigint order by b.user_id) as cents
      from private.space_balances(suggest_settlements.space_id) b
     group by b.currency
     order by b.currency
  loop
    return query
      select t.from_user, t.to_user, (t.cents / 100.0)::numeric(14,2), cur.currency
        from private.suggest_transfers(cur.people, cur.cents) t;
  end loop;
end
$$;
comment on function public.suggest_settlements(uuid) is
  'Transfers that bring every balance of the space to 0 (confirmed repayments only), per currency: the fewest possible up to 10 people in a currency, else the walk (debtors and creditors in user-id order, end to end); never more than n-1 per currency; recording one leaves the others unchanged. Decision 0006.';

-- record_settlement, confirm_settlement, decline_settlement -------------------------------------------------

create function public.record_settlement(
  space_id uuid,
  from_user uuid,
  to_user uuid,
  amount numeric,
  currency text,
  note text default null
) returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_user();
  caller_role text := private.require_space_role(space_id, array['owner', 'admin', 'member', 'viewer']);
  wanted_currency text := upper(btrim(coalesce(currency, '')));
  new_id uuid;
begin
  if from_user is null or to_user is null or from_user = to_user then
    raise exception 'a settlement goes from one person to another' using errcode = '22023';
  end if;
  if caller not in (from_user, to_user) and caller_role not in ('owner', 'admin') then
    raise exception 'only the two people involved or an admin/owner can record a settlement' using errcode = 'PT403';
  end if;
  if not exists (select 1 from public.space_members m where m.space_id = record_settlement.space_id and m.user_id = from_user)
     or not exists (select 1 from public.space_members m where m.space_id = record_settlement.space_id and m.user_id = to_user) then
    raise exception 'both people must be members (or former members) of this space' using errcode = '22023';
  end if;
  if amount is null or not (amount > 0 and amount < 10000000000) or amount <> round(amount, 2) then
    raise exception 'amount must be greater than 0, with at most 2 decimals' using errcode = '22023';
  end if;
  if wanted_currency !~ '^[A-Z]{3}$' then
    raise exception 'currency must be an ISO 4217 code such as USD' using errcode = '22023';
  end if;
  if char_length(note) > 500 then
    raise exception 'a note is at most 500 characters' using errcode = '22023';
  end if;

  -- The receiver saying they were paid counts at once; anyone else's word waits for them.
  insert into public.settlements (space_id, from_user, to_user, amount, currency, note, created_by, status, decided_by, decided_at)
  select record_settlement.space_id, record_settlement.from_user, record_settlement.to_user,
         record_settlement.amount, wanted_currency, nullif(btrim(record_settlement.note), ''), caller,
         case when confirmed then 'confirmed' else 'pending' end,
         case when confirmed then caller end,
         case when confirmed then now() end
    from (select caller = record_settlement.to_user as confirmed) c
  returning id into new_id;
  return new_id;
end
$$;
comment on function public.record_settlement(uuid, uuid, uuid, numeric, text, text) is
  'Record that from_user paid to_user amount in currency (either of them, or an admin/owner). Recorded by to_user it is confirmed and counts at once; otherwise it is pending until to_user or an admin/owner confirms it. Returns its id.';

create function private.decide_settlement(settlement_id uuid, decision text)
returns public.settlements
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_user();
  target public.settlements;
  caller_role text;
  result public.settlements;
begin
  select * into target from public.settlements st where st.id = decide_settlement.settlement_id;
  if target.id is null or target.space_id not in (select private.member_space_ids()) then
    raise exception 'settlement not found' using errcode = 'PT404';
  end if;
  caller_role := private.require_space_role(target.space_id, array['owner', 'admin', 'member', 'viewer']);
  select * into target from public.settlements st where st.id = decide_settlement.settlement_id for update;
  if target.id is null then
    raise exception 'settlement not found' using errcode = 'PT404';
  end if;

  -- Who may decide: the receiver, or an admin/owner, but never the payer about their own
  -- payment. Whoever recorded it may also withdraw it (decline).
  if caller is not distinct from target.from_user and not (decision = 'declined' and caller is not distinct from target.created_by) then
    raise exception 'the payer cannot % their own repayment; the receiver or an admin/owner does',
      case decision when 'confirmed' then 'confirm' else 'decline' end using errcode = 'PT403';
  end if;
  if caller is distinct from target.to_user and caller_role not in ('owner', 'admin')
     and not (decision = 'declined' and caller is not distinct from target.created_by) then
    raise exception 'only the receiver or an admin/owner can % this repayment',
      case decision when 'confirmed' then 'confirm' else 'decline' end using errcode = 'PT403';
  end if;
  if target.status <> 'pending' then
    raise exception 'this repayment is already %', target.status using errcode = 'PT409';
  end if;

  update public.settlements st
     set status = decision, decided_by = caller, decided_at = now()
   where st.id = target.id
  returning st.* into result;
  return result;
end
$$;
comment on function private.decide_settlement(uuid, text) is
  'confirm_settlement and decline_settlement: checks who may decide a pending repayment, then marks it.';
revoke execute on function private.decide_settlement(uuid, text) from public;

create function public.confirm_settlement(settlement_id uuid)
returns public.settlements
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- plpgsql, not sql: the activity log names the outermost public function as the RPC.
  return private.decide_settlement(confirm_settlement.settlement_id, 'confirmed');
end
$$;
comment on function public.confirm_settlement(uuid) is
  'Confirm a pending repayment: the receiver, or an admin/owner (never the payer). From then on it counts in balances. PT409 when it is not pending.';

create function public.decline_settlement(settlement_id uuid)
returns public.settlements
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- plpgsql, not sql: the activity log names the outermost public function as the RPC.
  return private.decide_settlement(decline_settlement.settlement_id, 'declined');
end
$$;
comment on function public.decline_settlement(uuid) is
  'Decline a pending repayment (it did not happen): the receiver, an admin/owner, or whoever recorded it (withdrawing it). It is kept, marked declined, and never counts. PT409 when it is not pending.';

-- Grants: signed-in users only ------------------------------------------------------------------------------

revoke all on function
  public.space_balances(uuid),
  public.suggest_settlements(uuid),
  public.record_settlement(uuid, uuid, uuid, numeric, text, text),
  public.confirm_settlement(uuid),
  public.decline_settlement(uuid)
from public, anon;

grant execute on function
  public.space_balances(uuid),
  public.suggest_settlements(uuid),
  public.record_settlement(uuid, uuid, uuid, numeric, text, text),
  public.confirm_settlement(uuid),
  public.decline_settlement(uuid)
to authenticated;
