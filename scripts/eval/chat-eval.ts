/**
 * Runs the ai-chat evaluation (scripts/eval/chat-cases.ts) through the chat
 * service, as each case's person, and scores it: a case is exact when every
 * figure its SQL expects is a cited figure of the answer.
 *
 *   npm run eval:chat                         offline, on a fresh embedded database with the seed
 *   ANTHROPIC_API_KEY=… npm run eval:chat     the AI path too (model from ANTHROPIC_MODEL)
 *
 * CI runs the offline path as a test (scripts/eval/chat-eval.test.ts) on PGlite and PostgreSQL.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createChatService, type TurnResult } from '@wallai/assistant/service';
import { previousPeriod, resolvePeriod, todayIn, type ModelClient } from '@wallai/assistant';
import { applySchemaDirectly, openPglite, pgliteClient, readSeed, repoRoot, transactionsAs, type SqlClient } from '@wallai/db-client';
import { decimalToCents } from '@wallai/domain';
import { DEMO_SPACES, DEMO_USERS } from '../dev/local-keys.ts';
import { EVAL_CASES, EVAL_FIXTURE, type EvalCase } from './chat-cases.ts';

export const TIME_ZONE = 'Europe/Madrid';

export interface CaseResult {
  readonly id: string;
  readonly question: string;
  readonly exact: boolean;
  readonly expected: string[];
  readonly cited: string[];
  readonly answer: string;
  readonly source: string;
  readonly ms: number;
}

/** Loads the seed and the evaluation's bank and insight rows into a migrated database. */
export async function prepareEvalDatabase(db: SqlClient): Promise<void> {
  const seed = readSeed();
  if (seed === null) throw new Error('supabase/seed.sql is missing');
  await db.exec(seed);
  await db.exec(EVAL_FIXTURE);
}

function placeholders(now: Date): Record<string, string> {
  const at = (text: string) => resolvePeriod(text, now, TIME_ZONE);
  const m0 = at('this_month');
  const m1 = at('last_month');
  const m2 = previousPeriod(m1, TIME_ZONE)!;
  const d = (day: string) => `date '${day}'`;
  return {
    ':M0': d(m0.from),
    ':M1': d(m1.from),
    ':M2': d(m2.from),
    ':N1': d(m0.to),
    ':Y0': d(at('this_year').from),
    ':TODAY': d(todayIn(now, TIME_ZONE)),
    '{m1}': m1.label.split(' ')[0] ?? '',
    '{m2}': m2.label.split(' ')[0] ?? '',
  };
}

const fill = (text: string, values: Record<string, string>) => Object.entries(values).reduce((t, [k, v]) => t.split(k).join(v), text);

const sameFigure = (a: string, b: string) => {
  try {
    return (
      Math.abs(decimalToCents(a.replace('-', '').replace(/^(\d+\.\d)$/, '$10'))) ===
      Math.abs(decimalToCents(b.replace('-', '').replace(/^(\d+\.\d)$/, '$10')))
    );
  } catch {
    return a === b;
  }
};

export async function runEval(
  db: SqlClient,
  options: { model?: ModelClient | null; now?: Date; cases?: readonly EvalCase[]; onCase?: (r: CaseResult) => void } = {},
): Promise<{ results: CaseResult[]; exact: number; total: number; score: number }> {
  const now = options.now ?? new Date();
  const values = placeholders(now);
  const results: CaseResult[] = [];
  for (const c of options.cases ?? EVAL_CASES) {
    const person = DEMO_USERS[c.as];
    const claims = { role: 'authenticated' as const, sub: person.id, email: person.email, aud: 'authenticated' };
    const service = createChatService({
      asUser: transactionsAs(db, claims),
      backend: transactionsAs(db, { role: 'service_role' }),
      model: options.model ?? null,
      now: () => now,
    });
    const started = performance.now();
    const turn = await service.open(person.id, {
      message: fill(c.question, values),
      ...(c.space === null ? {} : { spaceId: DEMO_SPACES[c.space].id }),
    });
    const result: TurnResult = await turn.run(() => {});
    const ms = performance.now() - started;
    const expected =
      c.expected === undefined ? [] : (await db.query<{ v: string | null }>(fill(c.expected, values))).map((r) => r.v ?? '0');
    const cited = result.trace.citations.map((x) => String(x.value));
    const exact =
      expected.every((e) => cited.some((v) => sameFigure(v, e))) &&
      (c.text === undefined || result.answer.includes(c.text)) &&
      (c.expected === undefined || expected.length > 0);
    const r: CaseResult = {
      id: c.id,
      question: fill(c.question, values),
      exact,
      expected,
      cited,
      answer: result.answer,
      source: result.trace.source,
      ms: Math.round(ms),
    };
    results.push(r);
    options.onCase?.(r);
  }
  const exact = results.filter((r) => r.exact).length;
  return { results, exact, total: results.length, score: exact / results.length };
}

async function main(): Promise<number> {
  const log = (line: string) => console.log(line);
  log('building an in-memory PGlite database with the seed…');
  const db = pgliteClient(await openPglite());
  await applySchemaDirectly(db);
  await prepareEvalDatabase(db);
  const report: Record<string, unknown> = { benchmark: 'chat-eval', generatedAt: new Date().toISOString(), cases: EVAL_CASES.length };
  const paths: Array<['offline' | 'ai', ModelClient | null]> = [['offline', null]];
  if (process.env.ANTHROPIC_API_KEY) {
    const { default: Anthropic } = await import('@anthropic-ai/sdk');
    const { anthropicModel } = await import('@wallai/assistant/anthropic');
    paths.push([
      'ai',
      anthropicModel(new Anthropic({ apiKey: process.env.ANTHROPIC_API_KEY }), process.env.ANTHROPIC_MODEL ?? 'claude-haiku-4-5'),
    ]);
  } else {
    log('ANTHROPIC_API_KEY is not set: the AI path is skipped.');
  }
  for (const [name, model] of paths) {
    const run = await runEval(db, {
      model,
      onCase: (r) =>
        log(
          `${r.exact ? 'ok  ' : 'MISS'} ${r.id.padEnd(26)} ${r.ms} ms${r.exact ? '' : `  expected ${r.expected.join(', ')}; cited ${r.cited.join(', ')}`}`,
        ),
    });
    log(`${name}: ${run.exact}/${run.total} exact (${(run.score * 100).toFixed(1)} %)`);
    report[name] = { exact: run.exact, total: run.total, score: run.score, misses: run.results.filter((r) => !r.exact) };
  }
  await db.close();
  const out = path.join(repoRoot, 'bench-results', 'chat-eval.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  log(`Wrote ${path.relative(process.cwd(), out)}`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
