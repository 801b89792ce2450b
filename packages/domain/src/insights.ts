/** What a financial insight is about (financial_insights_type_check). */
export const INSIGHT_TYPES = ['trend', 'anomaly', 'recommendation', 'prediction', 'goal'] as const;
export type InsightType = (typeof INSIGHT_TYPES)[number];

/** How soon a financial insight wants attention, lowest first (financial_insights_priority_check). */
export const INSIGHT_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type InsightPriority = (typeof INSIGHT_PRIORITIES)[number];
