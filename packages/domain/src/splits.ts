/**
 * How public.split_expense divides an expense among people: `equal` (a list
 * of user ids), `exact` (user id → amount, adding up to the expense),
 * `percentage` (user id → percent, adding up to 100) or `shares`
 * (user id → weight). Tied leftover cents go to whoever carried the least
 * rounding in the space and currency, then in turn from a start derived from
 * the expense id (allocateCents with leftoverRotation; decision 0011).
 */
export const SPLIT_MODES = ['equal', 'exact', 'percentage', 'shares'] as const;
export type SplitMode = (typeof SPLIT_MODES)[number];
