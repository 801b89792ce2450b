/**
 * The insights engine on its own (no database): recurrence detection's
 * precision and recall on the labelled set, and how long all signals and
 * insights of one space take at three sizes (1,000, 5,000 and 10,000
 * expenses over 180 days), each against a baseline measured in the same run
 * (one plain pass over the same rows: amounts parsed and summed per
 * category and month), because the machine's load moves absolute times.
 * Times are wall clock and CPU time of this process; the target is read
 * on CPU time, which waiting for a core does not inflate.
 *
 *   npm run bench:insights [-- --runs N]
 *
 * Writes bench-results/insights-engine.json. The database side (loading the
 * rows, writing the insights, the batch over all spaces) is measured by
 * npm run bench.
 */
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ENGINE_VERSION, generateInsights, type InsightsInput } from '@wallai/insights';
import { generatedSpace } from '@wallai/insights/fixtures';
import { evaluateRecurrenceOverSeeds } from '@wallai/insights/labelled-set';
import { writeResultJson } from './results-file.ts';

const SIZES = [1_000, 5_000, 10_000] as const;
const TARGET_MS = 50;
const PRECISION_TARGET = 0.95;
const RECALL_TARGET = 0.9;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The same rows, read once the cheapest way: what any engine must at least do. */
function baselinePass(input: InsightsInput): number {
  const totals = new Map<string, number>();
  for (const e of input.expenses) {
    const key = `${e.category}|${e.date.slice(0, 7)}`;
    totals.set(key, (totals.get(key) ?? 0) + Math.round(Number(e.base_amount) * 100));
  }
  return [...totals.values()].sort((a, b) => a - b).length;
}

/** Wall-clock and CPU milliseconds of each run, each sorted. CPU time (this process's user +
 * system time) leaves out the time spent waiting for a core, so it moves far less with the
 * machine's load than the wall clock does. */
function timeIt(f: () => unknown, runs: number): { wall: number[]; cpu: number[] } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    f();
    wall.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall: wall.sort((a, b) => a - b), cpu: cpu.sort((a, b) => a - b) };
}

export interface EngineBench {
  size: number;
  runs: number;
  insights: number;
  engine_ms: { median: number; p95: number };
  engine_cpu_ms: { median: number; p95: number };
  baseline_ms: { median: number };
  baseline_cpu_ms: { median: number };
  ratio_to_baseline: number;
}

export function benchEngine(runs: number): EngineBench[] {
  return SIZES.map((size) => {
    const input = generatedSpace(size, 7);
    const warm = generateInsights(input);
    timeIt(() => baselinePass(input), 3);
    const engine = timeIt(() => generateInsights(input), runs);
    const baseline = timeIt(() => baselinePass(input), runs);
    const median = percentile(engine.wall, 50);
    const cpuMedian = percentile(engine.cpu, 50);
    const baseCpu = percentile(baseline.cpu, 50);
    return {
      size,
      runs,
      insights: warm.insights.length,
      engine_ms: { median: Number(median.toFixed(2)), p95: Number(percentile(engine.wall, 95).toFixed(2)) },
      engine_cpu_ms: { median: Number(cpuMedian.toFixed(2)), p95: Number(percentile(engine.cpu, 95).toFixed(2)) },
      baseline_ms: { median: Number(percentile(baseline.wall, 50).toFixed(3)) },
      baseline_cpu_ms: { median: Number(baseCpu.toFixed(3)) },
      ratio_to_baseline: Number((cpuMedian / Math.max(baseCpu, 0.001)).toFixed(1)),
    };
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  const runsFlag = argv.indexOf('--runs');
  const runs = runsFlag >= 0 ? Number(argv[runsFlag + 1]) : 15;
  if (!Number.isInteger(runs) || runs < 1) {
    console.error('usage: npm run bench:insights [-- --runs N]');
    return 2;
  }
  const recurrence = evaluateRecurrenceOverSeeds();
  console.log(`Insights engine ${ENGINE_VERSION}`);
  console.log(
    `recurrence detection on the labelled set (${recurrence.seeds} seeds, ${recurrence.labelled} labelled series): precision ${recurrence.precision.toFixed(3)} (target >= ${PRECISION_TARGET}) ${recurrence.precision >= PRECISION_TARGET ? 'PASS' : 'FAIL'}, recall ${recurrence.recall.toFixed(3)} (target >= ${RECALL_TARGET}) ${recurrence.recall >= RECALL_TARGET ? 'PASS' : 'FAIL'}`,
  );
  for (const m of recurrence.mistakes) console.log(`  ${m}`);
  const load = os.loadavg()[0]!;
  const sizes = benchEngine(runs);
  for (const s of sizes) {
    console.log(
      `${String(s.size).padStart(6)} expenses: engine median ${s.engine_ms.median} ms wall, ${s.engine_cpu_ms.median} ms CPU (p95 ${s.engine_cpu_ms.p95}; ${s.insights} insights); baseline pass ${s.baseline_cpu_ms.median} ms CPU; ratio ${s.ratio_to_baseline}x${s.size === 10_000 ? ` (target <= ${TARGET_MS} ms CPU: ${s.engine_cpu_ms.median <= TARGET_MS ? 'PASS' : 'FAIL, informative'})` : ''}`,
    );
  }
  console.log(`load average ${load.toFixed(1)} on ${os.cpus().length} cores`);
  const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench-results', 'insights-engine.json');
  writeResultJson(out, {
    benchmark: 'insights-engine',
    engine_version: ENGINE_VERSION,
    machine: { cpus: os.cpus().length, load_average_1m: Number(load.toFixed(2)), node: process.version },
    recurrence: {
      seeds: recurrence.seeds,
      labelled: recurrence.labelled,
      detected: recurrence.detected,
      precision: recurrence.precision,
      recall: recurrence.recall,
      targets: { precision: PRECISION_TARGET, recall: RECALL_TARGET },
    },
    sizes,
    target_ms_at_10000: TARGET_MS,
  });
  console.log(`Wrote ${path.relative(process.cwd(), out)}`);
  return recurrence.precision >= PRECISION_TARGET && recurrence.recall >= RECALL_TARGET ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
