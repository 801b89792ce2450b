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
