/**
 * Regeneration rules, pure: how a freshly generated insight meets the stored
 * one with the same key (space, rule, subject, period).
 *
 * - Same figures (material_key): the stored read and dismissed state is kept,
 *   so a dismissed insight stays dismissed; a recommendation keeps its review.
 * - Different figures: the insight resurfaces unread and undismissed; a
 *   recommendation whose text or figures changed goes back to review.
 * - A stored insight the run did not produce again (its condition cleared)
 *   expires now.
 */
export type ReviewStatus = 'pending' | 'approved' | 'rejected';

/** What the service keeps of a stored insight (rule-generated, same space). */
export interface StoredInsight {
  readonly id: string;
  readonly rule: string;
  readonly subject: string;
  /** yyyy-MM-dd or null. */
  readonly period: string | null;
  readonly material_key: string | null;
  readonly title: string;
  readonly description: string | null;
  readonly rationale: string | null;
  readonly is_read: boolean;
  readonly is_dismissed: boolean;
  readonly review_status: ReviewStatus | null;
  readonly approved_by: string | null;
  readonly approved_at: string | null;
  readonly rejected_by: string | null;
  readonly rejected_at: string | null;
  readonly rejection_reason: string | null;
  /** Whether members currently see it (not expired). */
  readonly current: boolean;
}

export interface FreshInsight {
  readonly type: string;
  readonly rule: string;
  readonly subject: string;
  readonly period: string | null;
  readonly material_key: string;
  readonly title: string;
  readonly description: string;
  readonly rationale: string | null;
}

export type MergeAction =
  /** No stored insight with this key. */
  | 'created'
  /** Same figures: stored state kept (a dismissed one stays dismissed). */
  | 'refreshed'
  /** The figures changed: unread and undismissed again (a recommendation back to review). */
  | 'resurfaced';

export interface MergedState {
  readonly action: MergeAction;
  readonly is_read: boolean;
  readonly is_dismissed: boolean;
  readonly review_status: ReviewStatus | null;
  readonly approved_by: string | null;
  readonly approved_at: string | null;
  readonly rejected_by: string | null;
  readonly rejected_at: string | null;
  readonly rejection_reason: string | null;
}

export const insightKey = (rule: string, subject: string, period: string | null): string => `${rule}\u0000${subject}\u0000${period ?? ''}`;

const UNREVIEWED = { approved_by: null, approved_at: null, rejected_by: null, rejected_at: null, rejection_reason: null } as const;

export function mergeInsight(stored: StoredInsight | undefined, fresh: FreshInsight): MergedState {
  const recommendation = fresh.type === 'recommendation';
  if (stored === undefined) {
    return { action: 'created', is_read: false, is_dismissed: false, review_status: recommendation ? 'pending' : null, ...UNREVIEWED };
  }
  const sameFigures = stored.material_key === fresh.material_key;
  // What an operator approved is the text as well as the figures.
  const sameText = stored.title === fresh.title && stored.description === fresh.description && stored.rationale === fresh.rationale;
  if (!recommendation) {
    return sameFigures
      ? { action: 'refreshed', is_read: stored.is_read, is_dismissed: stored.is_dismissed, review_status: null, ...UNREVIEWED }
      : { action: 'resurfaced', is_read: false, is_dismissed: false, review_status: null, ...UNREVIEWED };
  }
  if (sameFigures && sameText && stored.review_status !== null) {
    return {
      action: 'refreshed',
      is_read: stored.is_read,
      is_dismissed: stored.is_dismissed,
      review_status: stored.review_status,
      approved_by: stored.approved_by,
      approved_at: stored.approved_at,
      rejected_by: stored.rejected_by,
      rejected_at: stored.rejected_at,
      rejection_reason: stored.rejection_reason,
    };
  }
  return { action: 'resurfaced', is_read: false, is_dismissed: false, review_status: 'pending', ...UNREVIEWED };
}

/** Stored insights the run did not produce again and members still see: their condition cleared, so they expire. */
export function clearedInsights(stored: readonly StoredInsight[], freshKeys: ReadonlySet<string>): StoredInsight[] {
  return stored.filter((s) => s.current && !freshKeys.has(insightKey(s.rule, s.subject, s.period)));
}
