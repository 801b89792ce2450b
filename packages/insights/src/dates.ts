/**
 * Calendar days and months in the space's time zone.
 *
 * "Today" is the calendar day the run's instant falls on in the space's IANA
 * zone (date-fns with @date-fns/tz's TZDate), so a Madrid household's day and
 * month end at midnight in Madrid. Row dates are already calendar days
 * (`date` columns); gaps between them are counted in whole calendar days.
 * Instants the engine emits (expires_at) are midnights in the space's zone.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, addMonths, format, getDaysInMonth, startOfMonth } from 'date-fns';
import type { IsoDay, IsoInstant } from './types.ts';

const DAY_MS = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The calendar day of `now` in `timezone`. */
export function todayIn(now: Date, timezone: string): IsoDay {
  return format(new TZDate(now.getTime(), timezone), 'yyyy-MM-dd');
}

/** Days since 1970-01-01 of a calendar day (no zone involved: a date is a date). */
export function dayNumber(day: IsoDay): number {
  const m = ISO_DAY.exec(day);
  if (!m) throw new RangeError(`date must be yyyy-MM-dd, got ${JSON.stringify(day)}`);
  const n = Math.round(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS);
  if (fromDayNumber(n) !== day) throw new RangeError(`date must be yyyy-MM-dd, got ${JSON.stringify(day)}`);
  return n;
}

export function fromDayNumber(n: number): IsoDay {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function plusDays(day: IsoDay, days: number): IsoDay {
  return format(addDays(parseDay(day), days), 'yyyy-MM-dd');
}

/** First day of the day's month. */
export function monthOf(day: IsoDay): IsoDay {
  return format(startOfMonth(parseDay(day)), 'yyyy-MM-dd');
}

export function plusMonths(day: IsoDay, months: number): IsoDay {
  return format(addMonths(parseDay(day), months), 'yyyy-MM-dd');
}

export function daysInMonthOf(day: IsoDay): number {
  return getDaysInMonth(parseDay(day));
}

/** Midnight at the start of `day` in `timezone`, as an ISO instant. */
export function midnightIn(day: IsoDay, timezone: string): IsoInstant {
  const m = ISO_DAY.exec(day);
  if (!m) throw new RangeError(`date must be yyyy-MM-dd, got ${JSON.stringify(day)}`);
  return new Date(new TZDate(Number(m[1]), Number(m[2]) - 1, Number(m[3]), timezone).getTime()).toISOString();
}

/** Local-time Date for a calendar day (date-fns arithmetic on calendar fields). */
function parseDay(day: IsoDay): Date {
  const m = ISO_DAY.exec(day);
  if (!m) throw new RangeError(`date must be yyyy-MM-dd, got ${JSON.stringify(day)}`);
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

/** Asserts a zone is one the runtime knows (TZDate silently falls back to UTC otherwise). */
export function assertTimeZone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new RangeError(`unknown IANA time zone ${JSON.stringify(timezone)}`);
  }
}
