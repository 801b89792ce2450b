/**
 * `/rest/v1`: PostgREST's protocol as postgrest-js speaks it, served from
 * the schema cache over any SqlClient (PGlite or PostgreSQL). Every request
 * is one transaction that first sets, as PostgREST does, `search_path`,
 * `role`, `request.jwt.claims`, `request.method`, `request.path`,
 * `request.headers` and `request.cookies`, so RLS and the functions'
 * `response.status` / `response.headers` settings behave as on Supabase.
 * Parsing (query-params, headers), planning and SQL (read-plan, mutate-plan,
 * call-plan) are pure modules; this one executes and answers.
 */
import type { Queryable, SqlClient } from '@wallai/db-client';
import type { SigningKey } from '../auth/tokens.ts';
import { createAuthenticator, type RequestAuth } from './auth.ts';
import { findRoutine, callSql, resultColumns, returnsScalar } from './call-plan.ts';
import { RestError, errorResponse, fromPgError, isPgError, notImplemented } from './errors.ts';
import {
  contentType,
  negotiateMediaType,
  parsePreferences,
  parseRangeHeader,
  preferenceApplied,
  rangeStatus,
  topLevelRange,
  type MediaType,
  type Preferences,
} from './headers.ts';
import { checkJsonDepth, parseJsonBody } from './json-body.ts';
import { deleteSql, insertSql, parsePayload, updateSql } from './mutate-plan.ts';
import { parseQueryParams, type QueryParams, type Range } from './query-params.ts';
import { countQuerySql, planRead, readQuerySql, tableSource, type ReadPlan, type Source } from './read-plan.ts';
import { loadSchemaCache, qualifiedKey, type SchemaCache, type Table } from './schema-cache.ts';
import { Params, ident } from './sql.ts';

export interface RestApiOptions {
  /** The database: a client from @wallai/db-client (postgres.js pool or PGlite). */
  readonly sql: SqlClient;
  readonly jwtSecret: string;
  /** [auth] signing keys: tokens signed with them verify too, by kid (none: HS256 with jwtSecret only). */
  readonly signingKeys?: readonly SigningKey[];
  /** Exposed schemas, the first is the default (supabase/config.toml [api] schemas). */
  readonly schemas: readonly string[];
  /** [api] max_rows: the most rows a read returns; null for no limit. */
  readonly maxRows: number | null;
  /** Extra schemas on every request's search_path ([api] extra_search_path). */
  readonly extraSearchPath?: readonly string[];
}

export interface RestApi {
  /** `path` is the part after `/rest/v1`, with the query string (e.g. `/expenses?select=*`). */
  handle(req: Request, path: string): Promise<Response>;
  /** Re-reads the schema cache from pg_catalog (what `NOTIFY pgrst, 'reload schema'` triggers). */
  reloadSchema(): Promise<void>;
  close(): Promise<void>;
}

/** Roles a verified token may name: those `authenticator` can become (anon, authenticated, service_role on Supabase). */
async function loadSwitchableRoles(db: SqlClient): Promise<Set<string>> {
  const rows = await db.query<{ rolname: string }>(
    `select r.rolname from pg_catalog.pg_roles r
      where exists (select 1 from pg_catalog.pg_roles a where a.rolname = 'authenticator')
        and pg_catalog.pg_has_role('authenticator', r.oid, 'member') and r.rolname <> 'authenticator'`,
  );
  return new Set(rows.length > 0 ? rows.map((r) => r.rolname) : ['anon', 'authenticated', 'service_role']);
}

type MainRow = {
  total_result_set: unknown;
  page_total: unknown;
  body: string | null;
  response_headers: string | null;
  response_status: string | null;
  response_inserted: string | null;
};

const SOURCE = 'pgrst_source';

