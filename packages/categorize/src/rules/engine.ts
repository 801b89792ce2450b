import type { NormalizedDescriptor } from '../normalize.ts';
import { KEYWORD_RULES } from './keywords.ts';
import { compileRules, type RuleHit, type RuleMatcher } from './matcher.ts';
import { MERCHANT_RULES } from './merchants.ts';
import { PROCESSOR_RULES } from './processors.ts';

export interface RulesVerdict {
  readonly category: string;
  readonly confidence: number;
  /** The hits that voted for `category`, for explanations and debugging. */
  readonly hits: readonly RuleHit[];
}

/**
 * Each further distinct phrase agreeing on a category ("PUBLIX SUPER MARKETS":
 * a merchant and a keyword) adds a little confidence; capped so agreement
 * among weak keywords never reaches merchant level.
 */
const AGREEMENT_BONUS = 0.04;
const MAX_AGREEING_BONUSES = 2;
const MAX_RULES_CONFIDENCE = 0.99;

/**
 * Picks a category from rule hits, considering only `candidates`. Hits for a
 * category the space does not use are dropped before voting, so they can
 * neither be returned nor outvote an allowed category. Returns null when no
 * allowed category was hit.
 */
export function scoreHits(hits: readonly RuleHit[], candidates: ReadonlySet<string>): RulesVerdict | null {
  const byCategory = new Map<string, RuleHit[]>();
  for (const hit of hits) {
    if (!candidates.has(hit.rule.category)) continue;
    const list = byCategory.get(hit.rule.category);
    if (list === undefined) byCategory.set(hit.rule.category, [hit]);
    else list.push(hit);
  }

  let best: { verdict: RulesVerdict; merchant: boolean; start: number } | null = null;
  for (const [category, categoryHits] of byCategory) {
    const top = Math.max(...categoryHits.map((hit) => hit.rule.confidence));
    const distinctPhrases = new Set(categoryHits.map((hit) => hit.phrase)).size;
    const bonus = AGREEMENT_BONUS * Math.min(MAX_AGREEING_BONUSES, distinctPhrases - 1);
    const confidence = round(Math.min(MAX_RULES_CONFIDENCE, top + bonus));
    const merchant = categoryHits.some((hit) => hit.rule.kind === 'merchant');
    const start = Math.min(...categoryHits.map((hit) => hit.start));
    // Ties: a named merchant beats vocabulary, then the earlier mention wins
    // (descriptors lead with the merchant and trail with location and notes).
    const better =
      best === null ||
      confidence > best.verdict.confidence ||
      (confidence === best.verdict.confidence && (merchant !== best.merchant ? merchant : start < best.start));
    if (better) best = { verdict: { category, confidence, hits: categoryHits }, merchant, start };
  }
  return best?.verdict ?? null;
}

export interface RuleEngine {
  readonly matcher: RuleMatcher;
  categorize(descriptor: NormalizedDescriptor, candidates: ReadonlySet<string>): RulesVerdict | null;
}

export function createRuleEngine(matcher: RuleMatcher): RuleEngine {
  return {
    matcher,
    categorize: (descriptor, candidates) => scoreHits(matcher.match(descriptor), candidates),
  };
}

let defaultEngine: RuleEngine | undefined;

/** The built-in merchant and keyword tables, compiled on first use. */
export function defaultRuleEngine(): RuleEngine {
  defaultEngine ??= createRuleEngine(compileRules([...MERCHANT_RULES, ...KEYWORD_RULES], PROCESSOR_RULES));
  return defaultEngine;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
