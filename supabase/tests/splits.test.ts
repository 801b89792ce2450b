import type { SqlClient } from '@wallai/db-client';
import { allocateCents, centsToDecimal, decimalToCents, leftoverRotation, roundingMicros } from '@wallai/domain';
import {
  actAs,
  addMember,
  createExpense,
  createUser,
  expectSqlError,
  onRealServer,
  queryAs,
  serviceRole,
  spaceWithEveryRole,
  type SpaceWithEveryRole,
  type TestUser,
  useTestDatabase,
} from '@wallai/testing';
import { describe, expect, it } from 'vitest';

const db = useTestDatabase();

type SplitRow = {
  id: string;
  user_id: string;
  amount: string;
  percentage: string | null;
  is_paid: boolean;
};

type Parts = string[] | Record<string, number | string>;

const split = (by: TestUser, expenseId: string, mode: string, parts: Parts, client: SqlClient = db()) =>
  queryAs<SplitRow>(client, by.actor, `select * from public.split_expense($1, $2, $3::text::jsonb)`, [
    expenseId,
    mode,
    JSON.stringify(parts),
  ]);

const splitsOf = (expenseId: string) =>
  db().query<SplitRow>(
    `select id, user_id, amount, percentage, is_paid from public.expense_splits where expense_id = $1 order by user_id`,
    [expenseId],
  );

const markPaid = (by: TestUser, splitId: string, method: string | null = null, reference: string | null = null) =>
  queryAs<SplitRow>(db(), by.actor, `select * from public.mark_split_paid($1, $2, $3)`, [splitId, method, reference]);

const setAmount = (by: TestUser, expenseId: string, amount: string) =>
  queryAs(db(), by.actor, `update public.expenses set amount = $2::numeric where id = $1 returning id`, [expenseId, amount]);

/** Sum of amounts in cents, exact. */
const centsOf = (rows: Array<{ amount: string }>) => rows.reduce((sum, r) => sum + decimalToCents(r.amount), 0);

/** The people sorted by user id, the order leftover cents follow. */
const byId = (...people: TestUser[]) => [...people].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** A space with every role and a second member; the member pays an expense of `amount`. */
async function memberExpense(amount: string): Promise<SpaceWithEveryRole & { second: TestUser; expenseId: string }> {
  const fx = await spaceWithEveryRole(db());
  const second = await addMember(db(), fx.space, 'member');
  const expense = await createExpense(db(), fx.space, { amount }, fx.member);
  return { ...fx, second, expenseId: expense.id };
}

/** What split_expense gives an equal split of `totalCents` when nobody carries any rounding yet. */
const firstEqualSplit = (totalCents: number, n: number, expenseId: string) =>
  allocateCents(totalCents, new Array<number>(n).fill(1), { rotation: leftoverRotation(expenseId) }).map(centsToDecimal);

