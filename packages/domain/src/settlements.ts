/**
 * Settle-up suggestions: the TypeScript twin of `private.suggest_transfers`
 * (what `public.suggest_settlements` returns), per currency, in integer cents.
 *
 * Input: every person with a balance in the currency, zeros included (a
 * person whose debts are settled still counts: see "ranks" below), sorted or
 * not. Output: transfers from people who owe (negative) to people who are owed
 * (positive) that bring everyone to exactly 0.
 *
 * The walk (today's algorithm, kept as `walkTransfers`): debtors and creditors,
 * each in user-id order, lay their amounts end to end on two lines of the same
 * length; each overlap of a debtor's stretch with a creditor's is one transfer.
 * Recording one shrinks both stretches by the same amount, so the other
 * overlaps keep their size: it is stable. It never looks for debts that cancel.
 *
 * `suggestTransfers`:
 * - Up to EXACT_SEARCH_LIMIT people in the currency (zeros included), exact:
 *   the fewest transfers possible, which is the number of people with a
 *   balance minus the largest number of groups that each sum to 0. Among all
 *   settlements with that fewest number it takes the one of least cost, where
 *   a transfer of x cents from the person of rank i to the person of rank j
 *   costs -(i * j * x) (ranks: 1, 2, ... in user-id order over everyone in the
 *   currency), ties broken by comparing the transfers as sorted lists. Inside
 *   one group that cheapest settlement is exactly the walk (the cost is a
 *   Monge matrix, for which the north-west corner rule is the unique
 *   optimum), so the answer is: the best partition into zero-sum groups,
 *   each settled by the walk.
 *   Stable: the objective is a sum over transfers and the set searched (all
 *   settlements with the fewest transfers, debtors paying creditors) loses
 *   exactly the recorded transfer when one is recorded, so the optimum after
 *   recording transfer t is the optimum before minus t (see decision 0006).
 * - Above the limit: the walk. Any search for cancellations on the balances
 *   as they are (exact pairs, zero-sum triples, ...) also finds the ones a
 *   recorded payment creates (someone left owing exactly what another is
 *   owed) and then reshuffles the list, so above the limit only the walk
 *   keeps "recording one leaves the others exactly as they were"; finding
 *   the fewest for many people is NP-hard (decision 0006). The limit counts
 *   everyone in the currency, zeros included, so recording a suggestion never
 *   moves a space from one rule to the other.
 *
 * Both always give at most (people with a balance) - 1 transfers.
 */

export interface BalanceCents {
  userId: string;
  /** Positive: owed to them; negative: they owe. The balances of a currency sum to 0. */
  cents: number;
}

export interface TransferCents {
  from: string;
  to: string;
  cents: number;
}

/** Above this many people in one currency (zeros included) the suggestions are the walk's; see above. */
export const EXACT_SEARCH_LIMIT = 10;

interface Person {
  userId: string;
  cents: number;
  /** 1-based position in user-id order among everyone in the currency. */
  rank: number;
}

function ranked(balances: readonly BalanceCents[]): Person[] {
  let sum = 0;
  for (const b of balances) {
    if (!Number.isSafeInteger(b.cents)) throw new RangeError(`a balance must be whole cents, not ${String(b.cents)}`);
    sum += b.cents;
  }
  if (sum !== 0) throw new RangeError(`balances must sum to 0, not ${sum}`);
  const sorted = [...balances].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]?.userId === sorted[i - 1]?.userId) throw new RangeError(`person ${sorted[i]?.userId} appears twice`);
  }
  return sorted.map((b, i) => ({ userId: b.userId, cents: b.cents, rank: i + 1 }));
}

interface RankedTransfer {
  from: Person;
  to: Person;
  cents: number;
}

/** The walk over these people (debtors and creditors each in id order). */
function walk(people: readonly Person[]): RankedTransfer[] {
  const debtors = people.filter((p) => p.cents < 0);
  const creditors = people.filter((p) => p.cents > 0);
  const out: RankedTransfer[] = [];
  let i = 0;
  let j = 0;
  let owed = debtors[0] ? -debtors[0].cents : 0;
  let due = creditors[0] ? creditors[0].cents : 0;
  while (i < debtors.length && j < creditors.length) {
    const amount = Math.min(owed, due);
    out.push({ from: debtors[i] as Person, to: creditors[j] as Person, cents: amount });
    owed -= amount;
    due -= amount;
    if (owed === 0) {
      i++;
      owed = debtors[i] ? -(debtors[i] as Person).cents : 0;
    }
    if (due === 0) {
      j++;
      due = creditors[j] ? (creditors[j] as Person).cents : 0;
    }
  }
  return out;
}

/** In the order the SQL function returns them: by the position of the overlap, i.e. the walk's order per group. */
const plain = (ts: readonly RankedTransfer[]): TransferCents[] => ts.map((t) => ({ from: t.from.userId, to: t.to.userId, cents: t.cents }));

