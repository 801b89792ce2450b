/**
 * A realistic, deterministic Wallai dataset for the database benchmark:
 * households of 1-6 people sharing a space, a master budget per month built
 * like a framework budget, expenses with bank-statement descriptions, amounts,
 * dates, currencies and tags, and (when public.expense_splits exists) splits
 * of shared expenses among the members, in integer cents that add up exactly.
 *
 * Everything is written as the database owner in multi-row INSERT ... SELECT
 * FROM unnest(...) batches. Budgets, items and expenses go through the real
 * triggers (linking, totals). Users, spaces and memberships are written
 * directly by default (identity: 'direct', triggers off for that transaction)
 * because each sign-up costs two pg_timezone_names scans (~35 ms each); with
 * identity: 'signup' they go through auth.users and the space triggers too.
 */
import type { Queryable, SqlClient } from '@wallai/db-client';
import { centsToDecimal, equalParts, frameworkBudgetItems, type BudgetFramework, type CategoryType, type SpaceRole } from '@wallai/domain';
import { Prng } from './prng.ts';
import { CATEGORY_PROFILES, FAMILY_NAMES, HOUSEHOLD_SIZES, SPACE_NAMES, TAGS, type CategoryProfile } from './profiles.ts';

export type MemberRole = SpaceRole;

export interface GeneratorOptions {
  /** Number of households (spaces). */
  spaces: number;
  /** Months of history, each with a master budget for most spaces. Default 6. */
  months?: number;
  /** First day of the first month. Default 2025-04-01. */
  firstMonth?: string;
  seed?: number;
  /** Rows per INSERT statement. Default 2000. */
  batchSize?: number;
  identity?: 'direct' | 'signup';
  /** Generate splits when public.expense_splits exists. Default true. */
  splits?: boolean;
  log?: (line: string) => void;
  /**
   * Called once the dataset first reaches each of these numbers of spaces (every
   * expense planned so far written): the bench measures there for its scaling
   * curves. Time spent in it is not counted as generation time.
   */
  checkpoints?: { atSpaces: readonly number[]; run: (progress: Checkpoint) => Promise<void> };
}

export interface Checkpoint {
  /** The spaces written so far (the generator's own list: read it, do not change it). */
  spaces: GeneratedSpace[];
  months: string[];
  expenses: number;
}

export interface GeneratedMember {
  id: string;
  role: MemberRole;
}

export interface GeneratedSpace {
  id: string;
  currency: string;
  members: GeneratedMember[];
  /** First days of the months that have a master budget. */
  budgetMonths: string[];
}

export interface DatasetCounts {
  users: number;
  spaces: number;
  memberships: number;
  budgets: number;
  budgetItems: number;
  expenses: number;
  splits: number;
}

export interface Dataset {
  seed: number;
  months: string[];
  spaces: GeneratedSpace[];
  counts: DatasetCounts;
  /** Sum of all expense amounts in cents, whatever their currency (a determinism fingerprint). */
  amountCentsSum: number;
  splitsTable: boolean;
  seconds: { identity: number; budgets: number; expenses: number; total: number };
}

/** Spaces at a given --scale: 200 households (~21k expenses) at scale 1. */
export const SPACES_PER_SCALE = 200;
export function spacesForScale(scale: number): number {
  return Math.max(1, Math.round(SPACES_PER_SCALE * scale));
}

export interface DefaultCategory {
  key: string;
  category_type: CategoryType;
  weight_bp: number;
}

export interface PlannedExpense {
  id: string;
  spaceId: string;
  amountCents: number;
  description: string;
  category: string;
  date: string;
  currency: string;
  exchangeRate: string;
  paymentMethod: string;
  tags: string;
  notes: string;
  createdBy: string;
  createdAt: string;
  /** Members sharing it, with their part in cents and in basis points; empty when not split. */
  splits: Array<{ userId: string; cents: number; basisPoints: number }>;
}

export interface PlannedBudget {
  id: string;
  spaceId: string;
  month: string;
  framework: BudgetFramework;
  incomeCents: number;
  createdBy: string;
  items: Array<{ category: string; cents: number }>;
}

export interface PlannedSpace extends GeneratedSpace {
  name: string;
  inviteCode: string;
  /** Members created for this space (not those who already exist from an earlier space). */
  newUsers: Array<{ id: string; username: string; email: string; fullName: string }>;
  budgets: PlannedBudget[];
  expenses: PlannedExpense[];
}

