import { centsToDecimal } from '@wallai/domain';
import {
  actAs,
  addMember,
  budgetItems,
  createBudget,
  createExpense,
  createSpace,
  createUser,
  expectSqlError,
  onRealServer,
  queryAs,
  spaceWithEveryRole,
  totalsDrift,
  useTestDatabase,
} from '@wallai/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const db = useTestDatabase();

async function expense(id: string) {
  const [row] = await db().query<{
    budget_id: string | null;
    budget_item_id: string | null;
    created_by: string;
    currency: string;
    base_amount: string;
  }>(`select budget_id, budget_item_id, created_by, currency, base_amount from public.expenses where id = $1`, [id]);
  return row;
}

describe('recording expenses', () => {
  it('created_by is always the caller, whatever the client sends', async () => {
    const space = await createSpace(db());
    const victim = await addMember(db(), space, 'member');
    await expectSqlError(
      queryAs(db(), space.owner.actor, `insert into public.expenses (space_id, amount, description, created_by) values ($1, 5, 'x', $2)`, [
        space.id,
        victim.id,
      ]),
      '42501',
    );
    const e = await createExpense(db(), space, { amount: '5.00' }, victim);
    expect((await expense(e.id))?.created_by).toBe(victim.id);
  });

  it('amount must be positive; nothing is written', async () => {
    const space = await createSpace(db());
    await expectSqlError(createExpense(db(), space, { amount: '-3.00' }), '23514');
    await expectSqlError(createExpense(db(), space, { amount: '0' }), '23514');
    expect(await db().query(`select 1 from public.expenses where space_id = $1`, [space.id])).toHaveLength(0);
  });

  it('a bank transaction id is unique within a space, not across spaces', async () => {
    const a = await createSpace(db());
    const b = await createSpace(db());
    const insert = (space: typeof a) =>
      queryAs(
        db(),
        space.owner.actor,
        `insert into public.expenses (space_id, amount, description, bank_transaction_id) values ($1, 9.99, 'Import', 'txn_1')`,
        [space.id],
      );
    await insert(a);
    await insert(b);
    await expectSqlError(insert(a), '23505');
  });

  it('a viewer cannot insert expenses; an outsider cannot insert into a space that is not theirs', async () => {
    const { space, viewer, outsider } = await spaceWithEveryRole(db());
    await expectSqlError(createExpense(db(), space, { amount: '1.00' }, viewer), '42501');
    await expectSqlError(createExpense(db(), space, { amount: '1.00' }, outsider), '42501');
  });

  it('a member changes only their own expenses; an admin changes any', async () => {
    const { space, member, admin, owner } = await spaceWithEveryRole(db());
    const ownersExpense = await createExpense(db(), space, { amount: '10.00' }, owner);
    const updateAs = (who: typeof member) =>
      queryAs(db(), who.actor, `update public.expenses set amount = 11 where id = $1 returning id`, [ownersExpense.id]);
    expect(await updateAs(member)).toHaveLength(0);
    expect(await updateAs(admin)).toHaveLength(1);
  });

  it('an inactive space takes no new expenses', async () => {
    const space = await createSpace(db());
    const member = await addMember(db(), space, 'member');
    await queryAs(db(), space.owner.actor, `update public.spaces set is_active = false where id = $1`, [space.id]);
    await expectSqlError(createExpense(db(), space, { amount: '1.00' }, member), '42501');
  });
});

describe('currencies', () => {
  it('an expense in another currency needs an exchange rate and counts its base amount', async () => {
    const space = await createSpace(db(), { currency: 'EUR' });
    const budget = await createBudget(db(), space);
    await expectSqlError(createExpense(db(), space, { amount: '10.00', currency: 'USD' }), '22023', /needs exchange_rate/);
    const e = await createExpense(db(), space, { amount: '10.00', currency: 'USD', exchange_rate: '0.9234' });
    expect(e.base_amount).toBe('9.23');
    expect((await budgetItems(db(), budget)).get('groceries')?.spent).toBe('9.23');
  });

  it('an expense in the space currency takes no exchange rate other than 1', async () => {
    const space = await createSpace(db(), { currency: 'EUR' });
    await expectSqlError(createExpense(db(), space, { amount: '10.00', currency: 'EUR', exchange_rate: '1.1' }), '22023');
    const e = await createExpense(db(), space, { amount: '10.00', currency: 'eur', exchange_rate: '1' });
    expect(await expense(e.id)).toMatchObject({ currency: 'EUR', base_amount: '10.00' });
  });

  it('a space with money in it cannot change currency', async () => {
    const space = await createSpace(db(), { currency: 'EUR' });
    await createExpense(db(), space, { amount: '1.00' });
    await expectSqlError(queryAs(db(), space.owner.actor, `update public.spaces set currency = 'USD' where id = $1`, [space.id]), '55000');
  });
});

