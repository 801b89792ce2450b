import { CATEGORY_KEYS } from '@wallai/domain';
import { describe, expect, it, vi } from 'vitest';
import type { AiClassifier } from './ai.ts';
import type { HistoryLookup } from './history.ts';
import { categorize, DEFAULT_CONFIDENCE_THRESHOLD, FALLBACK_CONFIDENCE } from './pipeline.ts';

const candidates = CATEGORY_KEYS;
const history = (neighbours: Awaited<ReturnType<HistoryLookup>>): HistoryLookup => vi.fn(async () => neighbours);
const llm = (answer: Awaited<ReturnType<AiClassifier>>): AiClassifier => vi.fn(async () => answer);

describe('categorize', () => {
  it('history neighbours above the similarity floor win over rules', async () => {
    // The rules say groceries; this household files Publix under shopping.
    const lookup = history([{ category: 'shopping', similarity: 0.92 }]);
    const result = await categorize({ description: 'PUBLIX #1432 CORAL GABLES FL', amount: 80 }, { candidates, history: lookup });
    expect(result).toEqual({ category: 'shopping', confidence: 0.92, source: 'history' });
  });

  it('passes the normalized descriptor and amount to the history lookup', async () => {
    const lookup = history([]);
    await categorize({ description: 'SQ *BLUE BOTTLE COFFEE OAKLAND CA', amount: 4.5 }, { candidates, history: lookup });
    expect(lookup).toHaveBeenCalledWith({
      description: 'SQ *BLUE BOTTLE COFFEE OAKLAND CA',
      normalized: 'blue bottle coffee oakland',
      amount: 4.5,
    });
  });

  it('falls through to rules when history is below the floor or unsure', async () => {
    const weak = await categorize(
      { description: 'PUBLIX #1432' },
      { candidates, history: history([{ category: 'shopping', similarity: 0.5 }]) },
    );
    expect(weak).toEqual({ category: 'groceries', confidence: 0.95, source: 'rules' });

    const split = await categorize(
      { description: 'PUBLIX #1432' },
      {
        candidates,
        history: history([
          { category: 'shopping', similarity: 0.9 },
          { category: 'dining', similarity: 0.9 },
        ]),
      },
    );
    expect(split.source).toBe('rules');
  });

  it('llm is not called when rules are confident', async () => {
    const classifier = llm({ category: 'dining', confidence: 1 });
    const result = await categorize({ description: 'NETFLIX.COM' }, { candidates, llm: classifier });
    expect(result.source).toBe('rules');
    expect(classifier).not.toHaveBeenCalled();
  });

  it('asks the llm when the best answer is below the threshold, with the candidates and the hint', async () => {
    const classifier = llm({ category: 'groceries', confidence: 0.9 });
    const result = await categorize({ description: 'CAFE DEL MERCADO 22', amount: 31 }, { candidates, llm: classifier });
    expect(result).toEqual({ category: 'groceries', confidence: 0.9, source: 'ai' });
    expect(classifier).toHaveBeenCalledWith({
      description: 'CAFE DEL MERCADO 22',
      normalized: 'cafe del mercado 22',
      amount: 31,
      candidates,
      hint: { category: 'dining', confidence: 0.74 },
    });
  });

  it('an llm answer outside the candidate list is ignored', async () => {
    const rulesOnly = await categorize({ description: 'CAFE DEL MERCADO 22' }, { candidates });
    const withBadAi = await categorize(
      { description: 'CAFE DEL MERCADO 22' },
      { candidates, llm: llm({ category: 'restaurants', confidence: 0.99 }) },
    );
    expect(withBadAi).toEqual(rulesOnly);
    expect(withBadAi.source).toBe('rules');
  });

  it('returns the fallback with low confidence when nothing matches and the llm answer is invalid', async () => {
    const result = await categorize({ description: 'XQZV 9931' }, { candidates, llm: llm('not-a-category') });
    expect(result).toEqual({ category: 'other', confidence: FALLBACK_CONFIDENCE, source: 'rules' });
  });

  it('uses a valid llm answer when nothing else matched', async () => {
    const result = await categorize({ description: 'XQZV 9931' }, { candidates, llm: llm('Entertainment') });
    expect(result).toEqual({ category: 'entertainment', confidence: 0.7, source: 'ai' });
  });

  it('keeps the earlier answer when the llm disagrees with less confidence', async () => {
    const result = await categorize(
      { description: 'CAFE DEL MERCADO 22' },
      { candidates, llm: llm({ category: 'shopping', confidence: 0.3 }) },
    );
    expect(result).toEqual({ category: 'dining', confidence: 0.74, source: 'rules' });
  });

  it('never returns a category outside the candidates, whichever step answers', async () => {
    const restricted = ['groceries', 'other'];
    const result = await categorize(
      { description: 'SHELL OIL 5744 HOUSTON TX' },
      {
        candidates: restricted,
        history: history([{ category: 'transport', similarity: 1 }]),
        llm: llm({ category: 'transport', confidence: 1 }),
      },
    );
    expect(restricted).toContain(result.category);
  });

  it('carries on when history or the llm throws, and reports the failure', async () => {
    const onStepError = vi.fn();
    const result = await categorize(
      { description: 'CAFE DEL MERCADO 22' },
      {
        candidates,
        history: async () => {
          throw new Error('db down');
        },
        llm: async () => {
          throw new Error('rate limited');
        },
        onStepError,
      },
    );
    expect(result).toEqual({ category: 'dining', confidence: 0.74, source: 'rules' });
    expect(onStepError.mock.calls.map(([step]) => step)).toEqual(['history', 'ai']);
  });

  it('honours a custom threshold', async () => {
    const classifier = llm('groceries');
    const result = await categorize({ description: 'CAFE DEL MERCADO 22' }, { candidates, llm: classifier, threshold: 0.7 });
    expect(result.source).toBe('rules');
    expect(classifier).not.toHaveBeenCalled();
    await expect(categorize({ description: 'x' }, { candidates, threshold: 2 })).rejects.toThrow(RangeError);
  });

  it('exports a default threshold between keyword and merchant confidence', () => {
    expect(DEFAULT_CONFIDENCE_THRESHOLD).toBeGreaterThan(0.74);
    expect(DEFAULT_CONFIDENCE_THRESHOLD).toBeLessThan(0.9);
  });

  it('is deterministic', async () => {
    const run = () => categorize({ description: 'POS DEBIT WAL-MART #5678 ORLANDO FL' }, { candidates });
    expect(await run()).toEqual(await run());
  });
});
