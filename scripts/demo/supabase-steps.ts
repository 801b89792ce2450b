/**
 * The demo's steps that an app would make with supabase-js alone, against the
 * one local origin: sign-up and password sign-in (/auth/v1), tables and RPCs
 * (/rest/v1, RLS deciding every row) and the categorize-expense function
 * (/functions/v1). Each step is a small function of the shared context, so
 * scripts/demo.ts keeps the tour as a list and other steps slot in between.
 */
import { FunctionsHttpError, type SupabaseClient } from '@supabase/supabase-js';
import { DEMO_PASSWORD, DEMO_USERS, type DemoUserKey } from '../dev/local-keys.ts';
import { localSupabase } from '../dev/supabase-client.ts';

/** The people of the tour: the seeded demo users, and a newcomer who signs up during it. */
export type Person = DemoUserKey | 'newcomer';

export interface DemoContext {
  /** What supabase-js calls SUPABASE_URL. */
  readonly apiUrl: string;
  readonly anonKey: string;
  readonly heading: (title: string) => void;
  readonly say: (text: string) => void;
  /** The person's signed-in supabase-js client (after the sign-in step). */
  client(who: Person): SupabaseClient;
  /** The person's current access token (after the sign-in step). */
  accessToken(who: Person): Promise<string>;
  /** What earlier steps made, for the later ones. */
  readonly state: DemoState;
}

export interface DemoState {
  space?: { id: string; name: string; invite_code: string };
  budgetId?: string;
  expenseIds?: string[];
  /** user id → display name, filled as people appear. */
  readonly names: Map<string, string>;
}

export type DemoStep = (ctx: DemoContext) => Promise<void>;

export function demoContext(options: {
  apiUrl: string;
  anonKey: string;
  heading: (title: string) => void;
  say: (text: string) => void;
}): DemoContext {
  const clients = new Map<Person, SupabaseClient>();
  const state: DemoState = { names: new Map(Object.values(DEMO_USERS).map((u) => [u.id, u.name])) };
  return {
    ...options,
    state,
    client(who) {
      let client = clients.get(who);
      if (client === undefined) {
        client = localSupabase(options.apiUrl, options.anonKey, null);
        clients.set(who, client);
      }
      return client;
    },
    async accessToken(who) {
      const { data } = await this.client(who).auth.getSession();
      if (!data.session) throw new Error(`${who} is not signed in`);
      return data.session.access_token;
    },
  };
}

const euros = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });
/** Display only: amounts stay exact decimal strings (or JSON numbers) everywhere else. */
export const money = (amount: string | number): string => euros.format(Number(amount));
const list = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

/** The data of a supabase-js answer, or an error naming the call and PostgREST's/GoTrue's code. */
function must<T>(what: string, result: { data: T; error: { message: string; code?: string } | null }): NonNullable<T> {
  if (result.error) throw new Error(`${what} failed: ${result.error.code ? `${result.error.code} ` : ''}${result.error.message}`);
  if (result.data === null || result.data === undefined) throw new Error(`${what} returned nothing`);
  return result.data;
}

function needSpace(ctx: DemoContext): { id: string; name: string; invite_code: string } {
  if (!ctx.state.space) throw new Error('this step needs the space of the earlier step');
  return ctx.state.space;
}

const NEWCOMER_NAME = 'Frida';

