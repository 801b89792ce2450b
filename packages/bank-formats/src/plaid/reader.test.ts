import { describe, expect, it } from 'vitest';
import { chunkedSource, demoFile } from '../fixtures/demo.ts';
import { parseBankFile, type PlaidErrorPage, type PlaidGetPage, type PlaidSyncPage } from '../index.ts';

const account = {
  account_id: 'acc-1',
  balances: { current: 10, available: 5, limit: null, iso_currency_code: 'USD', unofficial_currency_code: null },
  name: 'Checking',
  type: 'depository',
};
const txn = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  transaction_id: id,
  account_id: 'acc-1',
  amount: 12.3,
  iso_currency_code: 'USD',
  unofficial_currency_code: null,
  date: '2025-01-05',
  name: 'COFFEE',
  pending: false,
  pending_transaction_id: null,
  ...extra,
});
const sync = (added: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  accounts: [account],
  added,
  modified: [],
  removed: [],
  next_cursor: 'c1',
  has_more: false,
  request_id: 'r1',
  ...extra,
});

describe('Plaid pages', () => {
  it('reads a walk interrupted by TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION and restarted, page by page', async () => {
    const file = await parseBankFile(demoFile('plaid-sync-pages.json'));
    expect(file.format).toBe('plaid');
    expect(file.detection.signConvention).toMatchObject({ value: 'positive_is_money_out' });
    expect(file.pages.map((page) => page.kind)).toEqual(['sync', 'error', 'sync', 'sync']);
    const error = file.pages[1] as PlaidErrorPage;
    expect(error).toMatchObject({ index: 1, errorType: 'TRANSACTIONS_ERROR', errorCode: 'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION' });
    const last = file.pages[3] as PlaidSyncPage;
    expect(last).toMatchObject({ hasMore: false, removed: [{ transactionId: 'pending-tip-7Vd8' }] });
    const posted = last.added.find((line) => line.pendingTransactionId === 'pending-tip-7Vd8')!;
    expect(posted).toMatchObject({
      amountCents: 4800,
      authorizedDate: '2025-01-11',
      pending: false,
      providerIdKind: 'plaid_transaction_id',
      merchantName: 'Nopalito',
    });
    expect(last.modified[0]).toMatchObject({ providerId: 'lPNjeW1nR6CDn5okmGQ6hEpMo4lLNoSrzqDje', description: 'SAFEWAY #1711 OAKLAND' });
    const first = file.pages[0] as PlaidSyncPage;
    expect(first.added.find((line) => line.pending)).toMatchObject({ providerId: 'pending-tip-7Vd8', amountCents: 4000 });
    expect(first.added[1]).toMatchObject({ amountCents: -250000, providerCategory: 'INCOME', providerCategoryDetailed: 'INCOME_WAGES' });
    expect(first.accounts.find((a) => a.type === 'credit')).toMatchObject({
      currentBalanceCents: 75000,
      availableBalanceCents: 425000,
      creditLimitCents: 500000,
    });
    const doge = last.added.find((line) => line.unofficialCurrency === 'DOGE')!;
    expect(doge).toMatchObject({ currency: null, amountCents: 25 });
    expect(file.issues.map((i) => i.code)).toEqual(['plaid_error', 'unofficial_currency']);
  });

  it('reads /transactions/get bodies', async () => {
    const file = await parseBankFile(demoFile('plaid-get.json'));
    const page = file.pages[0] as PlaidGetPage;
    expect(page).toMatchObject({ kind: 'get', totalTransactions: 2, itemId: 'eVBnVMp7zdTJLkRNr33Rs6zr7KNJqBFL9DrE6' });
    expect(page.transactions.map((line) => line.amountCents)).toEqual([1200, 6110]);
  });

  it('gives the same pages when the JSON arrives split inside strings and escapes', async () => {
    const bytes = new TextEncoder().encode(
      JSON.stringify([sync([txn('t1', { name: 'CAFÉ "QUOTED" \\ {BRACE} [x]' })]), sync([txn('t2')])]),
    );
    const whole = await parseBankFile(bytes);
    const streamed = await parseBankFile(chunkedSource(bytes, 3).open);
    expect(streamed.pages).toEqual(whole.pages);
    expect((whole.pages[0] as PlaidSyncPage).added[0]!.description).toBe('CAFÉ "QUOTED" \\ {BRACE} [x]');
  });

  it('rejects transactions with an unknown account, a bad date or no amount, and keeps the rest of the page', async () => {
    const file = await parseBankFile(
      JSON.stringify(
        sync([
          txn('ok'),
          txn('ghost', { account_id: 'acc-unknown' }),
          txn('feb30', { date: '2025-02-30' }),
          txn('nothing', { amount: null }),
          txn('float', { amount: 0.1 + 0.2 }),
        ]),
      ),
    );
    const page = file.pages[0] as PlaidSyncPage;
    expect(page.added.map((line) => line.providerId)).toEqual(['ok']);
    expect(file.issues.map((i) => [i.code, i.transaction_id])).toEqual([
      ['unknown_account', 'ghost'],
      ['invalid_calendar_date', 'feb30'],
      ['missing_amount', 'nothing'],
      ['amount_precision', 'float'],
    ]);
    expect(file.stats).toMatchObject({ rows: 5, lines: 1, invalid: 4, pages: 1 });
  });

  it('fails a file whose bodies are not Plaid responses or are truncated', async () => {
    await expect(parseBankFile('[{"accounts": [], "foo": 1}]', { format: 'plaid' })).rejects.toMatchObject({ code: 'malformed_json' });
    await expect(parseBankFile(JSON.stringify([sync([])]).slice(0, -3))).rejects.toMatchObject({ code: 'malformed_json' });
    await expect(parseBankFile(JSON.stringify([sync([], { has_more: 'yes' })]))).rejects.toMatchObject({ code: 'malformed_json' });
  });
});
