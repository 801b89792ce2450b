/**
 * From a parsed query string and the schema cache to SQL for reads: the
 * select list with aliases, casts and JSON paths, embedded resources as
 * lateral subqueries (to-one as an object, to-many as an array, `!inner`,
 * `!hint`, spreads of to-one resources), filters, logic trees, order and
 * ranges at every level. Pure: text and parameters out, nothing executed.
 * The shapes follow PostgREST's QueryBuilder and SqlFragment modules.
 */
import { RestError, notImplemented } from './errors.ts';
import type { Field, Filter, LogicTree, OrderTerm, QueryParams, Range, SelectItem } from './query-params.ts';
import { qualifiedKey, type Column, type QualifiedName, type Relationship, type SchemaCache } from './schema-cache.ts';
import { Params, arrayLiteral, arrayOf, ident, qualified } from './sql.ts';

/** What a read node selects from: a table or view, or the result of a mutation or function call. */
export interface Source {
  /** The relation whose columns and relationships apply (null: columns only, no embedding). */
  readonly relation: QualifiedName | null;
  readonly columns: readonly Column[];
  /** The FROM item, e.g. `"public"."expenses"` or `pgrst_source`. */
  readonly fromSql: string;
  /** How columns are qualified, e.g. `"public"."expenses"` or `"expenses"`. */
  readonly refSql: string;
  /** `AS ...` after the FROM item, when refSql differs from it. */
  readonly aliasSql: string | null;
}

interface EmbedNode {
  /** The key in the JSON output. */
  readonly outputName: string;
  /** Name or alias used by filters, order and limits (`child.col=eq.1`). */
  readonly pathName: string;
  readonly relationship: Relationship;
  readonly node: ReadNode;
  readonly inner: boolean;
  readonly spread: boolean;
  readonly toOne: boolean;
  readonly lateralAlias: string;
  /** Empty select list (`child()`): joined for filtering only, not in the output. */
  readonly empty: boolean;
}

interface ReadNode {
  readonly source: Source;
  readonly fields: Array<Extract<SelectItem, { kind: 'field' }>>;
  readonly embeds: EmbedNode[];
  readonly filters: Filter[];
  readonly logic: LogicTree[];
  /** `child=is.null` / `child=not.is.null` on an embedded resource. */
  readonly embedNullFilters: Array<{ embed: EmbedNode; isNull: boolean }>;
  order: OrderTerm[];
  range: Range | null;
}

export interface ReadPlan {
  readonly root: ReadNode;
}

export interface ReadPlanOptions {
  readonly cache: SchemaCache;
  readonly schema: string;
  readonly source: Source;
  readonly params: QueryParams;
  /** Whether aggregate functions in select are allowed (PostgREST's db-aggregates-enabled; false on Supabase). */
  readonly aggregatesEnabled?: boolean;
}

class AliasCounter {
  private n = 0;
  next(prefix: string): string {
    this.n += 1;
    // Postgres truncates identifiers at 63 bytes: keep the counter that makes the alias unique.
    return `${prefix.slice(0, 40)}_${this.n}`;
  }
}

export function tableSource(table: QualifiedName & { readonly columns: readonly Column[] }): Source {
  const ref = qualified(table);
  return { relation: { schema: table.schema, name: table.name }, columns: table.columns, fromSql: ref, refSql: ref, aliasSql: null };
}

