/**
 * The executed-tool evaluation of ai-chat: questions people ask about the
 * seeded spaces (supabase/seed.sql, plus the bank and insight rows of
 * EVAL_FIXTURE), each with the exact figures computed by SQL of its own, not
 * by the tools. A case passes when every expected figure is among the cited
 * figures of the answer (or, for answers without figures, when the expected
 * text is there).
 *
 * SQL placeholders, resolved in the space's time zone (Europe/Madrid):
 * :M0 :M1 :M2 first day of this month and the two before, :Y0 of this year,
 * :TODAY, :N1 first day of next month. Names: {m1}, {m2} in questions.
 */
import { DEMO_SPACES, DEMO_USERS, type DemoUserKey } from '../dev/local-keys.ts';

export interface EvalCase {
  readonly id: string;
  readonly as: DemoUserKey;
  readonly space: keyof typeof DEMO_SPACES | null;
  readonly question: string;
  /** Rows of one text column `v`: every value must be a cited figure of the answer. */
  readonly expected?: string;
  /** Text the answer must contain (for answers without figures). */
  readonly text?: string;
}

const H = `'${DEMO_SPACES.household.id}'::uuid`;
const F = `'${DEMO_SPACES.flat.id}'::uuid`;
const U = (k: DemoUserKey) => `'${DEMO_USERS[k].id}'::uuid`;

const total = (space: string, where: string) =>
  `select coalesce(sum(base_amount), 0)::text as v from public.expenses where space_id = ${space} and ${where}`;
const count = (space: string, where: string) => `select count(*)::text as v from public.expenses where space_id = ${space} and ${where}`;
const inMonth = (m: string, next: string) => `date >= ${m} and date < ${next}`;
const M0 = inMonth(':M0', ':N1');
const M1 = inMonth(':M1', ':M0');
const M2 = inMonth(':M2', ':M1');
const Y0 = `date >= :Y0 and date < :N1`;
const both = (a: string, b: string) => `${a} union all ${b}`;
const topCategory = (space: string, where: string) =>
  `select sum(base_amount)::text as v from public.expenses where space_id = ${space} and ${where} group by category order by sum(base_amount) desc, category limit 1`;
const budget = (space: string, column: string, month = ':M0') =>
  `select b.${column}::text as v from public.budgets b where b.space_id = ${space} and b.type = 'master' and b.month_period = ${month}`;
const item = (space: string, category: string, expression: string, month = ':M0') =>
  `select (${expression})::text as v from public.budget_items i join public.budgets b on b.id = i.budget_id
    where b.space_id = ${space} and b.type = 'master' and b.month_period = ${month} and i.category = '${category}'`;
/** Each member's balance in a space, from the splits and confirmed settlements directly (not space_balances). */
const balancesOf = (space: string, member?: DemoUserKey) => `
  select abs(sum(delta))::text as v from (
    select s.user_id as who, -s.amount as delta from public.expense_splits s join public.expenses e on e.id = s.expense_id
     where e.space_id = ${space} and not s.is_paid and s.user_id <> e.created_by
    union all
    select e.created_by, s.amount from public.expense_splits s join public.expenses e on e.id = s.expense_id
     where e.space_id = ${space} and not s.is_paid and s.user_id <> e.created_by
    union all select st.from_user, st.amount from public.settlements st where st.space_id = ${space} and st.status = 'confirmed'
    union all select st.to_user, -st.amount from public.settlements st where st.space_id = ${space} and st.status = 'confirmed'
  ) x ${member ? `where who = ${U(member)}` : ''} group by who having sum(delta) <> 0`;

