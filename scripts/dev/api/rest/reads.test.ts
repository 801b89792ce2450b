/**
 * Reads through /rest/v1 as PostgREST answers them: select lists, embedding,
 * filters, order, ranges and counts, media types, and the errors.
 */
import { anonKey, tokenFor, useTestDatabase, user } from '@wallai/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLibrary } from './fixture.ts';
import type { RestApi } from './handler.ts';
import { call, restApiFor } from './test-support.ts';

const db = useTestDatabase();
let api: RestApi;
let anon: string;

beforeAll(async () => {
  await createLibrary(db());
  api = await restApiFor(db());
  anon = await anonKey();
});
afterAll(async () => {
  await api.close();
});

const get = (path: string, headers: Record<string, string> = {}) => call(api, 'GET', path, { token: anon, headers });
const ids = (json: unknown): number[] => (json as Array<{ id: number }>).map((r) => r.id);

describe('select lists', () => {
  it('answers every column as a JSON array, numbers as numbers, with Content-Range', async () => {
    const res = await get('/rest_books?select=*&id=eq.1');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-range')).toBe('0-0/*');
    expect(res.json).toEqual([
      {
        id: 1,
        title: 'Alpha',
        author_id: 1,
        editor_id: 2,
        price: 10.5,
        tags: ['sf', 'classic'],
        published: true,
        summary: 'a tale of rockets and stars',
        code: 'A-1',
        created_at: '2025-01-01T00:00:00+00:00',
      },
    ]);
  });

  it('renames with aliases and casts with ::', async () => {
    const res = await get('/rest_books?select=id,name:title,price::text&id=eq.1');
    expect(res.json).toEqual([{ id: 1, name: 'Alpha', price: '10.50' }]);
  });

  it('reads into JSON with -> and ->>, named after the last key', async () => {
    const res = await get('/rest_authors?select=name,meta->>country,first:meta->langs->0&order=id');
    expect(res.json).toEqual([
      { name: 'Ann', country: 'NO', first: 'no' },
      { name: 'Bob', country: null, first: null },
      { name: 'Cy', country: 'SE', first: 'sv' },
    ]);
  });

  it('refuses aggregate functions, as Supabase does by default', async () => {
    const res = await get('/rest_books?select=price.sum()');
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'PGRST123', message: 'Use of aggregate functions is not allowed' });
  });
});

describe('filters', () => {
  const cases: Array<[string, number[]]> = [
    ['id=eq.2', [2]],
    ['id=neq.2', [1, 3, 4]],
    ['price=gt.10', [1, 2]],
    ['price=gte.20', [2]],
    ['price=lt.10', [4]],
    ['price=lte.10.5', [1, 4]],
    ['title=like.*ta', [2, 4]],
    ['title=ilike.A*', [1]],
    ['title=match.^[AB]', [1, 2]],
    ['title=imatch.^g', [3]],
    ['price=is.null', [3]],
    ['published=is.true', [1, 4]],
    ['published=is.false', [2]],
    ['published=not.is.true', [2, 3]],
    ['published=eq.true', [1, 4]],
    ['id=in.(1,3,9)', [1, 3]],
    ['id=not.in.(1,3)', [2, 4]],
    ['code=in.("A-1","D-4")', [1, 4]],
    ['tags=cs.{sf}', [1, 3]],
    ['tags=cd.{sf,classic,poetry}', [1, 2, 3, 4]],
    ['tags=ov.{poetry,classic}', [1, 4]],
    ['summary=fts.stars', [1, 2]],
    ['summary=plfts(english).rockets stars', [1]],
    ['summary=phfts.cooking with stars', [2]],
    ['summary=wfts.stars -rockets', [2]],
    ['id=isdistinct.1', [2, 3, 4]],
    ['id=eq(any).{1,2}', [1, 2]],
    ['title=like(any).{A*,D*}', [1, 4]],
    ['or=(id.eq.1,price.is.null)', [1, 3]],
    ['or=(id.eq.4,and(price.gt.5,published.is.false))', [2, 4]],
    ['not.or=(id.eq.1,id.eq.2)', [3, 4]],
    ['and=(price.gt.1,or(title.eq.Alpha,title.eq.Delta))', [1, 4]],
    ['or=(tags.cs.{poetry},code.in.(B-2))', [2, 4]],
    ['id=gt.1&price=gt.1', [2, 4]],
  ];
  for (const [query, expected] of cases) {
    it(`${query} keeps ${JSON.stringify(expected)}`, async () => {
      const res = await get(`/rest_books?select=id&order=id&${query.replaceAll(' ', '%20')}`);
      expect(res.status, res.text).toBe(200);
      expect(ids(res.json)).toEqual(expected);
    });
  }

  it('filters on JSON paths, comparing text with ->> and JSON with ->', async () => {
    expect(ids((await get('/rest_authors?select=id&meta->>country=eq.SE')).json)).toEqual([3]);
    expect(ids((await get('/rest_authors?select=id&meta->langs=cs.["en"]')).json)).toEqual([1]);
  });

  it('an unknown operator is PGRST100 with the position', async () => {
    const res = await get('/rest_books?id=equals.1');
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'PGRST100', message: '"failed to parse filter (equals.1)" (line 1, column 1)' });
  });
});

describe('order, limit, offset and counts', () => {
  it('orders with nullsfirst and nullslast', async () => {
    expect(ids((await get('/rest_books?select=id&order=price.desc.nullslast')).json)).toEqual([2, 1, 4, 3]);
    expect(ids((await get('/rest_books?select=id&order=price.asc.nullsfirst')).json)).toEqual([3, 4, 1, 2]);
    expect(ids((await get('/rest_books?select=id&order=author_id.desc.nullslast,id.desc')).json)).toEqual([3, 2, 1, 4]);
  });

  it('pages with limit and offset, and counts exactly with Prefer: count=exact (206 for a part)', async () => {
    const res = await get('/rest_books?select=id&order=id&limit=2&offset=1', { Prefer: 'count=exact' });
    expect(res.status).toBe(206);
    expect(ids(res.json)).toEqual([2, 3]);
    expect(res.headers.get('content-range')).toBe('1-2/4');
    expect(res.headers.get('preference-applied')).toBe('count=exact');
  });

  it('reads the Range header', async () => {
    const res = await get('/rest_books?select=id&order=id', { Range: '2-5', 'Range-Unit': 'items' });
    expect(ids(res.json)).toEqual([3, 4]);
    expect(res.headers.get('content-range')).toBe('2-3/*');
  });

  it('an offset past the end with a count is 416 PGRST103', async () => {
    const res = await get('/rest_books?select=id&offset=10', { Prefer: 'count=exact' });
    expect(res.status).toBe(416);
    expect(res.json).toMatchObject({ code: 'PGRST103', details: 'An offset of 10 was requested, but there are only 4 rows.' });
  });

  it('planned and estimated counts answer a number', async () => {
    for (const kind of ['planned', 'estimated']) {
      const res = await get('/rest_books?select=id', { Prefer: `count=${kind}` });
      expect(res.status).toBeLessThan(300);
      expect(res.headers.get('content-range')).toMatch(/^0-3\/\d+$/);
    }
  });

  it('max_rows caps a read', async () => {
    const capped = await restApiFor(db(), { maxRows: 2 });
    const res = await call(capped, 'GET', '/rest_books?select=id&order=id', { token: anon, headers: { Prefer: 'count=exact' } });
    expect(ids(res.json)).toEqual([1, 2]);
    expect(res.headers.get('content-range')).toBe('0-1/4');
    await capped.close();
  });

  it('an empty result is */0 with a count', async () => {
    const res = await get('/rest_books?id=eq.99', { Prefer: 'count=exact' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual([]);
    expect(res.headers.get('content-range')).toBe('*/0');
  });
});

describe('embedding', () => {
  it('embeds many-to-one through the foreign-key column hint', async () => {
    const res = await get('/rest_books?select=title,author:rest_authors!author_id(name)&order=id');
    expect(res.json).toEqual([
      { title: 'Alpha', author: { name: 'Ann' } },
      { title: 'Beta', author: { name: 'Ann' } },
      { title: 'Gamma', author: { name: 'Bob' } },
      { title: 'Delta', author: null },
    ]);
  });

  it('embeds by column name and by constraint name', async () => {
    const byColumn = await get('/rest_books?select=id,editor_id(name)&id=eq.1');
    expect(byColumn.json).toEqual([{ id: 1, editor_id: { name: 'Bob' } }]);
    const byConstraint = await get('/rest_books?select=id,rest_books_editor_id_fkey(name)&id=eq.3');
    expect(byConstraint.json).toEqual([{ id: 3, rest_books_editor_id_fkey: { name: 'Ann' } }]);
  });

  it('an ambiguous embed is 300 PGRST201 naming the candidates', async () => {
    const res = await get('/rest_books?select=*,rest_authors(*)');
    expect(res.status).toBe(300);
    expect(res.json).toMatchObject({ code: 'PGRST201' });
    expect((res.json as { hint: string }).hint).toContain("'rest_authors!rest_books_author_id_fkey'");
  });

  it('no relationship is 400 PGRST200', async () => {
    const res = await get('/rest_books?select=*,rest_private(*)');
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      code: 'PGRST200',
      message: "Could not find a relationship between 'rest_books' and 'rest_private' in the schema cache",
    });
  });

  it('embeds one-to-many with its own filter, order and limit', async () => {
    const res = await get(
      '/rest_authors?select=name,books:rest_books!author_id(id,title)&books.order=id.desc&books.limit=1&books.price=gt.1&order=id',
    );
    expect(res.json).toEqual([
      { name: 'Ann', books: [{ id: 2, title: 'Beta' }] },
      { name: 'Bob', books: [] },
      { name: 'Cy', books: [] },
    ]);
  });

  it('!inner drops rows without a match; embedded filters alone do not', async () => {
    const inner = await get('/rest_authors?select=name,rest_books!author_id!inner(id)&rest_books.published=is.true&order=id');
    expect(inner.json).toEqual([{ name: 'Ann', rest_books: [{ id: 1 }] }]);
    const left = await get('/rest_authors?select=id,rest_books!author_id(id)&rest_books.published=is.true&order=id');
    expect(ids(left.json)).toEqual([1, 2, 3]);
  });

  it('filters rows on whether an embed is null', async () => {
    const res = await get('/rest_books?select=id,author:rest_authors!author_id(name)&author=is.null');
    expect(ids(res.json)).toEqual([4]);
    const notNull = await get('/rest_books?select=id,d:rest_book_details(pages)&d=not.is.null&order=id');
    expect(notNull.json).toEqual([
      { id: 1, d: { pages: 320 } },
      { id: 2, d: { pages: 150 } },
    ]);
  });

  it('embeds many-to-many through the junction table, and nests', async () => {
    const res = await get(
      '/rest_books?select=title,rest_tags(label),author:rest_authors!author_id(name,books:rest_books!author_id(id))&id=in.(1,3)&order=id&rest_tags.order=label',
    );
    expect(res.json).toEqual([
      { title: 'Alpha', rest_tags: [{ label: 'old' }, { label: 'space' }], author: { name: 'Ann', books: [{ id: 1 }, { id: 2 }] } },
      { title: 'Gamma', rest_tags: [{ label: 'space' }], author: { name: 'Bob', books: [{ id: 3 }] } },
    ]);
  });

  it('embeds one-to-one as an object from both sides', async () => {
    const fromBook = await get('/rest_books?select=id,rest_book_details(pages)&id=eq.2');
    expect(fromBook.json).toEqual([{ id: 2, rest_book_details: { pages: 150 } }]);
    const fromDetail = await get('/rest_book_details?select=pages,rest_books(title)&book_id=eq.2');
    expect(fromDetail.json).toEqual([{ pages: 150, rest_books: { title: 'Beta' } }]);
  });

  it('spreads a to-one resource into its parent', async () => {
    const res = await get('/rest_books?select=title,...rest_authors!author_id(author:name)&id=eq.3');
    expect(res.json).toEqual([{ title: 'Gamma', author: 'Bob' }]);
  });

  it('orders by a to-one embedded column, refuses a to-many one', async () => {
    const res = await get('/rest_books?select=id,a:rest_authors!author_id(name)&order=a(name).desc.nullslast,id');
    expect(ids(res.json)).toEqual([3, 1, 2, 4]);
    const bad = await get('/rest_authors?select=id,b:rest_books!author_id(id)&order=b(id)');
    expect(bad.json).toMatchObject({ code: 'PGRST118' });
  });

  it('a filter on a resource that is not embedded is PGRST108', async () => {
    const res = await get('/rest_books?select=id&rest_tags.label=eq.space');
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'PGRST108', message: "'rest_tags' is not an embedded resource in this request" });
  });
});

