/**
 * The apply service against the test database: what a line becomes, exact
 * dedupe, Plaid semantics, the report, dry runs and failures that leave nothing.
 */
import { transactionsAs, type SqlClient } from '@wallai/db-client';
import {
  addMember,
  claimsFor,
  createExpense,
  createSpace,
  expectSqlError,
  queryAs,
  useTestDatabase,
  type TestSpace,
  type TestUser,
} from '@wallai/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CARD, CHECKING, fileInput, line, plaidInput, plaidTxn, walk } from './fixtures.test-support.ts';
import { applyImport, ImportRefused, type Transact } from './service.ts';
import type { ImportInput } from './types.ts';

const db = useTestDatabase();

const asUser = (client: SqlClient, person: TestUser): Transact =>
  transactionsAs(client, claimsFor(person.actor) as { role: 'authenticated' }) as Transact;

const run = (
  space: TestSpace,
  input: ImportInput,
  options: { dryRun?: boolean; by?: TestUser; exchangeRates?: Record<string, number> } = {},
) =>
  applyImport(asUser(db(), options.by ?? space.owner), input, {
    spaceId: space.id,
    fileName: 'statement.csv',
    ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }),
    ...(options.exchangeRates === undefined ? {} : { exchangeRates: options.exchangeRates }),
  });

async function bankRows(space: TestSpace) {
  return db().query<{
    id: string;
    provider_id: string | null;
    amount: string;
    kind: string;
    expense_id: string | null;
    pending: boolean;
    occurrence: number;
  }>(
    `select id, provider_id, amount::text as amount, kind, expense_id, pending, occurrence from public.bank_transactions
      where space_id = $1 order by date, provider_id nulls first, occurrence, amount`,
    [space.id],
  );
}

async function expenses(space: TestSpace) {
  return db().query<{
    id: string;
    amount: string;
    description: string;
    category: string;
    category_source: string;
    notes: string | null;
    tags: string[];
  }>(
    `select id, amount::text as amount, description, category, category_source, notes, tags from public.expenses where space_id = $1 order by date, amount`,
    [space.id],
  );
}

const october = [
  line({ amountCents: 4523, description: 'WHOLE FOODS MARKET #123', date: '2025-10-02' }),
  line({ amountCents: -250000, description: 'ACME CORP PAYROLL', date: '2025-10-01' }),
  line({ amountCents: 1250, description: 'UBER *TRIP HELP.UBER.COM', date: '2025-10-03' }),
  line({ amountCents: 50000, description: 'TRANSFER TO SAVINGS', date: '2025-10-04' }),
  line({ amountCents: -41020, description: 'PAYMENT THANK YOU', date: '2025-10-05', accountExternalId: CARD.externalId }),
  line({ amountCents: -1999, description: 'AMAZON MKTPLACE REFUND', date: '2025-10-06' }),
];

