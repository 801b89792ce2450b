/**
 * The RLS matrix's probes (supabase/tests/rls/*.ts, plain SQL) rewritten as
 * the supabase-js calls an app would make, so the same expectations can be
 * checked through /rest/v1. The SQL shapes the matrix uses are
 * `select id from public.t where a = $1 [and b = 'x'] [and c is [not] null]`,
 * `insert into public.t (a, b) values ($1, 'x') returning id`,
 * `update public.t set a = 'x' where id = $1 returning id` (`now()` and
 * `gen_random_uuid()` become the client's time and id),
 * `delete from public.t where id = $1 returning id`; a probe in any other
 * shape (an expression in set, a function in where, a table outside the
 * exposed schema) is reported as untranslatable, never guessed.
 */
import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Statement } from '../../../../supabase/tests/support/rls-matrix.ts';

export type Translated = (
  client: SupabaseClient,
) => PromiseLike<{ data: unknown; error: { code?: string; message: string } | null; status: number }>;

export class Untranslatable extends Error {}

const IDENT = String.raw`[a-z_][a-z0-9_]*`;

function value(token: string, params: readonly unknown[]): unknown {
  const t = token.trim();
  const param = /^\$(\d+)$/.exec(t);
  if (param) return params[Number(param[1]) - 1];
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  if (t === 'null') return null;
  // A fresh id made by the client instead of the database: the same row either way.
  if (t === 'gen_random_uuid()') return randomUUID();
  // The time as the client sends it: the transaction's now() is the same instant to within the request.
  if (t === 'now()') return new Date().toISOString();
  const literal = /^'((?:[^']|'')*)'$/.exec(t);
  if (literal) {
    const text = (literal[1] ?? '').replaceAll("''", "'");
    if (/^[[{]/.test(text)) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    }
    return text;
  }
  throw new Untranslatable(`value ${t}`);
}

/** Splits on commas outside quotes and brackets. */
function splitList(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let current = '';
  for (const ch of text) {
    if (ch === "'") quote = !quote;
    if (!quote && (ch === '(' || ch === '[' || ch === '{')) depth += 1;
    if (!quote && (ch === ')' || ch === ']' || ch === '}')) depth -= 1;
    if (ch === ',' && !quote && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') out.push(current);
  return out.map((s) => s.trim());
}

/** One condition of a probe's where: `column = value`, `column is null` or `column is not null`. */
type Condition = { column: string; op: 'eq' | 'is' | 'not is'; value: unknown };

function conditions(where: string, params: readonly unknown[]): Condition[] {
  return where.split(/\s+and\s+/i).map((cond) => {
    const isNull = new RegExp(String.raw`^(${IDENT})\s+is\s+(not\s+)?null$`, 'i').exec(cond.trim());
    if (isNull) return { column: isNull[1] ?? '', op: isNull[2] ? 'not is' : 'is', value: null };
    const m = new RegExp(String.raw`^(${IDENT})\s*=\s*(.+)$`).exec(cond.trim());
    if (!m) throw new Untranslatable(`condition ${cond}`);
    return { column: m[1] ?? '', op: 'eq', value: value(m[2] ?? '', params) };
  });
}

type Result = { data: unknown; error: { code?: string; message: string } | null; status: number };
/** The part of postgrest-js's builders the probes use. */
type Filterable = {
  eq(column: string, value: unknown): Filterable;
  is(column: string, value: null): Filterable;
  not(column: string, operator: string, value: unknown): Filterable;
  select(columns: string): Filterable;
} & PromiseLike<Result>;

function applyEq(builder: Filterable, conds: readonly Condition[]): Filterable {
  let b = builder;
  for (const c of conds) b = c.op === 'eq' ? b.eq(c.column, c.value) : c.op === 'is' ? b.is(c.column, null) : b.not(c.column, 'is', null);
  return b;
}

/** The supabase-js call for one matrix probe; throws Untranslatable for shapes it does not know. */
export function translate(statement: Statement): Translated {
  const sql = statement.sql.replace(/\s+/g, ' ').trim();
  const params = statement.params ?? [];
  const table = (name: string): string => {
    const m = new RegExp(String.raw`^public\.(${IDENT})$`).exec(name);
    if (!m) throw new Untranslatable(`table ${name} is not in the exposed schema public`);
    return m[1] ?? '';
  };

  let m = new RegExp(String.raw`^select id from (\S+) where (.+)$`, 'i').exec(sql);
  if (m) {
    const t = table(m[1] ?? '');
    const conds = conditions(m[2] ?? '', params);
    return (client) => applyEq(client.from(t).select('id') as unknown as Filterable, conds);
  }
  m = new RegExp(String.raw`^insert into (\S+) \(([^)]*)\) values \((.*)\) returning id$`, 'i').exec(sql);
  if (m) {
    const t = table(m[1] ?? '');
    const columns = splitList(m[2] ?? '');
    const values = splitList(m[3] ?? '');
    if (columns.length !== values.length) throw new Untranslatable('insert column/value count');
    const row = Object.fromEntries(columns.map((c, i) => [c, value(values[i] ?? '', params)]));
    return (client) => client.from(t).insert(row).select('id');
  }
  m = new RegExp(String.raw`^update (\S+) set (.+?) where (.+) returning id$`, 'i').exec(sql);
  if (m) {
    const t = table(m[1] ?? '');
    const set = Object.fromEntries(
      splitList(m[2] ?? '').map((assignment) => {
        const a = new RegExp(String.raw`^(${IDENT})\s*=\s*(.+)$`).exec(assignment);
        if (!a) throw new Untranslatable(`assignment ${assignment}`);
        return [a[1] ?? '', value(a[2] ?? '', params)];
      }),
    );
    const conds = conditions(m[3] ?? '', params);
    return (client) => applyEq(client.from(t).update(set) as unknown as Filterable, conds).select('id');
  }
  m = new RegExp(String.raw`^delete from (\S+) where (.+) returning id$`, 'i').exec(sql);
  if (m) {
    const t = table(m[1] ?? '');
    const conds = conditions(m[2] ?? '', params);
    return (client) => applyEq(client.from(t).delete() as unknown as Filterable, conds).select('id');
  }
  throw new Untranslatable(`statement ${sql.slice(0, 60)}`);
}
