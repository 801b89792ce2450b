/**
 * PostgREST's query-string grammar (src/library/PostgREST/ApiRequest/QueryParams.hs),
 * as pure functions: `select=`, filters (`col=op.value`, `not.`, `in.(…)`,
 * `is.`, full-text search), `or=(…)`/`and=(…)` logic trees, `order=`,
 * `limit`/`offset` (each also on embedded resources: `child.order=…`),
 * `columns=` and `on_conflict=`. No SQL here: the builder quotes and binds.
 */
import { parseError } from './errors.ts';

export type JsonOperation =
  { readonly arrow: '->' | '->>'; readonly key: string } | { readonly arrow: '->' | '->>'; readonly index: number };

/** A column, possibly followed by a JSON path (`data->a->>b`). */
export interface Field {
  readonly name: string;
  readonly jsonPath: readonly JsonOperation[];
}

export type AggregateFunction = 'sum' | 'avg' | 'count' | 'max' | 'min';

export type SelectItem =
  | {
      readonly kind: 'field';
      readonly field: Field;
      readonly alias: string | null;
      readonly cast: string | null;
      readonly aggregate: AggregateFunction | null;
      readonly aggregateCast: string | null;
    }
  | {
      readonly kind: 'relation' | 'spread';
      readonly name: string;
      readonly alias: string | null;
      readonly hint: string | null;
      readonly joinType: 'inner' | 'left' | null;
      readonly children: readonly SelectItem[];
    };

export type QuantOperator = 'eq' | 'gte' | 'gt' | 'lte' | 'lt' | 'like' | 'ilike' | 'match' | 'imatch';
export type SimpleOperator = 'neq' | 'cs' | 'cd' | 'ov' | 'sl' | 'sr' | 'nxr' | 'nxl' | 'adj';
export type FtsOperator = 'fts' | 'plfts' | 'phfts' | 'wfts';
export type IsValue = 'null' | 'not_null' | 'true' | 'false' | 'unknown';

export type Operation =
  | { readonly kind: 'quant'; readonly op: QuantOperator; readonly quantifier: 'any' | 'all' | null; readonly value: string }
  | { readonly kind: 'simple'; readonly op: SimpleOperator; readonly value: string }
  | { readonly kind: 'in'; readonly values: readonly string[] }
  | { readonly kind: 'is'; readonly value: IsValue }
  | { readonly kind: 'isdistinct'; readonly value: string }
  | { readonly kind: 'fts'; readonly op: FtsOperator; readonly language: string | null; readonly value: string };

export interface OpExpr {
  readonly negated: boolean;
  readonly operation: Operation;
}

export interface Filter {
  readonly field: Field;
  readonly expr: OpExpr;
}

export type LogicTree =
  | { readonly kind: 'expr'; readonly negated: boolean; readonly operator: 'and' | 'or'; readonly children: readonly LogicTree[] }
  | { readonly kind: 'filter'; readonly filter: Filter };

export interface OrderTerm {
  /** Set for `order=rel(col)`: ordering by a to-one embedded resource's column. */
  readonly relation: string | null;
  readonly field: Field;
  readonly direction: 'asc' | 'desc' | null;
  readonly nulls: 'nullsfirst' | 'nullslast' | null;
}

export interface Range {
  readonly offset: number;
  /** null: no limit. */
  readonly limit: number | null;
}

export interface QueryParams {
  readonly select: readonly SelectItem[];
  /** Filters, each with the path of embedded resources it applies to ([] for the top level). */
  readonly filters: ReadonlyArray<{ readonly path: readonly string[]; readonly filter: Filter }>;
  readonly logic: ReadonlyArray<{ readonly path: readonly string[]; readonly tree: LogicTree }>;
  readonly order: ReadonlyArray<{ readonly path: readonly string[]; readonly terms: readonly OrderTerm[] }>;
  /** limit/offset by embed path joined with '.' ('' for the top level). */
  readonly ranges: ReadonlyMap<string, Range>;
  readonly columns: readonly string[] | null;
  readonly onConflict: readonly string[] | null;
  /** For GET/HEAD on /rpc: parameters without an operator, the function's arguments. */
  readonly rpcArguments: ReadonlyArray<readonly [string, string]>;
}

