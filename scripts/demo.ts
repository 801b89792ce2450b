/**
 * npm run demo — a guided tour of Wallai on the local stack.
 *
 * Uses the stack of a running `npm run dev` (found on 127.0.0.1:54321), or
 * starts its own on free ports in a temporary directory and removes it after.
 * Tables and RPCs are reached as each user the way PostgREST would run the
 * request (one transaction with the user's role and JWT claims, so RLS and the
 * RPCs' own checks apply); the edge function through supabase-js
 * `functions.invoke` with the user's access token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FunctionsHttpError } from '@supabase/supabase-js';
import { postgresClient, type SqlClient } from '@wallai/db-client';
import { queryAs, user } from '@wallai/testing/acting-as';
import { DEMO_USERS, localKeys, signApiKey, type DemoUserKey } from './dev/local-keys.ts';
import { bankStep } from './demo/bank-step.ts';
import { chatStep } from './demo/chat-step.ts';
import { insightsStep } from './demo/insights-step.ts';
import { DEFAULT_FUNCTIONS_PORT, startStack } from './dev/stack.ts';
import { localSupabase } from './dev/supabase-client.ts';

const USAGE = `Usage: npm run demo [-- --own-stack]

A scripted tour: Alice creates a space, Bob and Carol join with its invite code,
Alice sets a 50/30/20 budget, everyone adds expenses that the categorize-expense
edge function categorizes, a dinner is split three ways, and Wallai works out who
owes whom. Uses the running \`npm run dev\` when there is one (it adds a new space
there), otherwise starts a throwaway stack of its own.

  --own-stack  always start a throwaway stack, even when npm run dev is running`;

interface Connection {
  readonly where: string;
  /** The data outlives the demo (a running npm run dev) or is removed with the throwaway stack. */
  readonly keepsData: boolean;
  readonly apiUrl: string;
  readonly databaseUrl: string;
  readonly anonKey: string;
  readonly tokens: Readonly<Record<DemoUserKey, string>>;
  close(): Promise<void>;
}

/** The running dev stack, if its gateway answers on the default port. */
async function runningStack(): Promise<Connection | null> {
  const apiUrl = `http://127.0.0.1:${DEFAULT_FUNCTIONS_PORT}`;
  let health: { ok?: boolean; databaseUrl?: string | null };
  try {
    const response = await fetch(`${apiUrl}/_wallai/health`, { signal: AbortSignal.timeout(1500) });
    health = (await response.json()) as typeof health;
  } catch {
    return null;
  }
  if (health.ok !== true || !health.databaseUrl) return null;
  const keys = await localKeys({ issuer: `${apiUrl}/auth/v1` });
  return {
    where: `the running npm run dev stack (${apiUrl})`,
    keepsData: true,
    apiUrl,
    databaseUrl: health.databaseUrl,
    anonKey: await signApiKey('anon'),
    tokens: keys.tokens,
    close: async () => {},
  };
}