/** Builds the tree of read nodes, resolving every embedded resource through the schema cache. */
export function planRead(options: ReadPlanOptions): ReadPlan {
  const { cache, schema, params } = options;
  const counter = new AliasCounter();

  const build = (source: Source, items: readonly SelectItem[]): ReadNode => {
    const node: ReadNode = { source, fields: [], embeds: [], filters: [], logic: [], embedNullFilters: [], order: [], range: null };
    for (const item of items) {
      if (item.kind === 'field') {
        if (item.aggregate !== null && options.aggregatesEnabled !== true) {
          throw new RestError(400, 'PGRST123', 'Use of aggregate functions is not allowed');
        }
        if (item.aggregate !== null) throw notImplemented('aggregate functions in select');
        node.fields.push(item);
        continue;
      }
      if (source.relation === null) {
        throw new RestError(
          400,
          'PGRST200',
          `Could not find a relationship between '${source.refSql}' and '${item.name}' in the schema cache`,
          `Searched for a foreign key relationship between '${source.refSql}' and '${item.name}' in the schema '${schema}', but no matches were found.`,
        );
      }
      const relationship = findRelationship(cache, schema, source.relation, item.name, item.hint);
      const target = cache.tables.get(qualifiedKey(relationship.foreignTable));
      if (!target) throw new Error(`schema cache: relationship to unknown table ${relationship.foreignTable.name}`);
      const alias = ident(counter.next(target.name));
      const childSource: Source = {
        relation: { schema: target.schema, name: target.name },
        columns: target.columns,
        fromSql: qualified(target),
        refSql: alias,
        aliasSql: alias,
      };
      const toOne = relationship.cardinality === 'many-to-one' || relationship.cardinality === 'one-to-one';
      if (item.kind === 'spread' && !toOne) {
        throw notImplemented(`spreading the to-many embedded resource '${item.name}' (only to-one spreads are supported)`);
      }
      const child = build(childSource, item.children);
      node.embeds.push({
        outputName: item.alias ?? item.name,
        pathName: item.alias ?? item.name,
        relationship,
        node: child,
        inner: item.joinType === 'inner',
        spread: item.kind === 'spread',
        toOne,
        lateralAlias: ident(counter.next(`${item.alias ?? item.name}_lateral`)),
        empty: item.children.length === 0,
      });
    }
    return node;
  };

  const root = build(options.source, params.select);

  const nodeAt = (path: readonly string[]): ReadNode => {
    let node = root;
    for (const name of path) {
      const embed = node.embeds.find((e) => e.pathName === name);
      if (!embed) {
        throw new RestError(
          400,
          'PGRST108',
          `'${name}' is not an embedded resource in this request`,
          null,
          `Verify that '${name}' is included in the 'select' query parameter.`,
        );
      }
      node = embed.node;
    }
    return node;
  };

  for (const { path, filter } of params.filters) {
    const node = nodeAt(path);
    const embed = filter.field.jsonPath.length === 0 ? node.embeds.find((e) => e.pathName === filter.field.name) : undefined;
    if (embed) {
      const op = filter.expr.operation;
      if (op.kind !== 'is' || (op.value !== 'null' && op.value !== 'not_null')) {
        throw new RestError(
          400,
          'PGRST120',
          `Bad operator on the '${embed.pathName}' embedded resource`,
          'Only is null or not is null filters are allowed on embedded resources',
        );
      }
      const isNull = (op.value === 'null') !== filter.expr.negated;
      node.embedNullFilters.push({ embed, isNull });
      continue;
    }
    node.filters.push(filter);
  }
  for (const { path, tree } of params.logic) nodeAt(path).logic.push(tree);
  for (const { path, terms } of params.order) nodeAt(path).order = [...terms];
  for (const [path, range] of params.ranges) nodeAt(path === '' ? [] : path.split('.')).range = range;

  return { root };
}

/** PostgREST's relationship lookup: by table name, foreign-key column or constraint name, narrowed by the `!hint`. */
export function findRelationship(
  cache: SchemaCache,
  schema: string,
  source: QualifiedName,
  target: string,
  hint: string | null,
): Relationship {
  const all = (cache.relationships.get(qualifiedKey(source)) ?? []).filter((r) => cache.tables.has(qualifiedKey(r.foreignTable)));
  const toOneFromHere = (r: Relationship): boolean =>
    r.cardinality === 'many-to-one' || (r.cardinality === 'one-to-one' && r.isParent === false);
  let candidates = all.filter(
    (r) =>
      r.foreignTable.name === target ||
      (toOneFromHere(r) && r.columns.length === 1 && r.columns[0]?.[0] === target) ||
      (r.cardinality !== 'many-to-many' && r.constraint === target),
  );
  if (hint !== null) {
    candidates = candidates.filter(
      (r) =>
        r.constraint === hint ||
        (r.columns.length === 1 && (r.columns[0]?.[0] === hint || r.columns[0]?.[1] === hint)) ||
        r.junction?.table.name === hint ||
        (r.foreignTable.name === hint && r.foreignTable.name !== target),
    );
  }
  const [only, ...rest] = candidates;
  if (only !== undefined && rest.length === 0) return only;
  if (only === undefined) {
    throw new RestError(
      400,
      'PGRST200',
      `Could not find a relationship between '${source.name}' and '${target}' in the schema cache`,
      `Searched for a foreign key relationship between '${source.name}' and '${target}'${hint === null ? '' : ` using the hint '${hint}'`} in the schema '${schema}', but no matches were found.`,
    );
  }
  const describe = (r: Relationship): Record<string, string> => ({
    cardinality: r.cardinality,
    embedding: `${r.table.name} with ${r.foreignTable.name}`,
    relationship:
      r.cardinality === 'many-to-many' && r.junction
        ? `${r.junction.table.name} using ${r.junction.constraintToSource}(${r.columns.map(([, j]) => j).join(', ')}) and ${r.junction.constraintToTarget}(${r.junction.targetColumns.map(([j]) => j).join(', ')})`
        : `${r.constraint} using ${r.table.name}(${r.columns.map(([c]) => c).join(', ')}) and ${r.foreignTable.name}(${r.columns.map(([, f]) => f).join(', ')})`,
  });
  const hintFor = (r: Relationship): string => `'${r.foreignTable.name}!${r.junction ? r.junction.table.name : r.constraint}'`;
  throw new RestError(
    300,
    'PGRST201',
    `Could not embed because more than one relationship was found for '${source.name}' and '${target}'`,
    JSON.stringify(candidates.map(describe)),
    `Try changing '${target}' to one of the following: ${candidates.map(hintFor).join(', ')}. Find the desired relationship in the 'details' key.`,
  );
}

