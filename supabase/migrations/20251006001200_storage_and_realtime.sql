-- Receipt storage and realtime.
--
-- Receipts live in the private `receipts` bucket at <space_id>/<expense_id>/<file>.
-- Every active member of the space reads them; whoever may change the expense
-- (its creator if member or above, or an admin/owner) uploads, replaces and
-- deletes them; outsiders and signed-out requests get nothing, and the bucket is
-- not public, so nothing can be listed or fetched without a token.
--
-- Realtime: the money tables are published on supabase_realtime, so frontends
-- can subscribe to changes; Realtime applies the same RLS to what it sends.

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('receipts', 'receipts', false, 10485760,
        array['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'application/pdf'])
on conflict (id) do nothing;

create function private.receipt_space_id(object_name text) returns uuid
language sql immutable
set search_path = ''
as $$
  -- The file name: no separator of any kind (/, \, percent-encoded ones), no control
  -- character, not "." or "..", at most 255 characters; so no client that decodes or
  -- normalises the path can read it as another one.
  select case when object_name ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/(?!\.\.?$)[^/\\%[:cntrl:]]{1,255}$'
              then split_part(object_name, '/', 1)::uuid end
$$;
comment on function private.receipt_space_id(text) is
  'The space id of a well-formed receipt path <space_id>/<expense_id>/<file> (file: no separators, percent signs or control characters, not . or ..), null for any other path.';
revoke execute on function private.receipt_space_id(text) from public;
-- RLS policies call it as the querying user.
grant execute on function private.receipt_space_id(text) to authenticated;

create function private.can_change_receipt(object_name text) returns boolean
language sql stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
      from public.expenses e
     where e.space_id = private.receipt_space_id(object_name)
       -- The cast only runs on paths receipt_space_id accepted, so a malformed path is a plain denial.
       and e.id = case when private.receipt_space_id(object_name) is not null then split_part(object_name, '/', 2)::uuid end
       and ((e.space_id in (select private.writable_space_ids()) and e.created_by = (select auth.uid()))
            or e.space_id in (select private.managed_space_ids()))
  )
$$;
comment on function private.can_change_receipt(text) is
  'True when the path names an expense of its space that the caller may change (their own as member+, any as admin/owner).';
revoke execute on function private.can_change_receipt(text) from public;
-- RLS policies call it as the querying user.
grant execute on function private.can_change_receipt(text) to authenticated;

create policy "Members can read their space's receipts"
  on storage.objects for select
  to authenticated
  using (bucket_id = 'receipts' and private.receipt_space_id(name) in (select private.member_space_ids()));

create policy "Members can upload receipts for expenses they may change"
  on storage.objects for insert
  to authenticated
  with check (bucket_id = 'receipts' and private.can_change_receipt(name));

create policy "Members can replace receipts of expenses they may change"
  on storage.objects for update
  to authenticated
  using (bucket_id = 'receipts' and private.can_change_receipt(name))
  with check (bucket_id = 'receipts' and private.can_change_receipt(name));

create policy "Members can delete receipts of expenses they may change"
  on storage.objects for delete
  to authenticated
  using (bucket_id = 'receipts' and private.can_change_receipt(name));

alter publication supabase_realtime add table public.budgets, public.budget_items, public.expenses, public.expense_splits, public.settlements;
