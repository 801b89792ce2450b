/**
 * The executed-tool evaluation on the offline path: every question of
 * scripts/eval/chat-cases.ts asked of the seeded spaces, its figures compared
 * with what SQL of its own computes. Target: at least 95 % exact.
 */
import { useTestDatabase } from '@wallai/testing';
import { beforeAll, expect, it } from 'vitest';
import { EVAL_CASES } from './chat-cases.ts';
import { prepareEvalDatabase, runEval } from './chat-eval.ts';

const db = useTestDatabase();

beforeAll(async () => {
  await prepareEvalDatabase(db());
});

it('has at least 60 questions', () => {
  expect(EVAL_CASES.length).toBeGreaterThanOrEqual(60);
  expect(new Set(EVAL_CASES.map((c) => c.id)).size).toBe(EVAL_CASES.length);
});

it('answers at least 95 % of the questions exactly, offline', async () => {
  const run = await runEval(db());
  const misses = run.results
    .filter((r) => !r.exact)
    .map((r) => ({ id: r.id, question: r.question, expected: r.expected, cited: r.cited, answer: r.answer }));
  console.log(`chat eval (offline): ${run.exact}/${run.total} exact (${(run.score * 100).toFixed(1)} %)`);
  if (misses.length > 0) console.log(JSON.stringify(misses, null, 2));
  expect(run.results.every((r) => r.source === 'offline')).toBe(true);
  expect(run.score).toBeGreaterThanOrEqual(0.95);
});
