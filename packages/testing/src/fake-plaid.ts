/**
 * A local stand-in for Plaid's API on 127.0.0.1, for the official `plaid`
 * client (basePath pointed here):
 *
 * - every request must carry the client id and secret, as headers
 *   (PLAID-CLIENT-ID, PLAID-SECRET) or in the body (client_id, secret), else
 *   400 INVALID_API_KEYS, as Plaid answers;
 * - POST /item/public_token/exchange: a scripted public token, once (a second
 *   exchange of the same token is INVALID_PUBLIC_TOKEN);
 * - POST /item/get: the item and its institution;
 * - POST /transactions/sync: per access token, a scripted sequence of steps
 *   keyed by the request's cursor (`''` for a first sync without one). The
 *   first step for that cursor with uses left answers: a page, or an error such
 *   as TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION (once) or
 *   ITEM_LOGIN_REQUIRED. A cursor with no step left answers an empty page that
 *   ends the walk where it is (nothing new), as Plaid does.
 *
 * Every request is recorded (path, headers, body).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakePlaidItem {
  readonly publicToken: string;
  readonly accessToken: string;
  readonly itemId: string;
  readonly institutionId?: string;
  readonly institutionName?: string;
}

/** A Plaid transaction as /transactions/sync lists it (the fields the import reads). */
export interface FakePlaidTransaction {
  transaction_id: string;
  account_id: string;
  amount: number;
  iso_currency_code: string;
  date: string;
  name: string;
  merchant_name?: string | null;
  pending?: boolean;
  pending_transaction_id?: string | null;
  personal_finance_category?: { primary: string; detailed: string } | null;
  [field: string]: unknown;
}

export interface FakeSyncPage {
  readonly added?: readonly FakePlaidTransaction[];
  readonly modified?: readonly FakePlaidTransaction[];
  readonly removed?: ReadonlyArray<{ transaction_id: string; account_id?: string }>;
  readonly next_cursor: string;
  readonly has_more: boolean;
}

export interface FakePlaidError {
  readonly error: string;
  /** Plaid's error_type for the code (default: ITEM_ERROR for ITEM_*, TRANSACTIONS_ERROR otherwise). */
  readonly errorType?: string;
  readonly status?: number;
}

export interface FakeSyncStep {
  /** The cursor of the request this step answers ('' = no cursor: the item's first sync). */
  readonly cursor: string;
  readonly reply: FakeSyncPage | FakePlaidError;
  /** How many requests it answers; default unlimited. */
  readonly times?: number;
}

export interface FakePlaidRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}

export interface FakePlaidOptions {
  readonly clientId: string;
  readonly secret: string;
  readonly items: readonly FakePlaidItem[];
  /** Accounts listed on every sync page, the same for every item. */
  readonly accounts?: readonly Record<string, unknown>[];
}

/** A depository account as Plaid lists it. */
export function fakePlaidAccount(accountId: string, name = 'Plaid Checking', currency = 'USD'): Record<string, unknown> {
  return {
    account_id: accountId,
    name,
    official_name: `${name} Account`,
    mask: '0000',
    type: 'depository',
    subtype: 'checking',
    balances: { current: 1200.5, available: 1100.5, limit: null, iso_currency_code: currency, unofficial_currency_code: null },
  };
}

/** A Plaid transaction (positive amount = money out), with a personal finance category. */
export function fakePlaidTransaction(
  id: string,
  amount: number,
  name: string,
  fields: Partial<FakePlaidTransaction> = {},
): FakePlaidTransaction {
  return {
    transaction_id: id,
    account_id: 'acc-checking',
    amount,
    iso_currency_code: 'USD',
    date: '2025-10-02',
    name,
    merchant_name: null,
    pending: false,
    pending_transaction_id: null,
    personal_finance_category: null,
    ...fields,
  };
}

let requestCounter = 0;
const requestId = () => `fake-req-${++requestCounter}`;

function errorBody(code: string, errorType: string, message: string) {
  return { error_type: errorType, error_code: code, error_message: message, display_message: null, request_id: requestId() };
}

