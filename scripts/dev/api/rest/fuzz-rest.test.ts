/**
 * Fuzzing the local REST API as a frontend reaches it: every public RPC through
 * `POST /rest/v1/rpc/<fn>` with named arguments of hostile values, and every
 * exposed table's columns through reads, inserts, updates and deletes with
 * hostile filters, select lists and values, from members of every role, an
 * outsider and anon. Both lists come from the catalogue, so a new table or RPC
 * is fuzzed without anyone listing it.
 *
 * What must hold for every request: the answer is below 500; a refusal has
 * PostgREST's error body (`code`, `message`); and a refused request changed
 * nothing (a digest of every table, taken before and after, is unchanged).
 *
 * Seeded and bounded (FUZZ_RUNS per RPC and per table, default 15); `npm run fuzz` runs longer.
 */
import { randomUUID } from 'node:crypto';
import { tokenFor, useTestDatabase } from '@wallai/testing';
import {
  callableRpcs,
  type CallableRpc,
  deepJson,
  exposedTables,
  type ExposedTable,
  fuzzTargets,
  fuzzParameters,
  hostileDate,
  hostileJson,
  hostileNumber,
  hostileString,
  tableDigest,
  wideJson,
} from '@wallai/testing/fuzz';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestApi } from './handler.ts';
import { call, restApiFor, type Call } from './test-support.ts';

const db = useTestDatabase();

let api: RestApi;
let rpcs: CallableRpc[] = [];
let tables: ExposedTable[] = [];
let ids: string[] = [];
let tokens: { role: string; token: string }[] = [];

beforeAll(async () => {
  api = await restApiFor(db());
  rpcs = await callableRpcs(db());
  tables = await exposedTables(db());
  const targets = await fuzzTargets(db());
  ids = targets.ids;
  const actors = targets.actors;
  tokens = await Promise.all(actors.map(async (actor) => ({ role: actor.role, token: await tokenFor(actor) })));
});
afterAll(async () => {
  await api.close();
});

/** A JSON value for a column or argument of this type: mostly plausible, sometimes of the wrong kind. */
function value(type: string): fc.Arbitrary<unknown> {
  const id = fc.oneof(fc.constantFrom(...ids), fc.constant(randomUUID()));
  const base: fc.Arbitrary<unknown> = (() => {
    if (type === 'uuid') return id;
    if (type === 'uuid[]') return fc.array(id, { maxLength: 4 });
    if (/^(numeric|integer|bigint|smallint|double precision|real)/.test(type))
      return fc.oneof(hostileNumber, fc.constantFrom('NaN', 'Infinity', '1e999', '12.345', '-0.01', 1e308));
    if (/^(date|timestamp)/.test(type)) return hostileDate;
    if (type === 'boolean') return fc.constantFrom(true, false, 't', 'maybe', 0);
    if (type === 'jsonb' || type === 'json') return fc.oneof(hostileJson, fc.constant(deepJson(200)), fc.constant(wideJson(500)));
    if (type.endsWith('[]'))
      return fc.array(
        hostileString.map((s) => s.slice(0, 60)),
        { maxLength: 4 },
      );
    return hostileString;
  })();
  return fc.oneof({ weight: 6, arbitrary: base }, { weight: 2, arbitrary: hostileJson }, { weight: 1, arbitrary: fc.constant(null) });
}

/** A filter value as it appears in a query string: text, never JSON. */
const filterText = (): fc.Arbitrary<string> =>
  fc.oneof(hostileString, fc.constantFrom('(a,b', '"', 'null', 'not.null', '()', '{,}', '%', '\\', 'a.b.c'), fc.constantFrom(...ids));
/**
 * Percent-encodes a query part as a client's URLSearchParams does: a lone
 * surrogate (a hostile string cut inside a pair) becomes U+FFFD, where
 * encodeURIComponent would throw.
 */
const encode = (text: string): string =>
  encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
/** Query text no client encoder produces: invalid UTF-8 (a lone continuation byte, a cut sequence, an encoded surrogate) and broken escapes. */
const INVALID_ENCODINGS = ['%FF', '%C3%28', '%E2%82', '%ED%A0%80', '%C0%AF', '%', '%zz', '%00'];
const OPERATORS = ['eq', 'neq', 'gt', 'lt', 'like', 'ilike', 'is', 'in', 'cs', 'cd', 'ov', 'fts', 'match', 'not.eq', 'bogus'];

const asBody = (entries: [string, unknown][]): Record<string, unknown> => Object.fromEntries(entries);

/** Named arguments for an RPC: its own parameters with hostile values, sometimes one missing or one extra. */
function rpcBody(rpc: CallableRpc): fc.Arbitrary<unknown> {
  const named = fc
    .tuple(...rpc.args.map((a) => value(a.type).map((v): [string, unknown] => [a.name, v])))
    .map((entries) => asBody(entries as [string, unknown][]));
  return fc.oneof(
    { weight: 8, arbitrary: named },
    {
      weight: 1,
      arbitrary: fc.tuple(named, hostileString, hostileJson).map(([b, k, v]) => ({ ...(b as object), [k.slice(0, 40) || 'x']: v })),
    },
    { weight: 1, arbitrary: hostileJson },
  );
}

