/**
 * npm run dev — the local Wallai stack:
 *   - the database: embedded PGlite in .wallai/pglite served on 127.0.0.1:54322
 *     (or the server at DATABASE_URL), built with compat layer + migrations
 *     (Supabase CLI) + seed the first time, never wiped;
 *   - one API origin, http://127.0.0.1:54321, as Supabase's gateway: /auth/v1 (GoTrue's
 *     protocol), /rest/v1, /storage/v1 (bytes in .wallai/pglite-storage), /realtime/v1 and
 *     /functions/v1/<name> (the edge functions of supabase/config.toml, served by a Deno gateway
 *     behind it that verifies JWTs like Supabase's).
 * Prints what to paste into createClient, the local keys and the demo users' tokens.
 * Ctrl-C stops everything.
 */
import { DEMO_PASSWORD, DEMO_SPACES, DEMO_USERS, type DemoUserKey } from './dev/local-keys.ts';
import { DEFAULT_DB_PORT, DEFAULT_FUNCTIONS_PORT, startStack, type Stack } from './dev/stack.ts';

const USAGE = `Usage: npm run dev [-- --fresh] [-- --no-watch]

Starts the local stack: the embedded database (.wallai/pglite) on 127.0.0.1:${DEFAULT_DB_PORT}
and the API on http://127.0.0.1:${DEFAULT_FUNCTIONS_PORT} (/auth/v1, /rest/v1, /storage/v1, /realtime/v1,
/functions/v1/<name>), for createClient('http://127.0.0.1:${DEFAULT_FUNCTIONS_PORT}', <anon key>).

  --fresh     delete .wallai/pglite (and its stored files) and build it again (migrations + seed)
  --no-watch  do not restart the functions when files under functions/ change
  -h, --help  show this help

DATABASE_URL=postgres://... uses that PostgreSQL server instead of the embedded
database: its schema is built only when it has none, and it is never wiped.`;

function parseArgs(argv: readonly string[]): { fresh: boolean; watch: boolean } | null {
  let fresh = false;
  let watch = true;
  for (const arg of argv) {
    if (arg === '--fresh') fresh = true;
    else if (arg === '--no-watch') watch = false;
    else if (arg === '--watch') watch = true;
    else if (arg === '-h' || arg === '--help') return null;
    else throw new Error(`unknown option ${arg}\n\n${USAGE}`);
  }
  return { fresh, watch };
}

const shellQuote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

export function describeStack(stack: Stack): string {
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(17)}${value}`);
  lines.push('', `Wallai local stack is ready (${(stack.startupMs / 1000).toFixed(1)} s)`, '');
  row('Database', `${stack.databaseLabel}${stack.database.kind === 'embedded' ? '  (embedded PGlite)' : ''}`);
  row('API URL', `${stack.apiUrl}  (SUPABASE_URL: /auth/v1, /rest/v1, /storage/v1, /realtime/v1, /functions/v1)`);
  row('Storage files', stack.storageDir);
  const served = stack.functions.filter((f) => f.enabled);
  row('Functions', `${stack.functionsUrl}/<name>`);
  for (const fn of served) row('', `${fn.name}${fn.verifyJwt ? '' : '  (verify_jwt = false)'}`);
  if (served.length === 0) row('', '(none: add [functions.<name>] to supabase/config.toml)');
  row('JWT secret', stack.jwtSecret);
  row('anon key', stack.anonKey);
  row('service_role key', stack.serviceRoleKey);
  lines.push(
    '',
    'Paste into your app (supabase-js):',
    "  import { createClient } from '@supabase/supabase-js'",
    `  const supabase = createClient('${stack.apiUrl}', '${stack.anonKey}')`,
    `  await supabase.auth.signInWithPassword({ email: '${DEMO_USERS.alice.email}', password: '${DEMO_PASSWORD}' })`,
    `Every demo user below signs in with the password ${DEMO_PASSWORD}.`,
  );
  lines.push('', 'Access tokens of the seeded demo users (role authenticated, valid 24 h):');
  for (const key of Object.keys(DEMO_USERS) as DemoUserKey[]) {
    const user = DEMO_USERS[key];
    lines.push(`  ${user.name.padEnd(6)} ${user.email.padEnd(18)} ${user.id}`, `         ${stack.tokens[key]}`);
  }
  const categorize = served.find((f) => f.name === 'categorize-expense');
  if (categorize && stack.sampleExpense) {
    const expense = stack.sampleExpense;
    lines.push(
      '',
      `Try it: as Alice, categorize the seeded expense "${expense.description}" (${expense.amount}) of "${expense.spaceName}":`,
      `  curl -sS -X POST ${stack.functionsUrl}/categorize-expense \\`,
      `    -H ${shellQuote(`Authorization: Bearer ${stack.tokens.alice}`)} \\`,
      `    -H 'Content-Type: application/json' -d ${shellQuote(JSON.stringify({ expense_id: expense.id }))}`,
      `Or ask for a suggestion without saving anything: -d ${shellQuote(JSON.stringify({ space_id: DEMO_SPACES.household.id, description: 'MERCADONA MADRID', amount: 42.5 }))}`,
    );
  }
  if (served.some((f) => f.name === 'ai-chat')) {
    lines.push(
      '',
      `Ask the assistant as Alice about "${DEMO_SPACES.household.name}" (streamed; offline without ANTHROPIC_API_KEY, every figure cited):`,
      `  curl -N -sS -X POST ${stack.functionsUrl}/ai-chat \\`,
      `    -H ${shellQuote(`Authorization: Bearer ${stack.tokens.alice}`)} \\`,
      `    -H 'Content-Type: application/json' -H 'Accept: text/event-stream' \\`,
      `    -d ${shellQuote(JSON.stringify({ space_id: DEMO_SPACES.household.id, message: 'How much did we spend on groceries this month?' }))}`,
      'Continue it with -d \'{"conversation_id":"<id from the conversation event>","message":"And last month?"}\'.',
    );
  }
  lines.push(
    '',
    `Auth: GoTrue's protocol at ${stack.authUrl} (sign-up, password sign-in, refresh, user, sign-out, admin).`,
    `Tables and RPCs: PostgREST's protocol at ${stack.restUrl} (supabase.from(...), supabase.rpc(...)).`,
    `Files: Storage's protocol at ${stack.storageUrl} (supabase.storage.from('receipts'), RLS deciding as on Supabase).`,
    `Live changes: Realtime's websocket at ${stack.realtimeUrl} (supabase.channel(...).on('postgres_changes', ...), broadcast, presence).`,
    'What the local API supports and refuses: docs/local-api.md. It is a development server; production',
    "uses Supabase's own services.",
    '',
    'Ctrl-C stops everything.',
    '',
  );
  return lines.join('\n');
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args === null) {
    console.log(USAGE);
    return 0;
  }
  const log = (line: string) => console.log(`dev  ${line}`);
  const stack = await startStack({
    fresh: args.fresh,
    watch: args.watch,
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
    log,
    gatewayLog: (line) => console.log(`functions  ${line}`),
  });
  console.log(describeStack(stack));

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals) => {
      if (stopping) {
        console.log('dev  second interrupt: exiting without waiting');
        process.exit(1);
      }
      stopping = true;
      log(`${signal}: stopping the functions gateway and the database`);
      stack.stop().then(
        () => {
          log('stopped');
          resolve(0);
        },
        (error: unknown) => {
          console.error(`dev  stop failed: ${(error as Error).message}`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`dev failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