export async function startFakePlaid(options: FakePlaidOptions) {
  const requests: FakePlaidRequest[] = [];
  const exchanged = new Set<string>();
  const scripts = new Map<string, Array<{ step: FakeSyncStep; used: number }>>();
  const accounts = options.accounts ?? [fakePlaidAccount('acc-checking')];

  const byAccessToken = (token: unknown) => options.items.find((item) => item.accessToken === token);

  function answer(path: string, headers: IncomingMessage['headers'], body: Record<string, unknown>): { status: number; body: unknown } {
    const clientId = headers['plaid-client-id'] ?? body['client_id'];
    const secret = headers['plaid-secret'] ?? body['secret'];
    if (clientId !== options.clientId || secret !== options.secret) {
      return { status: 400, body: errorBody('INVALID_API_KEYS', 'INVALID_INPUT', 'invalid client_id or secret provided') };
    }
    switch (path) {
      case '/item/public_token/exchange': {
        const item = options.items.find((i) => i.publicToken === body['public_token']);
        if (item === undefined || exchanged.has(item.publicToken)) {
          return { status: 400, body: errorBody('INVALID_PUBLIC_TOKEN', 'INVALID_INPUT', 'provided public token is expired or invalid') };
        }
        exchanged.add(item.publicToken);
        return { status: 200, body: { access_token: item.accessToken, item_id: item.itemId, request_id: requestId() } };
      }
      case '/item/get': {
        const item = byAccessToken(body['access_token']);
        if (item === undefined)
          return { status: 400, body: errorBody('INVALID_ACCESS_TOKEN', 'INVALID_INPUT', 'provided access token is invalid') };
        return {
          status: 200,
          body: {
            item: {
              item_id: item.itemId,
              institution_id: item.institutionId ?? null,
              institution_name: item.institutionName ?? null,
              available_products: [],
              billed_products: ['transactions'],
              products: ['transactions'],
              webhook: null,
              error: null,
              consent_expiration_time: null,
              update_type: 'background',
            },
            status: null,
            request_id: requestId(),
          },
        };
      }
      case '/transactions/sync': {
        const item = byAccessToken(body['access_token']);
        if (item === undefined)
          return { status: 400, body: errorBody('INVALID_ACCESS_TOKEN', 'INVALID_INPUT', 'provided access token is invalid') };
        const cursor = typeof body['cursor'] === 'string' ? body['cursor'] : '';
        const entry = (scripts.get(item.accessToken) ?? []).find(
          (e) => e.step.cursor === cursor && (e.step.times === undefined || e.used < e.step.times),
        );
        const reply: FakeSyncPage | FakePlaidError = entry?.step.reply ?? { next_cursor: cursor, has_more: false };
        if (entry !== undefined) entry.used += 1;
        if ('error' in reply) {
          const type = reply.errorType ?? (reply.error.startsWith('ITEM_') ? 'ITEM_ERROR' : 'TRANSACTIONS_ERROR');
          return { status: reply.status ?? 400, body: errorBody(reply.error, type, `fake Plaid answers ${reply.error}`) };
        }
        return {
          status: 200,
          body: {
            accounts,
            added: reply.added ?? [],
            modified: reply.modified ?? [],
            removed: reply.removed ?? [],
            next_cursor: reply.next_cursor,
            has_more: reply.has_more,
            transactions_update_status: 'HISTORICAL_UPDATE_COMPLETE',
            request_id: requestId(),
          },
        };
      }
      default:
        return { status: 404, body: errorBody('NOT_FOUND', 'INVALID_REQUEST', `no route ${path}`) };
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        // recorded as empty
      }
      const path = req.url?.split('?')[0] ?? '/';
      requests.push({ path, headers: req.headers, body });
      const reply =
        req.method === 'POST'
          ? answer(path, req.headers, body)
          : { status: 405, body: errorBody('METHOD', 'INVALID_REQUEST', 'POST only') };
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** The /transactions/sync steps of an access token, replacing any before. */
    script(accessToken: string, steps: readonly FakeSyncStep[]) {
      scripts.set(
        accessToken,
        steps.map((step) => ({ step, used: 0 })),
      );
    },
    /** /transactions/sync requests for an access token, with the cursor each asked from ('' for none). */
    syncCursors(accessToken: string): string[] {
      return requests
        .filter((r) => r.path === '/transactions/sync' && r.body['access_token'] === accessToken)
        .map((r) => (typeof r.body['cursor'] === 'string' ? r.body['cursor'] : ''));
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakePlaid = Awaited<ReturnType<typeof startFakePlaid>>;