function bodySql(media: MediaType | null, scalar: boolean, single: boolean): string {
  if (media === null) return `''`;
  const row = scalar ? '_postgrest_t.pgrst_scalar' : '_postgrest_t';
  if (media.kind === 'csv') {
    return `(SELECT coalesce(string_agg(a.k, ','), '') FROM (SELECT json_object_keys(r)::text AS k FROM (SELECT row_to_json(hh) AS r FROM ${SOURCE} AS hh LIMIT 1) s) a) || chr(10) || coalesce(string_agg(substring(_postgrest_t::text, 2, length(_postgrest_t::text) - 2), chr(10)), '')`;
  }
  const strip = (s: string): string => (media.stripNulls ? `json_strip_nulls(${s})` : s);
  if (media.kind === 'object' || single) return `coalesce(${strip(`json_agg(${row})->0`)}, 'null')::text`;
  return `coalesce(${strip(`json_agg(${row})`)}, '[]')::text`;
}

function mainSql(sourceSql: string, selectSql: string, body: string, count: string | null, inserted: boolean): string {
  return (
    `WITH ${SOURCE} AS (${sourceSql})${count === null ? '' : `, pgrst_source_count AS (${count})`} ` +
    `SELECT ${count === null ? 'null::bigint' : '(SELECT pg_catalog.count(*) FROM pgrst_source_count)'} AS total_result_set, ` +
    `pg_catalog.count(_postgrest_t) AS page_total, ${body} AS body, ` +
    `nullif(current_setting('response.headers', true), '') AS response_headers, ` +
    `nullif(current_setting('response.status', true), '') AS response_status, ` +
    `${inserted ? `nullif(current_setting('pgrst.inserted', true), '')` : 'null'} AS response_inserted ` +
    `FROM (${selectSql}) _postgrest_t`
  );
}

/** response.headers / response.status set by the SQL, as PostgREST applies them (PGRST111/PGRST112 when malformed). */
function applyGucs(row: MainRow, status: number, headers: Record<string, string>): number {
  if (row.response_headers !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.response_headers);
    } catch {
      parsed = null;
    }
    const valid =
      Array.isArray(parsed) &&
      parsed.every(
        (h) =>
          h !== null &&
          typeof h === 'object' &&
          !Array.isArray(h) &&
          Object.keys(h).length === 1 &&
          typeof Object.values(h)[0] === 'string',
      );
    if (!valid) {
      throw new RestError(
        500,
        'PGRST111',
        'response.headers guc must be a JSON array composed of objects with a single key and a string value',
      );
    }
    for (const h of parsed as Array<Record<string, string>>) {
      for (const [k, v] of Object.entries(h)) {
        for (const existing of Object.keys(headers)) if (existing.toLowerCase() === k.toLowerCase()) delete headers[existing];
        headers[k] = v;
      }
    }
  }
  if (row.response_status !== null) {
    const n = /^\d+$/.test(row.response_status.trim()) ? Number(row.response_status.trim()) : NaN;
    if (!Number.isInteger(n) || n < 100 || n > 599) throw new RestError(500, 'PGRST112', 'response.status guc must be a valid status code');
    return n;
  }
  return status;
}

