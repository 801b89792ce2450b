/**
 * The three database measurements of `npm run bench`, each importable on its
 * own: RLS read latency against a service-role baseline, insert throughput
 * with every trigger against a trigger-free copy of the table, and totals
 * under concurrent writers. Every speed result is a ratio against a baseline
 * measured in the same run.
 */
import type { Queryable, SqlClient } from '@wallai/db-client';
import { centsToDecimal, decimalToCents } from '@wallai/domain';
import { becomeActor, serviceRole, user, type Actor } from '@wallai/testing/acting-as';
import { recomputeTotals } from '@wallai/testing/totals';
import type { Dataset, GeneratedSpace } from './generator.ts';
import { Prng } from './prng.ts';
import { CATEGORY_PROFILES } from './profiles.ts';
import { distribution, percentile, ratio, round, type Distribution } from './stats.ts';

const now = (): number => performance.now();

// (a) RLS read ---------------------------------------------------------------------------------

export const LATEST_EXPENSES_SQL = `select id, space_id, amount, currency, base_amount, description, category, date,
       created_by, budget_id, budget_item_id, tags, created_at
  from public.expenses
 where space_id = $1
 order by date desc, created_at desc
 limit 50`;

export interface RlsReadOptions {
  iterations: number;
  warmup: number;
  seed: number;
  /** Also capture EXPLAIN ANALYZE of both variants. */
  explain?: boolean;
}

export interface RlsReadResult {
  iterations: number;
  spacesProbed: number;
  /** Time of the SELECT alone, inside the request transaction (ms). */
  rls: Distribution;
  service: Distribution;
  ratioP50: number;
  ratioP95: number;
  /** Whole request: BEGIN, set_config, SELECT, COMMIT (ms). */
  requestRls: Distribution;
  requestService: Distribution;
  /** Probes where the member saw a different number of rows than the service role (must be 0). */
  rowMismatches: number;
  meanRows: number;
  plans?: { rls: string; service: string };
}

async function timedRequest(db: SqlClient, actor: Actor, spaceId: string): Promise<{ query: number; request: number; rows: number }> {
  const started = now();
  let query = 0;
  let rows = 0;
  await db.transaction(async (tx) => {
    await becomeActor(tx, actor);
    const t = now();
    rows = (await tx.query(LATEST_EXPENSES_SQL, [spaceId])).length;
    query = now() - t;
  });
  return { query, request: now() - started, rows };
}

