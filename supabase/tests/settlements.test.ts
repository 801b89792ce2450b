import type { Queryable } from '@wallai/db-client';
import { centsToDecimal, decimalToCents as cents } from '@wallai/domain';
import {
  addMember,
  createExpense,
  createSpace,
  createUser,
  expectSqlError,
  probeAs,
  queryAs,
  spaceWithEveryRole,
  type TestSpace,
  type TestUser,
  useTestDatabase,
} from '@wallai/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const db = useTestDatabase();

type Balance = { user_id: string; currency: string; balance: string };
type Transfer = { from_user: string; to_user: string; amount: string; currency: string };

const BALANCES = `select user_id, currency, balance from public.space_balances($1)`;
const SUGGESTIONS = `select from_user, to_user, amount, currency from public.suggest_settlements($1)`;
const RECORD = `select public.record_settlement($1, $2, $3, $4::numeric, $5, $6) as id`;

const balancesOf = (space: TestSpace, by: TestUser) => queryAs<Balance>(db(), by.actor, BALANCES, [space.id]);
const suggestionsFor = (space: TestSpace, by: TestUser) => queryAs<Transfer>(db(), by.actor, SUGGESTIONS, [space.id]);
const record = (
  by: TestUser,
  space: TestSpace,
  from: TestUser,
  to: TestUser,
  amount: string,
  currency = 'USD',
  note: string | null = null,
) => queryAs<{ id: string }>(db(), by.actor, RECORD, [space.id, from.id, to.id, amount, currency, note]);

const split = (by: TestUser, expenseId: string, mode: string, parts: unknown) =>
  queryAs<{ id: string; user_id: string }>(db(), by.actor, `select id, user_id from public.split_expense($1, $2, $3::text::jsonb)`, [
    expenseId,
    mode,
    JSON.stringify(parts),
  ]);

/** Balances as a map "currency user" -> cents, leaving out zeros. */
function balanceMap(rows: Balance[]): Map<string, number> {
  return new Map(rows.filter((r) => cents(r.balance) !== 0).map((r) => [`${r.currency} ${r.user_id}`, cents(r.balance)]));
}

/** Sum of balances per currency, in cents. */
function sumsByCurrency(rows: Balance[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const r of rows) sums[r.currency] = (sums[r.currency] ?? 0) + cents(r.balance);
  return sums;
}

const transferKey = (t: Transfer) => `${t.currency} ${t.from_user} ${t.to_user} ${cents(t.amount)}`;
const keys = (ts: Transfer[]) => ts.map(transferKey).sort();

