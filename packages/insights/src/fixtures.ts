/**
 * Small factories for the engine's tests, the recurrence evaluation and the
 * benchmark: a space built up row by row, with deterministic ids and a seeded
 * random generator, never real data.
 */
import { dayNumber, fromDayNumber, plusMonths } from './dates.ts';
import type {
  BankAccountInput,
  BankTransactionInput,
  BudgetInput,
  BudgetItemInput,
  ExpenseInput,
  InsightsInput,
  MemberInput,
  SplitInput,
} from './types.ts';

/** mulberry32: a tiny seeded PRNG, so generated spaces are the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

export interface ExpenseSpec {
  readonly date: string;
  readonly amount: number;
  readonly description: string;
  readonly category?: string;
  readonly payer?: string;
  readonly currency?: string;
  /** Space-currency units per unit of `currency`. */
  readonly rate?: number;
  readonly id?: string;
}

export class SpaceBuilder {
  readonly space: { id: string; currency: string; timezone: string };
  now: string;
  readonly members: MemberInput[] = [];
  readonly expenses: ExpenseInput[] = [];
  readonly splits: SplitInput[] = [];
  readonly budgets: BudgetInput[] = [];
  readonly budgetItems: BudgetItemInput[] = [];
  readonly bankAccounts: BankAccountInput[] = [];
  readonly bankTransactions: BankTransactionInput[] = [];
  private seq = 0;

  constructor(options: { id?: string; currency?: string; timezone?: string; now?: string } = {}) {
    this.space = { id: options.id ?? 'space-1', currency: options.currency ?? 'USD', timezone: options.timezone ?? 'America/New_York' };
    this.now = options.now ?? '2025-11-20T15:00:00.000Z';
  }