describe('equal splits', () => {
  it('95.00 three ways is two parts of 31.67 and one of 31.66, placed by the expense id, the same every time', async () => {
    const { member, second, admin, expenseId } = await memberExpense('95.00');
    const people = [member.id, second.id, admin.id];
    const first = await split(member, expenseId, 'equal', people);
    expect(first.map((r) => r.user_id)).toEqual(byId(member, second, admin).map((p) => p.id));
    expect([...first.map((r) => r.amount)].sort()).toEqual(['31.66', '31.67', '31.67']);
    expect(first.map((r) => r.amount)).toEqual(firstEqualSplit(9500, 3, expenseId));
    expect(first.map((r) => r.percentage)).toEqual(['33.33', '33.33', '33.33']);

    // Another order of the same people gives the same split.
    const again = await split(member, expenseId, 'equal', [...people].reverse());
    expect(again.map((r) => [r.user_id, r.amount])).toEqual(first.map((r) => [r.user_id, r.amount]));
    expect(await splitsOf(expenseId)).toHaveLength(3);
  });

  it('100.01 three ways is two parts of 33.34 and one of 33.33 and adds up exactly', async () => {
    const { member, second, owner, expenseId } = await memberExpense('100.01');
    const rows = await split(member, expenseId, 'equal', [owner.id, second.id, member.id]);
    expect(rows.map((r) => r.amount)).toEqual(firstEqualSplit(10001, 3, expenseId));
    expect([...rows.map((r) => r.amount)].sort()).toEqual(['33.33', '33.34', '33.34']);
    expect(centsOf(rows)).toBe(10001);
  });

  it('0.01 cannot be split two ways: every part is at least 0.01 (22023), nothing written', async () => {
    const { space, member, second, expenseId } = await memberExpense('0.01');
    await expectSqlError(split(member, expenseId, 'equal', [member.id, second.id]), '22023', /at least 0\.01/);
    await expectSqlError(split(member, expenseId, 'percentage', { [member.id]: 50, [second.id]: 50 }), '22023', /at least 0\.01/);
    expect(await splitsOf(expenseId)).toHaveLength(0);
    // 0.02 two ways is a cent each.
    const twoCents = await createExpense(db(), space, { amount: '0.02' }, member);
    const rows = await split(member, twoCents.id, 'equal', [member.id, second.id]);
    expect(rows.map((r) => r.amount)).toEqual(['0.01', '0.01']);
  });

  it('malformed parts are rejected with 22023', async () => {
    const { member, second, expenseId } = await memberExpense('10.00');
    await expectSqlError(split(member, expenseId, 'thirds', [member.id]), '22023', /mode must be/);
    await expectSqlError(split(member, expenseId, 'equal', { [member.id]: 1 }), '22023', /JSON array/);
    await expectSqlError(split(member, expenseId, 'equal', ['not-a-uuid']), '22023', /user id/);
    await expectSqlError(split(member, expenseId, 'equal', []), '22023', /at least one person/);
    await expectSqlError(split(member, expenseId, 'equal', [member.id, member.id.toUpperCase()]), '22023', /only once/);
    await expectSqlError(split(member, expenseId, 'shares', [member.id]), '22023', /JSON object/);
    await expectSqlError(split(member, expenseId, 'shares', { [member.id]: 'lots' }), '22023', /numbers/);
    await expectSqlError(split(member, expenseId, 'shares', { [member.id]: 0, [second.id]: 1 }), '22023', /greater than 0/);
    await expectSqlError(split(member, expenseId, 'shares', { [member.id]: 'NaN' }), '22023', /greater than 0/);
    expect(await splitsOf(expenseId)).toHaveLength(0);
  });
});

describe('leftover cents over many expenses', () => {
  const roundingOf = (expenseId: string) =>
    db().query<{ user_id: string; amount: string; rounding: string }>(
      `select user_id, amount, rounding from public.expense_splits where expense_id = $1 order by user_id`,
      [expenseId],
    );

  it('thirty 1.00 dinners three ways: everyone pays 10.00 give or take a cent, each split as @wallai/domain computes it', async () => {
    const { space, member, second, admin } = await memberExpense('1.00');
    const people = byId(member, second, admin);
    const carried = new Map(people.map((p) => [p.id, 0]));
    const paid = new Map(people.map((p) => [p.id, 0]));
    for (let i = 0; i < 30; i++) {
      const dinner = await createExpense(db(), space, { amount: '1.00' }, member);
      const rows = await split(member, dinner.id, 'equal', [member.id, second.id, admin.id]);
      const expected = allocateCents(100, [1, 1, 1], {
        rotation: leftoverRotation(dinner.id),
        carried: people.map((p) => carried.get(p.id) ?? 0),
      });
      expect(
        rows.map((r) => decimalToCents(r.amount)),
        `dinner ${i + 1}`,
      ).toEqual(expected);
      const stored = await roundingOf(dinner.id);
      stored.forEach((r, k) => {
        const micros = roundingMicros(expected[k] as number, 100, 1, [1, 1, 1]);
        expect(Math.round(Number(r.rounding) * 1_000_000)).toBe(micros);
        carried.set(r.user_id, (carried.get(r.user_id) ?? 0) + micros);
        paid.set(r.user_id, (paid.get(r.user_id) ?? 0) + decimalToCents(r.amount));
      });
    }
    // 30 × 33⅓ = 1000 cents each; the old rule charged the lowest id 10.20 and the others 9.90.
    for (const p of people) expect(Math.abs((paid.get(p.id) ?? 0) - 1000)).toBeLessThanOrEqual(1);
  });

  it('splits already stored never change, and re-splitting an expense with nothing else changed splits it the same way', async () => {
    const { space, member, second, admin } = await memberExpense('1.00');
    const dinners = [];
    for (let i = 0; i < 4; i++) {
      const dinner = await createExpense(db(), space, { amount: '1.00' }, member);
      await split(member, dinner.id, 'equal', [member.id, second.id, admin.id]);
      dinners.push(dinner.id);
    }
    const before = await Promise.all(dinners.map(roundingOf));
    const later = await createExpense(db(), space, { amount: '2.00' }, member);
    await split(member, later.id, 'equal', [member.id, second.id, admin.id]);
    expect(await Promise.all(dinners.map(roundingOf))).toEqual(before);
    // Its own rounding does not count against itself: the same split again.
    await split(member, dinners[1] as string, 'equal', [admin.id, second.id, member.id]);
    expect(await roundingOf(dinners[1] as string)).toEqual(before[1]);
  });

  it('rounding carried in another currency does not count', async () => {
    const { space, member, second } = await memberExpense('1.00');
    for (let i = 0; i < 3; i++) {
      const dinner = await createExpense(db(), space, { amount: '1.01' }, member);
      await split(member, dinner.id, 'equal', [member.id, second.id]);
    }
    const inEuros = await createExpense(db(), space, { amount: '1.01', currency: 'EUR', exchange_rate: '1.1' }, member);
    const rows = await split(member, inEuros.id, 'equal', [member.id, second.id]);
    expect(rows.map((r) => r.amount)).toEqual(firstEqualSplit(101, 2, inEuros.id));
  });

  it('exact amounts carry no rounding; shares carry their distance from the exact share', async () => {
    const { member, second, expenseId } = await memberExpense('10.00');
    await split(member, expenseId, 'exact', { [member.id]: '3.33', [second.id]: '6.67' });
    expect((await roundingOf(expenseId)).map((r) => r.rounding)).toEqual(['0.000000', '0.000000']);
    await split(member, expenseId, 'shares', { [member.id]: 1, [second.id]: 2 });
    const byUser = new Map((await roundingOf(expenseId)).map((r) => [r.user_id, r.rounding]));
    // 3.33 is a third of a cent under 333.33…, 6.67 a third over 666.66….
    expect(byUser.get(member.id)).toBe('-0.333333');
    expect(byUser.get(second.id)).toBe('0.333333');
  });
});

