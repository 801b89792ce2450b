/**
 * No request can inject SQL: identifiers are quoted, values bound. Hostile
 * column names are read as names, hostile values as values, and random
 * strings anywhere in a request never produce a syntax error (42601) — the
 * sign of text reaching the SQL unquoted — nor change anything.
 */
import { anonKey, useTestDatabase } from '@wallai/testing';
import { fuzzParameters } from '@wallai/testing/fuzz';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLibrary } from './fixture.ts';
import type { RestApi } from './handler.ts';
import { call, restApiFor } from './test-support.ts';

const db = useTestDatabase();
let api: RestApi;
let anon: string;

const HOSTILE_TABLE = `rest"; drop table public.rest_tags; --`;
const HOSTILE_COLUMN = `x'); delete from public.rest_tags; --`;
const QUOTED_COLUMN = `we"ird`;

beforeAll(async () => {
  await createLibrary(db());
  const t = `"${HOSTILE_TABLE.replaceAll('"', '""')}"`;
  await db().exec(`
    create table public.${t} (id int primary key, "${HOSTILE_COLUMN.replaceAll('"', '""')}" text, "${QUOTED_COLUMN.replaceAll('"', '""')}" text);
    insert into public.${t} values (1, 'one', 'q');
    grant select, insert, update, delete on public.${t} to anon;`);
  api = await restApiFor(db());
  anon = await anonKey();
});
afterAll(async () => {
  await api.close();
});

const get = (path: string) => call(api, 'GET', path, { token: anon });
const tagCount = async (): Promise<number> =>
  Number((await db().query<{ n: number }>(`select count(*)::int as n from public.rest_tags`))[0]?.n);
const enc = encodeURIComponent;

describe('hostile names and values', () => {
  it('a table and columns named like SQL are read as names', async () => {
    const select = `id,"${HOSTILE_COLUMN}","we\\"ird"`;
    const res = await get(`/${enc(HOSTILE_TABLE)}?select=${enc(select)}`);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual([{ id: 1, [HOSTILE_COLUMN]: 'one', [QUOTED_COLUMN]: 'q' }]);
    expect(await tagCount()).toBe(3);
  });

  it('filter values are values: quotes, semicolons and comments match nothing and run nothing', async () => {
    for (const value of [`'; delete from public.rest_tags; --`, `1 or 1=1`, `") or true --`, `\\'; select pg_sleep(1); --`]) {
      for (const op of ['eq', 'like', 'ilike', 'neq']) {
        const res = await get(`/rest_tags?label=${op}.${enc(value)}&select=id`);
        expect(res.status, `${op} ${value}: ${res.text}`).toBe(200);
        expect((res.json as unknown[]).length).toBe(op === 'neq' ? 3 : 0);
      }
      const inList = await get(`/rest_tags?label=in.(${enc(`"${value.replaceAll('"', '\\"')}"`)},space)&select=id`);
      expect(inList.json).toEqual([{ id: 1 }]);
    }
    expect(await tagCount()).toBe(3);
  });

  it('a hostile value for a typed column is a type error, not SQL', async () => {
    const res = await get(`/rest_tags?id=eq.${enc('1; delete from public.rest_tags')}`);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: '22P02' });
  });

  it('JSON keys, order terms, hints and casts cannot break out', async () => {
    const key = await get(`/rest_authors?select=id,${enc(`meta->>"'); delete from public.rest_tags; --"`)}`);
    expect(key.status, key.text).toBe(200);
    const order = await get(`/rest_tags?order=${enc(`"label; delete from public.rest_tags"`)}`);
    expect(order.json).toMatchObject({ code: '42703' });
    const hint = await get(`/rest_books?select=${enc(`id,rest_authors!"x; drop table public.rest_tags"(name)`)}`);
    expect(hint.json).toMatchObject({ code: 'PGRST200' });
    const cast = await get(`/rest_tags?select=${enc('id::text); delete from public.rest_tags; --')}`);
    expect(cast.json).toMatchObject({ code: 'PGRST100' });
    const fn = await get(`/rest_tags?select=${enc('id,pg_sleep(1)')}`);
    expect(fn.json).toMatchObject({ code: 'PGRST200' });
    expect(await tagCount()).toBe(3);
  });

  it('RPC arguments and bodies are bound', async () => {
    const res = await call(api, 'POST', '/rpc/rest_add', { token: anon, body: { a: '1); delete from public.rest_tags; --' } });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: '22P02' });
    const insert = await call(api, 'POST', '/rest_tags', { token: anon, body: { id: 70, label: `'); delete from public.rest_tags; --` } });
    expect(insert.status).toBe(201);
    expect(await tagCount()).toBe(4);
    await db().query(`delete from public.rest_tags where id = 70`);
  });
});

describe('random requests', () => {
  const notSyntax = (res: { status: number; json: unknown; text: string }): void => {
    expect((res.json as { code?: string } | null)?.code, res.text).not.toBe('42601');
    expect(res.status, res.text).toBeLessThan(500);
  };

  it('a quoted name of nothing but NUL is refused as unparseable, not sent to SQL as an empty identifier', async () => {
    const quoted = '"\u0000"';
    for (const path of [
      `/rest_tags?select=${enc(quoted)}`,
      `/rest_tags?order=${enc(quoted)}.desc`,
      `/rest_authors?select=${enc(`id,meta->>${quoted}`)}`,
    ]) {
      const res = await get(path);
      notSyntax(res);
      expect(res.status, res.text).toBe(400);
    }
  });

  it('random strings as filter values, list items, JSON keys and quoted names never reach SQL as SQL', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 24, unit: 'binary' }), async (s) => {
        const quoted = `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
        notSyntax(await get(`/rest_tags?label=eq.${enc(s)}`));
        notSyntax(await get(`/rest_tags?label=in.(${enc(quoted)})`));
        notSyntax(await get(`/rest_tags?or=(label.eq.${enc(quoted)},id.eq.1)`));
        notSyntax(await get(`/rest_authors?select=${enc(`id,meta->>${quoted}`)}`));
        notSyntax(await get(`/rest_tags?select=${enc(quoted)}`));
        notSyntax(await get(`/rest_tags?order=${enc(quoted)}.desc`));
      }),
      fuzzParameters(60),
    );
    expect(await tagCount()).toBe(3);
    // 360 requests: on a loaded 2-core machine they outlast the default 60 s.
  }, 240_000);

  it('random select strings either parse or are PGRST100, never a syntax error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 30 }), async (s) => {
        notSyntax(await get(`/rest_books?select=${enc(s)}`));
      }),
      fuzzParameters(80),
    );
    expect(await tagCount()).toBe(3);
  }, 240_000);
});
