/**
 * Periods in the space's time zone.
 *
 * A period is a half-open range of calendar days [from, to) as `yyyy-MM-dd`
 * text, which is what `expenses.date` holds. "Today", "this month" and the
 * rest are resolved from an instant in the space's IANA time zone with
 * date-fns and @date-fns/tz, so a Madrid household's October ends at midnight
 * in Madrid, not in UTC.
 *
 * Tools take a period as one string (simple for a model to write and for the
 * question parser to produce): a preset (`this_month`), a month (`2025-03`),
 * a year (`2025`) or a range of days (`2025-03-01..2025-03-15`, both ends
 * included).
 */
import { TZDate } from '@date-fns/tz';
import {
  addDays,
  addMonths,
  addYears,
  differenceInCalendarDays,
  format,
  parseISO,
  startOfISOWeek,
  startOfMonth,
  startOfYear,
  subDays,
  subMonths,
  subYears,
} from 'date-fns';

export const PERIOD_PRESETS = [
  'today',
  'yesterday',
  'this_week',
  'last_week',
  'this_month',
  'last_month',
  'this_year',
  'last_year',
  'last_7_days',
  'last_30_days',
  'last_90_days',
  'all_time',
] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];

export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const YEAR_PATTERN = /^(\d{4})$/;
export const RANGE_PATTERN = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/;

export type PeriodKind = 'day' | 'week' | 'month' | 'year' | 'range' | 'all';

export interface Period {
  /** First day, included (yyyy-MM-dd). */
  readonly from: string;
  /** Day after the last one (yyyy-MM-dd): the range is [from, to). */
  readonly to: string;
  readonly kind: PeriodKind;
  /** For people: "October 2025", "2025", "1 Mar – 15 Mar 2025". */
  readonly label: string;
}

/** The first and last representable days for "all time". */
const ALL_FROM = '1900-01-01';
const ALL_TO = '9999-12-31';

export class PeriodError extends Error {
  override name = 'PeriodError';
}

const day = (date: Date): string => format(date, 'yyyy-MM-dd');

/** Midnight of a calendar day, as a Date in the same zone as `reference`. */
function dayIn(reference: TZDate, text: string): TZDate {
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  return new TZDate(y, m - 1, d, reference.timeZone ?? 'UTC');
}

/** Today (yyyy-MM-dd) in the zone. */
export function todayIn(now: Date, timeZone: string): string {
  return day(new TZDate(now, timeZone));
}

function monthLabel(start: Date): string {
  return format(start, 'MMMM yyyy');
}

function rangeLabel(from: Date, lastDay: Date): string {
  if (day(from) === day(lastDay)) return format(from, 'd MMM yyyy');
  const sameYear = from.getFullYear() === lastDay.getFullYear();
  return `${format(from, sameYear ? 'd MMM' : 'd MMM yyyy')} – ${format(lastDay, 'd MMM yyyy')}`;
}

function make(from: Date, toExclusive: Date, kind: PeriodKind, label?: string): Period {
  return { from: day(from), to: day(toExclusive), kind, label: label ?? rangeLabel(from, subDays(toExclusive, 1)) };
}

export function isPeriodText(text: string): boolean {
  return (
    (PERIOD_PRESETS as readonly string[]).includes(text) || MONTH_PATTERN.test(text) || YEAR_PATTERN.test(text) || RANGE_PATTERN.test(text)
  );
}

