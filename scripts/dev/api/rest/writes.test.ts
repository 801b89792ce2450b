/**
 * Writes and RPC through /rest/v1: insert (one, many, columns=, missing=default),
 * upsert, update and delete with filters, Prefer: return=…, the functions'
 * calling conventions and response.status / response.headers.
 */
import { anonKey, tokenFor, useTestDatabase, user } from '@wallai/testing';
import { randomUUID } from 'node:crypto';
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

const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  call(api, method, path, { token: anon, headers, ...(body === undefined ? {} : { body }) });
const tagLabels = async (): Promise<Record<number, string>> =>
  Object.fromEntries(
    (await db().query<{ id: number; label: string }>(`select id, label from public.rest_tags order by id`)).map((r) => [r.id, r.label]),
  );

describe('insert', () => {
  it('inserts one row: 201 without a body by default', async () => {
    const res = await send('POST', '/rest_tags', { id: 10, label: 'ten' });
    expect(res.status).toBe(201);
    expect(res.text).toBe('');
    expect(res.headers.get('content-range')).toBe('*/*');
    expect((await tagLabels())[10]).toBe('ten');
  });

  it('returns the rows with Prefer: return=representation, through the select list', async () => {
    const res = await send(
      'POST',
      '/rest_tags?select=label',
      [
        { id: 11, label: 'eleven' },
        { id: 12, label: 'twelve' },
      ],
      {
        Prefer: 'return=representation',
      },
    );
    expect(res.status).toBe(201);
    expect(res.json).toEqual([{ label: 'eleven' }, { label: 'twelve' }]);
    expect(res.headers.get('preference-applied')).toBe('return=representation');
  });

  it('return=headers-only gives the Location of the new row', async () => {
    const res = await send('POST', '/rest_tags', { id: 13, label: 'thirteen' }, { Prefer: 'return=headers-only' });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/rest_tags?id=eq.13');
  });

  it('columns= names the columns; missing keys are null, or the default with missing=default', async () => {
    const nulls = await send(
      'POST',
      '/rest_books?columns=id,title,tags&select=id,tags',
      [
        { id: 20, title: 'T20', tags: ['x'] },
        { id: 21, title: 'T21' },
      ],
      {
        Prefer: 'return=representation',
      },
    );
    expect(nulls.status).toBe(400);
    expect(nulls.json).toMatchObject({ code: '23502' });
    const defaults = await send(
      'POST',
      '/rest_books?columns=id,title,tags&select=id,tags',
      [
        { id: 20, title: 'T20', tags: ['x'] },
        { id: 21, title: 'T21' },
      ],
      {
        Prefer: 'return=representation,missing=default',
      },
    );
    expect(defaults.status, defaults.text).toBe(201);
    expect(defaults.json).toEqual([
      { id: 20, tags: ['x'] },
      { id: 21, tags: [] },
    ]);
  });

  it('a column the table does not have is 400 PGRST204', async () => {
    const res = await send('POST', '/rest_tags', { id: 14, label: 'x', colour: 'red' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'PGRST204', message: "Could not find the 'colour' column of 'rest_tags' in the schema cache" });
  });

  it('objects with different keys are PGRST102 unless columns= is given', async () => {
    const res = await send('POST', '/rest_tags', [{ id: 15, label: 'a' }, { id: 16 }]);
    expect(res.json).toMatchObject({ code: 'PGRST102', message: 'All object keys must match' });
    const bad = await send('POST', '/rest_tags', 'not json');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: 'PGRST102' });
  });

  it('a duplicate key is 409 23505 and nothing of the batch is written', async () => {
    const res = await send('POST', '/rest_tags', [
      { id: 30, label: 'new' },
      { id: 1, label: 'dup' },
    ]);
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ code: '23505' });
    expect((await tagLabels())[30]).toBeUndefined();
  });

  it('upserts with merge-duplicates (200 when only updating) or ignores duplicates', async () => {
    const merged = await send('POST', '/rest_tags', [{ id: 3, label: 'reused' }], {
      Prefer: 'resolution=merge-duplicates,return=representation',
    });
    expect(merged.status).toBe(200);
    expect(merged.json).toEqual([{ id: 3, label: 'reused' }]);
    expect(merged.headers.get('preference-applied')).toBe('resolution=merge-duplicates, return=representation');
    const mixed = await send(
      'POST',
      '/rest_tags',
      [
        { id: 3, label: 'again' },
        { id: 40, label: 'forty' },
      ],
      { Prefer: 'resolution=merge-duplicates' },
    );
    expect(mixed.status).toBe(201);
    const ignored = await send(
      'POST',
      '/rest_tags',
      [
        { id: 3, label: 'ignored' },
        { id: 41, label: 'forty-one' },
      ],
      {
        Prefer: 'resolution=ignore-duplicates,return=representation',
      },
    );
    expect(ignored.json).toEqual([{ id: 41, label: 'forty-one' }]);
    const labels = await tagLabels();
    expect([labels[3], labels[40], labels[41]]).toEqual(['again', 'forty', 'forty-one']);
  });

  it('upserts on another unique column with on_conflict=', async () => {
    const res = await send(
      'POST',
      '/rest_books?on_conflict=code&select=id,title',
      { id: 4, title: 'Delta 2', code: 'D-4' },
      {
        Prefer: 'resolution=merge-duplicates,return=representation',
      },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual([{ id: 4, title: 'Delta 2' }]);
    await db().query(`update public.rest_books set title = 'Delta' where code = 'D-4'`);
  });

  it('a single object answer of an insert with several rows is 406 and rolls back', async () => {
    const res = await send(
      'POST',
      '/rest_tags',
      [
        { id: 50, label: 'a' },
        { id: 51, label: 'b' },
      ],
      {
        Prefer: 'return=representation',
        Accept: 'application/vnd.pgrst.object+json',
      },
    );
    expect(res.status).toBe(406);
    expect((await tagLabels())[50]).toBeUndefined();
  });
});

