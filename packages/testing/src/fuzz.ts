/**
 * Fuzzing support: hostile inputs as fast-check arbitraries, the run budget, and
 * a digest of every table so a refused request can be shown to have written
 * nothing.
 *
 * Runs are seeded and reproducible: `FUZZ_SEED` (default below) and `FUZZ_RUNS`
 * (default 15 per property, CI's bounded budget; `npm run fuzz` raises it). A
 * failure prints its seed and path; re-run with `FUZZ_SEED=<seed>` to replay it.
 */
import fc from 'fast-check';
import type { Queryable, SqlClient } from '@wallai/db-client';
import { anon, type Actor } from './acting-as.ts';
import { createSpace, createUser, spaceWithEveryRole, type SpaceWithEveryRole } from './factories.ts';
import { createExpense } from './money-factories.ts';

export const DEFAULT_FUZZ_SEED = 20_251_202;

/** fast-check parameters for one property under the run's budget. */
export function fuzzParameters(runsPerProperty?: number): fc.Parameters<unknown> {
  const runs = Number(process.env.FUZZ_RUNS ?? runsPerProperty ?? 15);
  const seed = process.env.FUZZ_SEED === undefined ? DEFAULT_FUZZ_SEED : Number(process.env.FUZZ_SEED);
  return {
    numRuns: Number.isSafeInteger(runs) && runs > 0 ? runs : 15,
    seed,
    endOnFailure: true,
    // Counterexamples hold strings of 200k characters: report them cut, with the seed to replay.
    reporter: (details) => {
      if (!details.failed) return;
      const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      const message = `${cause.slice(0, 1_500)}\n${fc.defaultReportMessage(details) ?? 'property failed'}`;
      throw new Error(
        message.replace(/(.)\1{80,}/g, (run, ch: string) => `${ch.repeat(10)}…(${run.length} × ${JSON.stringify(ch)})`).slice(0, 4_000),
      );
    },
  };
}

/** Strings a careless parser or query builder trips on. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\u0001\u0002\u0007\u001b[31m',
    '\r\n\t\v\f',
    "'; drop table public.expenses; --",
    '" or 1=1 --',
    '$1',
    '%s%n%x',
    '../../etc/passwd',
    '\\',
    '\u202eevil',
    '\ufeff',
    '\ud800',
    'a\udfffb',
    '🦄'.repeat(50),
    'NaN',
    'null',
    '[]',
    '{}',
    '0x10',
    '1e999',
  ),
  fc.string({ maxLength: 30 }),
  // Lone surrogates: what invalid UTF-8 decodes to, or what a broken client sends.
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 20 }),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
);

/** Numbers at the edges, JSON-representable (non-finite ones go in raw bodies). */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 0.001, 1e-320, 0.1 + 0.2, 1e15, 9_999_999_999.995, 1e308, -1e308, 2 ** 53 + 1, -(2 ** 63)),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Dates out of range, impossible, or not dates. */
export const hostileDate: fc.Arbitrary<string> = fc.constantFrom(
  '0000-01-01',
  '-0001-01-01',
  '9999-12-31',
  '10000-01-01',
  '2025-02-30',
  '2025-13-01',
  '2025-00-10',
  'infinity',
  '-infinity',
  'epoch',
  'today',
  '2025-10-05T25:00:00Z',
  '2025-10-05 00:00:00+99',
  '1e9',
);

/** JSON nested `depth` levels deep (arrays or objects). */
export function deepJson(depth: number, kind: 'array' | 'object' = 'array'): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = kind === 'array' ? [value] : { a: value };
  return value;
}

/** JSON text nested `depth` levels deep, deeper than JSON.stringify could write. */
export function deepJsonText(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

/** JSON objects or arrays with `width` members. */
export function wideJson(width: number, kind: 'array' | 'object' = 'object'): unknown {
  if (kind === 'array') return Array.from({ length: width }, (_, i) => i);
  return Object.fromEntries(Array.from({ length: width }, (_, i) => [`k${i}`, i]));
}

/** Any JSON value, the hostile leaves included. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  fc.constantFrom(null, true, false, [], {}, deepJson(1_000), deepJson(1_000, 'object'), wideJson(20_000), wideJson(20_000, 'array')),
  hostileString,
  hostileNumber,
  hostileDate,
  fc.jsonValue({ maxDepth: 3 }),
);

/** Request bodies that are not (valid) JSON at all, as bytes. */
export const rawBodies: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc
    .constantFrom(
      '',
      '{',
      '{"a":',
      'NaN',
      'Infinity',
      '-Infinity',
      '{"amount": NaN}',
      '{"amount": 1e999}',
      "{'a': 1}",
      '\ufeff{}',
      'null',
      '[]',
    )
    .map((text) => new TextEncoder().encode(text)),
  // Invalid UTF-8: stray continuation bytes, overlong encodings, truncated sequences.
  fc
    .constantFrom(
      [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d],
      [0xff, 0xfe, 0x7b, 0x7d],
      [0xc0, 0xaf],
      [0xe2, 0x82],
      [0xed, 0xa0, 0x80],
    )
    .map((bytes) => Uint8Array.from(bytes)),
  fc.uint8Array({ maxLength: 64 }),
);

/**
 * Variations of a valid body: one field replaced by a hostile value, one
 * dropped, unknown fields added, or the whole body replaced.
 */