describe('what a line becomes', () => {
  it('spending becomes a categorized expense; income, transfers, card payments and refunds stay in the bank layer with their kind', async () => {
    const space = await createSpace(db());
    const report = await run(space, fileInput(october));
    expect(report).toMatchObject({
      status: 'completed',
      counts: { rows: 6, added: 6, updated: 0, unchanged: 0, invalid: 0 },
      expenses_created: 2,
    });
    const kinds = (await bankRows(space)).map((r) => [r.amount, r.kind, r.expense_id !== null]);
    expect(kinds).toEqual([
      ['-2500.00', 'income', false],
      ['45.23', 'spending', true],
      ['12.50', 'spending', true],
      ['500.00', 'transfer', false],
      ['-410.20', 'card_payment', false],
      ['-19.99', 'refund', false],
    ]);
    expect((await expenses(space)).map((e) => [e.amount, e.category, e.category_source])).toEqual([
      ['45.23', 'groceries', 'rules'],
      ['12.50', 'transport', 'rules'],
    ]);
    // The expense names its bank line, and the bank line its expense.
    const [linked] = await db().query<{ ok: boolean }>(
      `select bool_and(e.bank_transaction_id = t.id::text) as ok from public.bank_transactions t join public.expenses e on e.id = t.expense_id where t.space_id = $1`,
      [space.id],
    );
    expect(linked?.ok).toBe(true);
  });

  it("the provider's category is a strong hint, but a person's past choice for the same merchant wins", async () => {
    const space = await createSpace(db());
    await queryAs(
      db(),
      space.owner.actor,
      `insert into public.expenses (space_id, amount, description, date, category, category_source) values ($1, 9, 'BLUE DOOR 4411', '2025-09-01', 'entertainment', 'user')`,
      [space.id],
    );
    const report = await run(
      space,
      fileInput([
        line({ amountCents: 2210, description: 'ZZQ 77 LLC', providerCategory: 'FOOD_AND_DRINK_GROCERIES' }),
        line({ amountCents: 3100, description: 'BLUE DOOR 4411', providerCategory: 'FOOD_AND_DRINK_RESTAURANT' }),
      ]),
    );
    expect(report.status).toBe('completed');
    const rows = await db().query<{ description: string; category: string; category_source: string }>(
      `select description, category, category_source from public.expenses where space_id = $1 and bank_transaction_id is not null order by amount`,
      [space.id],
    );
    expect(rows).toEqual([
      { description: 'ZZQ 77 LLC', category: 'groceries', category_source: 'rules' },
      { description: 'BLUE DOOR 4411', category: 'entertainment', category_source: 'history' },
    ]);
  });

  it('a line in another currency becomes an expense only with a rate; without one it is held back and reported', async () => {
    const space = await createSpace(db());
    const eur = line({ amountCents: 2000, description: 'CAFE DE FLORE PARIS', currency: 'EUR' });
    const held = await run(space, fileInput([eur]));
    expect(held.errors).toEqual([expect.objectContaining({ code: 'currency_mismatch', severity: 'warning', row: 1, value: 'EUR' })]);
    expect(held.expenses_created).toBe(0);
    const other = await createSpace(db());
    const converted = await run(other, fileInput([eur]), { exchangeRates: { EUR: 1.1 } });
    expect(converted.expenses_created).toBe(1);
    const [expense] = await db().query<{ base_amount: string; currency: string }>(
      `select base_amount::text as base_amount, currency from public.expenses where space_id = $1`,
      [other.id],
    );
    expect(expense).toEqual({ base_amount: '22.00', currency: 'EUR' });
  });

  it("balances and credit limits update the space's bank accounts, and only move forward in time", async () => {
    const space = await createSpace(db());
    await run(space, fileInput([], [CHECKING, CARD]));
    await run(space, fileInput([], [{ ...CARD, currentBalance: '99.00', balancesAsOf: '2025-09-30T00:00:00Z' }]));
    await run(space, fileInput([], [{ ...CHECKING, currentBalance: '1600.00', balancesAsOf: '2025-11-05T00:00:00Z' }]));
    const accounts = await db().query<{ external_id: string; current_balance: string; credit_limit: string | null }>(
      `select external_id, current_balance::text as current_balance, credit_limit::text as credit_limit from public.bank_accounts where space_id = $1 order by external_id`,
      [space.id],
    );
    expect(accounts).toEqual([
      { external_id: 'acc-card', current_balance: '410.20', credit_limit: '5000.00' },
      { external_id: 'acc-checking', current_balance: '1600.00', credit_limit: null },
    ]);
  });

  it("the payer of an expense is the account's owner when the account has one, else the importer", async () => {
    const space = await createSpace(db());
    const bob = await addMember(db(), space, 'member');
    // Bob's card: its spending lines are his purchases, whoever imports the statement.
    await queryAs(
      db(),
      space.owner.actor,
      `insert into public.bank_accounts (space_id, external_id, name, type, currency, owner_id)
       values ($1, $2, 'Bob''s card', 'credit', 'USD', $3)`,
      [space.id, CARD.externalId, bob.id],
    );
    const report = await run(
      space,
      fileInput([
        line({ amountCents: 2500, description: 'SHELL OIL 5744', date: '2025-10-02', accountExternalId: CARD.externalId }),
        line({ amountCents: 1800, description: 'TRADER JOES #552', date: '2025-10-03' }),
      ]),
    );
    expect(report.errors).toEqual([]);
    const payers = await db().query<{ description: string; created_by: string }>(
      `select description, created_by from public.expenses where space_id = $1 order by date`,
      [space.id],
    );
    expect(payers).toEqual([
      { description: 'SHELL OIL 5744', created_by: bob.id },
      { description: 'TRADER JOES #552', created_by: space.owner.id },
    ]);
    // Bob may now edit his own expense as its payer; the replay changes nothing.
    const again = await run(
      space,
      fileInput([line({ amountCents: 2500, description: 'SHELL OIL 5744', date: '2025-10-02', accountExternalId: CARD.externalId })]),
    );
    expect(again.counts).toMatchObject({ added: 0, unchanged: 1 });
  });

  it('an account owner who is not an active member of the space does not pay: the importer does, reported', async () => {
    const space = await createSpace(db());
    const viewer = await addMember(db(), space, 'viewer');
    await queryAs(
      db(),
      space.owner.actor,
      `insert into public.bank_accounts (space_id, external_id, name, type, currency, owner_id)
       values ($1, $2, 'Shared card', 'credit', 'USD', $3)`,
      [space.id, CARD.externalId, viewer.id],
    );
    const report = await run(
      space,
      fileInput([line({ amountCents: 2500, description: 'SHELL OIL 5744', date: '2025-10-02', accountExternalId: CARD.externalId })]),
    );
    expect(report.errors).toEqual([expect.objectContaining({ code: 'account_owner_not_member', severity: 'warning', row: 1 })]);
    const [expense] = await db().query<{ created_by: string }>(`select created_by from public.expenses where space_id = $1`, [space.id]);
    expect(expense?.created_by).toBe(space.owner.id);
  });

  it('assign_import_payers refuses anyone but the uploader of an import being applied', async () => {
    const space = await createSpace(db());
    const bob = await addMember(db(), space, 'member');
    const report = await run(space, fileInput([line({ amountCents: 2500, description: 'SHELL OIL 5744', date: '2025-10-02' })]));
    const [expense] = await expenses(space);
    // Completed imports are closed, for their uploader too; another member never had one.
    for (const who of [space.owner, bob]) {
      await expectSqlError(
        queryAs(db(), who.actor, `select * from public.assign_import_payers($1, array[$2]::uuid[])`, [report.import_id, expense!.id]),
        '42501',
      );
    }
  });
});

