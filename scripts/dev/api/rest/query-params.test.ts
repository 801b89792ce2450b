import { describe, expect, it } from 'vitest';
import { RestError } from './errors.ts';
import { parseColumns, parseLogic, parseOpExpr, parseOrder, parseQueryParams, parseSelect, parseTreePath } from './query-params.ts';

const field = (name: string, extra: Record<string, unknown> = {}) => ({
  kind: 'field',
  field: { name, jsonPath: [] },
  alias: null,
  cast: null,
  aggregate: null,
  aggregateCast: null,
  ...extra,
});

describe('select=', () => {
  it('reads columns, aliases, casts and *', () => {
    expect(parseSelect('*')).toEqual([field('*')]);
    expect(parseSelect('id, name:title ,price::text')).toEqual([
      field('id'),
      field('title', { alias: 'name' }),
      field('price', { cast: 'text' }),
    ]);
  });

  it('reads JSON paths with keys and indexes', () => {
    expect(parseSelect('meta->langs->0,c:meta->>country')).toEqual([
      field('meta', {
        field: {
          name: 'meta',
          jsonPath: [
            { arrow: '->', key: 'langs' },
            { arrow: '->', index: 0 },
          ],
        },
      }),
      field('meta', { alias: 'c', field: { name: 'meta', jsonPath: [{ arrow: '->>', key: 'country' }] } }),
    ]);
  });

  it('reads embedded resources with aliases, hints, !inner and nesting', () => {
    expect(parseSelect('title,a:authors!author_id!inner(name,books(id)),...publisher(name)')).toEqual([
      field('title'),
      {
        kind: 'relation',
        name: 'authors',
        alias: 'a',
        hint: 'author_id',
        joinType: 'inner',
        children: [field('name'), { kind: 'relation', name: 'books', alias: null, hint: null, joinType: null, children: [field('id')] }],
      },
      { kind: 'spread', name: 'publisher', alias: null, hint: null, joinType: null, children: [field('name')] },
    ]);
  });

  it('reads quoted names with any character, backslash escaping the quote', () => {
    expect(parseSelect('"a,b",x:"we\\"ird"')).toEqual([field('a,b'), field('we"ird', { alias: 'x' })]);
  });

  it('reads dashes in names and aggregates', () => {
    expect(parseSelect('first-name,amount.sum(),count()')).toEqual([
      field('first-name'),
      field('amount', { aggregate: 'sum' }),
      field('*', { aggregate: 'count' }),
    ]);
  });

  it('rejects what PostgREST rejects, with PGRST100', () => {
    for (const bad of ['id,(', 'a::', 'rel(id', 'id;drop', 'x:']) {
      expect(() => parseSelect(bad), bad).toThrow(RestError);
    }
    try {
      parseSelect('id,(');
    } catch (error) {
      expect((error as RestError).code).toBe('PGRST100');
      expect((error as RestError).message).toBe('"failed to parse select parameter (id,()" (line 1, column 4)');
    }
  });
});

