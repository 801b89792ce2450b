/**
 * Dates as written in bank files, and the file's date format decided from
 * all of its values.
 *
 * A value *fits* a format when its shape matches and its month and day are in
 * range (month 1-12, day 1-31). A date that fits but does not exist (31 April,
 * 29 February 2025) is a bad row (`invalid_calendar_date`), not evidence
 * against the format. The file's format is the one every value fits; when
 * several do (every day and month at most 12: `09/02/2025`), the values cannot
 * decide and the detection says so.
 */
import type { DateFormat } from './types.ts';

export const DATE_FORMATS: readonly DateFormat[] = [
  'YYYY-MM-DD',
  'YYYY/MM/DD',
  'YYYY.MM.DD',
  'YYYYMMDD',
  'DD/MM/YYYY',
  'MM/DD/YYYY',
  'DD.MM.YYYY',
  'DD-MM-YYYY',
  'MM-DD-YYYY',
  'DD/MM/YY',
  'MM/DD/YY',
  'DD.MM.YY',
  'DD-MMM-YYYY',
  'DD MMM YYYY',
  'MMM DD YYYY',
];

type Order = 'ymd' | 'dmy' | 'mdy';
interface Pattern {
  readonly regex: RegExp;
  readonly order: Order;
  readonly monthName?: boolean;
}

// Trailing times ("2025-01-31 14:02", "31.01.2025 14:02:11") are allowed and ignored.
const TIME = '(?:[T ]\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?';
const NAME = '([A-Za-zÀ-ÿ]{3,5})\\.?';
const PATTERNS: Readonly<Record<DateFormat, Pattern>> = {
  'YYYY-MM-DD': { regex: new RegExp(`^(\\d{4})-(\\d{1,2})-(\\d{1,2})${TIME}$`), order: 'ymd' },
  'YYYY/MM/DD': { regex: new RegExp(`^(\\d{4})/(\\d{1,2})/(\\d{1,2})${TIME}$`), order: 'ymd' },
  'YYYY.MM.DD': { regex: new RegExp(`^(\\d{4})\\.(\\d{1,2})\\.(\\d{1,2})${TIME}$`), order: 'ymd' },
  YYYYMMDD: { regex: /^(\d{4})(\d{2})(\d{2})$/, order: 'ymd' },
  'DD/MM/YYYY': { regex: new RegExp(`^(\\d{1,2})/(\\d{1,2})/(\\d{4})${TIME}$`), order: 'dmy' },
  'MM/DD/YYYY': { regex: new RegExp(`^(\\d{1,2})/(\\d{1,2})/(\\d{4})${TIME}$`), order: 'mdy' },
  'DD.MM.YYYY': { regex: new RegExp(`^(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})${TIME}$`), order: 'dmy' },
  'DD-MM-YYYY': { regex: new RegExp(`^(\\d{1,2})-(\\d{1,2})-(\\d{4})${TIME}$`), order: 'dmy' },
  'MM-DD-YYYY': { regex: new RegExp(`^(\\d{1,2})-(\\d{1,2})-(\\d{4})${TIME}$`), order: 'mdy' },
  'DD/MM/YY': { regex: /^(\d{1,2})\/(\d{1,2})\/(\d{2})$/, order: 'dmy' },
  'MM/DD/YY': { regex: /^(\d{1,2})\/(\d{1,2})\/(\d{2})$/, order: 'mdy' },
  'DD.MM.YY': { regex: /^(\d{1,2})\.(\d{1,2})\.(\d{2})$/, order: 'dmy' },
  'DD-MMM-YYYY': { regex: new RegExp(`^(\\d{1,2})-${NAME}-(\\d{2}|\\d{4})$`), order: 'dmy', monthName: true },
  'DD MMM YYYY': { regex: new RegExp(`^(\\d{1,2})\\.? ${NAME} (\\d{4})$`), order: 'dmy', monthName: true },
  'MMM DD YYYY': { regex: new RegExp(`^${NAME} (\\d{1,2}),? (\\d{4})$`), order: 'mdy', monthName: true },
};

/** Month abbreviations in English, German, French and Spanish, accents folded, lower case. */
const MONTH_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['jan', 1],
  ['ene', 1],
  ['janv', 1],
  ['feb', 2],
  ['fev', 2],
  ['fevr', 2],
  ['mar', 3],
  ['mrz', 3],
  ['mars', 3],
  ['apr', 4],
  ['avr', 4],
  ['abr', 4],
  ['may', 5],
  ['mai', 5],
  ['jun', 6],
  ['juin', 6],
  ['jul', 7],
  ['juil', 7],
  ['aug', 8],
  ['aou', 8],
  ['aout', 8],
  ['ago', 8],
  ['sep', 9],
  ['sept', 9],
  ['set', 9],
  ['oct', 10],
  ['okt', 10],
  ['nov', 11],
  ['dec', 12],
  ['dez', 12],
  ['dic', 12],
];
const MONTHS = new Map<string, number>(MONTH_NAMES);

function monthFromName(name: string): number | null {
  const folded = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  return MONTHS.get(folded) ?? MONTHS.get(folded.slice(0, 4)) ?? MONTHS.get(folded.slice(0, 3)) ?? null;
}

export type DateRead =
  | { readonly ok: true; readonly iso: string }
  | { readonly ok: false; readonly reason: 'shape' | 'range' | 'calendar'; readonly message: string };