describe('shares, percentages and exact amounts', () => {
  it('shares 1:2 of 10.00 are 3.33 and 6.67', async () => {
    const { member, second, expenseId } = await memberExpense('10.00');
    await split(member, expenseId, 'shares', { [member.id]: 1, [second.id]: 2 });
    const rows = new Map((await splitsOf(expenseId)).map((r) => [r.user_id, r]));
    expect(rows.get(member.id)).toMatchObject({ amount: '3.33', percentage: '33.33' });
    expect(rows.get(second.id)).toMatchObject({ amount: '6.67', percentage: '66.67' });
  });

  it('percentages 50/30/20 give those parts and are stored as given', async () => {
    const { member, second, admin, expenseId } = await memberExpense('80.00');
    await split(member, expenseId, 'percentage', { [member.id]: 50, [second.id]: 30, [admin.id]: '20' });
    const rows = new Map((await splitsOf(expenseId)).map((r) => [r.user_id, [r.amount, r.percentage]]));
    expect(rows).toEqual(
      new Map([
        [member.id, ['40.00', '50.00']],
        [second.id, ['24.00', '30.00']],
        [admin.id, ['16.00', '20.00']],
      ]),
    );
  });

  it('percentages adding up to 99 are rejected with a clear error and the previous splits stay', async () => {
    const { member, second, admin, expenseId } = await memberExpense('80.00');
    await split(member, expenseId, 'equal', [member.id, second.id]);
    const before = await splitsOf(expenseId);
    await expectSqlError(
      split(member, expenseId, 'percentage', { [member.id]: 50, [second.id]: 30, [admin.id]: 19 }),
      '22023',
      /percentages add up to 99(\.0+)?, not to 100/,
    );
    await expectSqlError(split(member, expenseId, 'percentage', { [member.id]: 50.005, [second.id]: 49.995 }), '22023', /2 decimals/);
    expect(await splitsOf(expenseId)).toEqual(before);
  });

  it('exact amounts must add up to the expense amount', async () => {
    const { member, second, expenseId } = await memberExpense('50.00');
    await expectSqlError(
      split(member, expenseId, 'exact', { [member.id]: '20.00', [second.id]: '29.99' }),
      '22023',
      /add up to 49\.99, not to the expense amount 50\.00/,
    );
    await expectSqlError(split(member, expenseId, 'exact', { [member.id]: '20.005', [second.id]: '29.995' }), '22023', /2 decimals/);
    expect(await splitsOf(expenseId)).toHaveLength(0);
    await split(member, expenseId, 'exact', { [member.id]: '20.00', [second.id]: 30 });
    const rows = new Map((await splitsOf(expenseId)).map((r) => [r.user_id, [r.amount, r.percentage]]));
    expect(rows.get(member.id)).toEqual(['20.00', '40.00']);
    expect(rows.get(second.id)).toEqual(['30.00', '60.00']);
  });
});

