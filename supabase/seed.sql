-- Demo data for local development (`npm run db:reset`, `npm run dev`).
-- Four people and two spaces: Alice and Bob's household, and a flat shared by
-- Alice, Carol, Dan and Erin. Everyone's password is `wallai-demo`.
-- Fixed ids and invite codes so the README and demo scripts can refer to them.

insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                        raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
select '00000000-0000-0000-0000-000000000000', id::uuid, 'authenticated', 'authenticated', email,
       extensions.crypt('wallai-demo', extensions.gen_salt('bf')), now(),
       '{"provider":"email","providers":["email"]}'::jsonb,
       jsonb_build_object('username', username, 'full_name', full_name, 'currency', currency, 'timezone', timezone),
       now(), now()
from (values
  ('a11ce000-0000-4000-8000-000000000001', 'alice@wallai.test', 'alice', 'Alice Martin', 'EUR', 'Europe/Madrid'),
  ('b0b00000-0000-4000-8000-000000000002', 'bob@wallai.test',   'bob',   'Bob Martin',   'EUR', 'Europe/Madrid'),
  ('ca201000-0000-4000-8000-000000000003', 'carol@wallai.test', 'carol', 'Carol Diaz',   'EUR', 'Europe/Madrid'),
  ('da700000-0000-4000-8000-000000000004', 'dan@wallai.test',   'dan',   'Dan Okafor',   'EUR', 'Europe/Madrid'),
  ('e2140000-0000-4000-8000-000000000005', 'erin@wallai.test',  'erin',  'Erin Walsh',   'EUR', 'Europe/Madrid')
) as people(id, email, username, full_name, currency, timezone);

-- Spaces: the creator becomes owner through the trigger.
insert into public.spaces (id, name, description, invite_code, currency, timezone, created_by) values
  ('5ace0000-0000-4000-8000-00000000000a', 'Alice & Bob', 'Our household budget', 'NEST42', 'EUR', 'Europe/Madrid',
   'a11ce000-0000-4000-8000-000000000001'),
  ('5ace0000-0000-4000-8000-00000000000b', 'Flat 4B', 'Shared flat: rent, bills and the weekly shop', 'KEYS24', 'EUR', 'Europe/Madrid',
   'ca201000-0000-4000-8000-000000000003');

insert into public.space_members (space_id, user_id, role) values
  ('5ace0000-0000-4000-8000-00000000000a', 'b0b00000-0000-4000-8000-000000000002', 'admin'),
  ('5ace0000-0000-4000-8000-00000000000b', 'a11ce000-0000-4000-8000-000000000001', 'member'),
  ('5ace0000-0000-4000-8000-00000000000b', 'da700000-0000-4000-8000-000000000004', 'admin'),
  ('5ace0000-0000-4000-8000-00000000000b', 'e2140000-0000-4000-8000-000000000005', 'viewer');

-- Budgets: the current month and the two before it, created through the real
-- create_budget RPC as the person who would create them.
do $$
declare
  month_offset integer;
  month_start date;
begin
  for month_offset in 0..2 loop
    month_start := (date_trunc('month', current_date) - make_interval(months => month_offset))::date;
    perform set_config('request.jwt.claims', '{"sub":"a11ce000-0000-4000-8000-000000000001","role":"authenticated"}', true);
    perform public.create_budget('5ace0000-0000-4000-8000-00000000000a', month_start, '50_30_20', 5200.00);
    perform set_config('request.jwt.claims', '{"sub":"ca201000-0000-4000-8000-000000000003","role":"authenticated"}', true);
    perform public.create_budget('5ace0000-0000-4000-8000-00000000000b', month_start, '60_20_20', 6400.00);
  end loop;
  perform set_config('request.jwt.claims', '', true);
end
$$;