/** Today's algorithm (the reference the property tests compare against). */
export function walkTransfers(balances: readonly BalanceCents[]): TransferCents[] {
  return plain(walk(ranked(balances)));
}

/** Sorts transfer keys (from rank, to rank, cents) descending. */
function keyOrder(a: RankedTransfer, b: RankedTransfer): number {
  return b.from.rank - a.from.rank || b.to.rank - a.to.rank || b.cents - a.cents;
}

interface Plan {
  groups: number;
  cost: bigint;
  /** Transfer keys sorted descending, for the tie-break. */
  keys: RankedTransfer[];
  transfers: RankedTransfer[];
}

/** Negative: a is better (more groups, then less cost, then the smaller sorted key list). */
function comparePlans(a: Plan, b: Plan): number {
  if (a.groups !== b.groups) return b.groups - a.groups;
  if (a.cost !== b.cost) return a.cost < b.cost ? -1 : 1;
  for (let k = 0; k < Math.min(a.keys.length, b.keys.length); k++) {
    // keyOrder is descending: positive when a's key is the smaller one, which wins.
    const c = keyOrder(a.keys[k] as RankedTransfer, b.keys[k] as RankedTransfer);
    if (c !== 0) return -c;
  }
  return a.keys.length - b.keys.length;
}

const costOf = (ts: readonly RankedTransfer[]) => ts.reduce((s, t) => s - BigInt(t.from.rank) * BigInt(t.to.rank) * BigInt(t.cents), 0n);

/** Exact: the best partition into zero-sum groups, each settled by the walk. */
function exact(people: readonly Person[]): RankedTransfer[] {
  const nonzero = people.filter((p) => p.cents !== 0);
  const n = nonzero.length;
  if (n === 0) return [];
  const full = (1 << n) - 1;
  const sums = new Array<number>(1 << n).fill(0);
  for (let mask = 1; mask <= full; mask++) {
    const low = mask & -mask;
    sums[mask] = (sums[mask ^ low] ?? 0) + (nonzero[31 - Math.clz32(low)] as Person).cents;
  }
  // Only minimal zero-sum groups (no zero-sum part of their own): a bigger one splits into more groups.
  const containsZeroSum = new Array<boolean>(1 << n).fill(false);
  const zeroSum: number[] = [];
  for (let mask = 1; mask <= full; mask++) {
    let inner = false;
    for (let rest = mask; rest !== 0; rest &= rest - 1) {
      const sub = mask ^ (rest & -rest);
      if (sub !== 0 && containsZeroSum[sub]) inner = true;
    }
    containsZeroSum[mask] = inner || sums[mask] === 0;
    if (sums[mask] === 0 && !inner) zeroSum.push(mask);
  }

  const groupPlan = new Map<number, Plan>();
  const planOfGroup = (mask: number): Plan => {
    let plan = groupPlan.get(mask);
    if (!plan) {
      const transfers = walk(nonzero.filter((_, i) => mask & (1 << i)));
      plan = { groups: 1, cost: costOf(transfers), keys: [...transfers].sort(keyOrder), transfers };
      groupPlan.set(mask, plan);
    }
    return plan;
  };
  const memo = new Map<number, Plan>();
  const best = (mask: number): Plan => {
    if (mask === 0) return { groups: 0, cost: 0n, keys: [], transfers: [] };
    const known = memo.get(mask);
    if (known) return known;
    const low = mask & -mask;
    let winner: Plan | null = null;
    for (const group of zeroSum) {
      if ((group & low) === 0 || (group & mask) !== group) continue;
      const first = planOfGroup(group);
      const rest = best(mask ^ group);
      const plan: Plan = {
        groups: first.groups + rest.groups,
        cost: first.cost + rest.cost,
        keys: [...first.keys, ...rest.keys].sort(keyOrder),
        transfers: [...first.transfers, ...rest.transfers],
      };
      if (winner === null || comparePlans(plan, winner) < 0) winner = plan;
    }
    // mask is zero-sum (the whole set and every group taken out are), so some minimal group holds its lowest person.
    memo.set(mask, winner as Plan);
    return winner as Plan;
  };
  return orderForOutput(best(full).transfers);
}

/** The output order: by the debtor's rank, then the creditor's (one order for every path). */
function orderForOutput(ts: RankedTransfer[]): RankedTransfer[] {
  return [...ts].sort((a, b) => a.from.rank - b.from.rank || a.to.rank - b.to.rank);
}

/** The suggestions for one currency: see the module comment. */
export function suggestTransfers(balances: readonly BalanceCents[]): TransferCents[] {
  const people = ranked(balances);
  return plain(people.length <= EXACT_SEARCH_LIMIT ? exact(people) : orderForOutput(walk(people)));
}