// ---------------------------------------------------------------------------
// SQL

const CAST = /^[A-Za-z_][A-Za-z0-9_ ]*$/;

function castSql(expr: string, cast: string | null): string {
  if (cast === null) return expr;
  if (!CAST.test(cast))
    throw new RestError(
      400,
      'PGRST100',
      `"failed to parse select parameter" (cast ${JSON.stringify(cast)})`,
      'A cast names a type with letters, digits, underscores and spaces.',
    );
  return `CAST(${expr} AS ${cast})`;
}

function columnOf(source: Source, name: string): Column | undefined {
  return source.columns.find((c) => c.name === name);
}

/** `"t"."col"->'a'->>'b'` with keys bound. */
function fieldSql(ref: string, field: Field, params: Params): string {
  let sql = field.name === '*' ? `${ref}.*` : `${ref}.${ident(field.name)}`;
  for (const op of field.jsonPath) {
    sql += op.arrow + ('index' in op ? params.add(String(op.index), 'integer') : params.add(op.key));
  }
  return sql;
}

/** The type a filter's value is cast to: the column's, or the JSON path's result. */
function fieldType(source: Source, field: Field): string | null {
  const column = columnOf(source, field.name);
  const last = field.jsonPath[field.jsonPath.length - 1];
  if (last !== undefined) {
    if (last.arrow === '->>') return 'text';
    return column?.type === 'json' ? 'json' : 'jsonb';
  }
  return column?.type ?? null;
}

/** The default output name of a select field: its alias, else the last JSON key, else the column. */
function outputName(item: Extract<SelectItem, { kind: 'field' }>): string {
  if (item.alias !== null) return item.alias;
  for (let i = item.field.jsonPath.length - 1; i >= 0; i -= 1) {
    const op = item.field.jsonPath[i];
    if (op && 'key' in op && op.key !== '') return op.key;
  }
  return item.field.name;
}

const QUANT_SQL = { eq: '=', gte: '>=', gt: '>', lte: '<=', lt: '<', like: 'LIKE', ilike: 'ILIKE', match: '~', imatch: '~*' } as const;
const SIMPLE_SQL = { neq: '<>', cs: '@>', cd: '<@', ov: '&&', sl: '<<', sr: '>>', nxr: '&<', nxl: '&>', adj: '-|-' } as const;
const FTS_SQL = { fts: 'to_tsquery', plfts: 'plainto_tsquery', phfts: 'phraseto_tsquery', wfts: 'websearch_to_tsquery' } as const;

