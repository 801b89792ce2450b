/**
 * The local Wallai stack, startable from code: the database (embedded PGlite
 * served over the Postgres protocol, or the server at DATABASE_URL), the one
 * API origin (scripts/dev/api/server.ts: /rest/v1, /auth/v1, /storage/v1,
 * /realtime/v1 and /functions/v1, as Supabase's gateway serves them; Storage's
 * bytes under .wallai/) and behind it the Deno edge-function
 * gateway on an internal port, with the local keys and demo users' tokens.
 * `npm run dev`, `npm run demo` and the end-to-end tests all start it here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  embeddedDataDir,
  freePort,
  localStateDir,
  isSupabaseDatabase,
  readMigrations,
  postgresClient,
  redactDatabaseUrl,
  repoRoot,
  supabaseDir,
  type SqlClient,
} from '@wallai/db-client';
import { runSupabaseOrFail } from '../lib/supabase-cli.ts';
import { createAuthApi, type AuthApi } from './api/auth/index.ts';
import { readAuthConfig, type AuthConfig } from './api/auth/config.ts';
import { readSigningKeys } from './api/auth/tokens.ts';
import { readApiConfig } from './api/rest/config.ts';
import { createRestApi } from './api/rest/handler.ts';
import { createRealtimeApi } from './api/realtime/handler.ts';
import { authMount, realtimeMount, restMount, startApiServer, storageMount } from './api/server.ts';
import { readStorageFileSizeLimit } from './api/storage/config.ts';
import { createStorageApi } from './api/storage/handler.ts';
import { buildDatabase, embeddedTarget, serverTarget, type DatabaseTarget } from '../lib/targets.ts';
import { readFunctionsConfig, type FunctionConfig } from './config-toml.ts';
import { DEMO_SPACES, DEMO_USERS, localKeys, type DemoUserKey } from './local-keys.ts';
import { acquireLock } from './lock.ts';

export const DEFAULT_DB_PORT = 54322;
/** The API origin: /rest/v1, /auth/v1, /storage/v1, /realtime/v1 and /functions/v1 (Supabase's local API port). */
export const DEFAULT_API_PORT = 54321;
/** The functions are served on the API origin. */
export const DEFAULT_FUNCTIONS_PORT = DEFAULT_API_PORT;

export const gatewayFile = path.join(repoRoot, 'scripts', 'dev', 'functions-gateway.ts');
export const denoConfigFile = path.join(repoRoot, 'functions', 'deno.json');

export interface StackOptions {
  /** Port of the embedded database's socket server; 0 = any free port. Default 54322. */
  readonly dbPort?: number;
  /** Port of the API origin (REST, Auth, functions); 0 = any free port. Default 54321. */
  readonly apiPort?: number;
  /** The same as apiPort (the functions are served there); apiPort wins when both are given. */
  readonly functionsPort?: number;
  /** Overrides of supabase/config.toml's [auth] settings (tests turn anonymous sign-ins on, …). */
  readonly auth?: Partial<AuthConfig>;
  /** Where the embedded database lives. Default .wallai/pglite. */
  readonly dataDir?: string;
  /**
   * Where Storage keeps the objects' bytes. Default: beside the embedded database
   * (`<dataDir>-storage`, deleted with it by `fresh`), or for a server one folder per
   * database under .wallai/ (`storage-<hash of its URL>`).
   */
  readonly storageDir?: string;
  /** Delete the embedded database first. Refused with databaseUrl (that server is never wiped). */
  readonly fresh?: boolean;
  /** Use this PostgreSQL server instead of the embedded database. */
  readonly databaseUrl?: string;
  /** Folder holding <name>/handler.ts. Default functions/. */
  readonly functionsDir?: string;
  /** The config.toml listing the functions. Default supabase/config.toml. */
  readonly configFile?: string;
  /** Extra environment for the functions; undefined removes a variable (e.g. ANTHROPIC_API_KEY). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Restart the gateway when a file under functionsDir or the config changes. */
  readonly watch?: boolean;
  /** Progress lines of the stack itself. */
  readonly log?: (line: string) => void;
  /** The gateway's request log and the functions' own output. */
  readonly gatewayLog?: (line: string) => void;
  /** One line per request to /rest/v1 and /auth/v1 (and the proxied functions). */
  readonly apiLog?: (line: string) => void;
}

