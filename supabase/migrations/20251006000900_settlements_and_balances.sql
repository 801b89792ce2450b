-- Settlements, balances and settlement suggestions.
--
-- A settlement is money one person gave another to settle what they owe in a
-- space. Balances add up the unpaid splits of the previous migration and the
-- settlements, per person and currency; suggestions bring every balance to 0.
-- Deleted accounts: people become null; the rows stay but count in no balance.
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
  constraint settlements_amount_positive check (amount > 0),
  constraint settlements_from_user_differs_from_to_user check (from_user <> to_user),
  constraint settlements_currency_format check (currency ~ '^[A-Z]{3}$'),
  constraint settlements_note_length check (char_length(note) <= 500)
);

create index idx_settlements_space_currency on public.settlements (space_id, currency);
create index idx_settlements_from_user on public.settlements (from_user);
create index idx_settlements_to_user on public.settlements (to_user);
create index idx_settlements_created_by on public.settlements (created_by);

comment on table public.settlements is
  'Money one person gave another to settle what they owe in a space, in one currency. Recorded with record_settlement() by either party or an admin/owner; never updated; admins and owners delete mistaken ones.';
comment on column public.settlements.from_user is
  'Who paid (the debtor); a member of the space, active or former: debts outlive membership. Their balance goes up by amount. Null once their account is deleted; the settlement then counts in no balance.';
comment on column public.settlements.to_user is
  'Who received the money (the creditor); a member of the space, active or former. Their balance goes down by amount. Null once their account is deleted.';
comment on column public.settlements.currency is 'ISO 4217 currency of the amount; balances are per currency.';
comment on column public.settlements.created_by is 'Who recorded the settlement; set by record_settlement().';

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

create function private.space_balances(target_space uuid)
returns table (user_id uuid, currency text, balance numeric)
language sql stable
security definer
set search_path = ''
as $$
  -- Positive: the person is owed money; negative: they owe. Sums to 0 per currency.
  select entries.user_id, entries.currency, sum(entries.delta)::numeric(14,2) as balance
  from (
    -- An unpaid split: its person owes the payer (both sides from one scan).
    select side.user_id, e.currency, side.delta
      from public.expense_splits s
      join public.expenses e on e.id = s.expense_id
      cross join lateral (values (s.user_id, -s.amount), (e.created_by, s.amount)) as side(user_id, delta)
     where e.space_id = target_space and not s.is_paid
       and e.created_by is not null and s.user_id is not null and s.user_id <> e.created_by
    union all
    -- A settlement: what the payer owes shrinks, and so does what the receiver is owed.
    select side.user_id, st.currency, side.delta
      from public.settlements st
      cross join lateral (values (st.from_user, st.amount), (st.to_user, -st.amount)) as side(user_id, delta)
     where st.space_id = target_space and st.from_user is not null and st.to_user is not null
  ) entries
  group by entries.user_id, entries.currency
$$;
comment on function private.space_balances(uuid) is
  'Per person and currency: owed minus owing over unpaid splits (the payer''s own part excluded) and settlements.';
revoke execute on function private.space_balances(uuid) from public;

create function public.space_balances(space_id uuid)
returns table (user_id uuid, currency text, balance numeric)
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  if space_balances.space_id is null or space_balances.space_id not in (select private.member_space_ids()) then
    raise exception 'space not found' using errcode = 'PT404';
  end if;
  return query
    select b.user_id, b.currency, b.balance
      from private.space_balances(space_balances.space_id) b
     order by b.currency, b.user_id;
end
$$;
comment on function public.space_balances(uuid) is
  'Each person''s balance per currency in a space: positive is owed to them, negative they owe; every currency sums to 0. Active members only.';

-- suggest_settlements --------------------------------------------------------------------------------------

create function public.suggest_settlements(space_id uuid)
returns table (from_user uuid, to_user uuid, amount numeric, currency text)
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  if suggest_settlements.space_id is null or suggest_settlements.space_id not in (select private.member_space_ids()) then
    raise exception 'space not found' using errcode = 'PT404';
  end if;
  -- Per currency, debtors and creditors, each in user id order, lay their
  -- amounts (in cents) end to end on two lines of the same length; every
  -- overlap of a debtor's interval with a creditor's is one transfer. That is
  -- at most debtors + creditors - 1 transfers, and recording one shrinks both
  -- intervals by the same amount, so every other overlap keeps its size: the
  -- remaining suggestions stay the same.
  return query
    with balances as (
      select b.user_id, b.currency, (b.balance * 100)::bigint as cents
        from private.space_balances(suggest_settlements.space_id) b
       where b.balance <> 0
    ), debtors as (
      select b.user_id, b.currency,
             sum(-b.cents) over (partition by b.currency order by b.user_id) + b.cents as lo,
             sum(-b.cents) over (partition by b.currency order by b.user_id) as hi
        from balances b where b.cents < 0
    ), creditors as (
      select b.user_id, b.currency,
             sum(b.cents) over (partition by b.currency order by b.user_id) - b.cents as lo,
             sum(b.cents) over (partition by b.currency order by b.user_id) as hi
        from balances b where b.cents > 0
    )
    select d.user_id, c.user_id,
           ((least(d.hi, c.hi) - greatest(d.lo, c.lo)) / 100.0)::numeric(14,2),
           d.currency
      from debtors d
      join creditors c on c.currency = d.currency and d.lo < c.hi and c.lo < d.hi
     order by d.currency, greatest(d.lo, c.lo);
end
$$;
comment on function public.suggest_settlements(uuid) is
  'Transfers that bring every balance of the space to 0: at most n-1 per currency (n people with a balance), and recording one leaves the others unchanged.';

-- record_settlement ---------------------------------------------------------------------------------------

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

  insert into public.settlements (space_id, from_user, to_user, amount, currency, note, created_by)
  values (record_settlement.space_id, record_settlement.from_user, record_settlement.to_user,
          record_settlement.amount, wanted_currency, nullif(btrim(record_settlement.note), ''), caller)
  returning id into new_id;
  return new_id;
end
$$;
comment on function public.record_settlement(uuid, uuid, uuid, numeric, text, text) is
  'Record that from_user paid to_user amount in currency (either of them, or an admin/owner); balances move by it. Returns its id.';

-- Grants: signed-in users only ------------------------------------------------------------------------------

revoke all on function
  public.space_balances(uuid),
  public.suggest_settlements(uuid),
  public.record_settlement(uuid, uuid, uuid, numeric, text, text)
from public, anon;

grant execute on function
  public.space_balances(uuid),
  public.suggest_settlements(uuid),
  public.record_settlement(uuid, uuid, uuid, numeric, text, text)
to authenticated;
