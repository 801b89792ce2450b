/**
 * A small library schema for the REST handler's tests: authors, books (two
 * foreign keys to authors, so embedding needs a hint), tags through a
 * junction table (many-to-many), a one-to-one detail table, and functions of
 * every kind RPC distinguishes. Created in the test file's own database.
 */
import type { SqlClient } from '@wallai/db-client';

export const LIBRARY_SQL = `
create table public.rest_authors (id int primary key, name text not null, born date, meta jsonb);
create table public.rest_books (
  id int primary key,
  title text not null,
  author_id int references public.rest_authors (id),
  editor_id int references public.rest_authors (id),
  price numeric(8,2),
  tags text[] not null default '{}',
  published boolean,
  summary text,
  code text unique,
  created_at timestamptz not null default '2025-01-01T00:00:00Z'
);
create table public.rest_tags (id int primary key, label text not null);
create table public.rest_book_tags (
  book_id int references public.rest_books (id),
  tag_id int references public.rest_tags (id),
  primary key (book_id, tag_id)
);
create table public.rest_book_details (book_id int primary key references public.rest_books (id), pages int not null);
create table public.rest_private (id int primary key, secret text);
create table public.rest_owned (
  id serial primary key,
  owner uuid not null default auth.uid(),
  note text not null check (char_length(note) < 20)
);
alter table public.rest_owned enable row level security;
create policy "owners read their rows" on public.rest_owned for select to authenticated using (owner = auth.uid());
create policy "owners add their rows" on public.rest_owned for insert to authenticated with check (owner = auth.uid());
create policy "owners change their rows" on public.rest_owned for update to authenticated using (owner = auth.uid());
create policy "owners remove their rows" on public.rest_owned for delete to authenticated using (owner = auth.uid());

insert into public.rest_authors values
  (1, 'Ann', '1970-05-01', '{"country": "NO", "langs": ["no", "en"]}'),
  (2, 'Bob', null, null),
  (3, 'Cy', '1990-01-01', '{"country": "SE", "langs": ["sv"]}');
insert into public.rest_books (id, title, author_id, editor_id, price, tags, published, summary, code) values
  (1, 'Alpha', 1, 2, 10.50, '{sf,classic}', true, 'a tale of rockets and stars', 'A-1'),
  (2, 'Beta', 1, null, 20.00, '{}', false, 'cooking with stars', 'B-2'),
  (3, 'Gamma', 2, 1, null, '{sf}', null, 'the garden', null),
  (4, 'Delta', null, null, 5.25, '{poetry}', true, null, 'D-4');
insert into public.rest_tags values (1, 'space'), (2, 'old'), (3, 'unused');
insert into public.rest_book_tags values (1, 1), (1, 2), (3, 1);
insert into public.rest_book_details values (1, 320), (2, 150);
insert into public.rest_private values (1, 'hidden');

create function public.rest_add(a int, b int default 10) returns int language sql immutable as $$ select a + b $$;
create function public.rest_books_by(author int) returns setof public.rest_books language sql stable as $$
  select * from public.rest_books where author_id = author order by id $$;
create function public.rest_book(book int) returns public.rest_books language sql stable as $$
  select * from public.rest_books where id = book $$;
create function public.rest_echo(payload jsonb) returns jsonb language sql immutable as $$ select payload $$;
create function public.rest_whole(jsonb) returns jsonb language sql immutable as $$ select $1 $$;
create function public.rest_touch(note text) returns void language plpgsql as $$
begin
  perform set_config('response.status', '202', true);
  perform set_config('response.headers', '[{"X-Touched": "yes"}]', true);
end $$;
create function public.rest_fail(kind text) returns int language plpgsql as $$
begin
  if kind = 'raise' then raise exception 'the book is overdue' using detail = 'due yesterday', hint = 'return it';
  elsif kind = 'teapot' then raise sqlstate 'PT418' using message = 'I am a teapot';
  elsif kind = 'pgrst' then
    raise sqlstate 'PGRST' using message = '{"code":"LIB01","message":"custom failure","hint":"try later"}',
                                 detail = '{"status":409,"headers":{"X-Reason":"custom"}}';
  end if;
  return 1;
end $$;
create function public.rest_context() returns jsonb language sql stable as $$
  select jsonb_build_object(
    'role', current_user,
    'method', current_setting('request.method', true),
    'path', current_setting('request.path', true),
    'sub', current_setting('request.jwt.claims', true)::jsonb ->> 'sub',
    'claims_role', current_setting('request.jwt.claims', true)::jsonb ->> 'role',
    'header', current_setting('request.headers', true)::jsonb ->> 'x-client-info',
    'read_only', current_setting('transaction_read_only')) $$;
create function public.rest_counts(n int) returns table (i int, square int) language sql immutable as $$
  select g, g * g from generate_series(1, n) g $$;
create function public.rest_insert_tag(id int, label text) returns public.rest_tags language sql as $$
  insert into public.rest_tags values (id, label) returning * $$;

grant select, insert, update, delete on public.rest_authors, public.rest_books, public.rest_tags, public.rest_book_tags,
  public.rest_book_details to anon, authenticated, service_role;
grant select, insert, update, delete on public.rest_owned to authenticated, service_role;
grant usage on sequence public.rest_owned_id_seq to authenticated, service_role;
revoke all on public.rest_private from anon, authenticated;
`;

export async function createLibrary(db: SqlClient): Promise<void> {
  await db.exec(LIBRARY_SQL);
}
