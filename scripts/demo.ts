/**
 * npm run demo — a guided tour of Wallai on the local stack.
 *
 * Uses the stack of a running `npm run dev` (found on 127.0.0.1:54321), or
 * starts its own on free ports in a temporary directory and removes it after.
 * Everything goes through supabase-js against the one local origin, as an app
 * would: people sign up and sign in (/auth/v1), tables and RPCs (/rest/v1,
 * RLS deciding every row), Storage and Realtime, the edge functions
 * (/functions/v1). The tour is the list in scripts/demo/tour.ts; each step is
 * a module function of the shared context (scripts/demo/*.ts), so a new one is
 * one import and one line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { demoContext, type DemoContext } from './demo/supabase-steps.ts';
import { tourSteps } from './demo/tour.ts';
import { signApiKey } from './dev/local-keys.ts';
import { DEFAULT_FUNCTIONS_PORT, startStack } from './dev/stack.ts';

const USAGE = `Usage: npm run demo [-- --own-stack]

A scripted tour through supabase-js only: people sign in and a newcomer signs up,
Alice creates a space, Bob, Carol and the newcomer join with its invite code,
Alice sets a 50/30/20 budget, everyone adds expenses that the categorize-expense
edge function categorizes, a dinner is split three ways, Wallai works out who
owes whom, a receipt is uploaded and read back, Alice watches expenses arrive
live, the assistant answers questions, bank files are imported, insights are
generated and reviewed, and the activity feed shows every change made. Uses the running \`npm run dev\`
when there is one (it adds a new space and a new person there), otherwise starts
a throwaway stack of its own.

  --own-stack  always start a throwaway stack, even when npm run dev is running`;

interface Connection {
  readonly where: string;
  /** The data outlives the demo (a running npm run dev) or is removed with the throwaway stack. */
  readonly keepsData: boolean;
  readonly apiUrl: string;
  readonly anonKey: string;
  /** For the insights step, which also reads the database as the owner. */
  readonly databaseUrl: string;
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
  return {
    where: `the running npm run dev stack (${apiUrl})`,
    keepsData: true,
    apiUrl,
    anonKey: await signApiKey('anon'),
    databaseUrl: health.databaseUrl,
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
      anonKey: stack.anonKey,
      databaseUrl: stack.databaseUrl,
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

// --- the tour -------------------------------------------------------------------------

let step = 0;
const heading = (title: string) => console.log(`\n${++step}. ${title}`);
const say = (text: string) => console.log(`   ${text}`);

async function tour(connection: Connection): Promise<DemoContext> {
  console.log(`\nWallai demo, on ${connection.where}.`);
  console.log(`Every step is a supabase-js call against ${connection.apiUrl}, as one of the demo people with their own permissions.`);
  const ctx = demoContext({ apiUrl: connection.apiUrl, anonKey: connection.anonKey, heading, say });
  for (const run of tourSteps(connection.databaseUrl)) await run(ctx);
  return ctx;
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
  try {
    const ctx = await tour(connection);
    const space = ctx.state.space;
    console.log(
      connection.keepsData
        ? `\nDone. The space "${space?.name ?? ''}" (${space?.id ?? ''}) stays in the database for you to explore.`
        : '\nDone. Start `npm run dev` and run the demo again to keep what it creates and explore it.',
    );
  } finally {
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
