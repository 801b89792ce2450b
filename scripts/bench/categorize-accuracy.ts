/**
 * Accuracy and latency of the offline (rules-only) categorizer against the
 * labelled Merchant Studio descriptors.
 *
 *   npx tsx scripts/bench/categorize-accuracy.ts [--repetitions N] [--misses]
 *
 * The dataset lives outside the repository (../shared/datasets/merchant-studio,
 * CC BY 4.0, "Enrichment from Merchant Studio by Jonathan Taveras") and is
 * never copied in: the JSON written to bench-results/ holds only aggregate
 * numbers, and `--misses` prints the missed descriptors to stderr for local
 * work without saving them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  categorizeWithRules,
  compileRules,
  KEYWORD_RULES,
  MERCHANT_RULES,
  PROCESSOR_RULES,
  type CategorizationResult,
} from '@wallai/categorize';
import { CATEGORY_KEYS, type CategoryKey } from '@wallai/domain';
import { writeResultFile } from './results-file.ts';

/**
 * Merchant Studio's categories → Wallai keys. Most are renames; the others
 * follow the taxonomy descriptions in @wallai/domain:
 * - financial → debt_payoff: those lines are payments to card issuers,
 *   lenders and buy-now-pay-later plans, which is what debt_payoff tracks.
 * - transfers, cash_atm → other: moving money between accounts or into cash
 *   is not spending in any category; "other" explicitly covers transfers.
 * - pets, education, shipping → other: the taxonomy lists them under "other".
 * - home → housing: furniture, hardware and storage are "home repairs and
 *   furnishing essentials".
 * - taxes, government_taxes, fees_charges → fees_taxes.
 * - refunds → income: money coming back in ("salary, refunds ...").
 * - office → shopping: office-supply stores are retail.
 */
export const DATASET_CATEGORY_MAP: Readonly<Record<string, CategoryKey>> = {
  food_dining: 'dining',
  groceries: 'groceries',
  auto_transport: 'transport',
  bills_utilities: 'utilities',
  shopping: 'shopping',
  health: 'health',
  entertainment: 'entertainment',
  subscriptions: 'subscriptions',
  travel: 'travel',
  insurance: 'insurance',
  personal_care: 'personal_care',
  financial: 'debt_payoff',
  transfers: 'other',
  cash_atm: 'other',
  pets: 'other',
  education: 'other',
  shipping: 'other',
  home: 'housing',
  taxes: 'fees_taxes',
  government_taxes: 'fees_taxes',
  fees_charges: 'fees_taxes',
  refunds: 'income',
  office: 'shopping',
};

export interface BenchmarkItem {
  readonly rawDescription: string;
  readonly region: string;
  /** The dataset's own category, before mapping. */
  readonly category: string;
}

export interface Tally {
  total: number;
  correct: number;
  accuracy: number;
}

export interface AccuracyReport {
  readonly total: number;
  readonly correct: number;
  readonly accuracy: number;
  readonly byRegion: Readonly<Record<string, Tally>>;
  /** Keyed by the dataset's category, with the Wallai key it maps to. */
  readonly byCategory: Readonly<Record<string, Tally & { mappedTo: string | null }>>;
  /** Dataset categories with no mapping; their items count as misses. */
  readonly unmappedCategories: readonly string[];
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number; readonly samples: number };
  /** One-off cost of compiling the rule tables, paid on first use. */
  readonly compileMs: number;
  readonly misses: ReadonlyArray<{ readonly item: BenchmarkItem; readonly expected: string | null; readonly got: CategorizationResult }>;
}

export interface BenchmarkOptions {
  /** How many times the whole set is categorized for latency samples. */
  readonly repetitions?: number;
  readonly candidates?: readonly string[];
  readonly categoryMap?: Readonly<Record<string, string>>;
}

/** Validates the dataset file's shape and flattens it to benchmark items. */
export function parseDataset(json: unknown): BenchmarkItem[] {
  const descriptors = (json as { descriptors?: unknown } | null)?.descriptors;
  if (!Array.isArray(descriptors)) throw new Error('dataset: expected { descriptors: [...] }');
  return descriptors.map((entry: unknown, index) => {
    const { rawDescription, region, expected } = (entry ?? {}) as Record<string, unknown>;
    const category = (expected as { category?: unknown } | null | undefined)?.category;
    if (typeof rawDescription !== 'string' || typeof region !== 'string' || typeof category !== 'string') {
      throw new Error(`dataset: descriptor ${index} lacks rawDescription, region or expected.category`);
    }
    return { rawDescription, region, category };
  });
}