type Request = { method: string; path: string; body?: unknown; headers?: Record<string, string> };

/** Any request against a table: a read, insert, update or delete with hostile parts. */
function tableRequest(table: ExposedTable): fc.Arbitrary<Request> {
  const column = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...table.columns.map((c) => c.name)) },
    { weight: 1, arbitrary: hostileString },
  );
  const filter = fc
    .tuple(
      column,
      fc.constantFrom(...OPERATORS),
      fc.oneof({ weight: 5, arbitrary: filterText().map(encode) }, fc.constantFrom(...INVALID_ENCODINGS)),
    )
    .map(([c, op, v]) => `${encode(c)}=${op}.${v}`);
  const select = fc.oneof(
    fc.constant('*'),
    fc
      .subarray(
        table.columns.map((c) => c.name),
        { minLength: 1 },
      )
      .map((cs) => cs.join(',')),
    hostileString.map((s) => s.slice(0, 200)),
    fc.constantFrom('*,users(*)', 'id::text', 'a:id', 'x->>y', '*,missing!inner(*)'),
  );
  const row = fc
    .subarray(table.columns, { minLength: 1 })
    .chain((cols) => fc.tuple(...cols.map((c) => value(c.type).map((v): [string, unknown] => [c.name, v]))))
    .map((entries) => asBody(entries as [string, unknown][]));
  const where = fc.array(filter, { minLength: 0, maxLength: 3 }).map((fs) => fs.join('&'));
  const path = (query: string) => `/${table.name}${query === '' ? '' : `?${query}`}`;
  return fc.oneof(
    fc.tuple(select, where, fc.option(column)).map(([s, w, o]) => ({
      method: 'GET',
      path: path([`select=${encode(s)}`, w, o ? `order=${encode(o)}` : ''].filter(Boolean).join('&')),
    })),
    fc.tuple(fc.oneof(row, fc.array(row, { maxLength: 3 }), hostileJson)).map(([body]) => ({
      method: 'POST',
      path: path(''),
      body,
      headers: { Prefer: 'return=representation' },
    })),
    fc.tuple(where, row).map(([w, body]) => ({ method: 'PATCH', path: path(w), body })),
    where.map((w) => ({ method: 'DELETE', path: path(w) })),
  );
}

/** The checks every answer passes; returns a failure description, or null. */
function judge(what: string, res: Call): string | null {
  if (res.status >= 500) return `${what}: ${res.status} ${res.text.slice(0, 300)}`;
  if (res.status >= 400) {
    const body = res.json as { code?: unknown; message?: unknown } | null;
    if (body === null || typeof body.code !== 'string' || typeof body.message !== 'string')
      return `${what}: ${res.status} without PostgREST's error body: ${res.text.slice(0, 200)}`;
  }
  return null;
}

/** Sends the request; a refused one must leave every table as it was. */
async function probe(what: string, request: Request, token: string): Promise<string | null> {
  const before = await tableDigest(db());
  const res = await call(api, request.method, request.path, {
    token,
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(request.headers === undefined ? {} : { headers: request.headers }),
  });
  const verdict = judge(`${what} ${request.method} ${request.path.slice(0, 200)}`, res);
  if (verdict !== null) return verdict;
  if (res.status >= 400) {
    const after = await tableDigest(db());
    const changed = Object.keys(after).filter((t) => after[t] !== before[t]);
    if (changed.length > 0) return `${what}: refused with ${res.status} but changed ${changed.join(', ')}`;
  }
  return null;
}

describe('the REST API under fuzzing', () => {
  it('enumerates the RPCs and tables a client can reach', () => {
    expect(rpcs.map((r) => r.name)).toEqual(expect.arrayContaining(['join_space', 'suggest_settlements', 'space_activity']));
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['expenses', 'budgets', 'space_members', 'imports']));
  });

  it('every RPC answers hostile named arguments from any caller below 500, and a refusal writes nothing', async () => {
    const failures: string[] = [];
    for (const rpc of rpcs) {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...tokens), rpcBody(rpc), async (who, body) => {
          const failure = await probe(`rpc ${rpc.name} as ${who.role}`, { method: 'POST', path: `/rpc/${rpc.name}`, body }, who.token);
          if (failure !== null) failures.push(failure);
        }),
        fuzzParameters(),
      );
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it("every exposed table's reads and writes answer hostile filters, selects and values below 500, and a refusal writes nothing", async () => {
    const failures: string[] = [];
    for (const table of tables) {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...tokens), tableRequest(table), async (who, request) => {
          const failure = await probe(`${table.name} as ${who.role}`, request, who.token);
          if (failure !== null) failures.push(failure);
        }),
        fuzzParameters(),
      );
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it('a value nested deeper than any client sends is refused as a client error, before it reaches the database', async () => {
    const [member] = tokens;
    const [space] = ids;
    for (const depth of [1_000, 10_000, 100_000]) {
      const deep = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const before = await tableDigest(db());
      const res = await call(api, 'POST', '/expenses', {
        token: member!.token,
        body: `{"space_id":"${space}","amount":1,"description":"Deep","notes":${deep}}`,
      });
      expect(judge(`depth ${depth}`, res)).toBeNull();
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(await tableDigest(db())).toEqual(before);
    }
  });
});
