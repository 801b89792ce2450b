/**
 * SQL for PostgREST's writes (QueryBuilder.mutatePlanToQuery): INSERT from a
 * JSON body through json_to_recordset (`columns=`, `missing=default`), upsert
 * with ON CONFLICT (merge or ignore duplicates), UPDATE and DELETE with the
 * request's filters. Pure: text and parameters out.
 */
import { parseJsonBody } from './json-body.ts';
import { RestError } from './errors.ts';
import type { Filter, LogicTree } from './query-params.ts';
import { filterSql, logicSql, tableSource } from './read-plan.ts';
import type { Column, Table } from './schema-cache.ts';
import { Params, ident, qualified } from './sql.ts';

export interface Payload {
  /** The body as sent (JSON text), bound once. */
  readonly json: string;
  readonly isArray: boolean;
  /** The keys of the body's object(s): the columns written, unless `columns=` names them. */
  readonly keys: readonly string[];
}

/** Parses a JSON body for insert/update, PostgREST's PGRST102 when it is not an object or an array of objects with the same keys. */
export function parsePayload(text: string, columnsGiven: boolean): Payload {
  const value: unknown = text.trim() === '' ? {} : parseJsonBody(text);
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(value)) return { json: text.trim() === '' ? '{}' : text, isArray: false, keys: Object.keys(value) };
  if (Array.isArray(value)) {
    if (!value.every(isObject)) throw new RestError(400, 'PGRST102', 'All object keys must match');
    const first = value[0] ? Object.keys(value[0]) : [];
    if (!columnsGiven) {
      const same = (o: Record<string, unknown>): boolean => {
        const keys = Object.keys(o);
        return keys.length === first.length && keys.every((k) => first.includes(k));
      };
      if (!value.every(same)) throw new RestError(400, 'PGRST102', 'All object keys must match');
    }
    return { json: text, isArray: true, keys: first };
  }
  throw new RestError(400, 'PGRST102', 'Empty or invalid json');
}

function columnsFor(table: Table, names: readonly string[]): Column[] {
  return names.map((name) => {
    const column = table.columns.find((c) => c.name === name);
    if (!column) {
      throw new RestError(400, 'PGRST204', `Could not find the '${name}' column of '${table.name}' in the schema cache`);
    }
    return column;
  });
}

/** `FROM (SELECT $1::json AS json_data) pgrst_payload, LATERAL (SELECT … FROM json_to_recordset(…) AS _(col type, …)) pgrst_body` */
function bodySourceSql(payload: Payload, columns: readonly Column[], params: Params, applyDefaults: boolean): string {
  const json = params.add(payload.json, applyDefaults ? 'jsonb' : 'json');
  const defaults = columns.filter((c) => c.default !== null && !c.generated);
  let from = `FROM (SELECT ${json} AS json_data) pgrst_payload, `;
  let bodyExpr = 'pgrst_payload.json_data';
  const fn = applyDefaults ? 'jsonb' : 'json';
  if (applyDefaults) {
    // Catalogue text (pg_get_expr), not request input: each missing key takes the column's default.
    const build = `jsonb_build_object(${defaults.map((c) => `'${c.name.replaceAll("'", "''")}', ${c.default}`).join(', ')})`;
    from += payload.isArray
      ? `LATERAL (SELECT jsonb_agg(${build} || elem) AS val FROM jsonb_array_elements(pgrst_payload.json_data) elem) pgrst_json_defs, `
      : `LATERAL (SELECT ${build} || pgrst_payload.json_data AS val) pgrst_json_defs, `;
    bodyExpr = 'pgrst_json_defs.val';
  }
  if (columns.length === 0) {
    from += payload.isArray
      ? `LATERAL (SELECT FROM ${fn}_array_elements(${bodyExpr}) _) pgrst_body`
      : `LATERAL (SELECT FROM (VALUES (1)) _) pgrst_body`;
    return from;
  }
  const typed = columns.map((c) => `${ident(c.name)} ${c.type}`).join(', ');
  const names = columns.map((c) => ident(c.name)).join(', ');
  from += `LATERAL (SELECT ${names} FROM ${fn}_to_record${payload.isArray ? 'set' : ''}(${bodyExpr}) AS _(${typed})${payload.isArray ? '' : ' LIMIT 1'}) pgrst_body`;
  return from;
}

