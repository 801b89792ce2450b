/**
 * Loading one space's rows for the engine, in one statement (one round trip):
 * the space, its members with their consent, and the money rows of the
 * history window. The large lists (expenses, splits, bank lines) are
 * aggregated as whole rows (`json_agg(r)`), which PostgreSQL turns into JSON
 * a third faster than a `json_build_object` per row (npm run bench, step g). Runs as whoever the query belongs to, so for a member RLS
 * decides what is visible (a space they are not in is simply not found).
 */
import type {
  BankAccountInput,
  BankTransactionInput,
  BudgetInput,
  BudgetItemInput,
  ExpenseInput,
  InsightsInput,
  MemberInput,
  SplitInput,
} from '@wallai/insights';

/** Runs one statement in the current transaction (postgres.js `tx.unsafe`, a db-client `query`). */
export type Query = <T extends Record<string, unknown>>(text: string, params: readonly unknown[]) => Promise<T[]>;

/** Runs fn in one transaction as the caller: committed when it resolves, rolled back when it throws. */
export type Transact = <T>(fn: (query: Query) => Promise<T>) => Promise<T>;

/**
 * Days of history loaded before today: the engine's 180-day window, plus
 * enough for an annual subscription to have been charged twice.
 */
export const HISTORY_DAYS = 400;

export interface LoadedSpace {
  readonly input: InsightsInput;
  readonly isActive: boolean;
}

interface SpaceRow extends Record<string, unknown> {
  id: string;
  currency: string;
  timezone: string;
  is_active: boolean;
  members: unknown;
  expenses: unknown;
  splits: unknown;
  budgets: unknown;
  budget_items: unknown;
  bank_accounts: unknown;
  bank_transactions: unknown;
}

/** json columns arrive parsed (postgres.js, PGlite) or as text, depending on the driver's settings. */
const parsed = <T>(value: unknown): T[] => (typeof value === 'string' ? (JSON.parse(value) as T[]) : ((value ?? []) as T[]));

/** The members only (what the consent guardrail needs), for the write transaction's re-check. */
export async function loadMembers(query: Query, spaceId: string): Promise<MemberInput[]> {
  const rows = await query<{ members: unknown }>(`select ${MEMBERS_JSON} as members from public.spaces s where s.id = $1::uuid`, [spaceId]);
  return parsed<MemberInput>(rows[0]?.members);
}

const MEMBERS_JSON = `(select coalesce(json_agg(json_build_object(
      'user_id', m.user_id, 'role', m.role, 'is_active', m.is_active,
      'consent_status', coalesce(u.consent_status, false),
      'consent_version', case when u.consent_updated_at is null then null else u.consent_version end,
      'display_name', coalesce(nullif(btrim(u.full_name), ''), u.username)) order by m.joined_at, m.user_id), '[]')
    from public.space_members m left join public.users u on u.id = m.user_id
   where m.space_id = s.id)`;

/**
 * The space and its rows from `HISTORY_DAYS` before today (in the space's time
 * zone) on; null when the caller cannot see the space. `withData: false` loads
 * the space and its members only (consent is checked before anything else is read).
 */
export async function loadSpace(
  query: Query,
  spaceId: string,
  now: Date,
  options: { readonly withData?: boolean; readonly historyDays?: number } = {},
): Promise<LoadedSpace | null> {
  const withData = options.withData ?? true;
  const historyDays = options.historyDays ?? HISTORY_DAYS;
  const empty = `'[]'::json`;
  const [row] = await query<SpaceRow>(
    `with s as (
       select s.id, s.currency, s.timezone, s.is_active,
              ((($2::timestamptz) at time zone s.timezone)::date - $3::int) as since
         from public.spaces s where s.id = $1::uuid
     )
     select s.id, s.currency, s.timezone, s.is_active,
            ${MEMBERS_JSON} as members,
            ${
              withData
                ? `(select coalesce(json_agg(r order by r.date, r.id), '[]')
                     from (select e.id, e.date, e.amount::text as amount, e.currency, e.base_amount::text as base_amount,
                                  e.description, e.category, e.created_by, e.budget_item_id, e.bank_transaction_id
                             from public.expenses e where e.space_id = s.id and e.date >= s.since) r)`
                : empty
            } as expenses,
            ${
              withData
                ? `(select coalesce(json_agg(r order by r.expense_id, r.id), '[]')
                     from (select x.id, x.expense_id, x.user_id, x.amount::text as amount
                             from public.expense_splits x join public.expenses e on e.id = x.expense_id
                            where e.space_id = s.id and e.date >= s.since) r)`
                : empty
            } as splits,
            ${
              withData
                ? `(select coalesce(json_agg(json_build_object(
                      'id', b.id, 'type', b.type, 'month_period', b.month_period, 'total_income', b.total_income::text,
                      'total_budgeted', b.total_budgeted::text, 'total_spent', b.total_spent::text, 'currency', b.currency)
                      order by b.month_period, b.id), '[]')
                     from public.budgets b where b.space_id = s.id and b.month_period >= date_trunc('month', s.since)::date)`
                : empty
            } as budgets,
            ${
              withData
                ? `(select coalesce(json_agg(json_build_object(
                      'id', i.id, 'budget_id', i.budget_id, 'category', i.category, 'category_type', i.category_type,
                      'budgeted_amount', i.budgeted_amount::text, 'spent_amount', i.spent_amount::text) order by i.budget_id, i.display_order, i.id), '[]')
                     from public.budget_items i join public.budgets b on b.id = i.budget_id
                    where b.space_id = s.id and b.month_period >= date_trunc('month', s.since)::date)`
                : empty
            } as budget_items,
            ${
              withData
                ? `(select coalesce(json_agg(json_build_object(
                      'id', a.id, 'external_id', a.external_id, 'name', a.name, 'mask', a.mask, 'type', a.type, 'subtype', a.subtype,
                      'currency', a.currency, 'current_balance', a.current_balance::text, 'available_balance', a.available_balance::text,
                      'credit_limit', a.credit_limit::text, 'balances_as_of', a.balances_as_of, 'owner_id', a.owner_id) order by a.id), '[]')
                     from public.bank_accounts a where a.space_id = s.id)`
                : empty
            } as bank_accounts,
            ${
              withData
                ? `(select coalesce(json_agg(r order by r.date, r.id), '[]')
                     from (select t.id, t.account_id, t.date, t.amount::text as amount, t.currency, t.description, t.merchant_name,
                                  t.kind, t.expense_id, t.pending
                             from public.bank_transactions t where t.space_id = s.id and t.date >= s.since) r)`
                : empty
            } as bank_transactions
       from s`,
    [spaceId, now.toISOString(), historyDays],
  );
  if (row === undefined) return null;
  const bankAccounts = parsed<BankAccountInput>(row.bank_accounts);
  const input: InsightsInput = {
    space: { id: row.id, currency: row.currency, timezone: row.timezone },
    now: now.toISOString(),
    members: parsed<MemberInput>(row.members),
    expenses: parsed<ExpenseInput>(row.expenses),
    splits: parsed<SplitInput>(row.splits),
    budgets: parsed<BudgetInput>(row.budgets),
    budget_items: parsed<BudgetItemInput>(row.budget_items),
    ...(bankAccounts.length === 0
      ? {}
      : { bank_accounts: bankAccounts, bank_transactions: parsed<BankTransactionInput>(row.bank_transactions) }),
  };
  return { input, isActive: row.is_active };
}
