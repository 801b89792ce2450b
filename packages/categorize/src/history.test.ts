import { describe, expect, it } from 'vitest';
import { DEFAULT_MIN_SIMILARITY, voteFromHistory } from './history.ts';

const candidates = new Set(['groceries', 'dining', 'shopping', 'other']);

describe('voteFromHistory', () => {
  it('gives full confidence to one identical, uncontested neighbour', () => {
    expect(voteFromHistory([{ category: 'dining', similarity: 1 }], candidates)).toEqual({ category: 'dining', confidence: 1 });
  });

  it('weights the vote by similarity', () => {
    const vote = voteFromHistory(
      [
        { category: 'groceries', similarity: 0.9 },
        { category: 'groceries', similarity: 0.8 },
        { category: 'shopping', similarity: 0.7 },
      ],
      candidates,
    );
    // share 1.7 / 2.4, times the winner's best similarity 0.9
    expect(vote).toEqual({ category: 'groceries', confidence: Math.round((1.7 / 2.4) * 0.9 * 1000) / 1000 });
  });

  it('ignores neighbours below the similarity floor', () => {
    expect(voteFromHistory([{ category: 'dining', similarity: DEFAULT_MIN_SIMILARITY - 0.01 }], candidates)).toBeNull();
    expect(
      voteFromHistory(
        [
          { category: 'dining', similarity: 0.95 },
          { category: 'shopping', similarity: 0.3 },
        ],
        candidates,
      ),
    ).toEqual({ category: 'dining', confidence: 0.95 });
  });

  it('ignores neighbours whose category is no longer a candidate', () => {
    expect(voteFromHistory([{ category: 'travel', similarity: 1 }], candidates)).toBeNull();
  });

  it('ignores malformed neighbours instead of failing', () => {
    const junk = [
      { category: 'dining', similarity: Number.NaN },
      { category: 'dining', similarity: 1.5 },
      { category: 42, similarity: 0.9 },
      null,
    ] as never[];
    expect(voteFromHistory(junk, candidates)).toBeNull();
  });

  it('breaks exact ties deterministically', () => {
    const tie = [
      { category: 'shopping', similarity: 0.8 },
      { category: 'dining', similarity: 0.8 },
    ];
    expect(voteFromHistory(tie, candidates)).toEqual(voteFromHistory([...tie].reverse(), candidates));
    expect(voteFromHistory(tie, candidates)?.confidence).toBe(0.4);
  });
});
