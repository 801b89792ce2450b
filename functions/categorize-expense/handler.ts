/**
 * categorize-expense: chooses a category for expenses (history → rules → AI)
 * and stores it, or suggests one for a description without storing anything.
 * See functions/README.md for the request and response reference.
 */
import { DEFAULT_CONFIDENCE_THRESHOLD, type AiClassifier } from '@wallai/categorize';
import { categorizeExpenses, suggestCategories, type ExpenseCategorization, type ServiceOptions } from '@wallai/categorize/service';
import type { FunctionEnv } from '@wallai/function-env';
import { createAnthropicClient, isAiUnavailable, type AiConfig } from '../_shared/ai.ts';
import { authenticateUser, createJwtVerifier, type AuthenticatedUser, type VerifyToken } from '../_shared/auth.ts';
import { withIdempotency } from '../_shared/idempotency.ts';
import { createDb, transactAsUser, type Db } from '../_shared/db.ts';
import { describeError, HttpError, jsonResponse, postHandler, readJsonBody } from '../_shared/http.ts';
import { fixedWindowRateLimiter, unlimited, type RateLimiter } from '../_shared/rate-limit.ts';
import { createAnthropicClassifier } from './classifier.ts';
import { parseCategorizeRequest, type CategorizeResponse, type CategorizeResultItem } from './schema.ts';

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
    db: createDb(env.supabaseDbUrl, { origin: 'categorize-expense' }),
    verifyToken: createJwtVerifier({ secret: env.jwtSecret, jwksUrl: env.jwksUrl, issuer: env.jwtIssuer }),
    ai: createAnthropicClient(env),
    maxBodyBytes: env.maxBodyBytes,
    rateLimiter: fixedWindowRateLimiter({ limit: REQUESTS_PER_MINUTE, windowMs: 60_000 }),
  });
}

export function createHandler(deps: CategorizeDeps): (req: Request) => Promise<Response> {
  const log = deps.log ?? consoleLogger;
  const maxBodyBytes = deps.maxBodyBytes ?? 64 * 1024;
  const rateLimiter = deps.rateLimiter ?? unlimited;
  const llm: AiClassifier | undefined =
    deps.ai === null
      ? undefined
      : createAnthropicClassifier({
          client: deps.ai.client,
          model: deps.ai.model,
          onInvalidAnswer: (reason, raw) => log('warn', 'unusable AI answer', { reason, raw: String(JSON.stringify(raw)).slice(0, 200) }),
        });
  const service: ServiceOptions = {
    ...(llm === undefined ? {} : { llm }),
    threshold: deps.threshold ?? DEFAULT_CONFIDENCE_THRESHOLD,
    aiConcurrency: deps.aiConcurrency ?? 4,
    onStepError: (step, error) => log('warn', `${step} step failed`, { error: describeError(error), retryable: isAiUnavailable(error) }),
  };

  async function categorizeMany(user: AuthenticatedUser, ids: readonly string[], single: boolean): Promise<CategorizeResponse> {
    const outcome = await categorizeExpenses(transactAsUser(deps.db, user.claims), ids, service);
    switch (outcome.kind) {
      case 'done':
        return { results: outcome.results.map(resultItem) };
      case 'ai_unavailable':
        throw aiUnavailableError();
      case 'missing':
        throw new HttpError(
          404,
          'not_found',
          outcome.stage === 'write'
            ? 'An expense disappeared while it was being categorized; nothing was changed.'
            : single
              ? 'No such expense, or you cannot see it.'
              : 'Some expenses do not exist or you cannot see them; nothing was changed.',
          { expense_ids: outcome.expenseIds },
        );
      case 'refused':
        throw new HttpError(
          403,
          'forbidden',
          outcome.stage === 'write'
            ? 'You can no longer change this expense; nothing was changed.'
            : single
              ? 'You can see this expense but not change it.'
              : 'You cannot change some of these expenses; nothing was changed.',
          { expense_ids: outcome.expenseIds },
        );
    }
  }

  async function suggest(
    user: AuthenticatedUser,
    spaceId: string,
    description: string,
    amount: number | undefined,
  ): Promise<CategorizeResponse> {
    const suggestions = await suggestCategories(
      transactAsUser(deps.db, user.claims),
      spaceId,
      [{ description, ...(amount === undefined ? {} : { amount }) }],
      service,
    );
    if (suggestions === null) throw new HttpError(404, 'not_found', 'No such space, or you are not a member of it.');
    const [suggestion] = suggestions;
    if (suggestion === undefined || suggestion.aiUnavailable) throw aiUnavailableError();
    const { category, confidence, source } = suggestion;
    return { results: [{ category, confidence, source, written: false }] };
  }

  return postHandler(
    withIdempotency(
      async (req) => {
        const user = await authenticateUser(req, deps.verifyToken);
        rateLimiter.take(user.id);
        const request = parseCategorizeRequest(await readJsonBody(req, maxBodyBytes));
        let response: CategorizeResponse;
        switch (request.kind) {
          case 'single':
            response = await categorizeMany(user, [request.expense_id], true);
            break;
          case 'batch':
            response = await categorizeMany(user, request.expense_ids, false);
            break;
          case 'suggest':
            response = await suggest(user, request.space_id, request.description.trim(), request.amount);
            break;
        }
        return jsonResponse(response);
      },
      { db: deps.db, functionName: 'categorize-expense', verifyToken: deps.verifyToken, maxBodyBytes },
    ),
    { report: (error) => log('error', 'unexpected error', { error: describeError(error) }) },
  );
}

/** The service's answer in the function's wire shape. */
function resultItem(item: ExpenseCategorization): CategorizeResultItem {
  return {
    expense_id: item.expenseId,
    category: item.category,
    confidence: item.confidence,
    source: item.source,
    written: item.written,
    ...(item.skipped === undefined ? {} : { skipped: item.skipped }),
  };
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
