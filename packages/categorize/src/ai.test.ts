import { describe, expect, it } from 'vitest';
import { DEFAULT_AI_CONFIDENCE, validateAiAnswer } from './ai.ts';

const candidates = ['groceries', 'dining', 'other'];

describe('validateAiAnswer', () => {
  it('accepts a candidate label with its confidence', () => {
    expect(validateAiAnswer({ category: 'dining', confidence: 0.9 }, candidates)).toEqual({ category: 'dining', confidence: 0.9 });
  });

  it('accepts a bare label and forgives case and whitespace', () => {
    expect(validateAiAnswer('  Dining\n', candidates)).toEqual({ category: 'dining', confidence: DEFAULT_AI_CONFIDENCE });
  });

  it('rejects labels that are not candidates', () => {
    expect(validateAiAnswer({ category: 'restaurants', confidence: 0.99 }, candidates)).toBeNull();
    expect(validateAiAnswer('dining out', candidates)).toBeNull();
  });

  it('rejects answers of the wrong shape', () => {
    for (const answer of [null, undefined, 42, [], {}, { category: 7 }]) {
      expect(validateAiAnswer(answer, candidates)).toBeNull();
    }
  });

  it('replaces an unusable confidence with the default', () => {
    for (const confidence of [-0.1, 1.2, Number.NaN, '0.9']) {
      expect(validateAiAnswer({ category: 'groceries', confidence }, candidates)?.confidence).toBe(DEFAULT_AI_CONFIDENCE);
    }
  });
});