/** Resolves a period string at instant `now` in the space's time zone. */
export function resolvePeriod(text: string, now: Date, timeZone: string): Period {
  const today = startOfDay(new TZDate(now, timeZone));
  const month = MONTH_PATTERN.exec(text);
  if (month) {
    const start = dayIn(today, `${month[1]}-${month[2]}-01`);
    return make(start, addMonths(start, 1), 'month', monthLabel(start));
  }
  const year = YEAR_PATTERN.exec(text);
  if (year) {
    const start = dayIn(today, `${year[1]}-01-01`);
    return make(start, addYears(start, 1), 'year', String(year[1]));
  }
  const range = RANGE_PATTERN.exec(text);
  if (range) {
    const [, fromText = '', toText = ''] = range;
    if (Number.isNaN(parseISO(fromText).getTime()) || Number.isNaN(parseISO(toText).getTime()) || day(parseISO(fromText)) !== fromText) {
      throw new PeriodError(`${text} is not a range of real days`);
    }
    const from = dayIn(today, fromText);
    const last = dayIn(today, toText);
    if (last < from) throw new PeriodError(`${text} ends before it starts`);
    if (differenceInCalendarDays(last, from) > 366 * 20) throw new PeriodError(`${text} is longer than 20 years`);
    return make(from, addDays(last, 1), 'range');
  }
  switch (text as PeriodPreset) {
    case 'today':
      return make(today, addDays(today, 1), 'day', `today (${format(today, 'd MMM yyyy')})`);
    case 'yesterday': {
      const y = subDays(today, 1);
      return make(y, today, 'day', `yesterday (${format(y, 'd MMM yyyy')})`);
    }
    case 'this_week': {
      const start = startOfISOWeek(today);
      return make(start, addDays(start, 7), 'week', `this week (${rangeLabel(start, addDays(start, 6))})`);
    }
    case 'last_week': {
      const start = subDays(startOfISOWeek(today), 7);
      return make(start, addDays(start, 7), 'week', `last week (${rangeLabel(start, addDays(start, 6))})`);
    }
    case 'this_month': {
      const start = startOfMonth(today);
      return make(start, addMonths(start, 1), 'month', monthLabel(start));
    }
    case 'last_month': {
      const start = subMonths(startOfMonth(today), 1);
      return make(start, addMonths(start, 1), 'month', monthLabel(start));
    }
    case 'this_year': {
      const start = startOfYear(today);
      return make(start, addYears(start, 1), 'year', format(start, 'yyyy'));
    }
    case 'last_year': {
      const start = subYears(startOfYear(today), 1);
      return make(start, addYears(start, 1), 'year', format(start, 'yyyy'));
    }
    case 'last_7_days':
    case 'last_30_days':
    case 'last_90_days': {
      const days = Number(/\d+/.exec(text)?.[0]);
      const start = subDays(today, days - 1);
      return make(start, addDays(today, 1), 'range', `the last ${days} days (${rangeLabel(start, today)})`);
    }
    case 'all_time':
      return { from: ALL_FROM, to: ALL_TO, kind: 'all', label: 'all time' };
    default:
      throw new PeriodError(
        `unknown period "${text}": use a preset (${PERIOD_PRESETS.join(', ')}), YYYY-MM, YYYY or YYYY-MM-DD..YYYY-MM-DD`,
      );
  }
}

function startOfDay(date: TZDate): TZDate {
  return new TZDate(date.getFullYear(), date.getMonth(), date.getDate(), date.timeZone ?? 'UTC');
}

/** The period of the same length just before: the previous month, year, week or range of days. */
export function previousPeriod(period: Period, timeZone: string): Period | null {
  if (period.kind === 'all') return null;
  const ref = new TZDate(2000, 0, 1, timeZone);
  const from = dayIn(ref, period.from);
  switch (period.kind) {
    case 'month': {
      const start = subMonths(from, 1);
      return make(start, from, 'month', monthLabel(start));
    }
    case 'year': {
      const start = subYears(from, 1);
      return make(start, from, 'year', format(start, 'yyyy'));
    }
    default: {
      const length = differenceInCalendarDays(dayIn(ref, period.to), from);
      const start = subDays(from, length);
      return make(start, from, period.kind === 'day' ? 'day' : period.kind === 'week' ? 'week' : 'range');
    }
  }
}

/** Days of the period elapsed by `today` (inclusive), and its length in days: for pacing a month. */
export function elapsedDays(period: Period, today: string): { elapsed: number; length: number } {
  const ref = new TZDate(2000, 0, 1, 'UTC');
  const from = dayIn(ref, period.from);
  const length = differenceInCalendarDays(dayIn(ref, period.to), from);
  const elapsed = Math.min(length, Math.max(0, differenceInCalendarDays(dayIn(ref, today), from) + 1));
  return { elapsed, length };
}

/** The yyyy-MM of a month period's first day. */
export function monthOf(period: Period): string {
  return period.from.slice(0, 7);
}

/** The last n calendar months including the current one, in the zone: [first day of the month n-1 months ago, first day of next month). */
export function lastMonths(n: number, now: Date, timeZone: string): Period {
  const start = subMonths(startOfMonth(startOfDay(new TZDate(now, timeZone))), n - 1);
  const end = addMonths(startOfMonth(startOfDay(new TZDate(now, timeZone))), 1);
  return make(start, end, 'range');
}
