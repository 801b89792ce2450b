/**
 * Live Plaid sync of a space: linking an item (public token exchange, the
 * access token stored encrypted) and walking /transactions/sync from the
 * item's stored cursor, each complete walk applied through the import service
 * (source plaid_sync) with its cursor stored in the same transaction.
 *
 * The Plaid API comes in as a small interface (`PlaidApi`), so this runs in
 * Node and Deno against the official client or anything else; the plaid-sync
 * function wires the official `plaid` client. Two transaction runners: as the
 * person (what they may see and write: RLS decides, and the walk is applied as
 * them) and as the service role, only for what no client role may touch (the
 * encrypted token, the item's status after a Plaid error).
 *
 * - A walk is fetched whole before anything is written: pages until
 *   `has_more: false`. TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION throws the
 *   pages of the interrupted walk away and starts again from the original
 *   cursor (up to MAX_WALK_RESTARTS times), so nothing of it is kept.
 * - The walk's next_cursor is stored by public.record_plaid_sync inside the
 *   applying transaction, only if the item still has the walk's starting
 *   cursor: the cursor commits with the walk's lines or not at all, and two
 *   syncs racing on one item apply it once (the later one is a conflict).
 * - A replay from the same cursor finds every line it already brought
 *   (provider ids): nothing changes.
 * - ITEM_LOGIN_REQUIRED marks the item `login_required`; other item errors
 *   `error`; every Plaid error is recorded as the item's last error.
 */
import { parseBankFile } from '@wallai/bank-formats';
import { fromParsed } from './from-parsed.ts';
import { issue } from './issues.ts';
import { applyImport, checkSpace, type Query, type Transact } from './service.ts';
import type { ImportReport } from './types.ts';
import type { TokenCipher } from './token-cipher.ts';

export { createTokenCipher, TOKEN_KEY_BYTES, type TokenCipher } from './token-cipher.ts';

/** A Plaid error answer (or a failure to reach Plaid: status null, type API_ERROR). */
export class PlaidApiError extends Error {
  override name = 'PlaidApiError';
  constructor(
    /** The HTTP status Plaid answered; null when it could not be reached. */
    readonly status: number | null,
    readonly errorType: string,
    readonly errorCode: string,
    message: string,
    readonly requestId: string | null = null,
  ) {
    super(message);
  }

  /** Worth retrying later as it is: Plaid or the institution is down or busy. */
  get transient(): boolean {
    return (
      this.status === null ||
      this.status >= 500 ||
      this.status === 429 ||
      ['API_ERROR', 'INSTITUTION_ERROR', 'RATE_LIMIT_EXCEEDED'].includes(this.errorType) ||
      this.errorCode === MUTATION_DURING_PAGINATION
    );
  }
}

export const MUTATION_DURING_PAGINATION = 'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION';
export const ITEM_LOGIN_REQUIRED = 'ITEM_LOGIN_REQUIRED';
/** Restarts of one walk after TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION before the sync gives up (answered as transient). */
export const MAX_WALK_RESTARTS = 3;
/** Pages of one walk (500 transactions each): beyond, the walk is refused rather than held in memory. */
export const MAX_WALK_PAGES = 200;

/** What the sync needs of Plaid's API. Errors are thrown as PlaidApiError. */
export interface PlaidApi {
  /** /item/public_token/exchange. */
  exchangePublicToken(publicToken: string): Promise<{ accessToken: string; itemId: string }>;
  /** /item/get: the item's institution. */
  getItem(accessToken: string): Promise<{ institutionId: string | null; institutionName: string | null }>;
  /** /transactions/sync: one page from the cursor (null: the item's first sync), the response body as Plaid sent it. */
  syncPage(accessToken: string, cursor: string | null): Promise<Record<string, unknown>>;
}

export interface PlaidSyncDeps {
  /** One transaction as the signed-in person per call. */
  readonly asUser: Transact;
  /** One transaction as the service role: the token and the item's status only. */
  readonly asService: Transact;
  readonly plaid: PlaidApi;
  readonly cipher: TokenCipher;
  /** The signed-in person (who links the item). */
  readonly userId: string;
}

/** An item as members see it (never the token). */
export interface PlaidItem extends Record<string, unknown> {
  id: string;
  space_id: string;
  item_id: string;
  institution_id: string | null;
  institution_name: string | null;
  linked_by: string | null;
  status: 'active' | 'login_required' | 'error';
  last_synced_at: string | null;
  last_error_code: string | null;
  last_error: string | null;
}

const ITEM_COLUMNS = `id, space_id, item_id, institution_id, institution_name, linked_by, status, last_synced_at, last_error_code, last_error`;