export interface SampleExpense {
  readonly id: string;
  readonly description: string;
  readonly amount: string;
  readonly spaceName: string;
}

export interface Stack {
  /** postgres:// URL for psql, postgres.js and the Supabase CLI (password included: local only). */
  readonly databaseUrl: string;
  /** Printable database URL (password hidden when it came from DATABASE_URL). */
  readonly databaseLabel: string;
  /** What supabase-js calls SUPABASE_URL: `createClient(apiUrl, anonKey)`. */
  readonly apiUrl: string;
  readonly functionsUrl: string;
  readonly authUrl: string;
  readonly restUrl: string;
  readonly storageUrl: string;
  /** Where Storage keeps the bytes. */
  readonly storageDir: string;
  /** ws://…/realtime/v1 (supabase-js derives it from apiUrl). */
  readonly realtimeUrl: string;
  readonly jwtSecret: string;
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  readonly tokens: Readonly<Record<DemoUserKey, string>>;
  readonly functions: readonly FunctionConfig[];
  /** What happened to the database at start. */
  readonly database: { readonly kind: 'embedded' | 'server'; readonly built: boolean; readonly appliedMigrations: number };
  /** A seeded expense to try the categorizer on (null without seed data). */
  readonly sampleExpense: SampleExpense | null;
  readonly startupMs: number;
  stop(): Promise<void>;
}

