import { CATEGORY_KEYS } from '@wallai/domain';
import { describe, expect, it } from 'vitest';
import { DATASET_CATEGORY_MAP, formatReport, parseDataset, runAccuracyBenchmark, toResultsJson } from './categorize-accuracy.ts';

// Hand-written descriptors in the dataset's shape; not taken from it.
const fixture = {
  descriptors: [
    { rawDescription: 'NETFLIX.COM LOS GATOS CA', region: 'US', expected: { merchantId: 'netflix', category: 'subscriptions' } },
    { rawDescription: 'PEMEX ESTACION 4411 PUEBLA', region: 'MX', expected: { merchantId: 'pemex', category: 'auto_transport' } },
    { rawDescription: 'COLMADO DON PEPE', region: 'DO', expected: { merchantId: null, category: 'groceries' } },
    // Deliberately wrong label, to see a miss counted.
    { rawDescription: 'PUBLIX #1432', region: 'US', expected: { merchantId: 'publix', category: 'travel' } },
    // A category with no mapping counts as a miss and is listed.
    { rawDescription: 'SOMETHING ELSE', region: 'DO', expected: { merchantId: null, category: 'mystery' } },
  ],
};

describe('categorize accuracy benchmark', () => {
  it('maps every dataset category to a Wallai key', () => {
    for (const key of Object.values(DATASET_CATEGORY_MAP)) expect(CATEGORY_KEYS).toContain(key);
  });

  it('computes accuracy overall, per region and per category', () => {
    const report = runAccuracyBenchmark(parseDataset(fixture), { repetitions: 3 });
    expect(report.total).toBe(5);
    expect(report.correct).toBe(3);
    expect(report.accuracy).toBe(0.6);
    expect(report.byRegion).toEqual({
      DO: { total: 2, correct: 1, accuracy: 0.5 },
      MX: { total: 1, correct: 1, accuracy: 1 },
      US: { total: 2, correct: 1, accuracy: 0.5 },
    });
    expect(report.byCategory['travel']).toEqual({ total: 1, correct: 0, accuracy: 0, mappedTo: 'travel' });
    expect(report.unmappedCategories).toEqual(['mystery']);
    expect(report.latencyMs.samples).toBe(15);
    expect(report.latencyMs.p95).toBeGreaterThanOrEqual(report.latencyMs.p50);
    expect(formatReport(report)).toContain('Top-1 accuracy (rules only): 3/5 = 60.0%');
  });

  it('saves aggregates only, never the descriptors', () => {
    const json = toResultsJson(runAccuracyBenchmark(parseDataset(fixture), { repetitions: 1 }), 'fixture');
    expect(json).not.toContain('PUBLIX');
    expect(JSON.parse(json)).toMatchObject({ accuracy: 0.6, missesByCategory: { travel: { groceries: 1 } } });
  });

  it('rejects a file of the wrong shape', () => {
    expect(() => parseDataset({ items: [] })).toThrow(/descriptors/);
    expect(() => parseDataset({ descriptors: [{ rawDescription: 'x' }] })).toThrow(/descriptor 0/);
  });
});
