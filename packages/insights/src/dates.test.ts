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
