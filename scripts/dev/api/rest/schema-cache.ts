/**
 * PostgREST's schema cache, read from pg_catalog: the tables and views of the
 * exposed schemas with their columns, primary keys and unique keys, the
 * relationships their foreign keys make (many-to-one, one-to-many,
 * one-to-one, many-to-many through a junction table), and the functions with
 * their arguments, return types and volatility.
 *
 * Type names come from format_type(oid, NULL) with an empty search_path: fully
 * qualified outside pg_catalog and without type modifiers, so a value bound as
 * text and cast to the column's type behaves like PostgREST's unknown-typed
 * parameter (numeric(12,2) compares as numeric, not rounded first).
 */
import type { Queryable } from '@wallai/db-client';

export interface QualifiedName {
  readonly schema: string;
  readonly name: string;
}

export interface Column {
  readonly name: string;
  /** Casting target: format_type without typmod, qualified outside pg_catalog. */
  readonly type: string;
  readonly nullable: boolean;
  /** The default's SQL expression (from pg_get_expr), null when none. */
  readonly default: string | null;
  readonly generated: boolean;
}

export interface Table extends QualifiedName {
  readonly kind: 'table' | 'view' | 'materialized view' | 'foreign table';
  readonly columns: readonly Column[];
  readonly primaryKey: readonly string[];
  /** Primary key and unique constraints: column sets that identify one row. */
  readonly uniqueKeys: ReadonlyArray<readonly string[]>;
}

export type Cardinality = 'many-to-one' | 'one-to-many' | 'one-to-one' | 'many-to-many';

export interface Relationship {
  readonly table: QualifiedName;
  readonly foreignTable: QualifiedName;
  readonly cardinality: Cardinality;
  /** The foreign key's name (for many-to-many, the constraint from the junction to the foreign table). */
  readonly constraint: string;
  /** (column of table, column of foreignTable) pairs; for many-to-many, (table column, junction column). */
  readonly columns: ReadonlyArray<readonly [string, string]>;
  /** true for a one-to-one seen from the table the foreign key is on. */
  readonly isParent?: boolean;
  readonly junction?: {
    readonly table: QualifiedName;
    readonly constraintToSource: string;
    readonly constraintToTarget: string;
    /** (junction column, foreignTable column) pairs. */
    readonly targetColumns: ReadonlyArray<readonly [string, string]>;
  };
}

export interface RoutineParam {
  readonly name: string;
  readonly type: string;
  readonly hasDefault: boolean;
  readonly variadic: boolean;
}

export interface Routine extends QualifiedName {
  readonly params: readonly RoutineParam[];
  readonly volatility: 'volatile' | 'stable' | 'immutable';
  readonly returnsSet: boolean;
  /** The return type's name (format_type); 'void' for procedures-like functions. */
  readonly returnType: string;
  /** A composite result (table row, composite type, or RETURNS TABLE): its columns. Null for scalars. */
  readonly returnColumns: readonly Column[] | null;
  /** The table or view whose rows the function returns, when it does (embedding from RPC results). */
  readonly returnRelation: QualifiedName | null;
}

export interface SchemaCache {
  readonly schemas: readonly string[];
  readonly tables: ReadonlyMap<string, Table>;
  readonly relationships: ReadonlyMap<string, readonly Relationship[]>;
  readonly routines: ReadonlyMap<string, readonly Routine[]>;
}

export const qualifiedKey = (q: QualifiedName): string => `${q.schema}\u0000${q.name}`;

interface ColumnRow {
  name: string;
  type: string;
  nullable: boolean;
  default: string | null;
  generated: boolean;
}

const TABLES_SQL = `
  select n.nspname as schema, c.relname as name, c.relkind as kind,
         coalesce((select json_agg(json_build_object(
                      'name', a.attname,
                      'type', pg_catalog.format_type(a.atttypid, null),
                      'nullable', not a.attnotnull,
                      'default', pg_catalog.pg_get_expr(d.adbin, d.adrelid),
                      'generated', a.attgenerated <> '' or a.attidentity = 'a')
                    order by a.attnum)
                     from pg_catalog.pg_attribute a
                     left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
                    where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]') as columns,
         coalesce((select json_agg(keys.cols)
                     from (select array(select a.attname from unnest(k.conkey) with ordinality u(attnum, ord)
                                          join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum = u.attnum
                                         order by u.ord) as cols, k.contype
                             from pg_catalog.pg_constraint k
                            where k.conrelid = c.oid and k.contype in ('p', 'u')
                            order by k.contype, k.conname) keys), '[]') as unique_keys,
         coalesce((select to_json(array(select a.attname from unnest(k.conkey) with ordinality u(attnum, ord)
                                          join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum = u.attnum
                                         order by u.ord))
                     from pg_catalog.pg_constraint k where k.conrelid = c.oid and k.contype = 'p'), '[]') as primary_key
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
   where n.nspname = any($1::text[]) and c.relkind in ('r', 'p', 'v', 'm', 'f')`;