export function filterSql(source: Source, filter: Filter, params: Params): string {
  const left = fieldSql(source.refSql, filter.field, params);
  const type = fieldType(source, filter.field);
  const op = filter.expr.operation;
  const not = filter.expr.negated ? 'NOT ' : '';
  switch (op.kind) {
    case 'quant': {
      const textual = op.op === 'like' || op.op === 'ilike' || op.op === 'match' || op.op === 'imatch';
      const value = op.op === 'like' || op.op === 'ilike' ? op.value.replaceAll('*', '%') : op.value;
      const valueType = textual ? 'text' : type;
      if (op.quantifier === null) return `${not}${left} ${QUANT_SQL[op.op]} ${params.add(value, valueType)}`;
      return `${not}${left} ${QUANT_SQL[op.op]} ${op.quantifier.toUpperCase()}(${params.add(value, arrayOf(valueType ?? 'text'))})`;
    }
    case 'simple':
      return `${not}${left} ${SIMPLE_SQL[op.op]} ${params.add(op.value, type)}`;
    case 'in':
      return `${not}${left} = ANY(${params.add(op.values.length === 1 && op.values[0] === '' ? '{}' : arrayLiteral(op.values), arrayOf(type ?? 'text'))})`;
    case 'is':
      return `${not}${left} IS ${{ null: 'NULL', not_null: 'NOT NULL', true: 'TRUE', false: 'FALSE', unknown: 'UNKNOWN' }[op.value]}`;
    case 'isdistinct':
      return `${not}${left} IS DISTINCT FROM ${params.add(op.value, type)}`;
    case 'fts': {
      const language = op.language === null ? '' : `${params.add(op.language, 'regconfig')}, `;
      const vector = type === 'tsvector' ? left : `to_tsvector(${language}${left})`;
      return `${not}${vector} @@ ${FTS_SQL[op.op]}(${language}${params.add(op.value)})`;
    }
  }
}

export function logicSql(source: Source, tree: LogicTree, params: Params): string {
  if (tree.kind === 'filter') return filterSql(source, tree.filter, params);
  const parts = tree.children.map((child) => logicSql(source, child, params));
  return `${tree.negated ? 'NOT ' : ''}(${parts.join(tree.operator === 'and' ? ' AND ' : ' OR ')})`;
}

function orderSql(node: ReadNode, params: Params): string {
  if (node.order.length === 0) return '';
  const terms = node.order.map((term) => {
    let expr: string;
    if (term.relation !== null) {
      const embed = node.embeds.find((e) => e.pathName === term.relation);
      if (!embed) {
        throw new RestError(
          400,
          'PGRST108',
          `'${term.relation}' is not an embedded resource in this request`,
          null,
          `Verify that '${term.relation}' is included in the 'select' query parameter.`,
        );
      }
      if (!embed.toOne) {
        throw new RestError(
          400,
          'PGRST118',
          `A related order on '${term.relation}' is not possible`,
          `'${node.source.relation?.name ?? ''}' and '${term.relation}' do not form a many-to-one or one-to-one relationship`,
        );
      }
      expr = fieldSql(embed.lateralAlias, term.field, params);
    } else {
      expr = fieldSql(node.source.refSql, term.field, params);
    }
    const dir = term.direction === null ? '' : ` ${term.direction.toUpperCase()}`;
    const nulls = term.nulls === null ? '' : term.nulls === 'nullsfirst' ? ' NULLS FIRST' : ' NULLS LAST';
    return `${expr}${dir}${nulls}`;
  });
  return ` ORDER BY ${terms.join(', ')}`;
}

function rangeSql(range: Range | null, params: Params): string {
  if (range === null || (range.offset === 0 && range.limit === null)) return '';
  const limit = range.limit === null ? 'ALL' : params.add(String(range.limit), 'bigint');
  return ` LIMIT ${limit} OFFSET ${params.add(String(range.offset), 'bigint')}`;
}

/** The names a node's rows carry (for spreading a to-one resource into its parent). */
function outputNames(node: ReadNode): string[] {
  const names: string[] = [];
  const fields = node.fields.length === 0 && node.embeds.length === 0 ? null : node.fields;
  for (const f of fields ?? []) {
    if (f.field.name === '*' && f.field.jsonPath.length === 0) names.push(...node.source.columns.map((c) => c.name));
    else names.push(outputName(f));
  }
  if (fields === null) names.push(...node.source.columns.map((c) => c.name));
  for (const e of node.embeds) {
    if (e.empty) continue;
    if (e.spread) names.push(...outputNames(e.node));
    else names.push(e.outputName);
  }
  return names;
}

function selectListSql(node: ReadNode, params: Params, isRoot: boolean): string[] {
  const items: string[] = [];
  const ref = node.source.refSql;
  if (node.fields.length === 0 && node.embeds.length === 0 && isRoot) items.push(`${ref}.*`);
  for (const f of node.fields) {
    if (f.field.name === '*' && f.field.jsonPath.length === 0) {
      items.push(`${ref}.*`);
      continue;
    }
    const expr = castSql(fieldSql(ref, f.field, params), f.cast);
    items.push(`${expr} AS ${ident(outputName(f))}`);
  }
  for (const e of node.embeds) {
    if (e.empty) continue;
    if (e.spread) {
      for (const name of outputNames(e.node)) items.push(`${e.lateralAlias}.${ident(name)}`);
    } else if (e.toOne) {
      items.push(`row_to_json(${e.lateralAlias}.*)::jsonb AS ${ident(e.outputName)}`);
    } else {
      items.push(`COALESCE(${e.lateralAlias}.${e.lateralAlias}, '[]') AS ${ident(e.outputName)}`);
    }
  }
  return items;
}