describe('filters', () => {
  it('reads operators, negation, quantifiers and lists', () => {
    expect(parseOpExpr('eq.5')).toEqual({ negated: false, operation: { kind: 'quant', op: 'eq', quantifier: null, value: '5' } });
    expect(parseOpExpr('not.gte.2.5')).toEqual({ negated: true, operation: { kind: 'quant', op: 'gte', quantifier: null, value: '2.5' } });
    expect(parseOpExpr('like(any).{a*,b*}')).toEqual({
      negated: false,
      operation: { kind: 'quant', op: 'like', quantifier: 'any', value: '{a*,b*}' },
    });
    expect(parseOpExpr('in.(1,"a,b",c)')).toEqual({ negated: false, operation: { kind: 'in', values: ['1', 'a,b', 'c'] } });
    expect(parseOpExpr('is.NULL')).toEqual({ negated: false, operation: { kind: 'is', value: 'null' } });
    expect(parseOpExpr('fts(english).cat & dog')).toEqual({
      negated: false,
      operation: { kind: 'fts', op: 'fts', language: 'english', value: 'cat & dog' },
    });
    expect(parseOpExpr('cs.{1,2}')).toEqual({ negated: false, operation: { kind: 'simple', op: 'cs', value: '{1,2}' } });
  });

  it('takes the rest of the value verbatim, dots and quotes included', () => {
    expect(parseOpExpr(`eq.a.b'"); drop table x; --`)).toMatchObject({ operation: { value: `a.b'"); drop table x; --` } });
  });

  it('rejects unknown operators and bad is values', () => {
    expect(() => parseOpExpr('equals.1')).toThrow(RestError);
    expect(() => parseOpExpr('is.maybe')).toThrow(RestError);
  });

  it('reads embed paths and JSON paths in keys', () => {
    expect(parseTreePath('books.authors.meta->>country')).toEqual({
      path: ['books', 'authors'],
      field: { name: 'meta', jsonPath: [{ arrow: '->>', key: 'country' }] },
    });
  });

  it('reads nested logic trees, negated, on embeds', () => {
    expect(parseLogic('books.not.or', '(id.eq.1,and(price.gt.2,tags.cs.{a,b}))')).toEqual({
      path: ['books'],
      tree: {
        kind: 'expr',
        negated: true,
        operator: 'or',
        children: [
          {
            kind: 'filter',
            filter: {
              field: { name: 'id', jsonPath: [] },
              expr: { negated: false, operation: { kind: 'quant', op: 'eq', quantifier: null, value: '1' } },
            },
          },
          {
            kind: 'expr',
            negated: false,
            operator: 'and',
            children: [
              {
                kind: 'filter',
                filter: {
                  field: { name: 'price', jsonPath: [] },
                  expr: { negated: false, operation: { kind: 'quant', op: 'gt', quantifier: null, value: '2' } },
                },
              },
              {
                kind: 'filter',
                filter: {
                  field: { name: 'tags', jsonPath: [] },
                  expr: { negated: false, operation: { kind: 'simple', op: 'cs', value: '{a,b}' } },
                },
              },
            ],
          },
        ],
      },
    });
  });
});

describe('order=, columns=, the whole query string', () => {
  it('reads directions, nulls and related orders', () => {
    expect(parseOrder('date.desc.nullslast,id,author(name).asc')).toEqual([
      { relation: null, field: { name: 'date', jsonPath: [] }, direction: 'desc', nulls: 'nullslast' },
      { relation: null, field: { name: 'id', jsonPath: [] }, direction: null, nulls: null },
      { relation: 'author', field: { name: 'name', jsonPath: [] }, direction: 'asc', nulls: null },
    ]);
    expect(() => parseOrder('id.sideways')).toThrow(RestError);
  });

  it('reads columns= and on_conflict=', () => {
    expect(parseColumns('columns parameter', 'a, b,"c d"')).toEqual(['a', 'b', 'c d']);
  });

  it('sorts parameters into filters, logic, order and ranges per embed path', () => {
    const qp = parseQueryParams(
      new URLSearchParams(
        'select=id,books(id)&id=gt.1&books.price=lt.5&or=(a.eq.1,b.eq.2)&books.order=id.desc&books.limit=2&limit=10&offset=5',
      ),
      false,
    );
    expect(qp.filters.map((f) => [f.path, f.filter.field.name])).toEqual([
      [[], 'id'],
      [['books'], 'price'],
    ]);
    expect(qp.logic).toHaveLength(1);
    expect(qp.order).toEqual([
      { path: ['books'], terms: [{ relation: null, field: { name: 'id', jsonPath: [] }, direction: 'desc', nulls: null }] },
    ]);
    expect([...qp.ranges]).toEqual([
      ['books', { offset: 0, limit: 2 }],
      ['', { offset: 5, limit: 10 }],
    ]);
  });

  it('on GET /rpc, parameters without an operator are the arguments', () => {
    const qp = parseQueryParams(new URLSearchParams('a=1&b=hello.world&id=gt.3'), true);
    expect(qp.rpcArguments).toEqual([
      ['a', '1'],
      ['b', 'hello.world'],
    ]);
    expect(qp.filters.map((f) => f.filter.field.name)).toEqual(['id']);
  });
});
