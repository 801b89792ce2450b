export { normalizeDescriptor, tokenize, foldAccents, type NormalizedDescriptor } from './normalize.ts';
export {
  categorize,
  categorizeWithRules,
  DEFAULT_CONFIDENCE_THRESHOLD,
  FALLBACK_CONFIDENCE,
  type CategorizeInput,
  type CategorizeOptions,
  type CategorizationResult,
  type CategorizationSource,
  type RulesOnlyOptions,
} from './pipeline.ts';
export {
  voteFromHistory,
  DEFAULT_MIN_SIMILARITY,
  type HistoryLookup,
  type HistoryNeighbour,
  type HistoryQuery,
  type HistoryVote,
} from './history.ts';
export { validateAiAnswer, DEFAULT_AI_CONFIDENCE, type AiAnswer, type AiClassifier, type AiRequest, type ValidAiAnswer } from './ai.ts';
export { createRuleEngine, defaultRuleEngine, scoreHits, type RuleEngine, type RulesVerdict } from './rules/engine.ts';
export { compileRules, type RuleHit, type RuleMatcher } from './rules/matcher.ts';
export { defineRules, type Rule, type RuleKind } from './rules/types.ts';
export { MERCHANT_RULES } from './rules/merchants.ts';
export { KEYWORD_RULES } from './rules/keywords.ts';
export { PROCESSOR_RULES, type ProcessorRule } from './rules/processors.ts';
