/**
 * What each tool does against the database, as the person (every statement
 * runs in their transaction, so RLS bounds it) and within the turn's scope of
 * spaces (checked here too, so a model naming another space's id gets an
 * error it can read, not an empty answer). Results are plain JSON: amounts as
 * exact decimal text in the space currency, counts as integers, percentages as
 * numbers with one decimal; capped, with `truncated` when cut.
 */
import { DEFAULT_CATEGORIES } from '@wallai/domain';
import { cents, decimal, percent } from '../money.ts';
import { elapsedDays, lastMonths, previousPeriod, resolvePeriod, todayIn, type Period } from '../periods.ts';
import {
  ACCOUNTS_MAX,
  GROUPS_MAX,
  INSIGHTS_MAX,
  LIST_LIMIT_MAX,
  RECURRING_MAX,
  type BudgetStatusArgs,
  type ListExpensesArgs,
  type ProposeBudgetChangeArgs,
  type ProposeExpenseArgs,
  type ProposeSplitArgs,
  type SpendingSummaryArgs,
} from '../tools.ts';
import type { Query } from './types.ts';

export interface ScopeMember {
  readonly id: string;
  readonly username: string;
  readonly fullName: string | null;
  readonly spaceIds: readonly string[];
}

export interface ScopeSpace {
  readonly id: string;
  readonly name: string;
  readonly currency: string;
  readonly timezone: string;
  /** The person's role in it. */
  readonly role: 'owner' | 'admin' | 'member' | 'viewer';
  readonly active: boolean;
}

export interface Scope {
  readonly userId: string;
  readonly spaces: readonly ScopeSpace[];
  readonly members: readonly ScopeMember[];
}

/** A tool refusal or bad argument: returned to the model as an error result it can read. */
export class ToolError extends Error {
  override name = 'ToolError';
}

export interface Proposal {
  readonly id: string;
  readonly kind: 'expense' | 'split' | 'budget_change';
  readonly space_id: string | null;
  readonly summary: string;
  readonly payload: Record<string, unknown>;
  readonly tool_call_id: string;
}

export interface ToolContext {
  readonly scope: Scope;
  readonly now: Date;
  readonly callId: string;
  /** Proposals made by write tools in this call (collected by the turn). */
  readonly proposals: Proposal[];
}

const list = (ids: readonly string[]) => ids.join(',');
const likePattern = (text: string) => text.replace(/[\\%_]/g, '\\$&');
const amountText = (v: string | number | undefined) => (v === undefined ? null : typeof v === 'number' ? v.toFixed(2) : v);

function spacesFor(ctx: ToolContext, spaceId: string | undefined): ScopeSpace[] {
  if (spaceId === undefined) return [...ctx.scope.spaces];
  const space = ctx.scope.spaces.find((s) => s.id.toLowerCase() === spaceId.toLowerCase());
  if (space === undefined) {
    throw new ToolError(
      `Space ${spaceId} is not in this conversation's scope. Spaces you may use: ${ctx.scope.spaces.map((s) => `${s.id} (${s.name})`).join(', ')}.`,
    );
  }
  return [space];
}

function spaceName(ctx: ToolContext, id: string): string {
  return ctx.scope.spaces.find((s) => s.id === id)?.name ?? id;
}

export function memberName(ctx: { scope: Scope }, id: string | null): string {
  if (id === null) return 'a former member';
  const m = ctx.scope.members.find((x) => x.id === id);
  if (m === undefined) return 'a former member';
  if (m.id === ctx.scope.userId) return `${m.fullName?.split(/\s+/)[0] ?? m.username} (you)`;
  return m.fullName?.split(/\s+/)[0] ?? m.username;
}

/** A member named by id, username, first or full name, or "me". */
export function resolveMember(ctx: { scope: Scope }, name: string, spaceIds?: readonly string[]): ScopeMember {
  const wanted = name.trim().toLowerCase();
  const pool = ctx.scope.members.filter((m) => spaceIds === undefined || m.spaceIds.some((s) => spaceIds.includes(s)));
  if (['me', 'i', 'myself', 'you'].includes(wanted)) {
    const self = pool.find((m) => m.id === ctx.scope.userId);
    if (self) return self;
  }
  const found = pool.filter(
    (m) =>
      m.id.toLowerCase() === wanted ||
      m.username.toLowerCase() === wanted ||
      m.fullName?.toLowerCase() === wanted ||
      m.fullName?.split(/\s+/)[0]?.toLowerCase() === wanted,
  );
  if (found.length === 1 && found[0]) return found[0];
  if (found.length > 1) throw new ToolError(`"${name}" names several members; use their user id.`);
  throw new ToolError(
    `No member called "${name}" in scope. Members: ${pool.map((m) => `${m.fullName ?? m.username} (${m.id})`).join(', ')}.`,
  );
}