describe('balances', () => {
  it("are owed minus owing over unpaid splits; the payer's own part is not a debt; every currency sums to 0", async () => {
    const space = await createSpace(db());
    const owner = space.owner;
    const ana = await addMember(db(), space, 'member');
    const ben = await addMember(db(), space, 'member');

    const dinner = await createExpense(db(), space, { amount: '90.00' }, owner);
    await split(owner, dinner.id, 'equal', [owner.id, ana.id, ben.id]);
    const taxi = await createExpense(db(), space, { amount: '20.00' }, ana);
    await split(ana, taxi.id, 'equal', [ana.id, owner.id]);

    let rows = await balancesOf(space, ben);
    expect(balanceMap(rows)).toEqual(
      new Map([
        [`USD ${owner.id}`, 6000 - 1000],
        [`USD ${ana.id}`, -3000 + 1000],
        [`USD ${ben.id}`, -3000],
      ]),
    );
    expect(sumsByCurrency(rows)).toEqual({ USD: 0 });

    // A paid split no longer counts.
    const [bensPart] = await db().query<{ id: string }>(`select id from public.expense_splits where expense_id = $1 and user_id = $2`, [
      dinner.id,
      ben.id,
    ]);
    await queryAs(db(), ben.actor, `select public.mark_split_paid($1, 'cash', null)`, [bensPart?.id]);
    rows = await balancesOf(space, ben);
    expect(balanceMap(rows)).toEqual(
      new Map([
        [`USD ${owner.id}`, 3000 - 1000],
        [`USD ${ana.id}`, -2000],
      ]),
    );
    expect(sumsByCurrency(rows)).toEqual({ USD: 0 });
  });

  it('keep each currency apart: a USD expense in a EUR space is a USD balance, not converted', async () => {
    const space = await createSpace(db(), { currency: 'EUR' });
    const ana = await addMember(db(), space, 'member');
    const eur = await createExpense(db(), space, { amount: '40.00' }, space.owner);
    await split(space.owner, eur.id, 'equal', [space.owner.id, ana.id]);
    const usd = await createExpense(db(), space, { amount: '30.00', currency: 'USD', exchange_rate: '0.9' }, ana);
    await split(ana, usd.id, 'exact', { [space.owner.id]: '30.00' });

    const rows = await balancesOf(space, ana);
    expect(balanceMap(rows)).toEqual(
      new Map([
        [`EUR ${space.owner.id}`, 2000],
        [`EUR ${ana.id}`, -2000],
        [`USD ${space.owner.id}`, -3000],
        [`USD ${ana.id}`, 3000],
      ]),
    );
    expect(sumsByCurrency(rows)).toEqual({ EUR: 0, USD: 0 });
    const suggestions = await suggestionsFor(space, ana);
    expect(keys(suggestions)).toEqual(
      keys([
        { from_user: ana.id, to_user: space.owner.id, amount: '20.00', currency: 'EUR' },
        { from_user: space.owner.id, to_user: ana.id, amount: '30.00', currency: 'USD' },
      ]),
    );
  });

  it('include settlements: the payer goes up, the receiver down', async () => {
    const space = await createSpace(db());
    const ana = await addMember(db(), space, 'member');
    const expense = await createExpense(db(), space, { amount: '50.00' }, space.owner);
    await split(space.owner, expense.id, 'exact', { [ana.id]: '50.00' });
    await record(ana, space, ana, space.owner, '20.00', 'usd', ' bank transfer ');
    expect(balanceMap(await balancesOf(space, ana))).toEqual(
      new Map([
        [`USD ${space.owner.id}`, 3000],
        [`USD ${ana.id}`, -3000],
      ]),
    );
    const [stored] = await db().query<{ currency: string; note: string; created_by: string }>(
      `select currency, note, created_by from public.settlements where space_id = $1`,
      [space.id],
    );
    expect(stored).toEqual({ currency: 'USD', note: 'bank transfer', created_by: ana.id });
  });

  it('answer PT404 to someone outside the space', async () => {
    const { space, outsider } = await spaceWithEveryRole(db());
    await expectSqlError(balancesOf(space, outsider), 'PT404');
    await expectSqlError(suggestionsFor(space, outsider), 'PT404');
  });

  it("a deleted account's parts stay (the expense still adds up) and leave every balance", async () => {
    const space = await createSpace(db());
    const ana = await addMember(db(), space, 'member');
    const ben = await addMember(db(), space, 'member');
    const expense = await createExpense(db(), space, { amount: '30.00' }, space.owner);
    await split(space.owner, expense.id, 'equal', [space.owner.id, ana.id, ben.id]);
    await record(ben, space, ben, space.owner, '4.00');
    await db().query(`delete from auth.users where id = $1`, [ben.id]);

    const parts = await db().query<{ user_id: string | null; amount: string }>(
      `select user_id, amount from public.expense_splits where expense_id = $1`,
      [expense.id],
    );
    expect(parts.reduce((s, p) => s + cents(p.amount), 0)).toBe(3000);
    expect(parts.filter((p) => p.user_id === null)).toHaveLength(1);
    expect(balanceMap(await balancesOf(space, ana))).toEqual(
      new Map([
        [`USD ${space.owner.id}`, 1000],
        [`USD ${ana.id}`, -1000],
      ]),
    );
  });
});