// ---------------------------------------------------------------------------
// A tiny backtracking parser over one string.

class Failure extends Error {
  constructor(
    readonly position: number,
    readonly expected: string,
  ) {
    super(expected);
  }
}

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(n = 0): string {
    return this.text[this.pos + n] ?? '';
  }
  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }
  eat(s: string): boolean {
    if (!this.startsWith(s)) return false;
    this.pos += s.length;
    return true;
  }
  expect(s: string, what = `"${s}"`): void {
    if (!this.eat(s)) this.fail(what);
  }
  fail(expected: string): never {
    throw new Failure(this.pos, expected);
  }
  /** Runs p; on failure restores the position and returns null. */
  attempt<T>(p: () => T): T | null {
    const start = this.pos;
    try {
      return p();
    } catch (error) {
      if (!(error instanceof Failure)) throw error;
      this.pos = start;
      return null;
    }
  }
  ws(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos += 1;
  }
  atEnd(chars: string): boolean {
    return this.done || chars.includes(this.peek());
  }
}

const IDENTIFIER_CHAR = /[\p{L}\p{N}_ $]/u;

function identifier(c: Cursor, what = 'field name (* or [a..z0..9_$])'): string {
  const start = c.pos;
  while (!c.done && IDENTIFIER_CHAR.test(c.peek())) c.pos += 1;
  if (c.pos === start) c.fail(what);
  return c.text.slice(start, c.pos).trim();
}

function quoted(c: Cursor): string {
  c.expect('"');
  let out = '';
  while (!c.done && c.peek() !== '"') {
    if (c.peek() === '\\') {
      c.pos += 1;
      if (c.done) c.fail('any character');
    }
    out += c.peek();
    c.pos += 1;
  }
  c.expect('"');
  return out;
}

/** A dash that is not the start of `->`. */
function dash(c: Cursor): boolean {
  if (c.peek() === '-' && c.peek(1) !== '>') {
    c.pos += 1;
    return true;
  }
  return false;
}

function sepByDash(c: Cursor, part: (c: Cursor) => string): string {
  const parts = [part(c)];
  for (;;) {
    const start = c.pos;
    if (!dash(c)) break;
    const next = c.attempt(() => part(c));
    if (next === null) {
      c.pos = start;
      break;
    }
    parts.push(next);
  }
  return parts.join('-');
}

function fieldName(c: Cursor): string {
  if (c.peek() === '"') {
    // Postgres has no zero-length identifiers; refuse here rather than send a syntax error.
    const start = c.pos;
    const name = quoted(c);
    if (name === '') {
      c.pos = start;
      c.fail('a non-empty quoted name');
    }
    return name;
  }
  return sepByDash(c, (cc) => identifier(cc));
}

function jsonKeyIdentifier(c: Cursor): string {
  const start = c.pos;
  while (!c.done && !'(-:.,>)'.includes(c.peek())) c.pos += 1;
  if (c.pos === start) c.fail('any non reserved character different from: .,>()');
  return c.text.slice(start, c.pos).trim();
}

function jsonPath(c: Cursor): JsonOperation[] {
  const path: JsonOperation[] = [];
  for (;;) {
    let arrow: '->' | '->>';
    if (c.eat('->>')) arrow = '->>';
    else if (c.eat('->')) arrow = '->';
    else break;
    const index = c.attempt(() => {
      const m = /^-?\d+/.exec(c.text.slice(c.pos));
      if (!m) c.fail('digit');
      c.pos += m[0].length;
      if (!(c.done || c.startsWith('->') || c.startsWith('::') || c.startsWith('.') || c.startsWith(','))) c.fail('end of key');
      return Number(m[0]);
    });
    if (index !== null) {
      path.push({ arrow, index });
      continue;
    }
    const key = c.peek() === '"' ? quoted(c) : sepByDash(c, jsonKeyIdentifier);
    path.push({ arrow, key });
  }
  return path;
}