const CATEGORY_LABELS = new Map<string, string>(DEFAULT_CATEGORIES.map((c) => [c.key, c.label]));
const categoryLabel = (key: string) => CATEGORY_LABELS.get(key) ?? key.replace(/_/g, ' ');

function categoryKey(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const lower = text.trim().toLowerCase();
  const byLabel = DEFAULT_CATEGORIES.find((c) => c.label.toLowerCase() === lower);
  return byLabel?.key ?? lower.replace(/\s+/g, '_');
}

/** The period of a tool call, resolved in the time zone of the first space in play. */
function periodFor(ctx: ToolContext, spaces: readonly ScopeSpace[], text: string | undefined): Period {
  return resolvePeriod(text ?? 'this_month', ctx.now, spaces[0]?.timezone ?? 'UTC');
}

const publicPeriod = (p: Period) => ({ from: p.from, to_exclusive: p.to, label: p.label });

interface ExpenseFilter {
  spaces: ScopeSpace[];
  period: Period;
  category: string | undefined;
  text: string | undefined;
  minAmount: string | null;
  maxAmount: string | null;
  member: ScopeMember | undefined;
}

const FILTER_SQL = `e.space_id = any(string_to_array($1::text, ',')::uuid[])
   and e.date >= $2::date and e.date < $3::date
   and ($4::text is null or e.category = $4::text)
   and ($5::text is null or e.description ilike '%' || $5::text || '%')
   and ($6::numeric is null or e.base_amount >= $6::numeric)
   and ($7::numeric is null or e.base_amount <= $7::numeric)
   and ($8::uuid is null or e.created_by = $8::uuid)`;

function filterParams(f: ExpenseFilter, period: Period = f.period): unknown[] {
  return [
    list(f.spaces.map((s) => s.id)),
    period.from,
    period.to,
    f.category ?? null,
    f.text === undefined ? null : likePattern(f.text),
    f.minAmount,
    f.maxAmount,
    f.member?.id ?? null,
  ];
}

function buildFilter(
  ctx: ToolContext,
  args: {
    space_id?: string;
    period?: string;
    category?: string;
    text?: string;
    member?: string;
    min_amount?: string | number;
    max_amount?: string | number;
  },
): ExpenseFilter {
  const spaces = spacesFor(ctx, args.space_id);
  return {
    spaces,
    period: periodFor(ctx, spaces, args.period),
    category: categoryKey(args.category),
    text: args.text?.trim(),
    minAmount: amountText(args.min_amount),
    maxAmount: amountText(args.max_amount),
    member:
      args.member === undefined
        ? undefined
        : resolveMember(
            ctx,
            args.member,
            spaces.map((s) => s.id),
          ),
  };
}

function describeFilter(ctx: ToolContext, f: ExpenseFilter): Record<string, unknown> {
  return {
    spaces: f.spaces.map((s) => ({ space_id: s.id, name: s.name, currency: s.currency })),
    ...(f.category === undefined ? {} : { category: f.category, category_label: categoryLabel(f.category) }),
    ...(f.text === undefined ? {} : { text: f.text }),
    ...(f.member === undefined ? {} : { member: memberName(ctx, f.member.id), member_id: f.member.id }),
    ...(f.minAmount === null ? {} : { min_amount: f.minAmount }),
    ...(f.maxAmount === null ? {} : { max_amount: f.maxAmount }),
  };
}

const SORTS = {
  date_desc: 'e.date desc, e.created_at desc, e.id',
  date_asc: 'e.date asc, e.created_at asc, e.id',
  amount_desc: 'e.base_amount desc, e.date desc, e.id',
  amount_asc: 'e.base_amount asc, e.date desc, e.id',
} as const;

export async function listExpenses(query: Query, ctx: ToolContext, args: ListExpensesArgs): Promise<Record<string, unknown>> {
  const f = buildFilter(ctx, args);
  const requested = args.limit ?? 10;
  const limit = Math.min(requested, LIST_LIMIT_MAX);
  const sort = SORTS[args.sort ?? 'date_desc'];
  const params = filterParams(f);
  const totals = await query<{ space_id: string; count: number; amount: string }>(
    `select e.space_id, count(*)::int as count, coalesce(sum(e.base_amount), 0)::text as amount
       from public.expenses e where ${FILTER_SQL} group by e.space_id`,
    params,
  );
  const rows = await query<{
    id: string;
    space_id: string;
    date: string;
    description: string;
    category: string;
    amount: string;
    base_amount: string;
    currency: string;
    created_by: string | null;
  }>(
    `select e.id, e.space_id, e.date::text as date, e.description, e.category, e.amount::text as amount,
            e.base_amount::text as base_amount, e.currency, e.created_by
       from public.expenses e where ${FILTER_SQL} order by ${sort} limit $9::int`,
    [...params, String(limit)],
  );
  const matched = totals.reduce((n, t) => n + Number(t.count), 0);
  const byCurrency = currencyTotals(ctx, totals);
  return {
    call_id: ctx.callId,
    period: publicPeriod(f.period),
    filters: describeFilter(ctx, f),
    matched_count: matched,
    ...(byCurrency.length === 1 ? { total: byCurrency[0] } : { totals_by_currency: byCurrency }),
    expenses: rows.map((r) => ({
      id: r.id,
      date: r.date,
      description: r.description,
      category: r.category,
      amount: r.base_amount,
      currency: ctx.scope.spaces.find((s) => s.id === r.space_id)?.currency ?? r.currency,
      ...(r.currency !== (ctx.scope.spaces.find((s) => s.id === r.space_id)?.currency ?? r.currency)
        ? { original_amount: r.amount, original_currency: r.currency }
        : {}),
      paid_by: memberName(ctx, r.created_by),
      ...(f.spaces.length > 1 ? { space: spaceName(ctx, r.space_id) } : {}),
    })),
    returned: rows.length,
    truncated: matched > rows.length,
    ...(requested > LIST_LIMIT_MAX ? { note: `At most ${LIST_LIMIT_MAX} expenses are returned.` } : {}),
  };
}

