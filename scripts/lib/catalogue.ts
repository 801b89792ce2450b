/**
 * A deterministic text dump of everything the migrations establish, read from
 * the system catalogue: schemas, tables and their columns, constraints,
 * indexes, triggers, policies, functions with their bodies, privileges,
 * comments, default privileges, publications, extensions, and the rows of the
 * lookup tables the migrations seed. Two databases built from migrations that
 * differ only in how they are cut give the same dump.
 *
 * Nothing here depends on OIDs or creation order; every section is sorted.
 */
import type { Queryable } from '@wallai/db-client';

/** Schemas the project and the compatibility layer own; system schemas are left out. */
const APP_SCHEMAS = ['public', 'private', 'auth', 'storage', 'extensions'];

interface Section {
  readonly title: string;
  readonly sql: string;
}

const inSchemas = (column: string) => `${column} = any($1::text[])`;
/** Objects that belong to an extension (pg_trgm's functions...) are the extension's, not ours. */
const notFromExtension = (classTable: string, oid: string) =>
  `not exists (select 1 from pg_catalog.pg_depend d where d.classid = '${classTable}'::regclass and d.objid = ${oid} and d.deptype = 'e')`;

const SECTIONS: readonly Section[] = [
  {
    title: 'schemas',
    sql: `select n.nspname || ' owner=' || pg_catalog.pg_get_userbyid(n.nspowner)
                 || ' acl=' || coalesce(n.nspacl::text, '-')
                 || coalesce(' comment=' || pg_catalog.obj_description(n.oid, 'pg_namespace'), '') as line
            from pg_catalog.pg_namespace n where ${inSchemas('n.nspname')}`,
  },
  {
    title: 'extensions',
    sql: `select e.extname || ' in ' || n.nspname as line
            from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
           where e.extname <> 'plpgsql'`,
  },
  {
    title: 'relations',
    sql: `select n.nspname || '.' || c.relname || ' kind=' || c.relkind::text
                 || ' owner=' || pg_catalog.pg_get_userbyid(c.relowner)
                 || ' rls=' || c.relrowsecurity || ' force_rls=' || c.relforcerowsecurity
                 || ' acl=' || coalesce((select string_agg(a::text, ',' order by a::text) from unnest(c.relacl) a), '-')
                 || coalesce(' options=' || c.reloptions::text, '')
                 || coalesce(' comment=' || pg_catalog.obj_description(c.oid, 'pg_class'), '') as line
            from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
           where ${inSchemas('n.nspname')} and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
             and ${notFromExtension('pg_class', 'c.oid')}`,
  },
  {
    title: 'views',
    sql: `select n.nspname || '.' || c.relname || ': ' || pg_catalog.pg_get_viewdef(c.oid, true) as line
            from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
           where ${inSchemas('n.nspname')} and c.relkind in ('v', 'm')`,
  },
  {
    title: 'columns',
    sql: `select n.nspname || '.' || c.relname || ' #' || lpad(a.attnum::text, 3, '0') || ' ' || a.attname
                 || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
                 || case when a.attnotnull then ' not null' else '' end
                 || coalesce(case when a.attgenerated = 's' then ' generated ' else ' default ' end
                             || pg_catalog.pg_get_expr(d.adbin, d.adrelid), '')
                 || case when a.attidentity::text <> '' then ' identity=' || a.attidentity::text else '' end
                 || coalesce(' acl=' || (select string_agg(x::text, ',' order by x::text) from unnest(a.attacl) x), '')
                 || coalesce(' comment=' || pg_catalog.col_description(c.oid, a.attnum), '') as line
            from pg_catalog.pg_attribute a
            join pg_catalog.pg_class c on c.oid = a.attrelid
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
           where ${inSchemas('n.nspname')} and c.relkind in ('r', 'p', 'v', 'm', 'f')
             and a.attnum > 0 and not a.attisdropped
             and ${notFromExtension('pg_class', 'c.oid')}`,
  },
  {
    title: 'constraints',
    sql: `select n.nspname || '.' || c.relname || ' ' || k.conname || ': ' || pg_catalog.pg_get_constraintdef(k.oid, true)
                 || case when k.condeferrable then ' deferrable' else '' end
                 || case when k.condeferred then ' initially deferred' else '' end
                 || coalesce(' comment=' || pg_catalog.obj_description(k.oid, 'pg_constraint'), '') as line
            from pg_catalog.pg_constraint k
            join pg_catalog.pg_class c on c.oid = k.conrelid
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
           where ${inSchemas('n.nspname')}`,
  },
  {
    // Definitions without their names, then the names: a renamed index shows
    // up only in the second section.
    title: 'index definitions',
    sql: `select regexp_replace(pg_catalog.pg_get_indexdef(i.indexrelid), '^(CREATE (UNIQUE )?INDEX )\\S+ ', '\\1')
                 || coalesce(' comment=' || pg_catalog.obj_description(i.indexrelid, 'pg_class'), '') as line
            from pg_catalog.pg_index i
            join pg_catalog.pg_class c on c.oid = i.indrelid
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
           where ${inSchemas('n.nspname')}`,
  },
  {
    title: 'index names',
    sql: `select n.nspname || '.' || x.relname || ' on ' || c.relname as line
            from pg_catalog.pg_index i
            join pg_catalog.pg_class x on x.oid = i.indexrelid
            join pg_catalog.pg_class c on c.oid = i.indrelid
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
           where ${inSchemas('n.nspname')}`,
  },
  {
    title: 'triggers',
    sql: `select pg_catalog.pg_get_triggerdef(t.oid, true) || ' enabled=' || t.tgenabled::text
                 || coalesce(' comment=' || pg_catalog.obj_description(t.oid, 'pg_trigger'), '') as line
            from pg_catalog.pg_trigger t
            join pg_catalog.pg_class c on c.oid = t.tgrelid
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
           where ${inSchemas('n.nspname')} and not t.tgisinternal`,
  },
  {
    title: 'policies',
    sql: `select p.schemaname || '.' || p.tablename || ' "' || p.policyname || '" ' || p.permissive || ' for ' || p.cmd
                 || ' to ' || array_to_string(p.roles, ',')
                 || coalesce(' using (' || p.qual || ')', '')
                 || coalesce(' with check (' || p.with_check || ')', '') as line
            from pg_catalog.pg_policies p where ${inSchemas('p.schemaname')}`,
  },
  {
    title: 'functions',
    sql: `select pg_catalog.pg_get_functiondef(p.oid)
                 || E'\\n  ' || p.oid::regprocedure::text || ' owner=' || pg_catalog.pg_get_userbyid(p.proowner)
                 || ' acl=' || coalesce((select string_agg(a::text, ',' order by a::text) from unnest(p.proacl) a), 'default')
                 || coalesce(E'\\n  comment=' || pg_catalog.obj_description(p.oid, 'pg_proc'), '') as line
            from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
           where ${inSchemas('n.nspname')} and ${notFromExtension('pg_proc', 'p.oid')}`,
  },
  {
    title: 'types',
    sql: `select n.nspname || '.' || t.typname || ' type=' || t.typtype::text
                 || coalesce(' labels=' || (select string_agg(e.enumlabel, ',' order by e.enumsortorder)
                                              from pg_catalog.pg_enum e where e.enumtypid = t.oid), '') as line
            from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
           where ${inSchemas('n.nspname')} and t.typtype in ('e', 'd')
             and ${notFromExtension('pg_type', 't.oid')}`,
  },
  {
    title: 'default privileges',
    sql: `select pg_catalog.pg_get_userbyid(d.defaclrole) || ' in ' || coalesce(n.nspname, '(all schemas)')
                 || ' on ' || d.defaclobjtype::text || ': '
                 || coalesce((select string_agg(a::text, ',' order by a::text) from unnest(d.defaclacl) a), '-') as line
            from pg_catalog.pg_default_acl d left join pg_catalog.pg_namespace n on n.oid = d.defaclnamespace`,
  },
  {
    title: 'publications',
    sql: `select p.pubname || ': ' || t.schemaname || '.' || t.tablename as line
            from pg_catalog.pg_publication p
            left join pg_catalog.pg_publication_tables t on t.pubname = p.pubname`,
  },
  {
    title: 'seeded rows',
    sql: `select 'storage.buckets ' || row_to_json(b)::text as line
            from (select id, name, public, file_size_limit, allowed_mime_types from storage.buckets) b
          union all
          select 'private.default_categories ' || row_to_json(c)::text from private.default_categories c
          union all
          select 'private.time_zones count>0=' || (count(*) > 0)::text from private.time_zones`,
  },
];

/** The whole dump as text, one sorted section after another. */
export async function dumpCatalogue(db: Queryable): Promise<string> {
  const out: string[] = [];
  for (const section of SECTIONS) {
    const rows = await db.query<{ line: string | null }>(section.sql, section.sql.includes('$1') ? [APP_SCHEMAS] : []);
    const lines = rows.map((r) => r.line ?? '(null)').sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    out.push(`== ${section.title} (${lines.length})`, ...lines, '');
  }
  return out.join('\n');
}