const FOREIGN_KEYS_SQL = `
  select k.conname as name,
         n1.nspname as schema, c1.relname as table,
         n2.nspname as foreign_schema, c2.relname as foreign_table,
         to_json(array(select a.attname from unnest(k.conkey) with ordinality u(attnum, ord)
                         join pg_catalog.pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.attnum order by u.ord)) as columns,
         to_json(array(select a.attname from unnest(k.confkey) with ordinality u(attnum, ord)
                         join pg_catalog.pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.attnum order by u.ord)) as foreign_columns
    from pg_catalog.pg_constraint k
    join pg_catalog.pg_class c1 on c1.oid = k.conrelid
    join pg_catalog.pg_namespace n1 on n1.oid = c1.relnamespace
    join pg_catalog.pg_class c2 on c2.oid = k.confrelid
    join pg_catalog.pg_namespace n2 on n2.oid = c2.relnamespace
   where k.contype = 'f' and (n1.nspname = any($1::text[]) or n2.nspname = any($1::text[]))
   order by k.conname`;

const ROUTINES_SQL = `
  select n.nspname as schema, p.proname as name, p.provolatile as volatility, p.proretset as returns_set,
         pg_catalog.format_type(p.prorettype, null) as return_type,
         t.typtype as return_typtype, t.typrelid <> 0 as return_composite,
         rn.nspname as return_rel_schema, rc.relname as return_rel_name, rc.relkind as return_rel_kind,
         coalesce((select json_agg(json_build_object('name', a.attname, 'type', pg_catalog.format_type(a.atttypid, null),
                                                     'nullable', not a.attnotnull, 'default', null, 'generated', false)
                                   order by a.attnum)
                     from pg_catalog.pg_attribute a
                    where t.typrelid <> 0 and a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped), '[]') as composite_columns,
         coalesce((select json_agg(json_build_object('name', coalesce(p.proargnames[i], ''),
                                                     'type', pg_catalog.format_type((coalesce(p.proallargtypes, array(select unnest(p.proargtypes::oid[]))))[i], null),
                                                     'mode', coalesce(p.proargmodes[i], 'i'))
                                   order by i)
                     from generate_series(1, coalesce(array_length(p.proallargtypes, 1), p.pronargs)) i), '[]') as args,
         p.pronargdefaults as n_defaults
    from pg_catalog.pg_proc p
    join pg_catalog.pg_namespace n on n.oid = p.pronamespace
    join pg_catalog.pg_type t on t.oid = p.prorettype
    left join pg_catalog.pg_class rc on rc.oid = t.typrelid
    left join pg_catalog.pg_namespace rn on rn.oid = rc.relnamespace
   where n.nspname = any($1::text[]) and p.prokind = 'f'`;

const RELKINDS: Record<string, Table['kind']> = { r: 'table', p: 'table', v: 'view', m: 'materialized view', f: 'foreign table' };
const VOLATILITY: Record<string, Routine['volatility']> = { v: 'volatile', s: 'stable', i: 'immutable' };

const parseJson = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