/** The frameworks of the generated master budgets, and how often each is drawn. */
export const BENCH_FRAMEWORKS: ReadonlyArray<{ framework: BudgetFramework; weight: number }> = [
  { framework: '50_30_20', weight: 70 },
  { framework: '60_20_20', weight: 20 },
  { framework: 'zero_based', weight: 10 },
];
const INVITE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function monthsFrom(firstMonth: string, count: number): string[] {
  const [y, m] = firstMonth.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 1 + i, 1));
    return d.toISOString().slice(0, 10);
  });
}

function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function hashSeed(...parts: number[]): number {
  let h = 2166136261;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 16777619) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return h >>> 0;
}

/** Deterministic id of space number i. */
export function spaceIdFor(seed: number, space: number): string {
  return new Prng(hashSeed(seed, 3, space)).uuid();
}

/** Deterministic id of the j-th person created for space i. */
export function userIdFor(seed: number, space: number, member: number): string {
  return new Prng(hashSeed(seed, 1, space, member)).uuid();
}

/**
 * Plans space number `index`: who is in it, its budgets and expenses. Pure and
 * deterministic: the same seed and index give the same space whatever the scale.
 */
export function planSpace(
  seed: number,
  index: number,
  months: readonly string[],
  categories: readonly DefaultCategory[],
  withSplits: boolean,
): PlannedSpace {
  const rng = new Prng(hashSeed(seed, 2, index));
  const size = rng.weighted(HOUSEHOLD_SIZES, (h) => h.weight).size;
  const family = rng.pick(FAMILY_NAMES);
  const currency = rng.chance(0.15) ? 'EUR' : 'USD';
  const foreign = currency === 'USD' ? { currency: 'EUR', low: 105, high: 112 } : { currency: 'USD', low: 89, high: 95 };

  const members: GeneratedMember[] = [];
  const newUsers: PlannedSpace['newUsers'] = [];
  for (let j = 0; j < size; j++) {
    // Now and then someone is also in the previous household (a flat and a family).
    if (j > 0 && index > 0 && rng.chance(0.08)) {
      const id = userIdFor(seed, index - 1, 0);
      if (!members.some((m) => m.id === id)) {
        members.push({ id, role: 'member' });
        continue;
      }
    }
    const id = userIdFor(seed, index, j);
    const handle = `${family.toLowerCase().replace(/[^a-z]/g, '')}_${index.toString(36)}_${j}`;
    newUsers.push({ id, username: handle, email: `${handle}@bench.example`, fullName: `Person ${j + 1} ${family}` });
    const role: MemberRole = j === 0 ? 'owner' : j === 1 && rng.chance(0.3) ? 'admin' : rng.chance(0.1) ? 'viewer' : 'member';
    members.push({ id, role });
  }
  const writers = members.filter((m) => m.role !== 'viewer');
  const spaceId = spaceIdFor(seed, index);
  const codeRng = new Prng(hashSeed(seed, 4, index));
  const inviteCode = Array.from({ length: 6 }, () => INVITE_ALPHABET[codeRng.int(0, INVITE_ALPHABET.length - 1)]).join('');
  const managers = members.filter((m) => m.role === 'owner' || m.role === 'admin');

  const budgets: PlannedBudget[] = [];
  const plannable = categories.map((c) => ({ key: c.key, type: c.category_type, weightBp: c.weight_bp }));
  const baseIncome = (250_000 + size * 120_000) * (0.8 + 0.4 * rng.next());
  for (const month of months) {
    if (!rng.chance(0.92)) continue;
    const fw = rng.weighted(BENCH_FRAMEWORKS, (f) => f.weight);
    const incomeCents = Math.round((baseIncome * (0.95 + 0.1 * rng.next())) / 100) * 100;
    // The items create_budget would give this framework and income.
    const items = frameworkBudgetItems(fw.framework, incomeCents, plannable).map(({ category, cents }) => ({ category, cents }));
    budgets.push({ id: rng.uuid(), spaceId, month, framework: fw.framework, incomeCents, createdBy: rng.pick(managers).id, items });
  }

  const expenses: PlannedExpense[] = [];
  for (const month of months) {
    const count = Math.max(1, Math.round((6 + 4 * size) * (0.7 + 0.6 * rng.next())));
    const days = daysInMonth(month);
    for (let k = 0; k < count; k++) {
      const profile: CategoryProfile = rng.weighted(CATEGORY_PROFILES, (p) => p.weight);
      const amountCents = Math.min(2_000_000, Math.max(50, Math.round(profile.medianCents * Math.exp(profile.sigma * rng.normal()))));
      const inForeign = profile.key === 'travel' ? rng.chance(0.4) : rng.chance(0.01);
      const day = profile.key === 'housing' ? rng.int(1, 3) : rng.int(1, days);
      const date = `${month.slice(0, 8)}${String(day).padStart(2, '0')}`;
      const seconds = rng.int(7 * 3600, 23 * 3600);
      const createdAt = `${date}T${String(Math.floor(seconds / 3600)).padStart(2, '0')}:${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}Z`;
      const payer = rng.pick(writers);
      const tags = rng.chance(0.15) ? [rng.pick(TAGS), ...(rng.chance(0.3) ? [rng.pick(TAGS)] : [])] : [];
      const expense: PlannedExpense = {
        id: rng.uuid(),
        spaceId,
        amountCents,
        description: rng.pick(profile.descriptions),
        category: profile.key,
        date,
        currency: inForeign ? foreign.currency : currency,
        exchangeRate: inForeign ? `${(rng.int(foreign.low * 1_000_000, foreign.high * 1_000_000) / 100_000_000).toFixed(8)}` : '',
        paymentMethod: rng.pick(profile.paymentMethods),
        tags: [...new Set(tags)].join(','),
        notes: rng.chance(0.05) ? 'Paid back later' : '',
        createdBy: payer.id,
        createdAt,
        splits: [],
      };
      if (withSplits && members.length >= 2 && profile.shared && rng.chance(0.3)) {
        const others = members.filter((m) => m.id !== payer.id);
        const sharing = rng.chance(0.7) ? others : others.filter(() => rng.chance(0.5));
        if (sharing.length === 0) sharing.push(rng.pick(others));
        const people = [payer, ...sharing];
        const cents = equalParts(amountCents, people.length);
        const bp = equalParts(10_000, people.length);
        expense.splits = people.map((p, i) => ({ userId: p.id, cents: cents[i] ?? 0, basisPoints: bp[i] ?? 0 }));
      }
      expenses.push(expense);
    }
  }
  return {
    id: spaceId,
    name: `${rng.pick(SPACE_NAMES)} ${family}`,
    inviteCode,
    currency,
    members,
    budgetMonths: budgets.map((b) => b.month),
    newUsers,
    budgets,
    expenses,
  };
}