/** Sums per space currency (amounts of different currencies are never added together). */
function currencyTotals(
  ctx: ToolContext,
  rows: ReadonlyArray<{ space_id: string; count: number; amount: string }>,
): Array<{ amount: string; currency: string; count: number }> {
  const by = new Map<string, { cents: number; count: number }>();
  for (const r of rows) {
    const currency = ctx.scope.spaces.find((s) => s.id === r.space_id)?.currency ?? 'XXX';
    const t = by.get(currency) ?? { cents: 0, count: 0 };
    t.cents += cents(r.amount);
    t.count += Number(r.count);
    by.set(currency, t);
  }
  if (by.size === 0) {
    const currency = ctx.scope.spaces[0]?.currency ?? 'XXX';
    return [{ amount: '0.00', currency, count: 0 }];
  }
  return [...by].map(([currency, t]) => ({ amount: decimal(t.cents), currency, count: t.count }));
}

export async function spendingSummary(query: Query, ctx: ToolContext, args: SpendingSummaryArgs): Promise<Record<string, unknown>> {
  const f = buildFilter(ctx, args);
  const groupBy = args.group_by ?? 'none';
  const keyExpr = {
    none: `''`,
    category: 'e.category',
    member: `coalesce(e.created_by::text, '')`,
    month: `to_char(e.date, 'YYYY-MM')`,
  }[groupBy];
  const grouped = async (period: Period) =>
    query<{ space_id: string; key: string; count: number; amount: string }>(
      `select e.space_id, ${keyExpr} as key, count(*)::int as count, sum(e.base_amount)::text as amount
         from public.expenses e where ${FILTER_SQL} group by 1, 2`,
      filterParams(f, period),
    );
  const rows = await grouped(f.period);
  const totals = currencyTotals(
    ctx,
    [...new Set(rows.map((r) => r.space_id))].map((space_id) => ({
      space_id,
      count: rows.filter((r) => r.space_id === space_id).reduce((n, r) => n + Number(r.count), 0),
      amount: decimal(rows.filter((r) => r.space_id === space_id).reduce((n, r) => n + cents(r.amount), 0)),
    })),
  );
  const result: Record<string, unknown> = {
    call_id: ctx.callId,
    period: publicPeriod(f.period),
    filters: describeFilter(ctx, f),
    ...(totals.length === 1 ? { total: totals[0] } : { totals_by_currency: totals }),
  };

  if (groupBy !== 'none') {
    const byKey = new Map<string, { key: string; currency: string; cents: number; count: number }>();
    for (const r of rows) {
      const currency = ctx.scope.spaces.find((s) => s.id === r.space_id)?.currency ?? 'XXX';
      const id = `${currency}:${r.key}`;
      const g = byKey.get(id) ?? { key: r.key, currency, cents: 0, count: 0 };
      g.cents += cents(r.amount);
      g.count += Number(r.count);
      byKey.set(id, g);
    }
    const totalOf = (currency: string) => totals.find((t) => t.currency === currency);
    const groups = [...byKey.values()]
      .sort((a, b) => (groupBy === 'month' ? a.key.localeCompare(b.key) : b.cents - a.cents || a.key.localeCompare(b.key)))
      .map((g) => ({
        key: g.key,
        label: groupBy === 'category' ? categoryLabel(g.key) : groupBy === 'member' ? memberName(ctx, g.key === '' ? null : g.key) : g.key,
        amount: decimal(g.cents),
        currency: g.currency,
        count: g.count,
        share_pct: percent(g.cents, cents(totalOf(g.currency)?.amount)) ?? 0,
      }));
    result.group_by = groupBy;
    result.groups = groups.slice(0, GROUPS_MAX);
    result.truncated = groups.length > GROUPS_MAX;
  }

  if (args.compare_previous) {
    const previous = previousPeriod(f.period, f.spaces[0]?.timezone ?? 'UTC');
    if (previous === null) {
      result.previous = { available: false, reason: 'all time has no previous period' };
    } else {
      const prevRows = await grouped(previous);
      const prev = currencyTotals(
        ctx,
        [...new Set(prevRows.map((r) => r.space_id))].map((space_id) => ({
          space_id,
          count: prevRows.filter((r) => r.space_id === space_id).reduce((n, r) => n + Number(r.count), 0),
          amount: decimal(prevRows.filter((r) => r.space_id === space_id).reduce((n, r) => n + cents(r.amount), 0)),
        })),
      );
      const current = totals.length === 1 ? totals[0] : undefined;
      const before = prev.length === 1 ? prev[0] : undefined;
      result.previous = {
        period: publicPeriod(previous),
        ...(prev.length === 1 ? { total: before } : { totals_by_currency: prev }),
        ...(current && before && current.currency === before.currency
          ? {
              change: {
                amount: decimal(cents(current.amount) - cents(before.amount)),
                pct: percent(cents(current.amount) - cents(before.amount), cents(before.amount)),
                direction:
                  cents(current.amount) > cents(before.amount) ? 'up' : cents(current.amount) < cents(before.amount) ? 'down' : 'same',
              },
            }
          : {}),
      };
    }
  }

  if (args.include_income) result.cash_flow = await cashFlow(query, f.spaces, f.period);
  return result;
}

