/**
 * `npm run load -- [--duration S] [--soak MIN] [--connections N] [--only name,...] [--out FILE]`
 *
 * Load on the local stack, loopback only, bounded in time: the real HTTP origin
 * of `npm run dev` (REST, functions) driven by autocannon at fixed offered
 * rates. Per target:
 *
 *   - a ramp of offered rates (doubling) until the knee: the highest rate the
 *     stack still serves with ≥ 90 % of it achieved (answers within the step), < 1 % errors and a p99
 *     within 5× the lowest rate's; latency p50/p95/p99 and the error rate at
 *     every step;
 *   - a sustained run at half the knee for the full duration;
 *   - with --soak, a mix of every target at half its knee for MIN minutes,
 *     sampling the memory of this process (which serves the API origin and, on
 *     the embedded database, the database too) and of the functions gateway
 *     every 5 s: the run fails when the resident memory of the last minute is
 *     more than 10 % (and 32 MB) above that of the first minute after warm-up.
 *
 * With DATABASE_URL it builds a fresh database `wallai_load_<random>` on that
 * server (migrations and seed) and drops it after; otherwise a throwaway
 * embedded database. Results go to bench-results/load-<target>.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { databaseUrlWithName, postgresClient, redactDatabaseUrl, repoRoot } from '@wallai/db-client';
import { signAccessToken } from '../dev/local-keys.ts';
import { addMember, createSpace, createUser, queryAs } from '@wallai/testing';
import { startStack, type Stack } from '../dev/stack.ts';
import { writeResultJson } from './results-file.ts';
import { distribution, round, type Distribution } from './stats.ts';

/** Who the load comes from: people in spaces of their own, each request from the next one. */
export interface Population {
  readonly people: readonly { readonly token: string; readonly spaceId: string }[];
}

interface Target {
  readonly name: string;
  readonly what: string;
  readonly method: 'GET' | 'POST';
  /** The path and body for one person (a request goes out from each person in turn). */
  readonly request: (person: Population['people'][number]) => { path: string; body?: string; headers?: Record<string, string> };
  /** The first offered rate of the ramp, requests per second. */
  readonly startRate: number;
}

const JSON_BODY = { 'content-type': 'application/json' };

export const TARGETS: readonly Target[] = [
  {
    name: 'rest-read',
    what: "a member's 50 latest expenses: from('expenses').select('*').eq('space_id', s).order('date', desc).limit(50)",
    method: 'GET',
    request: (p) => ({ path: `/rest/v1/expenses?select=*&space_id=eq.${p.spaceId}&order=date.desc&limit=50` }),
    startRate: 50,
  },
  {
    name: 'rest-rpc',
    what: "rpc('space_balances', { space_id }) as a member",
    method: 'POST',
    request: (p) => ({ path: '/rest/v1/rpc/space_balances', body: JSON.stringify({ space_id: p.spaceId }), headers: JSON_BODY }),
    startRate: 50,
  },
  {
    name: 'rest-insert',
    what: "from('expenses').insert(row) as a member (return=minimal): triggers, totals, RLS, activity log",
    method: 'POST',
    request: (p) => ({
      path: '/rest/v1/expenses',
      body: JSON.stringify({ space_id: p.spaceId, amount: 4.2, description: 'Load test coffee', category: 'dining' }),
      headers: { ...JSON_BODY, prefer: 'return=minimal' },
    }),
    startRate: 25,
  },
  {
    name: 'fn-categorize',
    what: 'categorize-expense suggestion { space_id, description, amount } (nothing written; offline rules)',
    method: 'POST',
    request: (p) => ({
      path: '/functions/v1/categorize-expense',
      body: JSON.stringify({ space_id: p.spaceId, description: 'TESCO STORES 3391', amount: 23.4 }),
      headers: JSON_BODY,
    }),
    startRate: 25,
  },
];

