/** Request and response shapes of `categorize-expense`. */
import { z } from 'zod';
import { HttpError } from '../_shared/http.ts';
import { parseInput } from '../_shared/validation.ts';

export const MAX_BATCH = 100;

/** Any 8-4-4-4-12 hex id, as Postgres' uuid type accepts (seed data uses non-v4 ids). */
const Id = z.guid({ error: 'must be a uuid' });

export const SingleRequest = z.strictObject({ expense_id: Id });
export const BatchRequest = z.strictObject({
  expense_ids: z
    .array(Id)
    .min(1, { error: 'must list at least one expense id' })
    .max(MAX_BATCH, { error: `must list at most ${MAX_BATCH} expense ids` }),
});
export const SuggestRequest = z.strictObject({
  space_id: Id,
  description: z
    .string()
    .refine((value) => value.trim().length >= 1 && value.trim().length <= 500, { error: 'must be 1 to 500 characters' }),
  amount: z.number().positive().max(9_999_999_999.99).optional(),
});

export type CategorizeRequest =
  | ({ kind: 'single' } & z.output<typeof SingleRequest>)
  | ({ kind: 'batch' } & z.output<typeof BatchRequest>)
  | ({ kind: 'suggest' } & z.output<typeof SuggestRequest>);

/** Picks the request form by its key, so validation issues speak about that form only. */
export function parseCategorizeRequest(body: unknown): CategorizeRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(422, 'validation_failed', 'The request body must be a JSON object.', {
      issues: [{ path: '', code: 'invalid_type', message: 'expected an object' }],
    });
  }
  if ('expense_id' in body) return { kind: 'single', ...parseInput(SingleRequest, body) };
  if ('expense_ids' in body) return { kind: 'batch', ...parseInput(BatchRequest, body) };
  if ('space_id' in body || 'description' in body) return { kind: 'suggest', ...parseInput(SuggestRequest, body) };
  throw new HttpError(
    422,
    'validation_failed',
    'Send { "expense_id" }, { "expense_ids": [...] } or { "space_id", "description", "amount"? }.',
    { issues: [{ path: '', code: 'invalid_union', message: 'expected expense_id, expense_ids or space_id + description' }] },
  );
}

export type ResultSource = 'history' | 'rules' | 'ai' | 'user';

export interface CategorizeResultItem {
  /** Absent for suggestions. */
  expense_id?: string;
  category: string;
  /** 0-1, two decimals (what `expenses.ai_category_confidence` stores); 1 for a person's category. */
  confidence: number;
  /** The step that decided; `user` when the expense keeps a category a person chose. */
  source: ResultSource;
  /** Whether the expense row was updated by this request. */
  written: boolean;
  /**
   * Why nothing was written for an expense:
   * `user_category`: a person chose its category; it is never overwritten.
   * `ai_unavailable`: only the AI could have answered and it was unreachable
   * (in a batch; a single request answers 503 instead). The result is the
   * offline fallback, not stored, so the expense can be categorized later.
   */
  skipped?: 'user_category' | 'ai_unavailable';
}

export interface CategorizeResponse {
  results: CategorizeResultItem[];
}
