import { describe, expect, it } from 'vitest';
import { elapsedDays, lastMonths, previousPeriod, resolvePeriod, todayIn } from './periods.ts';

/** 31 October 2025, 23:30 UTC: already 1 November in Madrid. */
const LATE = new Date('2025-10-31T23:30:00Z');

describe('periods in the space time zone', () => {
  it('"this month" is the calendar month in the zone, not in UTC', () => {
    expect(resolvePeriod('this_month', LATE, 'Europe/Madrid')).toEqual({
      from: '2025-11-01',
      to: '2025-12-01',
      kind: 'month',
      label: 'November 2025',
    });
    expect(resolvePeriod('this_month', LATE, 'UTC')).toMatchObject({ from: '2025-10-01', to: '2025-11-01' });
    expect(resolvePeriod('this_month', LATE, 'America/Los_Angeles')).toMatchObject({ from: '2025-10-01' });
    expect(todayIn(LATE, 'Europe/Madrid')).toBe('2025-11-01');
  });

  it('resolves presets, months, years and ranges', () => {
    const now = new Date('2025-03-12T12:00:00Z');
    expect(resolvePeriod('last_month', now, 'UTC')).toMatchObject({ from: '2025-02-01', to: '2025-03-01', label: 'February 2025' });
    expect(resolvePeriod('this_year', now, 'UTC')).toMatchObject({ from: '2025-01-01', to: '2026-01-01' });
    expect(resolvePeriod('last_year', now, 'UTC')).toMatchObject({ from: '2024-01-01', to: '2025-01-01' });
    expect(resolvePeriod('today', now, 'UTC')).toMatchObject({ from: '2025-03-12', to: '2025-03-13' });
    expect(resolvePeriod('yesterday', now, 'UTC')).toMatchObject({ from: '2025-03-11', to: '2025-03-12' });
    expect(resolvePeriod('this_week', now, 'UTC')).toMatchObject({ from: '2025-03-10', to: '2025-03-17' });
    expect(resolvePeriod('last_30_days', now, 'UTC')).toMatchObject({ from: '2025-02-11', to: '2025-03-13' });
    expect(resolvePeriod('2024-02', now, 'UTC')).toMatchObject({ from: '2024-02-01', to: '2024-03-01', label: 'February 2024' });
    expect(resolvePeriod('2024', now, 'UTC')).toMatchObject({ from: '2024-01-01', to: '2025-01-01' });
    expect(resolvePeriod('2025-03-01..2025-03-15', now, 'UTC')).toMatchObject({
      from: '2025-03-01',
      to: '2025-03-16',
      label: '1 Mar – 15 Mar 2025',
    });
    expect(resolvePeriod('all_time', now, 'UTC').kind).toBe('all');
  });

  it('refuses what is not a period', () => {
    expect(() => resolvePeriod('next_decade', LATE, 'UTC')).toThrow(/unknown period/);
    expect(() => resolvePeriod('2025-02-30..2025-03-01', LATE, 'UTC')).toThrow(/real days/);
    expect(() => resolvePeriod('2025-03-10..2025-03-01', LATE, 'UTC')).toThrow(/ends before/);
  });

  it('the previous period has the same length', () => {
    const now = new Date('2025-03-12T12:00:00Z');
    expect(previousPeriod(resolvePeriod('this_month', now, 'UTC'), 'UTC')).toMatchObject({ from: '2025-02-01', to: '2025-03-01' });
    expect(previousPeriod(resolvePeriod('2025', now, 'UTC'), 'UTC')).toMatchObject({ from: '2024-01-01', to: '2025-01-01' });
    expect(previousPeriod(resolvePeriod('2025-03-01..2025-03-10', now, 'UTC'), 'UTC')).toMatchObject({
      from: '2025-02-19',
      to: '2025-03-01',
    });
    expect(previousPeriod(resolvePeriod('all_time', now, 'UTC'), 'UTC')).toBeNull();
  });

  it('counts elapsed days for pacing, and the last n months', () => {
    const october = resolvePeriod('2025-10', LATE, 'UTC');
    expect(elapsedDays(october, '2025-10-10')).toEqual({ elapsed: 10, length: 31 });
    expect(elapsedDays(october, '2025-12-01')).toEqual({ elapsed: 31, length: 31 });
    expect(lastMonths(6, new Date('2025-03-12T12:00:00Z'), 'UTC')).toMatchObject({ from: '2024-10-01', to: '2025-04-01' });
  });
});