describe('automatic budget links', () => {
  it('an expense links to the item of its category in the master budget of its month', async () => {
    const space = await createSpace(db());
    const budget = await createBudget(db(), space, { month: '2025-10-01' });
    const items = await budgetItems(db(), budget);
    const e = await createExpense(db(), space, { amount: '42.00', category: 'dining', date: '2025-10-20' });
    expect(e).toMatchObject({ budget_id: budget, budget_item_id: items.get('dining')!.id });
  });

  it('changing the date or the category moves the link, and the totals follow', async () => {
    const space = await createSpace(db());
    const october = await createBudget(db(), space, { month: '2025-10-01' });
    const november = await createBudget(db(), space, { month: '2025-11-01' });
    const e = await createExpense(db(), space, { amount: '20.00', category: 'groceries', date: '2025-10-31' });
    await queryAs(db(), space.owner.actor, `update public.expenses set date = '2025-11-01' where id = $1`, [e.id]);
    expect((await expense(e.id))?.budget_item_id).toBe((await budgetItems(db(), november)).get('groceries')!.id);
    await queryAs(db(), space.owner.actor, `update public.expenses set category = 'transport' where id = $1`, [e.id]);
    expect((await expense(e.id))?.budget_item_id).toBe((await budgetItems(db(), november)).get('transport')!.id);
    expect((await budgetItems(db(), october)).get('groceries')?.spent).toBe('0.00');
    expect(await totalsDrift(db())).toEqual([]);
  });

  it('a month without a master budget leaves the expense unlinked until one is created', async () => {
    const space = await createSpace(db());
    const e = await createExpense(db(), space, { amount: '15.50', category: 'health', date: '2025-09-10' });
    expect(e).toMatchObject({ budget_id: null, budget_item_id: null });
    const september = await createBudget(db(), space, { month: '2025-09-01' });
    const items = await budgetItems(db(), september);
    expect(await expense(e.id)).toMatchObject({ budget_id: september, budget_item_id: items.get('health')!.id });
    expect(items.get('health')?.spent).toBe('15.50');
  });

  it('a category with no item still counts towards the month budget total', async () => {
    const space = await createSpace(db());
    const budget = await createBudget(db(), space, { framework: 'custom' });
    const e = await createExpense(db(), space, { amount: '8.00', category: 'pets' });
    expect(e).toMatchObject({ budget_id: budget, budget_item_id: null });
    const [row] = await db().query<{ total_spent: string }>(`select total_spent from public.budgets where id = $1`, [budget]);
    expect(row?.total_spent).toBe('8.00');
  });

  it('an expense put in a project budget by hand stays there when its date changes', async () => {
    const space = await createSpace(db());
    await createBudget(db(), space, { month: '2025-10-01' });
    const project = await createBudget(db(), space, { month: '2025-10-01', type: 'secondary', framework: 'custom' });
    const e = await createExpense(db(), space, { amount: '300.00', category: 'travel', budget_id: project });
    await queryAs(db(), space.owner.actor, `update public.expenses set date = '2025-10-02' where id = $1`, [e.id]);
    expect((await expense(e.id))?.budget_id).toBe(project);
  });

  it('a budget item of another space is rejected and nothing is written', async () => {
    const mine = await createSpace(db());
    const theirs = await createSpace(db());
    const theirBudget = await createBudget(db(), theirs);
    const theirItem = (await budgetItems(db(), theirBudget)).get('groceries')!.id;
    await expectSqlError(createExpense(db(), mine, { amount: '5.00', budget_item_id: theirItem }), '22023', /not in this space/);
    expect((await budgetItems(db(), theirBudget)).get('groceries')?.spent).toBe('0.00');
  });

  it('deleting a budget item unlinks its expenses; deleting the budget unlinks them from it', async () => {
    const space = await createSpace(db());
    const budget = await createBudget(db(), space);
    const e = await createExpense(db(), space, { amount: '12.00', category: 'groceries' });
    await queryAs(db(), space.owner.actor, `delete from public.budget_items where id = $1`, [e.budget_item_id]);
    expect(await expense(e.id)).toMatchObject({ budget_id: budget, budget_item_id: null });
    await queryAs(db(), space.owner.actor, `delete from public.budgets where id = $1`, [budget]);
    expect(await expense(e.id)).toMatchObject({ budget_id: null, budget_item_id: null });
    expect(await totalsDrift(db())).toEqual([]);
  });
});