function expandYear(text: string): number {
  const year = Number(text);
  if (text.length !== 2) return year;
  return year < 70 ? 2000 + year : 1900 + year;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Read one value with a format: the ISO date, or why not. */
export function readDate(text: string, format: DateFormat): DateRead {
  const value = text.trim();
  const pattern = PATTERNS[format];
  const match = pattern.regex.exec(value);
  if (match === null) return { ok: false, reason: 'shape', message: `${JSON.stringify(value)} is not a date written ${format}` };
  const [, a = '', b = '', c = ''] = match;
  let year: number;
  let month: number | null;
  let day: number;
  if (pattern.order === 'ymd') {
    year = Number(a);
    month = Number(b);
    day = Number(c);
  } else if (pattern.order === 'dmy') {
    day = Number(a);
    month = pattern.monthName === true ? monthFromName(b) : Number(b);
    year = expandYear(c);
  } else {
    month = pattern.monthName === true ? monthFromName(a) : Number(a);
    day = Number(b);
    year = expandYear(c);
  }
  if (month === null) return { ok: false, reason: 'shape', message: `${JSON.stringify(value)} has no month name this parser knows` };
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1900 || year > 2199) {
    return { ok: false, reason: 'range', message: `${JSON.stringify(value)} read as ${format} has month ${month} and day ${day}` };
  }
  if (day > daysInMonth(year, month)) {
    return {
      ok: false,
      reason: 'calendar',
      message: `${JSON.stringify(value)} is not a calendar date: ${year}-${String(month).padStart(2, '0')} has ${daysInMonth(year, month)} days`,
    };
  }
  return { ok: true, iso: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` };
}

/** Whether a value fits a format (shape and ranges; a non-existent calendar day still fits). */
export function fitsDateFormat(text: string, format: DateFormat): boolean {
  const read = readDate(text, format);
  return read.ok || read.reason === 'calendar';
}

/** Formats with the same shape read the other way round. */
const TWINS: Partial<Record<DateFormat, DateFormat>> = {
  'DD/MM/YYYY': 'MM/DD/YYYY',
  'MM/DD/YYYY': 'DD/MM/YYYY',
  'DD-MM-YYYY': 'MM-DD-YYYY',
  'MM-DD-YYYY': 'DD-MM-YYYY',
  'DD/MM/YY': 'MM/DD/YY',
  'MM/DD/YY': 'DD/MM/YY',
};

export interface DateDecision {
  readonly format: DateFormat | null;
  readonly confidence: number;
  readonly ambiguous: boolean;
  readonly alternatives: readonly DateFormat[];
  readonly evidence: string;
}

/** Counts, over every date of a file, which formats each value fits; then decides. */
export class DateFormatSampler {
  private total = 0;
  private readonly fits = new Map<DateFormat, number>();
  /** The first value that ruled each format out, for the evidence sentence. */
  private readonly firstMisfit = new Map<DateFormat, string>();
  private readonly candidates: readonly DateFormat[];

  constructor(candidates: readonly DateFormat[] = DATE_FORMATS) {
    this.candidates = candidates;
  }

  add(text: string): void {
    const value = text.trim();
    if (value === '') return;
    this.total += 1;
    for (const format of this.candidates) {
      if (fitsDateFormat(value, format)) this.fits.set(format, (this.fits.get(format) ?? 0) + 1);
      else if (!this.firstMisfit.has(format)) this.firstMisfit.set(format, value);
    }
  }

  get count(): number {
    return this.total;
  }

  /** `dayFirst` breaks a tie between day-first and month-first readings (from the number format or currency). */
  decide(hint: { readonly dayFirst?: boolean; readonly reason?: string } = {}): DateDecision {
    if (this.total === 0) return { format: null, confidence: 0, ambiguous: false, alternatives: [], evidence: 'no dates in the file' };
    const ranked = [...this.candidates]
      .map((format) => ({ format, fits: this.fits.get(format) ?? 0 }))
      .filter((entry) => entry.fits > 0)
      .sort((x, y) => y.fits - x.fits);
    const best = ranked[0];
    if (best === undefined) {
      return {
        format: null,
        confidence: 0,
        ambiguous: false,
        alternatives: [],
        evidence: `none of the ${this.total} dates is in a known format`,
      };
    }
    const tied = ranked.filter((entry) => entry.fits === best.fits).map((entry) => entry.format);
    const ruledOut = (format: DateFormat): string => {
      const example = this.firstMisfit.get(format);
      return example === undefined ? '' : `; ${JSON.stringify(example)} cannot be ${format}`;
    };
    if (tied.length === 1) {
      const runnerUp =
        TWINS[best.format] !== undefined && this.candidates.includes(TWINS[best.format]!) ? { format: TWINS[best.format]! } : ranked[1];
      const all = best.fits === this.total;
      return {
        format: best.format,
        confidence: all ? 1 : best.fits / this.total,
        ambiguous: false,
        alternatives: [],
        evidence: `${best.fits} of ${this.total} dates read as ${best.format}${runnerUp !== undefined ? ruledOut(runnerUp.format) : ''}`,
      };
    }
    const dayFirst = tied.find((format) => PATTERNS[format].order === 'dmy');
    const monthFirst = tied.find((format) => PATTERNS[format].order === 'mdy');
    let choice = tied[0]!;
    if (hint.dayFirst === true && dayFirst !== undefined) choice = dayFirst;
    else if (hint.dayFirst === false && monthFirst !== undefined) choice = monthFirst;
    const because =
      hint.reason !== undefined && hint.dayFirst !== undefined ? `; chose ${choice} because ${hint.reason}` : `; chose ${choice}`;
    return {
      format: choice,
      confidence: 0.5,
      ambiguous: true,
      alternatives: tied.filter((format) => format !== choice),
      evidence: `all ${best.fits === this.total ? best.fits : `${best.fits} of ${this.total}`} dates read as ${tied.join(' or ')} (no day above 12 decides it)${because}`,
    };
  }
}