export const signInStep: DemoStep = async (ctx) => {
  ctx.heading('People sign in, and a newcomer signs up (supabase.auth)');
  for (const who of ['alice', 'bob', 'carol', 'dan'] as const) {
    const { email } = DEMO_USERS[who];
    const { error } = await ctx.client(who).auth.signInWithPassword({ email, password: DEMO_PASSWORD });
    if (error) throw new Error(`${who}'s sign-in failed: ${error.code ?? ''} ${error.message}`);
  }
  ctx.say(`Alice, Bob, Carol and Dan sign in with their email and the local demo password "${DEMO_PASSWORD}".`);
  const email = `frida.${Date.now().toString(36)}@wallai.test`;
  const { data: signedUp, error: signUpError } = await ctx
    .client('newcomer')
    .auth.signUp({ email, password: 'frida-local-only', options: { data: { full_name: 'Frida Newcomer' } } });
  if (signUpError) throw new Error(`Frida's sign-up failed: ${signUpError.code ?? ''} ${signUpError.message}`);
  if (!signedUp.session || !signedUp.user) throw new Error('sign-up gave no session (are email confirmations on in config.toml?)');
  ctx.state.names.set(signedUp.user.id, NEWCOMER_NAME);
  const profile = must(
    "Frida's profile",
    await ctx.client('newcomer').from('users').select('username, full_name').eq('id', signedUp.user.id).single(),
  );
  ctx.say(`${NEWCOMER_NAME} signs up as ${email}: confirmed at once locally, signed in, and her profile exists`);
  ctx.say(`(username "${profile.username}", name "${profile.full_name}"), made by the database's sign-up trigger.`);
};

export const createSpaceStep: DemoStep = async (ctx) => {
  ctx.heading('Alice creates a shared space');
  const stamp = new Date().toISOString().slice(11, 16);
  const space = must(
    'creating the space',
    await ctx
      .client('alice')
      .from('spaces')
      .insert({
        name: `Lisbon trip (${stamp})`,
        description: 'Trip budget shared by Alice, Bob and Carol',
        currency: 'EUR',
        timezone: 'Europe/Madrid',
      })
      .select('id, name, invite_code')
      .single(),
  );
  ctx.state.space = space;
  ctx.say(`supabase.from('spaces').insert(...): "${space.name}", in euros. Alice owns it.`);
  ctx.say(`Its invite code is ${space.invite_code}: anyone with the code can join.`);
};

export const joinStep: DemoStep = async (ctx) => {
  const space = needSpace(ctx);
  ctx.heading(`Bob, Carol and ${NEWCOMER_NAME} join with the invite code`);
  for (const who of ['bob', 'carol', 'newcomer'] as const) {
    must(`${who} joining`, await ctx.client(who).rpc('join_space', { invite_code: space.invite_code.toLowerCase() }));
  }
  const members = must(
    'listing the members',
    await ctx
      .client('bob')
      .from('space_members')
      .select('user_id, role, users(full_name)')
      .eq('space_id', space.id)
      .is('left_at', null)
      .order('joined_at')
      .order('user_id'),
  );
  ctx.say("supabase.rpc('join_space', { invite_code }): codes are not case-sensitive, they typed it in lower case.");
  ctx.say(
    `Members now (space_members embedding users): ${list(members.map((m) => `${ctx.state.names.get(m.user_id) ?? m.user_id} (${m.role})`))}.`,
  );
};

export const budgetStep: DemoStep = async (ctx) => {
  const space = needSpace(ctx);
  ctx.heading('Alice sets a 50/30/20 budget for this month');
  const income = 3000;
  const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Madrid', year: 'numeric', month: '2-digit' }).format(new Date());
  const budgetId = must(
    'creating the budget',
    await ctx
      .client('alice')
      .rpc('create_budget', { space_id: space.id, month_period: `${month}-01`, framework: '50_30_20', total_income: income }),
  ) as string;
  ctx.state.budgetId = budgetId;
  const items = must(
    'reading the budget lines',
    await ctx
      .client('alice')
      .from('budget_items')
      .select('category_type, budgeted_amount')
      .eq('budget_id', budgetId)
      .neq('category_type', 'income'),
  );
  const byType = new Map<string, { total: number; items: number }>();
  for (const item of items) {
    const entry = byType.get(item.category_type) ?? { total: 0, items: 0 };
    entry.total += Number(item.budgeted_amount);
    entry.items += 1;
    byType.set(item.category_type, entry);
  }
  ctx.say(`supabase.rpc('create_budget', ...) with an income of ${money(income)}: half for needs, 30% for wants, 20% for savings.`);
  ctx.say(
    [...byType.entries()]
      .sort((a, b) => b[1].total - a[1].total)
      .map(([type, e]) => `${type} ${money(e.total)} (${e.items} categories)`)
      .join(' · '),
  );
};

