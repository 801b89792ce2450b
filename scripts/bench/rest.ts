/**
 * (e) /rest/v1 against the same SQL sent directly: a member's
 * `from('expenses').select('*').eq('space_id', s).order('date', { ascending: false }).limit(50)`
 * through the REST handler (JWT verified, query string parsed, SQL built,
 * JSON built in Postgres, a Response), in process without HTTP, against one
 * transaction that sets the member's role and claims, runs the equivalent
 * SELECT and JSON-encodes the rows; then the same request over HTTP through
 * the one-origin server `npm run dev` runs (apikey check, CORS, body copied
 * into a Node response, fetch on a kept-alive connection). Then requests per
 * second with 8 concurrent clients over an 8-connection pool (PostgreSQL):
 * in process, and through the real HTTP server.
 */
import { postgresClient, type SqlClient } from '@wallai/db-client';
import { becomeActor, claimsFor, user } from '@wallai/testing/acting-as';
import { SignJWT } from 'jose';
import { createRestApi, type RestApi } from '../dev/api/rest/handler.ts';
import { restMount, startApiServer, type ApiServer } from '../dev/api/server.ts';
import type { Dataset } from './generator.ts';
import { Prng } from './prng.ts';
import { distribution, round, type Distribution } from './stats.ts';

const SECRET = 'wallai-bench-jwt-secret-with-at-least-32-characters';
const DIRECT_SQL = `select * from public.expenses where space_id = $1 order by date desc limit 50`;

export interface RestBenchOptions {
  iterations: number;
  warmup: number;
  seed: number;
  /** Seconds of the 8-client throughput run; it needs a server URL (PostgreSQL). */
  seconds: number;
  clients: number;
  databaseUrl: string | null;
}

export interface RestBenchResult {
  iterations: number;
  rest: Distribution;
  direct: Distribution;
  /** p50(rest) − p50(direct), ms. */
  overheadP50: number;
  /** Probes where REST returned another number of rows than the direct query (must be 0). */
  rowMismatches: number;
  /** The same request through the one-origin HTTP server (fetch → server → handler), measured after the pairs. */
  http: Distribution;
  /** p50(http) − p50(direct), ms. */
  httpOverheadP50: number;
  /** 8 clients on the handler in process. */
  throughput: Throughput | null;
  /** 8 clients through the real HTTP server (one kept-alive connection each). */
  httpThroughput: Throughput | null;
}

export interface Throughput {
  clients: number;
  seconds: number;
  requests: number;
  perSecond: number;
  errors: number;
}

interface Probe {
  spaceId: string;
  token: string;
  memberId: string;
}

const now = (): number => performance.now();

/** The anon key of the bench's secret: the server's apikey check lets it through. */
function anonKey(): Promise<string> {
  return new SignJWT({ role: 'anon', iss: 'supabase-demo' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(SECRET));
}

/** A member's access token, signed as the local stack signs them. */
function tokenFor(memberId: string): Promise<string> {
  return new SignJWT(claimsFor(user(memberId))).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(SECRET));
}

async function restRequest(api: RestApi, probe: Probe): Promise<number> {
  const path = `/expenses?select=*&space_id=eq.${probe.spaceId}&order=date.desc&limit=50`;
  const req = new Request(`http://127.0.0.1:54321/rest/v1${path}`, {
    headers: { Authorization: `Bearer ${probe.token}`, apikey: probe.token, 'X-Client-Info': 'supabase-js-node/bench' },
  });
  const res = await api.handle(req, path);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`REST answered ${res.status}: ${body.slice(0, 200)}`);
  return (JSON.parse(body) as unknown[]).length;
}

