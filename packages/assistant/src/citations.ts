/**
 * Grounded figures: every amount, count or percentage in an answer cites the
 * tool result it came from, and is checked against it before anyone sees it.
 *
 * The model (and the offline composer) writes a citation marker right after a
 * figure: `412.30 EUR [[toolu_01abc:total.amount]]`, naming the tool call id
 * and the path of the value inside that call's result (dot-separated keys and
 * array indexes). The checker works sentence by sentence (the stream is cut
 * into sentences, so nothing unchecked is ever shown):
 *
 * - a cited figure whose source value differs is corrected from the source;
 * - a figure without a usable citation is cited automatically when exactly the
 *   same value appears in a tool result of the turn, and otherwise its
 *   sentence is removed (a note says so);
 * - markers become footnotes `[1]`, listed in `citations` with the call id,
 *   the path and the source value.
 *
 * Dates, years, ordinals and digits inside names that the tools returned
 * (a merchant "CARREFOUR EXPRESS 0912") are not figures.
 */

export interface Citation {
  /** The footnote number in the text. */
  readonly n: number;
  readonly tool_call_id: string;
  readonly path: string;
  /** The value at the path, as the tool returned it. */
  readonly value: string | number;
}

export interface Correction {
  readonly stated: string;
  readonly corrected: string;
  readonly tool_call_id: string;
  readonly path: string;
}

export interface CheckReport {
  readonly citations: Citation[];
  readonly corrections: Correction[];
  /** Sentences dropped because a figure in them had no source. */
  readonly removed: string[];
  /** Figures cited automatically (no marker, but the same value in a result). */
  readonly autoCited: number;
}

/** Tool results of the turn by call id, and the strings in them that hold digits (names, labels). */
export interface Sources {
  readonly results: ReadonlyMap<string, unknown>;
  /** Lower-cased strings with digits from the results: never figures when they appear in the text. */
  readonly dataStrings: readonly string[];
}

export const MARKER = /\[\[([A-Za-z0-9_-]{1,120}):([A-Za-z0-9_.]{1,200})\]\]/g;

const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
/** Spans that look numeric but are dates, times, ordinals or period names. */
const NOT_FIGURES = [
  /\b\d{4}-\d{2}-\d{2}(?:\.\.\d{4}-\d{2}-\d{2})?\b/g,
  /\b\d{4}-\d{2}\b/g,
  new RegExp(`\\b(?:\\d{1,2}(?:st|nd|rd|th)?\\s+)?(?:${MONTHS})\\b\\.?(?:\\s+\\d{1,2}(?:st|nd|rd|th)?\\b)?(?:,?\\s+\\d{4}\\b)?`, 'gi'),
  /\b\d+(?:st|nd|rd|th)\b/gi,
  /\b\d{1,2}:\d{2}\b/g,
  /\b(?:last|past|next|first)\s+\d{1,3}\s+(?:days?|weeks?|months?|years?)\b/gi,
  /\b\d{1,2}\s*[–-]\s*\d{1,2}\s+(?:days?)\b/gi,
  // Numbered list items ("1. Groceries ...") and footnotes already in the text ("[2]").
  /^\s*\d{1,2}[.)](?=\s|$)/gm,
  /\[\d{1,3}\]/g,
];
/** A figure: optional currency symbol, digits with optional thousands separators and decimals, optional %. */
const FIGURE = /(?<![\w.,])([€$£]\s?)?(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?![\w])(\s?%)?/g;
/** What may stand between a figure and its marker: a currency code or word, a symbol. */
const UNIT_BETWEEN = /^\s*(?:[A-Z]{3}|euros?|dollars?|pounds?|%|[€$£])?\s*$/i;

type Range = readonly [number, number];

function maskedRanges(text: string, dataStrings: readonly string[]): Range[] {
  const ranges: Range[] = [];
  for (const pattern of NOT_FIGURES) {
    for (const m of text.matchAll(pattern)) if (/\d/.test(m[0])) ranges.push([m.index, m.index + m[0].length]);
  }
  const lower = text.toLowerCase();
  for (const s of dataStrings) {
    if (s.length < 2) continue;
    for (let at = lower.indexOf(s); at !== -1; at = lower.indexOf(s, at + s.length)) ranges.push([at, at + s.length]);
  }
  return ranges;
}

const inside = (ranges: readonly Range[], start: number, end: number) => ranges.some(([a, b]) => start < b && end > a);