async function defaultCategories(db: Queryable): Promise<DefaultCategory[]> {
  return db.query<DefaultCategory & Record<string, unknown>>(
    `select key, category_type, weight_bp from private.default_categories order by display_order`,
  );
}

/** Columns of public.expense_splits, or null when the table does not exist (yet). */
export async function splitColumns(db: Queryable): Promise<Set<string> | null> {
  const [row] = await db.query<{ exists: boolean }>(`select to_regclass('public.expense_splits') is not null as exists`);
  if (!row?.exists) return null;
  const cols = await db.query<{ column_name: string }>(
    `select column_name from information_schema.columns where table_schema = 'public' and table_name = 'expense_splits'`,
  );
  return new Set(cols.map((c) => c.column_name));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function writeIdentities(tx: Queryable, spaces: readonly PlannedSpace[], identity: 'direct' | 'signup'): Promise<void> {
  const users = spaces.flatMap((s) => s.newUsers);
  if (identity === 'direct') await tx.query(`set local session_replication_role = replica`);
  await tx.query(
    `insert into auth.users (id, aud, role, email, raw_user_meta_data, raw_app_meta_data, created_at, updated_at, email_confirmed_at)
     select u.id, 'authenticated', 'authenticated', u.email,
            jsonb_build_object('username', u.username, 'full_name', u.full_name),
            '{"provider":"email","providers":["email"]}'::jsonb, now(), now(), now()
       from unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) as u(id, email, username, full_name)`,
    [users.map((u) => u.id), users.map((u) => u.email), users.map((u) => u.username), users.map((u) => u.fullName)],
  );
  if (identity === 'direct') {
    await tx.query(
      `insert into public.users (id, username, full_name)
       select * from unnest($1::uuid[], $2::text[], $3::text[])`,
      [users.map((u) => u.id), users.map((u) => u.username), users.map((u) => u.fullName)],
    );
  }
  await tx.query(
    `insert into public.spaces (id, name, currency, invite_code, created_by)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[])`,
    [
      spaces.map((s) => s.id),
      spaces.map((s) => s.name),
      spaces.map((s) => s.currency),
      spaces.map((s) => s.inviteCode),
      spaces.map((s) => s.members[0]?.id),
    ],
  );
  // The owner row comes from the spaces trigger on the signup path; written here on the direct path.
  const memberships = spaces.flatMap((s) =>
    s.members.filter((m) => identity === 'direct' || m.role !== 'owner').map((m) => ({ space: s.id, ...m })),
  );
  if (memberships.length > 0) {
    await tx.query(
      `insert into public.space_members (space_id, user_id, role)
       select * from unnest($1::uuid[], $2::uuid[], $3::text[])`,
      [memberships.map((m) => m.space), memberships.map((m) => m.id), memberships.map((m) => m.role)],
    );
  }
}

async function writeBudgets(db: SqlClient, budgets: readonly PlannedBudget[], batchSize: number): Promise<number> {
  let items = 0;
  const itemsPerBudget = Math.max(1, budgets[0]?.items.length ?? 18);
  for (const batch of chunks(budgets, Math.max(1, Math.floor(batchSize / itemsPerBudget)))) {
    const rows = batch.flatMap((b) => b.items.map((i) => ({ budget: b.id, ...i })));
    items += rows.length;
    await db.transaction(async (tx) => {
      await tx.query(
        `insert into public.budgets (id, space_id, name, type, month_period, framework, total_income, created_by)
         select u.id, u.space_id, 'Budget ' || to_char(u.month, 'YYYY-MM'), 'master', u.month, u.framework, u.income, u.created_by
           from unnest($1::uuid[], $2::uuid[], $3::date[], $4::text[], $5::numeric[], $6::uuid[])
             as u(id, space_id, month, framework, income, created_by)`,
        [
          batch.map((b) => b.id),
          batch.map((b) => b.spaceId),
          batch.map((b) => b.month),
          batch.map((b) => b.framework),
          batch.map((b) => centsToDecimal(b.incomeCents)),
          batch.map((b) => b.createdBy),
        ],
      );
      await tx.query(
        `insert into public.budget_items (budget_id, category, description, category_type, budgeted_amount, icon, color, display_order)
         select u.budget_id, c.key, c.label, c.category_type, u.amount, c.icon, c.color, c.display_order
           from unnest($1::uuid[], $2::text[], $3::numeric[]) as u(budget_id, category, amount)
           join private.default_categories c on c.key = u.category`,
        [rows.map((r) => r.budget), rows.map((r) => r.category), rows.map((r) => centsToDecimal(r.cents))],
      );
    });
  }
  return items;
}

/** Inserts expenses (and their splits, in the same transaction) as the database owner, through every trigger. */
export async function insertExpenses(tx: Queryable, expenses: readonly PlannedExpense[], splitCols: Set<string> | null): Promise<number> {
  await tx.query(
    `insert into public.expenses (id, space_id, amount, description, category, date, currency, exchange_rate,
                                  payment_method, tags, notes, created_by, created_at)
     select u.id, u.space_id, u.amount, u.description, u.category, u.date, u.currency, nullif(u.rate, '')::numeric,
            u.payment_method, coalesce(string_to_array(nullif(u.tags, ''), ','), '{}'), nullif(u.notes, ''), u.created_by, u.created_at
       from unnest($1::uuid[], $2::uuid[], $3::numeric[], $4::text[], $5::text[], $6::date[], $7::text[], $8::text[],
                   $9::text[], $10::text[], $11::text[], $12::uuid[], $13::timestamptz[])
         as u(id, space_id, amount, description, category, date, currency, rate, payment_method, tags, notes, created_by, created_at)`,
    [
      expenses.map((e) => e.id),
      expenses.map((e) => e.spaceId),
      expenses.map((e) => centsToDecimal(e.amountCents)),
      expenses.map((e) => e.description),
      expenses.map((e) => e.category),
      expenses.map((e) => e.date),
      expenses.map((e) => e.currency),
      expenses.map((e) => e.exchangeRate),
      expenses.map((e) => e.paymentMethod),
      expenses.map((e) => e.tags),
      expenses.map((e) => e.notes),
      expenses.map((e) => e.createdBy),
      expenses.map((e) => e.createdAt),
    ],
  );
  if (!splitCols) return 0;
  const splits = expenses.flatMap((e) => e.splits.map((s) => ({ expense: e.id, ...s })));
  if (splits.length === 0) return 0;
  const withPercentage = splitCols.has('percentage');
  await tx.query(
    `insert into public.expense_splits (expense_id, user_id, amount${withPercentage ? ', percentage' : ''})
     select u.expense_id, u.user_id, u.amount${withPercentage ? ', u.percentage' : ''}
       from unnest($1::uuid[], $2::uuid[], $3::numeric[], $4::numeric[]) as u(expense_id, user_id, amount, percentage)`,
    [
      splits.map((s) => s.expense),
      splits.map((s) => s.userId),
      splits.map((s) => centsToDecimal(s.cents)),
      splits.map((s) => centsToDecimal(s.basisPoints)),
    ],
  );
  return splits.length;
}

/** Builds the dataset in `db` (a freshly migrated database). */
export async function generateDataset(db: SqlClient, options: GeneratorOptions): Promise<Dataset> {
  const seed = options.seed ?? 42;
  const months = monthsFrom(options.firstMonth ?? '2025-04-01', options.months ?? 6);
  const batchSize = options.batchSize ?? 2000;
  const identity = options.identity ?? 'direct';
  const log = options.log ?? (() => {});
  const started = performance.now();

  const categories = await defaultCategories(db);
  const splitCols = options.splits === false ? null : await splitColumns(db);
  const counts: DatasetCounts = { users: 0, spaces: 0, memberships: 0, budgets: 0, budgetItems: 0, expenses: 0, splits: 0 };
  const spaces: GeneratedSpace[] = [];
  let amountCentsSum = 0;
  const seconds = { identity: 0, budgets: 0, expenses: 0, total: 0 };
  const inviteCodes = new Set<string>();

  // Spaces are planned and written a group at a time, so memory stays flat at any scale.
  const group = Math.max(1, Math.floor(batchSize / 25));
  let pending: PlannedExpense[] = [];
  const flushExpenses = async (all: boolean): Promise<void> => {
    while (pending.length >= batchSize || (all && pending.length > 0)) {
      const batch = pending.slice(0, batchSize);
      pending = pending.slice(batch.length);
      const t = performance.now();
      counts.splits += await db.transaction((tx) => insertExpenses(tx, batch, splitCols));
      counts.expenses += batch.length;
      seconds.expenses += (performance.now() - t) / 1000;
    }
  };

  let lastLog = performance.now();
  let checkpoints = [...(options.checkpoints?.atSpaces ?? [])].filter((c) => c > 0 && c < options.spaces);
  let paused = 0;
  for (let first = 0; first < options.spaces; first += group) {
    const planned: PlannedSpace[] = [];
    for (let i = first; i < Math.min(options.spaces, first + group); i++) {
      const space = planSpace(seed, i, months, categories, splitCols !== null);
      // Invite codes are drawn here rather than by the column default: a default cannot see rows of its own statement.
      while (inviteCodes.has(space.inviteCode)) space.inviteCode = space.inviteCode.slice(1) + space.inviteCode[0];
      inviteCodes.add(space.inviteCode);
      planned.push(space);
    }
    let t = performance.now();
    await db.transaction((tx) => writeIdentities(tx, planned, identity));
    seconds.identity += (performance.now() - t) / 1000;
    t = performance.now();
    const budgets = planned.flatMap((s) => s.budgets);
    counts.budgetItems += await writeBudgets(db, budgets, batchSize);
    seconds.budgets += (performance.now() - t) / 1000;

    for (const s of planned) {
      counts.users += s.newUsers.length;
      counts.spaces += 1;
      counts.memberships += s.members.length;
      counts.budgets += s.budgets.length;
      for (const e of s.expenses) amountCentsSum += e.amountCents;
      spaces.push({ id: s.id, currency: s.currency, members: s.members, budgetMonths: s.budgetMonths });
      pending.push(...s.expenses);
    }
    await flushExpenses(false);
    const due = checkpoints.filter((c) => c <= counts.spaces);
    if (due.length > 0 && options.checkpoints) {
      checkpoints = checkpoints.filter((c) => c > counts.spaces);
      await flushExpenses(true);
      const t = performance.now();
      await options.checkpoints.run({ spaces, months, expenses: counts.expenses });
      paused += performance.now() - t;
    }
    if (performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      log(
        `  ${counts.spaces}/${options.spaces} spaces, ${counts.expenses} expenses (${((performance.now() - started) / 1000).toFixed(0)} s)`,
      );
    }
  }
  await flushExpenses(true);
  seconds.total = (performance.now() - started - paused) / 1000;
  return { seed, months, spaces, counts, amountCentsSum, splitsTable: splitCols !== null, seconds };
}