/** Starts the database and the gateway; on failure, stops whatever had started. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (error) {
        log(`while stopping: ${(error as Error).message}`);
      }
    }
  };

  try {
    // --- database -------------------------------------------------------------
    let target: DatabaseTarget;
    let kind: 'embedded' | 'server';
    let storageDir: string;
    if (options.databaseUrl) {
      if (options.fresh) {
        throw new Error('--fresh only deletes the embedded database; to rebuild the server at DATABASE_URL run `npm run db:reset`');
      }
      kind = 'server';
      target = serverTarget(options.databaseUrl);
      storageDir = path.resolve(
        options.storageDir ??
          path.join(
            localStateDir,
            `storage-${createHash('sha256').update(redactDatabaseUrl(options.databaseUrl)).digest('hex').slice(0, 12)}`,
          ),
      );
      cleanups.push(() => target.close());
      log(`database: ${target.label}`);
    } else {
      kind = 'embedded';
      const dataDir = path.resolve(options.dataDir ?? embeddedDataDir);
      const port = options.dbPort === 0 ? await freePort() : (options.dbPort ?? DEFAULT_DB_PORT);
      mkdirSync(path.dirname(dataDir), { recursive: true });
      const release = acquireLock(dataDir, `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`);
      cleanups.push(release);
      const shown = dataDir.startsWith(`${repoRoot}${path.sep}`) ? path.relative(repoRoot, dataDir) : dataDir;
      storageDir = path.resolve(options.storageDir ?? `${dataDir}-storage`);
      if (options.fresh && existsSync(dataDir)) {
        log(`--fresh: deleting ${shown}`);
        rmSync(dataDir, { recursive: true, force: true });
      }
      // The bytes of a deleted database's objects go with it (a fresh seed has no objects).
      if (options.fresh && options.storageDir === undefined) rmSync(storageDir, { recursive: true, force: true });
      log(`database: embedded PGlite in ${shown}`);
      try {
        target = await embeddedTarget({ dataDir, port });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new Error(`port ${port} is already in use (another \`npm run dev\`, or a PostgreSQL server?)`, { cause: error });
        }
        throw error;
      }
      cleanups.push(() => target.close());
    }
    const prepared = await prepareDatabase(target, log);

    // --- keys and sample data -------------------------------------------------
    const sampleExpense = await findSampleExpense(target.client);
    const configFile = path.resolve(options.configFile ?? path.join(supabaseDir, 'config.toml'));
    const authConfig = { ...readAuthConfig(configFile), ...options.auth };
    const baseKeys = await localKeys();

    // --- the API origin, then the functions gateway behind it -------------------
    // The API's connections. On the embedded database they go through its socket like every other
    // client: PGlite's socket server keeps each connection's transaction to itself, which a client
    // in this process would bypass. PGlite runs one statement at a time and its socket takes 16
    // connections (the functions hold up to 10), so 3 suffice there.
    const apiPool = postgresClient(target.url, { max: kind === 'embedded' ? 3 : 8 });
    cleanups.push(() => apiPool.close());
    // PGlite is one backend: a NOTIFY committed over its socket comes back in that client's answer,
    // which the embedded target reads for notifications, so on PGlite listeners go through the target
    // (REST's schema reloads, Realtime's changes) while statements go through the pool.
    const apiSql: SqlClient = kind === 'embedded' ? { ...apiPool, listen: target.listen } : apiPool;
    let gateway: Gateway | null = null;
    const apiPort = options.apiPort ?? options.functionsPort ?? DEFAULT_API_PORT;
    const signingKeys = authConfig.signingKeysPath ? await readSigningKeys(authConfig.signingKeysPath) : [];
    // The Auth server names the origin in its tokens' iss, known once the port is.
    let auth: AuthApi | null = null;
    // REST reads its schema cache now, after the migrations; it reloads on NOTIFY pgrst, 'reload schema'.
    const apiConfig = readApiConfig(configFile);
    const rest = await createRestApi({
      sql: apiSql,
      jwtSecret: baseKeys.jwtSecret,
      signingKeys,
      schemas: apiConfig.schemas,
      maxRows: apiConfig.maxRows,
      extraSearchPath: apiConfig.extraSearchPath,
    });
    cleanups.push(() => rest.close());
    // REST reloads on NOTIFY pgrst, 'reload schema'. On hosted Supabase an event trigger
    // (pgrst_ddl_watch) sends it after DDL; PGlite has no event triggers, so there the stack
    // watches the catalog too: DDL reloads the REST schema cache within 2 s.
    if (kind === 'embedded') cleanups.push(watchCatalog(apiSql, () => rest.reloadSchema(), log));
    // Storage: object rows in storage.objects, decided by their RLS policies as the caller; bytes on disk.
    const fileSizeLimit = readStorageFileSizeLimit(configFile);
    const storage = await createStorageApi({ sql: apiSql, jwtSecret: baseKeys.jwtSecret, signingKeys, dataDir: storageDir, fileSizeLimit });
    cleanups.push(() => storage.close());
    if (storage.swept.completed + storage.swept.removed > 0) {
      log(`storage: finished ${storage.swept.completed} interrupted upload(s), removed ${storage.swept.removed} orphaned file(s)`);
    }
    // Realtime: changes captured by the compat layer's triggers, delivered as each subscriber's RLS allows.
    const realtime = await createRealtimeApi({ sql: apiSql, jwtSecret: baseKeys.jwtSecret, signingKeys, log });
    cleanups.push(() => realtime.close());
    const api = await startApiServer({
      port: apiPort,
      anonKey: baseKeys.anonKey,
      serviceRoleKey: baseKeys.serviceRoleKey,
      mounts: [
        restMount(rest),
        authMount({ handle: (req, subPath) => auth!.handle(req, subPath) }),
        storageMount(storage, fileSizeLimit),
        realtimeMount(realtime),
      ],
      functionsOrigin: () => (gateway !== null && gateway.running ? `http://127.0.0.1:${gateway.port}` : null),
      log: options.apiLog ?? (() => {}),
    }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new Error(`port ${apiPort} is already in use (another \`npm run dev\`?)`, { cause: error });
      }
      throw error;
    });
    cleanups.push(() => api.close());
    const apiUrl = api.url;
    const authIssuer = `${apiUrl}/auth/v1`;
    auth = createAuthApi({ sql: apiSql, jwtSecret: baseKeys.jwtSecret, issuer: authIssuer, config: authConfig, signingKeys });
    gateway = new Gateway({ ...options, databaseUrl: target.url, supabaseUrl: apiUrl, log });
    await gateway.start();
    const functionsGateway = gateway;
    cleanups.push(() => functionsGateway.close());
    const keys = await localKeys({ issuer: authIssuer });
    if (options.watch) cleanups.push(gateway.watch());

    let stopped: Promise<void> | null = null;
    return {
      databaseUrl: target.url,
      databaseLabel: kind === 'server' ? redactDatabaseUrl(target.url) : target.url,
      apiUrl,
      functionsUrl: `${apiUrl}/functions/v1`,
      authUrl: `${apiUrl}/auth/v1`,
      restUrl: `${apiUrl}/rest/v1`,
      storageUrl: `${apiUrl}/storage/v1`,
      storageDir,
      realtimeUrl: `${apiUrl.replace(/^http/, 'ws')}/realtime/v1`,
      jwtSecret: keys.jwtSecret,
      anonKey: keys.anonKey,
      serviceRoleKey: keys.serviceRoleKey,
      tokens: keys.tokens,
      functions: functionsGateway.functions,
      database: { kind, ...prepared },
      sampleExpense,
      startupMs: Math.round(performance.now() - started),
      stop: () => (stopped ??= cleanup()),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * Builds the schema only where there is none (never wipes): compatibility
 * layer, migrations with the Supabase CLI and seed, like `npm run db:reset`.
 * A database the CLI migrated before gets the migrations it has not seen yet.
 */
