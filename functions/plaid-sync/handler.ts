/**
 * plaid-sync: live bank sync of a space through Plaid, as the signed-in person.
 * - `exchange`: Plaid Link's public token for the item's access token, stored
 *   AES-GCM-encrypted where only the service role reads it;
 * - `sync`: /transactions/sync walked from the item's stored cursor until
 *   has_more is false, applied through the shared import service (one
 *   transaction per walk, the cursor stored in it).
 * Without Plaid's settings it answers 503 plaid_not_configured. See
 * functions/README.md for the reference.
 */
import { ImportRefused } from '@wallai/bank-import/service';
import {
  createTokenCipher,
  ITEM_LOGIN_REQUIRED,
  linkItem,
  PlaidApiError,
  PlaidItemNotFound,
  syncItems,
  type ItemSync,
  type PlaidApi,
  type TokenCipher,
} from '@wallai/bank-import/plaid-sync';
import type { FunctionEnv } from '@wallai/function-env';
import { authenticateUser, createJwtVerifier, type VerifyToken } from '../_shared/auth.ts';
import { createDb, transactAsService, transactAsUser, type Db } from '../_shared/db.ts';
import { describeError, HttpError, jsonResponse, postHandler, readJsonBody } from '../_shared/http.ts';
import { withIdempotency } from '../_shared/idempotency.ts';
import { consoleLogger, type Logger } from '../_shared/log.ts';
import { createPlaidApi } from '../_shared/plaid.ts';
import { parseInput } from '../_shared/validation.ts';
import { PlaidSyncRequest } from './schema.ts';

export type { Logger };

export interface PlaidSyncHandlerDeps {
  readonly db: Db;
  readonly verifyToken: VerifyToken;
  /** The Plaid API and the token cipher; either null: Plaid is not configured (503). */
  readonly plaid: PlaidApi | null;
  readonly cipher: TokenCipher | null;
  /** Default 64 KiB. */
  readonly maxBodyBytes?: number;
  readonly log?: Logger;
}

/** Seconds a client is told to wait when Plaid or the bank is busy or down. */
export const PLAID_RETRY_AFTER_SECONDS = 30;

export function handlerFromEnv(env: FunctionEnv): (req: Request) => Promise<Response> {
  return createHandler({
    db: createDb(env.supabaseDbUrl, { origin: 'plaid-sync' }),
    verifyToken: createJwtVerifier({ secret: env.jwtSecret, jwksUrl: env.jwksUrl }),
    plaid: createPlaidApi(env.plaid),
    cipher: env.plaid === null ? null : createTokenCipher(env.plaid.tokenKey),
    maxBodyBytes: env.maxBodyBytes,
  });
}

export function createHandler(deps: PlaidSyncHandlerDeps): (req: Request) => Promise<Response> {
  const log = deps.log ?? consoleLogger('plaid-sync');
  const maxBytes = deps.maxBodyBytes ?? 64 * 1024;

  return postHandler(
    withIdempotency(
      async (req) => {
        const user = await authenticateUser(req, deps.verifyToken);
        const request = parseInput(PlaidSyncRequest, await readJsonBody(req, maxBytes));
        if (deps.plaid === null || deps.cipher === null) {
          throw new HttpError(
            503,
            'plaid_not_configured',
            'Bank sync is not configured here: PLAID_CLIENT_ID, PLAID_SECRET, PLAID_ENV and PLAID_TOKEN_KEY must all be set.',
          );
        }
        const service = {
          asUser: transactAsUser(deps.db, user.claims),
          // Service role: the encrypted token and the item's status after a Plaid error only (no client role may touch them).
          asService: transactAsService(deps.db),
          plaid: deps.plaid,
          cipher: deps.cipher,
          userId: user.id,
        };
        try {
          if (request.action === 'exchange') {
            const item = await linkItem(service, { spaceId: request.space_id, publicToken: request.public_token });
            log('info', 'item linked', { space_id: item.space_id, item_id: item.item_id });
            return jsonResponse({ item });
          }
          const results = await syncItems(service, { spaceId: request.space_id, itemId: request.item_id ?? null });
          const items = results.map(describeSync);
          const failed = results.find((r) => r.outcome !== 'synced');
          if (failed === undefined) return jsonResponse({ items });
          throw syncRefusal(failed, items, log);
        } catch (error) {
          throw refusalOf(error);
        }
      },
      { db: deps.db, functionName: 'plaid-sync', verifyToken: deps.verifyToken, maxBodyBytes: maxBytes },
    ),
    { report: (error) => log('error', 'unexpected error', { error: describeError(error) }) },
  );
}

/** One item's outcome as answered: the item (never its token), and the import report or Plaid's error. */
function describeSync(result: ItemSync): Record<string, unknown> {
  const base = { item: result.item, outcome: result.outcome };
  switch (result.outcome) {
    case 'synced':
      return { ...base, restarts: result.restarts, report: result.report };
    case 'plaid_error':
      return { ...base, error: plaidDetails(result.error) };
    default:
      return { ...base, report: result.report };
  }
}

const plaidDetails = (error: PlaidApiError) => ({
  status: error.status,
  error_type: error.errorType,
  error_code: error.errorCode,
  error_message: error.message,
  request_id: error.requestId,
});

/** The answer when an item did not sync: the first such item decides; every item's outcome is in details. */
function syncRefusal(failed: ItemSync, items: Record<string, unknown>[], log: Logger): HttpError {
  const details = { items };
  switch (failed.outcome) {
    case 'plaid_error':
      return plaidRefusal(failed.error, details);
    case 'conflict':
      return new HttpError(
        409,
        'conflict',
        'Another sync of this bank ran at the same time and was applied first; nothing of this one was kept.',
        {
          reason: 'sync_in_progress',
          ...details,
        },
      );
    default:
      log('error', 'sync failed', { item_id: failed.item.item_id, failure: failed.outcome === 'failed' ? failed.report.failure : null });
      return new HttpError(
        500,
        'import_failed',
        'The sync could not be applied and nothing of it was kept; the import row says why.',
        details,
      );
  }
}

function plaidRefusal(error: PlaidApiError, details: Record<string, unknown> = {}): HttpError {
  const plaid = plaidDetails(error);
  if (error.errorCode === ITEM_LOGIN_REQUIRED) {
    return new HttpError(
      409,
      'item_login_required',
      'The bank needs the person to sign in again: open Plaid Link in update mode for this item, then sync again.',
      { plaid, ...details },
    );
  }
  if (error.errorCode === 'INVALID_API_KEYS') {
    return new HttpError(503, 'plaid_not_configured', "Plaid refused this deployment's PLAID_CLIENT_ID / PLAID_SECRET.", {
      plaid,
      ...details,
    });
  }
  if (error.transient) {
    return new HttpError(
      503,
      'plaid_unavailable',
      'Plaid or the bank cannot answer right now; nothing was applied. Retry later.',
      { plaid, ...details },
      {
        'Retry-After': String(PLAID_RETRY_AFTER_SECONDS),
      },
    );
  }
  return new HttpError(422, 'plaid_rejected', `Plaid refused the request: ${error.errorCode}.`, { plaid, ...details });
}

function refusalOf(error: unknown): unknown {
  if (error instanceof ImportRefused) {
    return error.code === 'space_not_found'
      ? new HttpError(404, 'not_found', 'No such space, or you are not a member of it.')
      : new HttpError(403, 'forbidden', 'Only members, admins and owners of an active space can link and sync its banks.');
  }
  if (error instanceof PlaidItemNotFound) return new HttpError(404, 'not_found', error.message);
  if (error instanceof PlaidApiError) return plaidRefusal(error);
  return error;
}