/** The value at a dot path of a tool result, or undefined. */
export function valueAt(result: unknown, path: string): unknown {
  let current: unknown = result;
  for (const segment of path.split('.')) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (typeof current === 'object') {
      if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

const NUMERIC_TEXT = /^-?\d+(?:\.\d+)?$/;

/** A numeric source value, with whether it is money (decimal text) or a ratio (a non-integer number). */
function sourceNumber(value: unknown): { digits: string; kind: 'money' | 'count' | 'ratio' } | null {
  if (typeof value === 'string' && NUMERIC_TEXT.test(value)) return { digits: value, kind: value.includes('.') ? 'money' : 'count' };
  if (typeof value === 'number' && Number.isFinite(value)) {
    return Number.isInteger(value) ? { digits: String(value), kind: 'count' } : { digits: String(value), kind: 'ratio' };
  }
  return null;
}

/** Exact decimal comparison of two numeric texts (no floats): "412.3" equals "412.30". */
function sameDecimal(a: string, b: string): boolean {
  const norm = (t: string) => {
    const negative = t.startsWith('-');
    const [whole = '0', fraction = ''] = t.replace('-', '').split('.');
    const w = whole.replace(/^0+(?=\d)/, '');
    const f = fraction.replace(/0+$/, '');
    const v = f === '' ? w : `${w}.${f}`;
    return negative && v !== '0' ? `-${v}` : v;
  };
  return norm(a) === norm(b);
}

function decimalsOf(text: string): number {
  return text.includes('.') ? (text.split('.')[1]?.length ?? 0) : 0;
}

/** Rounds a numeric text half away from zero to `decimals` places, exactly (string arithmetic through BigInt). */
export function roundDecimal(text: string, decimals: number): string {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
  const padded = (fraction + '0'.repeat(decimals + 1)).slice(0, decimals + 1);
  let scaled = BigInt(whole + padded.slice(0, decimals));
  if (Number(padded[decimals] ?? '0') >= 5) scaled += 1n;
  const digits = scaled.toString().padStart(decimals + 1, '0');
  const out = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return negative && /[1-9]/.test(out) ? `-${out}` : out;
}

/** Whether the figure states the source value: money and counts exactly, ratios rounded to the figure's decimals. */
function matches(figure: string, source: { digits: string; kind: 'money' | 'count' | 'ratio' }): boolean {
  // Signs are said in words ("over", "less", "owes"), so magnitudes are compared.
  const f = figure.replace('-', '');
  const digits = source.digits.replace('-', '');
  if (source.kind === 'ratio') return sameDecimal(roundDecimal(digits, decimalsOf(f)), f);
  return sameDecimal(f, digits);
}

/** The source value written the way the figure was (thousands separators kept; ratios to one decimal). */
function formatLike(stated: string, source: { digits: string; kind: 'money' | 'count' | 'ratio' }): string {
  const magnitude = stated.startsWith('-') ? source.digits : source.digits.replace('-', '');
  const text = source.kind === 'ratio' ? roundDecimal(magnitude, Math.max(1, decimalsOf(stated.replace(/,/g, '')))) : magnitude;
  if (!stated.includes(',')) return text;
  const [whole = '', fraction] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** Every numeric leaf of the turn's results, newest call first: where an uncited figure may be found. */
function numericLeaves(results: ReadonlyMap<string, unknown>): Array<{ id: string; path: string; value: string | number }> {
  const leaves: Array<{ id: string; path: string; value: string | number }> = [];
  const walk = (id: string, value: unknown, path: string[]) => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(id, v, [...path, String(i)]));
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) if (k !== 'call_id' && k !== 'id' && !k.endsWith('_id')) walk(id, v, [...path, k]);
    } else if ((typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && NUMERIC_TEXT.test(value))) {
      leaves.push({ id, path: path.join('.'), value });
    }
  };
  for (const [id, result] of [...results].reverse()) walk(id, result, []);
  return leaves;
}

/**
 * Checks the figures of one sentence against the sources. Returns the
 * sentence with markers turned into footnotes (numbered through `state`), or
 * null when it must be removed.
 */