/** The sync refused before anything was fetched: no such item in the space (the space itself: ImportRefused). */
export class PlaidItemNotFound extends Error {
  override name = 'PlaidItemNotFound';
}

const associatedData = (spaceId: string, itemId: string) => `${spaceId}:${itemId}`;

/**
 * The exchange step: a member, admin or owner of the space (checked as them,
 * ImportRefused otherwise) trades Plaid Link's public token for the item's
 * access token, stored encrypted beside the item. Linking the same item again
 * replaces its token and keeps its cursor.
 */
export async function linkItem(deps: PlaidSyncDeps, request: { spaceId: string; publicToken: string }): Promise<PlaidItem> {
  await deps.asUser((query) => checkSpace(query, request.spaceId));
  const { accessToken, itemId } = await deps.plaid.exchangePublicToken(request.publicToken);
  // The token is the item's only handle: a failing /item/get must not lose it (the name stays unknown).
  const institution = await deps.plaid.getItem(accessToken).catch(() => ({ institutionId: null, institutionName: null }));
  const ciphertext = await deps.cipher.encrypt(accessToken, associatedData(request.spaceId, itemId));
  // Service role: the token table has no client grants, and item and token are written together.
  return deps.asService(async (query) => {
    const [item] = await query<PlaidItem>(
      `insert into public.plaid_items (space_id, item_id, institution_id, institution_name, linked_by)
       values ($1::uuid, $2, $3, $4, $5::uuid)
       on conflict (space_id, item_id) do update
          set institution_id = coalesce(excluded.institution_id, plaid_items.institution_id),
              institution_name = coalesce(excluded.institution_name, plaid_items.institution_name),
              linked_by = excluded.linked_by
       returning ${ITEM_COLUMNS}`,
      [request.spaceId, itemId, institution.institutionId, institution.institutionName?.slice(0, 200) ?? null, deps.userId],
    );
    await query(
      `insert into private.plaid_item_tokens (plaid_item_id, access_token_ciphertext, key_version) values ($1::uuid, $2, $3)
       on conflict (plaid_item_id) do update
          set access_token_ciphertext = excluded.access_token_ciphertext, key_version = excluded.key_version`,
      [item!.id, ciphertext, deps.cipher.version],
    );
    return item!;
  });
}

/** What one item's sync came to. */
export type ItemSync =
  | { readonly item: PlaidItem; readonly outcome: 'synced'; readonly restarts: number; readonly report: ImportReport }
  /** Plaid answered an error (the item is marked); nothing was applied. */
  | { readonly item: PlaidItem; readonly outcome: 'plaid_error'; readonly error: PlaidApiError }
  /** Another sync of the item stored its cursor first: this walk was rolled back. */
  | { readonly item: PlaidItem; readonly outcome: 'conflict'; readonly report: ImportReport }
  /** The walk could not be applied (a database error): nothing of it kept, the imports row says why. */
  | { readonly item: PlaidItem; readonly outcome: 'failed'; readonly report: ImportReport };

/**
 * Syncs the space's items (or the one named), in turn, as the signed-in
 * person: members, admins and owners (ImportRefused otherwise; an item the
 * space does not have: PlaidItemNotFound).
 */
export async function syncItems(deps: PlaidSyncDeps, request: { spaceId: string; itemId?: string | null }): Promise<ItemSync[]> {
  const { currency, items } = await deps.asUser(async (query) => {
    await checkSpace(query, request.spaceId);
    const [space] = await query<{ currency: string }>(`select currency from public.spaces where id = $1::uuid`, [request.spaceId]);
    const found = await query<PlaidItem>(
      `select ${ITEM_COLUMNS} from public.plaid_items
        where space_id = $1::uuid and ($2::text is null or item_id = $2) order by created_at, id`,
      [request.spaceId, request.itemId ?? null],
    );
    return { currency: space!.currency, items: found };
  });
  if (request.itemId !== undefined && request.itemId !== null && items.length === 0)
    throw new PlaidItemNotFound(`the space has no linked item ${request.itemId}`);
  const results: ItemSync[] = [];
  for (const item of items) results.push(await syncItem(deps, item, currency));
  return results;
}

