/**
 * categorize-expense: chooses a category for expenses (history → rules → AI)
 * and stores it, or suggests one for a description without storing anything.
 * See functions/README.md for the request and response reference.
 */
import {
  categorize,
  DEFAULT_CONFIDENCE_THRESHOLD,
  FALLBACK_CONFIDENCE,
  type AiClassifier,
  type CategorizationResult,
  type HistoryNeighbour,
} from '@wallai/categorize';
import { CATEGORY_KEYS, FALLBACK_CATEGORY } from '@wallai/domain';
import type { FunctionEnv } from '@wallai/function-env';
import { createAnthropicClient, isAiUnavailable, type AiConfig } from '../_shared/ai.ts';
import { authenticateUser, createJwtVerifier, type AuthenticatedUser, type VerifyToken } from '../_shared/auth.ts';
import { createDb, type Db, type Tx } from '../_shared/db.ts';
import { describeError, HttpError, jsonResponse, postHandler, readJsonBody } from '../_shared/http.ts';
import { fixedWindowRateLimiter, unlimited, type RateLimiter } from '../_shared/rate-limit.ts';
import { createAnthropicClassifier } from './classifier.ts';
import { parseCategorizeRequest, type CategorizeResponse, type CategorizeResultItem } from './schema.ts';
import {
  historyForDescription,
  historyForExpenses,
  loadVisibleExpenses,
  loadVisibleSpace,
  lockWritableExpenses,
  writeCategory,
  type ExpenseTarget,
} from './store.ts';

export type Logger = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface CategorizeDeps {
  readonly db: Db;
  readonly verifyToken: VerifyToken;
  /** The Anthropic client and model; null runs offline (history and rules only). */
  readonly ai: AiConfig | null;
  /** Default 64 KiB. */
  readonly maxBodyBytes?: number;
  /** Confidence at which a step's answer is accepted; default 0.8. */
  readonly threshold?: number;
  /** Default: no limit (handlerFromEnv sets 60 requests per user and minute). */
  readonly rateLimiter?: RateLimiter;
  /** AI calls in flight at once for a batch; default 4. */
  readonly aiConcurrency?: number;
  readonly log?: Logger;
}

/** Requests per user and minute, per function instance (each may call the paid AI API). */
export const REQUESTS_PER_MINUTE = 60;
/** Seconds a client is told to wait after a 503. */
const AI_RETRY_AFTER_SECONDS = 30;

