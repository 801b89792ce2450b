import { describe, expect, it } from 'vitest';
import { parsePeriod, parseQuestion, type Vocabulary } from './parser.ts';

const NOW = new Date('2025-10-20T10:00:00Z');
const TZ = 'Europe/Madrid';
const vocabulary: Vocabulary = {
  categories: [
    { key: 'groceries', label: 'Groceries' },
    { key: 'dining', label: 'Dining out' },
    { key: 'utilities', label: 'Bills & utilities' },
    { key: 'housing', label: 'Housing' },
    { key: 'subscriptions', label: 'Subscriptions' },
    { key: 'other', label: 'Other' },
    { key: 'income', label: 'Income' },
  ],
  merchants: ['Mercadona', 'Netflix', 'Iberdrola electricity', 'Flat rent', 'MERCADONA MADRID 4521'],
  members: [
    { id: 'u-alice', username: 'alice', fullName: 'Alice Martin' },
    { id: 'u-bob', username: 'bob', fullName: 'Bob Martin' },
  ],
  selfId: 'u-alice',
};
const parse = (q: string) => parseQuestion(q, vocabulary, NOW, TZ);

describe('periods in questions', () => {
  it('names presets, months and ranges, in the space time zone', () => {
    expect(parsePeriod('last month', NOW, TZ)).toBe('last_month');
    expect(parsePeriod('so far this year', NOW, TZ)).toBe('this_year');
    expect(parsePeriod('in March', NOW, TZ)).toBe('2025-03');
    expect(parsePeriod('in November', NOW, TZ)).toBe('2024-11');
    expect(parsePeriod('in march 2023', NOW, TZ)).toBe('2023-03');
    expect(parsePeriod('since August', NOW, TZ)).toBe('2025-08-01..2025-10-20');
    expect(parsePeriod('the last 30 days', NOW, TZ)).toBe('last_30_days');
    expect(parsePeriod('the past 10 days', NOW, TZ)).toBe('2025-10-11..2025-10-20');
    expect(parsePeriod('the last 3 months', NOW, TZ)).toBe('2025-08-01..2025-10-20');
    expect(parsePeriod('in 2024', NOW, TZ)).toBe('2024');
    expect(parsePeriod('what may we buy', NOW, TZ)).toBeUndefined();
  });
});

describe('questions', () => {
  it('spending totals with a category, a merchant or a member', () => {
    expect(parse('How much did we spend on groceries this month?')).toEqual({
      intent: 'spending_total',
      period: 'this_month',
      category: 'groceries',
    });
    expect(parse('How much did we spend eating out last month?')).toMatchObject({
      intent: 'spending_total',
      category: 'dining',
      period: 'last_month',
    });
    expect(parse('How much did we spend at Mercadona?')).toMatchObject({ intent: 'spending_total', text: 'Mercadona' });
    expect(parse('How much have we paid Iberdrola this year?')).toMatchObject({ text: 'Iberdrola', period: 'this_year' });
    expect(parse('How much did Bob spend in March?')).toMatchObject({ member: { id: 'u-bob', name: 'Bob' }, period: '2025-03' });
    expect(parse('How much did I spend?')).toMatchObject({ member: { id: 'u-alice', name: 'you' } });
  });

  it('breakdowns, comparisons, lists and counts', () => {
    expect(parse('Spending by category this month')).toMatchObject({ intent: 'spending_breakdown', groupBy: 'category' });
    expect(parse('Who spent the most last month?')).toMatchObject({ intent: 'spending_breakdown', groupBy: 'member' });
    expect(parse('Show spending by month this year')).toMatchObject({ intent: 'spending_breakdown', groupBy: 'month' });
    expect(parse('How does this month compare to last month?')).toMatchObject({ intent: 'spending_compare' });
    expect(parse('What were our 3 biggest expenses?')).toMatchObject({ intent: 'list', sort: 'amount_desc', limit: 3 });
    expect(parse('List expenses over 100 euros')).toMatchObject({ intent: 'list', minAmount: '100' });
    expect(parse('How many times did we buy groceries?')).toMatchObject({ intent: 'count', category: 'groceries' });
  });

  it('budgets, balances, recurring, accounts, income and insights', () => {
    expect(parse('Are we on track with the budget?')).toEqual({ intent: 'budget' });
    expect(parse('How much is left in the groceries budget?')).toEqual({ intent: 'budget', category: 'groceries' });
    expect(parse('Who owes whom?')).toEqual({ intent: 'balances' });
    expect(parse('What subscriptions do we pay?')).toEqual({ intent: 'recurring' });
    expect(parse('How much do we spend on subscriptions?')).toMatchObject({ intent: 'spending_total', category: 'subscriptions' });
    expect(parse("What's our net worth?")).toEqual({ intent: 'accounts' });
    expect(parse('Income against spending this month')).toMatchObject({ intent: 'income', period: 'this_month' });
    expect(parse('Any insights?')).toEqual({ intent: 'insights' });
  });

  it('never guesses: what it cannot place is unknown', () => {
    expect(parse('Write me a poem about the sea')).toEqual({ intent: 'unknown' });
    expect(parse('What can you do?')).toEqual({ intent: 'help' });
    // "other" alone is a word, not the category; "flat" is not a merchant.
    expect(parse('How much did the other flat spend?')).toEqual({ intent: 'spending_total' });
  });
});