export function runAccuracyBenchmark(items: readonly BenchmarkItem[], options: BenchmarkOptions = {}): AccuracyReport {
  const repetitions = Math.max(1, Math.floor(options.repetitions ?? 20));
  const candidates = options.candidates ?? CATEGORY_KEYS;
  const categoryMap = options.categoryMap ?? DATASET_CATEGORY_MAP;

  const compileStart = performance.now();
  compileRules([...MERCHANT_RULES, ...KEYWORD_RULES], PROCESSOR_RULES);
  const compileMs = performance.now() - compileStart;
  // Warm the shared engine so the first timed call does not pay for compiling.
  categorizeWithRules({ description: 'warm up' }, { candidates });

  const samples: number[] = [];
  const results: CategorizationResult[] = [];
  for (let round = 0; round < repetitions; round += 1) {
    items.forEach((item, index) => {
      const start = performance.now();
      const result = categorizeWithRules({ description: item.rawDescription }, { candidates });
      samples.push(performance.now() - start);
      if (round === 0) results[index] = result;
    });
  }

  const byRegion: Record<string, Tally> = {};
  const byCategory: Record<string, Tally & { mappedTo: string | null }> = {};
  const unmapped = new Set<string>();
  const misses: Array<AccuracyReport['misses'][number]> = [];
  let correct = 0;
  items.forEach((item, index) => {
    const got = results[index];
    if (got === undefined) return;
    const expected = categoryMap[item.category] ?? null;
    if (expected === null) unmapped.add(item.category);
    const hit = expected !== null && got.category === expected;
    if (hit) correct += 1;
    else misses.push({ item, expected, got });
    count((byRegion[item.region] ??= { total: 0, correct: 0, accuracy: 0 }), hit);
    count((byCategory[item.category] ??= { total: 0, correct: 0, accuracy: 0, mappedTo: expected }), hit);
  });

  return {
    total: items.length,
    correct,
    accuracy: ratio(correct, items.length),
    byRegion: sortKeys(byRegion),
    byCategory: sortKeys(byCategory),
    unmappedCategories: [...unmapped].sort(),
    latencyMs: {
      p50: percentile(samples, 0.5),
      p95: percentile(samples, 0.95),
      p99: percentile(samples, 0.99),
      max: percentile(samples, 1),
      samples: samples.length,
    },
    compileMs: round3(compileMs),
    misses,
  };
}

export function formatReport(report: AccuracyReport): string {
  const pct = (value: number): string => `${(value * 100).toFixed(1)}%`.padStart(7);
  const row = (label: string, tally: Tally, extra = ''): string =>
    `  ${label.padEnd(18)} ${String(tally.correct).padStart(4)}/${String(tally.total).padEnd(4)} ${pct(tally.accuracy)}${extra}`;
  const lines = [
    `Top-1 accuracy (rules only): ${report.correct}/${report.total} = ${pct(report.accuracy).trim()}`,
    '',
    'By region',
    ...Object.entries(report.byRegion).map(([region, tally]) => row(region, tally)),
    '',
    'By dataset category (worst first)',
    ...Object.entries(report.byCategory)
      .sort(([, a], [, b]) => a.accuracy - b.accuracy || b.total - a.total)
      .map(([category, tally]) => row(category, tally, `  → ${tally.mappedTo ?? '(unmapped)'}`)),
    '',
    `Latency per expense over ${report.latencyMs.samples} calls: p50 ${report.latencyMs.p50} ms, ` +
      `p95 ${report.latencyMs.p95} ms, p99 ${report.latencyMs.p99} ms, max ${report.latencyMs.max} ms`,
    `Rule compilation (once per process): ${report.compileMs} ms`,
  ];
  if (report.unmappedCategories.length > 0) {
    lines.push(`Unmapped dataset categories (counted as misses): ${report.unmappedCategories.join(', ')}`);
  }
  return lines.join('\n');
}

/** The JSON saved under bench-results/: aggregates only, never descriptors. */
export function toResultsJson(report: AccuracyReport, dataset: string): string {
  const { misses, ...aggregates } = report;
  const missesByCategory: Record<string, Record<string, number>> = {};
  for (const miss of misses) {
    const slot = (missesByCategory[miss.item.category] ??= {});
    slot[miss.got.category] = (slot[miss.got.category] ?? 0) + 1;
  }
  return `${JSON.stringify(
    {
      benchmark: 'categorize-accuracy',
      mode: 'rules-only',
      dataset,
      generatedAt: new Date().toISOString(),
      ...aggregates,
      missesByCategory,
    },
    null,
    2,
  )}\n`;
}

function count(tally: Tally, hit: boolean): void {
  tally.total += 1;
  if (hit) tally.correct += 1;
  tally.accuracy = ratio(tally.correct, tally.total);
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : round3(part / whole);
}

/** Nearest-rank percentile. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return round3(sorted[rank] ?? 0);
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

function main(argv: readonly string[]): number {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const datasetPath = path.resolve(repoRoot, '..', 'shared', 'datasets', 'merchant-studio', 'sample_test_descriptors.json');
  const repetitionsFlag = argv.indexOf('--repetitions');
  const repetitions = repetitionsFlag >= 0 ? Number(argv[repetitionsFlag + 1]) : undefined;
  if (repetitions !== undefined && !(Number.isInteger(repetitions) && repetitions > 0)) {
    process.stderr.write('--repetitions needs a positive integer\n');
    return 2;
  }

  let raw: string;
  try {
    raw = readFileSync(datasetPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stdout.write(`categorize-accuracy: dataset not found, skipped (${datasetPath})\n`);
      return 0;
    }
    throw error;
  }

  const report = runAccuracyBenchmark(parseDataset(JSON.parse(raw)), repetitions === undefined ? {} : { repetitions });
  process.stdout.write(`${formatReport(report)}\n`);
  if (argv.includes('--misses')) {
    for (const { item, expected, got } of report.misses) {
      process.stderr.write(
        `[${item.region}] ${item.rawDescription} → got ${got.category} (${got.confidence}), expected ${expected ?? item.category}\n`,
      );
    }
  }

  const outFile = path.join(repoRoot, 'bench-results', 'categorize.json');
  writeResultFile(outFile, toResultsJson(report, path.relative(repoRoot, datasetPath)));
  process.stdout.write(`\nWrote ${path.relative(repoRoot, outFile)}\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