export function mutatedBody(valid: Record<string, unknown>, extraValues: fc.Arbitrary<unknown> = hostileJson): fc.Arbitrary<unknown> {
  const keys = Object.keys(valid);
  const value = fc.oneof(hostileJson, extraValues);
  return fc.oneof(
    fc.tuple(fc.constantFrom(...keys), value).map(([key, v]) => ({ ...valid, [key]: v })),
    fc.constantFrom(...keys).map((key) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== key))),
    fc.tuple(hostileString, value).map(([key, v]) => ({ ...valid, [key.slice(0, 100)]: v })),
    hostileJson,
  );
}

/** Header values a gateway must survive. */
export const hostileHeaderValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', 'Bearer', 'Bearer ', 'Bearer a.b.c', 'Basic dXNlcjpwYXNz', 'bearer  x', 'Bearer ' + 'x'.repeat(20_000)),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
);

/** A public function clients can call, with its arguments as the catalogue names them ('' when unnamed). */
export type CallableRpc = {
  name: string;
  /** regprocedure text, e.g. `join_space(text)`: tells overloads apart. */
  signature: string;
  args: { name: string; type: string }[];
};

/**
 * Every public function anon or authenticated may execute (not a trigger, not
 * an extension's), from the catalogue: what the fuzz tests call, so a new RPC
 * is fuzzed without anyone listing it.
 */
export function callableRpcs(db: Queryable): Promise<CallableRpc[]> {
  return db.query<CallableRpc>(`
    select p.proname as name, p.oid::regprocedure::text as signature,
           coalesce((select json_agg(json_build_object('name', coalesce(a.name, ''), 'type', format_type(a.type, null)) order by a.n)
                       from unnest(p.proargnames[1:p.pronargs], p.proargtypes::oid[]) with ordinality as a(name, type, n)), '[]') as args
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.prokind = 'f' and p.prorettype <> 'trigger'::regtype
       and (has_function_privilege('authenticated', p.oid, 'execute') or has_function_privilege('anon', p.oid, 'execute'))
       and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
     order by 1, 2`);
}

/** A public table or view some API role may read or write, with its columns in order. */
export type ExposedTable = {
  name: string;
  columns: { name: string; type: string }[];
};

/** Every public table and view anon or authenticated holds a privilege on, from the catalogue. */
export function exposedTables(db: Queryable): Promise<ExposedTable[]> {
  return db.query<ExposedTable>(`
    select c.relname as name,
           (select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, null)) order by a.attnum)
              from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'v', 'p')
       and (has_table_privilege('authenticated', c.oid, 'select,insert,update,delete')
            or has_table_privilege('anon', c.oid, 'select,insert,update,delete'))
     order by 1`);
}

/** Who and what the fuzz tests aim at: a space with every role and an expense, another space with one, an outsider. */
export interface FuzzTargets {
  fx: SpaceWithEveryRole;
  /** Ids of this space and its people, of the other space and its expense, of the outsider, and the nil uuid. */
  ids: string[];
  /** Its member, owner, admin and viewer, the outsider, and anon. */
  actors: Actor[];
}

export async function fuzzTargets(db: SqlClient): Promise<FuzzTargets> {
  const fx = await spaceWithEveryRole(db);
  const mine = await createExpense(db, fx.space, { amount: '10.00', description: 'Mine' }, fx.member);
  const foreign = await createSpace(db);
  const theirs = await createExpense(db, foreign, { amount: '20.00', description: 'Theirs' });
  const outsider = await createUser(db);
  return {
    fx,
    ids: [fx.space.id, mine.id, foreign.id, theirs.id, fx.owner.id, fx.member.id, outsider.id, '00000000-0000-0000-0000-000000000000'],
    actors: [fx.member.actor, fx.owner.actor, fx.admin.actor, fx.viewer.actor, outsider.actor, anon],
  };
}

/**
 * One md5 per table of the given schemas over every row, so a digest taken
 * before and after a refused request shows whether it wrote anything.
 */
export async function tableDigest(db: Queryable, schemas: readonly string[] = ['public', 'private']): Promise<Record<string, string>> {
  const tables = await db.query<{ name: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname = any($1::text[])
      order by 1`,
    [schemas],
  );
  if (tables.length === 0) return {};
  const sql = tables
    .map(
      ({ name }) =>
        `select '${name}' as name, coalesce(md5(string_agg(md5(t::text), '' order by md5(t::text))), '') as digest from ${name} t`,
    )
    .join(' union all ');
  const rows = await db.query<{ name: string; digest: string }>(sql);
  return Object.fromEntries(rows.map((r) => [r.name, r.digest]));
}

/**
 * The HTTP status PostgREST answers for a SQLSTATE (its documented mapping), so
 * an RPC's error can be judged as a client would see it through the REST API.
 */
export function postgrestStatus(sqlstate: string, role: 'anon' | 'authenticated' = 'authenticated'): number {
  const exact: Record<string, number> = { '23503': 409, '23505': 409, '25006': 405, P0001: 400, '42883': 404, '42P01': 404, '42P17': 500 };
  if (sqlstate === '42501') return role === 'anon' ? 401 : 403;
  if (exact[sqlstate] !== undefined) return exact[sqlstate];
  if (/^PT\d{3}$/.test(sqlstate)) return Number(sqlstate.slice(2));
  const byClass: Record<string, number> = {
    '08': 503,
    '09': 500,
    '0L': 403,
    '0P': 403,
    '25': 500,
    '28': 403,
    '2D': 500,
    '38': 500,
    '39': 500,
    '3B': 500,
    '40': 500,
    '53': 503,
    '54': 500,
    '55': 500,
    '57': 500,
    '58': 500,
    F0: 500,
    HV: 500,
    P0: 500,
    XX: 500,
  };
  return byClass[sqlstate.slice(0, 2)] ?? 400;
}