async function prepareDatabase(
  target: DatabaseTarget,
  log: (line: string) => void,
): Promise<{ built: boolean; appliedMigrations: number }> {
  const [state] = await target.client.query<{ tracked: boolean; has_schema: boolean }>(
    `select to_regclass('supabase_migrations.schema_migrations') is not null as tracked,
            to_regclass('public.expenses') is not null as has_schema`,
  );
  const local = readMigrations();
  if (!state?.tracked && !state?.has_schema) {
    log('new database: compatibility layer, migrations (Supabase CLI) and seed');
    await buildDatabase(target, { seed: true, log: (line) => log(`  ${line}`) });
    return { built: true, appliedMigrations: local.length };
  }
  if (!state.tracked) {
    log('database has the schema but no Supabase migration history; leaving it as it is');
    return { built: false, appliedMigrations: 0 };
  }
  const applied = new Set(
    (await target.client.query<{ version: string }>('select version from supabase_migrations.schema_migrations')).map((r) => r.version),
  );
  const pending = local.filter((m) => !applied.has(m.version));
  if (pending.length === 0) return { built: false, appliedMigrations: 0 };
  if (await isSupabaseDatabase(target.client)) {
    log(`${pending.length} migration(s) not applied on this Supabase database; apply them with \`supabase db push\``);
    return { built: false, appliedMigrations: 0 };
  }
  log(`applying ${pending.length} new migration(s) with the Supabase CLI: ${pending.map((m) => m.file).join(', ')}`);
  await runSupabaseOrFail(['db', 'push', `--remote=${target.url}`, '--yes', '--include-all']);
  return { built: false, appliedMigrations: pending.length };
}

/**
 * Calls `onChange` when the catalog changes, checked every `everyMs`; returns the function that
 * stops. The check must stay cheap (PGlite runs one statement at a time): pg_class is small, and
 * DDL on a table, view, index, column list or grant writes a new version of its row (a new xmin)
 * or removes it (a lower count); a new function is a new highest oid in pg_proc, read from its
 * index. Not seen: a function replaced with the same signature, a renamed column.
 */
