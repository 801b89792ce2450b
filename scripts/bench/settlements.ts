/**
 * (e) suggest_settlements on a large space: 50 members, 5,000 unpaid splits
 * (issue 9's target: p95 < 20 ms on PostgreSQL 15), beside today's algorithm
 * before issue 9 (the plain walk, recreated here verbatim as
 * bench.suggest_settlements_walk) measured in the same run on the same data.
 *
 *   npm run bench:settlements [-- --members 50 --splits 5000 --rounds 300]
 *   DATABASE_URL=postgres://… npm run bench:settlements
 *
 * Also step (e) of `npm run bench`. Both variants run as a member, through the
 * same request path (a transaction with role and claims), alternating which
 * goes first.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SqlClient } from '@wallai/db-client';
import { centsToDecimal, equalParts } from '@wallai/domain';
import { actAs, addMember, createSpace, type TestUser } from '@wallai/testing';
import { Prng } from './prng.ts';
import { distribution, ratio, type Distribution } from './stats.ts';
import { openBenchTarget } from './target.ts';

export interface SettlementsBenchOptions {
  members: number;
  splits: number;
  rounds: number;
  warmup: number;
  seed: number;
}

export const DEFAULT_SETTLEMENTS_OPTIONS: SettlementsBenchOptions = { members: 50, splits: 5_000, rounds: 300, warmup: 30, seed: 42 };

export interface SettlementsBenchResult {
  members: number;
  unpaidSplits: number;
  peopleWithBalance: number;
  suggested: { transfers: number; p50: number; p95: number; p99: number; mean: number; samples: number };
  walk: { transfers: number; p50: number; p95: number; p99: number; mean: number; samples: number };
  /** suggest_settlements p95 over the walk's p95. */
  ratioP95: number;
}

/**
 * The algorithm before issue 9, verbatim but for its name: the plain walk over every balance,
 * the balances aggregated from every unpaid split and confirmed settlement as private.space_balances
 * did before they were kept in private.balance_totals.
 */
const WALK_FUNCTION = `
create schema if not exists bench;
grant usage on schema bench to authenticated;
create or replace function bench.suggest_settlements_walk(space_id uuid)
returns table (from_user uuid, to_user uuid, amount numeric, currency text)
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  if suggest_settlements_walk.space_id is null or suggest_settlements_walk.space_id not in (select private.member_space_ids()) then
    raise exception 'space not found' using errcode = 'PT404';
  end if;
  return query
    with entries as (
      select side.user_id, e.currency, side.delta
        from public.expense_splits s
        join public.expenses e on e.id = s.expense_id
        cross join lateral (values (s.user_id, -s.amount), (e.created_by, s.amount)) as side(user_id, delta)
       where e.space_id = suggest_settlements_walk.space_id and not s.is_paid
         and e.created_by is not null and s.user_id is not null and s.user_id <> e.created_by
      union all
      select side.user_id, st.currency, side.delta
        from public.settlements st
        cross join lateral (values (st.from_user, st.amount), (st.to_user, -st.amount)) as side(user_id, delta)
       where st.space_id = suggest_settlements_walk.space_id and st.status = 'confirmed' and st.from_user is not null and st.to_user is not null
    ), balances as (
      select x.user_id, x.currency, (sum(x.delta) * 100)::bigint as cents
        from entries x
       group by x.user_id, x.currency
      having sum(x.delta) <> 0
    ), debtors as (
      select b.user_id, b.currency,
             sum(-b.cents) over (partition by b.currency order by b.user_id) + b.cents as lo,
             sum(-b.cents) over (partition by b.currency order by b.user_id) as hi
        from balances b where b.cents < 0
    ), creditors as (
      select b.user_id, b.currency,
             sum(b.cents) over (partition by b.currency order by b.user_id) - b.cents as lo,
             sum(b.cents) over (partition by b.currency order by b.user_id) as hi
        from balances b where b.cents > 0
    )
    select d.user_id, c.user_id,
           ((least(d.hi, c.hi) - greatest(d.lo, c.lo)) / 100.0)::numeric(14,2),
           d.currency
      from debtors d
      join creditors c on c.currency = d.currency and d.lo < c.hi and c.lo < d.hi
     order by d.currency, greatest(d.lo, c.lo);
end
$$;
grant execute on function bench.suggest_settlements_walk(uuid) to authenticated;`;

