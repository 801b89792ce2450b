import { useTestDatabase } from '@wallai/testing';
import { describe, expect, it } from 'vitest';
import { generateDataset } from './generator.ts';
import { loadDataset } from './reuse.ts';

const db = useTestDatabase();

describe('reusing a kept benchmark database', () => {
  it('reads back the spaces in generation order, owners first, with their budget months and the counts', async () => {
    const checkpoints: number[] = [];
    const generated = await generateDataset(db(), {
      spaces: 5,
      months: 2,
      seed: 9,
      batchSize: 50,
      checkpoints: { atSpaces: [2, 4], run: async (p) => void checkpoints.push(p.spaces.length) },
    });
    // Spaces are written two at a time here (batch 50 / 25): each checkpoint once, with every space so far written.
    expect(checkpoints).toEqual([2, 4]);
    const loaded = await loadDataset(db(), 9);
    expect(loaded.months).toEqual(generated.months);
    expect(loaded.counts).toEqual(generated.counts);
    expect(loaded.amountCentsSum).toBe(generated.amountCentsSum);
    expect(loaded.spaces.map((s) => [s.id, s.currency, s.budgetMonths, s.members[0]])).toEqual(
      generated.spaces.map((s) => [s.id, s.currency, s.budgetMonths, s.members[0]]),
    );
    for (const [i, space] of loaded.spaces.entries()) {
      expect([...space.members].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
        [...generated.spaces[i]!.members].sort((a, b) => a.id.localeCompare(b.id)),
      );
    }
  });
});
