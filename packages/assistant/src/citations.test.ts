import { describe, expect, it } from 'vitest';
import { checkText, dataStringsOf, roundDecimal, SentenceSplitter, valueAt, type Sources } from './citations.ts';

const result = {
  call_id: 'toolu_1',
  total: { amount: '1234.50', currency: 'EUR', count: 7 },
  groups: [{ label: 'Groceries', amount: '412.30', share_pct: 33.4 }],
  expenses: [{ description: 'CARREFOUR EXPRESS 0912', amount: '23.10', date: '2025-10-04' }],
};
const sources: Sources = { results: new Map([['toolu_1', result]]), dataStrings: dataStringsOf([result]) };

describe('citation checking', () => {
  it('turns markers into footnotes that name the call and path', () => {
    const { text, report } = checkText('You spent 1,234.50 EUR [[toolu_1:total.amount]] over 7 [[toolu_1:total.count]] expenses.', sources);
    expect(text).toBe('You spent 1,234.50 EUR [1] over 7 [2] expenses.');
    expect(report.citations).toEqual([
      { n: 1, tool_call_id: 'toolu_1', path: 'total.amount', value: '1234.50' },
      { n: 2, tool_call_id: 'toolu_1', path: 'total.count', value: 7 },
    ]);
    expect(report.corrections).toEqual([]);
  });

  it('corrects a figure that differs from its source, keeping the way it was written', () => {
    const { text, report } = checkText(
      'Groceries were 4,120.30 EUR [[toolu_1:groups.0.amount]], 40% [[toolu_1:groups.0.share_pct]] of it.',
      sources,
    );
    expect(text).toBe('Groceries were 412.30 EUR [1], 33.4% [2] of it.');
    expect(report.corrections.map((c) => [c.stated, c.corrected])).toEqual([
      ['4,120.30', '412.30'],
      ['40', '33.4'],
    ]);
  });

  it('accepts a percentage rounded to the decimals written, not an amount rounded', () => {
    expect(checkText('That is 33% [[toolu_1:groups.0.share_pct]].', sources).report.corrections).toEqual([]);
    expect(checkText('About 412 EUR [[toolu_1:groups.0.amount]].', sources).report.corrections).toHaveLength(1);
  });

  it('removes a sentence whose figure has no source, and cites one found in the results', () => {
    const { text, report } = checkText('You spent 412.30 EUR on groceries. That is 12% less than your neighbours. Nice!', sources);
    expect(text).toBe('You spent 412.30 EUR [1] on groceries. Nice!');
    expect(report.removed).toEqual(['That is 12% less than your neighbours.']);
    expect(report.autoCited).toBe(1);
  });

  it('a marker to a path that does not exist is no citation', () => {
    const { text } = checkText('You spent 99.00 EUR [[toolu_1:total.nothing]].', sources);
    expect(text).toBe('');
  });

  it('dates, years, ordinals, list numbers and digits in names are not figures', () => {
    const input =
      '1. On 2025-10-04 (the 4th of October 2025) at "CARREFOUR EXPRESS 0912" you paid 23.10 EUR [[toolu_1:expenses.0.amount]].';
    expect(checkText(input, sources).text).toBe(
      '1. On 2025-10-04 (the 4th of October 2025) at "CARREFOUR EXPRESS 0912" you paid 23.10 EUR [1].',
    );
  });

  it('signs are words: a magnitude matches a negative source', () => {
    const negative: Sources = { results: new Map([['t', { change: '-366.45' }]]), dataStrings: [] };
    expect(checkText('366.45 EUR [[t:change]] less.', negative).text).toBe('366.45 EUR [1] less.');
  });

  it('rounds decimals exactly, and reads values at paths', () => {
    expect(roundDecimal('33.45', 1)).toBe('33.5');
    expect(roundDecimal('-0.04', 1)).toBe('0.0');
    expect(roundDecimal('99.96', 1)).toBe('100.0');
    expect(valueAt(result, 'groups.0.amount')).toBe('412.30');
    expect(valueAt(result, 'groups.x')).toBeUndefined();
  });
});

describe('the sentence splitter', () => {
  it('holds text until a sentence is complete, across deltas, without cutting decimals or markers', () => {
    const s = new SentenceSplitter();
    expect(s.push('You spent 12')).toEqual([]);
    expect(s.push('.50 EUR [[t:a.b]]. Then')).toEqual(['You spent 12.50 EUR [[t:a.b]]. ']);
    expect(s.push(' more.\nNext')).toEqual(['Then more.\n']);
    expect(s.flush()).toEqual(['Next']);
  });
});