/**
 * A space with `members` people and `splits` unpaid splits: expenses paid by a
 * random member, split equally between the payer and three others, amounts of
 * 1.00 to 300.00 with some round ones (so some debts cancel exactly).
 */
export async function buildSettlementsSpace(
  db: SqlClient,
  options: Pick<SettlementsBenchOptions, 'members' | 'splits' | 'seed'>,
): Promise<{ spaceId: string; members: TestUser[] }> {
  const rng = new Prng(options.seed);
  const space = await createSpace(db, { name: 'Settle-up bench' });
  const members = [space.owner];
  for (let i = 1; i < options.members; i++) members.push(await addMember(db, space, 'member'));
  const perExpense = Math.min(4, members.length);
  const expenses = Math.ceil(options.splits / perExpense);
  const rows: Array<{ payer: string; cents: number; people: string[] }> = [];
  for (let e = 0; e < expenses; e++) {
    const payer = rng.pick(members);
    const others = members.filter((m) => m !== payer);
    const people = [payer.id];
    while (people.length < perExpense) {
      const next = rng.pick(others).id;
      if (!people.includes(next)) people.push(next);
    }
    const cents = rng.next() < 0.3 ? (1 + Math.floor(rng.next() * 30)) * 1000 : 100 + Math.floor(rng.next() * 29_900);
    rows.push({ payer: payer.id, cents, people: people.sort() });
  }
  await db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += 500) {
      const batch = rows.slice(i, i + 500);
      const ids = await tx.query<{ id: string }>(
        `insert into public.expenses (space_id, created_by, amount, description, date, currency)
         select $1, x.payer, x.amount, 'Settle-up bench', current_date, 'USD'
           from unnest($2::uuid[], $3::numeric[]) with ordinality as x(payer, amount, n)
          order by x.n
         returning id`,
        [space.id, batch.map((r) => r.payer), batch.map((r) => centsToDecimal(r.cents))],
      );
      const splitRows = batch.flatMap((r, k) => {
        const parts = equalParts(r.cents, r.people.length);
        return r.people.map((p, j) => ({ expense: ids[k]?.id, user: p, amount: centsToDecimal(parts[j] ?? 0) }));
      });
      await tx.query(
        `insert into public.expense_splits (expense_id, user_id, amount, percentage)
         select x.e, x.u, x.a, round(100.0 / $4, 2) from unnest($1::uuid[], $2::uuid[], $3::numeric[]) as x(e, u, a)`,
        [splitRows.map((s) => s.expense), splitRows.map((s) => s.user), splitRows.map((s) => s.amount), perExpense],
      );
    }
  });
  await db.exec('analyze public.expenses; analyze public.expense_splits; analyze public.settlements');
  return { spaceId: space.id, members };
}

const now = () => performance.now();

async function timed(db: SqlClient, member: TestUser, sql: string, spaceId: string): Promise<{ ms: number; rows: number }> {
  return actAs(db, member.actor, async (tx) => {
    const t = now();
    const rows = await tx.query(sql, [spaceId]);
    return { ms: now() - t, rows: rows.length };
  });
}

const summary = (d: Distribution, transfers: number) => ({
  transfers,
  p50: d.p50,
  p95: d.p95,
  p99: d.p99,
  mean: d.mean,
  samples: d.samples,
});

