import { describe, expect, it } from 'vitest';
import type { Curves } from './curves.ts';
import { feedImportCurves, parseImportBenchArgs, type ImportBenchResult, type KindResult } from './import.ts';

const run = (seconds: number) => ({
  seconds,
  clientCpuSeconds: 0,
  serverCpuSeconds: null,
  rssBeforeMb: 0,
  rssPeakMb: 0,
  rows: 0,
  added: 0,
  updated: 0,
  unchanged: 0,
  status: 'completed',
});
const kind = (importSeconds: number): KindResult => ({
  fileMb: 1,
  import: run(importSeconds),
  replay: run(importSeconds / 4),
  copy: { seconds: importSeconds / 10, serverCpuSeconds: null, rows: 0 },
  ratio: 10,
  cpuRatio: null,
});

describe('bench:import options', () => {
  it('measures 1/8, 1/4 and 1/2 of the full size first by default, for the curve', () => {
    expect(parseImportBenchArgs([])).toEqual({ lines: 50_000, sizes: [6250, 12_500, 25_000], seed: 7, keep: false });
    expect(parseImportBenchArgs(['--lines', '400']).sizes).toEqual([100, 200]);
    expect(parseImportBenchArgs(['--lines', '1000', '--sizes', '500,100,500']).sizes).toEqual([100, 500]);
    expect(parseImportBenchArgs(['--lines', '1000', '--sizes', '']).sizes).toEqual([]);
  });

  it('refuses sizes that are not below the full size, and unknown options', () => {
    expect(() => parseImportBenchArgs(['--lines', '1000', '--sizes', '1000'])).toThrow(/below --lines/);
    expect(() => parseImportBenchArgs(['--lines', '1000', '--sizes', 'ten'])).toThrow(/below --lines/);
    expect(() => parseImportBenchArgs(['--lines', '0'])).toThrow(/positive integer/);
    expect(() => parseImportBenchArgs(['--fast'])).toThrow(/unknown option/);
  });
});

describe('the imports curve', () => {
  it('has one point per size in each series: the two formats, the replay and the COPY baseline', () => {
    const sizes = [
      { lines: 100, csv: kind(1), plaid: kind(2) },
      { lines: 200, csv: kind(3), plaid: kind(4) },
    ];
    const result = { sizes } as unknown as ImportBenchResult;
    const curves: Curves = {};
    feedImportCurves(curves, result);
    const series = Object.fromEntries(curves.imports!.series.map((s) => [s.label, s.points]));
    expect(series).toEqual({
      'CSV import': [
        [100, 1],
        [200, 3],
      ],
      'Plaid file import': [
        [100, 2],
        [200, 4],
      ],
      'CSV replay (nothing changes)': [
        [100, 0.25],
        [200, 0.75],
      ],
      'bare COPY of the rows written (CSV)': [
        [100, 0.1],
        [200, 0.3],
      ],
    });
  });
});