describe("the insert statement's memory of the month's budget", () => {
  const insertPets = (tx: Parameters<Parameters<typeof actAs>[2]>[0], spaceId: string) =>
    tx.query<{ budget_item_id: string | null }>(
      `insert into public.expenses (space_id, amount, description, category, date) values ($1, 4, 'Food', 'pets', '2025-10-05')
       returning budget_item_id`,
      [spaceId],
    );

  it('an item added between two inserts of one transaction takes the second one (and picks up the first)', async () => {
    const space = await createSpace(db());
    const budget = await createBudget(db(), space, { framework: 'custom' });
    const [first, second] = await actAs(db(), space.owner.actor, async (tx) => {
      const [a] = await insertPets(tx, space.id);
      await tx.query(
        `insert into public.budget_items (budget_id, category, category_type, budgeted_amount) values ($1, 'pets', 'wants', 50)`,
        [budget],
      );
      const [b] = await insertPets(tx, space.id);
      return [a, b];
    });
    expect(first?.budget_item_id).toBeNull();
    const pets = (await budgetItems(db(), budget)).get('pets')!;
    expect(second?.budget_item_id).toBe(pets.id);
    expect(pets.spent).toBe('8.00');
    expect(await totalsDrift(db())).toEqual([]);
  });

  it('a row without a date is refused as a missing value, as any other row (23502)', async () => {
    const space = await createSpace(db());
    await createBudget(db(), space);
    await expectSqlError(
      queryAs(
        db(),
        space.owner.actor,
        `insert into public.expenses (space_id, amount, description, date) values ($1, 3, 'No date', null)`,
        [space.id],
      ),
      '23502',
    );
  });

  it('nothing of it stays in the session after the statement', async () => {
    const space = await createSpace(db());
    await createBudget(db(), space);
    const [left] = await actAs(db(), space.owner.actor, async (tx) => {
      await insertPets(tx, space.id);
      return tx.query<{ link: string | null }>(`select current_setting('wallai.expense_link', true) as link`);
    });
    expect(left).toEqual({ link: '' });
  });

  it("a client that forges it mid-statement to reach another space's budget is refused and nothing is written", async () => {
    const mine = await createSpace(db());
    const theirs = await createSpace(db());
    await createBudget(db(), mine);
    const theirBudget = await createBudget(db(), theirs);
    const theirItem = (await budgetItems(db(), theirBudget)).get('groceries')!.id;
    const forged = `${mine.id}|2025-10-01|USD|${theirBudget}|${mine.owner.id}|;groceries=${theirItem};`;
    await expectSqlError(
      queryAs(
        db(),
        mine.owner.actor,
        `insert into public.expenses (space_id, amount, description, category, date)
         select $1, 5, 'Forged', 'groceries', '2025-10-03' from (select set_config('wallai.expense_link', $2, false)) f`,
        [mine.id, forged],
      ),
      '22023',
      /outside its space/,
    );
    await expectSqlError(
      queryAs(
        db(),
        mine.owner.actor,
        `insert into public.expenses (space_id, amount, description, category, date)
         select $1, 5, 'Forged', 'groceries', '2025-10-03' from (select set_config('wallai.expense_link', $2, false)) f`,
        [mine.id, `||||${theirs.owner.id}|`],
      ),
      '42501',
    );
    expect(await db().query(`select 1 from public.expenses where description = 'Forged'`)).toHaveLength(0);
    expect((await budgetItems(db(), theirBudget)).get('groceries')?.spent).toBe('0.00');
  });
});

const CATEGORIES = ['groceries', 'dining', 'transport', 'pets'] as const;
const DATES = ['2025-09-30', '2025-10-01', '2025-10-15', '2025-10-31', '2025-11-01', '2025-11-20'] as const;