/**
 * The autocannon request of a target: each request from the next person of
 * the population (tokens rotate, so per-user rate limits see many users, as
 * in production, and RLS runs for many people).
 */
export function cannonRequest(target: Target, population: Population, anonKey: string): autocannon.Request {
  let next = 0;
  const first = target.request(population.people[0]!);
  return {
    method: target.method,
    path: first.path,
    setupRequest: (req: autocannon.Request) => {
      const person = population.people[next++ % population.people.length]!;
      const made = target.request(person);
      return {
        ...req,
        path: made.path,
        headers: { apikey: anonKey, authorization: `Bearer ${person.token}`, ...made.headers },
        ...(made.body === undefined ? {} : { body: made.body }),
      };
    },
  };
}

export interface StepResult {
  readonly offered: number;
  readonly achieved: number;
  readonly requests: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly latencyMs: Distribution;
  readonly statuses: Record<string, number>;
}

/** One autocannon run at a fixed offered rate; latency of every response recorded. */
export async function runStep(
  url: string,
  request: autocannon.Request,
  rate: number,
  seconds: number,
  connections: number,
): Promise<StepResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url, connections, duration: seconds, overallRate: rate, timeout: 10, requests: [request] },
      (error, done) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(done)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      statuses[String(statusCode)] = (statuses[String(statusCode)] ?? 0) + 1;
    });
  });
  const answered = latencies.length;
  const bad = Object.entries(statuses)
    .filter(([status]) => !status.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0);
  const errors = bad + result.errors + result.timeouts;
  const total = answered + result.errors + result.timeouts;
  return {
    offered: rate,
    achieved: round(answered / seconds, 1),
    requests: total,
    errors,
    errorRate: total === 0 ? 1 : round(errors / total, 4),
    latencyMs: distribution(latencies),
    statuses,
  };
}

/** Whether a step still counts as served: rate achieved, few errors, tail latency bounded. */
export function served(step: StepResult, baselineP99: number): boolean {
  return step.achieved >= 0.9 * step.offered && step.errorRate < 0.01 && step.latencyMs.p99 <= Math.max(5 * baselineP99, 5);
}

interface TargetResult {
  readonly name: string;
  readonly what: string;
  readonly ramp: StepResult[];
  readonly kneeRate: number;
  readonly atKnee: StepResult | null;
  readonly sustained: StepResult | null;
}

async function rampAndSustain(
  stack: Stack,
  population: Population,
  target: Target,
  options: { stepSeconds: number; duration: number; connections: number; maxRate: number },
  log: (line: string) => void,
): Promise<TargetResult> {
  const request = cannonRequest(target, population, stack.anonKey);
  // Warm-up: connections, plans, JIT.
  await runStep(stack.apiUrl, request, target.startRate, 2, options.connections);
  const ramp: StepResult[] = [];
  let knee: StepResult | null = null;
  for (let rate = target.startRate; rate <= options.maxRate; rate *= 2) {
    const step = await runStep(stack.apiUrl, request, rate, options.stepSeconds, options.connections);
    ramp.push(step);
    const ok = served(step, ramp[0]!.latencyMs.p99);
    log(
      `  ${target.name} ${String(rate).padStart(5)} req/s offered: ${step.achieved} achieved, p50 ${step.latencyMs.p50} / p95 ${step.latencyMs.p95} / p99 ${step.latencyMs.p99} ms, errors ${(step.errorRate * 100).toFixed(2)} %${ok ? '' : '  ← past the knee'}`,
    );
    if (!ok) break;
    knee = step;
  }
  const kneeRate = knee?.offered ?? 0;
  let sustained: StepResult | null = null;
  if (kneeRate > 0) {
    const rate = Math.max(1, Math.floor(kneeRate / 2));
    sustained = await runStep(stack.apiUrl, request, rate, options.duration, options.connections);
    log(
      `  ${target.name} sustained ${rate} req/s for ${options.duration} s: p50 ${sustained.latencyMs.p50} / p95 ${sustained.latencyMs.p95} / p99 ${sustained.latencyMs.p99} ms, errors ${(sustained.errorRate * 100).toFixed(2)} %`,
    );
  }
  return { name: target.name, what: target.what, ramp, kneeRate, atKnee: knee, sustained };
}

