/**
 * Faults under the edge functions: the database connection killed in the
 * middle of a request, a statement timeout, the database going away and coming
 * back. Each time the request answers 503 `database_unavailable` (never a 500),
 * its transaction leaves nothing behind, what was committed before is all
 * there, totals equal a recomputation, and the same function instance serves
 * the next request without a restart of its own.
 *
 * On PostgreSQL a statement timeout cancels a request waiting on a row lock the
 * test holds, and the pool's connections are terminated (pg_terminate_backend)
 * between requests. On PGlite (one embedded connection) the database's socket
 * server is stopped and started again under the function.
 *
 * Not here: terminating the backend while a request is in flight. postgres.js
 * 3.4.9 (the newest) then throws from a setImmediate (`nextWrite` on a null
 * socket, porsager/postgres#1208, fix proposed in #1209), an uncaught exception
 * that takes the process down; the request itself is answered 503. Tracked in
 * docs/security.md until the driver is fixed.
 */
import { pgliteClient, postgresClient, serveEmbedded, type EmbeddedServer, type SqlClient } from '@wallai/db-client';
import {
  copyTemplate,
  createBudget,
  createExpense,
  openSnapshot,
  spaceWithEveryRole,
  type SpaceWithEveryRole,
  TEST_JWT_SECRET,
  tokenFor,
  totalsDrift,
  type TestUser,
} from '@wallai/testing';
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHandler } from '../categorize-expense/handler.ts';
import { createJwtVerifier } from '../_shared/auth.ts';
import { createDb, type Db } from '../_shared/db.ts';

const source = inject('testDatabase');
const onPostgres = source.kind === 'postgres';

let db: SqlClient;
let url: string;
let cleanup: () => Promise<void>;
let pglite: PGlite | null = null;
let server: EmbeddedServer | null = null;
let fx: SpaceWithEveryRole;

beforeAll(async () => {
  if (source.kind === 'pglite') {
    pglite = await openSnapshot(source);
    server = await serveEmbedded(pglite);
    db = pgliteClient(pglite);
    url = server.url;
    cleanup = async () => {
      await server?.stop();
      await db.close();
    };
  } else {
    const copy = await copyTemplate(source);
    db = postgresClient(copy.url, { max: 4 });
    url = copy.url;
    cleanup = async () => {
      await db.close();
      await copy.drop();
    };
  }
  fx = await spaceWithEveryRole(db);
  await createBudget(db, fx.space, { month: '2025-10-01' });
});

afterAll(async () => {
  await cleanup?.();
});

const handlerOn = (pool: Db) =>
  createHandler({ db: pool, verifyToken: createJwtVerifier({ secret: TEST_JWT_SECRET }), ai: null, log: () => {} });

async function categorize(handler: (req: Request) => Promise<Response>, who: TestUser, ids: string[]) {
  const res = await handler(
    new Request('http://127.0.0.1:54321/functions/v1/categorize-expense', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(who.actor)}` },
      body: JSON.stringify({ expense_ids: ids }),
    }),
  );
  return {
    status: res.status,
    body: (await res.json()) as { error?: { code: string }; results?: unknown[] },
    retryAfter: res.headers.get('retry-after'),
  };
}

async function sources(ids: string[]) {
  const rows = await db.query<{ id: string; category_source: string }>(
    `select id, category_source from public.expenses where id = any($1::uuid[]) order by id`,
    [ids],
  );
  return rows.map((r) => r.category_source);
}

const uncategorized = async (description: string) =>
  (await createExpense(db, fx.space, { amount: '14.20', description, category: 'other', date: '2025-10-14' }, fx.member)).id;

describe.runIf(onPostgres)('on PostgreSQL', () => {
  it('a statement timeout answers 503 and writes nothing', async () => {
    const name = new URL(url).pathname.slice(1);
    await db.exec(`alter database ${name} set statement_timeout = '400ms'`);
    const pool = createDb(url, { max: 1 });
    const handler = handlerOn(pool);
    const locker = postgresClient(url, { max: 1 });
    try {
      const ids = [await uncategorized('IKEA VALENCIA')];
      const outcome = await locker.transaction(async (tx) => {
        await tx.query(`set local statement_timeout = 0`);
        await tx.query(`select 1 from public.expenses where id = any($1::uuid[]) for update`, [ids]);
        const res = await categorize(handler, fx.member, ids);
        return res;
      });
      expect(outcome.status).toBe(503);
      expect(outcome.body.error?.code).toBe('database_unavailable');
      expect(await sources(ids)).toEqual(['default']);
    } finally {
      await db.exec(`alter database ${name} reset statement_timeout`);
      await locker.close();
      await pool.close();
    }
  });

  it('connections the server dropped while idle are replaced: the next request succeeds', async () => {
    const pool = createDb(url, { max: 2 });
    const handler = handlerOn(pool);
    try {
      expect((await categorize(handler, fx.member, [await uncategorized('ALDI')])).status).toBe(200);
      await db.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'wallai-edge-functions' and datname = current_database()`,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const next = await categorize(handler, fx.member, [await uncategorized('CARREFOUR')]);
      expect(next.status).toBe(200);
    } finally {
      await pool.close();
    }
  });
});

describe.runIf(!onPostgres)('on PGlite', () => {
  it('the database going away answers 503 without writing, and its return is served by the same instance', async () => {
    const pool = createDb(url, { max: 1 });
    const handler = handlerOn(pool);
    try {
      const before = await uncategorized('MERCADONA');
      expect((await categorize(handler, fx.member, [before])).status).toBe(200);
      const ids = [await uncategorized('LIDL')];
      await server!.stop();
      const down = await categorize(handler, fx.member, ids);
      expect(down.status).toBe(503);
      expect(down.body.error?.code).toBe('database_unavailable');
      server = await serveEmbedded(pglite!, { port: server!.port });
      expect(await sources(ids)).toEqual(['default']);
      let back = await categorize(handler, fx.member, ids);
      // The pool notices its connection is gone on first use after the restart at the latest.
      if (back.status === 503) back = await categorize(handler, fx.member, ids);
      expect(back.status).toBe(200);
      expect(await sources(ids)).not.toContain('default');
      expect((await sources([before]))[0]).not.toBe('default');
      expect(await totalsDrift(db)).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});
