/**
 * import-transactions through HTTP: the handler served on loopback, called
 * with real multipart uploads and JSON bodies, against the served test database.
 */
import {
  spaceWithEveryRole,
  type SpaceWithEveryRole,
  TEST_JWT_SECRET,
  type TestUser,
  tokenFor,
  useServedTestDatabase,
} from '@wallai/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJwtVerifier } from '../_shared/auth.ts';
import { createDb, type Db } from '../_shared/db.ts';
import { createHandler, type ImportDeps, type StoreFile } from '../import-transactions/handler.ts';
import { serveOnLoopback, type Served } from './support/serve.ts';

const served = useServedTestDatabase();
let pool: Db;
let fx: SpaceWithEveryRole;
const stored: Array<{ key: string; bytes: number; contentType: string }> = [];
let storeFails = false;

const store: StoreFile = async (key, bytes, contentType) => {
  if (storeFails) throw new Error('storage answered 503');
  stored.push({ key, bytes: bytes.length, contentType });
};

/** The handler behind a real HTTP server on 127.0.0.1, as the gateway would put it. */
function serve(overrides: Partial<ImportDeps> = {}): Promise<Served> {
  const handler = createHandler({
    db: pool,
    verifyToken: createJwtVerifier({ secret: TEST_JWT_SECRET }),
    storeFile: store,
    log: () => {},
    ...overrides,
  });
  return serveOnLoopback('import-transactions', handler);
}

interface Report {
  status: string;
  import_id: string | null;
  dry_run: boolean;
  counts: Record<string, number>;
  errors: Array<Record<string, unknown>>;
  detection: Record<string, unknown>;
  rows: Array<Record<string, unknown>>;
}

let http: Served;

beforeAll(async () => {
  pool = createDb(served().url, { max: 2 });
  http = await serve();
});

beforeEach(async () => {
  fx = await spaceWithEveryRole(served().db);
  stored.length = 0;
  storeFails = false;
});

afterAll(async () => {
  await http?.close();
  await pool?.close();
});

const CSV = [
  'Date,Description,Amount',
  '2025-10-02,WHOLE FOODS MARKET #123,-45.23',
  '2025-10-01,ACME CORP PAYROLL,2500.00',
  '2025-10-03,UBER *TRIP HELP.UBER.COM,-12.50',
  '2025-10-03,UBER *TRIP HELP.UBER.COM,-12.50',
  '2025-02-30,BAD DATE LINE,-1.00',
].join('\n');

async function upload(
  as: TestUser | null,
  fields: Record<string, string>,
  file: { name: string; content: string | Uint8Array; type?: string } = { name: 'statement.csv', content: CSV, type: 'text/csv' },
  url = http.url,
): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  form.set('file', new Blob([file.content], { type: file.type ?? 'application/octet-stream' }), file.name);
  return fetch(url, { method: 'POST', body: form, headers: as === null ? {} : { authorization: `Bearer ${await tokenFor(as.actor)}` } });
}

async function uploadWithKey(as: TestUser, key: string, fields: Record<string, string>, content = CSV): Promise<Response> {
  // A new FormData each time, as a retrying client builds it: a new random boundary, the same request.
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  form.set('file', new Blob([content], { type: 'text/csv' }), 'statement.csv');
  return fetch(http.url, {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${await tokenFor(as.actor)}`, 'Idempotency-Key': key },
  });
}

async function postJson(as: TestUser, body: unknown): Promise<Response> {
  return fetch(http.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(as.actor)}` },
    body: JSON.stringify(body),
  });
}

async function countIn(table: string): Promise<number> {
  const [row] = await served().db.query<{ n: number }>(`select count(*)::int as n from ${table} where space_id = $1`, [fx.space.id]);
  return row!.n;
}

