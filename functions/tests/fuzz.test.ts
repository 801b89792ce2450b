/**
 * Fuzzing the edge functions: hostile bodies, headers, methods and query
 * strings against each handler, as members of every role, outsiders and
 * strangers. Whatever arrives, the answer is never a 5xx, a refusal carries a
 * documented status and code, and a refused request leaves every table exactly
 * as it was (a digest of all of them is compared).
 *
 * Seeded and bounded (FUZZ_RUNS per property, default 15 in CI); `npm run fuzz`
 * runs longer. A failure prints its seed: FUZZ_SEED=<seed> replays it.
 */
import { randomUUID } from 'node:crypto';
import {
  anonKey,
  createExpense,
  createSpace,
  createUser,
  spaceWithEveryRole,
  type SpaceWithEveryRole,
  TEST_JWT_SECRET,
  tokenFor,
  useServedTestDatabase,
} from '@wallai/testing';
import { createTokenCipher, PlaidApiError, type PlaidApi } from '@wallai/bank-import/plaid-sync';
import { fuzzParameters, hostileHeaderValue, hostileString, mutatedBody, rawBodies, tableDigest } from '@wallai/testing/fuzz';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler as createChatHandler } from '../ai-chat/handler.ts';
import { createHandler as createCategorizeHandler } from '../categorize-expense/handler.ts';
import { createHandler as createPlaidSyncHandler } from '../plaid-sync/handler.ts';
import { createJwtVerifier } from '../_shared/auth.ts';
import { createDb, type Db } from '../_shared/db.ts';

const served = useServedTestDatabase();
let pool: Db;
let fx: SpaceWithEveryRole;
let expenseId: string;
let foreignSpaceId: string;
let foreignExpenseId: string;
let tokens: string[];

/** The statuses the functions document for a refusal (functions/README.md). */
const DOCUMENTED_REFUSALS = new Set([400, 401, 403, 404, 405, 409, 413, 415, 422, 429]);

type Handler = (req: Request) => Promise<Response>;

const quiet = () => {};
/** Plaid as the fuzzer meets it: every public token refused (422), and no item to sync in the fixture's space. */
const refusingPlaid: PlaidApi = {
  exchangePublicToken: () =>
    Promise.reject(new PlaidApiError(400, 'INVALID_INPUT', 'INVALID_PUBLIC_TOKEN', 'provided public token is expired or invalid')),
  getItem: () => Promise.resolve({ institutionId: null, institutionName: null }),
  syncPage: () => Promise.resolve({ accounts: [], added: [], modified: [], removed: [], next_cursor: '', has_more: false }),
};
const handlers: Record<string, () => Handler> = {
  'categorize-expense': () =>
    createCategorizeHandler({ db: pool, verifyToken: createJwtVerifier({ secret: TEST_JWT_SECRET }), ai: null, log: quiet }),
  'ai-chat': () => createChatHandler({ db: pool, verifyToken: createJwtVerifier({ secret: TEST_JWT_SECRET }), model: null, log: quiet }),
  'plaid-sync': () =>
    createPlaidSyncHandler({
      db: pool,
      verifyToken: createJwtVerifier({ secret: TEST_JWT_SECRET }),
      plaid: refusingPlaid,
      cipher: createTokenCipher(new Uint8Array(32)),
      log: quiet,
    }),
};

/** Valid bodies of each function, the starting points of the mutations. */
const validBodies = (): Record<string, Record<string, unknown>[]> => ({
  'categorize-expense': [
    { expense_id: expenseId },
    { expense_ids: [expenseId] },
    { space_id: fx.space.id, description: 'MERCADONA MADRID', amount: 12.5 },
  ],
  'ai-chat': [
    { space_id: fx.space.id, message: 'How much did we spend this month?' },
    { space_id: fx.space.id, message: 'Who owes whom?', stream: false },
  ],
  'plaid-sync': [
    { action: 'sync', space_id: fx.space.id },
    { action: 'sync', space_id: fx.space.id, item_id: 'item-unknown' },
    { action: 'exchange', space_id: fx.space.id, public_token: 'public-sandbox-refused' },
  ],
});