export async function measureSettlements(
  db: SqlClient,
  options: SettlementsBenchOptions = DEFAULT_SETTLEMENTS_OPTIONS,
  log: (line: string) => void = () => {},
): Promise<SettlementsBenchResult> {
  await db.exec(WALK_FUNCTION);
  log(`  building a space of ${options.members} members with ${options.splits} unpaid splits…`);
  const { spaceId, members } = await buildSettlementsSpace(db, options);
  const member = members[members.length - 1] as TestUser;
  const suggestSql = `select from_user, to_user, amount, currency from public.suggest_settlements($1)`;
  const walkSql = `select from_user, to_user, amount, currency from bench.suggest_settlements_walk($1)`;
  const samples = { suggested: [] as number[], walk: [] as number[] };
  let transfers = { suggested: 0, walk: 0 };
  for (let i = 0; i < options.warmup + options.rounds; i++) {
    const suggestFirst = i % 2 === 0;
    const a = await timed(db, member, suggestFirst ? suggestSql : walkSql, spaceId);
    const b = await timed(db, member, suggestFirst ? walkSql : suggestSql, spaceId);
    const [s, w] = suggestFirst ? [a, b] : [b, a];
    transfers = { suggested: s.rows, walk: w.rows };
    if (i < options.warmup) continue;
    samples.suggested.push(s.ms);
    samples.walk.push(w.ms);
  }
  const [counts] = await db.query<{ people: string; unpaid: string }>(
    `select (select count(*) from private.space_balances($1) where balance <> 0) as people,
            (select count(*) from public.expense_splits s join public.expenses e on e.id = s.expense_id
              where e.space_id = $1 and not s.is_paid) as unpaid`,
    [spaceId],
  );
  const suggested = distribution(samples.suggested);
  const walk = distribution(samples.walk);
  return {
    members: options.members,
    unpaidSplits: Number(counts?.unpaid ?? 0),
    peopleWithBalance: Number(counts?.people ?? 0),
    suggested: summary(suggested, transfers.suggested),
    walk: summary(walk, transfers.walk),
    ratioP95: ratio(suggested.p95, walk.p95),
  };
}

export function formatSettlements(r: SettlementsBenchResult): string {
  const row = (name: string, d: SettlementsBenchResult['walk']) =>
    `  ${name.padEnd(34)}${d.p50.toFixed(3).padStart(9)}${d.p95.toFixed(3).padStart(9)}${d.p99.toFixed(3).padStart(9)}${d.mean.toFixed(3).padStart(9)}${String(d.transfers).padStart(11)}`;
  return [
    `(e) suggest_settlements: ${r.members} members, ${r.unpaidSplits} unpaid splits, ${r.peopleWithBalance} people with a balance (ms, as a member)`,
    `  ${''.padEnd(34)}${'p50'.padStart(9)}${'p95'.padStart(9)}${'p99'.padStart(9)}${'mean'.padStart(9)}${'transfers'.padStart(11)}`,
    row('suggest_settlements (issue 9)', r.suggested),
    row('the walk (before issue 9)', r.walk),
    `  p95 ratio ${r.ratioP95.toFixed(2)}; target p95 < 20 ms on PostgreSQL 15: ${r.suggested.p95 < 20 ? 'PASS' : 'FAIL (informative)'}`,
  ].join('\n');
}

function parse(argv: readonly string[]): SettlementsBenchOptions {
  const o = { ...DEFAULT_SETTLEMENTS_OPTIONS };
  for (let i = 0; i < argv.length; i += 2) {
    const value = Number(argv[i + 1]);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${String(argv[i])} needs a positive integer`);
    switch (argv[i]) {
      case '--members':
        o.members = value;
        break;
      case '--splits':
        o.splits = value;
        break;
      case '--rounds':
        o.rounds = value;
        break;
      case '--seed':
        o.seed = value;
        break;
      default:
        throw new Error(`unknown option ${String(argv[i])} (--members, --splits, --rounds, --seed)`);
    }
  }
  return o;
}

async function main(argv: readonly string[]): Promise<void> {
  const options = parse(argv);
  const target = await openBenchTarget({ serverUrl: process.env.DATABASE_URL || undefined, log: console.log });
  try {
    const [v] = await target.db.query<{ version: string }>(`select version() as version`);
    console.log(`suggest_settlements benchmark on ${target.label} (${(v?.version ?? '').split(' on ')[0] ?? ''})`);
    console.log(formatSettlements(await measureSettlements(target.db, options, console.log)));
  } finally {
    await target.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