describe('import-transactions over HTTP', () => {
  it('a member uploads a CSV: the report counts every row, names the bad one with its code, and the original is stored', async () => {
    const res = await upload(fx.member, { space_id: fx.space.id });
    const report = (await res.json()) as Report;
    expect(res.status, JSON.stringify(report)).toBe(200);
    expect(report).toMatchObject({ status: 'completed', counts: { rows: 5, added: 4, invalid: 1, duplicates: 0 } });
    expect(report.errors).toContainEqual(expect.objectContaining({ code: 'invalid_calendar_date', row: 6, severity: 'error' }));
    expect(report.detection).toHaveProperty('dateFormat');
    expect(await countIn('public.bank_transactions')).toBe(4);
    expect(await countIn('public.expenses')).toBe(3);
    expect(stored).toEqual([{ key: `${fx.space.id}/${report.import_id}/statement.csv`, bytes: CSV.length, contentType: 'text/csv' }]);
    const [row] = await served().db.query<{ storage_key: string; status: string }>(
      `select storage_key, status from public.imports where id = $1`,
      [report.import_id],
    );
    expect(row).toEqual({ storage_key: stored[0]!.key, status: 'completed' });
  });

  it('the same upload again changes nothing', async () => {
    await upload(fx.member, { space_id: fx.space.id });
    const again = (await (await upload(fx.member, { space_id: fx.space.id })).json()) as Report;
    expect(again.counts).toMatchObject({ added: 0, unchanged: 4, invalid: 1 });
    expect(await countIn('public.bank_transactions')).toBe(4);
  });

  it('dry_run answers the report and writes nothing', async () => {
    const res = await upload(fx.member, { space_id: fx.space.id, dry_run: 'true' });
    const report = (await res.json()) as Report;
    expect(res.status).toBe(200);
    expect(report).toMatchObject({ dry_run: true, import_id: null, counts: { added: 4 } });
    expect(await countIn('public.imports')).toBe(0);
    expect(await countIn('public.bank_transactions')).toBe(0);
    expect(stored).toEqual([]);
  });

  it('takes Plaid /transactions/sync pages as JSON', async () => {
    const account = {
      account_id: 'plaid-acc-1',
      name: 'Checking',
      mask: '0000',
      type: 'depository',
      subtype: 'checking',
      balances: { current: 110, available: 100, limit: null, iso_currency_code: 'USD', unofficial_currency_code: null },
    };
    const txn = (id: string, amount: number, name: string) => ({
      transaction_id: id,
      account_id: 'plaid-acc-1',
      amount,
      iso_currency_code: 'USD',
      unofficial_currency_code: null,
      date: '2025-10-05',
      authorized_date: '2025-10-04',
      name,
      merchant_name: name,
      pending: false,
      pending_transaction_id: null,
      personal_finance_category: { primary: 'FOOD_AND_DRINK', detailed: 'FOOD_AND_DRINK_COFFEE' },
    });
    const pages = [
      {
        accounts: [account],
        added: [txn('p-1', 4.5, 'Starbucks')],
        modified: [],
        removed: [],
        next_cursor: 'c1',
        has_more: false,
        request_id: 'r1',
      },
    ];
    const res = await postJson(fx.member, { space_id: fx.space.id, pages });
    const report = (await res.json()) as Report;
    expect(res.status, JSON.stringify(report)).toBe(200);
    expect(report).toMatchObject({ format: 'plaid', counts: { added: 1 }, rows: [{ match: 'new', action: 'added', kind: 'spending' }] });
  });

  it('a file that is no bank format is 422 with the reason, recorded as a failed import', async () => {
    const res = await upload(
      fx.member,
      { space_id: fx.space.id },
      { name: 'photo.jpg', content: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70]) },
    );
    const body = (await res.json()) as { error: { code: string; details: Report } };
    expect(res.status).toBe(422);
    expect(body.error.code).toBe('unreadable_file');
    const [row] = await served().db.query<{ status: string; file_type: string | null }>(
      `select status, file_type from public.imports where space_id = $1`,
      [fx.space.id],
    );
    expect(row).toEqual({ status: 'failed', file_type: null });
    expect(await countIn('public.bank_transactions')).toBe(0);
  });

  it('a body over the limit is 413 and nothing is written', async () => {
    const small = await serve({ maxBodyBytes: 2048 });
    try {
      const res = await upload(
        fx.member,
        { space_id: fx.space.id },
        { name: 'big.csv', content: `${CSV}\n${'2025-10-04,FILLER,-1.00\n'.repeat(200)}` },
        small.url,
      );
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    } finally {
      await small.close();
    }
    expect(await countIn('public.imports')).toBe(0);
  });

  it('a viewer is 403, an outsider 404, no token 401; nothing is written', async () => {
    expect((await upload(fx.viewer, { space_id: fx.space.id })).status).toBe(403);
    expect((await upload(fx.outsider, { space_id: fx.space.id })).status).toBe(404);
    expect((await upload(null, { space_id: fx.space.id })).status).toBe(401);
    expect(await countIn('public.imports')).toBe(0);
  });

  it('a retried upload with the same Idempotency-Key is answered the first report again and applied once', async () => {
    const first = await uploadWithKey(fx.member, 'import-oct-1', { space_id: fx.space.id });
    const firstReport = (await first.json()) as Report;
    expect(first.status).toBe(200);
    const retry = await uploadWithKey(fx.member, 'import-oct-1', { space_id: fx.space.id });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotency-replayed')).toBe('true');
    expect(((await retry.json()) as Report).import_id).toBe(firstReport.import_id);
    // One import, one set of lines, one original: the retry did no work.
    expect(await countIn('public.imports')).toBe(1);
    expect(await countIn('public.bank_transactions')).toBe(4);
    expect(stored).toHaveLength(1);
    // The same key for another file is refused; another key runs.
    const other = await uploadWithKey(fx.member, 'import-oct-1', { space_id: fx.space.id }, `${CSV}\n2025-10-07,EXTRA LINE,-3.00`);
    expect(other.status).toBe(422);
    expect(((await other.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe('idempotency_key_reused');
    expect(await countIn('public.imports')).toBe(1);
  });

  it('a refused import frees its key: the retry runs afresh (refused again), nothing written', async () => {
    expect((await uploadWithKey(fx.viewer, 'k-viewer', { space_id: fx.space.id })).status).toBe(403);
    expect((await uploadWithKey(fx.viewer, 'k-viewer', { space_id: fx.space.id })).status).toBe(403);
    expect(await countIn('public.imports')).toBe(0);
  });

  it('when the original cannot be stored, the import still completes and says so', async () => {
    storeFails = true;
    const report = (await (await upload(fx.member, { space_id: fx.space.id })).json()) as Report;
    expect(report.status).toBe('completed');
    expect(report.errors).toContainEqual(expect.objectContaining({ code: 'original_not_stored', severity: 'warning' }));
  });
});
