/**
 * Who set an expense's category (expenses_category_source_check): `default`
 * (nobody yet: what the expense was created with), `user` (a person chose it;
 * never overwritten by the categorizer), or the categorizer's step that
 * decided: `history` (the space's similar expenses), `rules`, `ai`.
 */
export const CATEGORY_SOURCES = ['default', 'user', 'history', 'rules', 'ai'] as const;
export type CategorySource = (typeof CATEGORY_SOURCES)[number];
