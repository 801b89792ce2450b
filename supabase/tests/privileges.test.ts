/**
 * Least privilege, proven by the catalogue: what anon and authenticated can
 * execute and touch is exactly what privileges.allowlist.ts declares.
 */
import type { Queryable, SqlClient } from '@wallai/db-client';
import { useTestDatabase } from '@wallai/testing';
import { describe, expect, it } from 'vitest';
import { ALLOWED, type ApiRole, type RelationGrant, type RoleAllowList, type TablePrivilege } from './privileges.allowlist.ts';

const db = useTestDatabase();

/** Schemas whose objects the API roles could reach; extension-owned objects (pg_trgm, pgcrypto) are the extension's. */
const SCHEMAS = ['public', 'private', 'storage', 'auth', 'extensions', 'graphql_public'];
const TABLE_PRIVILEGES: readonly TablePrivilege[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];
const COLUMN_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE'] as const;

/** What the catalogue says the role may do, in the allow-list's shape. */
async function actualPrivileges(q: Queryable, role: ApiRole): Promise<RoleAllowList> {
  const functions = await q.query<{ fn: string }>(
    `select n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' as fn
       from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
      where n.nspname = any($1::text[])
        and not exists (select 1 from pg_catalog.pg_depend d
                         where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
        and pg_catalog.has_function_privilege($2, p.oid, 'execute')`,
    [SCHEMAS, role],
  );
  const tables = await q.query<{ rel: string; privilege: string }>(
    `select n.nspname || '.' || c.relname as rel, p.privilege
       from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      cross join unnest($3::text[]) as p(privilege)
      where n.nspname = any($1::text[]) and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
        and pg_catalog.has_table_privilege($2, c.oid, p.privilege)`,
    [SCHEMAS, role, TABLE_PRIVILEGES],
  );
  const columns = await q.query<{ rel: string; privilege: string; columns: string[] }>(
    `select n.nspname || '.' || c.relname as rel, p.privilege, array_agg(a.attname::text order by a.attnum) as columns
       from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
       join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      cross join unnest($3::text[]) as p(privilege)
      where n.nspname = any($1::text[]) and c.relkind in ('r', 'p', 'v', 'm', 'f')
        and not pg_catalog.has_table_privilege($2, c.oid, p.privilege)
        and pg_catalog.has_column_privilege($2, c.oid, a.attnum, p.privilege)
      group by 1, 2`,
    [SCHEMAS, role, COLUMN_PRIVILEGES],
  );

  const relations: Record<string, { table?: TablePrivilege[]; columns?: Record<string, string[]> }> = {};
  for (const row of tables) {
    const entry = (relations[row.rel] ??= {});
    (entry.table ??= []).push(row.privilege as TablePrivilege);
  }
  for (const row of columns) {
    const entry = (relations[row.rel] ??= {});
    (entry.columns ??= {})[row.privilege] = row.columns;
  }
  for (const entry of Object.values(relations)) entry.table?.sort();
  return { functions: functions.map((r) => r.fn).sort(), relations };
}

class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super('rollback');
  }
}

/** Runs fn in a transaction that is always rolled back, and returns what fn returned. */
async function rolledBack<T>(client: SqlClient, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  try {
    await client.transaction(async (tx) => {
      throw new Rollback(await fn(tx));
    });
  } catch (error) {
    if (error instanceof Rollback) return error.value as T;
    throw error;
  }
  throw new Error('unreachable: the transaction always rolls back');
}

function normalized(list: RoleAllowList): RoleAllowList {
  const relations: Record<string, RelationGrant> = {};
  for (const [rel, grant] of Object.entries(list.relations)) {
    relations[rel] = {
      ...(grant.table ? { table: [...grant.table].sort() } : {}),
      ...(grant.columns ? { columns: grant.columns } : {}),
    };
  }
  return { functions: [...list.functions].sort(), relations };
}

describe('privileges of the API roles', () => {
  for (const role of ['anon', 'authenticated'] as const) {
    it(`${role} can execute and touch exactly what the allow-list declares`, async () => {
      expect(await actualPrivileges(db(), role)).toEqual(normalized(ALLOWED[role]));
    });
  }

  it('the check notices a new function left executable by PUBLIC and a widened grant', async () => {
    const seen = await rolledBack(db(), async (tx) => {
      await tx.exec(`
        create function public.leaky_probe() returns int language sql as $$ select 1 $$;
        grant insert on public.settlements to authenticated;`);
      return { anon: await actualPrivileges(tx, 'anon'), authenticated: await actualPrivileges(tx, 'authenticated') };
    });
    expect(seen.anon.functions).toContain('public.leaky_probe()');
    expect(seen.anon).not.toEqual(normalized(ALLOWED.anon));
    expect(seen.authenticated.relations['public.settlements']?.table).toEqual(['DELETE', 'INSERT', 'SELECT']);
    expect(await actualPrivileges(db(), 'anon')).toEqual(normalized(ALLOWED.anon));
  });
});
