import { describe, expect, it } from 'vitest';
import { generateInsights } from './engine.ts';
import { richSpace } from './fixtures.ts';
import { checkPhrasing } from './phrasing.ts';

const result = generateInsights(richSpace());
const priceChange = result.insights.find((i) => i.rule === 'subscription.price_change')!;
const credit = result.insights.find((i) => i.rule === 'goal.credit_utilization')!;

describe('checkPhrasing', () => {
  it('keeps a rephrasing whose figures are the insight’s own', () => {
    const check = checkPhrasing(priceChange, {
      title: 'Netflix went from 15.49 to 17.99 USD',
      description: 'Since 2025-09-15 the plan costs 17.99 USD, 16 % more than before.',
    });
    expect(check).toEqual({
      accepted: true,
      reasons: [],
      phrasing: {
        title: 'Netflix went from 15.49 to 17.99 USD',
        description: 'Since 2025-09-15 the plan costs 17.99 USD, 16 % more than before.',
      },
    });
  });

  it('accepts percentages and rounded amounts of insight_data', () => {
    expect(
      checkPhrasing(credit, { title: 'Cards use 68 % of their limits', description: 'About 3,400 USD of 5,000 USD is in use.' }).accepted,
    ).toBe(true);
  });

  it('discards a phrasing with a figure that is not in insight_data, and keeps the template', () => {
    const check = checkPhrasing(priceChange, { title: 'Netflix now costs 19.99 USD', description: 'A rise of 4.50 USD a month.' });
    expect(check.accepted).toBe(false);
    expect(check.reasons).toEqual(['figure 19.99 is not in insight_data', 'figure 4.50 is not in insight_data']);
    expect(check.phrasing).toEqual({ title: priceChange.title, description: priceChange.description });
  });

  it('discards a phrasing with a date that is not the insight’s', () => {
    const check = checkPhrasing(priceChange, { title: 'Netflix changed its price', description: 'On 2025-10-01 it went to 17.99 USD.' });
    expect(check.reasons).toEqual(['date 2025-10-01 is not in insight_data']);
  });

  it('discards a phrasing that fails the tone checker even with the right figures', () => {
    const check = checkPhrasing(credit, { title: 'Warning: cards at 68 %', description: 'You must pay 1900.00 USD now.' });
    expect(check.accepted).toBe(false);
    expect(check.reasons).toEqual(['tone: alarmist, command']);
  });

  it('keeps the template itself', () => {
    for (const c of result.insights)
      expect(checkPhrasing(c, { title: c.title, description: c.description }).accepted, c.subject_key).toBe(true);
  });
});