describe('recording a settlement', () => {
  it('rejects paying oneself, non-members, amounts of 0 or less and bad currencies (22023)', async () => {
    const { space, owner, member, admin } = await spaceWithEveryRole(db());
    const stranger = await createUser(db());
    await expectSqlError(record(member, space, member, member, '5.00'), '22023', /from one person to another/);
    await expectSqlError(record(member, space, member, stranger, '5.00'), '22023', /members/);
    await expectSqlError(record(admin, space, stranger, owner, '5.00'), '22023', /members/);
    await expectSqlError(record(member, space, member, owner, '0'), '22023', /greater than 0/);
    await expectSqlError(record(member, space, member, owner, '-3.00'), '22023', /greater than 0/);
    await expectSqlError(record(member, space, member, owner, '1.005'), '22023', /2 decimals/);
    await expectSqlError(record(member, space, member, owner, '5.00', 'dollars'), '22023', /ISO 4217/);
    expect(await db().query(`select 1 from public.settlements where space_id = $1`, [space.id])).toHaveLength(0);
  });

  it('either party or an admin/owner records; another member gets PT403, an outsider PT404', async () => {
    const { space, owner, admin, member, viewer, outsider } = await spaceWithEveryRole(db());
    const mate = await addMember(db(), space, 'member');
    await expectSqlError(record(mate, space, member, owner, '5.00'), 'PT403');
    await expectSqlError(record(outsider, space, member, owner, '5.00'), 'PT404');
    expect(await record(member, space, member, owner, '5.00')).toHaveLength(1);
    expect(await record(owner, space, member, owner, '5.00')).toHaveLength(1);
    expect(await record(admin, space, member, mate, '5.00')).toHaveLength(1);
    // A viewer settles their own debts.
    expect(await record(viewer, space, viewer, mate, '5.00')).toHaveLength(1);
  });

  it('works with a former member: debts outlive membership', async () => {
    const space = await createSpace(db());
    const ana = await addMember(db(), space, 'member');
    const expense = await createExpense(db(), space, { amount: '10.00' }, space.owner);
    await split(space.owner, expense.id, 'exact', { [ana.id]: 10 });
    await queryAs(db(), ana.actor, `select public.leave_space($1)`, [space.id]);
    expect(balanceMap(await balancesOf(space, space.owner)).get(`USD ${ana.id}`)).toBe(-1000);
    await record(space.owner, space, ana, space.owner, '10.00');
    expect(balanceMap(await balancesOf(space, space.owner)).size).toBe(0);
  });

  it('admins and owners delete a mistaken settlement; nobody updates one', async () => {
    const { space, owner, admin, member } = await spaceWithEveryRole(db());
    const [made] = await record(member, space, member, owner, '5.00');
    await expectSqlError(queryAs(db(), member.actor, `update public.settlements set amount = 1 where id = $1`, [made?.id]), '42501');
    expect(await queryAs(db(), member.actor, `delete from public.settlements where id = $1 returning id`, [made?.id])).toHaveLength(0);
    expect(await queryAs(db(), admin.actor, `delete from public.settlements where id = $1 returning id`, [made?.id])).toHaveLength(1);
  });
});

describe('settlement suggestions', () => {
  it('settle a small group in n-1 transfers, and recording any one leaves the rest unchanged', async () => {
    const space = await createSpace(db());
    const people = [space.owner, ...(await Promise.all([1, 2, 3, 4].map(() => createUser(db()))))];
    for (const p of people.slice(1)) await addMember(db(), space, 'member', p);
    const [a, b, c, d, e] = people as [TestUser, TestUser, TestUser, TestUser, TestUser];
    const rent = await createExpense(db(), space, { amount: '100.00' }, a);
    await split(a, rent.id, 'equal', [a.id, b.id, c.id, d.id, e.id]);
    const food = await createExpense(db(), space, { amount: '37.00' }, b);
    await split(b, food.id, 'shares', { [c.id]: 1, [d.id]: 2, [e.id]: 3 });

    const suggestions = await suggestionsFor(space, c);
    const nonZero = balanceMap(await balancesOf(space, c)).size;
    expect(suggestions.length).toBeLessThanOrEqual(nonZero - 1);
    await expectStableSuggestions(space, people, suggestions);
  });

  it(
    'a property over random groups: transfers settle everyone to exactly 0 in at most n-1 per currency, stably',
    { timeout: 240_000 },
    async () => {
      const scenario = fc.record({
        people: fc.integer({ min: 2, max: 5 }),
        expenses: fc.array(
          fc.record({
            payer: fc.nat({ max: 4 }),
            cents: fc.integer({ min: 100, max: 50_000 }),
            usd: fc.boolean(),
            weights: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 5, maxLength: 5 }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        settlements: fc.array(
          fc.record({ from: fc.nat({ max: 4 }), to: fc.nat({ max: 4 }), cents: fc.integer({ min: 1, max: 3_000 }), usd: fc.boolean() }),
          { maxLength: 2 },
        ),
      });

      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          const space = await createSpace(db(), { currency: 'EUR' });
          const people = [space.owner];
          for (let i = 1; i < s.people; i++) people.push(await addMember(db(), space, 'member'));
          const at = (i: number) => people[i % people.length] as TestUser;

          for (const x of s.expenses) {
            const payer = at(x.payer);
            const amount = centsToDecimal(x.cents);
            const expense = await createExpense(
              db(),
              space,
              x.usd ? { amount, currency: 'USD', exchange_rate: '0.92' } : { amount },
              payer,
            );
            const weights = Object.fromEntries(people.map((p, i) => [p.id, x.weights[i] ?? 0]).filter(([, w]) => Number(w) > 0));
            if (Object.keys(weights).length === 0)
              await split(
                payer,
                expense.id,
                'equal',
                people.map((p) => p.id),
              );
            else await split(payer, expense.id, 'shares', weights);
          }
          for (const t of s.settlements) {
            const from = at(t.from);
            const to = at(t.to);
            if (from.id !== to.id) await record(from, space, from, to, centsToDecimal(t.cents), t.usd ? 'USD' : 'EUR');
          }

          // Balances: the same as recomputed here from the stored splits and settlements, summing to 0.
          const balances = await balancesOf(space, space.owner);
          expect(Object.values(sumsByCurrency(balances)).every((sum) => sum === 0)).toBe(true);
          expect(balanceMap(balances)).toEqual(await recomputedBalances(space));

          const suggestions = await suggestionsFor(space, space.owner);
          for (const currency of ['EUR', 'USD']) {
            const n = balances.filter((b) => b.currency === currency && cents(b.balance) !== 0).length;
            expect(suggestions.filter((t) => t.currency === currency).length).toBeLessThanOrEqual(Math.max(n - 1, 0));
          }
          await expectStableSuggestions(space, people, suggestions);
        }),
        { numRuns: 25 },
      );
    },
  );
});