/** The same request over HTTP to the one-origin server, as supabase-js sends it (apikey + bearer). */
async function httpRequest(server: ApiServer, apikey: string, probe: Probe): Promise<number> {
  const res = await fetch(`${server.url}/rest/v1/expenses?select=*&space_id=eq.${probe.spaceId}&order=date.desc&limit=50`, {
    headers: { Authorization: `Bearer ${probe.token}`, apikey, 'X-Client-Info': 'supabase-js-node/bench' },
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`REST over HTTP answered ${res.status}: ${body.slice(0, 200)}`);
  return (JSON.parse(body) as unknown[]).length;
}

/** `clients` workers sending `send` in a loop for `seconds`. */
async function load(clients: number, seconds: number, probes: readonly Probe[], send: (p: Probe) => Promise<number>): Promise<Throughput> {
  let requests = 0;
  let errors = 0;
  // Warm every connection first.
  await Promise.all(probes.slice(0, clients).map((p) => send(p)));
  const started = now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, worker) => {
      for (let k = worker; now() < deadline; k += clients) {
        try {
          await send(probes[k % probes.length] as Probe);
          requests += 1;
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsed = (now() - started) / 1000;
  return { clients, seconds: round(elapsed, 2), requests, perSecond: round(requests / elapsed, 1), errors };
}

async function directRequest(db: SqlClient, probe: Probe): Promise<number> {
  return db.transaction(async (tx) => {
    await becomeActor(tx, user(probe.memberId));
    const rows = await tx.query(DIRECT_SQL, [probe.spaceId]);
    JSON.stringify(rows);
    return rows.length;
  });
}

export async function measureRest(db: SqlClient, dataset: Pick<Dataset, 'spaces'>, options: RestBenchOptions): Promise<RestBenchResult> {
  const rng = new Prng(options.seed + 13);
  const spaces = dataset.spaces.filter((s) => s.members.length > 0);
  const tokens = new Map<string, string>();
  const probeFor = async (): Promise<Probe> => {
    const space = rng.pick(spaces);
    const member = rng.pick(space.members);
    let token = tokens.get(member.id);
    if (!token) {
      token = await tokenFor(member.id);
      tokens.set(member.id, token);
    }
    return { spaceId: space.id, token, memberId: member.id };
  };

  const api = await createRestApi({ sql: db, jwtSecret: SECRET, schemas: ['public', 'graphql_public'], maxRows: 1000 });
  const apikey = await anonKey();
  const server = await startApiServer({
    port: 0,
    anonKey: apikey,
    serviceRoleKey: apikey,
    mounts: [restMount(api)],
    functionsOrigin: () => null,
  });
  const rest: number[] = [];
  const direct: number[] = [];
  const http: number[] = [];
  let rowMismatches = 0;
  try {
    for (let i = 0; i < options.warmup + options.iterations; i += 1) {
      const probe = await probeFor();
      // Alternate which goes first, so neither always runs on a warmer cache.
      const order =
        i % 3 === 0
          ? (['rest', 'direct', 'http'] as const)
          : i % 3 === 1
            ? (['direct', 'http', 'rest'] as const)
            : (['http', 'rest', 'direct'] as const);
      const times: Record<'rest' | 'direct' | 'http', number> = { rest: 0, direct: 0, http: 0 };
      const rows: Record<'rest' | 'direct' | 'http', number> = { rest: 0, direct: 0, http: 0 };
      for (const which of order) {
        const t = now();
        rows[which] =
          which === 'rest'
            ? await restRequest(api, probe)
            : which === 'http'
              ? await httpRequest(server, apikey, probe)
              : await directRequest(db, probe);
        times[which] = now() - t;
      }
      if (i < options.warmup) continue;
      rest.push(times.rest);
      direct.push(times.direct);
      http.push(times.http);
      if (rows.rest !== rows.direct || rows.http !== rows.direct) rowMismatches += 1;
    }
  } finally {
    await server.close();
    await api.close();
  }

  let throughput: RestBenchResult['throughput'] = null;
  let httpThroughput: RestBenchResult['httpThroughput'] = null;
  if (options.databaseUrl) {
    const pool = postgresClient(options.databaseUrl, { max: options.clients });
    const pooled = await createRestApi({ sql: pool, jwtSecret: SECRET, schemas: ['public', 'graphql_public'], maxRows: 1000 });
    const pooledServer = await startApiServer({
      port: 0,
      anonKey: apikey,
      serviceRoleKey: apikey,
      mounts: [restMount(pooled)],
      functionsOrigin: () => null,
    });
    const probes = await Promise.all(Array.from({ length: 200 }, probeFor));
    try {
      throughput = await load(options.clients, options.seconds, probes, (p) => restRequest(pooled, p));
      httpThroughput = await load(options.clients, options.seconds, probes, (p) => httpRequest(pooledServer, apikey, p));
    } finally {
      await pooledServer.close();
      await pooled.close();
      await pool.close();
    }
  }

  const restD = distribution(rest);
  const directD = distribution(direct);
  const httpD = distribution(http);
  return {
    iterations: options.iterations,
    rest: restD,
    direct: directD,
    overheadP50: round(restD.p50 - directD.p50),
    rowMismatches,
    http: httpD,
    httpOverheadP50: round(httpD.p50 - directD.p50),
    throughput,
    httpThroughput,
  };
}
