-- Consent to insights: SpendSense's consent_status and consent_version on users,
-- set by the person through public.set_insights_consent.
--
-- A space is analysed (signals, persona, insights), and its data sent to an
-- LLM, only when every active non-viewer member has consented to the current
-- version (DESIGN.md, "Insights, personas, recommendations, review"). The
-- insights service checks it on every run and records the reason on the
-- space's profile when it is missing; withdrawing consent hides the current
-- insights of the person's spaces at once.

alter table public.users
  add column consent_status boolean not null default false,
  add column consent_version text not null default '1.0',
  add column consent_updated_at timestamptz,
  add constraint users_consent_version_format check (consent_version ~ '^[0-9]{1,3}(\.[0-9]{1,3}){0,2}$');

comment on column public.users.consent_status is
  'Whether the person agrees that the spaces they belong to are analysed for insights (and, with a key, phrased by an LLM). Set only through set_insights_consent.';
comment on column public.users.consent_version is
  'The version of the insights consent text the person last answered (SpendSense''s consent_version; default 1.0).';
comment on column public.users.consent_updated_at is 'When the person last gave or withdrew consent; null when never asked.';

-- The person's answer ---------------------------------------------------------------------

create function public.set_insights_consent(granted boolean, version text default '1.0') returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_user();
begin
  if granted is null then
    raise exception 'granted must be true or false' using errcode = '22023';
  end if;
  if version is null or version !~ '^[0-9]{1,3}(\.[0-9]{1,3}){0,2}$' then
    raise exception 'version must look like 1.0' using errcode = '22023';
  end if;

  update public.users u
     set consent_status = set_insights_consent.granted,
         consent_version = set_insights_consent.version,
         consent_updated_at = now()
   where u.id = caller;

  if not granted then
    -- No consent, no insights: what the person's spaces show now is hidden at
    -- once (the next run records why). Viewers are not asked, so their answer
    -- changes nothing.
    update public.financial_insights fi
       set expires_at = greatest(now(), fi.created_at + interval '1 millisecond')
     where fi.space_id in (
             select m.space_id from public.space_members m
              where m.user_id = caller and m.is_active and m.role <> 'viewer')
       and (fi.expires_at is null or fi.expires_at > now());
  end if;
end
$$;
comment on function public.set_insights_consent(boolean, text) is
  'The caller gives (true) or withdraws (false) consent to insights for the given consent version. Withdrawing hides the current insights of every space where they are an active non-viewer member.';
revoke execute on function public.set_insights_consent(boolean, text) from public, anon;
grant execute on function public.set_insights_consent(boolean, text) to authenticated;