async function syncItem(deps: PlaidSyncDeps, item: PlaidItem, currency: string): Promise<ItemSync> {
  // Service role: only it may read the token (and the cursor is read with it, as the walk's starting point).
  const [secret] = await deps.asService((query) =>
    query<{ ciphertext: string; sync_cursor: string | null }>(
      `select t.access_token_ciphertext as ciphertext, i.sync_cursor
         from public.plaid_items i join private.plaid_item_tokens t on t.plaid_item_id = i.id
        where i.id = $1::uuid`,
      [item.id],
    ),
  );
  if (secret === undefined) throw new Error(`plaid item ${item.id} has no stored access token`);
  const accessToken = await deps.cipher.decrypt(secret.ciphertext, associatedData(item.space_id, item.item_id));
  const startCursor = secret.sync_cursor;

  let walk: { pages: Record<string, unknown>[]; restarts: number };
  try {
    walk = await fetchWalk(deps.plaid, accessToken, startCursor);
  } catch (error) {
    if (!(error instanceof PlaidApiError)) throw error;
    return { item: await markError(deps.asService, item, error), outcome: 'plaid_error', error };
  }

  const bytes = new TextEncoder().encode(JSON.stringify(walk.pages));
  const parsed = fromParsed(await parseBankFile(bytes, { format: 'plaid', defaultCurrency: currency }));
  const nextCursor = String(walk.pages.at(-1)!['next_cursor']);
  const restartIssues =
    walk.restarts === 0
      ? []
      : [
          issue(
            'interrupted_walk',
            `Plaid answered ${MUTATION_DURING_PAGINATION} ${walk.restarts} time(s): the walk restarted from its original cursor and kept nothing of the interrupted one`,
            { type: 'page', severity: 'warning', field: 'error_code', value: MUTATION_DURING_PAGINATION },
          ),
        ];
  let moved = false;
  const report = await applyImport(
    deps.asUser,
    {
      ...parsed,
      source: 'plaid_sync',
      walks: (parsed.walks ?? []).map((w) => ({ ...w, startCursor })),
      issues: [...parsed.issues, ...restartIssues],
    },
    {
      spaceId: item.space_id,
      fileName: `plaid-sync-${item.item_id}.json`,
      fileSize: bytes.length,
      beforeComplete: async (query: Query, applied) => {
        const [stored] = await query<{ ok: boolean }>(`select public.record_plaid_sync($1::uuid, $2::uuid, $3, $4) as ok`, [
          item.id,
          applied.import_id,
          startCursor,
          nextCursor,
        ]);
        if (stored?.ok !== true) {
          moved = true;
          throw new Error('another sync of this item stored its cursor first: this walk was not applied');
        }
      },
    },
  );
  if (moved) return { item, outcome: 'conflict', report };
  if (report.status !== 'completed') return { item, outcome: 'failed', report };
  const [after] = await deps.asUser((query) =>
    query<PlaidItem>(`select ${ITEM_COLUMNS} from public.plaid_items where id = $1::uuid`, [item.id]),
  );
  return { item: after ?? item, outcome: 'synced', restarts: walk.restarts, report };
}

/** Pages from the cursor until has_more is false; a mutation during pagination starts the walk again from the same cursor. */
async function fetchWalk(
  plaid: PlaidApi,
  accessToken: string,
  startCursor: string | null,
): Promise<{ pages: Record<string, unknown>[]; restarts: number }> {
  for (let restarts = 0; ; restarts++) {
    const pages: Record<string, unknown>[] = [];
    let cursor = startCursor;
    try {
      for (;;) {
        const page = await plaid.syncPage(accessToken, cursor);
        pages.push(page);
        if (page['has_more'] !== true) return { pages, restarts };
        if (pages.length >= MAX_WALK_PAGES) {
          throw new PlaidApiError(null, 'API_ERROR', 'WALK_TOO_LONG', `the walk is longer than ${MAX_WALK_PAGES} pages`);
        }
        cursor = String(page['next_cursor']);
      }
    } catch (error) {
      if (error instanceof PlaidApiError && error.errorCode === MUTATION_DURING_PAGINATION && restarts < MAX_WALK_RESTARTS) continue;
      throw error;
    }
  }
}

/** The item's last error, and its status when the error is the item's: login_required, or error. */
async function markError(asService: Transact, item: PlaidItem, error: PlaidApiError): Promise<PlaidItem> {
  const status = error.errorCode === ITEM_LOGIN_REQUIRED ? 'login_required' : error.errorType === 'ITEM_ERROR' ? 'error' : null;
  // Service role: the item's status is the backend's (no client write grant).
  const [marked] = await asService((query) =>
    query<PlaidItem>(
      `update public.plaid_items
          set status = coalesce($2, status), last_error_code = $3, last_error = $4, last_error_at = now()
        where id = $1::uuid
        returning ${ITEM_COLUMNS}`,
      [item.id, status, error.errorCode, error.message.slice(0, 1000)],
    ),
  );
  return marked ?? item;
}
