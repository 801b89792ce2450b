/**
 * Largest-remainder allocation of integer cents, the TypeScript twin of
 * `private.allocate_cents(bigint, numeric[], integer, bigint[])`: everyone gets
 * the floor of their share, and the cents left over go one each to the largest
 * remainders. Ties (equal remainders, as in every equal split) go first to
 * whoever has carried the least rounding so far (`carried`, lowest first),
 * then in turn from position `rotation` (mod n) onwards: with the defaults, to
 * the earlier position. The parts always add up to the total. Errors are the
 * SQL function's, word for word.
 *
 * Splits pass the rounding each participant already carried in the space and
 * currency, and a rotation derived from the expense id (`leftoverRotation`),
 * so leftover cents are shared out over many expenses instead of always going
 * to the same person (decision 0011). Budgets pass neither: earlier category
 * first.
 *
 * Exact: each weight is read as the decimal it prints as (33.33 is 3333/100,
 * not the nearest double), weights are scaled to integers, and shares and
 * remainders are BigInt quotients and remainders, so no rounding ever decides.
 *
 * The SQL function divides in `numeric`, which keeps at least 16 significant
 * digits (8 decimals for shares below 10^12 cents). The two agree whenever the
 * weights, scaled to integers by their largest number of decimals, add up to
 * less than 10^8 — e.g. basis points, percentages with 2 decimals, or up to
 * 1 000 shares below 1 000 with 2 decimals; the parity test covers that range.
 * Beyond it numeric's rounding can tie remainders that differ (weights like
 * [1e20, 1e20 + 1]) and the SQL function then favours the earlier position.
 */

export type Weight = number | string;

export interface TieBreak {
  /** Ties start at this position (0-based, mod the number of weights). Default 0. */
  rotation?: number;
  /** Per position, the rounding carried so far (any integer unit, e.g. millionths of a cent); lowest gets a tied cent first. */
  carried?: readonly number[];
}

function fail(message: string): never {
  throw new RangeError(message);
}

/** A non-negative decimal weight as digits and scale (its number of decimals); null when it is not one. */
function decimalOf(weight: Weight): { digits: bigint; scale: number } | null {
  let text: string;
  if (typeof weight === 'number') {
    if (!Number.isFinite(weight) || weight < 0) return null;
    text = String(weight);
  } else if (typeof weight === 'string') {
    text = weight.trim();
  } else {
    return null;
  }
  const match = /^\+?([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/.exec(text);
  if (match === null) return null;
  const [, whole = '', fraction = '', exponentText = '0'] = match;
  if (whole === '' && fraction === '') return null;
  const exponent = Number(exponentText);
  const scale = fraction.length - exponent;
  const digits = BigInt(whole + fraction || '0');
  // A negative scale means trailing zeros: 1e+21 is 1 followed by 21 zeros.
  return scale >= 0 ? { digits, scale } : { digits: digits * 10n ** BigInt(-scale), scale: 0 };
}

/**
 * Splits totalCents in proportion to weights so that the parts sum exactly to
 * totalCents: allocateCents(100, [1, 1, 1]) = [34, 33, 33],
 * allocateCents(333_333, [50, 30, 20]) = [166_666, 100_000, 66_667].
 *
 * totalCents: a safe integer ≥ 0. weights: numbers or numeric text, ≥ 0, not all 0.
 */
export function allocateCents(totalCents: number, weights: readonly Weight[], tieBreak: TieBreak = {}): number[] {
  if (!Number.isSafeInteger(totalCents) || totalCents < 0) fail(`cannot allocate ${String(totalCents)} cents`);
  if (weights.length === 0) fail('allocation needs at least one weight');
  const rotation = tieBreak.rotation ?? 0;
  if (!Number.isSafeInteger(rotation) || rotation < 0) fail('rotation must be a whole number, 0 or more');
  const carried = tieBreak.carried;
  if (carried !== undefined && (carried.length !== weights.length || carried.some((c) => !Number.isSafeInteger(c)))) {
    fail('carried needs one whole number per weight');
  }
  const decimals = weights.map(decimalOf);
  if (decimals.some((d) => d === null)) fail('weights must be zero or positive');
  const exact = decimals as Array<{ digits: bigint; scale: number }>;
  const scale = Math.max(...exact.map((d) => d.scale));
  const scaled = exact.map((d) => d.digits * 10n ** BigInt(scale - d.scale));
  const sum = scaled.reduce((a, b) => a + b, 0n);
  if (sum === 0n) fail('weights must not all be zero');

  const total = BigInt(totalCents);
  const parts = scaled.map((w) => (total * w) / sum);
  const remainders = scaled.map((w) => (total * w) % sum);
  let leftover = total - parts.reduce((a, b) => a + b, 0n);
  const n = weights.length;
  const turn = (index: number) => (((index - rotation) % n) + n) % n;
  const order = remainders
    .map((remainder, index) => ({ remainder, index, carried: carried?.[index] ?? 0 }))
    .sort((a, b) =>
      a.remainder !== b.remainder ? (a.remainder > b.remainder ? -1 : 1) : a.carried - b.carried || turn(a.index) - turn(b.index),
    );
  for (const { index } of order) {
    if (leftover === 0n) break;
    parts[index] = (parts[index] ?? 0n) + 1n;
    leftover -= 1n;
  }
  return parts.map(Number);
}

/**
 * The rotation split_expense uses for an expense's tied leftover cents: its id's
 * first 7 hex digits as a number (uuids are random, so every start is as likely).
 * The twin of private.leftover_rotation(uuid).
 */
export function leftoverRotation(expenseId: string): number {
  const hex = expenseId.slice(0, 7);
  if (!/^[0-9a-fA-F]{7}$/.test(hex)) fail(`not an expense id: ${expenseId}`);
  return Number.parseInt(hex, 16);
}

/**
 * The rounding a part carries: the part minus its exact share, in millionths of
 * a cent (rounded half away from zero), as split_expense stores it in
 * expense_splits.rounding (numeric cents with 6 decimals).
 */
export function roundingMicros(partCents: number, totalCents: number, weight: Weight, weights: readonly Weight[]): number {
  const all = [weight, ...weights].map(decimalOf);
  if (all.some((d) => d === null)) fail('weights must be zero or positive');
  const exact = all as Array<{ digits: bigint; scale: number }>;
  const scale = Math.max(...exact.map((d) => d.scale));
  const [w, ...ws] = exact.map((d) => d.digits * 10n ** BigInt(scale - d.scale)) as [bigint, ...bigint[]];
  const sum = ws.reduce((a, b) => a + b, 0n);
  if (sum === 0n) fail('weights must not all be zero');
  // (part * sum - total * w) / sum cents, in millionths, rounded half away from zero.
  const numerator = (BigInt(partCents) * sum - BigInt(totalCents) * w) * 1_000_000n;
  const magnitude = ((numerator < 0n ? -numerator : numerator) * 2n + sum) / (2n * sum);
  return Number(numerator < 0n ? -magnitude : magnitude);
}

/**
 * totalCents in n parts that differ by at most one cent, the first parts
 * getting the extra cents: equalParts(1000, 3) = [334, 333, 333]. What
 * split_expense's equal mode does with no rounding carried and rotation 0
 * (weights of 1, people ordered by user id).
 */
export function equalParts(totalCents: number, n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 1) fail(`cannot split into ${String(n)} parts`);
  return allocateCents(
    totalCents,
    Array.from({ length: n }, () => 1),
  );
}