/** Balances from the raw rows, independently of space_balances(). */
async function recomputedBalances(space: TestSpace): Promise<Map<string, number>> {
  const entries = await db().query<{ user_id: string; currency: string; amount: string }>(
    `select s.user_id, e.currency, -s.amount as amount
       from public.expense_splits s join public.expenses e on e.id = s.expense_id
      where e.space_id = $1 and not s.is_paid and s.user_id <> e.created_by
     union all
     select e.created_by, e.currency, s.amount
       from public.expense_splits s join public.expenses e on e.id = s.expense_id
      where e.space_id = $1 and not s.is_paid and s.user_id <> e.created_by
     union all
     select from_user, currency, amount from public.settlements where space_id = $1
     union all
     select to_user, currency, -amount from public.settlements where space_id = $1`,
    [space.id],
  );
  const map = new Map<string, number>();
  for (const e of entries) {
    const key = `${e.currency} ${e.user_id}`;
    map.set(key, (map.get(key) ?? 0) + cents(e.amount));
  }
  for (const [key, value] of map) if (value === 0) map.delete(key);
  return map;
}

/**
 * The suggestions settle every balance to exactly 0, and recording any single
 * one (each in its own rolled-back transaction, by its payer) leaves exactly
 * the others as the new suggestions.
 */
async function expectStableSuggestions(space: TestSpace, people: TestUser[], suggestions: Transfer[]): Promise<void> {
  const actorOf = (id: string) => {
    const person = people.find((p) => p.id === id);
    if (!person) throw new Error(`unknown person ${id}`);
    return person;
  };
  const recordIn = (tx: Queryable, t: Transfer) => tx.query(RECORD, [space.id, t.from_user, t.to_user, t.amount, t.currency, null]);

  for (const t of suggestions) expect(cents(t.amount)).toBeGreaterThan(0);

  const afterAll = await probeAs(db(), space.owner.actor, async (tx) => {
    for (const t of suggestions) await recordIn(tx, t);
    return { balances: await tx.query<Balance>(BALANCES, [space.id]), suggestions: await tx.query<Transfer>(SUGGESTIONS, [space.id]) };
  });
  expect(afterAll.balances.every((b) => cents(b.balance) === 0)).toBe(true);
  expect(afterAll.suggestions).toEqual([]);

  for (const [i, t] of suggestions.entries()) {
    const remaining = await probeAs(db(), actorOf(t.from_user).actor, async (tx) => {
      await recordIn(tx, t);
      return tx.query<Transfer>(SUGGESTIONS, [space.id]);
    });
    expect(keys(remaining)).toEqual(keys(suggestions.filter((_, j) => j !== i)));
  }
}
