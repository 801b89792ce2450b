import { describe, expect, it } from 'vitest';
import { dayNumber, fromDayNumber, midnightIn, todayIn } from './dates.ts';

describe('calendar days', () => {
  it('counts days like the calendar does, leap years included, both ways', () => {
    for (let n = dayNumber('1999-12-25'); n < dayNumber('2030-03-05'); n += 5) {
      const iso = new Date(n * 86_400_000).toISOString().slice(0, 10);
      expect(fromDayNumber(n)).toBe(iso);
      expect(dayNumber(iso)).toBe(n);
    }
  });

  it('rejects days that do not exist', () => {
    for (const bad of ['2025-02-29', '2025-13-01', '2025-04-31', '2025-1-01', 'yesterday'])
      expect(() => dayNumber(bad)).toThrow(/yyyy-MM-dd/);
    expect(dayNumber('2024-02-29')).toBe(dayNumber('2024-02-28') + 1);
  });

  it('takes today and midnight in the space’s zone', () => {
    expect(todayIn(new Date('2025-11-30T23:30:00Z'), 'Europe/Madrid')).toBe('2025-12-01');
    expect(todayIn(new Date('2025-11-30T23:30:00Z'), 'America/Los_Angeles')).toBe('2025-11-30');
    expect(midnightIn('2025-12-01', 'Europe/Madrid')).toBe('2025-11-30T23:00:00.000Z');
    expect(midnightIn('2025-07-01', 'America/New_York')).toBe('2025-07-01T04:00:00.000Z');
  });
});

describe('calendar months', () => {
  it('adds months as date-fns does, clamping to the last day', async () => {
    const { addMonths, format } = await import('date-fns');
    const { plusMonths, monthOf, daysInMonthOf } = await import('./dates.ts');
    for (const day of ['2024-01-31', '2024-02-29', '2025-03-31', '2025-12-15', '2023-10-01']) {
      for (const k of [-13, -1, 1, 2, 12]) {
        const [y, m, d] = day.split('-').map(Number) as [number, number, number];
        expect(plusMonths(day, k), `${day} ${k}`).toBe(format(addMonths(new Date(y, m - 1, d), k), 'yyyy-MM-dd'));
      }
    }
    expect(monthOf('2025-11-20')).toBe('2025-11-01');
    expect([daysInMonthOf('2024-02-10'), daysInMonthOf('2025-02-10'), daysInMonthOf('2025-11-30')]).toEqual([29, 28, 30]);
  });
});