describe('media types', () => {
  it('answers one object for application/vnd.pgrst.object+json', async () => {
    const res = await get('/rest_books?select=id,title&id=eq.2', { Accept: 'application/vnd.pgrst.object+json' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.pgrst.object+json; charset=utf-8');
    expect(res.json).toEqual({ id: 2, title: 'Beta' });
  });

  it('several or no rows for a single object are 406 PGRST116', async () => {
    const many = await get('/rest_books?select=id', { Accept: 'application/vnd.pgrst.object+json' });
    expect(many.status).toBe(406);
    expect(many.json).toEqual({
      code: 'PGRST116',
      message: 'Cannot coerce the result to a single JSON object',
      details: 'The result contains 4 rows',
      hint: null,
    });
    const none = await get('/rest_books?id=eq.99', { Accept: 'application/vnd.pgrst.object+json' });
    expect(none.json).toMatchObject({ code: 'PGRST116', details: 'The result contains 0 rows' });
  });

  it('answers CSV for text/csv', async () => {
    const res = await get('/rest_books?select=id,title,price&order=id&limit=3', { Accept: 'text/csv' });
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.text).toBe('id,title,price\n1,Alpha,10.50\n2,Beta,20.00\n3,Gamma,');
  });

  it('strips nulls when asked', async () => {
    const res = await get('/rest_books?select=id,price&id=eq.3', { Accept: 'application/vnd.pgrst.array+json;nulls=stripped' });
    expect(res.json).toEqual([{ id: 3 }]);
  });

  it('an unavailable media type is 406 PGRST107', async () => {
    const res = await get('/rest_books', { Accept: 'application/xml' });
    expect(res.status).toBe(406);
    expect(res.json).toMatchObject({ code: 'PGRST107' });
  });

  it('HEAD answers the headers without a body', async () => {
    const res = await call(api, 'HEAD', '/rest_books?select=id', { token: anon, headers: { Prefer: 'count=exact' } });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.headers.get('content-range')).toBe('0-3/4');
  });
});