async function ownStack(): Promise<Connection> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wallai-demo-'));
  process.stdout.write('Starting a throwaway local stack (database, migrations, seed, functions)... ');
  try {
    const stack = await startStack({
      dbPort: 0,
      functionsPort: 0,
      dataDir: path.join(dir, 'pglite'),
      fresh: true,
      gatewayLog: () => {},
    });
    console.log(`ready in ${(stack.startupMs / 1000).toFixed(1)} s.`);
    return {
      where: `a throwaway stack (${stack.apiUrl}), removed at the end`,
      keepsData: false,
      apiUrl: stack.apiUrl,
      databaseUrl: stack.databaseUrl,
      anonKey: stack.anonKey,
      tokens: stack.tokens,
      close: async () => {
        await stack.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

// --- presentation -------------------------------------------------------------------

const euros = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });
/** Display only: amounts stay exact decimal strings everywhere else. */
const money = (amount: string | number): string => euros.format(Number(amount));
const nameOf = (id: string): string => Object.values(DEMO_USERS).find((u) => u.id === id)?.name ?? id;
const list = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

let step = 0;
const heading = (title: string) => console.log(`\n${++step}. ${title}`);
const say = (text: string) => console.log(`   ${text}`);

// --- the tour -------------------------------------------------------------------------

async function tour(db: SqlClient, connection: Connection): Promise<void> {
  const as = (key: DemoUserKey) => user(DEMO_USERS[key].id, DEMO_USERS[key].email);
  const sql = <T extends Record<string, unknown>>(who: DemoUserKey, text: string, params: unknown[] = []) =>
    queryAs<T>(db, as(who), text, params);
  const client = (who: DemoUserKey) => localSupabase(connection.apiUrl, connection.anonKey, connection.tokens[who]);

  console.log(`\nWallai demo, on ${connection.where}.`);
  console.log('Every step runs as one of the demo people, with their own permissions.');

  // 1. A space
  heading('Alice creates a shared space');
  const stamp = new Date().toISOString().slice(11, 16);
  const [space] = await sql<{ id: string; name: string; invite_code: string }>(
    'alice',
    `insert into public.spaces (name, description, currency, timezone)
     values ($1, 'Trip budget shared by Alice, Bob and Carol', 'EUR', 'Europe/Madrid')
     returning id, name, invite_code`,
    [`Lisbon trip (${stamp})`],
  );
  if (!space) throw new Error('the space was not created');
  say(`Alice created "${space.name}", in euros. She owns it.`);
  say(`Its invite code is ${space.invite_code}: anyone with the code can join.`);

  // 2. Joining
  heading('Bob and Carol join with the invite code');
  for (const who of ['bob', 'carol'] as const) {
    await sql(who, 'select public.join_space($1)', [space.invite_code.toLowerCase()]);
  }
  const members = await sql<{ user_id: string; role: string }>(
    'bob',
    'select user_id, role from public.space_members where space_id = $1 and left_at is null order by joined_at, user_id',
    [space.id],
  );
  say('Codes are not case-sensitive: they typed it in lower case.');
  say(`Members now: ${list(members.map((m) => `${nameOf(m.user_id)} (${m.role})`))}.`);

  // 3. Budget
  heading('Alice sets a 50/30/20 budget for this month');
  const income = '3000.00';
  const [budget] = await sql<{ id: string }>(
    'alice',
    `select public.create_budget($1, date_trunc('month', now() at time zone 'Europe/Madrid')::date, '50_30_20', $2::numeric) as id`,
    [space.id, income],
  );
  const shares = await sql<{ category_type: string; total: string; items: number }>(
    'alice',
    `select category_type, sum(budgeted_amount)::text as total, count(*)::int as items
       from public.budget_items where budget_id = $1 and category_type <> 'income'
      group by category_type order by sum(budgeted_amount) desc`,
    [budget?.id],
  );
  say(`Income ${money(income)}: half for needs, 30% for wants, 20% for savings.`);
  say(shares.map((s) => `${s.category_type} ${money(s.total)} (${s.items} categories)`).join(' · '));

  // 4. Expenses, categorized by the edge function
  heading('Everyone adds expenses; the categorize-expense function files them');
  const purchases: [DemoUserKey, string, string][] = [
    ['alice', 'Renfe AVE Madrid-Lisboa', '142.80'],
    ['bob', 'MERCADONA C/ ALCALA 123 MADRID', '64.35'],
    ['carol', 'UBER *TRIP HELP.UBER.COM', '18.90'],
    ['bob', 'Farmacia Lopez', '12.40'],
    ['carol', 'Cinesa Proyecciones', '27.00'],
    ['alice', 'Restaurante Casa Lucio', '95.00'],
  ];
  const expenseIds: string[] = [];
  for (const [who, description, amount] of purchases) {
    const [row] = await sql<{ id: string }>(
      who,
      `insert into public.expenses (space_id, description, amount, currency) values ($1, $2, $3, 'EUR') returning id`,
      [space.id, description, amount],
    );
    expenseIds.push(row!.id);
  }
  say(`${purchases.length} expenses added without a category (they start as "other").`);
  say('Alice asks the edge function to categorize them all in one call:');
  say(`  functions.invoke('categorize-expense', { body: { expense_ids: [...${expenseIds.length} ids] } })`);
  const { data, error } = await client('alice').functions.invoke('categorize-expense', { body: { expense_ids: expenseIds } });
  if (error) throw new Error(`categorize-expense failed: ${await describeInvokeError(error)}`);
  const results = (data as { results: { expense_id: string; category: string; confidence: number; source: string; written: boolean }[] })
    .results;
  for (const [index, [who, description, amount]] of purchases.entries()) {
    const result = results.find((r) => r.expense_id === expenseIds[index]);
    const how = result ? `${result.category} (${result.source}, ${Math.round(result.confidence * 100)}% sure)` : 'not categorized';
    say(`${DEMO_USERS[who].name.padEnd(5)} ${money(amount).padStart(8)}  ${description.padEnd(31)} → ${how}`);
  }
  const stored = await sql<{ categorized: number }>(
    'carol',
    `select count(*)::int as categorized from public.expenses where space_id = $1 and category_source in ('history', 'rules', 'ai')`,
    [space.id],
  );
  say(
    `The categories are saved on the expenses (${stored[0]?.categorized ?? 0} of ${purchases.length}), and each lands in its budget line.`,
  );

  const [totals] = await sql<{ total_budgeted: string; total_spent: string }>(
    'carol',
    'select total_budgeted::text, total_spent::text from public.budgets where id = $1',
    [budget?.id],
  );
  const lines = await sql<{ category: string; budgeted: string; spent: string }>(
    'carol',
    `select category, budgeted_amount::text as budgeted, spent_amount::text as spent from public.budget_items
      where budget_id = $1 and spent_amount > 0 order by spent_amount desc, category`,
    [budget?.id],
  );
  say(`Budget so far: ${money(totals?.total_spent ?? 0)} spent of ${money(totals?.total_budgeted ?? 0)} planned.`);
  for (const line of lines) {
    const over = Number(line.spent) > Number(line.budgeted) ? '  over budget!' : '';
    say(`  ${line.category.padEnd(14)} ${money(line.spent).padStart(9)} of ${money(line.budgeted)}${over}`);
  }

  // 5. Split
  heading('Alice paid the dinner; she splits it three ways');
  const dinnerId = expenseIds[purchases.length - 1];
  const everyone = [DEMO_USERS.alice.id, DEMO_USERS.bob.id, DEMO_USERS.carol.id];
  const splits = await sql<{ user_id: string; amount: string }>(
    'alice',
    `select user_id, amount::text from public.split_expense($1, 'equal', $2::text::jsonb) order by user_id`,
    [dinnerId, JSON.stringify(everyone)],
  );
  say(`${money('95.00')} does not divide evenly by three; Wallai splits it to the cent:`);
  say(splits.map((s) => `${nameOf(s.user_id)} ${money(s.amount)}`).join(' · '));
  say("Alice's own part is not a debt; Bob and Carol each owe her theirs.");

  // 6. Balances and settlements
  heading('Who owes whom');
  const balances = await sql<{ user_id: string; amount: string }>(
    'bob',
    'select user_id, balance::text as amount from public.space_balances($1) order by balance desc, user_id',
    [space.id],
  );
  for (const b of balances) {
    const value = Number(b.amount);
    say(
      value > 0
        ? `${nameOf(b.user_id)} is owed ${money(value)}.`
        : value < 0
          ? `${nameOf(b.user_id)} owes ${money(-value)}.`
          : `${nameOf(b.user_id)} is even.`,
    );
  }
  const transfers = await sql<{ from_user: string; to_user: string; amount: string }>(
    'carol',
    'select from_user, to_user, amount::text from public.suggest_settlements($1)',
    [space.id],
  );
  say(`To settle up, ${transfers.length} transfer${transfers.length === 1 ? '' : 's'}:`);
  for (const t of transfers) say(`  ${nameOf(t.from_user)} pays ${nameOf(t.to_user)} ${money(t.amount)}`);

  await chatStep({ apiUrl: connection.apiUrl, token: connection.tokens.alice, spaceId: space.id, heading, say });
  await bankStep({ apiUrl: connection.apiUrl, token: connection.tokens.alice, spaceId: space.id, rates: { USD: 0.92 }, heading, say });
  await insightsStep({ db, apiUrl: connection.apiUrl, tokens: connection.tokens, heading, say });

  // 7. Permissions
  heading('Privacy: people outside the space see nothing');
  const peek = await sql<{ n: number }>('dan', 'select count(*)::int as n from public.expenses where space_id = $1', [space.id]);
  say(`Dan is not a member: he sees ${peek[0]?.n ?? 0} of its expenses.`);
  const refused = await client('dan').functions.invoke('categorize-expense', { body: { expense_id: dinnerId } });
  say(`And the edge function refuses him too: ${refused.error ? await describeInvokeError(refused.error) : 'unexpectedly allowed!'}`);
  if (!refused.error) throw new Error('an outsider was allowed to categorize an expense');

  console.log(
    connection.keepsData
      ? `\nDone. The space "${space.name}" (${space.id}) stays in the database for you to explore.`
      : '\nDone. Start `npm run dev` and run the demo again to keep what it creates and explore it.',
  );
}

async function describeInvokeError(error: unknown): Promise<string> {
  if (error instanceof FunctionsHttpError) {
    const response = error.context as Response;
    const body = (await response.json().catch(() => null)) as { error?: { message?: string }; message?: string } | null;
    return `HTTP ${response.status}, "${body?.error?.message ?? body?.message ?? response.statusText}"`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('-h') || args.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = args.find((a) => a !== '--own-stack');
  if (unknown) {
    console.error(`demo: unknown option ${unknown}\n\n${USAGE}`);
    return 2;
  }
  const connection = (args.includes('--own-stack') ? null : await runningStack()) ?? (await ownStack());
  const db = postgresClient(connection.databaseUrl, { max: 1 });
  try {
    await tour(db, connection);
  } finally {
    await db.close();
    await connection.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
