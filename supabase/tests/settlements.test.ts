import type { Queryable } from '@wallai/db-client';
import { centsToDecimal, decimalToCents as cents, walkTransfers } from '@wallai/domain';
import {
  addMember,
  becomeActor,
  createExpense,
  createSpace,
  createUser,
  expectSqlError,
  onRealServer,
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

type Balance = { user_id: string; currency: string; balance: string; pending_paid?: string; pending_received?: string };
type Transfer = { from_user: string; to_user: string; amount: string; currency: string };

const BALANCES = `select user_id, currency, balance, pending_paid, pending_received from public.space_balances($1)`;
const SUGGESTIONS = `select from_user, to_user, amount, currency from public.suggest_settlements($1)`;
const RECORD = `select public.record_settlement($1, $2, $3, $4::numeric, $5, $6) as id`;
const CONFIRM = `select id, status, decided_by from public.confirm_settlement($1)`;
const DECLINE = `select id, status, decided_by from public.decline_settlement($1)`;
type Decided = { id: string; status: string; decided_by: string };

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

const confirm = (by: TestUser, id: string | undefined) => queryAs<Decided>(db(), by.actor, CONFIRM, [id]);
const decline = (by: TestUser, id: string | undefined) => queryAs<Decided>(db(), by.actor, DECLINE, [id]);
const statusOf = async (id: string | undefined) =>
  (
    await db().query<{ status: string; decided_by: string | null }>(`select status, decided_by from public.settlements where id = $1`, [id])
  )[0];

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

  it('include confirmed settlements: the payer goes up, the receiver down; pending ones are listed beside them', async () => {
    const space = await createSpace(db());
    const ana = await addMember(db(), space, 'member');
    const expense = await createExpense(db(), space, { amount: '50.00' }, space.owner);
    await split(space.owner, expense.id, 'exact', { [ana.id]: '50.00' });
    const [paid] = await record(ana, space, ana, space.owner, '20.00', 'usd', ' bank transfer ');

    // Ana says she paid: pending, counted nowhere, listed on both sides.
    let rows = await balancesOf(space, ana);
    expect(balanceMap(rows)).toEqual(
      new Map([
        [`USD ${space.owner.id}`, 5000],
        [`USD ${ana.id}`, -5000],
      ]),
    );
    expect(rows.find((r) => r.user_id === ana.id)).toMatchObject({ pending_paid: '20.00', pending_received: '0.00' });
    expect(rows.find((r) => r.user_id === space.owner.id)).toMatchObject({ pending_paid: '0.00', pending_received: '20.00' });
    expect(keys(await suggestionsFor(space, ana))).toEqual(
      keys([{ from_user: ana.id, to_user: space.owner.id, amount: '50.00', currency: 'USD' }]),
    );

    // The owner (the receiver) confirms: now it counts.
    expect(await confirm(space.owner, paid?.id)).toEqual([{ id: paid?.id, status: 'confirmed', decided_by: space.owner.id }]);
    rows = await balancesOf(space, ana);
    expect(balanceMap(rows)).toEqual(
      new Map([
        [`USD ${space.owner.id}`, 3000],
        [`USD ${ana.id}`, -3000],
      ]),
    );
    expect(rows.every((r) => r.pending_paid === '0.00' && r.pending_received === '0.00')).toBe(true);
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
    await record(space.owner, space, ben, space.owner, '4.00');
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

/**
 * private.balance_totals (what space_balances reads) against the aggregation it replaces, over
 * the whole database: every (space, currency, person) with an entry, its balance and its number
 * of entries. Empty when the triggers kept every balance.
 */
async function balanceDrift(): Promise<unknown[]> {
  return db().query(
    `with recomputed as (
       select x.space_id, x.currency, x.user_id, sum(x.delta)::numeric(14,2) as balance, count(*)::integer as entries
         from (select e.space_id, e.currency, side.user_id, side.delta
                 from public.expense_splits s
                 join public.expenses e on e.id = s.expense_id
                 cross join lateral (values (s.user_id, -s.amount), (e.created_by, s.amount)) as side(user_id, delta)
                where not s.is_paid and e.created_by is not null and s.user_id is not null and s.user_id <> e.created_by
               union all
               select st.space_id, st.currency, side.user_id, side.delta
                 from public.settlements st
                 cross join lateral (values (st.from_user, st.amount), (st.to_user, -st.amount)) as side(user_id, delta)
                where st.status = 'confirmed' and st.from_user is not null and st.to_user is not null) x
        group by 1, 2, 3)
     select coalesce(r.space_id, t.space_id) as space_id, coalesce(r.user_id, t.user_id) as user_id,
            r.balance::text as recomputed, t.balance::text as kept, r.entries as recomputed_entries, t.entries as kept_entries
       from recomputed r
       full join private.balance_totals t on t.space_id = r.space_id and t.currency = r.currency and t.user_id = r.user_id
      where r.balance is distinct from t.balance or r.entries is distinct from t.entries`,
  );
}

describe('kept balances', () => {
  it('equal the aggregation over unpaid splits and confirmed settlements after every kind of change', async () => {
    const fx = await spaceWithEveryRole(db());
    const { space, owner, admin, member } = fx;
    const mate = await addMember(db(), space, 'member');
    const check = async (step: string) => expect(await balanceDrift(), step).toEqual([]);

    const dinner = await createExpense(db(), space, { amount: '90.00' }, member);
    await split(member, dinner.id, 'equal', [member.id, mate.id, admin.id]);
    await check('split');
    await split(member, dinner.id, 'shares', { [mate.id]: 1, [owner.id]: 2 });
    await check('re-split');
    await queryAs(db(), member.actor, `update public.expenses set amount = 100.01 where id = $1`, [dinner.id]);
    await check('amount edit (rescale)');
    await queryAs(db(), member.actor, `update public.expenses set currency = 'EUR', exchange_rate = 1.1 where id = $1`, [dinner.id]);
    await check('currency change');
    await queryAs(db(), member.actor, `update public.expenses set amount = 50.00, currency = 'USD', exchange_rate = null where id = $1`, [
      dinner.id,
    ]);
    await check('amount and currency at once');

    const taxi = await createExpense(db(), space, { amount: '30.00' }, mate);
    const [mateSplit] = (await split(mate, taxi.id, 'equal', [mate.id, member.id])).filter((r) => r.user_id === member.id);
    await queryAs(db(), member.actor, `select public.mark_split_paid($1)`, [mateSplit?.id]);
    await check('a split paid');
    const cinema = await createExpense(db(), space, { amount: '24.00' }, admin);
    await split(admin, cinema.id, 'equal', [admin.id, member.id, mate.id]);
    await queryAs(db(), admin.actor, `delete from public.expenses where id = $1`, [cinema.id]);
    await check('a split expense deleted');

    const [confirmed] = await record(owner, space, mate, owner, '5.00');
    const [pending] = await record(mate, space, mate, owner, '7.00');
    const [declined] = await record(mate, space, mate, owner, '2.00');
    await check('settlements recorded');
    await confirm(owner, pending?.id);
    await decline(owner, declined?.id);
    await check('confirmed and declined');
    await queryAs(db(), admin.actor, `delete from public.settlements where id = $1`, [confirmed?.id]);
    await check('a settlement deleted');

    await db().query(`delete from auth.users where id = $1`, [mate.id]);
    await check('an account deleted (its splits, expenses and settlements set null)');
    await db().query(`delete from public.spaces where id = $1`, [space.id]);
    await check('the space deleted');
    expect(await db().query(`select 1 from private.balance_totals where space_id = $1`, [space.id])).toEqual([]);
  });

  it('stay exact under parallel writers in one space (splits, payments, settlements at once)', async () => {
    const space = await createSpace(db());
    const people = [space.owner];
    for (let i = 1; i < 6; i++) people.push(await addMember(db(), space, 'member'));
    const expenses = await Promise.all(people.map((p, i) => createExpense(db(), space, { amount: centsToDecimal(1_001 + i * 337) }, p)));
    const pool = onRealServer() ? db().connectAgain({ max: 8 }) : db();
    const ids = people.map((p) => p.id);
    const work = expenses.flatMap((e, i) => {
      const payer = people[i] as TestUser;
      const next = people[(i + 1) % people.length] as TestUser;
      return [
        queryAs(pool, payer.actor, `select * from public.split_expense($1, 'equal', $2::text::jsonb)`, [e.id, JSON.stringify(ids)]),
        queryAs(pool, next.actor, RECORD, [space.id, payer.id, next.id, '3.00', 'USD', null]),
      ];
    });
    const outcomes = await Promise.allSettled(work);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    await Promise.all(
      expenses.map((e, i) =>
        queryAs(pool, (people[i] as TestUser).actor, `select * from public.split_expense($1, 'equal', $2::text::jsonb)`, [
          e.id,
          JSON.stringify(ids.slice(0, 3)),
        ]).catch(() => null),
      ),
    );
    if (pool !== db()) await pool.close();
    expect(await balanceDrift()).toEqual([]);
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
    // The owner received it, so it counts at once.
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
  it("settle the issue's example in 3 transfers (the walk took 4), stably", async () => {
    // u2 -50.00, u3 +10.00, u4 -60.00, u5 +60.00, u6 +40.00
    const space = await createSpace(db());
    const [u2, u3, u4, u5, u6] = [space.owner, ...(await Promise.all([1, 2, 3, 4].map(() => addMember(db(), space, 'member'))))] as [
      TestUser,
      TestUser,
      TestUser,
      TestUser,
      TestUser,
    ];
    for (const [payer, debtor, amount] of [
      [u5, u4, '60.00'],
      [u6, u2, '40.00'],
      [u3, u2, '10.00'],
    ] as const) {
      const expense = await createExpense(db(), space, { amount }, payer);
      await split(payer, expense.id, 'exact', { [debtor.id]: amount });
    }
    const suggestions = await suggestionsFor(space, u3);
    expect(keys(suggestions)).toEqual(
      keys([
        { from_user: u4.id, to_user: u5.id, amount: '60.00', currency: 'USD' },
        { from_user: u2.id, to_user: u6.id, amount: '40.00', currency: 'USD' },
        { from_user: u2.id, to_user: u3.id, amount: '10.00', currency: 'USD' },
      ]),
    );
    await expectStableSuggestions(space, [u2, u3, u4, u5, u6], suggestions);
  });

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

  it('above 10 people the walk: recording any one suggestion leaves the rest unchanged, round amounts included', async () => {
    const space = await createSpace(db());
    const people = [space.owner];
    for (let i = 1; i < 12; i++) people.push(await addMember(db(), space, 'member'));
    // Round amounts, so that recording a payment often leaves someone owing exactly what another is owed.
    for (let i = 0; i < 12; i++) {
      const payer = people[i] as TestUser;
      const debtor = people[(i * 5 + 3) % 12] as TestUser;
      const amount = centsToDecimal(((i % 4) + 1) * 500);
      const expense = await createExpense(db(), space, { amount }, payer);
      await split(payer, expense.id, 'exact', { [debtor.id]: amount });
    }
    const balances = await balancesOf(space, space.owner);
    expect(balances.length).toBeGreaterThan(10);
    const suggestions = await suggestionsFor(space, space.owner);
    const walked = walkTransfers(balances.map((b) => ({ userId: b.user_id, cents: cents(b.balance) })));
    expect(suggestions.map((t) => ({ from: t.from_user, to: t.to_user, cents: cents(t.amount) }))).toEqual(walked);
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
          fc.record({
            from: fc.nat({ max: 4 }),
            to: fc.nat({ max: 4 }),
            cents: fc.integer({ min: 1, max: 3_000 }),
            usd: fc.boolean(),
            byReceiver: fc.boolean(),
          }),
          { maxLength: 3 },
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
            // Recorded by the receiver it counts; by the payer it stays pending and counts nowhere.
            if (from.id !== to.id) await record(t.byReceiver ? to : from, space, from, to, centsToDecimal(t.cents), t.usd ? 'USD' : 'EUR');
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

describe('confirming repayments', () => {
  /** A space where the member owes the mate 30.00. */
  async function owing() {
    const fx = await spaceWithEveryRole(db());
    const mate = await addMember(db(), fx.space, 'member');
    const expense = await createExpense(db(), fx.space, { amount: '30.00' }, mate);
    await split(mate, expense.id, 'exact', { [fx.member.id]: '30.00' });
    return { ...fx, mate };
  }
  const debtOf = async (space: TestSpace, person: TestUser) => balanceMap(await balancesOf(space, person)).get(`USD ${person.id}`) ?? 0;

  it('a repayment the receiver records counts at once, confirmed by them', async () => {
    const { space, member, mate } = await owing();
    const [made] = await record(mate, space, member, mate, '30.00');
    expect(await statusOf(made?.id)).toEqual({ status: 'confirmed', decided_by: mate.id });
    expect(await debtOf(space, member)).toBe(0);
    await expectSqlError(confirm(mate, made?.id), 'PT409', /already confirmed/);
  });

  it('a debt cannot be invented: a repayment the payer records is pending and changes no balance or suggestion', async () => {
    const { space, member, mate } = await owing();
    const before = await suggestionsFor(space, mate);
    const [made] = await record(member, space, member, mate, '1000.00');
    expect(await statusOf(made?.id)).toEqual({ status: 'pending', decided_by: null });
    expect(await debtOf(space, member)).toBe(-3000);
    expect(await debtOf(space, mate)).toBe(3000);
    expect(await suggestionsFor(space, mate)).toEqual(before);
    const rows = await balancesOf(space, mate);
    expect(rows.find((r) => r.user_id === mate.id)?.pending_received).toBe('1000.00');
  });

  it('the receiver, an admin or an owner confirms; the payer, another member, a viewer get PT403, an outsider PT404', async () => {
    const { space, owner, admin, member, viewer, outsider, mate } = await owing();
    const other = await addMember(db(), space, 'member');
    const pending = async () => (await record(member, space, member, mate, '10.00'))[0]?.id;

    const first = await pending();
    await expectSqlError(confirm(member, first), 'PT403', /payer cannot confirm/);
    await expectSqlError(confirm(other, first), 'PT403');
    await expectSqlError(confirm(viewer, first), 'PT403');
    await expectSqlError(confirm(outsider, first), 'PT404');
    expect(await statusOf(first)).toEqual({ status: 'pending', decided_by: null });
    expect((await confirm(mate, first))[0]).toMatchObject({ status: 'confirmed', decided_by: mate.id });
    expect(await debtOf(space, member)).toBe(-2000);

    expect((await confirm(admin, await pending()))[0]).toMatchObject({ status: 'confirmed', decided_by: admin.id });
    expect((await confirm(owner, await pending()))[0]).toMatchObject({ status: 'confirmed', decided_by: owner.id });
    expect(await debtOf(space, member)).toBe(0);
  });

  it('a viewer who received money confirms it; an admin who paid cannot confirm their own payment', async () => {
    const { space, owner, admin, viewer } = await owing();
    const [toViewer] = await record(admin, space, admin, viewer, '5.00');
    await expectSqlError(confirm(admin, toViewer?.id), 'PT403', /payer cannot confirm/);
    expect((await confirm(viewer, toViewer?.id))[0]).toMatchObject({ status: 'confirmed', decided_by: viewer.id });
    // One an admin recorded between two others waits too, and another admin/owner (or the admin) confirms it.
    const [between] = await record(admin, space, viewer, owner, '2.00');
    expect(await statusOf(between?.id)).toEqual({ status: 'pending', decided_by: null });
    expect((await confirm(admin, between?.id))[0]).toMatchObject({ status: 'confirmed' });
  });

  it('declined repayments are kept, marked, counted nowhere: the receiver, an admin/owner or whoever recorded it declines', async () => {
    const { space, owner, admin, member, viewer, mate } = await owing();
    const other = await addMember(db(), space, 'member');
    const pending = async () => (await record(member, space, member, mate, '10.00'))[0]?.id;

    const byReceiver = await pending();
    await expectSqlError(decline(other, byReceiver), 'PT403');
    await expectSqlError(decline(viewer, byReceiver), 'PT403');
    expect((await decline(mate, byReceiver))[0]).toMatchObject({ status: 'declined', decided_by: mate.id });
    await expectSqlError(confirm(mate, byReceiver), 'PT409', /already declined/);
    await expectSqlError(decline(mate, byReceiver), 'PT409');
    // Withdrawn by the payer who recorded it; declined by an admin; by the owner.
    expect((await decline(member, await pending()))[0]).toMatchObject({ status: 'declined', decided_by: member.id });
    expect((await decline(admin, await pending()))[0]).toMatchObject({ status: 'declined', decided_by: admin.id });
    expect((await decline(owner, await pending()))[0]).toMatchObject({ status: 'declined', decided_by: owner.id });

    expect(await debtOf(space, member)).toBe(-3000);
    const rows = await balancesOf(space, mate);
    expect(rows.every((r) => r.pending_paid === '0.00' && r.pending_received === '0.00')).toBe(true);
    const kept = await db().query<{ status: string }>(`select status from public.settlements where space_id = $1`, [space.id]);
    expect(kept.map((k) => k.status)).toEqual(['declined', 'declined', 'declined', 'declined']);
  });

  it('the activity log records the recording and the decision, through their RPCs', async () => {
    const { space, member, mate } = await owing();
    const [made] = await record(member, space, member, mate, '10.00');
    await confirm(mate, made?.id);
    const entries = await db().query<{
      actor_id: string;
      path: string;
      via: string;
      operation: string;
      new_values: Record<string, unknown>;
    }>(`select actor_id, path, via, operation, new_values from public.activity_log where row_id = $1 order by id`, [made?.id]);
    expect(entries.map((e) => [e.actor_id, e.path, e.via, e.operation])).toEqual([
      [member.id, 'rpc', 'record_settlement', 'insert'],
      [mate.id, 'rpc', 'confirm_settlement', 'update'],
    ]);
    expect(entries[0]?.new_values).toMatchObject({ status: 'pending', amount: 10 });
    expect(entries[1]?.new_values).toMatchObject({ status: 'confirmed', decided_by: mate.id });
  });

  it('nobody changes a status directly (42501), and an unknown id is PT404', async () => {
    const { space, member, mate } = await owing();
    const [made] = await record(member, space, member, mate, '10.00');
    await expectSqlError(
      queryAs(db(), mate.actor, `update public.settlements set status = 'confirmed' where id = $1`, [made?.id]),
      '42501',
    );
    await expectSqlError(confirm(mate, '00000000-0000-0000-0000-000000000000'), 'PT404');
    await expectSqlError(decline(mate, null as unknown as string), 'PT404');
  });
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
     select from_user, currency, amount from public.settlements where space_id = $1 and status = 'confirmed'
     union all
     select to_user, currency, -amount from public.settlements where space_id = $1 and status = 'confirmed'`,
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
 * one (each in its own rolled-back transaction, by its receiver, so it counts)
 * leaves exactly the others as the new suggestions; recorded by its payer it
 * changes nothing until confirmed.
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
    for (const t of suggestions) {
      await becomeActor(tx, actorOf(t.to_user).actor);
      await recordIn(tx, t);
    }
    await becomeActor(tx, space.owner.actor);
    return { balances: await tx.query<Balance>(BALANCES, [space.id]), suggestions: await tx.query<Transfer>(SUGGESTIONS, [space.id]) };
  });
  expect(afterAll.balances.every((b) => cents(b.balance) === 0)).toBe(true);
  expect(afterAll.suggestions).toEqual([]);

  for (const [i, t] of suggestions.entries()) {
    const remaining = await probeAs(db(), actorOf(t.to_user).actor, async (tx) => {
      await recordIn(tx, t);
      return tx.query<Transfer>(SUGGESTIONS, [space.id]);
    });
    expect(keys(remaining)).toEqual(keys(suggestions.filter((_, j) => j !== i)));
  }
  const first = suggestions[0];
  if (first) {
    const unconfirmed = await probeAs(db(), actorOf(first.from_user).actor, async (tx) => {
      await recordIn(tx, first);
      return tx.query<Transfer>(SUGGESTIONS, [space.id]);
    });
    expect(keys(unconfirmed)).toEqual(keys(suggestions));
  }
}