/** Income against spending from imported bank lines (Plaid's sign: positive is money out). */
async function cashFlow(query: Query, spaces: readonly ScopeSpace[], period: Period): Promise<Record<string, unknown>> {
  const rows = await query<{ currency: string | null; income: string; spending: string; lines: number }>(
    `select t.currency,
            coalesce(-sum(t.amount) filter (where t.kind = 'income'), 0)::text as income,
            coalesce(sum(t.amount) filter (where t.kind in ('spending', 'fee')), 0)::text as spending,
            count(*)::int as lines
       from public.bank_transactions t
      where t.space_id = any(string_to_array($1::text, ',')::uuid[]) and t.date >= $2::date and t.date < $3::date and not t.pending
        and t.currency is not null
      group by t.currency order by t.currency`,
    [list(spaces.map((s) => s.id)), period.from, period.to],
  );
  if (rows.length === 0) return { available: false, reason: 'no imported bank lines in this period' };
  const flows = rows.map((r) => ({
    currency: r.currency,
    income: r.income,
    spending: r.spending,
    net: decimal(cents(r.income) - cents(r.spending)),
    savings_rate_pct: percent(cents(r.income) - cents(r.spending), cents(r.income)),
    bank_lines: Number(r.lines),
  }));
  return { available: true, source: 'imported bank lines', ...(flows.length === 1 ? flows[0] : { by_currency: flows }) };
}