function field(c: Cursor): Field {
  c.ws();
  const name = fieldName(c);
  const path = jsonPath(c);
  c.ws();
  return { name, jsonPath: path };
}

// ---------------------------------------------------------------------------
// select=

function aliasPrefix(c: Cursor): string | null {
  return c.attempt(() => {
    const name = fieldName(c);
    if (c.peek() !== ':' || c.peek(1) === ':') c.fail('":"');
    c.pos += 1;
    return name;
  });
}

function embedParams(c: Cursor): { hint: string | null; joinType: 'inner' | 'left' | null } {
  let hint: string | null = null;
  let joinType: 'inner' | 'left' | null = null;
  for (let i = 0; i < 2 && c.peek() === '!'; i += 1) {
    c.pos += 1;
    const join = c.attempt(() => {
      for (const j of ['left', 'inner'] as const) {
        if (c.eat(j)) {
          if (!c.atEnd('!(')) c.fail('"(" or "!"');
          return j;
        }
      }
      return c.fail('join type');
    });
    if (join !== null) joinType ??= join;
    else hint ??= fieldName(c);
  }
  return { hint, joinType };
}

const AGGREGATES: readonly AggregateFunction[] = ['sum', 'avg', 'count', 'max', 'min'];

function castName(c: Cursor): string {
  const start = c.pos;
  while (!c.done && /[\p{L}\p{N}_ ]/u.test(c.peek())) c.pos += 1;
  if (c.pos === start) c.fail('letter or digit');
  return c.text.slice(start, c.pos).trim();
}

function selectEnd(c: Cursor): void {
  if (!c.atEnd(',)')) c.fail('"," or ")" or end of input');
}

function selectItem(c: Cursor): SelectItem {
  c.ws();
  const spread = c.attempt(() => {
    c.expect('...');
    const name = fieldName(c);
    const params = embedParams(c);
    if (c.peek() !== '(') c.fail('"("');
    return { name, ...params };
  });
  if (spread !== null) {
    const children = selectChildren(c);
    return { kind: 'spread', name: spread.name, alias: null, hint: spread.hint, joinType: spread.joinType, children };
  }
  const relation = c.attempt(() => {
    const alias = aliasPrefix(c);
    const name = fieldName(c);
    if (name === 'count') c.fail('relation');
    const params = embedParams(c);
    if (c.peek() !== '(') c.fail('"("');
    return { alias, name, ...params };
  });
  if (relation !== null) {
    const children = selectChildren(c);
    return { kind: 'relation', ...relation, children };
  }
  if (c.peek() === '*') {
    c.pos += 1;
    c.ws();
    selectEnd(c);
    return { kind: 'field', field: { name: '*', jsonPath: [] }, alias: null, cast: null, aggregate: null, aggregateCast: null };
  }
  const count = c.attempt(() => {
    const alias = aliasPrefix(c);
    c.expect('count()');
    const aggregateCast = c.eat('::') ? castName(c) : null;
    c.ws();
    selectEnd(c);
    return { alias, aggregateCast };
  });
  if (count !== null) {
    return {
      kind: 'field',
      field: { name: '*', jsonPath: [] },
      alias: count.alias,
      cast: null,
      aggregate: 'count',
      aggregateCast: count.aggregateCast,
    };
  }
  const alias = aliasPrefix(c);
  const f = field(c);
  const cast = c.eat('::') ? castName(c) : null;
  const aggregate = c.attempt(() => {
    c.expect('.');
    const agg = AGGREGATES.find((a) => c.startsWith(`${a}()`));
    if (!agg) c.fail('aggregate');
    c.pos += agg.length + 2;
    return agg;
  });
  const aggregateCast = c.eat('::') ? castName(c) : null;
  c.ws();
  selectEnd(c);
  return { kind: 'field', field: f, alias, cast, aggregate, aggregateCast };
}

