/**
 * How public.split_expense divides an expense among people: `equal` (a list
 * of user ids), `exact` (user id → amount, adding up to the expense),
 * `percentage` (user id → percent, adding up to 100) or `shares`
 * (user id → weight). Leftover cents go to the lowest user ids.
 */
export const SPLIT_MODES = ['equal', 'exact', 'percentage', 'shares'] as const;
export type SplitMode = (typeof SPLIT_MODES)[number];