export const EVAL_CASES: readonly EvalCase[] = [
  // Totals, by period
  { id: 'total-this-month', as: 'alice', space: 'household', question: 'How much did we spend this month?', expected: total(H, M0) },
  { id: 'total-last-month', as: 'alice', space: 'household', question: 'How much did we spend last month?', expected: total(H, M1) },
  { id: 'total-named-month', as: 'bob', space: 'household', question: 'How much did we spend in {m2}?', expected: total(H, M2) },
  { id: 'total-this-year', as: 'alice', space: 'household', question: 'What have we spent so far this year?', expected: total(H, Y0) },
  {
    id: 'total-last-30-days',
    as: 'alice',
    space: 'household',
    question: 'How much did we spend in the last 30 days?',
    expected: total(H, `date > :TODAY - 30 and date <= :TODAY`),
  },
  { id: 'total-flat-last-month', as: 'erin', space: 'flat', question: 'How much did we spend last month?', expected: total(F, M1) },
  { id: 'total-flat-this-month', as: 'carol', space: 'flat', question: 'Total spending this month?', expected: total(F, M0) },
  // Categories
  {
    id: 'groceries-this-month',
    as: 'alice',
    space: 'household',
    question: 'How much did we spend on groceries this month?',
    expected: total(H, `category = 'groceries' and ${M0}`),
  },
  {
    id: 'dining-this-month',
    as: 'bob',
    space: 'household',
    question: 'How much have we spent eating out this month?',
    expected: total(H, `category = 'dining' and ${M0}`),
  },
  {
    id: 'transport-this-month',
    as: 'alice',
    space: 'household',
    question: 'What did transport cost us this month?',
    expected: total(H, `category = 'transport' and ${M0}`),
  },
  {
    id: 'utilities-last-month',
    as: 'alice',
    space: 'household',
    question: 'How much were our bills last month?',
    expected: total(H, `category = 'utilities' and ${M1}`),
  },
  {
    id: 'housing-last-month',
    as: 'bob',
    space: 'household',
    question: 'How much did we pay in rent last month?',
    expected: total(H, `category = 'housing' and ${M1}`),
  },
  {
    id: 'subscriptions-total',
    as: 'alice',
    space: 'household',
    question: 'How much did we spend on subscriptions last month?',
    expected: total(H, `category = 'subscriptions' and ${M1}`),
  },
  {
    id: 'groceries-named-month',
    as: 'alice',
    space: 'household',
    question: 'How much did we spend on groceries in {m2}?',
    expected: total(H, `category = 'groceries' and ${M2}`),
  },
  {
    id: 'shopping-last-month',
    as: 'alice',
    space: 'household',
    question: 'Shopping spend last month?',
    expected: total(H, `category = 'shopping' and ${M1}`),
  },
  {
    id: 'health-this-year',
    as: 'bob',
    space: 'household',
    question: 'How much went on health this year?',
    expected: total(H, `category = 'health' and ${Y0}`),
  },
  {
    id: 'personal-care',
    as: 'alice',
    space: 'household',
    question: 'How much did we spend on personal care last month?',
    expected: total(H, `category = 'personal_care' and ${M1}`),
  },
  {
    id: 'entertainment',
    as: 'bob',
    space: 'household',
    question: 'How much did entertainment cost in {m1}?',
    expected: total(H, `category = 'entertainment' and ${M1}`),
  },
  {
    id: 'flat-utilities',
    as: 'carol',
    space: 'flat',
    question: 'How much did the flat spend on utilities last month?',
    expected: total(F, `category = 'utilities' and ${M1}`),
  },
  {
    id: 'flat-groceries',
    as: 'dan',
    space: 'flat',
    question: 'How much did we spend on groceries this month?',
    expected: total(F, `category = 'groceries' and ${M0}`),
  },
  {
    id: 'flat-rent-year',
    as: 'carol',
    space: 'flat',
    question: 'How much have we spent on rent this year?',
    expected: total(F, `category = 'housing' and ${Y0}`),
  },
  {
    id: 'flat-dining-named',
    as: 'alice',
    space: 'flat',
    question: 'How much did we spend on restaurants in {m2}?',
    expected: total(F, `category = 'dining' and ${M2}`),
  },
  // Merchants
  {
    id: 'merchant-mercadona',
    as: 'alice',
    space: 'household',
    question: 'How much did we spend at Mercadona this month?',
    expected: total(H, `description ilike '%mercadona%' and ${M0}`),
  },
  {
    id: 'merchant-netflix',
    as: 'bob',
    space: 'household',
    question: 'How much did Netflix cost us last month?',
    expected: total(H, `description ilike '%netflix%' and ${M1}`),
  },
  {
    id: 'merchant-iberdrola',
    as: 'alice',
    space: 'household',
    question: 'How much have we paid Iberdrola this year?',
    expected: total(H, `description ilike '%iberdrola%' and ${Y0}`),
  },
  {
    id: 'merchant-lidl-flat',
    as: 'carol',
    space: 'flat',
    question: 'What did we spend at Lidl last month?',
    expected: total(F, `description ilike '%lidl%' and ${M1}`),
  },
  {
    id: 'merchant-ikea',
    as: 'dan',
    space: 'flat',
    question: 'How much did we spend at IKEA this year?',
    expected: total(F, `description ilike '%ikea%' and ${Y0}`),
  },
  // Members
  {
    id: 'member-bob',
    as: 'alice',
    space: 'household',
    question: 'How much did Bob spend this month?',
    expected: total(H, `created_by = ${U('bob')} and ${M0}`),
  },
  {
    id: 'member-me',
    as: 'alice',
    space: 'household',
    question: 'How much did I spend last month?',
    expected: total(H, `created_by = ${U('alice')} and ${M1}`),
  },
  {
    id: 'member-category',
    as: 'bob',
    space: 'household',
    question: 'How much did Alice spend on dining last month?',
    expected: total(H, `created_by = ${U('alice')} and category = 'dining' and ${M1}`),
  },
  {
    id: 'member-dan',
    as: 'carol',
    space: 'flat',
    question: 'How much did Dan pay this month?',
    expected: total(F, `created_by = ${U('dan')} and ${M0}`),
  },
  {
    id: 'member-carol-year',
    as: 'erin',
    space: 'flat',
    question: 'What has Carol paid for this year?',
    expected: total(F, `created_by = ${U('carol')} and ${Y0}`),
  },
  // Counts
  {
    id: 'count-this-month',
    as: 'alice',
    space: 'household',
    question: 'How many expenses did we have this month?',
    expected: count(H, M0),
  },
  {
    id: 'count-groceries',
    as: 'bob',
    space: 'household',
    question: 'How many times did we buy groceries last month?',
    expected: count(H, `category = 'groceries' and ${M1}`),
  },
  {
    id: 'count-cabify',
    as: 'alice',
    space: 'household',
    question: 'How many Cabify rides did we take this year?',
    expected: count(H, `description ilike '%cabify%' and ${Y0}`),
  },
  { id: 'count-flat', as: 'erin', space: 'flat', question: 'How many expenses were there last month?', expected: count(F, M1) },
  // Comparisons
  {
    id: 'compare-months',
    as: 'alice',
    space: 'household',
    question: 'How does our spending this month compare to last month?',
    expected: both(total(H, M0), total(H, M1)),
  },
  {
    id: 'compare-groceries',
    as: 'bob',
    space: 'household',
    question: 'Did we spend more on groceries last month than the month before?',
    expected: both(total(H, `category = 'groceries' and ${M1}`), total(H, `category = 'groceries' and ${M2}`)),
  },
  {
    id: 'compare-dining-flat',
    as: 'dan',
    space: 'flat',
    question: 'Compare our dining this month with last month',
    expected: both(total(F, `category = 'dining' and ${M0}`), total(F, `category = 'dining' and ${M1}`)),
  },
  // Breakdowns
  {
    id: 'top-category',
    as: 'alice',
    space: 'household',
    question: 'What did we spend the most on this month?',
    expected: topCategory(H, M0),
  },
  {
    id: 'by-category-last-month',
    as: 'bob',
    space: 'household',
    question: 'Spending by category last month',
    expected: topCategory(H, M1),
  },
  { id: 'flat-top-category', as: 'carol', space: 'flat', question: 'Where did our money go last month?', expected: topCategory(F, M1) },
  {
    id: 'who-spent-most',
    as: 'alice',
    space: 'household',
    question: 'Who spent the most this month?',
    expected: `select sum(base_amount)::text as v from public.expenses where space_id = ${H} and ${M0} group by created_by order by sum(base_amount) desc limit 1`,
  },
  {
    id: 'by-month',
    as: 'alice',
    space: 'household',
    question: 'Show our spending by month this year',
    expected: `select sum(base_amount)::text as v from public.expenses where space_id = ${H} and ${Y0} group by date_trunc('month', date)`,
  },
  // Lists
  {
    id: 'three-biggest',
    as: 'alice',
    space: 'household',
    question: 'What were our 3 biggest expenses last month?',
    expected: `select base_amount::text as v from public.expenses where space_id = ${H} and ${M1} order by base_amount desc limit 3`,
  },
  {
    id: 'biggest',
    as: 'bob',
    space: 'household',
    question: 'What was our biggest expense this month?',
    expected: `select max(base_amount)::text as v from public.expenses where space_id = ${H} and ${M0}`,
  },
  {
    id: 'smallest',
    as: 'alice',
    space: 'household',
    question: "What's the smallest expense this month?",
    expected: `select min(base_amount)::text as v from public.expenses where space_id = ${H} and ${M0}`,
  },
  {
    id: 'over-100',
    as: 'alice',
    space: 'household',
    question: 'List expenses over 100 euros last month',
    expected: both(count(H, `base_amount >= 100 and ${M1}`), total(H, `base_amount >= 100 and ${M1}`)),
  },
  {
    id: 'flat-biggest-named',
    as: 'carol',
    space: 'flat',
    question: 'Show me the biggest expenses in {m2}',
    expected: `select max(base_amount)::text as v from public.expenses where space_id = ${F} and ${M2}`,
  },
  // Budgets
  {
    id: 'budget-this-month',
    as: 'alice',
    space: 'household',
    question: 'How is our budget doing this month?',
    expected: both(budget(H, 'total_spent'), budget(H, 'total_budgeted')),
  },
  { id: 'on-track', as: 'bob', space: 'household', question: 'Are we on track with the budget?', expected: budget(H, 'total_spent') },
  {
    id: 'groceries-left',
    as: 'alice',
    space: 'household',
    question: 'How much is left in the groceries budget?',
    expected: item(H, 'groceries', 'abs(i.budgeted_amount - i.spent_amount)'),
  },
  {
    id: 'dining-budgeted',
    as: 'alice',
    space: 'household',
    question: 'What is our dining budget this month?',
    expected: item(H, 'dining', 'i.budgeted_amount'),
  },
  {
    id: 'budget-last-month',
    as: 'bob',
    space: 'household',
    question: 'How did the budget go last month?',
    expected: budget(H, 'total_spent', ':M1'),
  },
  {
    id: 'flat-budget',
    as: 'erin',
    space: 'flat',
    question: 'Are we over budget?',
    expected: both(budget(F, 'total_spent'), budget(F, 'total_budgeted')),
  },
  // Balances
  { id: 'flat-who-owes', as: 'carol', space: 'flat', question: 'Who owes whom?', expected: balancesOf(F) },
  { id: 'flat-alice-owes', as: 'dan', space: 'flat', question: 'How much does Alice owe?', expected: balancesOf(F, 'alice') },
  { id: 'flat-settle', as: 'alice', space: 'flat', question: 'How do we settle up?', expected: balancesOf(F, 'alice') },
  { id: 'household-settled', as: 'alice', space: 'household', question: 'Do I owe Bob anything?', text: 'everyone is settled up' },
  // Recurring
  {
    id: 'household-subscriptions',
    as: 'alice',
    space: 'household',
    question: 'What subscriptions do we pay?',
    expected: `select distinct base_amount::text as v from public.expenses where space_id = ${H} and description in ('Netflix', 'Spotify Family')`,
  },
  {
    id: 'flat-recurring',
    as: 'carol',
    space: 'flat',
    question: 'What are our recurring bills?',
    expected: `select distinct base_amount::text as v from public.expenses where space_id = ${F} and description in ('Flat rent', 'Movistar fibre', 'Netflix')`,
  },
  // Bank data (EVAL_FIXTURE)
  {
    id: 'net-worth',
    as: 'alice',
    space: 'household',
    question: "What's our net worth?",
    expected: `select (sum(current_balance) filter (where type <> 'credit') - sum(current_balance) filter (where type = 'credit'))::text as v from public.bank_accounts where space_id = ${H}`,
  },
  {
    id: 'account-balances',
    as: 'bob',
    space: 'household',
    question: 'What are our account balances?',
    expected: `select current_balance::text as v from public.bank_accounts where space_id = ${H}`,
  },
  {
    id: 'credit-use',
    as: 'alice',
    space: 'household',
    question: 'How much of our credit limit are we using?',
    expected: `select round(current_balance * 100 / credit_limit, 1)::text as v from public.bank_accounts where space_id = ${H} and type = 'credit'`,
  },
  {
    id: 'income-vs-spending',
    as: 'alice',
    space: 'household',
    question: 'What is our income against spending this month?',
    expected: `select (-sum(amount))::text as v from public.bank_transactions where space_id = ${H} and kind = 'income' and ${M0}`,
  },
  { id: 'flat-no-accounts', as: 'carol', space: 'flat', question: 'What is our net worth?', text: 'No bank accounts have been imported' },
  // Insights, scope, help
  { id: 'insights', as: 'alice', space: 'household', question: 'Any insights for us?', text: 'Groceries are up this month' },
  {
    id: 'all-spaces-me',
    as: 'alice',
    space: null,
    question: 'How much did I spend this month?',
    expected: `select coalesce(sum(base_amount), 0)::text as v from public.expenses where space_id in (${H}, ${F}) and created_by = ${U('alice')} and ${M0}`,
  },
  {
    id: 'all-spaces-groceries',
    as: 'alice',
    space: null,
    question: 'How much did we spend on groceries last month?',
    expected: `select coalesce(sum(base_amount), 0)::text as v from public.expenses where space_id in (${H}, ${F}) and category = 'groceries' and ${M1}`,
  },
  { id: 'help', as: 'alice', space: 'household', question: 'What can you do?', text: 'I can answer questions about' },
  { id: 'cannot-answer', as: 'bob', space: 'household', question: 'Should I buy bitcoin?', text: "I can't answer that one offline" },
];

