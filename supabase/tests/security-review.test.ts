/**
 * Security review, database side: properties enumerated from the catalogue, so
 * a function or object added later is checked without anyone remembering to.
 * (What anon and authenticated may execute or touch is the allow-list's job:
 * supabase/tests/privileges.test.ts.)
 */
import { addMember, createExpense, createSpace, queryAs, useTestDatabase } from '@wallai/testing';
import { describe, expect, it } from 'vitest';

const db = useTestDatabase();

/** Schemas whose functions are ours (the compatibility layer's auth/storage are Supabase's). */
const OURS = `('public', 'private')`;

describe('security definer functions', () => {
  it("every one of ours pins search_path to '' so no caller's schema can shadow what it calls", async () => {
    const loose = await db().query<{ fn: string; config: string | null }>(`
      select p.oid::regprocedure::text as fn, array_to_string(p.proconfig, ',') as config
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname in ${OURS} and p.prosecdef
         and not coalesce('search_path=""' = any (p.proconfig), false)
       order by 1`);
    expect(loose).toEqual([]);
    // The check sees them: there are security definer functions to check.
    const [counted] = await db().query<{ count: number }>(`
      select count(*)::int as count from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname in ${OURS} and p.prosecdef`);
    expect(counted?.count).toBeGreaterThan(10);
  });

  it('none is executable by PUBLIC, so each runs only for the roles its grants name', async () => {
    const open = await db().query<{ fn: string }>(`
      select p.oid::regprocedure::text as fn
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname in ${OURS} and p.prosecdef
         and (p.proacl is null or exists (select 1 from aclexplode(p.proacl) a where a.grantee = 0 and a.privilege_type = 'EXECUTE'))
       order by 1`);
    expect(open).toEqual([]);
  });

  it('every one of ours that anon or authenticated can execute is in public or private, never in an extension schema', async () => {
    const elsewhere = await db().query<{ fn: string }>(`
      select p.oid::regprocedure::text as fn
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where p.prosecdef and n.nspname not in ${OURS}
         and n.nspname not in ('pg_catalog', 'information_schema', 'auth', 'storage', 'realtime', 'extensions', 'graphql', 'vault', 'pgbouncer', 'supabase_functions', 'cron', 'net')
       order by 1`);
    expect(elsewhere).toEqual([]);
  });
});

describe('the private schema', () => {
  it('anon has no usage on it, and the only table an API role reads there is the public list of time zones', async () => {
    const [schema] = await db().query<{ usage: boolean }>(`select has_schema_privilege('anon', 'private', 'usage') as usage`);
    expect(schema?.usage).toBe(false);
    const readable = await db().query<{ table_name: string; role: string }>(`
      select c.relname as table_name, r.role
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
       cross join (values ('anon'), ('authenticated')) r(role)
       where n.nspname = 'private' and c.relkind in ('r', 'v', 'm', 'p')
         and has_table_privilege(r.role, c.oid, 'select')
       order by 1, 2`);
    // is_valid_timezone runs as the caller inside spaces' check constraint; the names are
    // pg_timezone_names', public knowledge.
    expect(readable).toEqual([{ table_name: 'time_zones', role: 'authenticated' }]);
  });
});

describe('receipt paths', () => {
  const upload = (actor: Parameters<typeof queryAs>[1], name: string) =>
    queryAs(db(), actor, `insert into storage.objects (bucket_id, name) values ('receipts', $1) returning id`, [name]);

  it('path tricks are refused: traversal, absolute, doubled or trailing slashes, encoded separators, control characters', async () => {
    const space = await createSpace(db());
    const member = await addMember(db(), space, 'member');
    const mine = await createExpense(db(), space, { amount: '9.00' }, member);
    const other = await createSpace(db());
    const foreign = await createExpense(db(), other, { amount: '9.00' });
    const tricks = [
      `${space.id}/${mine.id}/../../${other.id}/${foreign.id}/x.jpg`,
      `${space.id}/${mine.id}/..`,
      `${space.id}/../${other.id}/${foreign.id}/x.jpg`,
      `/${space.id}/${mine.id}/x.jpg`,
      `${space.id}//${mine.id}/x.jpg`,
      `${space.id}/${mine.id}/`,
      `${space.id}/${mine.id}/a%2F..%2Fb.jpg`,
      `${space.id}/${mine.id}/a\\..\\b.jpg`,
      `${space.id}/${mine.id}/x\n.jpg`,
      `${space.id.toUpperCase()}/${foreign.id}/x.jpg`,
      `${other.id}/${foreign.id}/x.jpg`,
    ];
    const accepted: string[] = [];
    for (const name of tricks) {
      try {
        await upload(member.actor, name);
        accepted.push(name);
      } catch (error) {
        expect((error as { code?: string }).code, name).toBe('42501');
      }
    }
    expect(accepted).toEqual([]);
    // Plain names still work, accents and spaces included, so the refusals are the tricks' doing.
    await upload(member.actor, `${space.id}/${mine.id}/x.jpg`);
    await upload(member.actor, `${space.id}/${mine.id}/recibo café (1).jpg`);
  });
});
