/**
 * The categorization service: load → decide → write for a set of expenses,
 * and suggestions for descriptions, against the database. It is what the
 * `categorize-expense` function, `npm run categorize --space`, the bank import
 * and the chat use.
 *
 * The data rules live in SQL (supabase/migrations/*_categorization.sql):
 * `month_categories` (the candidates), `category_history` (the neighbours, on
 * the ERD's trigram index) and `apply_auto_category` (the one write, which
 * never overwrites a person's category). This module opens no connection: the
 * caller hands it a transaction runner that acts as the signed-in user (RLS
 * applies) or, explicitly, as the service role. It runs in Node and Deno.
 */
import { CATEGORY_KEYS, FALLBACK_CATEGORY } from '@wallai/domain';
import type { AiClassifier } from './ai.ts';
import type { HistoryNeighbour } from './history.ts';
import { categorize, FALLBACK_CONFIDENCE, type CategorizationResult, type CategorizationSource } from './pipeline.ts';

/** Runs one statement in the current transaction (postgres.js `tx.unsafe`, a db-client `query`). */
export type Query = <T extends Record<string, unknown>>(text: string, params: readonly unknown[]) => Promise<T[]>;

/** Runs fn in one transaction as the caller: committed when it resolves, rolled back when it throws. */
export type Transact = <T>(fn: (query: Query) => Promise<T>) => Promise<T>;

/** Neighbours asked from history per expense; the vote only needs the closest few. */
export const HISTORY_NEIGHBOURS = 10;

export type CategorySource = 'default' | 'user' | CategorizationSource;

export interface ServiceOptions {
  /** The AI step; undefined runs offline (history and rules only). */
  readonly llm?: AiClassifier;
  /** Confidence at which a step's answer is accepted (the pipeline's default otherwise). */
  readonly threshold?: number;
  /** AI calls in flight at once for a batch; default 4. */
  readonly aiConcurrency?: number;
  /** Hears about failed history or AI steps (categorization carries on without them). */
  readonly onStepError?: (step: 'history' | 'ai', error: unknown) => void;
}

export interface ExpenseCategorization {
  readonly expenseId: string;
  readonly category: string;
  /** 0-1 with two decimals (what `expenses.ai_category_confidence` stores); 1 for a person's category. */
  readonly confidence: number;
  /** The step that decided; `user` when the expense keeps a category a person chose. */
  readonly source: CategorizationSource | 'user';
  /** Whether the expense row was updated. */
  readonly written: boolean;
  /** Why nothing was written: a person's category, or only the AI could have answered and it was unreachable. */
  readonly skipped?: 'user_category' | 'ai_unavailable';
}

/** Where in the flow expenses went missing or out of reach: while loading, or between the decision and the write. */
export type Stage = 'load' | 'write';

export type CategorizeExpensesOutcome =
  | { readonly kind: 'done'; readonly results: readonly ExpenseCategorization[] }
  /** Some expenses do not exist or the caller cannot see them; nothing was changed. */
  | { readonly kind: 'missing'; readonly stage: Stage; readonly expenseIds: readonly string[] }
  /** The caller can see some expenses but not change them; nothing was changed. */
  | { readonly kind: 'refused'; readonly stage: Stage; readonly expenseIds: readonly string[] }
  /** Every expense needed the AI and it could not be reached; nothing was changed. */
  | { readonly kind: 'ai_unavailable' };

export interface Suggestion extends CategorizationResult {
  /** Only the AI could have answered, and it could not be reached: this is the offline fallback. */
  readonly aiUnavailable: boolean;
}

interface ExpenseTarget extends Record<string, unknown> {
  id: string;
  space_id: string;
  description: string;
  amount: string;
  category: string;
  category_source: CategorySource;
  budget_categories: string[];
}

/** Ids travel as one text parameter: the same on postgres.js and PGlite. */
const idList = (ids: readonly string[]): string => ids.join(',');

/**
 * Categorizes and stores the expenses, as the caller of `transact`:
 * 1. one transaction loads what the caller can see and lock for update, the
 *    month's candidate categories and the history neighbours;
 * 2. the pipeline decides outside any transaction (the AI may take seconds);
 * 3. one transaction writes every answer through `apply_auto_category`.
 * All or nothing: if an expense vanished or became unwritable in between,
 * the write transaction rolls back and the outcome says which.
 */
