/**
 * Every area of the RLS matrix, in the order they run: the SQL-level matrix
 * (supabase/tests/rls-matrix.test.ts) and the same matrix through supabase-js
 * and /rest/v1 (scripts/dev/api/rest/rls-matrix-rest.test.ts) both read this
 * list, so a new area is probed both ways. Add a table's module here.
 */
import type { MatrixArea } from '../support/rls-matrix.ts';
import { ACTIVITY_AREA } from './activity.ts';
import { AI_AREA } from './ai.ts';
import { BANK_AREA } from './bank.ts';
import { INSIGHTS_AREA } from './insights.ts';
import { MEMBERSHIP_AREA } from './membership.ts';
import { MONEY_AREA } from './money.ts';
import { PLAID_AREA } from './plaid.ts';
import { RECEIPTS_AREA } from './receipts.ts';
import { SPLITS_AREA } from './splits.ts';

export const MATRIX_AREAS: readonly MatrixArea[] = [
  MEMBERSHIP_AREA,
  MONEY_AREA,
  RECEIPTS_AREA,
  AI_AREA,
  SPLITS_AREA,
  BANK_AREA,
  PLAID_AREA,
  ACTIVITY_AREA,
  INSIGHTS_AREA,
];