/** Reads the schema cache in one transaction with an empty search_path. */
export async function loadSchemaCache(
  transaction: <T>(fn: (tx: Queryable) => Promise<T>) => Promise<T>,
  schemas: readonly string[],
): Promise<SchemaCache> {
  return transaction(async (tx) => {
    await tx.query(`select set_config('search_path', '', true)`);
    const list = `{${schemas.map((s) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
    const tableRows = await tx.query<Record<string, unknown>>(TABLES_SQL, [list]);
    const fkRows = await tx.query<Record<string, unknown>>(FOREIGN_KEYS_SQL, [list]);
    const routineRows = await tx.query<Record<string, unknown>>(ROUTINES_SQL, [list]);
    return buildSchemaCache(schemas, tableRows, fkRows, routineRows);
  });
}

/** Pure: the cache from the three catalogue queries' rows. */
export function buildSchemaCache(
  schemas: readonly string[],
  tableRows: ReadonlyArray<Record<string, unknown>>,
  fkRows: ReadonlyArray<Record<string, unknown>>,
  routineRows: ReadonlyArray<Record<string, unknown>>,
): SchemaCache {
  const tables = new Map<string, Table>();
  for (const row of tableRows) {
    const table: Table = {
      schema: String(row.schema),
      name: String(row.name),
      kind: RELKINDS[String(row.kind)] ?? 'table',
      columns: parseJson<ColumnRow[]>(row.columns),
      primaryKey: parseJson<string[]>(row.primary_key),
      uniqueKeys: parseJson<string[][]>(row.unique_keys),
    };
    tables.set(qualifiedKey(table), table);
  }

  const fks = fkRows.map((row) => ({
    name: String(row.name),
    table: { schema: String(row.schema), name: String(row.table) },
    foreignTable: { schema: String(row.foreign_schema), name: String(row.foreign_table) },
    columns: parseJson<string[]>(row.columns),
    foreignColumns: parseJson<string[]>(row.foreign_columns),
  }));

  const relationships = new Map<string, Relationship[]>();
  const add = (rel: Relationship): void => {
    const key = qualifiedKey(rel.table);
    const list = relationships.get(key) ?? [];
    list.push(rel);
    relationships.set(key, list);
  };
  const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));
  const isUnique = (q: QualifiedName, cols: readonly string[]): boolean =>
    (tables.get(qualifiedKey(q))?.uniqueKeys ?? []).some((key) => sameSet(key, cols));

  for (const fk of fks) {
    const pairs = fk.columns.map((c, i) => [c, fk.foreignColumns[i] ?? ''] as const);
    const oneToOne = isUnique(fk.table, fk.columns);
    add({
      table: fk.table,
      foreignTable: fk.foreignTable,
      cardinality: oneToOne ? 'one-to-one' : 'many-to-one',
      constraint: fk.name,
      columns: pairs,
      isParent: false,
    });
    add({
      table: fk.foreignTable,
      foreignTable: fk.table,
      cardinality: oneToOne ? 'one-to-one' : 'one-to-many',
      constraint: fk.name,
      columns: pairs.map(([c, f]) => [f, c] as const),
      isParent: true,
    });
  }

  // Many-to-many: a junction table with foreign keys to both sides whose columns are all part of its primary key.
  const byTable = new Map<string, typeof fks>();
  for (const fk of fks) {
    const list = byTable.get(qualifiedKey(fk.table)) ?? [];
    list.push(fk);
    byTable.set(qualifiedKey(fk.table), list);
  }
  for (const [key, list] of byTable) {
    const junction = tables.get(key);
    if (!junction || list.length < 2) continue;
    const pk = junction.primaryKey;
    for (const a of list) {
      for (const b of list) {
        if (a === b) continue;
        if (![...a.columns, ...b.columns].every((c) => pk.includes(c))) continue;
        add({
          table: a.foreignTable,
          foreignTable: b.foreignTable,
          cardinality: 'many-to-many',
          constraint: b.name,
          columns: a.foreignColumns.map((f, i) => [f, a.columns[i] ?? ''] as const),
          junction: {
            table: { schema: junction.schema, name: junction.name },
            constraintToSource: a.name,
            constraintToTarget: b.name,
            targetColumns: b.columns.map((c, i) => [c, b.foreignColumns[i] ?? ''] as const),
          },
        });
      }
    }
  }

  const routines = new Map<string, Routine[]>();
  for (const row of routineRows) {
    const args = parseJson<Array<{ name: string; type: string; mode: string }>>(row.args);
    const inputs = args.filter((a) => a.mode === 'i' || a.mode === 'b' || a.mode === 'v');
    const outputs = args.filter((a) => a.mode === 'o' || a.mode === 'b' || a.mode === 't');
    const nDefaults = Number(row.n_defaults ?? 0);
    const params: RoutineParam[] = inputs.map((a, i) => ({
      name: a.name,
      type: a.type,
      hasDefault: i >= inputs.length - nDefaults,
      variadic: a.mode === 'v',
    }));
    const composite = row.return_composite === true;
    const returnColumns: Column[] | null = composite
      ? parseJson<ColumnRow[]>(row.composite_columns)
      : outputs.length > 0 && String(row.return_type) === 'record'
        ? outputs.map((o) => ({ name: o.name, type: o.type, nullable: true, default: null, generated: false }))
        : null;
    const relKind = row.return_rel_kind === null || row.return_rel_kind === undefined ? null : String(row.return_rel_kind);
    const routine: Routine = {
      schema: String(row.schema),
      name: String(row.name),
      params,
      volatility: VOLATILITY[String(row.volatility)] ?? 'volatile',
      returnsSet: row.returns_set === true,
      returnType: String(row.return_type),
      returnColumns,
      returnRelation:
        relKind !== null && relKind !== 'c' ? { schema: String(row.return_rel_schema), name: String(row.return_rel_name) } : null,
    };
    const key = qualifiedKey(routine);
    const list = routines.get(key) ?? [];
    list.push(routine);
    routines.set(key, list);
  }

  return { schemas, tables, relationships, routines };
}