export async function budgetStatus(query: Query, ctx: ToolContext, args: BudgetStatusArgs): Promise<Record<string, unknown>> {
  const spaces = spacesFor(ctx, args.space_id);
  const wanted = categoryKey(args.category);
  const budgets: Record<string, unknown>[] = [];
  const missing: Record<string, unknown>[] = [];
  for (const space of spaces) {
    const today = todayIn(ctx.now, space.timezone);
    const month = resolvePeriod(args.month ?? 'this_month', ctx.now, space.timezone);
    const rows = await query<{
      budget_id: string;
      total_income: string;
      total_budgeted: string;
      total_spent: string;
      category: string | null;
      description: string | null;
      category_type: string | null;
      budgeted: string | null;
      spent: string | null;
    }>(
      `select b.id as budget_id, b.total_income::text as total_income, b.total_budgeted::text as total_budgeted,
              b.total_spent::text as total_spent, i.category, i.description, i.category_type,
              i.budgeted_amount::text as budgeted, i.spent_amount::text as spent
         from public.budgets b left join public.budget_items i on i.budget_id = b.id
        where b.space_id = $1::uuid and b.type = 'master' and b.month_period = $2::date
        order by i.display_order, i.category`,
      [space.id, month.from],
    );
    if (rows.length === 0) {
      missing.push({ space_id: space.id, space: space.name, month: month.from.slice(0, 7), label: month.label });
      continue;
    }
    const { elapsed, length } = elapsedDays(month, today);
    const current = today >= month.from && today < month.to;
    const past = today >= month.to;
    // Before the third day a linear projection says nothing: pacing then only knows what is already over.
    const early = current && elapsed < 3;
    const project = (spentCents: number) => (current && !early && elapsed > 0 ? Math.round((spentCents * length) / elapsed) : spentCents);
    const pacing = (budgetedCents: number, spentCents: number) => {
      if (spentCents > budgetedCents) return 'over_budget';
      if (early) return 'too_early';
      if (!past && project(spentCents) > budgetedCents) return 'at_risk';
      return 'on_track';
    };
    const first = rows[0]!;
    const items = rows
      .filter((r) => r.category !== null && r.category_type !== 'income' && (wanted === undefined || r.category === wanted))
      .map((r) => {
        const b = cents(r.budgeted);
        const s = cents(r.spent);
        return {
          category: r.category,
          label: r.description ?? categoryLabel(r.category ?? ''),
          type: r.category_type,
          budgeted: decimal(b),
          spent: decimal(s),
          left: decimal(b - s),
          used_pct: percent(s, b),
          projected: decimal(project(s)),
          pacing: pacing(b, s),
        };
      });
    if (wanted !== undefined && items.length === 0) {
      throw new ToolError(`The ${month.label} budget of ${space.name} has no "${wanted}" item.`);
    }
    const itemsSpent = rows.filter((r) => r.category_type !== 'income').reduce((n, r) => n + cents(r.spent), 0);
    const totalBudgeted = cents(first.total_budgeted);
    const totalSpent = cents(first.total_spent);
    budgets.push({
      space_id: space.id,
      space: space.name,
      currency: space.currency,
      month: month.from.slice(0, 7),
      label: month.label,
      status: current ? 'current' : past ? 'past' : 'future',
      days_elapsed: elapsed,
      days_in_month: length,
      month_elapsed_pct: percent(elapsed, length),
      income: first.total_income,
      total_budgeted: decimal(totalBudgeted),
      total_spent: decimal(totalSpent),
      total_left: decimal(totalBudgeted - totalSpent),
      total_used_pct: percent(totalSpent, totalBudgeted),
      total_projected: decimal(project(totalSpent)),
      total_pacing: pacing(totalBudgeted, totalSpent),
      unplanned_spent: decimal(totalSpent - itemsSpent),
      items,
      over_budget_items: items.filter((i) => i.pacing === 'over_budget').map((i) => i.category),
    });
  }
  return { call_id: ctx.callId, budgets, ...(missing.length > 0 ? { no_budget: missing } : {}) };
}

export async function balances(query: Query, ctx: ToolContext, args: { space_id?: string }): Promise<Record<string, unknown>> {
  const spaces = spacesFor(ctx, args.space_id);
  const out: Record<string, unknown>[] = [];
  for (const space of spaces) {
    const rows = await query<{ user_id: string; currency: string; balance: string }>(
      `select b.user_id, b.currency, b.balance::text as balance from public.space_balances($1::uuid) b order by b.currency, b.balance desc, b.user_id`,
      [space.id],
    );
    const moves = await query<{ from_user: string; to_user: string; amount: string; currency: string }>(
      `select s.from_user, s.to_user, s.amount::text as amount, s.currency from public.suggest_settlements($1::uuid) s`,
      [space.id],
    );
    out.push({
      space_id: space.id,
      space: space.name,
      balances: rows.map((r) => ({
        member: memberName(ctx, r.user_id),
        user_id: r.user_id,
        currency: r.currency,
        balance: r.balance,
        status: cents(r.balance) > 0 ? 'is_owed' : cents(r.balance) < 0 ? 'owes' : 'even',
        amount: decimal(Math.abs(cents(r.balance))),
      })),
      settle_up: moves.map((m) => ({
        from: memberName(ctx, m.from_user),
        from_user_id: m.from_user,
        to: memberName(ctx, m.to_user),
        to_user_id: m.to_user,
        amount: m.amount,
        currency: m.currency,
      })),
      all_settled: moves.length === 0,
    });
  }
  return { call_id: ctx.callId, spaces: out };
}

/**
 * Recurring expenses. For a space the insights service analysed (its profile
 * is `analysed`), the engine's recurring series (public.recurring_series:
 * cadence from the median gap, price changes, next expected date) are the
 * answer. A space it has not analysed (no consent from every member, or never
 * run) falls back to detecting them from the expenses themselves: a
 * description seen in at least 3 of the last 6 calendar months, at most about
 * once a month (rent, bills, subscriptions).
 */