describe('who can be in a split and who can split', () => {
  it('someone outside the space or who left it cannot be in a split (22023); nothing is written', async () => {
    const { space, member, second, expenseId } = await memberExpense('30.00');
    const stranger = await createUser(db());
    await expectSqlError(split(member, expenseId, 'equal', [member.id, stranger.id]), '22023', /not an active member/);
    await queryAs(db(), second.actor, `select public.leave_space($1)`, [space.id]);
    await expectSqlError(split(member, expenseId, 'exact', { [member.id]: 10, [second.id]: 20 }), '22023', /not an active member/);
    expect(await splitsOf(expenseId)).toHaveLength(0);
  });

  it('the payer (member) and admins/owners split; viewers and other members get PT403; outsiders PT404', async () => {
    const { member, second, admin, owner, viewer, outsider, expenseId } = await memberExpense('30.00');
    await expectSqlError(split(viewer, expenseId, 'equal', [member.id, second.id]), 'PT403');
    await expectSqlError(split(second, expenseId, 'equal', [member.id, second.id]), 'PT403', /only the expenses they paid/);
    await expectSqlError(split(outsider, expenseId, 'equal', [member.id, second.id]), 'PT404');
    await expectSqlError(split(member, '00000000-0000-4000-8000-000000000000', 'equal', [member.id]), 'PT404');
    expect(await splitsOf(expenseId)).toHaveLength(0);

    expect(await split(admin, expenseId, 'equal', [member.id, second.id])).toHaveLength(2);
    expect(await split(owner, expenseId, 'equal', [member.id, second.id, viewer.id])).toHaveLength(3);
    expect(await split(member, expenseId, 'equal', [member.id])).toHaveLength(1);
  });

  it('clients cannot write splits directly', async () => {
    const { member, second, expenseId } = await memberExpense('30.00');
    await split(member, expenseId, 'equal', [member.id, second.id]);
    const [row] = await splitsOf(expenseId);
    await expectSqlError(
      queryAs(db(), member.actor, `update public.expense_splits set is_paid = true, paid_at = now() where id = $1`, [row?.id]),
      '42501',
    );
    await expectSqlError(
      queryAs(db(), member.actor, `insert into public.expense_splits (expense_id, user_id, amount) values ($1, $2, 1)`, [
        expenseId,
        second.id,
      ]),
      '42501',
    );
  });
});