-- Expenses: ~300 over the three months. Fixed bills (rent, fibre, subscriptions)
-- come once a month; the rest is drawn from a catalogue of believable purchases.
-- Amounts, days and payers come from a hash of the row number, so every reset
-- gives the same data (only the months move with today's date).
with catalogue(n, description, category, low, high, household, flat, monthly) as (values
  (1,  'Mercadona',                 'groceries',      18.00, 140.00, true,  true,  false),
  (2,  'Lidl',                      'groceries',      12.00,  90.00, true,  true,  false),
  (3,  'Carrefour Express',         'groceries',       6.00,  45.00, true,  true,  false),
  (4,  'Rent',                      'housing',       950.00, 950.00, true,  false, true),
  (5,  'Flat rent',                 'housing',      1600.00,1600.00, false, true,  true),
  (6,  'Iberdrola electricity',     'utilities',      45.00, 120.00, true,  true,  true),
  (7,  'Movistar fibre',            'utilities',      39.90,  39.90, true,  true,  true),
  (8,  'Canal de Isabel II water',  'utilities',      18.00,  42.00, false, true,  true),
  (9,  'Metro card top-up',         'transport',      12.20,  54.60, true,  true,  false),
  (10, 'Repsol fuel',               'transport',      35.00,  75.00, true,  false, false),
  (11, 'Cabify',                    'transport',       7.50,  24.00, true,  true,  false),
  (12, 'Farmacia',                  'health',          4.50,  38.00, true,  true,  false),
  (13, 'Dentist',                   'health',         60.00,  90.00, true,  false, false),
  (14, 'Mapfre home insurance',     'insurance',      28.00,  28.00, true,  false, true),
  (15, 'Bar La Central',            'dining',          9.00,  46.00, true,  true,  false),
  (16, 'Telepizza',                 'dining',         14.00,  32.00, false, true,  false),
  (17, 'Sushi night',               'dining',         38.00,  85.00, true,  true,  false),
  (18, 'Zara',                      'shopping',       19.95, 119.00, true,  false, false),
  (19, 'Amazon order',              'shopping',        8.99,  79.00, true,  true,  false),
  (20, 'IKEA',                      'shopping',       12.00, 210.00, false, true,  false),
  (21, 'Cinema tickets',            'entertainment',  15.00,  28.00, true,  true,  false),
  (22, 'Concert tickets',           'entertainment',  45.00, 120.00, true,  false, false),
  (23, 'Netflix',                   'subscriptions',  13.99,  13.99, true,  true,  true),
  (24, 'Spotify Family',            'subscriptions',  17.99,  17.99, true,  false, true),
  (25, 'Renfe train tickets',       'travel',         28.00, 140.00, true,  false, false),
  (26, 'Hairdresser',               'personal_care',  18.00,  45.00, true,  false, false),
  (27, 'Gym membership',            'personal_care',  34.90,  34.90, true,  false, true),
  (28, 'Cleaning supplies',         'other',           6.00,  24.00, false, true,  false),
  (29, 'Birthday present',          'other',          20.00,  60.00, true,  true,  false),
  (30, 'Transfer to savings',       'emergency_fund',200.00, 300.00, true,  false, true)
),
households(space_id, members, purchases_per_month) as (values
  ('5ace0000-0000-4000-8000-00000000000a'::uuid,
   array['a11ce000-0000-4000-8000-000000000001', 'b0b00000-0000-4000-8000-000000000002']::uuid[], 32),
  ('5ace0000-0000-4000-8000-00000000000b'::uuid,
   array['ca201000-0000-4000-8000-000000000003', 'a11ce000-0000-4000-8000-000000000001', 'da700000-0000-4000-8000-000000000004']::uuid[], 53)
),
offered as (
  select h.space_id, h.members, h.purchases_per_month, c.*,
         row_number() over (partition by h.space_id order by c.n) as slot,
         count(*) over (partition by h.space_id) as slots
  from households h
  join catalogue c
    on not c.monthly
   and ((c.household and h.space_id = '5ace0000-0000-4000-8000-00000000000a')
        or (c.flat and h.space_id = '5ace0000-0000-4000-8000-00000000000b'))
),
draws as (
  select h.space_id, h.members, m.offset_months, g.i,
         ('x' || substr(md5(h.space_id::text || m.offset_months || '-' || g.i), 1, 8))::bit(32)::bigint as hash
  from households h
  cross join generate_series(0, 2) as m(offset_months)
  cross join lateral generate_series(1, h.purchases_per_month) as g(i)
),
purchases as (
  select d.space_id, d.members, d.offset_months, d.hash, o.description, o.category, o.low, o.high
  from draws d
  join offered o on o.space_id = d.space_id and o.slot = 1 + d.hash % o.slots
),
bills as (
  select h.space_id, h.members, m.offset_months,
         ('x' || substr(md5(h.space_id::text || m.offset_months || c.description), 1, 8))::bit(32)::bigint as hash,
         c.description, c.category, c.low, c.high
  from households h
  cross join generate_series(0, 2) as m(offset_months)
  join catalogue c
    on c.monthly
   and ((c.household and h.space_id = '5ace0000-0000-4000-8000-00000000000a')
        or (c.flat and h.space_id = '5ace0000-0000-4000-8000-00000000000b'))
),
everything as (
  select space_id, members, offset_months, hash, description, category, low, high from purchases
  union all
  select space_id, members, offset_months, hash, description, category, low, high from bills
)
insert into public.expenses (space_id, amount, description, category, date, payment_method, created_by, tags)
select e.space_id,
       round(e.low + (e.high - e.low) * ((e.hash >> 8) % 1000) / 999.0, 2),
       e.description,
       e.category,
       least((date_trunc('month', current_date) - make_interval(months => e.offset_months))::date + (e.hash % 28)::integer,
             current_date),
       (array['card', 'card', 'card', 'cash', 'bank_transfer'])[1 + (e.hash >> 4) % 5],
       e.members[1 + (e.hash >> 12) % cardinality(e.members)],
       case when e.category in ('groceries', 'utilities', 'housing') then array['shared'] else '{}' end
from everything e;

-- A bank import waiting to be sorted: this week's card lines of Alice & Bob as
-- the bank wrote them, no category chosen yet (category 'other', source
-- 'default'), for the categorize-expense function (`npm run dev` prints a curl
-- line for the newest one).
insert into public.expenses (space_id, amount, description, date, payment_method, bank_transaction_id, created_by)
select '5ace0000-0000-4000-8000-00000000000a', line.amount, line.description, current_date - line.days_ago,
       'card', 'demo-import-' || line.days_ago, line.paid_by
from (values
  (63.48, 'MERCADONA MADRID 4521',    0, 'a11ce000-0000-4000-8000-000000000001'::uuid),
  (11.90, 'UBER *TRIP HELP.UBER.COM', 1, 'b0b00000-0000-4000-8000-000000000002'::uuid),
  (58.20, 'REPSOL E.S. 2231 MADRID',  2, 'a11ce000-0000-4000-8000-000000000001'::uuid),
  (12.35, 'FARMACIA LDO GARCIA',      3, 'b0b00000-0000-4000-8000-000000000002'::uuid),
  (23.10, 'CARREFOUR EXPRESS 0912',   4, 'a11ce000-0000-4000-8000-000000000001'::uuid)
) as line(amount, description, days_ago, paid_by);

-- Splits: the flat shares rent, bills and the weekly shop three ways (Erin, a
-- viewer, only watches). Whoever paid splits it through split_expense, and the
-- oldest month's shares have been paid back through mark_split_paid.
do $$
declare
  shared record;
  share record;
  flatmates constant jsonb := '["ca201000-0000-4000-8000-000000000003", "a11ce000-0000-4000-8000-000000000001", "da700000-0000-4000-8000-000000000004"]';
begin
  for shared in
    select e.id, e.created_by, e.date
      from public.expenses e
     where e.space_id = '5ace0000-0000-4000-8000-00000000000b' and 'shared' = any (e.tags)
     order by e.date, e.id
  loop
    perform set_config('request.jwt.claims', jsonb_build_object('sub', shared.created_by, 'role', 'authenticated')::text, true);
    perform public.split_expense(shared.id, 'equal', flatmates);
    if shared.date < (date_trunc('month', current_date) - interval '1 month')::date then
      for share in
        select s.id, s.user_id from public.expense_splits s
         where s.expense_id = shared.id and s.user_id <> shared.created_by
      loop
        perform set_config('request.jwt.claims', jsonb_build_object('sub', share.user_id, 'role', 'authenticated')::text, true);
        perform public.mark_split_paid(share.id, 'bank_transfer', 'Flat kitty');
      end loop;
    end if;
  end loop;
  perform set_config('request.jwt.claims', '', true);
end
$$;

-- Insights demo: "Sunny Street", Bob's and Dan's shared flat (Erin watches as a
-- viewer), with six months of history so every insight type has something to
-- say: subscriptions (Netflix's price goes from 13.99 to 15.99 three months
-- ago, under two descriptors), rent split two ways, a monthly transfer to
-- savings, weekly groceries, more dining this month than last, a one-off
-- 899.00 TV nine days ago (a spike) and an income that changes month to month.
-- Bob and Dan consented to insights (Erin is a viewer: not asked). Alice never
-- did, so "Alice & Bob" and "Flat 4B" show what a space without everyone's
-- consent gets: nothing, and the reason. `npm run insights -- --space
-- 5ace0000-0000-4000-8000-00000000000c` (or the demo) generates them.
insert into public.spaces (id, name, description, invite_code, currency, timezone, created_by) values
  ('5ace0000-0000-4000-8000-00000000000c', 'Sunny Street', 'Bob and Dan''s flat', 'SUNNY6', 'EUR', 'Europe/Madrid',
   'b0b00000-0000-4000-8000-000000000002');

insert into public.space_members (space_id, user_id, role) values
  ('5ace0000-0000-4000-8000-00000000000c', 'da700000-0000-4000-8000-000000000004', 'member'),
  ('5ace0000-0000-4000-8000-00000000000c', 'e2140000-0000-4000-8000-000000000005', 'viewer');

update public.users set consent_status = true, consent_version = '1.0', consent_updated_at = now()
 where id in ('b0b00000-0000-4000-8000-000000000002', 'da700000-0000-4000-8000-000000000004');

-- Budgets for this month and the six before it; the income varies month to month.
do $$
declare
  month_offset integer;
begin
  perform set_config('request.jwt.claims', '{"sub":"b0b00000-0000-4000-8000-000000000002","role":"authenticated"}', true);
  for month_offset in 0..6 loop
    perform public.create_budget('5ace0000-0000-4000-8000-00000000000c',
      (date_trunc('month', current_date) - make_interval(months => month_offset))::date, '50_30_20',
      (array[4800.00, 5350.00, 3900.00, 5600.00, 4250.00, 5150.00, 4700.00])[month_offset + 1]);
  end loop;
  perform set_config('request.jwt.claims', '', true);
end
$$;

with bob as (select 'b0b00000-0000-4000-8000-000000000002'::uuid as id),
     dan as (select 'da700000-0000-4000-8000-000000000004'::uuid as id),
months as (
  select m as offset_months, (date_trunc('month', current_date) - make_interval(months => m))::date as first_day
    from generate_series(0, 6) as m
),
bills(description, category, amount, day, paid_by, from_offset, to_offset) as (values
  ('Sunny Street rent',        'housing',        1250.00,  1, 'b', 0, 6),
  ('Netflix',                  'subscriptions',    13.99,  4, 'b', 5, 6),
  ('NETFLIX.COM 866-579-7172', 'subscriptions',    13.99,  4, 'b', 3, 4),
  ('NETFLIX.COM 866-579-7172', 'subscriptions',    15.99,  4, 'b', 0, 1),
  ('Netflix',                  'subscriptions',    15.99,  4, 'b', 2, 2),
  ('Spotify',                  'subscriptions',    10.99, 11, 'd', 0, 6),
  ('Disney Plus',              'subscriptions',     8.99, 17, 'd', 0, 6),
  ('APPLE.COM/BILL iCloud',    'subscriptions',     2.99, 20, 'b', 0, 6),
  ('Basic-Fit gym',            'personal_care',    29.99,  2, 'd', 0, 6),
  ('Transfer to savings',      'emergency_fund',  250.00, 26, 'b', 0, 6)
),
monthly as (
  select b.description, b.category, b.amount, m.first_day + (b.day - 1) as date, b.paid_by
    from bills b join months m on m.offset_months between b.from_offset and b.to_offset
  union all
  -- Electricity moves with the season; dining twice a month, and four more times this month.
  select 'Endesa electricity', 'utilities', 48.00 + (m.offset_months * 7) % 23, m.first_day + 7, 'b' from months m
  union all
  select 'Bar La Central', 'dining', 24.00 + (m.offset_months * 5) % 11, m.first_day + 5 + 12 * k, case when k = 0 then 'd' else 'b' end
    from months m cross join generate_series(0, 1) as k
  union all
  select 'Trattoria Roma', 'dining', 31.50 + k * 4, greatest(date_trunc('month', current_date)::date, current_date - 2 * k), 'd'
    from generate_series(1, 4) as k
  union all
  select 'Metro card top-up', 'transport', 20.00, m.first_day + 2 + 14 * k, case when k = 0 then 'b' else 'd' end
    from months m cross join generate_series(0, 1) as k
  union all
  -- Groceries twice a week or so, big shops and small ones, alternating who pays.
  select 'Mercadona', 'groceries', 18.00 + (w * 53) % 97 + (w % 3) * 0.45, current_date - 1 - 3 * w - w % 2, case when w % 2 = 0 then 'b' else 'd' end
    from generate_series(0, 55) as w
  union all
  -- Small online orders, so the TV below stands out from the usual shopping.
  select 'Amazon order', 'shopping', 12.99 + (m.offset_months * 13 + k * 7) % 40, m.first_day + 9 + 10 * k, case when k = 0 then 'b' else 'd' end
    from months m cross join generate_series(0, 1) as k
  union all
  select 'MediaMarkt TV 65"', 'shopping', 899.00, current_date - 9, 'd'
)
insert into public.expenses (space_id, amount, description, category, date, payment_method, created_by, tags)
select '5ace0000-0000-4000-8000-00000000000c', e.amount, e.description, e.category, e.date, 'card',
       case when e.paid_by = 'b' then (select id from bob) else (select id from dan) end,
       case when e.category = 'housing' then array['shared'] else '{}' end
  from monthly e
 where e.date <= current_date;

-- The rent is split two ways; Dan has paid Bob back for every month but this one.
do $$
declare
  rent record;
  share record;
begin
  for rent in
    select e.id, e.date from public.expenses e
     where e.space_id = '5ace0000-0000-4000-8000-00000000000c' and 'shared' = any (e.tags) order by e.date
  loop
    perform set_config('request.jwt.claims', '{"sub":"b0b00000-0000-4000-8000-000000000002","role":"authenticated"}', true);
    perform public.split_expense(rent.id, 'equal', '["b0b00000-0000-4000-8000-000000000002", "da700000-0000-4000-8000-000000000004"]');
    if rent.date < date_trunc('month', current_date)::date then
      for share in
        select s.id from public.expense_splits s
         where s.expense_id = rent.id and s.user_id = 'da700000-0000-4000-8000-000000000004'
      loop
        perform set_config('request.jwt.claims', '{"sub":"da700000-0000-4000-8000-000000000004","role":"authenticated"}', true);
        perform public.mark_split_paid(share.id, 'bank_transfer', 'Rent');
      end loop;
    end if;
  end loop;
  perform set_config('request.jwt.claims', '', true);
end
$$;

-- An operator for the insights review (DESIGN.md): Olga reviews recommendations
-- before members see them. Her app_metadata.role says so, which only the
-- service role can set; she is a member of no space, so RLS gives her the
-- recommendation queue and its traces and nothing else (`npm run demo`).
insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                        raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
values ('00000000-0000-0000-0000-000000000000', '0be2a000-0000-4000-8000-000000000006', 'authenticated', 'authenticated',
        'olga@wallai.test', extensions.crypt('wallai-demo', extensions.gen_salt('bf')), now(),
        '{"provider":"email","providers":["email"],"role":"operator"}'::jsonb,
        jsonb_build_object('username', 'olga', 'full_name', 'Olga Reviewer', 'currency', 'EUR', 'timezone', 'Europe/Madrid'),
        now(), now());