export async function recurringExpenses(query: Query, ctx: ToolContext, args: { space_id?: string }): Promise<Record<string, unknown>> {
  const spaces = spacesFor(ctx, args.space_id);
  const tz = spaces[0]?.timezone ?? 'UTC';
  const window = lastMonths(6, ctx.now, tz);
  const analysed = new Set(
    (
      await query<{ space_id: string }>(
        `select p.space_id from public.space_profiles p
          where p.space_id = any(string_to_array($1::text, ',')::uuid[]) and p.status = 'analysed'`,
        [list(spaces.map((s) => s.id))],
      )
    ).map((r) => r.space_id),
  );
  const stored = await query<{
    space_id: string;
    merchant: string;
    category: string | null;
    cadence: string;
    typical_amount: string;
    monthly_amount: string;
    currency: string;
    last_date: string;
    next_expected_date: string;
    occurrences: number;
    status: string;
    price_changes: Array<{ label: string }>;
  }>(
    `select r.space_id, r.merchant, r.category, r.cadence, r.typical_amount::text as typical_amount,
            r.monthly_amount::text as monthly_amount, r.currency, r.last_date::text as last_date,
            r.next_expected_date::text as next_expected_date, r.occurrences, r.status, r.price_changes
       from public.recurring_series r
      where r.space_id = any(string_to_array($1::text, ',')::uuid[]) and r.is_active
      order by r.monthly_amount desc, r.merchant
      limit $2::int`,
    [list([...analysed]), String(RECURRING_MAX + 1)],
  );
  const detectFor = spaces.filter((s) => !analysed.has(s.id));
  const rows =
    detectFor.length === 0
      ? []
      : await query<{
          space_id: string;
          description: string;
          category: string;
          months: number;
          times: number;
          typical_amount: string;
          last_amount: string;
          last_date: string;
        }>(
          `select e.space_id, min(e.description) as description, mode() within group (order by e.category) as category,
            count(distinct date_trunc('month', e.date))::int as months, count(*)::int as times,
            (percentile_disc(0.5) within group (order by e.base_amount))::text as typical_amount,
            ((array_agg(e.base_amount order by e.date desc, e.id))[1])::text as last_amount,
            max(e.date)::text as last_date
       from public.expenses e
      where e.space_id = any(string_to_array($1::text, ',')::uuid[]) and e.date >= $2::date and e.date < $3::date
      group by e.space_id, lower(e.description)
     having count(distinct date_trunc('month', e.date)) >= 3
        and count(*) <= count(distinct date_trunc('month', e.date)) + 1
        -- A bill, or anything whose amount hardly moves (a subscription, a standing transfer).
        and (mode() within group (order by e.category) in ('housing', 'utilities', 'insurance', 'subscriptions')
             or max(e.base_amount) <= 1.5 * min(e.base_amount))
      order by percentile_disc(0.5) within group (order by e.base_amount) desc, 2
      limit $4::int`,
          [list(detectFor.map((s) => s.id)), window.from, window.to, String(RECURRING_MAX + 1)],
        );
  const fromSeries = stored.map((r) => ({
    description: r.merchant,
    category: r.category ?? 'other',
    cadence: r.cadence,
    typical_amount: r.typical_amount,
    last_amount: r.typical_amount,
    monthly_amount: r.monthly_amount,
    currency: r.currency,
    last_date: r.last_date,
    next_expected_date: r.next_expected_date,
    occurrences: Number(r.occurrences),
    status: r.status,
    ...(r.price_changes.length > 0 ? { price_changes: r.price_changes.map((c) => c.label) } : {}),
    ...(spaces.length > 1 ? { space: spaceName(ctx, r.space_id) } : {}),
  }));
  const detected = rows.map((r) => ({
    description: r.description,
    category: r.category,
    cadence: 'monthly',
    typical_amount: r.typical_amount,
    last_amount: r.last_amount,
    currency: ctx.scope.spaces.find((s) => s.id === r.space_id)?.currency ?? 'XXX',
    last_date: r.last_date,
    months_seen: Number(r.months),
    ...(spaces.length > 1 ? { space: spaceName(ctx, r.space_id) } : {}),
  }));
  const all: Array<{ currency: string; typical_amount: string; monthly_amount?: string }> = [...fromSeries, ...detected];
  const series = all.slice(0, RECURRING_MAX);
  const byCurrency = new Map<string, number>();
  for (const s of series) byCurrency.set(s.currency, (byCurrency.get(s.currency) ?? 0) + cents(s.monthly_amount ?? s.typical_amount));
  const monthly = [...byCurrency].map(([currency, c]) => ({ amount: decimal(c), currency }));
  const sources = [
    ...(analysed.size > 0
      ? ["the insights engine's recurring series (cadence from the median gap, price changes, next expected date)"]
      : []),
    ...(detectFor.length > 0
      ? ['detected from expenses: seen in at least 3 of the last 6 months, about once a month, a bill or a steady amount']
      : []),
  ];
  return {
    call_id: ctx.callId,
    source: sources.join('; '),
    window: { from: window.from, to_exclusive: window.to },
    series,
    count: series.length,
    ...(monthly.length === 1 ? { monthly_total: monthly[0] } : { monthly_totals: monthly }),
    truncated: stored.length + rows.length > RECURRING_MAX,
  };
}

const ASSET_TYPES = new Set(['depository', 'investment', 'other']);

