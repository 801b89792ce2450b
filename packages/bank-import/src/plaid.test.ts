import { describe, expect, it } from 'vitest';
import { plaidTxn, walk } from './fixtures.test-support.ts';
import { netWalk } from './plaid.ts';

describe('netWalk', () => {
  it('a posted line consumes the removal of the pending one it replaces, in whatever order they came', () => {
    const posted = plaidTxn('post', 1200, 'CAFE', { pendingTransactionId: 'pend', row: 9 });
    const net = netWalk(walk({ removed: [{ row: 1, providerId: 'pend' }], added: [posted] }));
    expect(net.upserts).toEqual([posted]);
    expect(net.removed).toEqual([]);
    expect(net.linkedRemovals).toEqual([{ row: 1, providerId: 'pend' }]);
  });

  it('a pending line replaced within the same walk never reaches the database', () => {
    const pending = plaidTxn('pend', 1000, 'CAFE', { pending: true, row: 1 });
    const posted = plaidTxn('post', 1200, 'CAFE', { pendingTransactionId: 'pend', row: 2 });
    const net = netWalk(walk({ added: [pending, posted], removed: [{ row: 3, providerId: 'pend' }] }));
    expect(net.upserts.map((l) => l.providerId)).toEqual(['post']);
    expect(net.superseded).toEqual([{ row: 1, providerId: 'pend', reason: 'replaced' }]);
  });

  it('the later version of a transaction wins; an earlier one is a duplicate entry', () => {
    const first = plaidTxn('t', 1000, 'SHOP', { row: 1 });
    const later = plaidTxn('t', 1100, 'SHOP', { row: 4 });
    const net = netWalk(walk({ added: [first], modified: [later] }));
    expect(net.upserts).toEqual([later]);
    expect(net.superseded).toEqual([{ row: 1, providerId: 't', reason: 'duplicate' }]);
  });

  it('a line modified then removed in the walk is removed', () => {
    const net = netWalk(walk({ modified: [plaidTxn('t', 1000, 'SHOP', { row: 1 })], removed: [{ row: 2, providerId: 't' }] }));
    expect(net.upserts).toEqual([]);
    expect(net.removed).toEqual([{ row: 2, providerId: 't' }]);
  });
});