export const expensesStep: DemoStep = async (ctx) => {
  const space = needSpace(ctx);
  ctx.heading('Everyone adds expenses; the categorize-expense function files them');
  const purchases: [Person, string, string][] = [
    ['alice', 'Renfe AVE Madrid-Lisboa', '142.80'],
    ['bob', 'MERCADONA C/ ALCALA 123 MADRID', '64.35'],
    ['carol', 'UBER *TRIP HELP.UBER.COM', '18.90'],
    ['bob', 'Farmacia Lopez', '12.40'],
    ['newcomer', 'Cinesa Proyecciones', '27.00'],
    ['alice', 'Restaurante Casa Lucio', '95.00'],
  ];
  const expenseIds: string[] = [];
  for (const [who, description, amount] of purchases) {
    const row = must(
      `${who}'s expense`,
      await ctx.client(who).from('expenses').insert({ space_id: space.id, description, amount, currency: 'EUR' }).select('id').single(),
    );
    expenseIds.push(row.id);
  }
  ctx.state.expenseIds = expenseIds;
  ctx.say(`${purchases.length} expenses added with supabase.from('expenses').insert(...), without a category ("other").`);
  ctx.say('Alice asks the edge function to categorize them all in one call:');
  ctx.say(`  functions.invoke('categorize-expense', { body: { expense_ids: [...${expenseIds.length} ids] } })`);
  const { data, error } = await ctx.client('alice').functions.invoke('categorize-expense', { body: { expense_ids: expenseIds } });
  if (error) throw new Error(`categorize-expense failed: ${await describeInvokeError(error)}`);
  const results = (data as { results: { expense_id: string; category: string; confidence: number; source: string }[] }).results;
  const who = (p: Person) => (p === 'newcomer' ? NEWCOMER_NAME : DEMO_USERS[p].name);
  for (const [index, [person, description, amount]] of purchases.entries()) {
    const result = results.find((r) => r.expense_id === expenseIds[index]);
    const how = result ? `${result.category} (${result.source}, ${Math.round(result.confidence * 100)}% sure)` : 'not categorized';
    ctx.say(`${who(person).padEnd(5)} ${money(amount).padStart(8)}  ${description.padEnd(31)} → ${how}`);
  }
  const { count } = await ctx
    .client('carol')
    .from('expenses')
    .select('id', { count: 'exact', head: true })
    .eq('space_id', space.id)
    .in('category_source', ['history', 'rules', 'ai']);
  ctx.say(`The categories are saved on the expenses (${count ?? 0} of ${purchases.length}), and each lands in its budget line.`);

  if (ctx.state.budgetId === undefined) return;
  const budget = must(
    'reading the budget',
    await ctx
      .client('carol')
      .from('budgets')
      .select('total_budgeted, total_spent, budget_items(category, budgeted_amount, spent_amount)')
      .eq('id', ctx.state.budgetId)
      .gt('budget_items.spent_amount', 0)
      .order('spent_amount', { referencedTable: 'budget_items', ascending: false })
      .single(),
  );
  ctx.say(
    `Budget so far: ${money(budget.total_spent)} spent of ${money(budget.total_budgeted)} planned (one request, its lines embedded):`,
  );
  for (const line of budget.budget_items) {
    const over = Number(line.spent_amount) > Number(line.budgeted_amount) ? '  over budget!' : '';
    ctx.say(`  ${line.category.padEnd(14)} ${money(line.spent_amount).padStart(9)} of ${money(line.budgeted_amount)}${over}`);
  }
};