describe('update and delete', () => {
  it('updates the filtered rows: 204, or 200 with the representation', async () => {
    const plain = await send('PATCH', '/rest_tags?id=eq.10', { label: 'TEN' });
    expect(plain.status).toBe(204);
    expect(plain.headers.get('content-range')).toBe('0-0/*');
    const rep = await send('PATCH', '/rest_tags?id=in.(11,12)&select=id,label', { label: 'many' }, { Prefer: 'return=representation' });
    expect(rep.status).toBe(200);
    expect(rep.json).toEqual([
      { id: 11, label: 'many' },
      { id: 12, label: 'many' },
    ]);
    expect((await tagLabels())[10]).toBe('TEN');
  });

  it('deletes the filtered rows, with or without the representation', async () => {
    const rep = await send('DELETE', '/rest_tags?id=eq.12', undefined, { Prefer: 'return=representation' });
    expect(rep.status).toBe(200);
    expect(rep.json).toEqual([{ id: 12, label: 'many' }]);
    const plain = await send('DELETE', '/rest_tags?label=eq.many');
    expect(plain.status).toBe(204);
    const labels = await tagLabels();
    expect([labels[11], labels[12]]).toEqual([undefined, undefined]);
  });

  it('RLS decides what a user changes, with the JWT claims PostgREST passes', async () => {
    const alice = randomUUID();
    const bob = randomUUID();
    const aliceToken = await tokenFor(user(alice));
    const bobToken = await tokenFor(user(bob));
    const created = await call(api, 'POST', '/rest_owned?select=owner,note', {
      token: aliceToken,
      body: { note: 'mine' },
      headers: { Prefer: 'return=representation' },
    });
    expect(created.json).toEqual([{ owner: alice, note: 'mine' }]);
    const forged = await call(api, 'POST', '/rest_owned', { token: bobToken, body: { note: 'fake', owner: alice } });
    expect(forged.status).toBe(403);
    expect(forged.json).toMatchObject({ code: '42501' });
    const bobDelete = await call(api, 'DELETE', '/rest_owned?note=eq.mine', {
      token: bobToken,
      headers: { Prefer: 'return=representation' },
    });
    expect(bobDelete.json).toEqual([]);
    const asAnon = await send('GET', '/rest_owned');
    expect(asAnon.json).toEqual([]);
    const checkFails = await call(api, 'PATCH', '/rest_owned?note=eq.mine', { token: aliceToken, body: { note: 'x'.repeat(30) } });
    expect(checkFails.status).toBe(400);
    expect(checkFails.json).toMatchObject({ code: '23514' });
  });
});

