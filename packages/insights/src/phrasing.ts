/**
 * An LLM may rephrase an insight's title and description, never its numbers.
 * A phrasing is kept only when it passes the tone checker and every figure in
 * it is one of the insight's own (insight_data values, as written or as a
 * percentage, at the precision the phrasing uses, or a figure of the template
 * text); otherwise the template stays.
 */
import { checkTone } from './tone.ts';
import type { InsightCandidate, InsightDataValue, Phrasing, PhrasingCheck } from './types.ts';

const TITLE_MAX = 200;
const DESCRIPTION_MAX = 4000;
const NUMBER = /(?<![\w.])[-+]?\d[\d,]*(?:\.\d+)?/g;
const ISO_DAY = /\b\d{4}-\d{2}-\d{2}\b/g;

function collect(value: InsightDataValue, numbers: number[], strings: string[]): void {
  if (typeof value === 'number') numbers.push(value);
  else if (typeof value === 'string') {
    strings.push(value);
    const n = Number(value);
    if (value.trim() !== '' && Number.isFinite(n)) numbers.push(n);
  } else if (Array.isArray(value)) for (const v of value) collect(v, numbers, strings);
  else if (value !== null && typeof value === 'object')
    for (const v of Object.values(value)) collect(v as InsightDataValue, numbers, strings);
}

/** Figures written in a text (commas as thousands separators), dates taken out. */
export function figuresIn(text: string): { text: string; value: number; decimals: number }[] {
  const out: { text: string; value: number; decimals: number }[] = [];
  for (const m of text.replace(ISO_DAY, ' ').matchAll(NUMBER)) {
    const raw = m[0].replace(/,/g, '');
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    const dot = raw.indexOf('.');
    out.push({ text: m[0], value: Math.abs(value), decimals: dot < 0 ? 0 : raw.length - dot - 1 });
  }
  return out;
}

function roundTo(v: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
}

export function checkPhrasing(candidate: InsightCandidate, phrasing: Phrasing): PhrasingCheck {
  const template: Phrasing = { title: candidate.title, description: candidate.description };
  const reasons: string[] = [];
  const title = typeof phrasing.title === 'string' ? phrasing.title.trim() : '';
  const description = typeof phrasing.description === 'string' ? phrasing.description.trim() : '';
  if (title.length < 1 || title.length > TITLE_MAX) reasons.push(`title must be 1–${TITLE_MAX} characters`);
  if (description.length > DESCRIPTION_MAX) reasons.push(`description must be at most ${DESCRIPTION_MAX} characters`);

  const numbers: number[] = [];
  const strings: string[] = [];
  collect(candidate.insight_data as InsightDataValue, numbers, strings);
  for (const f of figuresIn(`${candidate.title} ${candidate.description}`)) numbers.push(f.value);
  const dates = new Set(strings.flatMap((s) => s.match(ISO_DAY) ?? []));
  for (const d of `${title} ${description}`.match(ISO_DAY) ?? []) {
    if (!dates.has(d)) reasons.push(`date ${d} is not in insight_data`);
  }
  const allowed = numbers.flatMap((n) => [Math.abs(n), Math.abs(n * 100)]);
  for (const f of figuresIn(`${title} ${description}`)) {
    const ok = allowed.some((v) => roundTo(v, f.decimals) === f.value || (f.decimals === 0 && Math.round(v) === f.value));
    if (!ok) reasons.push(`figure ${f.text} is not in insight_data`);
  }
  const tone = checkTone(`${title}\n${description}`);
  if (!tone.ok) reasons.push(`tone: ${tone.violations.join(', ')}`);
  return reasons.length === 0
    ? { accepted: true, reasons: [], phrasing: { title, description } }
    : { accepted: false, reasons, phrasing: template };
}