  private nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}-${String(this.seq).padStart(5, '0')}`;
  }

  /** Today in the fixture's terms: the UTC date of `now` (fixtures keep `now` mid-day). */
  get today(): string {
    return this.now.slice(0, 10);
  }

  daysAgo(n: number): string {
    return fromDayNumber(dayNumber(this.today) - n);
  }

  member(
    userId: string,
    options: { role?: MemberInput['role']; consent?: boolean; version?: string | null; name?: string; active?: boolean } = {},
  ): this {
    this.members.push({
      user_id: userId,
      role: options.role ?? (this.members.length === 0 ? 'owner' : 'member'),
      is_active: options.active ?? true,
      consent_status: options.consent ?? true,
      consent_version: options.consent === false ? null : (options.version ?? '1.0'),
      display_name: options.name ?? userId,
    });
    return this;
  }

  expense(spec: ExpenseSpec): string {
    const id = spec.id ?? this.nextId('e');
    const cents = Math.round(spec.amount * 100);
    const currency = spec.currency ?? this.space.currency;
    const base = currency === this.space.currency ? cents : Math.round(cents * (spec.rate ?? 1));
    this.expenses.push({
      id,
      date: spec.date,
      amount: money(cents),
      currency,
      base_amount: money(base),
      description: spec.description,
      category: spec.category ?? 'other',
      created_by: spec.payer ?? this.members[0]?.user_id ?? null,
    });
    return id;
  }

  split(expenseId: string, userId: string, amount: number): this {
    this.splits.push({ id: this.nextId('s'), expense_id: expenseId, user_id: userId, amount: amount.toFixed(2) });
    return this;
  }

  /** Charges every `everyDays` days (or every `months` months), `count` times, the last one `lastDaysAgo` days ago. */
  series(spec: {
    description: string | readonly string[];
    amount: number | readonly number[];
    count: number;
    everyDays?: number;
    months?: number;
    lastDaysAgo?: number;
    category?: string;
    payer?: string;
    currency?: string;
    rate?: number;
    jitter?: number;
    rng?: () => number;
  }): string[] {
    const ids: string[] = [];
    const last = dayNumber(this.daysAgo(spec.lastDaysAgo ?? 2));
    for (let k = spec.count - 1; k >= 0; k--) {
      let day: number;
      if (spec.months) day = dayNumber(plusMonths(fromDayNumber(last), -k * spec.months));
      else day = last - k * (spec.everyDays ?? 30);
      if (spec.jitter && spec.rng) day += Math.round((spec.rng() * 2 - 1) * spec.jitter);
      const i = spec.count - 1 - k;
      const description = typeof spec.description === 'string' ? spec.description : spec.description[i % spec.description.length]!;
      const amount = typeof spec.amount === 'number' ? spec.amount : spec.amount[Math.min(i, spec.amount.length - 1)]!;
      ids.push(
        this.expense({
          date: fromDayNumber(day),
          amount,
          description,
          category: spec.category ?? 'subscriptions',
          ...(spec.payer ? { payer: spec.payer } : {}),
          ...(spec.currency ? { currency: spec.currency } : {}),
          ...(spec.rate ? { rate: spec.rate } : {}),
        }),
      );
    }
    return ids;
  }

  /** A master budget for the month of `month` (yyyy-MM-01) with items `{ category: [type, budgeted, spent] }`. */
  budget(month: string, items: Record<string, [BudgetItemInput['category_type'], number, number]>, income = 0): string {
    const id = this.nextId('b');
    let budgeted = 0;
    let spent = 0;
    for (const [category, [type, b, s]] of Object.entries(items)) {
      this.budgetItems.push({
        id: this.nextId('bi'),
        budget_id: id,
        category,
        category_type: type,
        budgeted_amount: b.toFixed(2),
        spent_amount: s.toFixed(2),
      });
      if (type !== 'income') budgeted += b;
      spent += s;
    }
    this.budgets.push({
      id,
      type: 'master',
      month_period: month,
      total_income: income.toFixed(2),
      total_budgeted: budgeted.toFixed(2),
      total_spent: spent.toFixed(2),
      currency: this.space.currency,
    });
    return id;
  }

  account(spec: Partial<BankAccountInput> & { type: BankAccountInput['type'] }): string {
    const id = spec.id ?? this.nextId('acc');
    this.bankAccounts.push({
      id,
      name: spec.name ?? `${spec.type} account`,
      type: spec.type,
      subtype: spec.subtype ?? null,
      currency: spec.currency ?? this.space.currency,
      current_balance: spec.current_balance ?? null,
      available_balance: spec.available_balance ?? null,
      credit_limit: spec.credit_limit ?? null,
    });
    return id;
  }

  line(spec: {
    account: string;
    date: string;
    amount: number;
    description: string;
    kind: BankTransactionInput['kind'];
    expense_id?: string;
  }): string {
    const id = this.nextId('t');
    this.bankTransactions.push({
      id,
      account_id: spec.account,
      date: spec.date,
      amount: spec.amount.toFixed(2),
      currency: this.space.currency,
      description: spec.description,
      kind: spec.kind,
      expense_id: spec.expense_id ?? null,
    });
    return id;
  }

  build(): InsightsInput {
    return {
      space: { ...this.space },
      now: this.now,
      members: [...this.members],
      expenses: [...this.expenses],
      splits: [...this.splits],
      budgets: [...this.budgets],
      budget_items: [...this.budgetItems],
      bank_accounts: [...this.bankAccounts],
      bank_transactions: [...this.bankTransactions],
    };
  }
}

const GROCERS = ['Fresh Market', 'Corner Grocer', 'Green Basket', 'Daily Foods', 'Harvest Store'];
const CAFES = ['Bean There Cafe', 'Morning Cup', 'Brew Lab'];
const DINERS = ['Taco Town', 'Pasta Place', 'Sushi Spot', 'Burger Barn', 'Noodle House'];
const SHOPS = ['Home Goods Outlet', 'Tech Corner', 'Book Nook', 'Sport Depot'];

/**
 * A space with `count` expenses over the last 180 days: everyday spending at a
 * few dozen merchants plus a handful of subscriptions, for the benchmark.
 */
export function generatedSpace(count: number, seed = 1, options: { now?: string; currency?: string } = {}): InsightsInput {
  const rng = seeded(seed);
  const b = new SpaceBuilder({
    id: `space-gen-${seed}`,
    ...(options.now ? { now: options.now } : {}),
    ...(options.currency ? { currency: options.currency } : {}),
  });
  b.member('u-1', { name: 'Alex' }).member('u-2', { name: 'Sam' });
  const subs: [string, number][] = [
    ['Netflix', 15.49],
    ['Spotify', 10.99],
    ['Gym Membership', 39],
    ['Cloud Storage', 2.99],
  ];
  for (const [description, amount] of subs) b.series({ description, amount, count: 6, months: 1, lastDaysAgo: 1 + Math.floor(rng() * 25) });
  const pools: [readonly string[], string, number, number][] = [
    [GROCERS, 'groceries', 20, 160],
    [CAFES, 'dining', 3, 12],
    [DINERS, 'dining', 12, 70],
    [SHOPS, 'shopping', 10, 250],
  ];
  const remaining = Math.max(0, count - b.expenses.length);
  for (let i = 0; i < remaining; i++) {
    const [names, category, lo, hi] = pools[Math.floor(rng() * pools.length)]!;
    const name = names[Math.floor(rng() * names.length)]!;
    const amount = Math.round((lo + rng() * (hi - lo)) * 100) / 100;
    const id = b.expense({
      date: b.daysAgo(Math.floor(rng() * 180)),
      amount,
      description: `${name} #${100 + Math.floor(rng() * 50)}`,
      category,
      payer: rng() < 0.6 ? 'u-1' : 'u-2',
    });
    if (rng() < 0.2) b.split(id, rng() < 0.5 ? 'u-2' : 'u-1', Math.round(amount * 50) / 100);
  }
  const month = b.today.slice(0, 8) + '01';
  b.budget(
    month,
    { groceries: ['needs', 6000, 2500], dining: ['wants', 3000, 1800], shopping: ['wants', 4000, 2000], subscriptions: ['wants', 100, 68] },
    15000,
  );
  return b.build();
}

