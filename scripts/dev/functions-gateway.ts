/**
 * The local edge-function gateway (Deno): what `supabase functions serve` does
 * behind Supabase's API gateway, for the machines where Docker is missing.
 *
 *   deno run --allow-net --allow-env --allow-read --no-prompt \
 *     --config functions/deno.json scripts/dev/functions-gateway.ts
 *
 * Serves every function named in WALLAI_GATEWAY_FUNCTIONS (a JSON array of
 * `{ name, verifyJwt, handlerFile }`, built by scripts/dev/stack.ts from
 * supabase/config.toml) at `/functions/v1/<name>`, each built once with
 * `handlerFromEnv(readEnv(Deno.env.get))`, exactly as its index.ts would.
 *
 * Like Supabase's gateway, when a function has `verify_jwt = true` a request
 * needs `Authorization: Bearer <JWT>` signed with the project's secret (any
 * role: the anon key passes here; the function decides whether a user is
 * required). OPTIONS preflights go straight to the function. Errors are JSON
 * `{ code, message }` with CORS headers so browsers can read them.
 *
 * Other settings (environment):
 *   WALLAI_GATEWAY_PORT   port on 127.0.0.1; 0 picks a free one (default 54321)
 *   SUPABASE_JWT_SECRET   HS256 secret the gateway verifies with
 *   SUPABASE_URL          defaults to http://127.0.0.1:<port>
 *   SUPABASE_* / ANTHROPIC_* / MAX_BODY_BYTES  read by the functions (@wallai/function-env)
 *
 * When it is listening it prints one line `WALLAI_GATEWAY_READY {json}` on
 * stdout. It exits on SIGINT/SIGTERM, and when its stdin closes, so it never
 * outlives the `npm run dev` that started it.
 *
 * This file is plain TypeScript over `globalThis.Deno` so that Node's tsc and
 * `deno check` both accept it.
 */
import { readEnv, type FunctionEnv } from '@wallai/function-env';
import { CORS_ALLOW_HEADERS } from '@wallai/function-env/cors';
import { errors as joseErrors, jwtVerify } from 'jose';

interface DenoServer {
  shutdown(): Promise<void>;
  readonly finished: Promise<void>;
}
interface DenoApi {
  env: { get(name: string): string | undefined; toObject(): Record<string, string> };
  serve(
    options: { port: number; hostname: string; onListen?: (addr: { port: number; hostname: string }) => void },
    handler: (req: Request) => Response | Promise<Response>,
  ): DenoServer;
  addSignalListener(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
  stdin: { readable: ReadableStream<Uint8Array> };
  exit(code?: number): never;
}
const Deno = (globalThis as unknown as { Deno: DenoApi }).Deno;

export interface GatewayFunction {
  readonly name: string;
  readonly verifyJwt: boolean;
  /** Absolute path of functions/<name>/handler.ts. */
  readonly handlerFile: string;
}

type Handler = (req: Request) => Promise<Response>;

const READY_PREFIX = 'WALLAI_GATEWAY_READY';
const FUNCTIONS_PREFIX = '/functions/v1/';

export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS,
  'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
};

export function jsonError(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ code, message }), {
    status,
    headers: { ...CORS_HEADERS, 'Content-Type': 'application/json' },
  });
}

