-- Original import files: the private `imports` storage bucket.
--
-- An uploaded bank file is kept as it came, at <space_id>/<import_id>/<file>
-- (imports.storage_key), so an import can be re-read or audited. Like receipts:
-- every active member of the space reads them; whoever may change the import
-- row (its uploader if member or above, or an admin/owner) uploads, replaces and
-- deletes its file; outsiders and signed-out requests get nothing, and the
-- bucket is not public. 10 MB, the import function's body limit.

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('imports', 'imports', false, 10485760,
        array['text/csv', 'text/tab-separated-values', 'text/plain', 'application/json', 'application/xml', 'text/xml',
              'application/x-ofx', 'application/vnd.intu.qfx', 'application/x-qif', 'application/octet-stream'])
on conflict (id) do nothing;

create function private.can_change_import_file(object_name text) returns boolean
language sql stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
      from public.imports i
     -- receipt_space_id parses the same <space_id>/<row id>/<file> shape, null for any other path.
     where i.space_id = private.receipt_space_id(object_name)
       and i.id = case when private.receipt_space_id(object_name) is not null then split_part(object_name, '/', 2)::uuid end
       and ((i.space_id in (select private.writable_space_ids()) and i.uploaded_by = (select auth.uid()))
            or i.space_id in (select private.managed_space_ids()))
  )
$$;
comment on function private.can_change_import_file(text) is
  'True when the path names an import of its space that the caller may change (their own as member+, any as admin/owner).';
revoke execute on function private.can_change_import_file(text) from public;
-- RLS policies call it as the querying user.
grant execute on function private.can_change_import_file(text) to authenticated;

create policy "Members can read their space's import files"
  on storage.objects for select
  to authenticated
  using (bucket_id = 'imports' and private.receipt_space_id(name) in (select private.member_space_ids()));

create policy "Importers can upload the file of their import"
  on storage.objects for insert
  to authenticated
  with check (bucket_id = 'imports' and private.can_change_import_file(name));

create policy "Importers can replace the file of their import"
  on storage.objects for update
  to authenticated
  using (bucket_id = 'imports' and private.can_change_import_file(name))
  with check (bucket_id = 'imports' and private.can_change_import_file(name));

create policy "Importers can delete the file of their import"
  on storage.objects for delete
  to authenticated
  using (bucket_id = 'imports' and private.can_change_import_file(name));
