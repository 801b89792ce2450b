/**
 * A delimited file's layout from its first lines: the delimiter, where the
 * header row is (after any preamble: account name, period, balances), and
 * whether there is a header row at all.
 */
import { DATE_FORMATS, fitsDateFormat } from '../dates.ts';
import { classifyAmount } from '../numbers.ts';
import type { Delimiter } from '../types.ts';

export const DELIMITERS: readonly Delimiter[] = [',', ';', '\t', '|'];
const NAMES: Readonly<Record<Delimiter, string>> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

export function delimiterName(delimiter: Delimiter): string {
  return NAMES[delimiter];
}

/** Splits one physical line on a delimiter, honouring double quotes (a quote inside is doubled). */
export function splitLine(line: string, delimiter: Delimiter): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i]!;
    if (quoted) {
      if (char === '"') {
        if (line[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else quoted = false;
      } else cell += char;
    } else if (char === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (char === delimiter) {
      cells.push(cell.trim());
      cell = '';
    } else cell += char;
  }
  cells.push(cell.trim());
  return cells;
}

export interface DelimiterGuess {
  readonly value: Delimiter;
  readonly fields: number;
  readonly confidence: number;
  readonly evidence: string;
}

/**
 * The delimiter that splits the most lines into the same number (at least 2)
 * of fields; data rows outnumber preamble lines, so the mode over the sample
 * is the data's field count.
 */
export function sniffDelimiter(lines: readonly string[]): DelimiterGuess | null {
  const sample = lines.filter((line) => line.trim() !== '');
  if (sample.length === 0) return null;
  let best: { delimiter: Delimiter; fields: number; lines: number } | null = null;
  for (const delimiter of DELIMITERS) {
    const counts = new Map<number, number>();
    for (const line of sample) {
      if (!line.includes(delimiter)) continue;
      const fields = splitLine(line, delimiter).length;
      counts.set(fields, (counts.get(fields) ?? 0) + 1);
    }
    for (const [fields, count] of counts) {
      if (fields < 2) continue;
      if (best === null || count > best.lines || (count === best.lines && fields > best.fields)) best = { delimiter, fields, lines: count };
    }
  }
  if (best === null) return null;
  // One line with one delimiter is weak evidence; two consistent lines are a table.
  if (best.lines < 2 && sample.length > 1) return null;
  return {
    value: best.delimiter,
    fields: best.fields,
    confidence: Math.min(1, best.lines / sample.length + 0.2),
    evidence: `${NAMES[best.delimiter]} splits ${best.lines} of the first ${sample.length} non-empty lines into ${best.fields} fields`,
  };
}

function looksLikeData(cell: string): boolean {
  if (cell === '') return false;
  if (DATE_FORMATS.some((format) => fitsDateFormat(cell, format))) return true;
  const amount = classifyAmount(cell);
  return amount !== null;
}

export interface HeaderGuess {
  /** 1-based physical line of the header row, or null when the file has none. */
  readonly headerRow: number | null;
  /** Lines before the first table line (header or data). */
  readonly preambleLines: number;
  readonly header: readonly string[] | null;
  readonly evidence: string;
  readonly confidence: number;
}

/**
 * The first line with the table's field count starts the table. It is the
 * header when none of its cells reads as a date or an amount while the next
 * line has such cells.
 */
export function findHeader(lines: readonly string[], delimiter: Delimiter, fields: number): HeaderGuess {
  const split = lines.map((line) => (line.trim() === '' ? null : splitLine(line, delimiter)));
  const fitsTable = (cells: string[] | null): cells is string[] =>
    cells !== null && (cells.length === fields || (cells.length > fields && cells.slice(fields).every((cell) => cell === '')));
  const isNames = (cells: string[]): boolean => cells.filter(looksLikeData).length === 0 && cells.some((cell) => /\p{L}/u.test(cell));
  const hasData = (cells: string[]): boolean => cells.some(looksLikeData);
  const nextNonEmpty = (index: number): string[] | null => {
    for (let i = index + 1; i < split.length; i += 1) if (split[i] !== null) return split[i]!;
    return null;
  };
  const preambleText = (preamble: number): string =>
    preamble === 0 ? 'no preamble' : `${preamble} preamble line${preamble === 1 ? '' : 's'} before it`;
  // The header: the first line of the table shape with only names, followed by a data line.
  for (let i = 0; i < split.length; i += 1) {
    const cells = split[i] ?? null;
    if (!fitsTable(cells) || !isNames(cells)) continue;
    const next = nextNonEmpty(i);
    if (next === null || !fitsTable(next) || !hasData(next)) continue;
    return {
      headerRow: i + 1,
      preambleLines: i,
      header: cells.slice(0, fields),
      evidence: `line ${i + 1} has ${fields} fields, only names (${cells
        .slice(0, 4)
        .map((c) => JSON.stringify(c))
        .join(', ')}${cells.length > 4 ? ', …' : ''}), and data follows; ${preambleText(i)}`,
      confidence: 1,
    };
  }
  // No header: the table starts at the first data line whose successor has the shape too.
  for (let i = 0; i < split.length; i += 1) {
    const cells = split[i] ?? null;
    if (!fitsTable(cells) || !hasData(cells)) continue;
    const next = nextNonEmpty(i);
    if (next !== null && !fitsTable(next)) continue;
    return {
      headerRow: null,
      preambleLines: i,
      header: null,
      evidence: `line ${i + 1}, the first with ${fields} fields, already holds dates or amounts: no header row; ${preambleText(i)}`,
      confidence: 0.8,
    };
  }
  return { headerRow: null, preambleLines: 0, header: null, evidence: `no line has the table's ${fields} fields and data`, confidence: 0 };
}