export async function categorizeExpenses(
  transact: Transact,
  requestedIds: readonly string[],
  options: ServiceOptions = {},
): Promise<CategorizeExpensesOutcome> {
  const ids = [...new Set(requestedIds.map((id) => id.toLowerCase()))];

  const loaded = await transact(async (query) => {
    const visible = await query<ExpenseTarget>(
      `select e.id, e.space_id, e.description, e.amount::text as amount, e.category, e.category_source,
              public.month_categories(e.space_id, e.date) as budget_categories
         from public.expenses e
        where e.id = any(string_to_array($1::text, ',')::uuid[])`,
      [idList(ids)],
    );
    const missing = ids.filter((id) => !visible.some((e) => e.id === id));
    if (missing.length > 0) return { kind: 'missing' as const, expenseIds: missing };
    // Row locking applies the UPDATE policy as well as the SELECT one, so the
    // rows the caller cannot change are filtered out (viewers, members on
    // someone else's expense, inactive spaces).
    const writable = new Set(
      (
        await query<{ id: string }>(
          `select e.id from public.expenses e where e.id = any(string_to_array($1::text, ',')::uuid[]) for update`,
          [idList(ids)],
        )
      ).map((row) => row.id),
    );
    const refused = ids.filter((id) => !writable.has(id));
    if (refused.length > 0) return { kind: 'refused' as const, expenseIds: refused };
    const toCategorize = visible.filter((e) => e.category_source !== 'user');
    const history = await historyForExpenses(
      query,
      toCategorize.map((e) => e.id),
    );
    return { kind: 'loaded' as const, visible, toCategorize, history };
  });
  if (loaded.kind !== 'loaded') return { ...loaded, stage: 'load' };

  const decisions = await decideAll(loaded.toCategorize, loaded.history, options);
  const unavailable = loaded.toCategorize.filter((e) => decisions.get(e.id)?.aiUnavailable === true);
  if (unavailable.length > 0 && unavailable.length === ids.length) return { kind: 'ai_unavailable' };

  try {
    const results = await transact(async (query) => {
      const byId = new Map<string, ExpenseCategorization>();
      for (const expense of loaded.visible) {
        const decision = decisions.get(expense.id);
        if (decision === undefined) {
          byId.set(expense.id, keptCategory(expense.id, expense.category));
          continue;
        }
        const { category, confidence, source } = decision;
        if (decision.aiUnavailable) {
          byId.set(expense.id, { expenseId: expense.id, category, confidence, source, written: false, skipped: 'ai_unavailable' });
          continue;
        }
        const [row] = await query<{ outcome: string; category: string | null }>(
          `select o.outcome, (select e.category from public.expenses e where e.id = $1::uuid) as category
             from public.apply_auto_category($1::uuid, $2, $3::numeric, $4) as o(outcome)`,
          [expense.id, category, confidence.toFixed(2), source],
        );
        switch (row?.outcome) {
          case 'written':
            byId.set(expense.id, { expenseId: expense.id, category, confidence, source, written: true });
            break;
          case 'user_category':
            byId.set(expense.id, keptCategory(expense.id, row.category ?? FALLBACK_CATEGORY));
            break;
          case 'not_writable':
            throw new WriteAborted({ kind: 'refused', stage: 'write', expenseIds: [expense.id] });
          default:
            throw new WriteAborted({ kind: 'missing', stage: 'write', expenseIds: [expense.id] });
        }
      }
      return ids.map((id) => byId.get(id)).filter((item): item is ExpenseCategorization => item !== undefined);
    });
    return { kind: 'done', results };
  } catch (error) {
    if (error instanceof WriteAborted) return error.outcome;
    throw error;
  }
}

/**
 * Suggestions for descriptions in a space, written nowhere: history from the
 * space's categorized expenses (what the caller may read), candidates from the
 * space's budget for this month in its time zone unless given. Null when the
 * caller cannot see the space.
 */
export async function suggestCategories(
  transact: Transact,
  spaceId: string,
  items: ReadonlyArray<{ readonly description: string; readonly amount?: number }>,
  options: ServiceOptions & { readonly candidates?: readonly string[]; readonly onHistoryProgress?: (done: number) => void } = {},
): Promise<Suggestion[] | null> {
  const loaded = await transact(async (query) => {
    const [space] = await query<{ budget_categories: string[] }>(
      `select public.month_categories(s.id) as budget_categories from public.spaces s where s.id = $1::uuid`,
      [spaceId],
    );
    if (space === undefined) return null;
    const history = await historyForDescriptions(
      query,
      spaceId,
      items.map((item) => item.description),
      options.onHistoryProgress,
    );
    return { candidates: options.candidates ?? candidatesFrom(space.budget_categories), history };
  });
  if (loaded === null) return null;
  const suggestions: Suggestion[] = [];
  for (const [i, item] of items.entries()) {
    suggestions.push(await decide(item.description, item.amount, loaded.candidates, loaded.history[i] ?? [], options));
  }
  return suggestions;
}

