/**
 * Calendar days and months in the space's time zone.
 *
 * "Today" is the calendar day the run's instant falls on in the space's IANA
 * zone (date-fns with @date-fns/tz's TZDate), so a Madrid household's day and
 * month end at midnight in Madrid. Row dates are already calendar days
 * (`date` columns); gaps between them are counted in whole calendar days.
 * Instants the engine emits (expires_at) are midnights in the space's zone.
 * Arithmetic on calendar days themselves (adding days and months, month
 * starts) is exact integer arithmetic, which needs no zone and is much
 * cheaper than building Date objects for thousands of rows.
 */
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import type { IsoDay, IsoInstant } from './types.ts';

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The calendar day of `now` in `timezone`. */
export function todayIn(now: Date, timezone: string): IsoDay {
  return format(new TZDate(now.getTime(), timezone), 'yyyy-MM-dd');
}

/** Days since 1970-01-01 of a calendar day (no zone involved: a date is a date). */
export function dayNumber(day: IsoDay): number {
  const m = ISO_DAY.exec(day);
  if (!m) throw new RangeError(`date must be yyyy-MM-dd, got ${JSON.stringify(day)}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonthNumber(y, mo))
    throw new RangeError(`date must be yyyy-MM-dd, got ${JSON.stringify(day)}`);
  return daysFromCivil(y, mo, d);
}

function daysInMonthNumber(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

// Howard Hinnant's civil-calendar algorithms: exact integer arithmetic, no Date objects
// (the engine converts thousands of row dates per run).
function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function fromDayNumber(n: number): IsoDay {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

export function plusDays(day: IsoDay, days: number): IsoDay {
  return fromDayNumber(dayNumber(day) + days);
}

/** First day of the day's month. */
export function monthOf(day: IsoDay): IsoDay {
  dayNumber(day);
  return `${day.slice(0, 8)}01`;
}

/** Same day `months` later, clamped to the month's last day (as date-fns addMonths does). */
export function plusMonths(day: IsoDay, months: number): IsoDay {
  dayNumber(day);
  const total = Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1 + months;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  const d = Math.min(Number(day.slice(8, 10)), daysInMonthNumber(y, m));
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

export function daysInMonthOf(day: IsoDay): number {
  dayNumber(day);
  return daysInMonthNumber(Number(day.slice(0, 4)), Number(day.slice(5, 7)));
}

/** Midnight at the start of `day` in `timezone`, as an ISO instant. */
export function midnightIn(day: IsoDay, timezone: string): IsoInstant {
  const m = ISO_DAY.exec(day);
  if (!m) throw new RangeError(`date must be yyyy-MM-dd, got ${JSON.stringify(day)}`);
  return new Date(new TZDate(Number(m[1]), Number(m[2]) - 1, Number(m[3]), timezone).getTime()).toISOString();
}

const KNOWN_ZONES = new Set<string>();

export function assertTimeZone(timezone: string): void {
  if (KNOWN_ZONES.has(timezone)) return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new RangeError(`unknown IANA time zone ${JSON.stringify(timezone)}`);
  }
  KNOWN_ZONES.add(timezone);
}