describe('editing the amount of a split expense', () => {
  it('rescales unpaid splits so they still add up exactly; an equal split stays equal', async () => {
    const { member, second, admin, expenseId } = await memberExpense('95.00');
    await split(member, expenseId, 'equal', [member.id, second.id, admin.id]);
    await setAmount(member, expenseId, '100.00');
    const rows = await splitsOf(expenseId);
    expect([...rows.map((r) => r.amount)].sort()).toEqual(['33.33', '33.33', '33.34']);
    expect(rows.map((r) => r.amount)).toEqual(firstEqualSplit(10000, 3, expenseId));
    expect(rows.map((r) => r.percentage)).toEqual(['33.33', '33.33', '33.33']);
    expect(centsOf(rows)).toBe(10000);

    await setAmount(member, expenseId, '7.01');
    expect(centsOf(await splitsOf(expenseId))).toBe(701);
  });

  it('rescales shares in proportion (1:2 of 10.00, then 100.00 is 33.33 and 66.67)', async () => {
    const { member, second, expenseId } = await memberExpense('10.00');
    await split(member, expenseId, 'shares', { [member.id]: 1, [second.id]: 2 });
    await setAmount(member, expenseId, '100.00');
    const rows = new Map((await splitsOf(expenseId)).map((r) => [r.user_id, r.amount]));
    expect(rows.get(member.id)).toBe('33.33');
    expect(rows.get(second.id)).toBe('66.67');
  });

  it('an amount too small for every part to keep a cent is rejected (22023)', async () => {
    const { member, second, admin, expenseId } = await memberExpense('9.00');
    await split(member, expenseId, 'equal', [member.id, second.id, admin.id]);
    await expectSqlError(setAmount(member, expenseId, '0.02'), '22023', /too small/);
    expect(centsOf(await splitsOf(expenseId))).toBe(900);
  });

  it('with a paid split the amount cannot change (PT409) and nothing changes', async () => {
    const { member, second, expenseId } = await memberExpense('60.00');
    await split(member, expenseId, 'equal', [member.id, second.id]);
    const secondsPart = (await splitsOf(expenseId)).find((r) => r.user_id === second.id);
    await markPaid(second, secondsPart?.id ?? '');
    const before = await splitsOf(expenseId);
    await expectSqlError(setAmount(member, expenseId, '80.00'), 'PT409', /paid splits/);
    const [expense] = await db().query<{ amount: string }>(`select amount from public.expenses where id = $1`, [expenseId]);
    expect(expense?.amount).toBe('60.00');
    expect(await splitsOf(expenseId)).toEqual(before);
    // Re-splitting would wipe the payment record: PT409 as well.
    await expectSqlError(split(member, expenseId, 'equal', [member.id]), 'PT409', /paid/);
    expect(await splitsOf(expenseId)).toEqual(before);
  });

  it('with a paid split the expense cannot be deleted, by its payer, an admin or the service role (PT409)', async () => {
    const { member, second, admin, expenseId } = await memberExpense('60.00');
    await split(member, expenseId, 'equal', [member.id, second.id]);
    const before = await splitsOf(expenseId);
    await markPaid(second, before.find((r) => r.user_id === second.id)?.id ?? '');
    const paid = await splitsOf(expenseId);
    const remove = `delete from public.expenses where id = $1`;
    for (const actor of [member.actor, admin.actor, serviceRole]) {
      await expectSqlError(queryAs(db(), actor, remove, [expenseId]), 'PT409', /paid splits; it cannot be deleted/);
    }
    expect(await splitsOf(expenseId)).toEqual(paid);

    // Without a paid split the payer deletes it, and its splits go with it.
    const other = await memberExpense('30.00');
    await split(other.member, other.expenseId, 'equal', [other.member.id, other.second.id]);
    await queryAs(db(), other.member.actor, remove, [other.expenseId]);
    expect(await splitsOf(other.expenseId)).toEqual([]);
  });

  it('deleting the space still removes its expenses with paid splits', async () => {
    const { member, second, expenseId } = await memberExpense('60.00');
    await split(member, expenseId, 'equal', [member.id, second.id]);
    await markPaid(second, (await splitsOf(expenseId)).find((r) => r.user_id === second.id)?.id ?? '');
    const [expense] = await db().query<{ space_id: string }>(`select space_id from public.expenses where id = $1`, [expenseId]);
    await queryAs(db(), serviceRole, `delete from public.spaces where id = $1`, [expense?.space_id]);
    expect(await splitsOf(expenseId)).toEqual([]);
    const [left] = await db().query<{ n: number }>(`select count(*)::int as n from public.expenses where id = $1`, [expenseId]);
    expect(left?.n).toBe(0);
  });

  it('the deferred check rejects a direct service-role update that breaks the sum (23514 at commit)', async () => {
    const { member, second, expenseId } = await memberExpense('60.00');
    await split(member, expenseId, 'equal', [member.id, second.id]);
    const before = await splitsOf(expenseId);
    await expectSqlError(
      actAs(db(), serviceRole, async (tx) => {
        const rows = await tx.query(
          `update public.expense_splits set amount = amount + 1 where expense_id = $1 and user_id = $2 returning id`,
          [expenseId, second.id],
        );
        // The statement itself succeeds: the check waits for the commit.
        expect(rows).toHaveLength(1);
      }),
      '23514',
      /add up to 61\.00, not to its amount 60\.00/,
    );
    expect(await splitsOf(expenseId)).toEqual(before);

    // A consistent change in one transaction passes.
    await actAs(db(), serviceRole, async (tx) => {
      await tx.query(`update public.expense_splits set amount = amount + 1 where expense_id = $1 and user_id = $2`, [expenseId, second.id]);
      await tx.query(`update public.expense_splits set amount = amount - 1 where expense_id = $1 and user_id = $2`, [expenseId, member.id]);
    });
    expect(centsOf(await splitsOf(expenseId))).toBe(6000);

    // Deleting one split of two leaves a sum that no longer matches.
    await expectSqlError(
      queryAs(db(), serviceRole, `delete from public.expense_splits where expense_id = $1 and user_id = $2`, [expenseId, second.id]),
      '23514',
    );
  });
});