/** Why a request may not reach a verify_jwt function, or null when it may. */
export async function checkJwt(req: Request, secret: Uint8Array): Promise<Response | null> {
  const header = req.headers.get('authorization');
  if (header === null || header.trim() === '') {
    return jsonError(401, 'UNAUTHORIZED_NO_AUTH_HEADER', 'Missing authorization header');
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const token = match?.[1];
  if (token === undefined || token.split('.').length !== 3) {
    return jsonError(401, 'UNAUTHORIZED_INVALID_JWT_FORMAT', 'Invalid JWT: expected "Authorization: Bearer <JWT>"');
  }
  try {
    // Supabase's tokens always expire; one without exp is not one of them.
    await jwtVerify(token, secret, { algorithms: ['HS256'], requiredClaims: ['exp'] });
    return null;
  } catch (error) {
    const expired = error instanceof joseErrors.JWTExpired;
    return jsonError(401, 'UNAUTHORIZED_INVALID_JWT', expired ? 'Invalid JWT: the token has expired' : 'Invalid JWT');
  }
}

export interface GatewayOptions {
  readonly functions: readonly GatewayFunction[];
  readonly jwtSecret: string;
  /** Builds a function's handler; failures are answered with 503 BOOT_ERROR. */
  readonly load: (fn: GatewayFunction) => Promise<Handler>;
  readonly log?: (line: string) => void;
  readonly health?: () => Record<string, unknown>;
}

/** The gateway's request handler, separate from Deno.serve so it can be tested. */
export async function createGateway(options: GatewayOptions): Promise<Handler> {
  const log = options.log ?? (() => {});
  const secret = new TextEncoder().encode(options.jwtSecret);
  const routes = new Map<string, { fn: GatewayFunction; handler: Handler | null; bootError: string | null }>();
  for (const fn of options.functions) {
    try {
      routes.set(fn.name, { fn, handler: await options.load(fn), bootError: null });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`function ${fn.name} failed to boot: ${message}`);
      routes.set(fn.name, { fn, handler: null, bootError: message });
    }
  }

  return async (req: Request): Promise<Response> => {
    const started = performance.now();
    const url = new URL(req.url);
    const response = await route(req, url);
    log(`${req.method} ${url.pathname} ${response.status} ${Math.round(performance.now() - started)}ms`);
    return response;
  };

  async function route(req: Request, url: URL): Promise<Response> {
    if (url.pathname === '/_wallai/health' && req.method === 'GET') {
      return new Response(JSON.stringify({ ok: true, functions: [...routes.keys()], ...options.health?.() }), {
        headers: { 'Content-Type': 'application/json' },
      });
    }
    if (!url.pathname.startsWith(FUNCTIONS_PREFIX)) {
      return jsonError(404, 'NOT_FOUND', `Nothing here: functions are served at ${FUNCTIONS_PREFIX}<name>`);
    }
    const name = decodeURIComponent(url.pathname.slice(FUNCTIONS_PREFIX.length).split('/')[0] ?? '');
    const entry = routes.get(name);
    if (entry === undefined) return jsonError(404, 'NOT_FOUND', `Requested function was not found: "${name}"`);
    if (entry.handler === null) {
      return jsonError(503, 'BOOT_ERROR', `Function "${name}" failed to boot: ${entry.bootError ?? 'unknown error'}`);
    }
    if (entry.fn.verifyJwt && req.method !== 'OPTIONS') {
      const rejection = await checkJwt(req, secret);
      if (rejection !== null) return rejection;
    }
    try {
      return await entry.handler(req);
    } catch (error) {
      log(`function ${name} threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return jsonError(500, 'FUNCTION_ERROR', `Function "${name}" failed; see the gateway log`);
    }
  }
}

/** Imports functions/<name>/handler.ts and builds its handler from the environment. */
export function loaderFromEnv(env: () => FunctionEnv): (fn: GatewayFunction) => Promise<Handler> {
  return async (fn) => {
    const module = (await import(new URL(`file://${fn.handlerFile}`).href)) as { handlerFromEnv?: unknown };
    if (typeof module.handlerFromEnv !== 'function') {
      throw new Error(`${fn.handlerFile} does not export handlerFromEnv(env)`);
    }
    return (module.handlerFromEnv as (env: FunctionEnv) => Handler)(env());
  };
}

async function main(): Promise<void> {
  const log = (line: string) => console.log(line);
  const functions = JSON.parse(Deno.env.get('WALLAI_GATEWAY_FUNCTIONS') ?? '[]') as GatewayFunction[];
  const jwtSecret = Deno.env.get('SUPABASE_JWT_SECRET');
  if (!jwtSecret) throw new Error('SUPABASE_JWT_SECRET is required');
  const port = Number(Deno.env.get('WALLAI_GATEWAY_PORT') ?? '54321');

  // Listen first, so port 0 works and SUPABASE_URL can name the real port.
  let handler: Handler | null = null;
  let resolveListening: (port: number) => void = () => {};
  const listening = new Promise<number>((resolve) => (resolveListening = resolve));
  const server = Deno.serve({ port, hostname: '127.0.0.1', onListen: ({ port: actual }) => resolveListening(actual) }, (req) =>
    handler === null ? jsonError(503, 'STARTING', 'The gateway is still starting') : handler(req),
  );
  const actualPort = await listening;
  const supabaseUrl = Deno.env.get('SUPABASE_URL') || `http://127.0.0.1:${actualPort}`;
  const env = () => readEnv((name) => (name === 'SUPABASE_URL' ? supabaseUrl : Deno.env.get(name)));

  handler = await createGateway({
    functions,
    jwtSecret,
    load: loaderFromEnv(env),
    log,
    health: () => ({ databaseUrl: Deno.env.get('SUPABASE_DB_URL') ?? null }),
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.shutdown().finally(() => Deno.exit(0));
    // Open keep-alive connections must not hold shutdown forever.
    setTimeout(() => Deno.exit(0), 2000);
  };
  Deno.addSignalListener('SIGINT', stop);
  Deno.addSignalListener('SIGTERM', stop);
  void (async () => {
    try {
      for await (const _chunk of Deno.stdin.readable) {
        // Nothing is sent on stdin; it only tells us the parent is alive.
      }
    } catch {
      // stdin unusable: treat as closed.
    }
    stop();
  })();

  console.log(`${READY_PREFIX} ${JSON.stringify({ port: actualPort, functions: functions.map((f) => f.name) })}`);
}

if ((import.meta as ImportMeta & { main?: boolean }).main) {
  main().catch((error: unknown) => {
    console.error(`gateway failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    Deno.exit(1);
  });
}