/** Descriptions per history round trip. */
const HISTORY_BATCH = 200;

/** The history neighbours of each description in the space, in order (one query per 200 descriptions). */
export async function historyForDescriptions(
  query: Query,
  spaceId: string,
  descriptions: readonly string[],
  onProgress: (done: number) => void = () => {},
): Promise<HistoryNeighbour[][]> {
  const result: HistoryNeighbour[][] = descriptions.map(() => []);
  for (let start = 0; start < descriptions.length; start += HISTORY_BATCH) {
    const batch = descriptions.slice(start, start + HISTORY_BATCH);
    const rows = await query<{ ord: number; category: string; similarity: number }>(
      `select d.ord::int as ord, h.category, h.similarity
         from jsonb_array_elements_text($2::text::jsonb) with ordinality as d(description, ord)
        cross join lateral public.category_history($1::uuid, d.description, $3::int) as h`,
      [spaceId, JSON.stringify(batch), HISTORY_NEIGHBOURS],
    );
    for (const row of rows) result[start + Number(row.ord) - 1]?.push({ category: row.category, similarity: Number(row.similarity) });
    onProgress(start + batch.length);
  }
  return result;
}

/** The history neighbours of each expense among its own space's other categorized expenses. */
async function historyForExpenses(query: Query, ids: readonly string[]): Promise<Map<string, HistoryNeighbour[]>> {
  const byExpense = new Map<string, HistoryNeighbour[]>();
  if (ids.length === 0) return byExpense;
  const rows = await query<{ expense_id: string; category: string; similarity: number }>(
    `select e.id as expense_id, h.category, h.similarity
       from public.expenses e
      cross join lateral public.category_history(e.space_id, e.description, $2::int, e.id) as h
      where e.id = any(string_to_array($1::text, ',')::uuid[])`,
    [idList(ids), HISTORY_NEIGHBOURS],
  );
  for (const row of rows) {
    const list = byExpense.get(row.expense_id) ?? [];
    list.push({ category: row.category, similarity: Number(row.similarity) });
    byExpense.set(row.expense_id, list);
  }
  return byExpense;
}

/** The space's budget categories for the month, else the default taxonomy; `other` is always allowed. */
export function candidatesFrom(budgetCategories: readonly string[]): string[] {
  const base = budgetCategories.length > 0 ? [...new Set(budgetCategories)] : [...CATEGORY_KEYS];
  if (!base.includes(FALLBACK_CATEGORY)) base.push(FALLBACK_CATEGORY);
  return base;
}

async function decide(
  description: string,
  amount: number | undefined,
  candidates: readonly string[],
  history: readonly HistoryNeighbour[],
  options: ServiceOptions,
): Promise<Suggestion> {
  let aiError: unknown = null;
  const result = await categorize(
    { description, ...(amount === undefined ? {} : { amount }) },
    {
      candidates,
      history: async () => [...history],
      ...(options.llm === undefined ? {} : { llm: options.llm }),
      ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
      onStepError: (step, error) => {
        if (step === 'ai') aiError = error;
        options.onStepError?.(step, error);
      },
    },
  );
  const onlyFallback = result.source === 'rules' && result.confidence === FALLBACK_CONFIDENCE;
  return { ...result, confidence: roundConfidence(result.confidence), aiUnavailable: aiError !== null && onlyFallback };
}

async function decideAll(
  targets: readonly ExpenseTarget[],
  history: Map<string, HistoryNeighbour[]>,
  options: ServiceOptions,
): Promise<Map<string, Suggestion>> {
  const decisions = new Map<string, Suggestion>();
  const queue = [...targets];
  const worker = async () => {
    for (let target = queue.shift(); target !== undefined; target = queue.shift()) {
      const amount = Number(target.amount);
      decisions.set(
        target.id,
        await decide(
          target.description,
          Number.isFinite(amount) ? amount : undefined,
          candidatesFrom(target.budget_categories),
          history.get(target.id) ?? [],
          options,
        ),
      );
    }
  };
  const concurrency = Math.max(1, options.aiConcurrency ?? 4);
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  return decisions;
}

function roundConfidence(value: number): number {
  return Math.min(1, Math.max(0, Math.round(value * 100) / 100));
}

function keptCategory(expenseId: string, category: string): ExpenseCategorization {
  return { expenseId, category, confidence: 1, source: 'user', written: false, skipped: 'user_category' };
}

/** Rolls the write transaction back and carries the outcome out of it. */
class WriteAborted extends Error {
  constructor(readonly outcome: Extract<CategorizeExpensesOutcome, { kind: 'missing' | 'refused' }>) {
    super(`categorization write aborted: ${outcome.kind}`);
  }
}
