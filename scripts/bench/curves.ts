/**
 * Scaling curves of `npm run bench`: cost against dataset size, drawn as SVG
 * files beside the JSON. Any step feeds a curve by name (`addPoint`), so later
 * steps (insights, imports) draw theirs the same way.
 *
 * Hand-written rather than a charting library: a curve here is a few lines over
 * at most a dozen points, which is one polyline per series, two axes with
 * ticks, and a legend; a library would add a dependency (and, for most, a DOM)
 * for less than 150 lines of string building.
 */

export interface CurveSeries {
  label: string;
  /** [x, y] pairs; drawn in x order. */
  points: Array<[number, number]>;
}

export interface Curve {
  /** File-name part: bench-results/<prefix>-<id>.svg. */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: CurveSeries[];
}

export type Curves = Record<string, Curve>;

/** Adds one point to a series of a curve, creating the curve and the series on first use. */
export function addPoint(curves: Curves, curve: Omit<Curve, 'series'>, series: string, x: number, y: number): void {
  if (!Number.isFinite(x) || !Number.isFinite(y)) return;
  const c = (curves[curve.id] ??= { ...curve, series: [] });
  let s = c.series.find((e) => e.label === series);
  if (!s) {
    s = { label: series, points: [] };
    c.series.push(s);
  }
  s.points.push([x, y]);
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** Round tick steps (1, 2, 2.5 or 5 times a power of ten) covering 0..max in about `count` steps. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let v = 0; v < max + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  if ((ticks[ticks.length - 1] ?? 0) < max) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e3) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}

/** The curve as a standalone SVG document: axes from 0, ticks, one polyline with markers per series, a legend. */
export function curveSvg(curve: Curve): string {
  const width = 720;
  const height = 420;
  const m = { left: 70, right: 190, top: 40, bottom: 55 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const all = curve.series.flatMap((s) => s.points);
  const xTicks = niceTicks(Math.max(0, ...all.map((p) => p[0])));
  const yTicks = niceTicks(Math.max(0, ...all.map((p) => p[1])));
  const xMax = xTicks[xTicks.length - 1] as number;
  const yMax = yTicks[yTicks.length - 1] as number;
  const sx = (x: number): number => m.left + (x / xMax) * plotW;
  const sy = (y: number): number => m.top + plotH - (y / yMax) * plotH;
  const n = (v: number): string => v.toFixed(1);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(curve.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2 - m.right / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(curve.title)}</text>`,
  ];
  for (const t of yTicks) {
    out.push(
      `<line x1="${m.left}" y1="${n(sy(t))}" x2="${m.left + plotW}" y2="${n(sy(t))}" stroke="#e5e5e5"/>`,
      `<text x="${m.left - 6}" y="${n(sy(t) + 4)}" text-anchor="end">${formatTick(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    out.push(
      `<line x1="${n(sx(t))}" y1="${m.top + plotH}" x2="${n(sx(t))}" y2="${m.top + plotH + 5}" stroke="#333"/>`,
      `<text x="${n(sx(t))}" y="${m.top + plotH + 19}" text-anchor="middle">${formatTick(t)}</text>`,
    );
  }
  out.push(
    `<line x1="${m.left}" y1="${m.top + plotH}" x2="${m.left + plotW}" y2="${m.top + plotH}" stroke="#333"/>`,
    `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + plotH}" stroke="#333"/>`,
    `<text x="${m.left + plotW / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(curve.xLabel)}</text>`,
    `<text x="18" y="${m.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 18 ${m.top + plotH / 2})">${escapeXml(curve.yLabel)}</text>`,
  );
  curve.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] as string;
    const points = [...s.points].sort((a, b) => a[0] - b[0]);
    if (points.length > 1) {
      const path = points.map(([x, y]) => `${n(sx(x))},${n(sy(y))}`).join(' ');
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${path}"/>`);
    }
    for (const [x, y] of points) out.push(`<circle cx="${n(sx(x))}" cy="${n(sy(y))}" r="3" fill="${color}"/>`);
    const ly = m.top + 10 + i * 20;
    out.push(
      `<line x1="${width - m.right + 15}" y1="${ly}" x2="${width - m.right + 40}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${width - m.right + 46}" y="${ly + 4}">${escapeXml(s.label)}</text>`,
    );
  });
  out.push('</svg>', '');
  return out.join('\n');
}
