-- Who set an expense's category.
--
-- Automatic categorization must never overwrite a category a person chose. The
-- database records the source: a person's insert or change is `user`, an insert
-- that took the default category is `default`, and the categorizer writes
-- `history`, `rules` or `ai` together with the category and its confidence.
--
-- The column, its check and the history index are declared with expenses.

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
revoke execute on function private.track_category_source() from public;

create trigger expenses_track_category_source
  before insert or update of category, category_source, ai_category_confidence on public.expenses
  for each row execute function private.track_category_source();