/** Request headers as PostgREST passes them: names lowercased, in a JSON object. */
function headersJson(req: Request): { headers: string; cookies: string } {
  const headers: Record<string, string> = {};
  req.headers.forEach((value, key) => {
    headers[key.toLowerCase()] = value;
  });
  const cookies: Record<string, string> = {};
  for (const part of (req.headers.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return { headers: JSON.stringify(headers), cookies: JSON.stringify(cookies) };
}

const searchPath = (schemas: readonly string[]): string => schemas.map(ident).join(', ');

export async function createRestApi(options: RestApiOptions): Promise<RestApi> {
  if (options.schemas.length === 0) throw new Error('createRestApi: at least one exposed schema');
  const db = options.sql;
  const authenticate = createAuthenticator({ jwtSecret: options.jwtSecret, signingKeys: options.signingKeys ?? [] });
  let cache: SchemaCache = await loadSchemaCache((fn) => db.transaction(fn), options.schemas);
  let roles = await loadSwitchableRoles(db);
  const extraSearchPath = options.extraSearchPath ?? ['public', 'extensions'];

  async function reloadSchema(): Promise<void> {
    cache = await loadSchemaCache((fn) => db.transaction(fn), options.schemas);
    roles = await loadSwitchableRoles(db);
  }

  // PostgREST reloads on NOTIFY pgrst with 'reload schema' (or an empty payload); 'reload config' has nothing to reload here.
  let reloading: Promise<void> = Promise.resolve();
  const unlisten = db.listen
    ? await db.listen('pgrst', (payload) => {
        if (payload === 'reload schema' || payload === '') {
          reloading = reloading.then(reloadSchema).catch((error: unknown) => {
            console.error(`[rest] schema cache reload failed: ${(error as Error).message}`);
          });
        }
      })
    : null;

  /** One request's transaction, the way PostgREST opens it. */
  async function inTransaction<T>(
    ctx: { req: Request; path: string; auth: RequestAuth; schema: string; readOnly: boolean; prefs: Preferences },
    fn: (tx: Queryable) => Promise<T>,
  ): Promise<T> {
    if (!roles.has(ctx.auth.role)) {
      throw new RestError(403, '42501', `permission denied to set role "${ctx.auth.role}"`);
    }
    const { headers, cookies } = headersJson(ctx.req);
    return db.transaction(async (tx) => {
      await tx.query(
        `select ${ctx.readOnly ? `set_config('transaction_read_only', 'on', true), ` : ''}` +
          `set_config('search_path', $1, true), set_config('role', $2, true), set_config('request.jwt.claims', $3, true), ` +
          `set_config('request.method', $4, true), set_config('request.path', $5, true), ` +
          `set_config('request.headers', $6, true), set_config('request.cookies', $7, true)` +
          (ctx.prefs.timezone !== null ? `, set_config('timezone', $8, true)` : ''),
        [
          searchPath([ctx.schema, ...extraSearchPath]),
          ctx.auth.role,
          JSON.stringify(ctx.auth.claims),
          ctx.req.method,
          ctx.path,
          headers,
          cookies,
          ...(ctx.prefs.timezone !== null ? [ctx.prefs.timezone] : []),
        ],
      );
      return fn(tx);
    });
  }

  async function handle(req: Request, path: string): Promise<Response> {
    let authenticated = false;
    try {
      const url = new URL(path, 'http://rest.local');
      // The caller may pass the path alone: the query string is then the request's own.
      if (!path.includes('?')) url.search = new URL(req.url).search;
      for (const value of url.searchParams.values()) checkJsonDepth(value, 'A query parameter');
      const method = req.method.toUpperCase();
      const segments = url.pathname
        .split('/')
        .filter((s) => s !== '')
        .map(decodeURIComponent);
      const auth = await authenticate(req);
      authenticated = auth.role !== 'anon';
      const readMethod = method === 'GET' || method === 'HEAD';
      const schema = negotiateSchema(req, readMethod);
      const prefs = parsePreferences(req.headers.get('prefer'));
      if (prefs.handling === 'strict' && prefs.invalid.length > 0) {
        throw new RestError(
          400,
          'PGRST122',
          'Invalid preferences given with handling=strict',
          `Invalid preferences: ${prefs.invalid.join(', ')}`,
        );
      }
      const ctxBase = { req, path: url.pathname, auth, schema, prefs };

      if (segments.length === 0) throw notImplemented('the OpenAPI description at the root endpoint');
      if (segments[0] === 'rpc' && segments.length === 2) {
        return await handleRpc({ ...ctxBase, readOnly: readMethod }, method, segments[1] ?? '', url);
      }
      if (segments.length !== 1) throw new RestError(404, 'PGRST125', 'Invalid path specified in request URL');
      const table = cache.tables.get(qualifiedKey({ schema, name: segments[0] ?? '' }));
      if (!table) {
        throw new RestError(404, 'PGRST205', `Could not find the table '${schema}.${segments[0] ?? ''}' in the schema cache`);
      }
      switch (method) {
        case 'GET':
        case 'HEAD':
          return await handleRead({ ...ctxBase, readOnly: true }, table, url, method === 'HEAD');
        case 'POST':
        case 'PATCH':
        case 'DELETE':
          return await handleMutation({ ...ctxBase, readOnly: false }, method, table, url);
        case 'PUT':
          throw notImplemented('PUT (single-row upsert by primary key); use POST with Prefer: resolution=merge-duplicates');
        case 'OPTIONS':
          return new Response(null, {
            status: 200,
            headers: { Allow: 'OPTIONS,GET,HEAD,POST,PATCH,DELETE', 'Access-Control-Allow-Origin': '*' },
          });
        default:
          throw new RestError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
      }
    } catch (error) {
      if (error instanceof RestError) return errorResponse(error);
      if (isPgError(error)) return errorResponse(fromPgError(error, authenticated));
      throw error;
    }
  }

  function negotiateSchema(req: Request, readMethod: boolean): string {
    const header = req.headers.get(readMethod ? 'accept-profile' : 'content-profile');
    const schema = header === null || header.trim() === '' ? options.schemas[0]! : header.trim();
    if (!options.schemas.includes(schema)) {
      throw new RestError(
        406,
        'PGRST106',
        `Invalid schema: ${schema}`,
        null,
        `Only the following schemas are exposed: ${options.schemas.join(', ')}`,
      );
    }
    return schema;
  }

  type Ctx = Parameters<typeof inTransaction>[0];

  /** The headers every answer with a body carries, plus Content-Profile when the schema was negotiated. */
  function bodyHeaders(ctx: Ctx, media: MediaType): Record<string, string> {
    const h: Record<string, string> = { 'Content-Type': contentType(media) };
    const profile = ctx.req.headers.get(ctx.readOnly ? 'accept-profile' : 'content-profile');
    if (profile !== null && profile.trim() !== '') h['Content-Profile'] = ctx.schema;
    return h;
  }

  function singularityError(n: number): RestError {
    return new RestError(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${n} rows`);
  }

  async function count(
    tx: Queryable,
    ctx: Ctx,
    plan: ReadPlan,
    kind: Preferences['count'],
    countSource: () => { sql: string; params: Params },
  ): Promise<number | null> {
    if (kind === null) return null;
    const exact = async (limit: number | null): Promise<number> => {
      const q = countSource();
      const rows = await tx.query<{ n: unknown }>(
        `SELECT pg_catalog.count(*) AS n FROM (${q.sql}${limit === null ? '' : ` LIMIT ${limit}`}) pgrst_count`,
        q.params.values,
      );
      return Number(rows[0]?.n ?? 0);
    };
    const planned = async (): Promise<number> => {
      const q = countSource();
      const rows = await tx.query<Record<string, unknown>>(`EXPLAIN (FORMAT JSON) ${q.sql}`, q.params.values);
      const first = rows[0] ? Object.values(rows[0])[0] : null;
      const planJson = typeof first === 'string' ? (JSON.parse(first) as unknown) : first;
      const top = Array.isArray(planJson) ? (planJson[0] as { Plan?: { 'Plan Rows'?: number } } | undefined) : undefined;
      return Number(top?.Plan?.['Plan Rows'] ?? 0);
    };
    void plan;
    void ctx;
    if (kind === 'exact') return exact(null);
    if (kind === 'planned') return planned();
    if (options.maxRows === null) return exact(null);
    const limited = await exact(options.maxRows + 1);
    return limited > options.maxRows ? Math.max(await planned(), limited) : limited;
  }

  async function handleRead(ctx: Ctx, table: Table, url: URL, head: boolean): Promise<Response> {
    const qp = parseQueryParams(url.searchParams, false);
    const media = negotiateMediaType(ctx.req.headers.get('accept'));
    const source = tableSource(table);
    const plan = planRead({ cache, schema: ctx.schema, source, params: qp });
    const range = topLevelRange(parseRangeHeader(ctx.req.headers.get('range')), qp.ranges.get('') ?? null, options.maxRows);
    return inTransaction(ctx, async (tx) => {
      const params = new Params();
      const select = readQuerySql(plan, params, range);
      const body = head ? `''` : bodySql(media, false, false);
      const text = mainSql(select, `SELECT * FROM ${SOURCE}`, body, null, false);
      const rows = await tx.query<MainRow>(text, params.values);
      const row = rows[0];
      if (!row) throw new Error('the main query returned no row');
      const total = await count(tx, ctx, plan, ctx.prefs.count, () => {
        const p = new Params();
        return { sql: countQuerySql(plan, p), params: p };
      });
      return readResponse(ctx, row, media, range, total, head);
    });
  }

  function readResponse(ctx: Ctx, row: MainRow, media: MediaType, range: Range, total: number | null, head: boolean): Response {
    const pageTotal = Number(row.page_total ?? 0);
    if (media.kind === 'object' && pageTotal !== 1) throw singularityError(pageTotal);
    const { status, contentRange } = rangeStatus(range.offset, pageTotal, total);
    if (status === 416) {
      throw new RestError(
        416,
        'PGRST103',
        'Requested range not satisfiable',
        `An offset of ${range.offset} was requested, but there are only ${total ?? 0} rows.`,
      );
    }
    const headers: Record<string, string> = { 'Content-Range': contentRange, ...bodyHeaders(ctx, media) };
    const applied = preferenceApplied({ count: ctx.prefs.count });
    if (applied) headers['Preference-Applied'] = applied;
    const finalStatus = applyGucs(row, status, headers);
    return new Response(head ? null : (row.body ?? ''), { status: finalStatus, headers });
  }

  async function readBody(req: Request): Promise<string> {
    const type = (req.headers.get('content-type') ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
    if (type !== 'application/json' && type !== '') {
      throw new RestError(415, 'PGRST107', `Content-Type not acceptable: ${type}`);
    }
    return req.text();
  }

  async function handleMutation(ctx: Ctx, method: 'POST' | 'PATCH' | 'DELETE', table: Table, url: URL): Promise<Response> {
    const qp = parseQueryParams(url.searchParams, false);
    const prefs = ctx.prefs;
    if (qp.ranges.size > 0 || qp.order.some((o) => o.path.length === 0)) {
      if (method !== 'POST') throw notImplemented('limit, offset and order on PATCH and DELETE');
    }
    if (qp.filters.some((f) => f.path.length > 0) || qp.logic.some((l) => l.path.length > 0)) {
      if (method !== 'POST') throw notImplemented('filters on embedded resources in PATCH and DELETE');
    }
    const representation = prefs.representation;
    const wantsBody = representation === 'full';
    const media: MediaType = wantsBody ? negotiateMediaType(ctx.req.headers.get('accept')) : { kind: 'json', stripNulls: false };
    const returning = wantsBody || representation === 'headers-only';
    const applyDefaults = prefs.missing === 'default';
    const params = new Params();
    let mutation: string | null;
    if (method === 'POST') {
      const payload = parsePayload(await readBody(ctx.req), qp.columns !== null);
      mutation = insertSql(
        { table, payload, columns: qp.columns, onConflict: qp.onConflict, resolution: prefs.resolution, applyDefaults, returning },
        params,
      );
    } else if (method === 'PATCH') {
      const payload = parsePayload(await readBody(ctx.req), qp.columns !== null);
      mutation = updateSql(
        {
          table,
          payload,
          columns: qp.columns,
          applyDefaults,
          returning,
          filters: qp.filters.map((f) => f.filter),
          logic: qp.logic.map((l) => l.tree),
        },
        params,
      );
    } else {
      mutation = deleteSql({ table, filters: qp.filters.map((f) => f.filter), logic: qp.logic.map((l) => l.tree), returning }, params);
    }

    const tableRef = ident(table.name);
    const source: Source = {
      relation: { schema: table.schema, name: table.name },
      columns: table.columns,
      fromSql: SOURCE,
      refSql: tableRef,
      aliasSql: tableRef,
    };
    // The returned rows are read like a table: the select list and embeds apply, filters already did.
    const readParams: QueryParams = {
      ...qp,
      filters: method === 'POST' ? qp.filters : [],
      logic: method === 'POST' ? qp.logic : [],
      order: qp.order,
      ranges: new Map(),
    };
    const plan = wantsBody ? planRead({ cache, schema: ctx.schema, source, params: readParams }) : null;

    return inTransaction(ctx, async (tx) => {
      if (mutation === null) {
        // PATCH with an empty body: nothing to update (PostgREST answers as if no row matched).
        return mutationResponse(
          ctx,
          method,
          table,
          media,
          { total_result_set: null, page_total: 0, body: '[]', response_headers: null, response_status: null, response_inserted: null },
          representation,
          null,
        );
      }
      const select = plan === null ? `SELECT * FROM ${SOURCE}` : readQuerySql(plan, params, null);
      const body = wantsBody
        ? bodySql(media, false, false)
        : representation === 'headers-only'
          ? bodySql({ kind: 'json', stripNulls: false }, false, false)
          : `''`;
      const headersOnlySelect = representation === 'headers-only' ? `SELECT * FROM ${SOURCE}` : select;
      const text = mainSql(
        mutation,
        representation === 'headers-only' ? headersOnlySelect : select,
        body,
        null,
        prefs.resolution === 'merge-duplicates' && method === 'POST',
      );
      const rows = await tx.query<MainRow>(text, params.values);
      const row = rows[0];
      if (!row) throw new Error('the main query returned no row');
      const pageTotal = Number(row.page_total ?? 0);
      if (media.kind === 'object' && wantsBody && pageTotal !== 1) throw singularityError(pageTotal);
      if (prefs.handling === 'strict' && prefs.maxAffected !== null && method !== 'POST' && pageTotal > prefs.maxAffected) {
        throw new RestError(
          400,
          'PGRST124',
          'Query result exceeds max-affected preference constraint',
          `The query affects ${pageTotal} rows`,
        );
      }
      // Prefer: tx=rollback is ignored, as on Supabase (PostgREST's db-tx-end is "commit" there).
      return mutationResponse(ctx, method, table, media, row, representation, prefs.count === null ? null : pageTotal);
    });
  }

  function mutationResponse(
    ctx: Ctx,
    method: 'POST' | 'PATCH' | 'DELETE',
    table: Table,
    media: MediaType,
    row: MainRow,
    representation: Preferences['representation'],
    total: number | null,
  ): Response {
    const prefs = ctx.prefs;
    const pageTotal = Number(row.page_total ?? 0);
    const headers: Record<string, string> = {};
    const applied = preferenceApplied({
      resolution: method === 'POST' && (table.primaryKey.length > 0 || prefs.resolution !== null) ? prefs.resolution : null,
      missing: method === 'DELETE' ? null : prefs.missing,
      representation,
      count: prefs.count,
      handling: prefs.handling,
      maxAffected: method === 'POST' ? null : prefs.maxAffected,
    });
    if (applied) headers['Preference-Applied'] = applied;
    let status: number;
    let body: string | null = null;
    if (method === 'POST') {
      headers['Content-Range'] = `*/${total === null ? '*' : total}`;
      const inserted = row.response_inserted === null ? null : Number(row.response_inserted);
      status = inserted !== null && inserted <= 0 && prefs.resolution === 'merge-duplicates' ? 200 : 201;
      if (representation === 'headers-only' && pageTotal === 1 && table.primaryKey.length > 0) {
        const rows = JSON.parse(row.body ?? '[]') as Array<Record<string, unknown>>;
        const first = rows[0] ?? {};
        const query = table.primaryKey
          .map((k) => {
            const v = first[k];
            return `${encodeURIComponent(k)}=${v === null || v === undefined ? 'is.null' : encodeURIComponent(`eq.${typeof v === 'string' ? v : JSON.stringify(v)}`)}`;
          })
          .join('&');
        headers.Location = `/${table.name}?${query}`;
      }
    } else {
      headers['Content-Range'] =
        method === 'PATCH'
          ? `${pageTotal > 0 ? `0-${pageTotal - 1}` : '*'}/${total === null ? '*' : total}`
          : `*/${total === null ? '*' : total}`;
      status = representation === 'full' ? 200 : 204;
    }
    if (representation === 'full') {
      Object.assign(headers, bodyHeaders(ctx, media));
      body = row.body ?? '[]';
    }
    const finalStatus = applyGucs(row, status, headers);
    return new Response(finalStatus === 204 || finalStatus === 304 ? null : body, { status: finalStatus, headers });
  }

  async function handleRpc(ctx: Ctx, method: string, name: string, url: URL): Promise<Response> {
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      throw new RestError(405, 'PGRST101', `Cannot use the ${method} method on RPC`);
    }
    const read = method !== 'POST';
    const qp = parseQueryParams(url.searchParams, read);
    let argsJson: string;
    let argumentNames: string[];
    if (read) {
      const args: Record<string, string> = {};
      for (const [k, v] of qp.rpcArguments) {
        if (k in args) throw notImplemented(`repeating the argument '${k}' in a GET call (variadic arguments)`);
        args[k] = v;
      }
      argsJson = JSON.stringify(args);
      argumentNames = Object.keys(args);
    } else {
      if (ctx.prefs.invalid.includes('params=single-object')) throw notImplemented('Prefer: params=single-object');
      const text = await readBody(ctx.req);
      const trimmed = text.trim() === '' ? '{}' : text;
      const value = parseJsonBody(trimmed);
      argsJson = trimmed;
      argumentNames = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
    }
    const target = findRoutine(cache, ctx.schema, name, argumentNames, !read);
    if (read && target.routine.volatility === 'volatile') {
      throw new RestError(405, 'PGRST101', 'Cannot use the GET method on RPC');
    }
    const routine = target.routine;
    const scalar = returnsScalar(routine);
    const columns = resultColumns(routine);
    const single = !routine.returnsSet;
    const media = negotiateMediaType(ctx.req.headers.get('accept'));
    const relation =
      routine.returnRelation !== null && cache.tables.has(qualifiedKey(routine.returnRelation)) ? routine.returnRelation : null;
    const fnRef = ident(routine.name);
    const source: Source = { relation, columns, fromSql: SOURCE, refSql: fnRef, aliasSql: fnRef };
    const plan = scalar ? null : planRead({ cache, schema: ctx.schema, source, params: qp });
    if (scalar && (qp.filters.length > 0 || qp.logic.length > 0 || qp.order.length > 0)) {
      if (!routine.returnsSet) throw notImplemented('filters and order on a function that returns a single scalar');
    }
    const range = routine.returnsSet
      ? topLevelRange(parseRangeHeader(ctx.req.headers.get('range')), qp.ranges.get('') ?? null, options.maxRows)
      : { offset: 0, limit: null };

    return inTransaction(ctx, async (tx) => {
      const params = new Params();
      const call = callSql(target, argsJson, params);
      const scalarSource: Source = { relation: null, columns, fromSql: SOURCE, refSql: fnRef, aliasSql: fnRef };
      const scalarPlan = scalar ? planRead({ cache, schema: ctx.schema, source: scalarSource, params: { ...qp, select: [] } }) : null;
      const select = readQuerySql((plan ?? scalarPlan)!, params, range);
      const body = method === 'HEAD' ? `''` : bodySql(media, scalar, single && media.kind !== 'csv');
      const rows = await tx.query<MainRow>(mainSql(call, select, body, null, false), params.values);
      const row = rows[0];
      if (!row) throw new Error('the main query returned no row');
      const pageTotal = Number(row.page_total ?? 0);
      if (media.kind === 'object' && routine.returnsSet && pageTotal !== 1) throw singularityError(pageTotal);
      let total: number | null = null;
      if (ctx.prefs.count !== null && routine.returnsSet) {
        const p = new Params();
        const countCall = callSql(target, argsJson, p);
        const countPlan = (plan ?? scalarPlan)!;
        const countSelect = countQuerySql(countPlan, p);
        const q = await tx.query<{ n: unknown }>(
          `WITH ${SOURCE} AS (${countCall}) SELECT pg_catalog.count(*) AS n FROM (${countSelect}) c`,
          p.values,
        );
        total = Number(q[0]?.n ?? 0);
      }
      if (routine.returnType === 'void') {
        const headers: Record<string, string> = {};
        const status = applyGucs(row, 204, headers);
        return new Response(null, { status, headers });
      }
      const { status, contentRange } = rangeStatus(range.offset, pageTotal, total);
      if (status === 416) {
        throw new RestError(
          416,
          'PGRST103',
          'Requested range not satisfiable',
          `An offset of ${range.offset} was requested, but there are only ${total ?? 0} rows.`,
        );
      }
      const headers: Record<string, string> = { 'Content-Range': contentRange, ...bodyHeaders(ctx, media) };
      const applied = preferenceApplied({ count: ctx.prefs.count });
      if (applied) headers['Preference-Applied'] = applied;
      const finalStatus = applyGucs(row, status, headers);
      return new Response(method === 'HEAD' ? null : (row.body ?? ''), { status: finalStatus, headers });
    });
  }

  return {
    handle,
    reloadSchema,
    /** Stops listening for reloads; the client itself belongs to the caller. */
    async close() {
      await unlisten?.();
      await reloading;
    },
  };
}