const INSERTED_PLUS = `set_config('pgrst.inserted', (coalesce(nullif(current_setting('pgrst.inserted', true), '')::int, 0) + 1)::text, true) <> '0'`;
const INSERTED_MINUS = `set_config('pgrst.inserted', (coalesce(nullif(current_setting('pgrst.inserted', true), '')::int, 0) - 1)::text, true) <> '-1'`;

export interface InsertOptions {
  readonly table: Table;
  readonly payload: Payload;
  readonly columns: readonly string[] | null;
  readonly onConflict: readonly string[] | null;
  readonly resolution: 'merge-duplicates' | 'ignore-duplicates' | null;
  readonly applyDefaults: boolean;
  readonly returning: boolean;
}

export function insertSql(o: InsertOptions, params: Params): string {
  const columns = columnsFor(o.table, o.columns ?? o.payload.keys);
  const target = qualified(o.table);
  const names = columns.map((c) => ident(c.name));
  let sql = `INSERT INTO ${target}${columns.length === 0 ? ' ' : `(${names.join(', ')}) `}`;
  sql += `SELECT ${columns.length === 0 ? '' : names.map((n) => `pgrst_body.${n}`).join(', ')} ${bodySourceSql(o.payload, columns, params, o.applyDefaults)}`;
  const merge = o.resolution === 'merge-duplicates';
  if (merge) sql += ` WHERE ${INSERTED_PLUS}`;
  const conflictColumns = o.resolution === null ? [] : (o.onConflict ?? o.table.primaryKey);
  if (o.resolution !== null && conflictColumns.length > 0) {
    sql += ` ON CONFLICT(${conflictColumns.map(ident).join(', ')}) `;
    if (o.resolution === 'ignore-duplicates' || columns.length === 0) sql += 'DO NOTHING';
    else sql += `DO UPDATE SET ${names.map((n) => `${n} = EXCLUDED.${n}`).join(', ')} WHERE ${INSERTED_MINUS}`;
  }
  sql += o.returning ? ` RETURNING ${target}.*` : ' RETURNING 1';
  return sql;
}

export interface WhereOptions {
  readonly table: Table;
  readonly filters: readonly Filter[];
  readonly logic: readonly LogicTree[];
}

function mutationWhere(o: WhereOptions, params: Params): string {
  const source = tableSource(o.table);
  const conditions = [...o.filters.map((f) => filterSql(source, f, params)), ...o.logic.map((t) => logicSql(source, t, params))];
  return conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
}

export function updateSql(
  o: WhereOptions & {
    readonly payload: Payload;
    readonly columns: readonly string[] | null;
    readonly applyDefaults: boolean;
    readonly returning: boolean;
  },
  params: Params,
): string | null {
  if (o.payload.isArray) throw new RestError(400, 'PGRST102', 'Update body must be a JSON object');
  const columns = columnsFor(o.table, o.columns ?? o.payload.keys);
  if (columns.length === 0) return null;
  const target = qualified(o.table);
  const set = columns.map((c) => `${ident(c.name)} = pgrst_body.${ident(c.name)}`).join(', ');
  const body = bodySourceSql(o.payload, columns, params, o.applyDefaults);
  const where = mutationWhere(o, params);
  return `UPDATE ${target} SET ${set} ${body}${where}${o.returning ? ` RETURNING ${target}.*` : ' RETURNING 1'}`;
}

export function deleteSql(o: WhereOptions & { readonly returning: boolean }, params: Params): string {
  const target = qualified(o.table);
  return `DELETE FROM ${target}${mutationWhere(o, params)}${o.returning ? ` RETURNING ${target}.*` : ' RETURNING 1'}`;
}
