-- Who set an expense's category.
--
-- Automatic categorization must never overwrite a category a person chose. The
-- database records the source: a person's insert or change is `user`, an insert
-- that took the default category is `default`, and the categorizer writes
-- `history`, `rules` or `ai` together with the category and its confidence.

alter table public.expenses
  add column category_source text not null default 'default'
  constraint expenses_category_source_check check (category_source in ('default', 'user', 'history', 'rules', 'ai'));

comment on column public.expenses.category_source is
  'Who set the category: default (nothing chosen yet), user (a person), or the categorizer step (history, rules, ai). Automatic categorization only changes default and automatic ones.';

-- Serves "categorize like the last similar expense": categorized rows of one space.
create index expenses_categorized_by_space_idx on public.expenses (space_id) where category_source <> 'default';

create function private.track_category_source() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    -- A client that names the source (the categorizer) keeps it; otherwise a
    -- category other than the default one was chosen by the person.
    if new.category_source = 'default' and new.category <> 'other' then
      new.category_source := 'user';
    end if;
  elsif new.category is distinct from old.category and new.category_source = old.category_source then
    new.category_source := 'user';
  end if;
  if new.category_source in ('default', 'user') then
    new.ai_category_confidence := null;
  end if;
  return new;
end
$$;
comment on function private.track_category_source() is
  'Trigger: a category changed without naming its source was changed by a person; people''s categories carry no confidence.';

create trigger expenses_track_category_source
  before insert or update of category, category_source, ai_category_confidence on public.expenses
  for each row execute function private.track_category_source();

grant insert (category_source), update (category_source) on public.expenses to authenticated;