describe('exact dedupe', () => {
  it('a replay of the same file changes nothing and says how each line was matched', async () => {
    const space = await createSpace(db());
    await run(space, fileInput(october));
    const before = { bank: await bankRows(space), expenses: await expenses(space) };
    const replay = await run(space, fileInput(october));
    expect(replay.counts).toEqual({ rows: 6, added: 0, updated: 0, removed: 0, unchanged: 6, duplicates: 0, invalid: 0 });
    expect(new Set(replay.rows.map((r) => r.match))).toEqual(new Set(['content_key']));
    expect({ bank: await bankRows(space), expenses: await expenses(space) }).toEqual(before);
  });

  it('identical real purchases in one file stay separate rows; the replay matches each by its occurrence', async () => {
    const space = await createSpace(db());
    const coffee = () => line({ amountCents: 450, description: 'BLUE BOTTLE COFFEE', date: '2025-10-08' });
    const first = await run(space, fileInput([coffee(), coffee(), coffee()]));
    expect(first.counts.added).toBe(3);
    expect((await bankRows(space)).map((r) => r.occurrence)).toEqual([1, 2, 3]);
    const replay = await run(space, fileInput([coffee(), coffee(), coffee(), coffee()]));
    expect(replay.counts).toMatchObject({ added: 1, unchanged: 3 });
    expect((await expenses(space)).length).toBe(4);
  });

  it("an overlapping statement (last month's file again plus a week) adds only the new lines", async () => {
    const space = await createSpace(db());
    await run(space, fileInput(october));
    const week = [
      line({ amountCents: 3310, description: 'TRADER JOES #552', date: '2025-11-02' }),
      line({ amountCents: 450, description: 'BLUE BOTTLE COFFEE', date: '2025-11-03' }),
    ];
    const overlap = await run(space, fileInput([...october, ...week]));
    expect(overlap.counts).toMatchObject({ rows: 8, added: 2, unchanged: 6 });
    expect(overlap.rows.filter((r) => r.action === 'added').map((r) => r.row)).toEqual([7, 8]);
  });

  it('a line with a provider id is keyed by it: the same id again is unchanged, a changed amount updates in place', async () => {
    const space = await createSpace(db());
    const fitid = (amountCents: number) => line({ providerId: 'FIT-100', amountCents, description: 'SHELL OIL 5521', date: '2025-10-12' });
    await run(space, fileInput([fitid(4000)]));
    expect((await run(space, fileInput([fitid(4000)]))).rows).toEqual([
      expect.objectContaining({ match: 'provider_id', action: 'unchanged' }),
    ]);
    const corrected = await run(space, fileInput([fitid(4200)]));
    expect(corrected.rows).toEqual([expect.objectContaining({ match: 'provider_id', action: 'updated' })]);
    expect((await expenses(space)).map((e) => e.amount)).toEqual(['42.00']);
  });

  it('the same provider id twice in one file is reported as a duplicate, never silently dropped', async () => {
    const space = await createSpace(db());
    const twice = [
      line({ providerId: 'FIT-7', amountCents: 900, description: 'NETFLIX.COM' }),
      line({ providerId: 'FIT-7', amountCents: 900, description: 'NETFLIX.COM' }),
    ];
    const report = await run(space, fileInput(twice));
    expect(report.counts).toMatchObject({ added: 1, duplicates: 1 });
    expect(report.errors).toEqual([expect.objectContaining({ code: 'duplicate_provider_id', row: 2, severity: 'warning' })]);
  });

  it('re-importing any subset of an imported file adds nothing', async () => {
    const descriptions = ['BLUE BOTTLE COFFEE', 'WHOLE FOODS', 'UBER *TRIP', 'SHELL OIL'];
    const arbitraryLine = fc.record({
      d: fc.constantFrom(...descriptions),
      cents: fc.constantFrom(450, 1200, -3000),
      day: fc.integer({ min: 1, max: 3 }),
      id: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbitraryLine, { minLength: 1, maxLength: 12 }),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        async (spec, keep) => {
          const space = await createSpace(db());
          const lines = spec.map((s, i) =>
            line({
              amountCents: s.cents,
              description: s.d,
              date: `2025-10-0${s.day}`,
              ...(s.id === null ? {} : { providerId: `P${s.id}-${i}` }),
            }),
          );
          await run(space, fileInput(lines));
          const before = await bankRows(space);
          const subset = lines.filter((_, i) => keep[i]);
          const again = await run(space, fileInput(subset));
          expect(again.counts.added).toBe(0);
          expect(await bankRows(space)).toEqual(before);
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('Plaid sync semantics', () => {
  it('pending → posted with a tip is one expense, keeping the category, notes, tags and splits people gave it', async () => {
    const space = await createSpace(db());
    const bob = await addMember(db(), space, 'member');
    await run(space, plaidInput([walk({ added: [plaidTxn('pend-1', 4000, 'THE BISTRO', { pending: true, date: '2025-10-10' })] })]));
    const [expense] = await expenses(space);
    await queryAs(
      db(),
      space.owner.actor,
      `update public.expenses set category = 'entertainment', category_source = 'user', notes = 'team dinner', tags = '{work}' where id = $1`,
      [expense!.id],
    );
    await queryAs(db(), space.owner.actor, `select count(*) from public.split_expense($1, 'equal', $2::text::jsonb)`, [
      expense!.id,
      JSON.stringify([space.owner.id, bob.id]),
    ]);

    const posted = plaidTxn('post-1', 4800, 'THE BISTRO', { pendingTransactionId: 'pend-1', date: '2025-10-11' });
    const report = await run(space, plaidInput([walk({ added: [posted], removed: [{ row: posted.row + 1, providerId: 'pend-1' }] })]));
    expect(report.rows).toEqual([
      expect.objectContaining({ row: posted.row, match: 'pending_link', action: 'updated', expense_id: expense!.id }),
      expect.objectContaining({ row: posted.row + 1, match: 'pending_link', action: 'unchanged' }),
    ]);
    expect(await expenses(space)).toEqual([
      expect.objectContaining({
        id: expense!.id,
        amount: '48.00',
        category: 'entertainment',
        category_source: 'user',
        notes: 'team dinner',
        tags: ['work'],
      }),
    ]);
    expect(await bankRows(space)).toEqual([
      expect.objectContaining({ provider_id: 'post-1', pending: false, amount: '48.00', expense_id: expense!.id }),
    ]);
    const splits = await db().query<{ amount: string }>(
      `select amount::text as amount from public.expense_splits where expense_id = $1 order by amount`,
      [expense!.id],
    );
    expect(splits.map((s) => s.amount)).toEqual(['24.00', '24.00']);
  });

  it('the posted copy and the pending removal may arrive in any order across pages', async () => {
    const space = await createSpace(db());
    await run(space, plaidInput([walk({ added: [plaidTxn('pend-2', 1500, 'CHEVRON 0091', { pending: true })] })]));
    const removedFirst = walk({
      removed: [{ row: 1, providerId: 'pend-2' }],
      added: [plaidTxn('post-2', 1500, 'CHEVRON 0091', { pendingTransactionId: 'pend-2', row: 5 })],
    });
    const report = await run(space, plaidInput([removedFirst]));
    expect(report.counts).toMatchObject({ updated: 1, removed: 0 });
    expect((await expenses(space)).length).toBe(1);
  });

  it("modified updates in place and keeps a person's category", async () => {
    const space = await createSpace(db());
    await run(space, plaidInput([walk({ added: [plaidTxn('t-1', 2000, 'TARGET 00123')] })]));
    const [expense] = await expenses(space);
    await queryAs(db(), space.owner.actor, `update public.expenses set category = 'groceries', category_source = 'user' where id = $1`, [
      expense!.id,
    ]);
    const report = await run(space, plaidInput([walk({ modified: [plaidTxn('t-1', 2250, 'TARGET 00123 MINNEAPOLIS')] })]));
    expect(report.rows).toEqual([expect.objectContaining({ match: 'provider_id', action: 'updated' })]);
    expect(await expenses(space)).toEqual([
      expect.objectContaining({
        id: expense!.id,
        amount: '22.50',
        description: 'TARGET 00123 MINNEAPOLIS',
        category: 'groceries',
        category_source: 'user',
      }),
    ]);
  });

  it('removed deletes the line and its expense, but an expense with a paid split is kept and reported', async () => {
    const space = await createSpace(db());
    const bob = await addMember(db(), space, 'member');
    await run(space, plaidInput([walk({ added: [plaidTxn('hold-1', 10000, 'HILTON HOTELS'), plaidTxn('t-2', 3000, 'SAFEWAY 1234')] })]));
    const hotel = (
      await db().query<{ expense_id: string }>(`select expense_id from public.bank_transactions where provider_id = 'hold-1'`)
    )[0]!.expense_id;
    await queryAs(db(), space.owner.actor, `select count(*) from public.split_expense($1, 'equal', $2::text::jsonb)`, [
      hotel,
      JSON.stringify([space.owner.id, bob.id]),
    ]);
    const [split] = await db().query<{ id: string }>(`select id from public.expense_splits where expense_id = $1 and user_id = $2`, [
      hotel,
      bob.id,
    ]);
    await queryAs(db(), space.owner.actor, `select id from public.mark_split_paid($1)`, [split!.id]);

    const report = await run(
      space,
      plaidInput([
        walk({
          removed: [
            { row: 1, providerId: 'hold-1' },
            { row: 2, providerId: 't-2' },
          ],
        }),
      ]),
    );
    expect(report.rows).toEqual([
      expect.objectContaining({ row: 1, action: 'kept' }),
      expect.objectContaining({ row: 2, action: 'removed' }),
    ]);
    expect(report.errors).toEqual([expect.objectContaining({ code: 'removed_kept_paid_split', row: 1 })]);
    expect((await expenses(space)).map((e) => e.id)).toEqual([hotel]);
    expect((await bankRows(space)).map((r) => r.provider_id)).toEqual(['hold-1']);
  });

  it('an authorization hold removed with no posted copy disappears', async () => {
    const space = await createSpace(db());
    await run(space, plaidInput([walk({ added: [plaidTxn('auth-1', 100, 'AMAZON AUTH HOLD', { pending: true })] })]));
    const report = await run(space, plaidInput([walk({ removed: [{ row: 1, providerId: 'auth-1' }] })]));
    expect(report.counts.removed).toBe(1);
    expect(await bankRows(space)).toEqual([]);
    expect(await expenses(space)).toEqual([]);
  });

  it('a replay of the same pages changes nothing', async () => {
    const space = await createSpace(db());
    const pages = plaidInput([
      walk({ added: [plaidTxn('r-1', 1000, 'SPOTIFY USA'), plaidTxn('r-2', -100000, 'PAYROLL', { providerCategory: 'INCOME_WAGES' })] }),
    ]);
    await run(space, pages);
    const before = await bankRows(space);
    const replay = await run(space, pages);
    expect(replay.counts).toMatchObject({ added: 0, updated: 0, unchanged: 2 });
    expect(await bankRows(space)).toEqual(before);
  });
});

describe('report, dry run and failures', () => {
  it('a dry run answers the same report and writes nothing, not even the imports row', async () => {
    const space = await createSpace(db());
    const dry = await run(space, fileInput(october), { dryRun: true });
    const real = await run(space, fileInput(october));
    expect({ ...dry, import_id: null, dry_run: false }).toEqual({
      ...real,
      import_id: null,
      rows: real.rows.map((r) => ({
        ...r,
        bank_transaction_id: expect.any(String),
        expense_id: r.expense_id === null ? null : expect.any(String),
      })),
    });
    const [count] = await db().query<{ n: number }>(`select count(*)::int as n from public.imports where space_id = $1`, [space.id]);
    expect(count?.n).toBe(1);
  });

  it('the imports row goes pending → processing → completed with its report and counts', async () => {
    const space = await createSpace(db());
    const report = await run(space, fileInput(october));
    const [row] = await db().query<Record<string, unknown>>(
      `select status, row_count, added_count, unchanged_count, processed_at is not null as processed, jsonb_array_length(row_matches) as matches, uploaded_by
         from public.imports where id = $1`,
      [report.import_id],
    );
    expect(row).toEqual({
      status: 'completed',
      row_count: 6,
      added_count: 6,
      unchanged_count: 0,
      processed: true,
      matches: 6,
      uploaded_by: space.owner.id,
    });
  });

  it('a database error mid-way leaves no bank rows and no expenses, and the imports row failed with the reason', async () => {
    const space = await createSpace(db());
    const lines = [...october, line({ amountCents: 1, description: 'x'.repeat(10), date: '2025-02-30' })];
    const report = await run(space, fileInput(lines));
    expect(report).toMatchObject({ status: 'failed', failure: { code: 'database_error' } });
    expect(await bankRows(space)).toEqual([]);
    expect(await expenses(space)).toEqual([]);
    const [row] = await db().query<{ status: string; failure_reason: string; n: number }>(
      `select status, failure_reason, (select count(*)::int from public.bank_accounts where space_id = $2) as n from public.imports where id = $1`,
      [report.import_id, space.id],
    );
    expect(row).toMatchObject({ status: 'failed', failure_reason: expect.stringContaining('date'), n: 0 });
  });

  it('a viewer is refused (403) and an outsider finds no space (404); nothing is written', async () => {
    const space = await createSpace(db());
    const viewer = await addMember(db(), space, 'viewer');
    const outsider = (await createSpace(db())).owner;
    await expect(run(space, fileInput(october), { by: viewer })).rejects.toMatchObject({ code: 'space_not_writable' });
    await expect(run(space, fileInput(october), { by: outsider })).rejects.toBeInstanceOf(ImportRefused);
    await expect(run(space, fileInput(october), { by: outsider })).rejects.toMatchObject({ code: 'space_not_found' });
    const [count] = await db().query<{ n: number }>(`select count(*)::int as n from public.imports where space_id = $1`, [space.id]);
    expect(count?.n).toBe(0);
  });

  it('bank lines are written only through the space rules: a bank line cannot name an expense of another space', async () => {
    const space = await createSpace(db());
    const other = await createSpace(db());
    const foreign = await createExpense(db(), other, { amount: '12.00', description: 'Not yours' });
    await run(space, fileInput([october[1]!]));
    const [mine] = await bankRows(space);
    await expectSqlError(
      queryAs(db(), space.owner.actor, `update public.bank_transactions set expense_id = $1 where id = $2`, [foreign!.id, mine!.id]),
      '22023',
    );
  });
});