const operation = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    cents: fc.integer({ min: 1, max: 500_000 }),
    category: fc.constantFrom(...CATEGORIES),
    date: fc.constantFrom(...DATES),
    foreign: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('amount' as const), pick: fc.nat(), cents: fc.integer({ min: 1, max: 500_000 }) }),
  fc.record({
    kind: fc.constant('move' as const),
    pick: fc.nat(),
    category: fc.constantFrom(...CATEGORIES),
    date: fc.constantFrom(...DATES),
  }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('budgeted' as const),
    category: fc.constantFrom(...CATEGORIES),
    cents: fc.integer({ min: 0, max: 100_000 }),
  }),
);

describe('totals stay exact', () => {
  it('any sequence of inserts, updates and deletes keeps every total equal to a recomputation', async () => {
    const space = await createSpace(db(), { currency: 'EUR' });
    const october = await createBudget(db(), space, { month: '2025-10-01' });
    await createBudget(db(), space, { month: '2025-11-01', framework: 'zero_based' });
    const owner = space.owner.actor;

    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 15 }), async (ops) => {
        const ids: string[] = (
          await db().query<{ id: string }>(`select id from public.expenses where space_id = $1 order by id`, [space.id])
        ).map((r) => r.id);
        for (const op of ops) {
          const target = ids.length > 0 && 'pick' in op ? ids[op.pick % ids.length] : undefined;
          if (op.kind === 'insert') {
            const e = await createExpense(db(), space, {
              amount: centsToDecimal(op.cents),
              category: op.category,
              date: op.date,
              ...(op.foreign ? { currency: 'USD', exchange_rate: '0.91' } : {}),
            });
            ids.push(e.id);
          } else if (op.kind === 'amount' && target) {
            await queryAs(db(), owner, `update public.expenses set amount = $2::numeric where id = $1`, [target, centsToDecimal(op.cents)]);
          } else if (op.kind === 'move' && target) {
            await queryAs(db(), owner, `update public.expenses set category = $2, date = $3::date where id = $1`, [
              target,
              op.category,
              op.date,
            ]);
          } else if (op.kind === 'delete' && target) {
            await queryAs(db(), owner, `delete from public.expenses where id = $1`, [target]);
            ids.splice(ids.indexOf(target), 1);
          } else if (op.kind === 'budgeted') {
            await queryAs(
              db(),
              owner,
              `update public.budget_items set budgeted_amount = $3::numeric where budget_id = $1 and category = $2`,
              [october, op.category, centsToDecimal(op.cents)],
            );
          }
        }
        expect(await totalsDrift(db())).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });

  it('8 parallel writers on one budget item leave zero drift', async () => {
    const space = await createSpace(db());
    const writers = await Promise.all(Array.from({ length: 7 }, () => addMember(db(), space, 'member')));
    const everyone = [space.owner, ...writers];
    const budget = await createBudget(db(), space);
    const item = (await budgetItems(db(), budget)).get('groceries')!.id;
    const pool = onRealServer() ? db().connectAgain({ max: 8 }) : db();

    await Promise.all(
      everyone.map(async (person, w) => {
        for (let i = 0; i < 12; i++) {
          const cents = 100 + ((w * 37 + i * 53) % 9000);
          await actAs(pool, person.actor, async (tx) => {
            const [row] = await tx.query<{ id: string }>(
              `insert into public.expenses (space_id, amount, description, category, date) values ($1, $2::numeric, 'parallel', 'groceries', '2025-10-10') returning id`,
              [space.id, centsToDecimal(cents)],
            );
            if (i % 3 === 1) await tx.query(`update public.expenses set amount = amount + 1 where id = $1`, [row!.id]);
            if (i % 4 === 2) await tx.query(`delete from public.expenses where id = $1`, [row!.id]);
          });
        }
      }),
    );

    expect(await totalsDrift(db())).toEqual([]);
    const [spent] = await db().query<{ spent: string; recomputed: string }>(
      `select i.spent_amount as spent, (select sum(base_amount) from public.expenses where budget_item_id = i.id) as recomputed from public.budget_items i where i.id = $1`,
      [item],
    );
    expect(spent?.spent).toBe(spent?.recomputed);
  });
});

