-- Categorization: who set an expense's category, and the data rules of the
-- categorizer (the month's candidate categories, the history neighbours and
-- the one write path that never overwrites a person's choice).
--
-- Automatic categorization must never overwrite a category a person chose. The
-- database records the source: a person's insert or change is `user`, an insert
-- that took the default category is `default`, and the categorizer writes
-- `history`, `rules` or `ai` together with the category and its confidence.
--
-- The column, its check and the history index are declared with expenses, and
-- so is the rule for inserts (in prepare_expense, the one row trigger every
-- inserted expense pays for); the rule for changes is here.

create function private.track_category_source() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.category is distinct from old.category and new.category_source = old.category_source
     and new.category_source is distinct from nullif(pg_catalog.current_setting('wallai.auto_category_source', true), '') then
    -- Changed without naming a new source, and not by apply_auto_category for this step.
    new.category_source := 'user';
  end if;
  if new.category_source in ('default', 'user') then
    new.ai_category_confidence := null;
  end if;
  return new;
end
$$;
comment on function private.track_category_source() is
  'Trigger: a category changed without naming its source was changed by a person; people''s categories carry no confidence. (On insert, prepare_expense applies the same rule.)';
revoke execute on function private.track_category_source() from public;

create trigger expenses_track_category_source
  before update of category, category_source, ai_category_confidence on public.expenses
  for each row execute function private.track_category_source();

-- The categorizer's data rules ------------------------------------------------------------
-- What the categorization service (packages/categorize) loads and writes. Each
-- runs as the caller (security invoker), so RLS decides what it sees and
-- changes, for a signed-in person and for the service role alike.

create function public.month_categories(space_id uuid, on_date date default null) returns text[]
language sql stable
security invoker
set search_path = ''
as $$
  -- The month of on_date, or of today in the space's time zone.
  select coalesce(array_agg(i.category order by i.display_order, i.category), '{}'::text[])
    from public.spaces s
    join public.budgets b
      on b.space_id = s.id and b.type = 'master'
     and b.month_period = date_trunc('month', coalesce(on_date, (now() at time zone s.timezone)::date))::date
    join public.budget_items i on i.budget_id = b.id
   where s.id = month_categories.space_id
$$;
comment on function public.month_categories(uuid, date) is
  'Category keys of the space''s master budget for the month of on_date (default: today in the space''s time zone), in display order; empty without a budget or access.';
revoke execute on function public.month_categories(uuid, date) from public, anon;
grant execute on function public.month_categories(uuid, date) to authenticated, service_role;

create function public.category_history(
  space_id uuid,
  description text,
  max_results integer default 10,
  exclude_expense uuid default null
) returns table (category text, similarity double precision)
language sql stable
security invoker
set search_path = ''
as $$
  -- Nearest categorized expenses of the space by pg_trgm similarity (the `%`
  -- operator uses idx_expenses_description_trgm; idx_expenses_categorized_by_space
  -- narrows to rows someone categorized). A row nobody categorized (`default`)
  -- is no evidence. An automatic category is only as good as the confidence it
  -- was stored with, so its similarity is scaled by it: a stored fallback guess
  -- (`other` at 0.1) never comes back as a confident "same merchant" answer,
  -- while a person's category counts in full.
  select h.category,
         (extensions.similarity(h.description, category_history.description)
          * case when h.category_source = 'user' then 1 else coalesce(h.ai_category_confidence, 1) end)::float8
    from public.expenses h
   where h.space_id = category_history.space_id
     and h.category_source <> 'default'
     and (category_history.exclude_expense is null or h.id <> category_history.exclude_expense)
     and h.description operator(extensions.%) category_history.description
   order by extensions.similarity(h.description, category_history.description) desc, h.date desc, h.id
   limit least(greatest(coalesce(category_history.max_results, 10), 1), 50)
$$;
comment on function public.category_history(uuid, text, integer, uuid) is
  'The space''s categorized expenses most similar to description (pg_trgm), with their category and a similarity scaled by the stored confidence; at most max_results (1-50). What the caller may read only.';
revoke execute on function public.category_history(uuid, text, integer, uuid) from public, anon;
grant execute on function public.category_history(uuid, text, integer, uuid) to authenticated, service_role;

create function public.apply_auto_category(expense_id uuid, category text, confidence numeric, source text)
returns text
language plpgsql volatile
security invoker
set search_path = ''
as $$
declare
  written uuid;
  current_source text;
begin
  if source is null or source not in ('history', 'rules', 'ai') then
    raise exception 'source must be history, rules or ai' using errcode = '22023';
  end if;
  if confidence is null or not (confidence >= 0 and confidence <= 1) then
    raise exception 'confidence must be between 0 and 1' using errcode = '22023';
  end if;
  if category is null or category !~ '^[a-z0-9_]{1,40}$' then
    raise exception 'category must be a category key (a-z, 0-9, _; at most 40)' using errcode = '22023';
  end if;

  -- Never a person's category: checked in the update itself, so a concurrent
  -- manual change that commits first wins. The setting tells the
  -- category_source trigger that this write names its step, even when the
  -- step is the one that set the previous category.
  perform pg_catalog.set_config('wallai.auto_category_source', source, true);
  update public.expenses e
     set category = apply_auto_category.category,
         ai_category_confidence = round(apply_auto_category.confidence, 2),
         category_source = apply_auto_category.source
   where e.id = apply_auto_category.expense_id
     and e.category_source <> 'user'
  returning e.id into written;
  perform pg_catalog.set_config('wallai.auto_category_source', '', true);

  if written is not null then
    return 'written';
  end if;
  select e.category_source into current_source from public.expenses e where e.id = apply_auto_category.expense_id;
  if not found then
    return 'not_visible';
  end if;
  return case when current_source = 'user' then 'user_category' else 'not_writable' end;
end
$$;
comment on function public.apply_auto_category(uuid, text, numeric, text) is
  'Store an automatic category (source history, rules or ai, confidence 0-1) unless a person chose the category. Returns written, user_category (kept the person''s), not_writable (visible but not the caller''s to change) or not_visible.';
revoke execute on function public.apply_auto_category(uuid, text, numeric, text) from public, anon;
grant execute on function public.apply_auto_category(uuid, text, numeric, text) to authenticated, service_role;