export function checkSentence(sentence: string, sources: Sources, state: CitationState): string | null {
  const ranges = maskedRanges(sentence, sources.dataStrings);
  const markers = [...sentence.matchAll(MARKER)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    id: m[1] ?? '',
    path: m[2] ?? '',
  }));
  const inMarker = (i: number) => markers.some((m) => i >= m.start && i < m.end);
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const usedMarkers = new Set<number>();
  let removed = false;

  for (const m of sentence.matchAll(FIGURE)) {
    const start = m.index;
    const end = start + m[0].length;
    if (inMarker(start) || inside(ranges, start, end)) continue;
    const numberText = (m[2] ?? '').replace(/,/g, '');
    const numberStart = start + (m[1]?.length ?? 0);
    const numberEnd = numberStart + (m[2]?.length ?? 0);
    // The marker that follows the figure, with only a unit in between.
    const next = markers.find((mk) => mk.start >= end && UNIT_BETWEEN.test(sentence.slice(end, mk.start)));
    const markerIndex = next === undefined ? -1 : markers.indexOf(next);
    const cited = next === undefined ? undefined : sourceNumber(valueAt(sources.results.get(next.id), next.path));
    if (next !== undefined && cited !== null && cited !== undefined) {
      usedMarkers.add(markerIndex);
      if (!matches(numberText, cited)) {
        const corrected = formatLike(m[2] ?? '', cited);
        edits.push({ start: numberStart, end: numberEnd, text: corrected });
        state.corrections.push({ stated: m[2] ?? '', corrected, tool_call_id: next.id, path: next.path });
      }
      const n = state.footnote(next.id, next.path, valueAt(sources.results.get(next.id), next.path) as string | number);
      edits.push({ start: next.start, end: next.end, text: ` [${n}]` });
      continue;
    }
    if (next !== undefined) usedMarkers.add(markerIndex);
    // No usable citation: a year standing alone is not a figure.
    if (/^\d{4}$/.test(numberText) && Number(numberText) >= 1900 && Number(numberText) <= 2100 && !m[1] && !m[3]) continue;
    const found = numericLeaves(sources.results).find((leaf) => {
      const s = sourceNumber(leaf.value);
      return s !== null && matches(numberText, s);
    });
    if (found === undefined) {
      removed = true;
      break;
    }
    state.autoCited += 1;
    const n = state.footnote(found.id, found.path, found.value);
    if (next !== undefined) edits.push({ start: next.start, end: next.end, text: '' });
    // The footnote goes after the figure's unit ("42.50 EUR [1]").
    const unit = /^\s?(?:[A-Z]{3}|euros?|dollars?|pounds?)\b/.exec(sentence.slice(end));
    const at = end + (unit?.[0].length ?? 0);
    edits.push({ start: at, end: at, text: ` [${n}]` });
  }
  if (removed) {
    state.removed.push(stripMarkers(sentence).trim());
    return null;
  }
  // Markers that cite nothing in particular (no figure before them) are dropped.
  markers.forEach((mk, i) => {
    if (!usedMarkers.has(i)) edits.push({ start: mk.start, end: mk.end, text: '' });
  });
  edits.sort((a, b) => b.start - a.start || b.end - a.end);
  let out = sentence;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out.replace(/ +([.,;:!?])/g, '$1').replace(/ {2,}/g, ' ');
}

export function stripMarkers(text: string): string {
  return text.replace(MARKER, '');
}

/** Footnote numbering and the report, across the sentences of one answer. */
export class CitationState {
  readonly citations: Citation[] = [];
  readonly corrections: Correction[] = [];
  readonly removed: string[] = [];
  autoCited = 0;

  footnote(id: string, path: string, value: string | number): number {
    const existing = this.citations.find((c) => c.tool_call_id === id && c.path === path);
    if (existing) return existing.n;
    const n = this.citations.length + 1;
    this.citations.push({ n, tool_call_id: id, path, value });
    return n;
  }

  report(): CheckReport {
    return { citations: [...this.citations], corrections: [...this.corrections], removed: [...this.removed], autoCited: this.autoCited };
  }
}

/**
 * Cuts streamed text into sentences: a sentence ends at . ! or ? followed by
 * white space, or at a line break. What is left waits for more text (or
 * `flush` at the end).
 */
export class SentenceSplitter {
  private buffer = '';

  push(delta: string): string[] {
    this.buffer += delta;
    const out: string[] = [];
    const boundary = /[.!?](?=\s)\s*|\n+/g;
    let last = 0;
    for (const m of this.buffer.matchAll(boundary)) {
      const end = m.index + m[0].length;
      // A boundary at the very end may still grow (more spaces or newlines): keep it until more text arrives.
      if (end >= this.buffer.length) break;
      out.push(this.buffer.slice(last, end));
      last = end;
    }
    this.buffer = this.buffer.slice(last);
    return out;
  }

  flush(): string[] {
    const rest = this.buffer;
    this.buffer = '';
    return rest === '' ? [] : [rest];
  }
}

/** Checks a whole text (the offline composer's, or a model's non-streamed answer). */
export function checkText(text: string, sources: Sources, state = new CitationState()): { text: string; report: CheckReport } {
  const splitter = new SentenceSplitter();
  const parts = [...splitter.push(text), ...splitter.flush()];
  const kept = parts.map((s) => checkSentence(s, sources, state)).filter((s): s is string => s !== null);
  return { text: kept.join(''), report: state.report() };
}

/** The strings with digits inside tool results (names, descriptions, labels), lower-cased. */
export function dataStringsOf(results: Iterable<unknown>): string[] {
  const out = new Set<string>();
  const walk = (value: unknown, key = '') => {
    if (Array.isArray(value)) value.forEach((v) => walk(v, key));
    else if (value !== null && typeof value === 'object') Object.entries(value).forEach(([k, v]) => walk(v, k));
    else if (typeof value === 'string' && /\d/.test(value) && value.length <= 200 && (/[^\d.-]/.test(value) || key === 'mask'))
      out.add(value.toLowerCase());
  };
  for (const r of results) walk(r);
  return [...out].sort((a, b) => b.length - a.length);
}
