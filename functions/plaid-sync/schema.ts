/**
 * Request shapes of `plaid-sync` (application/json):
 * - `{ action: 'exchange', space_id, public_token }`: Plaid Link's public token,
 *   exchanged for the item's access token (stored encrypted);
 * - `{ action: 'sync', space_id, item_id? }`: walks /transactions/sync for the
 *   item named, or for every item the space linked.
 */
import { z } from 'zod';

const Id = z.guid({ error: 'must be a uuid' });

export const PlaidSyncRequest = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('exchange'),
    space_id: Id,
    public_token: z.string().trim().min(1).max(500),
  }),
  z.strictObject({
    action: z.literal('sync'),
    space_id: Id,
    item_id: z.string().trim().min(1).max(200).optional(),
  }),
]);

export type PlaidSyncRequest = z.output<typeof PlaidSyncRequest>;