describe('search_expenses', () => {
  it('ranks by trigram similarity and never shows another space', async () => {
    const space = await createSpace(db());
    const other = await createSpace(db());
    await createExpense(db(), space, { amount: '4.50', description: 'Starbucks coffee' });
    await createExpense(db(), space, { amount: '60.00', description: 'Mercadona weekly shop' });
    await createExpense(db(), space, { amount: '3.20', description: 'Coffee beans' });
    await createExpense(db(), other, { amount: '9.99', description: 'Starbucks' });

    const rows = await queryAs<{ description: string; space_id: string }>(
      db(),
      space.owner.actor,
      `select description, space_id from public.search_expenses($1, 'starbucks', 10)`,
      [space.id],
    );
    expect(rows[0]?.description).toBe('Starbucks coffee');
    expect(rows.every((r) => r.space_id === space.id)).toBe(true);

    const outsider = await createUser(db());
    expect(await queryAs(db(), outsider.actor, `select * from public.search_expenses($1, 'starbucks')`, [space.id])).toHaveLength(0);
  });

  it('a query shorter than 2 characters or a silly limit is rejected', async () => {
    const space = await createSpace(db());
    await expectSqlError(queryAs(db(), space.owner.actor, `select * from public.search_expenses($1, ' a ')`, [space.id]), '22023');
    await expectSqlError(queryAs(db(), space.owner.actor, `select * from public.search_expenses($1, 'coffee', 1000)`, [space.id]), '22023');
  });
});

describe('category source', () => {
  const source = async (id: string) =>
    (
      await db().query<{ category_source: string; ai_category_confidence: string | null }>(
        `select category_source, ai_category_confidence from public.expenses where id = $1`,
        [id],
      )
    )[0];

  it('an expense without a category is "default"; one with a chosen category is "user"', async () => {
    const space = await createSpace(db());
    const [plain] = await queryAs<{ id: string }>(
      db(),
      space.owner.actor,
      `insert into public.expenses (space_id, amount, description) values ($1, 3, 'Something') returning id`,
      [space.id],
    );
    expect(await source(plain!.id)).toEqual({ category_source: 'default', ai_category_confidence: null });
    const chosen = await createExpense(db(), space, { amount: '3.00', category: 'dining' });
    expect((await source(chosen.id))?.category_source).toBe('user');
  });

  it("an insert that names its source keeps it and its confidence; a person's insert carries no confidence", async () => {
    const space = await createSpace(db());
    const [named, person] = await queryAs<{ id: string }>(
      db(),
      space.owner.actor,
      `insert into public.expenses (space_id, amount, description, category, category_source, ai_category_confidence)
       values ($1, 3, 'Uber trip', 'transport', 'rules', 0.93), ($1, 4, 'Lunch', 'dining', 'default', 0.5) returning id`,
      [space.id],
    );
    expect(await source(named!.id)).toEqual({ category_source: 'rules', ai_category_confidence: '0.93' });
    expect(await source(person!.id)).toEqual({ category_source: 'user', ai_category_confidence: null });
  });

  it('the categorizer names its source and confidence; a person changing the category afterwards makes it "user"', async () => {
    const space = await createSpace(db());
    const [row] = await queryAs<{ id: string }>(
      db(),
      space.owner.actor,
      `insert into public.expenses (space_id, amount, description) values ($1, 3, 'Uber trip') returning id`,
      [space.id],
    );
    await queryAs(
      db(),
      space.owner.actor,
      `update public.expenses set category = 'transport', category_source = 'rules', ai_category_confidence = 0.93 where id = $1`,
      [row!.id],
    );
    expect(await source(row!.id)).toEqual({ category_source: 'rules', ai_category_confidence: '0.93' });
    await queryAs(db(), space.owner.actor, `update public.expenses set category = 'travel' where id = $1`, [row!.id]);
    expect(await source(row!.id)).toEqual({ category_source: 'user', ai_category_confidence: null });
  });
});