export async function accounts(query: Query, ctx: ToolContext, args: { space_id?: string }): Promise<Record<string, unknown>> {
  const spaces = spacesFor(ctx, args.space_id);
  const rows = await query<{
    id: string;
    space_id: string;
    name: string;
    type: string;
    subtype: string | null;
    mask: string | null;
    currency: string | null;
    unofficial_currency: string | null;
    current_balance: string | null;
    available_balance: string | null;
    credit_limit: string | null;
    balances_as_of: string | null;
  }>(
    `select a.id, a.space_id, a.name, a.type, a.subtype, a.mask, a.currency, a.unofficial_currency,
            a.current_balance::text as current_balance, a.available_balance::text as available_balance,
            a.credit_limit::text as credit_limit, a.balances_as_of::text as balances_as_of
       from public.bank_accounts a
      where a.space_id = any(string_to_array($1::text, ',')::uuid[])
      order by a.space_id, a.type, a.name, a.id
      limit $2::int`,
    [list(spaces.map((s) => s.id)), String(ACCOUNTS_MAX + 1)],
  );
  if (rows.length === 0)
    return { call_id: ctx.callId, has_bank_data: false, accounts: [], note: 'No bank accounts have been imported into these spaces.' };
  const shown = rows.slice(0, ACCOUNTS_MAX);
  const worth = new Map<string, { assets: number; liabilities: number }>();
  let creditUsed = 0;
  let creditLimit = 0;
  const list_ = shown.map((a) => {
    const currency = a.currency ?? a.unofficial_currency ?? 'XXX';
    const balance = cents(a.current_balance);
    if (a.currency !== null && a.current_balance !== null) {
      const w = worth.get(currency) ?? { assets: 0, liabilities: 0 };
      if (ASSET_TYPES.has(a.type)) w.assets += balance;
      else w.liabilities += balance;
      worth.set(currency, w);
    }
    const isCredit = a.type === 'credit' && a.credit_limit !== null;
    if (isCredit) {
      creditUsed += balance;
      creditLimit += cents(a.credit_limit);
    }
    return {
      id: a.id,
      name: a.name,
      type: a.type,
      ...(a.subtype ? { subtype: a.subtype } : {}),
      ...(a.mask ? { mask: a.mask } : {}),
      currency,
      current_balance: a.current_balance,
      available_balance: a.available_balance,
      credit_limit: a.credit_limit,
      ...(isCredit ? { credit_used_pct: percent(balance, cents(a.credit_limit)) } : {}),
      balances_as_of: a.balances_as_of,
      ...(spaces.length > 1 ? { space: spaceName(ctx, a.space_id) } : {}),
    };
  });
  return {
    call_id: ctx.callId,
    has_bank_data: true,
    accounts: list_,
    net_worth: [...worth].map(([currency, w]) => ({
      currency,
      assets: decimal(w.assets),
      liabilities: decimal(w.liabilities),
      net: decimal(w.assets - w.liabilities),
    })),
    ...(creditLimit > 0
      ? { credit: { used: decimal(creditUsed), limit: decimal(creditLimit), used_pct: percent(creditUsed, creditLimit) } }
      : {}),
    truncated: rows.length > ACCOUNTS_MAX,
  };
}

export async function insights(
  query: Query,
  ctx: ToolContext,
  args: { space_id?: string; limit?: number },
): Promise<Record<string, unknown>> {
  const spaces = spacesFor(ctx, args.space_id);
  const limit = Math.min(args.limit ?? 5, INSIGHTS_MAX);
  const rows = await query<{
    id: string;
    space_id: string;
    type: string;
    title: string;
    description: string | null;
    priority: string;
    period: string | null;
    created_at: string;
  }>(
    `select i.id, i.space_id, i.type, i.title, i.description, i.priority, i.period::text as period, i.created_at::text as created_at
       from public.financial_insights i
      where i.space_id = any(string_to_array($1::text, ',')::uuid[]) and not i.is_dismissed
      order by i.created_at desc, i.id
      limit $2::int`,
    [list(spaces.map((s) => s.id)), String(limit + 1)],
  );
  return {
    call_id: ctx.callId,
    insights: rows.slice(0, limit).map((r) => ({
      type: r.type,
      title: r.title,
      description: r.description,
      priority: r.priority,
      period: r.period,
      ...(spaces.length > 1 ? { space: spaceName(ctx, r.space_id) } : {}),
    })),
    count: Math.min(rows.length, limit),
    truncated: rows.length > limit,
  };
}

// --- write tools: proposals only ---------------------------------------------------------------

function writableSpace(ctx: ToolContext, spaceId: string | undefined, what: string): ScopeSpace {
  const spaces = spacesFor(ctx, spaceId);
  if (spaces.length !== 1 || !spaces[0]) throw new ToolError(`Name the space_id: the scope has ${spaces.length} spaces.`);
  const space = spaces[0];
  if (!space.active) throw new ToolError(`${space.name} is inactive: nothing can be changed in it.`);
  if (space.role === 'viewer') throw new ToolError(`You are a viewer of ${space.name}: you cannot ${what} there.`);
  return space;
}

