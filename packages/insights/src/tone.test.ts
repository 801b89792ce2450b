import { describe, expect, it } from 'vitest';
import { CONTENT_LIBRARY, PARTNER_OFFERS } from './content.ts';
import { generateInsights } from './engine.ts';
import { richSpace } from './fixtures.ts';
import { checkTone } from './tone.ts';

const PASS = [
  'Dining spending up 42 % on the previous 30 days',
  'Groceries came to 420.00 USD in the last 30 days, against 310.00 USD in the 30 days before.',
  'You could compare plans when a subscription changes its price.',
  'Consider a small automatic transfer the day after payday.',
  'One option is to plan the month around the lowest recent income.',
  'Savings cover about 2.5 months of spending.',
  'Netflix now charges 17.99 USD instead of 15.49 USD',
  'A payment from Acme Corp expected around 2025-11-14 has not arrived yet.',
  'On track: about 2700.00 USD of a 3000.00 USD budget this month',
  'If it was planned, there is nothing more to it.',
  'Cards are at 62 % of their limits.',
  'Many households list their recurring charges once a season.',
  'It may help to set a balance alert at half the limit.',
  'Alice paid 60 % of the space’s spending in the last 30 days.',
  'Paying the full statement balance, when it is possible, keeps purchases interest-free.',
  'Spending on travel was lower than the month before.',
  'A 3-month cushion would be 9000.00 USD.',
  'Some people find a steady amount easier to keep.',
  'Moving money from another category keeps the budget a true picture of the month.',
  'Here is what changed in your subscriptions since last month.',
  'The plan has 45.00 USD a day left for the rest of the month.',
  'An unusual groceries expense of 912.40 USD',
];

const FAIL: [string, string][] = [
  ['You should be ashamed of this spending.', 'shaming'],
  ['That was an irresponsible purchase.', 'shaming'],
  ['Your wasteful habits are showing.', 'shaming'],
  ['You are bad with money.', 'shaming'],
  ['You failed to stick to the budget.', 'shaming'],
  ['Feeling guilty yet?', 'shaming'],
  ['Such a reckless month.', 'shaming'],
  ['You overspent on dining again.', 'judgmental'],
  ['You are wasting money on subscriptions.', 'judgmental'],
  ['These are poor choices.', 'judgmental'],
  ['You spend too much on takeout.', 'judgmental'],
  ['Excessive spending on shopping.', 'judgmental'],
  ['Your spending is out of control.', 'judgmental'],
  ['You cannot afford this lifestyle.', 'judgmental'],
  ['You keep buying things you do not need.', 'judgmental'],
  ['That splurge was unnecessary.', 'judgmental'],
  ['You should have waited for payday.', 'judgmental'],
  ['Warning: your card is nearly maxed.', 'alarmist'],
  ['This is a financial crisis.', 'alarmist'],
  ['Act now before it is too late.', 'alarmist'],
  ['Your savings are in danger.', 'alarmist'],
  ['Spending is skyrocketing.', 'alarmist'],
  ['You are about to go broke.', 'alarmist'],
  ['Big changes this month!', 'alarmist'],
  ['URGENT ACTION NEEDED', 'alarmist'],
  ['Fix this immediately.', 'alarmist'],
  ['Your budget is a disaster.', 'alarmist'],
  ['Stop buying coffee.', 'command'],
  ['Cancel Netflix today.', 'command'],
  ['You must pay off the card this month.', 'command'],
  ['You need to save more.', 'command'],
  ['Never use the credit card for groceries.', 'command'],
  ["Don't eat out this week.", 'command'],
  ['Cut your dining budget in half.', 'command'],
  ['Reduce spending on shopping.', 'command'],
  ['You have to stick to the plan.', 'command'],
  ['Groceries are up 40 %. Stop shopping at the expensive store.', 'command'],
];

describe('tone checker', () => {
  it('has a list of at least 40 phrases', () => {
    expect(PASS.length + FAIL.length).toBeGreaterThanOrEqual(40);
  });

  it.each(PASS)('lets a neutral, factual phrase through: %s', (phrase) => {
    expect(checkTone(phrase)).toEqual({ ok: true, violations: [] });
  });

  it.each(FAIL)('rejects "%s" as %s', (phrase, rule) => {
    const result = checkTone(phrase);
    expect(result.ok).toBe(false);
    expect(result.violations).toContain(rule);
  });

  it('passes every text of the content library and the partner offers', () => {
    for (const item of [...CONTENT_LIBRARY, ...PARTNER_OFFERS]) {
      expect(checkTone(`${item.title}\n${item.body}`), item.id).toEqual({ ok: true, violations: [] });
    }
  });

  it('passes every template text the engine writes, and records that in the trace', () => {
    const result = generateInsights(richSpace());
    expect(result.discarded).toEqual([]);
    for (const c of result.insights) {
      expect(checkTone(`${c.title}\n${c.description}`).ok, c.subject_key).toBe(true);
      expect(c.decision_trace.guardrails_checks.tone_validation).toBe(true);
    }
  });
});