export const splitStep: DemoStep = async (ctx) => {
  const dinnerId = ctx.state.expenseIds?.at(-1);
  if (dinnerId === undefined) throw new Error('the split step needs the expenses step');
  ctx.heading('Alice paid the dinner; she splits it three ways');
  const everyone = [DEMO_USERS.alice.id, DEMO_USERS.bob.id, DEMO_USERS.carol.id];
  const splits = must(
    'splitting the dinner',
    await ctx
      .client('alice')
      .rpc('split_expense', { expense_id: dinnerId, mode: 'equal', parts: everyone })
      .select('user_id, amount')
      .order('user_id'),
  ) as { user_id: string; amount: number | string }[];
  ctx.say(`${money('95.00')} does not divide evenly by three; supabase.rpc('split_expense', ...) splits it to the cent:`);
  ctx.say(splits.map((s) => `${ctx.state.names.get(s.user_id) ?? s.user_id} ${money(s.amount)}`).join(' · '));
  ctx.say("Alice's own part is not a debt; Bob and Carol each owe her theirs.");
};

export const balancesStep: DemoStep = async (ctx) => {
  const space = needSpace(ctx);
  ctx.heading('Who owes whom');
  const balances = must(
    'reading the balances',
    await ctx.client('bob').rpc('space_balances', { space_id: space.id }).order('balance', { ascending: false }).order('user_id'),
  ) as { user_id: string; balance: number | string }[];
  for (const b of balances) {
    const value = Number(b.balance);
    const name = ctx.state.names.get(b.user_id) ?? b.user_id;
    ctx.say(value > 0 ? `${name} is owed ${money(value)}.` : value < 0 ? `${name} owes ${money(-value)}.` : `${name} is even.`);
  }
  const transfers = must('suggesting settlements', await ctx.client('carol').rpc('suggest_settlements', { space_id: space.id })) as {
    from_user: string;
    to_user: string;
    amount: number | string;
  }[];
  ctx.say(`supabase.rpc('suggest_settlements'): to settle up, ${transfers.length} transfer${transfers.length === 1 ? '' : 's'}:`);
  for (const t of transfers)
    ctx.say(`  ${ctx.state.names.get(t.from_user) ?? t.from_user} pays ${ctx.state.names.get(t.to_user) ?? t.to_user} ${money(t.amount)}`);
};

export const privacyStep: DemoStep = async (ctx) => {
  const space = needSpace(ctx);
  const dinnerId = ctx.state.expenseIds?.at(-1);
  ctx.heading('Privacy: people outside the space see nothing');
  const { count, error } = await ctx.client('dan').from('expenses').select('id', { count: 'exact', head: true }).eq('space_id', space.id);
  if (error) throw new Error(`Dan's read failed: ${error.message}`);
  ctx.say(`Dan is not a member: row-level security shows him ${count ?? 0} of its expenses.`);
  if (count !== 0) throw new Error('an outsider saw the space’s expenses');
  if (dinnerId === undefined) return;
  const refused = await ctx.client('dan').functions.invoke('categorize-expense', { body: { expense_id: dinnerId } });
  ctx.say(`And the edge function refuses him too: ${refused.error ? await describeInvokeError(refused.error) : 'unexpectedly allowed!'}`);
  if (!refused.error) throw new Error('an outsider was allowed to categorize an expense');
};

export const signOutStep: DemoStep = async (ctx) => {
  ctx.heading('Everyone signs out');
  for (const who of ['alice', 'bob', 'carol', 'dan', 'newcomer'] as const)
    must(`${who}'s sign-out`, { data: true, error: (await ctx.client(who).auth.signOut()).error });
  const { error } = await ctx.client('alice').from('expenses').select('id').eq('space_id', needSpace(ctx).id);
  ctx.say(
    `supabase.auth.signOut() ends the sessions; signed out, Alice's client is anon again: ${error ? `${error.code} ${error.message}` : 'still reads!'}.`,
  );
};

export async function describeInvokeError(error: unknown): Promise<string> {
  if (error instanceof FunctionsHttpError) {
    const response = error.context as Response;
    const body = (await response.json().catch(() => null)) as { error?: { message?: string }; message?: string } | null;
    return `HTTP ${response.status}, "${body?.error?.message ?? body?.message ?? response.statusText}"`;
  }
  return error instanceof Error ? error.message : String(error);
}