describe('rpc', () => {
  it('calls with named arguments in a POST body, defaults filled in', async () => {
    const res = await send('POST', '/rpc/rest_add', { a: 1 });
    expect(res.status).toBe(200);
    expect(res.json).toBe(11);
    expect((await send('POST', '/rpc/rest_add', { a: 1, b: 2 })).json).toBe(3);
  });

  it('calls a stable or immutable function with GET and query-string arguments', async () => {
    expect((await send('GET', '/rpc/rest_add?a=5&b=6')).json).toBe(11);
  });

  it('refuses GET for a volatile function (405 PGRST101)', async () => {
    const res = await send('GET', '/rpc/rest_fail?kind=none');
    expect(res.status).toBe(405);
    expect(res.json).toMatchObject({ code: 'PGRST101', message: 'Cannot use the GET method on RPC' });
  });

  it('passes the whole body to a single unnamed jsonb argument', async () => {
    expect((await send('POST', '/rpc/rest_whole', { any: ['thing', 1] })).json).toEqual({ any: ['thing', 1] });
    expect((await send('POST', '/rpc/rest_echo', { payload: { a: 1 } })).json).toEqual({ a: 1 });
  });

  it('filters, orders and pages a set-returning function like a table', async () => {
    const res = await send('GET', '/rpc/rest_books_by?author=1&select=id,title&order=id.desc&limit=1', undefined, {
      Prefer: 'count=exact',
    });
    expect(res.status).toBe(206);
    expect(res.json).toEqual([{ id: 2, title: 'Beta' }]);
    expect(res.headers.get('content-range')).toBe('0-0/2');
    const table = await send('POST', '/rpc/rest_counts?square=gt.3&order=i', { n: 4 });
    expect(table.json).toEqual([
      { i: 2, square: 4 },
      { i: 3, square: 9 },
      { i: 4, square: 16 },
    ]);
  });

  it('embeds from the rows a function returns', async () => {
    const res = await send('POST', '/rpc/rest_books_by?select=title,author:rest_authors!author_id(name)&id=eq.3', { author: 2 });
    expect(res.json).toEqual([{ title: 'Gamma', author: { name: 'Bob' } }]);
  });

  it('a function returning one row answers an object', async () => {
    expect((await send('POST', '/rpc/rest_book?select=title', { book: 2 })).json).toEqual({ title: 'Beta' });
  });

  it('runs as the caller with the request settings PostgREST sets', async () => {
    const sub = randomUUID();
    const token = await tokenFor(user(sub));
    const res = await call(api, 'GET', '/rpc/rest_context', { token, headers: { 'X-Client-Info': 'supabase-js/test' } });
    expect(res.json).toEqual({
      role: 'authenticated',
      method: 'GET',
      path: '/rpc/rest_context',
      sub,
      claims_role: 'authenticated',
      header: 'supabase-js/test',
      read_only: 'on',
    });
    const post = await call(api, 'POST', '/rpc/rest_context', { token, body: {} });
    expect(post.json).toMatchObject({ method: 'POST', read_only: 'off' });
  });

  it('a void function answers 204, with its response.status and response.headers', async () => {
    const res = await send('POST', '/rpc/rest_touch', { note: 'x' });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-touched')).toBe('yes');
  });

  it('maps raised errors: P0001 → 400, PTxxx → xxx, SQLSTATE PGRST → its own body and status', async () => {
    const raised = await send('POST', '/rpc/rest_fail', { kind: 'raise' });
    expect(raised.status).toBe(400);
    expect(raised.json).toEqual({ code: 'P0001', message: 'the book is overdue', details: 'due yesterday', hint: 'return it' });
    const teapot = await send('POST', '/rpc/rest_fail', { kind: 'teapot' });
    expect(teapot.status).toBe(418);
    expect(teapot.json).toMatchObject({ code: 'PT418', message: 'I am a teapot' });
    const custom = await send('POST', '/rpc/rest_fail', { kind: 'pgrst' });
    expect(custom.status).toBe(409);
    expect(custom.headers.get('x-reason')).toBe('custom');
    expect(custom.json).toEqual({ code: 'LIB01', message: 'custom failure', details: null, hint: 'try later' });
  });

  it('an unknown function or argument is 404 PGRST202', async () => {
    const res = await send('POST', '/rpc/rest_add', { a: 1, c: 2 });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({
      code: 'PGRST202',
      message: 'Could not find the function public.rest_add(a, c) in the schema cache',
    });
    expect((await send('POST', '/rpc/nothing_here', {})).json).toMatchObject({ code: 'PGRST202' });
  });

  it('a write in a function commits; a failing one leaves nothing behind', async () => {
    const ok = await send('POST', '/rpc/rest_insert_tag', { id: 60, label: 'sixty' });
    expect(ok.json).toEqual({ id: 60, label: 'sixty' });
    const dup = await send('POST', '/rpc/rest_insert_tag', { id: 60, label: 'again' });
    expect(dup.status).toBe(409);
    expect((await tagLabels())[60]).toBe('sixty');
  });
});