describe('marking a split paid', () => {
  it('the debtor and the payer may; another member may not (PT403); twice is PT409', async () => {
    const { member, second, admin, outsider, expenseId } = await memberExpense('90.00');
    await split(member, expenseId, 'equal', [member.id, second.id, admin.id]);
    const parts = new Map((await splitsOf(expenseId)).map((r) => [r.user_id, r.id]));
    const secondsPart = parts.get(second.id) ?? '';
    const adminsPart = parts.get(admin.id) ?? '';

    await expectSqlError(markPaid(admin, secondsPart), 'PT403', /only the person who owes/);
    await expectSqlError(markPaid(outsider, secondsPart), 'PT404');

    const [paid] = await markPaid(second, secondsPart, ' bizum ', 'ref-42');
    expect(paid).toMatchObject({ is_paid: true, payment_method: 'bizum', payment_reference: 'ref-42' });
    await expectSqlError(markPaid(second, secondsPart), 'PT409', /already paid/);

    const [byPayer] = await markPaid(member, adminsPart);
    expect(byPayer?.is_paid).toBe(true);
    await expectSqlError(markPaid(member, adminsPart), 'PT409', /already paid/);
  });

  it("the payer's own part is not a debt: marking it is PT409", async () => {
    const { member, second, expenseId } = await memberExpense('20.00');
    await split(member, expenseId, 'equal', [member.id, second.id]);
    const own = (await splitsOf(expenseId)).find((r) => r.user_id === member.id);
    await expectSqlError(markPaid(member, own?.id ?? ''), 'PT409', /payer's own part/);
  });
});

describe('concurrent splits', () => {
  it('parallel split_expense calls on one expense leave one consistent set of splits', async () => {
    const { member, second, admin, owner, expenseId } = await memberExpense('100.00');
    const pool = onRealServer() ? db().connectAgain({ max: 8 }) : db();
    const groups = [
      [member.id, second.id],
      [member.id, second.id, admin.id],
      [owner.id, admin.id],
      [second.id],
      [member.id, owner.id, second.id, admin.id],
      [admin.id, second.id],
    ];
    const outcomes = await Promise.allSettled(groups.map((g, i) => split(i % 2 === 0 ? member : admin, expenseId, 'equal', g, pool)));
    expect(outcomes.map((o) => o.status)).toEqual(groups.map(() => 'fulfilled'));
    const rows = await splitsOf(expenseId);
    expect(centsOf(rows)).toBe(10000);
    const people = rows.map((r) => r.user_id).sort();
    expect(groups.map((g) => [...g].sort())).toContainEqual(people);
  });

  it('a payment racing a re-split: either the payment stands and the re-split is refused, or the reverse', async () => {
    const { member, second, owner, expenseId } = await memberExpense('100.00');
    await split(member, expenseId, 'equal', [member.id, second.id]);
    const secondsPart = (await splitsOf(expenseId)).find((r) => r.user_id === second.id)?.id ?? '';
    const pool = onRealServer() ? db().connectAgain({ max: 2 }) : db();
    const [payment, resplit] = await Promise.allSettled([
      queryAs(pool, second.actor, `select public.mark_split_paid($1)`, [secondsPart]),
      split(member, expenseId, 'equal', [member.id, second.id, owner.id], pool),
    ]);
    const rows = await splitsOf(expenseId);
    expect(centsOf(rows)).toBe(10000);
    if (payment.status === 'fulfilled') {
      expect(resplit.status).toBe('rejected');
      expect((resplit as PromiseRejectedResult).reason.code).toBe('PT409');
      expect(rows.find((r) => r.user_id === second.id)?.is_paid).toBe(true);
    } else {
      expect(resplit.status).toBe('fulfilled');
      expect((payment.reason as { code: string }).code).toBe('PT404');
      expect(rows).toHaveLength(3);
      expect(rows.every((r) => !r.is_paid)).toBe(true);
    }
  });
});
