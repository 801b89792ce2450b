/**
 * The AI step's contract. The classifier is injected (the Edge Function will
 * call Anthropic with the candidate list); everything it returns is treated
 * as untrusted input, since a model can answer with a label that was never
 * offered, in a different case, or with no usable confidence at all.
 */

export interface AiRequest {
  readonly description: string;
  readonly normalized: string;
  readonly amount: number | undefined;
  /** The only labels the answer may use. */
  readonly candidates: readonly string[];
  /** The best earlier guess, if any, for the prompt to confirm or overrule. */
  readonly hint: { readonly category: string; readonly confidence: number } | null;
}

export interface AiAnswer {
  readonly category: string;
  /** The model's own confidence in [0, 1], if it gave one. */
  readonly confidence?: number;
}

export type AiClassifier = (request: AiRequest) => Promise<AiAnswer | string | null | undefined>;

/** Used when the model names a valid category but no usable confidence. */
export const DEFAULT_AI_CONFIDENCE = 0.7;

export interface ValidAiAnswer {
  readonly category: string;
  readonly confidence: number;
}

/**
 * Accepts a bare label or `{ category, confidence? }`. The label must name a
 * candidate; case and surrounding whitespace are forgiven because models
 * often capitalise, anything else is rejected.
 */
export function validateAiAnswer(answer: unknown, candidates: readonly string[]): ValidAiAnswer | null {
  let label: unknown = answer;
  let confidence: unknown;
  if (typeof answer === 'object' && answer !== null) {
    label = (answer as { category?: unknown }).category;
    confidence = (answer as { confidence?: unknown }).confidence;
  }
  if (typeof label !== 'string') return null;

  const wanted = label.trim();
  const category =
    candidates.find((candidate) => candidate === wanted) ??
    candidates.find((candidate) => candidate.toLowerCase() === wanted.toLowerCase());
  if (category === undefined) return null;

  const usable = typeof confidence === 'number' && Number.isFinite(confidence) && confidence >= 0 && confidence <= 1;
  return { category, confidence: usable ? (confidence as number) : DEFAULT_AI_CONFIDENCE };
}
