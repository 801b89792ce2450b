/**
 * A Plaid /transactions/sync walk reduced to what it changes, independent of
 * the order of its entries across pages: the latest version of every added or
 * modified transaction, the removals, and the pending → posted links.
 *
 * - A posted line naming a pending one (`pending_transaction_id`) replaces it:
 *   the pending id's removal is consumed by the link, so whatever people
 *   changed on the expense survives (the service updates that row in place).
 * - A pending line added and replaced (or removed) within the same walk never
 *   reaches the database.
 * - The same transaction listed twice in `added` is a duplicate entry; the
 *   later version wins (as `modified` does).
 */
import type { ImportLine, PlaidWalk, RemovedLine } from './types.ts';

export interface NetWalk {
  /** Latest version per transaction id, in first-seen order. */
  readonly upserts: readonly ImportLine[];
  /** Removals not consumed by a link or cancelled within the walk. */
  readonly removed: readonly RemovedLine[];
  /** Rows of entries superseded within the walk (a later version or a link won), with why. */
  readonly superseded: ReadonlyArray<{ readonly row: number; readonly providerId: string; readonly reason: 'duplicate' | 'replaced' }>;
  /** Removals of pending ids a posted line of the walk replaces: the link does them. */
  readonly linkedRemovals: readonly RemovedLine[];
}

export function netWalk(walk: PlaidWalk): NetWalk {
  const latest = new Map<string, ImportLine>();
  const superseded: Array<NetWalk['superseded'][number]> = [];
  for (const line of [...walk.added, ...walk.modified].sort((a, b) => a.row - b.row)) {
    const id = line.providerId;
    if (id === null) continue;
    const earlier = latest.get(id);
    if (earlier !== undefined) {
      superseded.push({ row: earlier.row, providerId: id, reason: 'duplicate' });
      latest.delete(id);
    }
    latest.set(id, line);
  }
  const removedIds = new Map(walk.removed.map((entry) => [entry.providerId, entry]));
  // Pending ids a posted line of this walk replaces: their removal is the link's.
  const linked = new Set<string>();
  for (const line of latest.values()) {
    if (!line.pending && line.pendingTransactionId) linked.add(line.pendingTransactionId);
  }
  const upserts: ImportLine[] = [];
  for (const line of latest.values()) {
    const id = line.providerId!;
    // A pending line replaced by its posted copy in this very walk, or added then removed.
    if (linked.has(id) && line.pending) {
      superseded.push({ row: line.row, providerId: id, reason: 'replaced' });
      continue;
    }
    if (removedIds.has(id) && !linked.has(id)) {
      superseded.push({ row: line.row, providerId: id, reason: 'replaced' });
      continue;
    }
    upserts.push(line);
  }
  const removed = walk.removed.filter((entry) => !linked.has(entry.providerId));
  const linkedRemovals = walk.removed.filter((entry) => linked.has(entry.providerId));
  return { upserts, removed, superseded, linkedRemovals };
}