async function explainAs(db: SqlClient, actor: Actor, spaceId: string): Promise<string> {
  return db.transaction(async (tx) => {
    await becomeActor(tx, actor);
    const rows = await tx.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers, costs off) ${LATEST_EXPENSES_SQL}`, [spaceId]);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

/** A member lists the 50 latest expenses of their space under RLS, against the same query as service_role. */
export async function measureRlsRead(db: SqlClient, dataset: Pick<Dataset, 'spaces'>, options: RlsReadOptions): Promise<RlsReadResult> {
  const rng = new Prng(options.seed);
  const spaces = dataset.spaces.filter((s) => s.members.length > 0);
  const probes = Array.from({ length: options.warmup + options.iterations }, () => {
    const space = rng.pick(spaces);
    return { space, member: rng.pick(space.members) };
  });
  const samples = { rls: [] as number[], service: [] as number[], requestRls: [] as number[], requestService: [] as number[] };
  let rowMismatches = 0;
  let rowsSeen = 0;
  const probed = new Set<string>();
  for (const [i, { space, member }] of probes.entries()) {
    const asMember = user(member.id);
    // Alternate which variant goes first, so neither always runs on a warmer cache.
    const first = i % 2 === 0 ? asMember : serviceRole;
    const second = first === asMember ? serviceRole : asMember;
    const a = await timedRequest(db, first, space.id);
    const b = await timedRequest(db, second, space.id);
    const [r, s] = first === asMember ? [a, b] : [b, a];
    if (i < options.warmup) continue;
    probed.add(space.id);
    samples.rls.push(r.query);
    samples.service.push(s.query);
    samples.requestRls.push(r.request);
    samples.requestService.push(s.request);
    if (r.rows !== s.rows) rowMismatches += 1;
    rowsSeen += r.rows;
  }
  const rls = distribution(samples.rls);
  const service = distribution(samples.service);
  const result: RlsReadResult = {
    iterations: options.iterations,
    spacesProbed: probed.size,
    rls,
    service,
    ratioP50: ratio(rls.p50, service.p50),
    ratioP95: ratio(rls.p95, service.p95),
    requestRls: distribution(samples.requestRls),
    requestService: distribution(samples.requestService),
    rowMismatches,
    meanRows: round(rowsSeen / Math.max(1, options.iterations), 1),
  };
  if (options.explain) {
    const biggest = [...spaces].sort((x, y) => y.members.length - x.members.length)[0] as GeneratedSpace;
    const member = biggest.members[biggest.members.length - 1] as GeneratedSpace['members'][number];
    result.plans = { rls: await explainAs(db, user(member.id), biggest.id), service: await explainAs(db, serviceRole, biggest.id) };
  }
  return result;
}

// (b) Insert throughput ---------------------------------------------------------------------------

export interface InsertOptions {
  /** Rows per variant. */
  rows: number;
  batchSize: number;
  seed: number;
  /** Copy the existing expenses into the plain table first, so both tables have indexes of the same size. */
  prefillPlain?: boolean;
  /** Keep copies an earlier run left in this database (--reuse), rather than copying a million rows again. */
  keepCopies?: boolean;
}

export interface InsertRate {
  seconds: number;
  rowsPerSecond: number;
}

export interface InsertResult {
  rows: number;
  batchSize: number;
  spaces: number;
  month: string;
  prefilledRows: number;
  /** bench_expenses_plain: same columns, defaults, checks and indexes; no triggers, no foreign keys, no RLS. */
  plain: InsertRate;
  /** bench_expenses_keyed: the plain copy plus the ERD's four foreign keys; still no triggers, no RLS. */
  keyed: InsertRate;
  /** public.expenses as the database owner: every trigger and foreign key, no RLS. */
  triggers: InsertRate;
  /** public.expenses as a member (role authenticated + claims): RLS check, every trigger and foreign key. */
  triggersRls: InsertRate;
  /** plain rows/s ÷ triggers+RLS rows/s. */
  overhead: number;
  /** plain rows/s ÷ owner-with-triggers rows/s. */
  overheadTriggersOnly: number;
  /** plain rows/s ÷ keyed-copy rows/s: what the foreign keys alone cost. */
  overheadForeignKeys: number;
  /** keyed-copy rows/s ÷ triggers+RLS rows/s: what this project's triggers and RLS add to the table as the ERD defines it. */
  overheadOverKeyed: number;
  /**
   * Medians over batches of (triggers+RLS batch time ÷ the same batch's time into
   * each copy). The variants of one batch run back to back, so a burst of load
   * on a shared machine skews a batch's ratio far less than the totals: these
   * are the figures the targets are judged on.
   */
  medianBatchOverhead: { bare: number; keyed: number };
  /** Rows inserted through the triggers that ended up linked to a budget item (should be all). */
  linkedShare: number;
}

export const PLAIN_TABLE = 'public.bench_expenses_plain';
export const KEYED_TABLE = 'public.bench_expenses_keyed';

/** The foreign keys of public.expenses, as the ERD defines them. */
const EXPENSE_FOREIGN_KEYS = `
  foreign key (space_id) references public.spaces (id) on delete cascade,
  foreign key (budget_id) references public.budgets (id) on delete set null,
  foreign key (budget_item_id) references public.budget_items (id) on delete set null,
  foreign key (created_by) references public.users (id) on delete set null`;

/**
 * Creates the trigger-free copies of public.expenses: a bare one, and one that
 * keeps the foreign keys (which PostgreSQL checks with internal triggers of its
 * own), each filled with the existing rows when asked. Returns the rows per copy.
 */
export async function createPlainCopies(db: Queryable, prefill: boolean): Promise<number> {
  const like = 'like public.expenses including defaults including generated including constraints including indexes';
  await db.exec(`
    drop table if exists ${PLAIN_TABLE};
    drop table if exists ${KEYED_TABLE};
    create table ${PLAIN_TABLE} (${like});
    create table ${KEYED_TABLE} (${like}, ${EXPENSE_FOREIGN_KEYS});
  `);
  if (!prefill) return 0;
  const columns = `id, space_id, budget_id, budget_item_id, amount, description, category, ai_category_confidence, date, receipt_url,
    receipt_processed, payment_method, bank_transaction_id, currency, exchange_rate, tags, notes, created_by, created_at, updated_at`;
  for (const table of [PLAIN_TABLE, KEYED_TABLE]) {
    await db.exec(`insert into ${table} (${columns}) select ${columns} from public.expenses; analyze ${table};`);
  }
  const [row] = await db.query<{ n: number }>(`select count(*)::int as n from ${PLAIN_TABLE}`);
  return row?.n ?? 0;
}

/** Rows in the plain copy when both copies exist (left by an earlier run), else null. */
async function existingCopies(db: Queryable): Promise<number | null> {
  const [found] = await db.query<{ n: number }>(
    `select count(*)::int as n from pg_catalog.pg_class where oid in (to_regclass($1), to_regclass($2))`,
    [PLAIN_TABLE, KEYED_TABLE],
  );
  if (found?.n !== 2) return null;
  const [row] = await db.query<{ n: number }>(`select count(*)::int as n from ${PLAIN_TABLE}`);
  return row?.n ?? 0;
}

interface InsertRow {
  amount: string;
  description: string;
  category: string;
  date: string;
}

function insertSql(table: string, withCreator: boolean): string {
  return `insert into ${table} (space_id, amount, description, category, date, currency, payment_method${withCreator ? ', created_by' : ''})
    select $1::uuid, u.amount, u.description, u.category, u.date, $2::text, 'card'${withCreator ? ', $7::uuid' : ''}
      from unnest($3::numeric[], $4::text[], $5::text[], $6::date[]) as u(amount, description, category, date)`;
}

/** Expenses per second into public.expenses (triggers, then triggers + RLS) against the trigger-free copy, same rows and batches. */
export async function measureInsertThroughput(
  db: SqlClient,
  dataset: Pick<Dataset, 'spaces' | 'months'>,
  options: InsertOptions,
): Promise<InsertResult> {
  const month = dataset.months[dataset.months.length - 1] as string;
  const targets = dataset.spaces.filter((s) => s.budgetMonths.includes(month) && s.members[0]?.role === 'owner').slice(0, 20);
  if (targets.length === 0) throw new Error(`no space has a master budget in ${month}`);
  const prefilledRows =
    (options.keepCopies ? await existingCopies(db) : null) ?? (await createPlainCopies(db, options.prefillPlain ?? true));
  const [{ before = 0 } = {}] = await db.query<{ before: number }>(`select count(*)::int as before from public.expenses`);

  const rng = new Prng(options.seed);
  const days = Number(new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate());
  const batches = Math.max(1, Math.ceil(options.rows / options.batchSize));
  const time = { plain: 0, keyed: 0, triggers: 0, triggersRls: 0 };
  const overBare: number[] = [];
  const overKeyed: number[] = [];
  let rows = 0;
  for (let b = 0; b < batches; b++) {
    const space = targets[b % targets.length] as GeneratedSpace;
    const owner = (space.members[0] as GeneratedSpace['members'][number]).id;
    const n = Math.min(options.batchSize, options.rows - rows);
    const batch: InsertRow[] = Array.from({ length: n }, () => {
      const p = rng.weighted(CATEGORY_PROFILES, (x) => x.weight);
      const cents = Math.max(50, Math.round(p.medianCents * Math.exp(p.sigma * rng.normal())));
      return {
        amount: centsToDecimal(cents),
        description: rng.pick(p.descriptions),
        category: p.key,
        date: `${month.slice(0, 8)}${String(rng.int(1, days)).padStart(2, '0')}`,
      };
    });
    const arrays = [batch.map((r) => r.amount), batch.map((r) => r.description), batch.map((r) => r.category), batch.map((r) => r.date)];
    const variants = {
      plain: () => db.transaction((tx) => tx.query(insertSql(PLAIN_TABLE, true), [space.id, space.currency, ...arrays, owner])),
      keyed: () => db.transaction((tx) => tx.query(insertSql(KEYED_TABLE, true), [space.id, space.currency, ...arrays, owner])),
      triggers: () => db.transaction((tx) => tx.query(insertSql('public.expenses', true), [space.id, space.currency, ...arrays, owner])),
      triggersRls: () =>
        db.transaction(async (tx) => {
          await becomeActor(tx, user(owner));
          // created_by is not insertable by clients: the trigger sets it from the JWT.
          return tx.query(insertSql('public.expenses', false), [space.id, space.currency, ...arrays]);
        }),
    };
    const order = (['plain', 'keyed', 'triggers', 'triggersRls'] as const).map(
      (_, k, all) => all[(k + b) % all.length] as keyof typeof time,
    );
    const batchTime = { plain: 0, keyed: 0, triggers: 0, triggersRls: 0 };
    for (const variant of order) {
      const t = now();
      await variants[variant]();
      batchTime[variant] = now() - t;
      time[variant] += batchTime[variant];
    }
    overBare.push(batchTime.triggersRls / batchTime.plain);
    overKeyed.push(batchTime.triggersRls / batchTime.keyed);
    rows += n;
  }
  const [check = { added: 0, linked: 0 }] = await db.query<{ added: number; linked: number }>(
    `select count(*)::int as added, count(budget_item_id)::int as linked from public.expenses e
      where e.date >= $1::date and e.date < ($1::date + interval '1 month') and e.space_id = any($2::uuid[])
        and e.payment_method = 'card' and e.created_at >= now() - interval '1 day'`,
    [month, targets.map((t) => t.id)],
  );
  const [{ after = 0 } = {}] = await db.query<{ after: number }>(`select count(*)::int as after from public.expenses`);
  if (after - before !== 2 * rows) throw new Error(`insert benchmark: expected ${2 * rows} new expenses, found ${after - before}`);
  const rate = (ms: number): InsertRate => ({ seconds: round(ms / 1000), rowsPerSecond: Math.round(rows / (ms / 1000)) });
  const plain = rate(time.plain);
  const keyed = rate(time.keyed);
  const triggers = rate(time.triggers);
  const triggersRls = rate(time.triggersRls);
  return {
    rows,
    batchSize: options.batchSize,
    spaces: targets.length,
    month,
    prefilledRows,
    plain,
    keyed,
    triggers,
    triggersRls,
    overhead: ratio(plain.rowsPerSecond, triggersRls.rowsPerSecond),
    overheadTriggersOnly: ratio(plain.rowsPerSecond, triggers.rowsPerSecond),
    overheadForeignKeys: ratio(plain.rowsPerSecond, keyed.rowsPerSecond),
    overheadOverKeyed: ratio(keyed.rowsPerSecond, triggersRls.rowsPerSecond),
    medianBatchOverhead: { bare: round(percentile(overBare, 0.5), 2), keyed: round(percentile(overKeyed, 0.5), 2) },
    linkedShare: check.added === 0 ? 0 : round(check.linked / check.added, 3),
  };
}

// (c) Concurrent writers ----------------------------------------------------------------------------

export interface ConcurrencyOptions {
  workers: number;
  seconds: number;
  seed: number;
  /** Opens one more connection to the same database. */
  connect: () => SqlClient;
}

export interface TotalCheck {
  stored: string;
  recomputed: string;
  drift: string;
}

export interface ConcurrencyResult {
  workers: number;
  seconds: number;
  category: string;
  ops: { insert: number; update: number; delete: number; total: number };
  opsPerSecond: number;
  /** Deadlocks or serialization failures that were retried (should be 0 with the ordered locking). */
  retries: number;
  errors: Record<string, number>;
  item: TotalCheck;
  budget: TotalCheck;
  /** True when both drifts are exactly 0. */
  exact: boolean;
}

const RETRYABLE = new Set(['40P01', '40001']);

/** 8 connections insert, update and delete expenses of ONE budget item at once; stored totals must equal a recomputation. */
export async function measureConcurrentWriters(
  db: SqlClient,
  dataset: Pick<Dataset, 'spaces' | 'months'>,
  options: ConcurrencyOptions,
): Promise<ConcurrencyResult> {
  const month = dataset.months[dataset.months.length - 1] as string;
  const category = 'groceries';
  const space = [...dataset.spaces]
    .filter((s) => s.budgetMonths.includes(month) && s.members[0]?.role === 'owner')
    .sort((a, b) => b.members.length - a.members.length)[0];
  if (!space) throw new Error(`no space has a master budget in ${month}`);
  const [target] = await db.query<{ item_id: string; budget_id: string }>(
    `select i.id as item_id, b.id as budget_id from public.budgets b join public.budget_items i on i.budget_id = b.id
      where b.space_id = $1 and b.type = 'master' and b.month_period = $2 and i.category = $3`,
    [space.id, month, category],
  );
  if (!target) throw new Error('concurrency benchmark: no budget item to write to');
  const writers = space.members.filter((m) => m.role !== 'viewer');
  const managers = space.members.filter((m) => m.role === 'owner' || m.role === 'admin');

  const ops = { insert: 0, update: 0, delete: 0, total: 0 };
  const errors: Record<string, number> = {};
  let retries = 0;
  const deadline = now() + options.seconds * 1000;
  const clients = Array.from({ length: options.workers }, () => options.connect());
  const started = now();
  try {
    await Promise.all(
      clients.map(async (client, w) => {
        const rng = new Prng(options.seed * 31 + w);
        const mine: Array<{ id: string; by: string }> = [];
        while (now() < deadline) {
          const r = rng.next();
          const kind = mine.length < 5 || r < 0.5 ? 'insert' : r < 0.85 ? 'update' : 'delete';
          const cents = rng.int(100, 25_000);
          try {
            if (kind === 'insert') {
              const by = rng.pick(writers).id;
              const date = `${month.slice(0, 8)}${String(rng.int(1, 28)).padStart(2, '0')}`;
              const [row] = await client.transaction(async (tx) => {
                await becomeActor(tx, user(by));
                return tx.query<{ id: string; budget_item_id: string | null }>(
                  `insert into public.expenses (space_id, amount, description, category, date)
                   values ($1, $2::numeric, 'Concurrent groceries', $3, $4::date) returning id, budget_item_id`,
                  [space.id, centsToDecimal(cents), category, date],
                );
              });
              if (!row || row.budget_item_id !== target.item_id)
                throw Object.assign(new Error('inserted expense not linked to the item'), { code: 'UNLINKED' });
              mine.push({ id: row.id, by });
            } else {
              const index = rng.int(0, mine.length - 1);
              const victim = mine[index] as { id: string; by: string };
              // Either the author or an admin/owner changes it, through RLS.
              const actor = rng.chance(0.5) ? victim.by : rng.pick(managers).id;
              const changed = await client.transaction(async (tx) => {
                await becomeActor(tx, user(actor));
                return kind === 'update'
                  ? tx.query(`update public.expenses set amount = $2::numeric where id = $1 returning id`, [
                      victim.id,
                      centsToDecimal(cents),
                    ])
                  : tx.query(`delete from public.expenses where id = $1 returning id`, [victim.id]);
              });
              if (changed.length !== 1) throw Object.assign(new Error(`${kind} touched ${changed.length} rows`), { code: 'MISSED' });
              if (kind === 'delete') mine.splice(index, 1);
            }
            ops[kind] += 1;
            ops.total += 1;
          } catch (error) {
            const code = (error as { code?: string }).code ?? 'unknown';
            if (RETRYABLE.has(code)) retries += 1;
            else errors[code] = (errors[code] ?? 0) + 1;
          }
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  const elapsed = (now() - started) / 1000;
  const totals = await recomputeTotals(db, [target.budget_id]);
  const total = (kind: 'item spent' | 'budget spent', id: string): TotalCheck => {
    const found = totals.find((t) => t.kind === kind && t.id === id);
    if (!found) throw new Error(`concurrency benchmark: no ${kind} total for ${id}`);
    const { stored, recomputed } = found;
    return { stored, recomputed, drift: centsToDecimal(decimalToCents(stored) - decimalToCents(recomputed)) };
  };
  const item = total('item spent', target.item_id);
  const budget = total('budget spent', target.budget_id);
  return {
    workers: options.workers,
    seconds: round(elapsed, 1),
    category,
    ops,
    opsPerSecond: Math.round(ops.total / elapsed),
    retries,
    errors,
    item,
    budget,
    exact: decimalToCents(item.drift) === 0 && decimalToCents(budget.drift) === 0,
  };
}