describe('very deep JSON', () => {
  const deep = (levels: number, inner = '1') => `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;

  it('a body nested past 1000 levels is refused with 400 PGRST102 before SQL, and nothing is written', async () => {
    const before = await db().query<{ n: number }>('select count(*)::int as n from public.rest_authors');
    const body = `{"id": 900, "name": "deep", "meta": ${deep(20_000)}}`;
    const res = await send('POST', '/rest_authors', body);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'PGRST102', message: 'The body nests arrays and objects deeper than 1000 levels' });
    expect(await db().query<{ n: number }>('select count(*)::int as n from public.rest_authors')).toEqual(before);
  });

  it('so is an RPC body and a JSON filter value; 1000 levels still pass', async () => {
    const rpc = await send('POST', '/rpc/rest_echo', `{"payload": ${deep(60_000)}}`);
    expect({ status: rpc.status, code: (rpc.json as { code: string }).code }).toEqual({ status: 400, code: 'PGRST102' });
    const filter = await send('GET', `/rest_authors?meta=cs.${encodeURIComponent(deep(3000))}`);
    expect({ status: filter.status, code: (filter.json as { code: string }).code }).toEqual({ status: 400, code: 'PGRST102' });
    const fine = await send('POST', '/rpc/rest_echo', `{"payload": ${deep(999)}}`);
    expect(fine.status).toBe(200);
  });
});

describe('schema cache', () => {
  it("reloads on NOTIFY pgrst, 'reload schema'", async () => {
    await db().exec(`create table public.rest_notified (id int primary key); grant select on public.rest_notified to anon;`);
    expect((await send('GET', '/rest_notified')).json).toMatchObject({ code: 'PGRST205' });
    await db().exec(`notify pgrst, 'reload schema'`);
    await expect.poll(async () => (await send('GET', '/rest_notified')).json, { timeout: 20_000, interval: 100 }).toEqual([]);
  });

  it('sees a new table after NOTIFY-less reload through reloadSchema()', async () => {
    await db().exec(`create table public.rest_late (id int primary key); grant select on public.rest_late to anon;`);
    expect((await send('GET', '/rest_late')).json).toMatchObject({ code: 'PGRST205' });
    await api.reloadSchema();
    expect((await send('GET', '/rest_late')).json).toEqual([]);
  });
});
