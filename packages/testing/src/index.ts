export { actAs, anon, becomeActor, claimsFor, probeAs, queryAs, serviceRole, user, type Actor } from './acting-as.ts';
export {
  copyTemplate,
  createTestDatabase,
  onRealServer,
  openSnapshot,
  perTestFile,
  useTestDatabase,
  type TestDatabase,
} from './database.ts';
export { createServedTestDatabase, useServedTestDatabase, type ServedTestDatabase } from './served-database.ts';
export type { TestDatabaseSource } from './global-setup.ts';
export { expectSqlError, type SqlError } from './errors.ts';
export {
  addMember,
  createOperator,
  createSpace,
  createUser,
  spaceWithEveryRole,
  type SpaceWithEveryRole,
  type TestSpace,
  type TestUser,
} from './factories.ts';
export { budgetItems, createBudget, createExpense, type TestExpense } from './money-factories.ts';
export {
  daysBefore,
  insightsHousehold,
  recordExpenses,
  setConsent,
  type ExpenseSeed,
  type InsightsHousehold,
} from './insights-factories.ts';
export {
  recomputeTotals,
  totalsDrift,
  totalsDriftSummary,
  type Drift,
  type RecomputedTotal,
  type TotalKind,
  type TotalsDriftSummary,
} from './totals.ts';
export { anonKey, TEST_JWT_SECRET, tokenFor } from './tokens.ts';
export {
  apiError,
  promptOf,
  startFakeAnthropic,
  streamError,
  streamMessage,
  textAnswer,
  toolAnswer,
  type FakeReply,
  type FakeRequest,
  type FakeStreamEvent,
  type StreamedToolCall,
} from './fake-anthropic.ts';
export {
  fakePlaidAccount,
  fakePlaidTransaction,
  startFakePlaid,
  type FakePlaid,
  type FakePlaidError,
  type FakePlaidItem,
  type FakePlaidOptions,
  type FakePlaidRequest,
  type FakePlaidTransaction,
  type FakeSyncPage,
  type FakeSyncStep,
} from './fake-plaid.ts';
export { inMemoryCli, noFiles, type CapturedRun, type CaptureOptions, type CliMain, type CliStreams } from './cli.ts';