beforeAll(async () => {
  pool = createDb(served().url, { max: 2 });
  fx = await spaceWithEveryRole(served().db);
  expenseId = (await createExpense(served().db, fx.space, { amount: '12.50', description: 'MERCADONA', category: 'other' })).id;
  const foreign = await createSpace(served().db);
  foreignSpaceId = foreign.id;
  foreignExpenseId = (await createExpense(served().db, foreign, { amount: '99.00', description: 'Elsewhere' })).id;
  const outsider = await createUser(served().db);
  tokens = [
    await tokenFor(fx.member.actor),
    await tokenFor(fx.owner.actor),
    await tokenFor(fx.viewer.actor),
    await tokenFor(outsider.actor),
    await anonKey(),
  ];
});

afterAll(async () => {
  await pool?.close();
});

/** Ids a request may name that it has no business with. */
const otherIds = () => fc.constantFrom(foreignSpaceId, foreignExpenseId, randomUUID(), '00000000-0000-0000-0000-000000000000');

const authorization = () =>
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...tokens).map((t) => `Bearer ${t}`) }, { weight: 1, arbitrary: hostileHeaderValue });

/** Lone surrogates replaced by U+FFFD (String.prototype.toWellFormed, which ES2023 lacks). */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

interface Probe {
  method: string;
  query: string;
  headers: Record<string, string>;
  body: Uint8Array | string | null;
}

function probes(name: string): fc.Arbitrary<Probe> {
  const jsonBody = fc
    .constantFrom(...validBodies()[name]!)
    .chain((valid) => mutatedBody(valid, otherIds()))
    .map((value) => {
      try {
        return JSON.stringify(value) ?? 'null';
      } catch {
        return '[]';
      }
    });
  const body = fc.oneof(
    { weight: 5, arbitrary: jsonBody },
    { weight: 2, arbitrary: rawBodies },
    { weight: 1, arbitrary: fc.constant(null) },
  );
  const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-16', 'text/plain', 'multipart/form-data', '');
  return fc.record({
    method: fc.oneof(
      { weight: 8, arbitrary: fc.constant('POST') },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS') },
    ),
    query: fc.oneof(
      fc.constant(''),
      // Well-formed first: a lone surrogate cannot be percent-encoded (the generator, not the function, would throw).
      hostileString.map((s) => `?q=${encodeURIComponent(wellFormed(s.slice(0, 2_000)))}`),
    ),
    headers: fc.record({ authorization: authorization(), 'content-type': contentType }),
    body,
  });
}

async function send(handler: Handler, name: string, probe: Probe): Promise<{ status: number; text: string }> {
  const canHaveBody = probe.method !== 'GET' && probe.method !== 'OPTIONS';
  const headers = Object.fromEntries(Object.entries(probe.headers).filter(([, v]) => v !== ''));
  const res = await handler(
    new Request(`http://127.0.0.1:54321/functions/v1/${name}${probe.query}`, {
      method: probe.method,
      headers,
      ...(canHaveBody && probe.body !== null ? { body: probe.body } : {}),
    }),
  );
  return { status: res.status, text: await res.text() };
}

describe.each(Object.keys(handlers))('%s under fuzzing', (name) => {
  it('never answers 5xx; every refusal has a documented status and code and writes nothing', async () => {
    const handler = handlers[name]!();
    await fc.assert(
      fc.asyncProperty(probes(name), async (probe) => {
        const before = await tableDigest(served().db);
        const { status, text } = await send(handler, name, probe);
        expect(status, text.slice(0, 300)).toBeLessThan(500);
        if (status >= 300) {
          expect(DOCUMENTED_REFUSALS.has(status), `status ${status}: ${text.slice(0, 300)}`).toBe(true);
          const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
          expect(typeof parsed.error?.code).toBe('string');
          expect(typeof parsed.error?.message).toBe('string');
          expect(await tableDigest(served().db)).toEqual(before);
        }
      }),
      fuzzParameters(),
    );
  });
});