function propose(ctx: ToolContext, p: Omit<Proposal, 'id' | 'tool_call_id'>): Record<string, unknown> {
  const proposal: Proposal = { ...p, id: globalThis.crypto.randomUUID(), tool_call_id: ctx.callId };
  ctx.proposals.push(proposal);
  return {
    call_id: ctx.callId,
    proposal: { id: proposal.id, kind: proposal.kind, summary: proposal.summary, ...proposal.payload },
    status: 'pending_confirmation',
    note: 'Nothing has been changed. The person must confirm this proposal in the app (confirm: proposal id) for it to happen.',
  };
}

export async function proposeExpense(query: Query, ctx: ToolContext, args: ProposeExpenseArgs): Promise<Record<string, unknown>> {
  const space = writableSpace(ctx, args.space_id, 'add expenses');
  const amount = amountText(args.amount) ?? '0';
  if (cents(amount) <= 0) throw new ToolError('The amount must be greater than 0.');
  const category = args.category ?? 'other';
  const date = args.date ?? todayIn(ctx.now, space.timezone);
  const [month] = await query<{ categories: string[] }>(`select public.month_categories($1::uuid, $2::date) as categories`, [
    space.id,
    date,
  ]);
  const known = new Set([...(month?.categories ?? []), ...DEFAULT_CATEGORIES.map((c) => c.key)]);
  if (!known.has(category)) throw new ToolError(`"${category}" is not a category of ${space.name}.`);
  return propose(ctx, {
    kind: 'expense',
    space_id: space.id,
    summary: `Add an expense of ${amount} ${space.currency}, "${args.description.slice(0, 80)}" (${category}), on ${date} in ${space.name}, paid by you`,
    payload: { space_id: space.id, amount, currency: space.currency, description: args.description, category, date },
  });
}

export async function proposeSplit(query: Query, ctx: ToolContext, args: ProposeSplitArgs): Promise<Record<string, unknown>> {
  const [expense] = await query<{
    id: string;
    space_id: string;
    description: string;
    amount: string;
    currency: string;
    created_by: string | null;
  }>(
    `select e.id, e.space_id, e.description, e.amount::text as amount, e.currency, e.created_by from public.expenses e where e.id = $1::uuid`,
    [args.expense_id],
  );
  if (expense === undefined) throw new ToolError(`No expense ${args.expense_id} that you can see.`);
  const space = writableSpace(ctx, expense.space_id, 'split expenses');
  if (space.role === 'member' && expense.created_by !== ctx.scope.userId) throw new ToolError('Members split only the expenses they paid.');
  const people = args.participants.map((p) => ({ member: resolveMember(ctx, p.member, [space.id]), value: amountText(p.value) }));
  if (new Set(people.map((p) => p.member.id)).size !== people.length) throw new ToolError('Each person may appear once.');
  let parts: unknown;
  if (args.mode === 'equal') parts = people.map((p) => p.member.id);
  else {
    if (people.some((p) => p.value === null)) throw new ToolError(`Mode ${args.mode} needs a value for each participant.`);
    parts = Object.fromEntries(people.map((p) => [p.member.id, p.value]));
  }
  const names = people.map((p) => `${memberName(ctx, p.member.id)}${p.value === null ? '' : ` ${p.value}`}`).join(', ');
  return propose(ctx, {
    kind: 'split',
    space_id: space.id,
    summary: `Split "${expense.description.slice(0, 80)}" (${expense.amount} ${expense.currency}) ${args.mode === 'equal' ? 'equally' : `by ${args.mode}`} between ${names}`,
    payload: { expense_id: expense.id, mode: args.mode, parts },
  });
}

export async function proposeBudgetChange(query: Query, ctx: ToolContext, args: ProposeBudgetChangeArgs): Promise<Record<string, unknown>> {
  const space = writableSpace(ctx, args.space_id, 'change budgets');
  if (space.role !== 'owner' && space.role !== 'admin') throw new ToolError(`Only admins and owners change budgets in ${space.name}.`);
  const month = resolvePeriod(args.month ?? 'this_month', ctx.now, space.timezone);
  const [item] = await query<{ id: string; budgeted: string }>(
    `select i.id, i.budgeted_amount::text as budgeted from public.budget_items i join public.budgets b on b.id = i.budget_id
      where b.space_id = $1::uuid and b.type = 'master' and b.month_period = $2::date and i.category = $3::text`,
    [space.id, month.from, args.category],
  );
  if (item === undefined) throw new ToolError(`The ${month.label} budget of ${space.name} has no "${args.category}" item.`);
  const amount = amountText(args.budgeted_amount) ?? '0';
  return propose(ctx, {
    kind: 'budget_change',
    space_id: space.id,
    summary: `Change the ${month.label} budget for ${categoryLabel(args.category)} in ${space.name} from ${item.budgeted} to ${amount} ${space.currency}`,
    payload: { budget_item_id: item.id, category: args.category, month: month.from.slice(0, 7), from: item.budgeted, to: amount },
  });
}
