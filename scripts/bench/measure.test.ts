import { totalsDriftSummary as totalsDrift, useTestDatabase } from '@wallai/testing';
import { describe, expect, it } from 'vitest';
import { generateDataset } from './generator.ts';
import { createPlainCopies, KEYED_TABLE, measureInsertThroughput, PLAIN_TABLE } from './measure.ts';

const db = useTestDatabase();

describe('insert benchmark', () => {
  it('inserts the same rows into both copies and public.expenses, linking every row and keeping totals exact', async () => {
    const dataset = await generateDataset(db(), { spaces: 4, months: 2, seed: 5, batchSize: 100 });
    const result = await measureInsertThroughput(db(), dataset, { rows: 120, batchSize: 50, seed: 5 });

    expect(result.rows).toBe(120);
    expect(result.linkedShare).toBe(1);
    for (const rate of [result.plain, result.keyed, result.triggers, result.triggersRls]) {
      expect(rate.rowsPerSecond).toBeGreaterThan(0);
    }
    expect(result.overheadOverKeyed).toBeCloseTo(result.keyed.rowsPerSecond / result.triggersRls.rowsPerSecond, 1);
    expect(result.medianBatchOverhead.bare).toBeGreaterThan(0);
    expect(result.medianBatchOverhead.keyed).toBeGreaterThan(0);

    const [copies] = await db().query<{ plain: number; keyed: number }>(
      `select (select count(*)::int from ${PLAIN_TABLE}) as plain, (select count(*)::int from ${KEYED_TABLE}) as keyed`,
    );
    expect(copies).toEqual({ plain: result.prefilledRows + 120, keyed: result.prefilledRows + 120 });
    expect(await totalsDrift(db())).toMatchObject({ itemMismatches: 0, budgetMismatches: 0, absoluteDrift: '0.00' });
  });

  it('keeps the foreign keys of public.expenses on the keyed copy only', async () => {
    await createPlainCopies(db(), false);
    const orphan = `(space_id, amount, description, currency) values ('00000000-0000-4000-8000-000000000000', 1, 'orphan', 'USD')`;
    await expect(db().query(`insert into ${KEYED_TABLE} ${orphan}`)).rejects.toThrow(/foreign key/);
    await db().query(`insert into ${PLAIN_TABLE} ${orphan}`);
    const [rows] = await db().query<{ n: number }>(`select count(*)::int as n from ${PLAIN_TABLE}`);
    expect(rows?.n).toBe(1);
  });
});