describe('statement-level totals', () => {
  const spent = async (budget: string) => {
    const items = await budgetItems(db(), budget);
    const [row] = await db().query<{ total_spent: string; total_budgeted: string }>(
      `select total_spent, total_budgeted from public.budgets where id = $1`,
      [budget],
    );
    return { items, total: row?.total_spent, budgeted: row?.total_budgeted };
  };
  const insertMany = (
    space: { id: string; owner: { actor: Parameters<typeof queryAs>[1] } },
    rows: Array<[string, string, string]>,
    extra = '',
  ) =>
    queryAs<{ id: string }>(
      db(),
      space.owner.actor,
      `insert into public.expenses (space_id, amount, category, date, description${extra ? ', currency, exchange_rate' : ''})
       select $1, u.amount, u.category, u.date, 'batch'${extra}
         from unnest($2::numeric[], $3::text[], $4::date[]) as u(amount, category, date) returning id`,
      [space.id, rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
    );

  it('one insert of many rows over several items, months and currencies adds each amount exactly once', async () => {
    const space = await createSpace(db(), { currency: 'EUR' });
    const october = await createBudget(db(), space, { month: '2025-10-01' });
    const november = await createBudget(db(), space, { month: '2025-11-01' });
    const rows: Array<[string, string, string]> = [];
    for (let k = 0; k < 60; k++) {
      rows.push([(((k * 137) % 5000) / 100 + 0.01).toFixed(2), CATEGORIES[k % CATEGORIES.length]!, DATES[k % DATES.length]!]);
    }
    expect(await insertMany(space, rows)).toHaveLength(60);
    const cents = (month: string, category?: string) =>
      rows
        .filter((r) => r[2].startsWith(month) && (!category || r[1] === category))
        .reduce((c, r) => c + Math.round(Number(r[0]) * 100), 0);
    const oct = await spent(october);
    for (const category of ['groceries', 'dining', 'transport']) {
      expect(oct.items.get(category)?.spent).toBe((cents('2025-10', category) / 100).toFixed(2));
    }
    expect(oct.total).toBe((cents('2025-10') / 100).toFixed(2)); // 'pets' has no item: budget only
    expect((await spent(november)).total).toBe((cents('2025-11') / 100).toFixed(2));

    await insertMany(space, rows.slice(0, 10), `, 'USD', 0.91`);
    expect(await totalsDrift(db())).toEqual([]);
  });

  it('an update that moves many expenses between items, months and amounts at once keeps every total exact', async () => {
    const space = await createSpace(db());
    const october = await createBudget(db(), space, { month: '2025-10-01' });
    await createBudget(db(), space, { month: '2025-11-01', framework: 'zero_based' });
    const rows = Array.from({ length: 40 }, (_, k): [string, string, string] => [
      (10 + k).toFixed(2),
      CATEGORIES[k % 4]!,
      DATES[k % DATES.length]!,
    ]);
    await insertMany(space, rows);
    const owner = space.owner.actor;

    // Rotate every category and shift every date by a month, in one statement.
    await queryAs(
      db(),
      owner,
      `update public.expenses
          set category = case category when 'groceries' then 'dining' when 'dining' then 'transport' when 'transport' then 'pets' else 'groceries' end,
              date = (date + interval '1 month')::date
        where space_id = $1`,
      [space.id],
    );
    expect(await totalsDrift(db())).toEqual([]);
    // Amounts and links at once; some rows cancel out within an item.
    await queryAs(
      db(),
      owner,
      `update public.expenses set amount = amount + case when amount < 30 then 1 else -1 end, category = 'dining' where space_id = $1`,
      [space.id],
    );
    expect(await totalsDrift(db())).toEqual([]);
    const [{ total } = { total: '' }] = await db().query<{ total: string }>(
      `select coalesce(sum(base_amount), 0)::text as total from public.expenses where budget_item_id = $1`,
      [(await budgetItems(db(), october)).get('dining')!.id],
    );
    expect((await spent(october)).items.get('dining')?.spent).toBe(total === '0' ? '0.00' : total);
  });

  it('an update that changes no amount or link writes no totals row', async () => {
    const space = await createSpace(db());
    const budget = await createBudget(db(), space);
    await insertMany(
      space,
      Array.from({ length: 20 }, (_, k): [string, string, string] => ['5.00', CATEGORIES[k % 3]!, '2025-10-15']),
    );
    const versions = () =>
      db().query<{ id: string; xmin: string }>(
        `select id, xmin::text as xmin from public.budget_items where budget_id = $1 union all select id, xmin::text from public.budgets where id = $1 order by 1`,
        [budget],
      );
    const before = await versions();
    await queryAs(db(), space.owner.actor, `update public.expenses set description = 'renamed', tags = '{a}' where space_id = $1`, [
      space.id,
    ]);
    // Equal amounts swap items in one statement: every item and the budget net to zero.
    await queryAs(
      db(),
      space.owner.actor,
      `update public.expenses set category = case category when 'groceries' then 'dining' when 'dining' then 'groceries' else category end
        where space_id = $1`,
      [space.id],
    );
    expect(await versions()).toEqual(before);
    expect(await totalsDrift(db())).toEqual([]);
  });

  it('a delete of many rows, an upsert and FK set-null actions keep totals exact', async () => {
    const space = await createSpace(db());
    const budget = await createBudget(db(), space);
    const rows = Array.from({ length: 30 }, (_, k): [string, string, string] => [
      (1 + k / 4).toFixed(2),
      CATEGORIES[k % 4]!,
      DATES[k % DATES.length]!,
    ]);
    await insertMany(space, rows);
    await queryAs(db(), space.owner.actor, `delete from public.expenses where space_id = $1 and category in ('groceries', 'pets')`, [
      space.id,
    ]);
    expect(await totalsDrift(db())).toEqual([]);

    // INSERT ... ON CONFLICT DO UPDATE fires both the insert and the update totals.
    const upsert = `insert into public.expenses (space_id, amount, description, category, date, bank_transaction_id)
      select $1, u.amount, 'import', 'transport', '2025-10-20', u.txn from unnest($2::numeric[], $3::text[]) as u(amount, txn)
      on conflict (space_id, bank_transaction_id) do update set amount = excluded.amount`;
    await queryAs(db(), space.owner.actor, upsert, [space.id, ['10.00', '20.00'], ['t1', 't2']]);
    await queryAs(db(), space.owner.actor, upsert, [space.id, ['11.00', '3.00', '7.50'], ['t1', 't3', 't2']]);
    expect((await spent(budget)).items.get('transport')?.spent).toBe(
      (
        rows.filter((r) => r[1] === 'transport' && r[2].startsWith('2025-10')).reduce((c, r) => c + Math.round(Number(r[0]) * 100), 0) /
          100 +
        21.5
      ).toFixed(2),
    );
    expect(await totalsDrift(db())).toEqual([]);

    // Deleting items (on delete set null on expenses) and then the budget.
    await queryAs(db(), space.owner.actor, `delete from public.budget_items where budget_id = $1 and category in ('dining', 'transport')`, [
      budget,
    ]);
    expect(await totalsDrift(db())).toEqual([]);
    await queryAs(db(), space.owner.actor, `delete from public.budgets where id = $1`, [budget]);
    expect(await totalsDrift(db())).toEqual([]);
  });

  it('budgeted totals follow multi-row item inserts and deletes', async () => {
    const space = await createSpace(db());
    const budget = await createBudget(db(), space, { income: '5000.00' });
    expect((await spent(budget)).budgeted).toBe('5000.00');
    await queryAs(
      db(),
      space.owner.actor,
      `delete from public.budget_items where budget_id = $1 and category_type in ('needs', 'income')`,
      [budget],
    );
    expect((await spent(budget)).budgeted).toBe('2500.00');
    await queryAs(
      db(),
      space.owner.actor,
      `insert into public.budget_items (budget_id, category, category_type, budgeted_amount)
       values ($1, 'groceries', 'needs', 100.10), ($1, 'housing', 'needs', 900.00), ($1, 'income', 'income', 5000.00)`,
      [budget],
    );
    expect((await spent(budget)).budgeted).toBe('3500.10');
    expect(await totalsDrift(db())).toEqual([]);
  });

  it('parallel multi-row writers touching many items in different orders neither deadlock nor drift', async () => {
    const space = await createSpace(db());
    const writers = await Promise.all(Array.from({ length: 5 }, () => addMember(db(), space, 'member')));
    const everyone = [space.owner, ...writers];
    await createBudget(db(), space);
    const pool = onRealServer() ? db().connectAgain({ max: 6 }) : db();

    await Promise.all(
      everyone.map(async (person, w) => {
        for (let i = 0; i < 6; i++) {
          const order = w % 2 === 0 ? [...CATEGORIES] : [...CATEGORIES].reverse();
          await actAs(pool, person.actor, async (tx) => {
            await tx.query(
              `insert into public.expenses (space_id, amount, description, category, date)
               select $1, 1 + g * 0.37, 'parallel', ($2::text[])[1 + g % 4], '2025-10-10' from generate_series(0, 11) g`,
              [space.id, order],
            );
            await tx.query(
              `update public.expenses set category = ($2::text[])[1 + (extract(epoch from created_at)::bigint + $3) % 4], amount = amount + 0.01
                where space_id = $1 and created_by = (select auth.uid())`,
              [space.id, order, i],
            );
            if (i % 2 === 1)
              await tx.query(`delete from public.expenses where space_id = $1 and created_by = (select auth.uid()) and amount > 3`, [
                space.id,
              ]);
          });
        }
      }),
    );
    expect(await totalsDrift(db())).toEqual([]);
  });
});
