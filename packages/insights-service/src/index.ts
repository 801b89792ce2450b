export { HISTORY_DAYS, loadMembers, loadSpace, type LoadedSpace, type Query, type Transact } from './load.ts';
export {
  clearedInsights,
  insightKey,
  mergeInsight,
  type FreshInsight,
  type MergeAction,
  type MergedState,
  type StoredInsight,
} from './merge.ts';
export {
  generateInsightsBatch,
  generateSpaceInsights,
  type BatchOptions,
  type BatchResult,
  type BatchSpaceSummary,
  type GenerateOptions,
  type Guardrails,
  type InsightReport,
  type Phraser,
  type PhrasingReport,
  type ProfileReport,
  type SpaceRun,
} from './service.ts';
