import { FALLBACK_CATEGORY } from '@wallai/domain';
import { validateAiAnswer, type AiClassifier } from './ai.ts';
import { DEFAULT_MIN_SIMILARITY, voteFromHistory, type HistoryLookup } from './history.ts';
import { normalizeDescriptor, type NormalizedDescriptor } from './normalize.ts';
import { defaultRuleEngine, type RuleEngine } from './rules/engine.ts';

export interface CategorizeInput {
  readonly description: string;
  readonly amount?: number;
}

export type CategorizationSource = 'history' | 'rules' | 'ai';

export interface CategorizationResult {
  readonly category: string;
  readonly confidence: number;
  readonly source: CategorizationSource;
}

/**
 * An answer at or above this is accepted without asking the next step.
 * Set between the tiers of the rule tables: named merchants (≥ 0.9) and
 * trade words such as "supermercado" (0.84) pass; general stores (Walmart,
 * Costco), bank names and vague words ("cafe", "market") fall below and let
 * a configured AI step decide.
 */
export const DEFAULT_CONFIDENCE_THRESHOLD = 0.8;

/** Confidence reported when nothing matched and the fallback was used. */
export const FALLBACK_CONFIDENCE = 0.1;

export interface RulesOnlyOptions {
  /** Category keys this space may use; results are always one of these. */
  readonly candidates: readonly string[];
  /** Used when nothing matched; defaults to `other` when it is a candidate, else the first candidate. */
  readonly fallback?: string;
  /** Defaults to the built-in merchant and keyword tables. */
  readonly rules?: RuleEngine;
}

export interface CategorizeOptions extends RulesOnlyOptions {
  readonly history?: HistoryLookup;
  readonly llm?: AiClassifier;
  readonly threshold?: number;
  readonly minHistorySimilarity?: number;
  /**
   * History and AI are best-effort: if either throws, categorization carries
   * on with what the other steps found. This is where the caller hears about it.
   */
  readonly onStepError?: (step: 'history' | 'ai', error: unknown) => void;
}

/**
 * History → rules → AI; the first answer at or above the threshold wins.
 * The AI step runs only when nothing earlier reached the threshold, and its
 * answer is kept only if it names a candidate and is at least as confident as
 * the best earlier answer (or agrees with it). Otherwise the best earlier
 * answer is returned, or the fallback category with FALLBACK_CONFIDENCE.
 */
export async function categorize(input: CategorizeInput, options: CategorizeOptions): Promise<CategorizationResult> {
  const threshold = options.threshold ?? DEFAULT_CONFIDENCE_THRESHOLD;
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`threshold must be in [0, 1], got ${threshold}`);
  const { candidates, candidateSet, fallback } = resolveCandidates(options);
  const normalized = normalizeDescriptor(input.description);
  const amount = input.amount;
  let best: CategorizationResult | null = null;

  if (options.history !== undefined) {
    try {
      const neighbours = await options.history({ description: input.description, normalized: normalized.text, amount });
      const vote = voteFromHistory(
        Array.isArray(neighbours) ? neighbours : [],
        candidateSet,
        options.minHistorySimilarity ?? DEFAULT_MIN_SIMILARITY,
      );
      if (vote !== null) best = { ...vote, source: 'history' };
    } catch (error) {
      options.onStepError?.('history', error);
    }
    if (best !== null && best.confidence >= threshold) return best;
  }

  const byRules = rulesVerdict(normalized, candidateSet, options.rules);
  if (byRules !== null && (best === null || byRules.confidence > best.confidence)) best = byRules;
  if (best !== null && best.confidence >= threshold) return best;

  if (options.llm !== undefined) {
    try {
      const answer = validateAiAnswer(
        await options.llm({
          description: input.description,
          normalized: normalized.text,
          amount,
          candidates,
          hint: best === null ? null : { category: best.category, confidence: best.confidence },
        }),
        candidates,
      );
      if (answer !== null) {
        if (best === null || answer.category === best.category) {
          return { category: answer.category, confidence: Math.max(answer.confidence, best?.confidence ?? 0), source: 'ai' };
        }
        if (answer.confidence >= best.confidence) return { ...answer, source: 'ai' };
      }
    } catch (error) {
      options.onStepError?.('ai', error);
    }
  }

  return best ?? { category: fallback, confidence: FALLBACK_CONFIDENCE, source: 'rules' };
}

/** The rules step alone, synchronously: what the CLI and the benchmark use. */
export function categorizeWithRules(input: CategorizeInput, options: RulesOnlyOptions): CategorizationResult {
  const { candidateSet, fallback } = resolveCandidates(options);
  return (
    rulesVerdict(normalizeDescriptor(input.description), candidateSet, options.rules) ?? {
      category: fallback,
      confidence: FALLBACK_CONFIDENCE,
      source: 'rules',
    }
  );
}

function rulesVerdict(
  normalized: NormalizedDescriptor,
  candidates: ReadonlySet<string>,
  engine: RuleEngine = defaultRuleEngine(),
): CategorizationResult | null {
  const verdict = engine.categorize(normalized, candidates);
  return verdict === null ? null : { category: verdict.category, confidence: verdict.confidence, source: 'rules' };
}

function resolveCandidates(options: RulesOnlyOptions): {
  candidates: readonly string[];
  candidateSet: ReadonlySet<string>;
  fallback: string;
} {
  const { candidates } = options;
  if (candidates.length === 0) throw new RangeError('categorize needs at least one candidate category');
  const candidateSet = new Set(candidates);
  const fallback = options.fallback ?? (candidateSet.has(FALLBACK_CATEGORY) ? FALLBACK_CATEGORY : candidates[0]);
  if (fallback === undefined || !candidateSet.has(fallback)) {
    throw new RangeError(`fallback category "${String(fallback)}" is not among the candidates`);
  }
  return { candidates, candidateSet, fallback };
}
