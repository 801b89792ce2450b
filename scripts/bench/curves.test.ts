import { describe, expect, it } from 'vitest';
import { addPoint, curveSvg, niceTicks, type Curves } from './curves.ts';

const reads = { id: 'reads', title: 'RLS read <50 latest>', xLabel: 'expenses', yLabel: 'ms' };

describe('scaling curves', () => {
  it('collects points per curve and series, skipping values that are not finite', () => {
    const curves: Curves = {};
    addPoint(curves, reads, 'member p95', 1000, 1.5);
    addPoint(curves, reads, 'member p95', 2000, 1.7);
    addPoint(curves, reads, 'service p95', 1000, 1.1);
    addPoint(curves, reads, 'service p95', 2000, Number.NaN);
    expect(curves.reads?.series).toEqual([
      {
        label: 'member p95',
        points: [
          [1000, 1.5],
          [2000, 1.7],
        ],
      },
      { label: 'service p95', points: [[1000, 1.1]] },
    ]);
  });

  it('draws one polyline per series in x order, on axes that start at 0 and cover every point', () => {
    const curves: Curves = {};
    addPoint(curves, reads, 'member p95', 2_000_000, 3);
    addPoint(curves, reads, 'member p95', 500_000, 1);
    addPoint(curves, reads, 'single', 500_000, 2);
    const svg = curveSvg(curves.reads!);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    // Labels are escaped; a series of one point is a marker without a line.
    expect(svg).toContain('RLS read &lt;50 latest&gt;');
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg.match(/<circle/g)).toHaveLength(3);
    const [, points] = /<polyline[^>]* points="([^"]+)"/.exec(svg)!;
    const xs = points!.split(' ').map((p) => Number(p.split(',')[0]));
    expect(xs[0]).toBeLessThan(xs[1]!);
    expect(svg).toContain('>2M</text>');
    expect(svg).toContain('>0</text>');
  });

  it('picks round ticks that reach the maximum', () => {
    expect(niceTicks(1_033_149)).toEqual([0, 250_000, 500_000, 750_000, 1_000_000, 1_250_000]);
    expect(niceTicks(2.89)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(40)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});
