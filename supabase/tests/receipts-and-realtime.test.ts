import { addMember, anon, createExpense, createSpace, expectSqlError, queryAs, useTestDatabase } from '@wallai/testing';
import { describe, expect, it } from 'vitest';

const db = useTestDatabase();

const upload = (who: { actor: Parameters<typeof queryAs>[1] }, name: string) =>
  queryAs(db(), who.actor, `insert into storage.objects (bucket_id, name) values ('receipts', $1) returning id`, [name]);

describe('the receipts bucket', () => {
  it('is private, capped at 10 MiB and takes images and PDFs only', async () => {
    const [bucket] = await db().query(`select public, file_size_limit, allowed_mime_types from storage.buckets where id = 'receipts'`);
    expect(bucket).toEqual({
      public: false,
      file_size_limit: 10485760,
      allowed_mime_types: ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'application/pdf'],
    });
  });

  it('a member uploads a receipt for their own expense, and every member can read it', async () => {
    const space = await createSpace(db());
    const member = await addMember(db(), space, 'member');
    const viewer = await addMember(db(), space, 'viewer');
    const e = await createExpense(db(), space, { amount: '12.00' }, member);
    await upload(member, `${space.id}/${e.id}/ticket.jpg`);
    const seen = await queryAs(db(), viewer.actor, `select name from storage.objects where bucket_id = 'receipts'`);
    expect(seen).toEqual([{ name: `${space.id}/${e.id}/ticket.jpg` }]);
  });

  it('a path whose expense is in another space, or that is not <space>/<expense>/<file>, is refused', async () => {
    const space = await createSpace(db());
    const other = await createSpace(db());
    const foreign = await createExpense(db(), other, { amount: '5.00' });
    const mine = await createExpense(db(), space, { amount: '5.00' });
    await expectSqlError(upload(space.owner, `${space.id}/${foreign.id}/x.jpg`), '42501');
    await expectSqlError(upload(space.owner, `${space.id}/x.jpg`), '42501');
    await expectSqlError(upload(space.owner, `${space.id}/${mine.id}/nested/x.jpg`), '42501');
  });

  it('signed-out requests list nothing', async () => {
    const space = await createSpace(db());
    const e = await createExpense(db(), space, { amount: '5.00' });
    await upload(space.owner, `${space.id}/${e.id}/a.pdf`);
    expect(await queryAs(db(), anon, `select name from storage.objects`)).toEqual([]);
  });
});

describe('realtime', () => {
  it('publishes the money tables, settlements included, on supabase_realtime', async () => {
    const rows = await db().query<{ tablename: string }>(
      `select tablename from pg_publication_tables where pubname = 'supabase_realtime' and schemaname = 'public' order by tablename`,
    );
    expect(rows.map((r) => r.tablename)).toEqual(
      expect.arrayContaining(['budget_items', 'budgets', 'expense_splits', 'expenses', 'settlements']),
    );
  });
});
