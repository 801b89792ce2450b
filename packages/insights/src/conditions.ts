/**
 * Tiny condition language the content library and the offers use to say
 * which signals they are written for: `path op value`, where path walks the
 * signals object (`subscriptions.subscription_share`), op is one of
 * >= <= > < = != , or the path alone with `exists` / `!exists` / `nonempty`.
 * Examples: `credit.utilization_rate>=0.5`, `income.variable_income=true`,
 * `subscriptions.price_changes nonempty`, `credit !exists`.
 */
import type { Signals } from './types.ts';

const BINARY = /^([a-z0-9_.]+)\s*(>=|<=|!=|>|<|=)\s*(.+)$/;
const UNARY = /^([a-z0-9_.]+)\s+(exists|!exists|nonempty)$/;

export function valueAt(signals: Signals, path: string): unknown {
  let v: unknown = signals;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function literal(text: string): number | boolean | string {
  const t = text.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

/** Whether a condition holds; a path without a value never satisfies a comparison. */
export function holds(signals: Signals, condition: string): boolean {
  const u = UNARY.exec(condition.trim());
  if (u) {
    const v = valueAt(signals, u[1]!);
    if (u[2] === 'exists') return v !== undefined && v !== null;
    if (u[2] === '!exists') return v === undefined || v === null;
    return Array.isArray(v) ? v.length > 0 : false;
  }
  const b = BINARY.exec(condition.trim());
  if (!b) throw new SyntaxError(`condition must be "path op value", got ${JSON.stringify(condition)}`);
  const v = valueAt(signals, b[1]!);
  const want = literal(b[3]!);
  if (v === undefined || v === null) return false;
  switch (b[2]) {
    case '=':
      return v === want;
    case '!=':
      return v !== want;
    default: {
      if (typeof v !== 'number' || typeof want !== 'number') return false;
      if (b[2] === '>=') return v >= want;
      if (b[2] === '<=') return v <= want;
      if (b[2] === '>') return v > want;
      return v < want;
    }
  }
}

/** The signal paths a condition reads (for the trace's figures). */
export function pathOf(condition: string): string {
  const u = UNARY.exec(condition.trim());
  if (u) return u[1]!;
  const b = BINARY.exec(condition.trim());
  return b ? b[1]! : condition.trim();
}