/** The join condition tying an embedded node to its parent. */
function joinConditions(e: EmbedNode, parentRef: string): { extraFrom: string; conditions: string[] } {
  const childRef = e.node.source.refSql;
  const rel = e.relationship;
  if (rel.cardinality === 'many-to-many' && rel.junction) {
    const j = ident(`${childRef.replaceAll('"', '')}_junction`);
    const on = rel.junction.targetColumns.map(([jc, tc]) => `${j}.${ident(jc)} = ${childRef}.${ident(tc)}`).join(' AND ');
    return {
      extraFrom: ` JOIN ${qualified(rel.junction.table)} AS ${j} ON ${on}`,
      conditions: rel.columns.map(([pc, jc]) => `${j}.${ident(jc)} = ${parentRef}.${ident(pc)}`),
    };
  }
  return { extraFrom: '', conditions: rel.columns.map(([pc, cc]) => `${childRef}.${ident(cc)} = ${parentRef}.${ident(pc)}`) };
}

function joinsSql(node: ReadNode, params: Params, only?: (e: EmbedNode) => boolean): string {
  let sql = '';
  for (const e of node.embeds) {
    if (only && !only(e)) continue;
    const { extraFrom, conditions } = joinConditions(e, node.source.refSql);
    const sub = nodeSelectSql(e.node, params, false, extraFrom, conditions);
    const joinType = e.inner ? 'INNER' : 'LEFT';
    if (e.toOne) {
      sql += ` ${joinType} JOIN LATERAL ( ${sub} ) AS ${e.lateralAlias} ON TRUE`;
    } else {
      const agg = e.lateralAlias;
      sql += ` ${joinType} JOIN LATERAL ( SELECT json_agg(${agg})::jsonb AS ${agg} FROM ( ${sub} ) AS ${agg} ) AS ${agg} ON ${e.inner ? `${agg}.${agg} IS NOT NULL` : 'TRUE'}`;
    }
  }
  return sql;
}

function whereSql(node: ReadNode, params: Params, extraConditions: readonly string[]): string {
  const conditions = [
    ...extraConditions,
    ...node.filters.map((f) => filterSql(node.source, f, params)),
    ...node.logic.map((t) => logicSql(node.source, t, params)),
    ...node.embedNullFilters.map(({ embed, isNull }) =>
      embed.toOne
        ? `${embed.lateralAlias} IS ${isNull ? 'NOT ' : ''}DISTINCT FROM NULL`
        : `${embed.lateralAlias}.${embed.lateralAlias} IS ${isNull ? '' : 'NOT '}NULL`,
    ),
  ];
  return conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
}

function fromSql(source: Source): string {
  return source.aliasSql === null ? source.fromSql : `${source.fromSql} AS ${source.aliasSql}`;
}

function nodeSelectSql(node: ReadNode, params: Params, isRoot: boolean, extraFrom = '', conditions: readonly string[] = []): string {
  // Order matters for parameter numbering only; each part binds its own values.
  const select = selectListSql(node, params, isRoot);
  const joins = joinsSql(node, params);
  const where = whereSql(node, params, conditions);
  const order = orderSql(node, params);
  const range = rangeSql(node.range, params);
  const list = select.length === 0 ? 'NULL' : select.join(', ');
  return `SELECT ${list} FROM ${fromSql(node.source)}${extraFrom}${joins}${where}${order}${range}`;
}

/** The top-level read query, with the top-level range replaced by `range` (after Range header and max-rows). */
export function readQuerySql(plan: ReadPlan, params: Params, range: Range | null): string {
  const root = plan.root;
  const saved = root.range;
  root.range = range;
  try {
    return nodeSelectSql(root, params, true);
  } finally {
    root.range = saved;
  }
}

/** The count query PostgREST runs for Prefer: count=exact: top-level filters and inner joins, no range. */
export function countQuerySql(plan: ReadPlan, params: Params): string {
  const root = plan.root;
  const needed = new Set(root.embedNullFilters.map((f) => f.embed));
  const joins = joinsSql(root, params, (e) => e.inner || needed.has(e));
  const where = whereSql(root, params, []);
  return `SELECT 1 FROM ${fromSql(root.source)}${joins}${where}`;
}