/** Bank accounts, bank lines and insights for the household: the seed has none, and the accounts questions need some. */
export const EVAL_FIXTURE = `
insert into public.bank_accounts (space_id, external_id, name, type, subtype, mask, currency, current_balance, available_balance, credit_limit, balances_as_of)
values
  (${H}, 'eval-checking', 'Joint checking', 'depository', 'checking', '4521', 'EUR', 2450.35, 2450.35, null, now()),
  (${H}, 'eval-savings', 'Savings', 'depository', 'savings', '9911', 'EUR', 10000.00, 10000.00, null, now()),
  (${H}, 'eval-card', 'Visa card', 'credit', 'credit card', '0077', 'EUR', 640.20, 2359.80, 3000.00, now());
insert into public.bank_transactions (space_id, account_id, content_key, date, amount, currency, description, merchant_name, kind)
select ${H}, a.id, 'eval-' || x.n, (date_trunc('month', now() at time zone 'Europe/Madrid'))::date, x.amount, 'EUR', x.description, x.description, x.kind
  from public.bank_accounts a,
       (values (1, -3200.00, 'ACME SALARY', 'income'), (2, 45.10, 'MERCADONA', 'spending'), (3, 12.00, 'BANK FEE', 'fee')) as x(n, amount, description, kind)
 where a.space_id = ${H} and a.external_id = 'eval-checking';
insert into public.financial_insights (space_id, type, title, priority)
values (${H}, 'trend', 'Groceries are up this month', 'medium'), (${H}, 'anomaly', 'An unusual dentist bill', 'low');
`;
