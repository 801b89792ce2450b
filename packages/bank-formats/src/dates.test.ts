import { describe, expect, it } from 'vitest';
import { DATE_FORMATS, DateFormatSampler, readDate } from './dates.ts';
import type { DateFormat } from './types.ts';

const iso = (text: string, format: DateFormat): string | null => {
  const read = readDate(text, format);
  return read.ok ? read.iso : null;
};

describe('dates as banks write them', () => {
  it('reads every supported format', () => {
    const cases: Array<[string, DateFormat]> = [
      ['2025-02-09', 'YYYY-MM-DD'],
      ['2025-02-09T10:30:00Z', 'YYYY-MM-DD'],
      ['2025/02/09', 'YYYY/MM/DD'],
      ['2025.02.09', 'YYYY.MM.DD'],
      ['20250209', 'YYYYMMDD'],
      ['09/02/2025', 'DD/MM/YYYY'],
      ['02/09/2025', 'MM/DD/YYYY'],
      ['9.2.2025', 'DD.MM.YYYY'],
      ['09-02-2025', 'DD-MM-YYYY'],
      ['02-09-2025', 'MM-DD-YYYY'],
      ['09/02/25', 'DD/MM/YY'],
      ['02/09/25', 'MM/DD/YY'],
      ['09.02.25', 'DD.MM.YY'],
      ['09-Feb-2025', 'DD-MMM-YYYY'],
      ['9 févr. 2025', 'DD MMM YYYY'],
      ['Feb 9, 2025', 'MMM DD YYYY'],
    ];
    for (const [text, format] of cases) expect(iso(text, format), `${text} as ${format}`).toBe('2025-02-09');
    expect(iso('09 Mär 2025', 'DD MMM YYYY')).toBe('2025-03-09');
    expect(iso('3-Dec-24', 'DD-MMM-YYYY')).toBe('2024-12-03');
    expect(DATE_FORMATS.length).toBe(new Set(cases.map(([, f]) => f)).size);
  });

  it('reports a date that does not exist as a calendar error, not a format error', () => {
    expect(readDate('2025-02-29', 'YYYY-MM-DD')).toMatchObject({ ok: false, reason: 'calendar' });
    expect(readDate('31/04/2025', 'DD/MM/YYYY')).toMatchObject({ ok: false, reason: 'calendar' });
    expect(iso('29/02/2024', 'DD/MM/YYYY')).toBe('2024-02-29');
    expect(readDate('13/13/2025', 'DD/MM/YYYY')).toMatchObject({ ok: false, reason: 'range' });
    expect(readDate('2025-1-x', 'YYYY-MM-DD')).toMatchObject({ ok: false, reason: 'shape' });
  });

  it('decides day-first from the whole file when one date has a day above 12', () => {
    const sampler = new DateFormatSampler();
    for (const value of ['01/02/2025', '05/02/2025', '09/02/2025', '25/02/2025']) sampler.add(value);
    const decision = sampler.decide();
    expect(decision).toMatchObject({ format: 'DD/MM/YYYY', ambiguous: false, confidence: 1 });
    expect(decision.evidence).toContain('"25/02/2025" cannot be MM/DD/YYYY');
  });

  it('reports ambiguity when no value can decide, and follows the hint', () => {
    const sampler = new DateFormatSampler();
    for (const value of ['09/02/2025', '01/02/2025', '12/11/2025']) sampler.add(value);
    const monthFirst = sampler.decide({ dayFirst: false, reason: 'USD' });
    expect(monthFirst).toMatchObject({ format: 'MM/DD/YYYY', ambiguous: true, alternatives: ['DD/MM/YYYY'], confidence: 0.5 });
    expect(sampler.decide({ dayFirst: true, reason: 'decimal comma' })).toMatchObject({ format: 'DD/MM/YYYY', ambiguous: true });
  });

  it('keeps a bad calendar date from changing the decision', () => {
    const sampler = new DateFormatSampler();
    for (const value of ['01/13/2025', '02/30/2025', '03/01/2025']) sampler.add(value);
    expect(sampler.decide()).toMatchObject({ format: 'MM/DD/YYYY', ambiguous: false });
  });
});