describe('errors', () => {
  it('an unknown table is 404 PGRST205', async () => {
    const res = await get('/rest_bookz');
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ code: 'PGRST205', message: "Could not find the table 'public.rest_bookz' in the schema cache" });
  });

  it('an unknown column is Postgres 42703 as 400', async () => {
    const res = await get('/rest_books?select=nope');
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: '42703' });
    expect((res.json as { message: string }).message).toMatch(/column .*nope does not exist/);
  });

  it('a select that does not parse is PGRST100', async () => {
    const res = await get('/rest_books?select=id,(');
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'PGRST100' });
  });

  it('a schema that is not exposed is 406 PGRST106', async () => {
    const res = await get('/rest_books', { 'Accept-Profile': 'private' });
    expect(res.status).toBe(406);
    expect(res.json).toMatchObject({
      code: 'PGRST106',
      message: 'Invalid schema: private',
      hint: 'Only the following schemas are exposed: public, graphql_public',
    });
  });

  it('missing privileges are 42501: 401 for anon, 403 for a signed-in user', async () => {
    const asAnon = await get('/rest_private');
    expect(asAnon.status).toBe(401);
    expect(asAnon.json).toMatchObject({ code: '42501' });
    const token = await tokenFor(user('00000000-0000-4000-8000-000000000001'));
    const asUser = await call(api, 'GET', '/rest_private', { token });
    expect(asUser.status).toBe(403);
  });

  it('a bad signature is 401 PGRST301, an expired token 401 PGRST303', async () => {
    const forged = await tokenFor(user('00000000-0000-4000-8000-000000000001'), { secret: 'another-secret-of-at-least-32-characters!' });
    const bad = await call(api, 'GET', '/rest_books', { token: forged });
    expect(bad.status).toBe(401);
    expect(bad.json).toMatchObject({ code: 'PGRST301', message: 'JWT cryptographic operation failed' });
    expect(bad.headers.get('www-authenticate')).toContain('invalid_token');
    const expired = await tokenFor(user('00000000-0000-4000-8000-000000000001'), { expiresIn: -3600 });
    const old = await call(api, 'GET', '/rest_books', { token: expired });
    expect(old.json).toMatchObject({ code: 'PGRST303', message: 'JWT expired' });
  });

  it('a token naming a role the API cannot become is refused', async () => {
    const token = await tokenFor({ role: 'service_role' }, { claims: { role: 'postgres' } });
    const res = await call(api, 'GET', '/rest_books', { token });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ code: '42501', message: 'permission denied to set role "postgres"' });
  });

  it('without any token the request runs as anon', async () => {
    const res = await call(api, 'GET', '/rest_books?select=id&limit=1');
    expect(res.status).toBe(200);
  });
});