/** Resident memory of a process in MB, from /proc (Linux); null elsewhere or when gone. */
function rssMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? null : round(Number(kb) / 1024, 1);
  } catch {
    return null;
  }
}

/** The processes this one started (the functions gateway and its Deno workers). */
function childPids(parent: number): number[] {
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return found;
  }
  const parents = new Map<number, number>();
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(e), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const walk = (p: number) => {
    for (const [pid, ppid] of parents) {
      if (ppid === p) {
        found.push(pid);
        walk(pid);
      }
    }
  };
  walk(parent);
  return found;
}

export interface MemorySample {
  readonly atSeconds: number;
  readonly apiRssMb: number;
  readonly apiHeapMb: number;
  readonly functionsRssMb: number;
}

export interface SoakVerdict {
  readonly firstMinuteMb: number;
  readonly lastMinuteMb: number;
  readonly growthMb: number;
  readonly growthPercent: number;
  readonly slopeMbPerMinute: number;
  readonly flat: boolean;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Flat memory: the total resident memory's median over the last minute against
 * the first minute after a one-minute warm-up (or the first/last fifth of a
 * shorter soak), within 10 % and 32 MB; the least-squares slope is reported.
 */
export function judgeSoak(samples: readonly MemorySample[]): SoakVerdict {
  const total = samples.map((s) => ({ t: s.atSeconds, mb: s.apiRssMb + s.functionsRssMb }));
  const end = total.at(-1)?.t ?? 0;
  const window = end >= 180 ? 60 : Math.max(5, end / 5);
  const warm = end >= 180 ? 60 : 0;
  const first = total.filter((s) => s.t >= warm && s.t < warm + window).map((s) => s.mb);
  const last = total.filter((s) => s.t > end - window).map((s) => s.mb);
  const firstMinuteMb = round(median(first), 1);
  const lastMinuteMb = round(median(last), 1);
  const growthMb = round(lastMinuteMb - firstMinuteMb, 1);
  const n = total.length;
  const mt = total.reduce((a, s) => a + s.t, 0) / Math.max(1, n);
  const mm = total.reduce((a, s) => a + s.mb, 0) / Math.max(1, n);
  const cov = total.reduce((a, s) => a + (s.t - mt) * (s.mb - mm), 0);
  const vt = total.reduce((a, s) => a + (s.t - mt) ** 2, 0);
  const slope = vt === 0 ? 0 : (cov / vt) * 60;
  return {
    firstMinuteMb,
    lastMinuteMb,
    growthMb,
    growthPercent: firstMinuteMb === 0 ? 0 : round((growthMb / firstMinuteMb) * 100, 1),
    slopeMbPerMinute: round(slope, 2),
    flat: growthMb <= Math.max(32, firstMinuteMb * 0.1),
  };
}

async function soak(
  stack: Stack,
  population: Population,
  results: readonly TargetResult[],
  minutes: number,
  connections: number,
  log: (line: string) => void,
): Promise<{ minutes: number; rates: Record<string, number>; step: StepResult[]; samples: MemorySample[]; verdict: SoakVerdict }> {
  const targets = TARGETS.filter((t) => results.some((r) => r.name === t.name && r.kneeRate > 0));
  const rates = Object.fromEntries(
    targets.map((t) => [t.name, Math.max(1, Math.floor(results.find((r) => r.name === t.name)!.kneeRate / 2))]),
  );
  const samples: MemorySample[] = [];
  const started = performance.now();
  const sample = () => {
    const children = childPids(process.pid);
    const functionsRss = children.reduce((sum, pid) => sum + (rssMb(pid) ?? 0), 0);
    const mem = process.memoryUsage();
    samples.push({
      atSeconds: round((performance.now() - started) / 1000, 1),
      apiRssMb: round(mem.rss / 2 ** 20, 1),
      apiHeapMb: round(mem.heapUsed / 2 ** 20, 1),
      functionsRssMb: round(functionsRss, 1),
    });
  };
  sample();
  const timer = setInterval(sample, 5_000);
  const progress = setInterval(() => {
    const s = samples.at(-1);
    if (s)
      log(
        `  soak ${Math.round(s.atSeconds)} s / ${minutes * 60}: api ${s.apiRssMb} MB (heap ${s.apiHeapMb}), functions ${s.functionsRssMb} MB`,
      );
  }, 60_000);
  let steps: StepResult[];
  try {
    steps = await Promise.all(
      targets.map((t) =>
        runStep(
          stack.apiUrl,
          cannonRequest(t, population, stack.anonKey),
          rates[t.name]!,
          minutes * 60,
          Math.max(2, Math.floor(connections / targets.length)),
        ),
      ),
    );
  } finally {
    clearInterval(timer);
    clearInterval(progress);
  }
  sample();
  return { minutes, rates, step: steps, samples, verdict: judgeSoak(samples) };
}

/** People in spaces of up to 50 members, each space with 200 expenses of its owner's. */
async function buildPopulation(client: ReturnType<typeof postgresClient>, users: number): Promise<Population> {
  const people: { token: string; spaceId: string }[] = [];
  for (let start = 0; start < users; start += 50) {
    const space = await createSpace(client, { name: `Load ${start / 50 + 1}` });
    await queryAs(
      client,
      space.owner.actor,
      `insert into public.expenses (space_id, amount, description, category, date)
       select $1, round((random() * 80 + 1)::numeric, 2), 'Load ' || g, 'groceries', current_date - (g % 90)
         from generate_series(1, 200) g`,
      [space.id],
    );
    const members = [space.owner];
    for (let i = 1; i < Math.min(50, users - start); i++) members.push(await addMember(client, space, 'member', await createUser(client)));
    for (const m of members) people.push({ token: await signAccessToken({ id: m.id, email: m.email }), spaceId: space.id });
  }
  return { people };
}

const usage = `npm run load -- [--duration S] [--step S] [--soak MIN] [--connections N] [--max-rate R] [--only a,b] [--out FILE]
  --duration S      the sustained run per target, seconds (default 20)
  --step S          each ramp step, seconds (default 5)
  --soak MIN        then a mixed soak of MIN minutes with memory sampled every 5 s (default 0: none)
  --connections N   concurrent connections (default 8)
  --max-rate R      highest offered rate of the ramp (default 6400)
  --users N         people the load comes from, in spaces of 50 (default 200; the functions limit each to 60 a minute)
  --only a,b        only these targets (${TARGETS.map((t) => t.name).join(', ')})
  --out FILE        the JSON (default bench-results/load-<pglite|postgres>.json)
DATABASE_URL=…      load PostgreSQL: a fresh database wallai_load_<random> on that server, dropped after`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '20' },
      step: { type: 'string', default: '5' },
      soak: { type: 'string', default: '0' },
      connections: { type: 'string', default: '8' },
      'max-rate': { type: 'string', default: '6400' },
      users: { type: 'string', default: '200' },
      only: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const num = (name: string, raw: string, min: number) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got ${raw}\n${usage}`);
    return n;
  };
  const duration = num('duration', values.duration, 1);
  const stepSeconds = num('step', values.step, 1);
  const soakMinutes = num('soak', values.soak, 0);
  const connections = num('connections', values.connections, 1);
  const maxRate = num('max-rate', values['max-rate'], 1);
  const users = num('users', values.users, 1);
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((n) => !TARGETS.some((t) => t.name === n)) ?? [];
  if (unknown.length > 0) throw new Error(`--only: unknown target ${unknown.join(', ')}\n${usage}`);
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const serverUrl = process.env.DATABASE_URL;
  const kind = serverUrl ? 'postgres' : 'pglite';
  let dropDatabase: (() => Promise<void>) | null = null;
  let dataDir: string | null = null;
  let databaseUrl: string | undefined;
  if (serverUrl) {
    const name = `wallai_load_${randomBytes(4).toString('hex')}`;
    const admin = postgresClient(serverUrl, { max: 1 });
    await admin.exec(`create database ${name}`);
    await admin.close();
    databaseUrl = databaseUrlWithName(serverUrl, name);
    dropDatabase = async () => {
      const again = postgresClient(serverUrl, { max: 1 });
      await again.exec(`drop database if exists ${name} with (force)`);
      await again.close();
    };
    log(`load: building ${redactDatabaseUrl(databaseUrl)} (migrations and seed)…`);
  } else {
    dataDir = mkdtempSync(path.join(tmpdir(), 'wallai-load-'));
    log('load: a throwaway embedded database (migrations and seed)…');
  }
  const stack = await startStack({
    ...(databaseUrl ? { databaseUrl } : { dataDir: path.join(dataDir!, 'pglite'), dbPort: 0, fresh: true }),
    // The API origin (REST, Auth, functions) on a free port.
    functionsPort: 0,
    env: { ANTHROPIC_API_KEY: undefined },
    gatewayLog: () => {},
    log: () => {},
  });
  const results: TargetResult[] = [];
  let population: Population;
  {
    const client = postgresClient(stack.databaseUrl, { max: 1 });
    try {
      log(`load: ${users} people in ${Math.ceil(users / 50)} spaces of up to 50, 200 expenses each…`);
      population = await buildPopulation(client, users);
    } finally {
      await client.close();
    }
  }
  let soakResult: Awaited<ReturnType<typeof soak>> | null = null;
  try {
    log(
      `load: stack on ${stack.apiUrl} (${stack.databaseLabel}); ${connections} connections; ramp steps ${stepSeconds} s, sustained ${duration} s`,
    );
    for (const target of TARGETS.filter((t) => !only || only.includes(t.name))) {
      log(`${target.name}: ${target.what}`);
      results.push(await rampAndSustain(stack, population, target, { stepSeconds, duration, connections, maxRate }, log));
    }
    if (soakMinutes > 0) {
      log(`soak: every target at half its knee for ${soakMinutes} min`);
      soakResult = await soak(stack, population, results, soakMinutes, connections, log);
      const v = soakResult.verdict;
      log(
        `soak: memory ${v.firstMinuteMb} MB → ${v.lastMinuteMb} MB (${v.growthMb >= 0 ? '+' : ''}${v.growthMb} MB, ${v.growthPercent} %, slope ${v.slopeMbPerMinute} MB/min): ${v.flat ? 'flat' : 'GROWING'}; errors ${soakResult.step.reduce((a, s) => a + s.errors, 0)} of ${soakResult.step.reduce((a, s) => a + s.requests, 0)}`,
      );
    }
  } finally {
    await stack.stop();
    await dropDatabase?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
  const outFile = values.out ?? path.join(repoRoot, 'bench-results', `load-${kind}.json`);
  writeResultJson(outFile, {
    kind,
    at: new Date().toISOString(),
    machine: { cores: cpus().length, loadAverage: loadavg() },
    options: { duration, stepSeconds, soakMinutes, connections, maxRate, users },
    targets: results,
    soak: soakResult,
  });
  log(`load: wrote ${path.relative(repoRoot, outFile)}`);
  const failedTargets = results.filter((r) => r.kneeRate === 0 || (r.sustained?.errorRate ?? 1) >= 0.01);
  if (failedTargets.length > 0) log(`load: no served rate or errors ≥ 1 % for ${failedTargets.map((r) => r.name).join(', ')}`);
  return failedTargets.length > 0 || (soakResult !== null && !soakResult.verdict.flat) ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(2);
    },
  );
}