/**
 * A household with everything the engine looks at: subscriptions (one with a
 * price change), everyday spending with a recent spike and a dining trend, a
 * month's budget running hot, a checking, a savings and a credit account,
 * biweekly pay with the latest paycheck missing, and shared costs Alice
 * mostly pays. Every insight type comes out of it.
 */
export function richSpace(options: { currency?: string; timezone?: string; now?: string } = {}): InsightsInput {
  const rng = seeded(11);
  const b = new SpaceBuilder({ id: 'space-rich', ...options });
  b.member('u-alice', { name: 'Alice' }).member('u-bob', { name: 'Bob' }).member('u-vic', { name: 'Vic', role: 'viewer', consent: false });
  b.series({
    description: ['NETFLIX.COM 866-579', 'Netflix'],
    amount: [15.49, 15.49, 15.49, 15.49, 17.99, 17.99, 17.99],
    count: 7,
    months: 1,
    lastDaysAgo: 5,
    payer: 'u-alice',
  });
  b.series({ description: 'SPOTIFY USA', amount: 10.99, count: 7, months: 1, lastDaysAgo: 12, payer: 'u-bob' });
  b.series({ description: 'Iron Gym Membership', amount: 39, count: 7, months: 1, lastDaysAgo: 18, payer: 'u-alice' });
  for (let day = 178; day > 0; day -= 3 + Math.floor(rng() * 4)) {
    const id = b.expense({
      date: b.daysAgo(day),
      amount: Math.round((55 + rng() * 60) * 100) / 100,
      description: pick(rng, GROCERS),
      category: 'groceries',
      payer: rng() < 0.75 ? 'u-alice' : 'u-bob',
    });
    if (rng() < 0.5) b.split(id, 'u-bob', 20);
  }
  b.expense({ date: b.daysAgo(6), amount: 912.4, description: 'Corner Grocer catering order', category: 'groceries', payer: 'u-alice' });
  for (let day = 178; day > 0; day -= day > 30 ? 9 : 3) {
    b.expense({
      date: b.daysAgo(day),
      amount: Math.round((25 + rng() * 30) * 100) / 100,
      description: pick(rng, DINERS),
      category: 'dining',
      payer: 'u-alice',
    });
  }
  const month = b.today.slice(0, 8) + '01';
  b.budget(
    month,
    {
      groceries: ['needs', 700, 1350],
      dining: ['wants', 250, 310],
      subscriptions: ['wants', 70, 67.98],
      emergency_fund: ['savings', 200, 0],
      income: ['income', 5200, 0],
    },
    5200,
  );
  const checking = b.account({ type: 'depository', subtype: 'checking', name: 'Everyday checking', current_balance: '1800.00' });
  const savings = b.account({ type: 'depository', subtype: 'savings', name: 'Rainy day savings', current_balance: '4200.00' });
  const card = b.account({
    type: 'credit',
    subtype: 'credit card',
    name: 'Travel card',
    current_balance: '3400.00',
    credit_limit: '5000.00',
  });
  for (let k = 0; k < 6; k++)
    b.line({ account: savings, date: b.daysAgo(10 + k * 30), amount: -250, description: 'Transfer from checking', kind: 'transfer' });
  // Biweekly pay; the one due about 6 days ago is missing.
  for (let k = 1; k <= 12; k++)
    b.line({ account: checking, date: b.daysAgo(6 + 14 * k), amount: -2600, description: 'ACME CORP PAYROLL', kind: 'income' });
  b.line({ account: card, date: b.daysAgo(15), amount: -100, description: 'Payment thank you', kind: 'card_payment' });
  b.line({ account: card, date: b.daysAgo(12), amount: 48.2, description: 'Interest charge', kind: 'interest' });
  return b.build();
}

function pick<T>(rng: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length)]!;
}