export function watchCatalog(client: SqlClient, onChange: () => Promise<void>, log: (line: string) => void, everyMs = 2000): () => void {
  const fingerprintSql = `select concat_ws(',', max(xmin::text::bigint), count(*),
      (select max(oid) from pg_catalog.pg_proc), (select max(oid) from pg_catalog.pg_namespace)) as fingerprint
    from pg_catalog.pg_class`;
  let last: string | null = null;
  let busy = false;
  let stopped = false;
  const check = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      const [row] = await client.query<{ fingerprint: string }>(fingerprintSql);
      const now = row?.fingerprint ?? '';
      if (last !== null && now !== last && !stopped) await onChange();
      last = now;
    } catch (error) {
      if (!stopped) log(`schema watch: ${(error as Error).message}`);
    } finally {
      busy = false;
    }
  };
  void check();
  const timer = setInterval(() => void check(), everyMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/** A seeded expense of Alice's, preferably an imported bank line nobody categorized yet (so the categorizer writes). */
async function findSampleExpense(client: SqlClient): Promise<SampleExpense | null> {
  try {
    const [row] = await client.query<{ id: string; description: string; amount: string; space_name: string }>(
      `select e.id, e.description, e.amount::text as amount, s.name as space_name
         from public.expenses e join public.spaces s on s.id = e.space_id
        where e.space_id = $1
        order by (e.category_source = 'default') desc, (e.bank_transaction_id is not null) desc, e.date desc, e.id
        limit 1`,
      [DEMO_SPACES.household.id],
    );
    return row ? { id: row.id, description: row.description, amount: row.amount, spaceName: row.space_name } : null;
  } catch {
    return null;
  }
}

// --- the Deno gateway ------------------------------------------------------------

/** The deno binary of the `deno` npm package (its bin.cjs wrapper as a fallback). */
export function denoCommand(): { command: string; prefix: string[] } {
  const binary = path.join(repoRoot, 'node_modules', 'deno', process.platform === 'win32' ? 'deno.exe' : 'deno');
  if (existsSync(binary)) return { command: binary, prefix: [] };
  return { command: process.execPath, prefix: [path.join(repoRoot, 'node_modules', 'deno', 'bin.cjs')] };
}

export interface GatewayRoute {
  readonly name: string;
  readonly verifyJwt: boolean;
  readonly handlerFile: string;
}

/** The functions config.toml enables, with their handler files; warns about folders it does not list. */
export function functionRoutes(
  configFile: string,
  functionsDir: string,
  log: (line: string) => void,
): { functions: FunctionConfig[]; routes: GatewayRoute[] } {
  const functions = readFunctionsConfig(configFile);
  const listed = new Set(functions.map((f) => f.name));
  const routes = functions
    .filter((f) => f.enabled)
    .map((f) => {
      // Supabase resolves an entrypoint relative to the config's directory; handler.ts sits next to index.ts.
      const folder = f.entrypoint ? path.dirname(path.resolve(path.dirname(configFile), f.entrypoint)) : path.join(functionsDir, f.name);
      const handlerFile = path.join(folder, 'handler.ts');
      if (!existsSync(handlerFile))
        log(`function ${f.name}: ${path.relative(repoRoot, handlerFile)} is missing; requests will get 503 BOOT_ERROR`);
      return { name: f.name, verifyJwt: f.verifyJwt, handlerFile };
    });
  if (existsSync(functionsDir)) {
    for (const entry of readdirSync(functionsDir, { withFileTypes: true })) {
      if (entry.isDirectory() && !listed.has(entry.name) && existsSync(path.join(functionsDir, entry.name, 'handler.ts'))) {
        log(`function ${entry.name} is not served: add [functions.${entry.name}] to ${path.relative(repoRoot, configFile)}`);
      }
    }
  }
  return { functions, routes };
}

class Gateway {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  port = 0;
  functions: FunctionConfig[] = [];
  private readonly log: (line: string) => void;
  private readonly gatewayLog: (line: string) => void;
  private readonly functionsDir: string;
  private readonly configFile: string;
  private closed = false;
  private ready = false;

  /** Listening (not stopped or restarting). */
  get running(): boolean {
    return this.ready;
  }

  constructor(private readonly options: StackOptions & { databaseUrl: string; supabaseUrl: string; log: (line: string) => void }) {
    this.log = options.log;
    this.gatewayLog = options.gatewayLog ?? ((line) => options.log(`functions | ${line}`));
    this.functionsDir = path.resolve(options.functionsDir ?? path.join(repoRoot, 'functions'));
    this.configFile = path.resolve(options.configFile ?? path.join(supabaseDir, 'config.toml'));
  }

  async start(): Promise<void> {
    const { functions, routes } = functionRoutes(this.configFile, this.functionsDir, this.log);
    this.functions = functions;
    // An internal port: clients reach the functions through the API origin. A restart keeps it.
    const requestedPort = this.port;
    // Keys are signed before the port is known: they do not depend on it.
    const keys = await localKeys();
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) {
      // The stack decides every Supabase setting; a developer's shell must not point functions elsewhere.
      if (value !== undefined && !name.startsWith('SUPABASE_')) env[name] = value;
    }
    Object.assign(env, {
      SUPABASE_ANON_KEY: keys.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
      SUPABASE_JWT_SECRET: keys.jwtSecret,
      SUPABASE_DB_URL: this.options.databaseUrl,
      SUPABASE_URL: this.options.supabaseUrl,
      WALLAI_GATEWAY_PORT: String(requestedPort),
      WALLAI_GATEWAY_FUNCTIONS: JSON.stringify(routes),
      NO_COLOR: '1',
    });
    for (const [name, value] of Object.entries(this.options.env ?? {})) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }

    const deno = denoCommand();
    const args = [
      ...deno.prefix,
      'run',
      '--allow-net',
      '--allow-env',
      '--allow-read',
      '--no-prompt',
      '--config',
      denoConfigFile,
      gatewayFile,
    ];
    const child = spawn(deno.command, args, { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));

    let stderrTail = '';
    const ready = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the functions gateway did not start within 30 s\n${stderrTail}`)), 30_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const match = /^WALLAI_GATEWAY_READY (.*)$/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve((JSON.parse(match[1] ?? '{}') as { port: number }).port);
        } else this.gatewayLog(line);
      });
      createInterface({ input: child.stderr! }).on('line', (line) => {
        stderrTail = `${stderrTail}${line}\n`.slice(-4000);
        this.gatewayLog(line);
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const busy = /AddrInUse|address already in use/i.test(stderrTail);
        reject(
          new Error(
            busy
              ? `the functions gateway's internal port ${requestedPort} is already in use`
              : `the functions gateway exited (${signal ?? `code ${code}`}) before it was ready\n${stderrTail}`,
          ),
        );
      });
    });
    // The child's stdin is never written: closing it (or our death) tells the gateway to exit.
    child.stdin!.on('error', () => {});
    try {
      this.port = await ready;
      this.ready = true;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Stops for good: a restart in progress will not bring it back. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
  }

  async stop(): Promise<void> {
    this.ready = false;
    const child = this.child;
    if (child === null) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin?.end();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await this.exited;
      clearTimeout(timer);
    }
  }

  /** Restarts the gateway (same port) when functions or config.toml change; returns the unwatch function. */
  watch(): () => void {
    let timer: NodeJS.Timeout | null = null;
    let restarting: Promise<void> = Promise.resolve();
    const onChange = (what: string) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        restarting = restarting.then(async () => {
          if (this.closed) return;
          this.log(`${what} changed: restarting the functions gateway`);
          await this.stop();
          try {
            await this.start();
            if (this.closed) await this.stop();
            else this.log('functions gateway restarted');
          } catch (error) {
            this.log(`functions gateway failed to restart: ${(error as Error).message}`);
          }
        });
      }, 250);
    };
    const watchers: FSWatcher[] = [];
    try {
      watchers.push(watch(this.functionsDir, { recursive: true }, (_event, file) => onChange(`functions/${String(file ?? '')}`)));
      watchers.push(watch(this.configFile, () => onChange(path.basename(this.configFile))));
    } catch (error) {
      this.log(`not watching for changes: ${(error as Error).message}`);
    }
    return () => {
      if (timer) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    };
  }
}

export { DEMO_SPACES, DEMO_USERS };
