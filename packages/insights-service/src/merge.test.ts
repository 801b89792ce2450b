import { describe, expect, it } from 'vitest';
import { clearedInsights, insightKey, mergeInsight, type FreshInsight, type StoredInsight } from './merge.ts';

const fresh = (over: Partial<FreshInsight> = {}): FreshInsight => ({
  type: 'anomaly',
  rule: 'anomaly.category_mad',
  subject: 'shopping',
  period: '2025-10-01',
  material_key: 'shopping:1299',
  title: 'An unusually large shopping purchase',
  description: 'Best Buy laptop: 1299.00, about 9 times the usual.',
  rationale: null,
  ...over,
});

const stored = (over: Partial<StoredInsight> = {}): StoredInsight => ({
  id: 'i1',
  rule: 'anomaly.category_mad',
  subject: 'shopping',
  period: '2025-10-01',
  material_key: 'shopping:1299',
  title: 'An unusually large shopping purchase',
  description: 'Best Buy laptop: 1299.00, about 9 times the usual.',
  rationale: null,
  is_read: true,
  is_dismissed: true,
  review_status: null,
  approved_by: null,
  approved_at: null,
  rejected_by: null,
  rejected_at: null,
  rejection_reason: null,
  current: true,
  ...over,
});

describe('mergeInsight', () => {
  it('a new insight starts unread; a new recommendation starts pending review', () => {
    expect(mergeInsight(undefined, fresh())).toMatchObject({ action: 'created', is_read: false, is_dismissed: false, review_status: null });
    expect(mergeInsight(undefined, fresh({ type: 'recommendation' }))).toMatchObject({ action: 'created', review_status: 'pending' });
  });

  it('a dismissed insight stays dismissed (and read) while its figures are the same, whatever the wording', () => {
    expect(mergeInsight(stored(), fresh({ title: 'A large purchase this month' }))).toMatchObject({
      action: 'refreshed',
      is_read: true,
      is_dismissed: true,
    });
  });

  it('a material change resurfaces a dismissed insight, unread', () => {
    expect(mergeInsight(stored(), fresh({ material_key: 'shopping:2499' }))).toMatchObject({
      action: 'resurfaced',
      is_read: false,
      is_dismissed: false,
    });
  });

  it('an approved recommendation keeps its approval while text and figures are unchanged', () => {
    const approved = stored({ review_status: 'approved', approved_by: 'op', approved_at: '2025-10-02 10:00:00+00', is_dismissed: false });
    expect(mergeInsight(approved, fresh({ type: 'recommendation' }))).toMatchObject({
      action: 'refreshed',
      review_status: 'approved',
      approved_by: 'op',
      approved_at: '2025-10-02 10:00:00+00',
    });
  });

  it('a recommendation whose text changed goes back to review, even with the same figures', () => {
    const approved = stored({ review_status: 'approved', approved_by: 'op', approved_at: '2025-10-02 10:00:00+00' });
    expect(mergeInsight(approved, fresh({ type: 'recommendation', description: 'New wording' }))).toMatchObject({
      action: 'resurfaced',
      review_status: 'pending',
      approved_by: null,
      approved_at: null,
    });
  });

  it('a rejected recommendation stays rejected while nothing changed', () => {
    const rejected = stored({ review_status: 'rejected', rejected_by: 'op', rejected_at: 'x', rejection_reason: 'Not for us' });
    expect(mergeInsight(rejected, fresh({ type: 'recommendation' }))).toMatchObject({
      review_status: 'rejected',
      rejection_reason: 'Not for us',
    });
  });
});

describe('clearedInsights', () => {
  it('expires what the run did not produce again, and only what members still see', () => {
    const kept = stored({ id: 'kept' });
    const gone = stored({ id: 'gone', subject: 'dining' });
    const alreadyExpired = stored({ id: 'old', subject: 'travel', current: false });
    const keys = new Set([insightKey(kept.rule, kept.subject, kept.period)]);
    expect(clearedInsights([kept, gone, alreadyExpired], keys).map((s) => s.id)).toEqual(['gone']);
  });

  it('a period of null is its own key, distinct from any month', () => {
    expect(insightKey('r', 's', null)).not.toBe(insightKey('r', 's', '2025-10-01'));
  });
});