const consoleLogger: Logger = (level, message, fields = {}) => {
  const line = JSON.stringify({ level, fn: 'categorize-expense', msg: message, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
};

export function handlerFromEnv(env: FunctionEnv): (req: Request) => Promise<Response> {
  return createHandler({
    db: createDb(env.supabaseDbUrl),
    verifyToken: createJwtVerifier({ secret: env.jwtSecret, jwksUrl: env.jwksUrl }),
    ai: createAnthropicClient(env),
    maxBodyBytes: env.maxBodyBytes,
    rateLimiter: fixedWindowRateLimiter({ limit: REQUESTS_PER_MINUTE, windowMs: 60_000 }),
  });
}

interface Decision {
  readonly result: CategorizationResult;
  /** Only the AI could have answered, and it could not be reached. */
  readonly aiUnavailable: boolean;
}

export function createHandler(deps: CategorizeDeps): (req: Request) => Promise<Response> {
  const log = deps.log ?? consoleLogger;
  const maxBodyBytes = deps.maxBodyBytes ?? 64 * 1024;
  const threshold = deps.threshold ?? DEFAULT_CONFIDENCE_THRESHOLD;
  const rateLimiter = deps.rateLimiter ?? unlimited;
  const aiConcurrency = Math.max(1, deps.aiConcurrency ?? 4);
  const llm: AiClassifier | undefined =
    deps.ai === null
      ? undefined
      : createAnthropicClassifier({
          client: deps.ai.client,
          model: deps.ai.model,
          onInvalidAnswer: (reason, raw) => log('warn', 'unusable AI answer', { reason, raw: String(JSON.stringify(raw)).slice(0, 200) }),
        });

  async function decide(
    description: string,
    amount: number | undefined,
    candidates: string[],
    history: HistoryNeighbour[],
  ): Promise<Decision> {
    let aiError: unknown = null;
    const result = await categorize(
      { description, ...(amount === undefined ? {} : { amount }) },
      {
        candidates,
        history: async () => history,
        ...(llm === undefined ? {} : { llm }),
        threshold,
        onStepError: (step, error) => {
          if (step === 'ai') aiError = error;
          log('warn', `${step} step failed`, { error: describeError(error), retryable: isAiUnavailable(error) });
        },
      },
    );
    const onlyFallback = result.source === 'rules' && result.confidence === FALLBACK_CONFIDENCE;
    return { result: { ...result, confidence: roundConfidence(result.confidence) }, aiUnavailable: aiError !== null && onlyFallback };
  }

  async function decideAll(targets: readonly ExpenseTarget[], history: Map<string, HistoryNeighbour[]>): Promise<Map<string, Decision>> {
    const decisions = new Map<string, Decision>();
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
          ),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(aiConcurrency, targets.length) }, worker));
    return decisions;
  }

  async function categorizeExpenses(
    user: AuthenticatedUser,
    requestedIds: readonly string[],
    single: boolean,
  ): Promise<CategorizeResponse> {
    const ids = [...new Set(requestedIds.map((id) => id.toLowerCase()))];

    // 1. What the caller can see and change, the month's categories and the
    //    history neighbours: one short transaction as the user.
    const loaded = await deps.db.asUser(user.claims, async (tx) => {
      const visible = await loadVisibleExpenses(tx, ids);
      const missing = ids.filter((id) => !visible.some((e) => e.id === id));
      if (missing.length > 0) {
        throw new HttpError(
          404,
          'not_found',
          single ? 'No such expense, or you cannot see it.' : 'Some expenses do not exist or you cannot see them; nothing was changed.',
          { expense_ids: missing },
        );
      }
      const writable = await lockWritableExpenses(tx, ids);
      const refused = ids.filter((id) => !writable.has(id));
      if (refused.length > 0) {
        throw new HttpError(
          403,
          'forbidden',
          single ? 'You can see this expense but not change it.' : 'You cannot change some of these expenses; nothing was changed.',
          { expense_ids: refused },
        );
      }
      const toCategorize = visible.filter((e) => e.category_source !== 'user');
      const history =
        toCategorize.length > 0
          ? await historyForExpenses(
              tx,
              toCategorize.map((e) => e.id),
            )
          : new Map();
      return { visible, toCategorize, history };
    });

    // 2. The pipeline, outside any transaction: the AI may take seconds.
    const decisions = await decideAll(loaded.toCategorize, loaded.history);
    const unavailable = loaded.toCategorize.filter((e) => decisions.get(e.id)?.aiUnavailable === true);
    if (unavailable.length > 0 && unavailable.length === ids.length) {
      throw aiUnavailableError();
    }

    // 3. The writes: one transaction as the user.
    const outcomes = await deps.db.asUser(user.claims, async (tx) => {
      const results = new Map<string, CategorizeResultItem>();
      for (const expense of loaded.visible) {
        const decision = decisions.get(expense.id);
        if (decision === undefined) {
          results.set(expense.id, userCategory(expense));
          continue;
        }
        const { category, confidence, source } = decision.result;
        if (decision.aiUnavailable) {
          results.set(expense.id, { expense_id: expense.id, category, confidence, source, written: false, skipped: 'ai_unavailable' });
          continue;
        }
        const outcome = await writeCategory(tx, expense.id, { category, confidence, source });
        if (outcome === 'not_visible') {
          throw new HttpError(404, 'not_found', 'An expense disappeared while it was being categorized; nothing was changed.', {
            expense_ids: [expense.id],
          });
        }
        if (outcome === 'not_writable') {
          throw new HttpError(403, 'forbidden', 'You can no longer change this expense; nothing was changed.', {
            expense_ids: [expense.id],
          });
        }
        results.set(
          expense.id,
          outcome === 'user_category'
            ? {
                expense_id: expense.id,
                category: await currentCategory(expense.id, tx),
                confidence: 1,
                source: 'user',
                written: false,
                skipped: 'user_category',
              }
            : { expense_id: expense.id, category, confidence, source, written: true },
        );
      }
      return results;
    });

    return { results: ids.map((id) => outcomes.get(id)).filter((item): item is CategorizeResultItem => item !== undefined) };
  }

  async function suggest(
    user: AuthenticatedUser,
    spaceId: string,
    description: string,
    amount: number | undefined,
  ): Promise<CategorizeResponse> {
    const loaded = await deps.db.asUser(user.claims, async (tx) => {
      const space = await loadVisibleSpace(tx, spaceId);
      if (space === null) throw new HttpError(404, 'not_found', 'No such space, or you are not a member of it.');
      return { space, history: await historyForDescription(tx, spaceId, description) };
    });
    const decision = await decide(description, amount, candidatesFrom(loaded.space.budget_categories), loaded.history);
    if (decision.aiUnavailable) throw aiUnavailableError();
    const { category, confidence, source } = decision.result;
    return { results: [{ category, confidence, source, written: false }] };
  }

  return postHandler(
    async (req) => {
      const user = await authenticateUser(req, deps.verifyToken);
      rateLimiter.take(user.id);
      const request = parseCategorizeRequest(await readJsonBody(req, maxBodyBytes));
      let response: CategorizeResponse;
      switch (request.kind) {
        case 'single':
          response = await categorizeExpenses(user, [request.expense_id], true);
          break;
        case 'batch':
          response = await categorizeExpenses(user, request.expense_ids, false);
          break;
        case 'suggest':
          response = await suggest(user, request.space_id, request.description.trim(), request.amount);
          break;
      }
      return jsonResponse(response);
    },
    { report: (error) => log('error', 'unexpected error', { error: describeError(error) }) },
  );
}

/** The space's budget categories for the month, else the default taxonomy; `other` is always allowed. */
export function candidatesFrom(budgetCategories: readonly string[]): string[] {
  const base = budgetCategories.length > 0 ? [...new Set(budgetCategories)] : [...CATEGORY_KEYS];
  if (!base.includes(FALLBACK_CATEGORY)) base.push(FALLBACK_CATEGORY);
  return base;
}

function roundConfidence(value: number): number {
  return Math.min(1, Math.max(0, Math.round(value * 100) / 100));
}

function userCategory(expense: ExpenseTarget): CategorizeResultItem {
  return { expense_id: expense.id, category: expense.category, confidence: 1, source: 'user', written: false, skipped: 'user_category' };
}

async function currentCategory(id: string, tx: Tx): Promise<string> {
  const [row] = await tx<{ category: string }[]>`select category from public.expenses where id = ${id}::uuid`;
  return row?.category ?? FALLBACK_CATEGORY;
}

function aiUnavailableError(): HttpError {
  return new HttpError(
    503,
    'ai_unavailable',
    'The AI categorizer is unavailable and nothing else could categorize this expense. Retry later.',
    { retry_after_seconds: AI_RETRY_AFTER_SECONDS },
    { 'Retry-After': String(AI_RETRY_AFTER_SECONDS) },
  );
}