function selectChildren(c: Cursor): SelectItem[] {
  c.expect('(');
  const children = selectForest(c);
  c.expect(')');
  c.ws();
  return children;
}

function selectForest(c: Cursor): SelectItem[] {
  const items: SelectItem[] = [];
  c.ws();
  if (c.atEnd(')')) return items;
  items.push(selectItem(c));
  for (;;) {
    c.ws();
    if (!c.eat(',')) break;
    items.push(selectItem(c));
  }
  return items;
}

function runParser<T>(what: string, input: string, p: (c: Cursor) => T): T {
  const c = new Cursor(input);
  try {
    const value = p(c);
    if (!c.done) c.fail('end of input');
    return value;
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    const found = error.position >= input.length ? 'end of input' : `"${input[error.position]}"`;
    throw parseError(what, input, error.position + 1, `unexpected ${found} expecting ${error.expected}`);
  }
}

export function parseSelect(input: string): SelectItem[] {
  return runParser('select parameter', input, selectForest);
}

// ---------------------------------------------------------------------------
// Filters

const QUANT_OPERATORS: readonly QuantOperator[] = ['eq', 'gte', 'gt', 'lte', 'lt', 'like', 'ilike', 'match', 'imatch'];
const SIMPLE_OPERATORS: readonly SimpleOperator[] = ['neq', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj'];
const FTS_OPERATORS: readonly FtsOperator[] = ['fts', 'plfts', 'phfts', 'wfts'];
const IS_VALUES: readonly IsValue[] = ['null', 'not_null', 'true', 'false', 'unknown'];

function listElement(c: Cursor): string {
  const q = c.attempt(() => {
    const v = quoted(c);
    if (!c.atEnd(',)')) c.fail('"," or ")"');
    return v;
  });
  if (q !== null) return q;
  const start = c.pos;
  while (!c.done && c.peek() !== ',' && c.peek() !== ')') c.pos += 1;
  return c.text.slice(start, c.pos);
}

function listValue(c: Cursor): string[] {
  c.ws();
  c.expect('(');
  c.ws();
  const values = [listElement(c)];
  while (c.eat(',')) values.push(listElement(c));
  c.ws();
  c.expect(')');
  c.ws();
  return values;
}

/** The rest of the input: a top-level filter's value. */
function restValue(c: Cursor): string {
  const v = c.text.slice(c.pos);
  c.pos = c.text.length;
  return v;
}

/** A value inside or=(…): quoted, a {pg,array}, or anything up to , or ). */
function logicValue(c: Cursor): string {
  const q = c.attempt(() => {
    const v = quoted(c);
    if (!c.atEnd(',)')) c.fail('"," or ")"');
    return v;
  });
  if (q !== null) return q;
  const arr = c.attempt(() => {
    const start = c.pos;
    c.expect('{');
    while (!c.done && c.peek() !== '{' && c.peek() !== '}') c.pos += 1;
    c.expect('}');
    return c.text.slice(start, c.pos);
  });
  if (arr !== null) return arr;
  const start = c.pos;
  while (!c.done && c.peek() !== ',' && c.peek() !== ')') c.pos += 1;
  return c.text.slice(start, c.pos);
}

function opExpr(c: Cursor, value: (c: Cursor) => string): OpExpr {
  const negated = c.eat('not.');
  return { negated, operation: operation(c, value) };
}

function operation(c: Cursor, value: (c: Cursor) => string): Operation {
  if (c.eat('in.')) return { kind: 'in', values: listValue(c) };
  if (c.eat('is.')) {
    const rest = c.text.slice(c.pos);
    const v = IS_VALUES.find((candidate) => rest.slice(0, candidate.length).toLowerCase() === candidate);
    if (!v) c.fail('isVal: (null, not_null, true, false, unknown)');
    c.pos += v.length;
    return { kind: 'is', value: v };
  }
  if (c.eat('isdistinct.')) return { kind: 'isdistinct', value: value(c) };
  for (const op of FTS_OPERATORS) {
    const fts = c.attempt(() => {
      c.expect(op);
      let language: string | null = null;
      if (c.eat('(')) {
        language = identifier(c, 'language');
        c.expect(')');
      }
      c.expect('.', 'delimiter (.)');
      return { kind: 'fts' as const, op, language, value: value(c) };
    });
    if (fts) return fts;
  }
  for (const op of SIMPLE_OPERATORS) {
    if (c.eat(`${op}.`)) return { kind: 'simple', op, value: value(c) };
  }
  for (const op of QUANT_OPERATORS) {
    const q = c.attempt(() => {
      c.expect(op);
      let quantifier: 'any' | 'all' | null = null;
      if (c.eat('(any)')) quantifier = 'any';
      else if (c.eat('(all)')) quantifier = 'all';
      c.expect('.', 'delimiter (.)');
      return { kind: 'quant' as const, op, quantifier, value: value(c) };
    });
    if (q) return q;
  }
  return c.fail('operator (eq, gt, ...)');
}

/** `eq.5`, `not.in.(1,2)`, `fts(english).cat`: the value side of a filter. */
export function parseOpExpr(input: string): OpExpr {
  return runParser('filter', input, (c) => opExpr(c, restValue));
}

/** `a.b.col->x`: the embed path and the field of a filter or order key. */
export function parseTreePath(input: string): { path: string[]; field: Field } {
  return runParser('tree path', input, (c) => {
    const names = [fieldName(c)];
    while (c.eat('.')) names.push(fieldName(c));
    const path = jsonPath(c);
    return { path: names.slice(0, -1), field: { name: names[names.length - 1] ?? '', jsonPath: path } };
  });
}

function logicTree(c: Cursor): LogicTree {
  const filter = c.attempt(() => {
    const f = field(c);
    c.expect('.', 'delimiter (.)');
    return { kind: 'filter' as const, filter: { field: f, expr: opExpr(c, logicValue) } };
  });
  if (filter !== null) return filter;
  const negated = c.eat('not.');
  let operator: 'and' | 'or';
  if (c.eat('and')) operator = 'and';
  else if (c.eat('or')) operator = 'or';
  else c.fail('logic operator (and, or)');
  c.ws();
  c.expect('(');
  c.ws();
  const children = [logicTree(c)];
  for (;;) {
    c.ws();
    if (!c.eat(',')) break;
    c.ws();
    children.push(logicTree(c));
  }
  c.ws();
  c.expect(')');
  c.ws();
  return { kind: 'expr', negated, operator, children };
}

/** `or=(a.eq.1,b.gt.2)` under a key like `not.or` or `child.and`. */
export function parseLogic(key: string, value: string): { path: string[]; tree: LogicTree } {
  const names = runParser('logic path', key, (c) => {
    const n = [fieldName(c)];
    while (c.eat('.')) n.push(fieldName(c));
    return n;
  });
  const op = names[names.length - 1] ?? '';
  const negated = names.includes('not');
  const path = names.slice(0, -1).filter((n) => n !== 'not');
  const tree = runParser('logic tree', `${negated ? 'not.' : ''}${op}${value}`, logicTree);
  return { path, tree };
}

// ---------------------------------------------------------------------------
// order=

function orderSuffix(c: Cursor): { direction: 'asc' | 'desc' | null; nulls: 'nullsfirst' | 'nullslast' | null } {
  let direction: 'asc' | 'desc' | null = null;
  let nulls: 'nullsfirst' | 'nullslast' | null = null;
  if (c.eat('.asc')) direction = 'asc';
  else if (c.eat('.desc')) direction = 'desc';
  if (c.eat('.nullsfirst')) nulls = 'nullsfirst';
  else if (c.eat('.nullslast')) nulls = 'nullslast';
  c.ws();
  if (!c.atEnd(',')) c.fail('"asc", "desc", "nullsfirst" or "nullslast"');
  return { direction, nulls };
}

function orderTerm(c: Cursor): OrderTerm {
  c.ws();
  const rel = c.attempt(() => {
    const relation = fieldName(c);
    c.expect('(');
    const f = field(c);
    c.expect(')');
    return { relation, field: f, ...orderSuffix(c) };
  });
  if (rel !== null) return rel;
  const f = field(c);
  return { relation: null, field: f, ...orderSuffix(c) };
}

export function parseOrder(input: string): OrderTerm[] {
  return runParser('order', input, (c) => {
    const terms = [orderTerm(c)];
    while (c.eat(',')) terms.push(orderTerm(c));
    return terms;
  });
}

/** `columns=` and `on_conflict=`: comma-separated field names. */
export function parseColumns(what: string, input: string): string[] {
  return runParser(what, input, (c) => {
    c.ws();
    const names = [fieldName(c)];
    for (;;) {
      c.ws();
      if (!c.eat(',')) break;
      c.ws();
      names.push(fieldName(c));
    }
    return names;
  });
}

// ---------------------------------------------------------------------------
// The whole query string

const RESERVED = new Set(['select', 'columns', 'on_conflict']);
const RESERVED_EMBEDDABLE = new Set(['order', 'limit', 'offset', 'and', 'or']);

const lastSegment = (key: string): string => key.split('.').pop() ?? key;

/** Parses `?select=…&col=op.val&order=…`. `isRpcRead`: GET/HEAD on a function, where a parameter without an operator is an argument. */
export function parseQueryParams(search: URLSearchParams, isRpcRead: boolean): QueryParams {
  const entries = [...search.entries()];
  const get = (name: string): string | null => entries.find(([k]) => k === name)?.[1] ?? null;

  const selectText = get('select');
  const select = parseSelect(selectText === null || selectText === '' ? '*' : selectText);

  const filters: Array<{ path: string[]; filter: Filter }> = [];
  const rpcArguments: Array<[string, string]> = [];
  const logic: Array<{ path: string[]; tree: LogicTree }> = [];
  const order: Array<{ path: string[]; terms: OrderTerm[] }> = [];
  const limits = new Map<string, number>();
  const offsets = new Map<string, number>();

  for (const [key, value] of entries) {
    if (value === '' || RESERVED.has(key)) continue;
    const last = lastSegment(key);
    if (last === 'and' || last === 'or') {
      logic.push(parseLogic(key, value));
    } else if (last === 'order') {
      order.push({ path: key.split('.').slice(0, -1), terms: parseOrder(value) });
    } else if (last === 'limit' || last === 'offset') {
      const path = key.split('.').slice(0, -1).join('.');
      const n = /^\d+$/.test(value) ? Number(value) : null;
      // PostgREST ignores a limit or offset that is not a number.
      if (n !== null) (last === 'limit' ? limits : offsets).set(path, n);
    } else if (!RESERVED_EMBEDDABLE.has(last)) {
      const { path, field } = parseTreePath(key);
      if (isRpcRead) {
        const c = new Cursor(value);
        const expr = c.attempt(() => opExpr(c, restValue));
        if (expr === null || !c.done) {
          rpcArguments.push([key, value]);
          continue;
        }
        filters.push({ path, filter: { field, expr } });
      } else {
        filters.push({ path, filter: { field, expr: parseOpExpr(value) } });
      }
    }
  }

  const ranges = new Map<string, Range>();
  for (const path of new Set([...limits.keys(), ...offsets.keys()])) {
    ranges.set(path, { offset: offsets.get(path) ?? 0, limit: limits.get(path) ?? null });
  }

  const columnsText = get('columns');
  const onConflictText = get('on_conflict');
  return {
    select,
    filters,
    logic,
    order,
    ranges,
    columns: columnsText === null ? null : parseColumns('columns parameter', columnsText),
    onConflict: onConflictText === null ? null : parseColumns('on_conflict parameter', onConflictText),
    rpcArguments,
  };
}
