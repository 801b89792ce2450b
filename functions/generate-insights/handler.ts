/**
 * generate-insights: runs the insights service.
 * - The service role (its key, or a JWT whose role is service_role) runs a
 *   batch over a page of active spaces, or one space; pg_cron + pg_net call it
 *   on a schedule (docs/insights.md has the recipe).
 * - A signed-in member refreshes their own space (rate limited per space); a
 *   retry with the same Idempotency-Key is answered from the first attempt.
 * With ANTHROPIC_API_KEY and the space's consent, an LLM may rephrase the
 * texts; offline templates otherwise. See functions/README.md for the
 * request and response reference.
 */
import type { FunctionEnv } from '@wallai/function-env';
import { generateInsightsBatch, generateSpaceInsights, type GenerateOptions, type SpaceRun } from '@wallai/insights-service';
import { createAnthropicClient, isAiUnavailable, type AiConfig } from '../_shared/ai.ts';
import { authenticateUser, bearerToken, createJwtVerifier, type AuthenticatedUser, type VerifyToken } from '../_shared/auth.ts';
import { createDb, transactAsService, transactAsUser, type Db } from '../_shared/db.ts';
import { describeError, HttpError, jsonResponse, postHandler, readJsonBody } from '../_shared/http.ts';
import { withIdempotency } from '../_shared/idempotency.ts';
import { fixedWindowRateLimiter, unlimited, type RateLimiter } from '../_shared/rate-limit.ts';
import { createAnthropicPhraser } from './phraser.ts';
import { DEFAULT_PAGE, parseMemberRequest, parseServiceRequest } from './schema.ts';

export type Logger = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface GenerateInsightsDeps {
  readonly db: Db;
  readonly verifyToken: VerifyToken;
  /** SUPABASE_SERVICE_ROLE_KEY: a bearer equal to it is the service role (Supabase's new secret keys are not JWTs). */
  readonly serviceRoleKey?: string | null;
  /** The Anthropic client and model; null: offline templates only. */
  readonly ai: AiConfig | null;
  /** Default 64 KiB. */
  readonly maxBodyBytes?: number;
  /** Per space, for members' refreshes; default no limit (handlerFromEnv: 6 an hour). */
  readonly rateLimiter?: RateLimiter;
  readonly now?: () => Date;
  readonly log?: Logger;
}

/** A member's refreshes per space and hour, per function instance (each may call the paid AI API). */
export const REFRESHES_PER_HOUR = 6;

const consoleLogger: Logger = (level, message, fields = {}) => {
  const line = JSON.stringify({ level, fn: 'generate-insights', msg: message, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
};

export function handlerFromEnv(env: FunctionEnv): (req: Request) => Promise<Response> {
  return createHandler({
    db: createDb(env.supabaseDbUrl, { origin: 'generate-insights' }),
    verifyToken: createJwtVerifier({ secret: env.jwtSecret, jwksUrl: env.jwksUrl }),
    serviceRoleKey: env.supabaseServiceRoleKey,
    ai: createAnthropicClient(env),
    maxBodyBytes: env.maxBodyBytes,
    rateLimiter: fixedWindowRateLimiter({ limit: REFRESHES_PER_HOUR, windowMs: 60 * 60_000 }),
  });
}

type Caller = { readonly kind: 'service' } | { readonly kind: 'member'; readonly user: AuthenticatedUser };

export function createHandler(deps: GenerateInsightsDeps): (req: Request) => Promise<Response> {
  const log = deps.log ?? consoleLogger;
  const maxBodyBytes = deps.maxBodyBytes ?? 64 * 1024;
  const rateLimiter = deps.rateLimiter ?? unlimited;
  const now = deps.now ?? (() => new Date());
  const options = (): GenerateOptions => ({
    now: now(),
    ...(deps.ai === null
      ? {}
      : {
          phraser: createAnthropicPhraser({
            client: deps.ai.client,
            model: deps.ai.model,
            onInvalidAnswer: (reason, raw) => log('warn', 'unusable phrasing', { reason, raw: String(JSON.stringify(raw)).slice(0, 200) }),
          }),
          onPhrasingError: (error) => log('warn', 'phrasing failed', { error: describeError(error), retryable: isAiUnavailable(error) }),
        }),
  });
  // The insights tables are the backend's to write: the service role, also for a member's refresh.
  const service = transactAsService(deps.db);

  async function authenticate(req: Request): Promise<Caller> {
    const token = bearerToken(req);
    if (deps.serviceRoleKey && token === deps.serviceRoleKey) return { kind: 'service' };
    const claims = await deps.verifyToken(token);
    if (claims.role === 'service_role') return { kind: 'service' };
    return { kind: 'member', user: await authenticateUser(req, async () => claims) };
  }

  async function forService(body: unknown): Promise<Response> {
    const request = parseServiceRequest(body);
    if (request.space_id !== undefined) {
      if (request.limit !== undefined || request.after !== undefined) {
        throw new HttpError(422, 'validation_failed', 'Send { "space_id" } for one space, or { "limit"?, "after"? } for a page.', {
          issues: [{ path: '', code: 'invalid_union', message: 'space_id cannot be combined with limit or after' }],
        });
      }
      const run = await generateSpaceInsights({ load: service, write: service }, request.space_id, options());
      return jsonResponse(spaceResponse(run, 'service'));
    }
    const batch = await generateInsightsBatch(service, {
      ...options(),
      limit: request.limit ?? DEFAULT_PAGE,
      after: request.after ?? null,
      onSpaceError: (spaceId, error) => log('error', 'space run failed', { space_id: spaceId, error: describeError(error) }),
    });
    const failed = batch.spaces.filter((s) => s.outcome === 'failed').length;
    log('info', 'batch done', { spaces: batch.spaces.length, failed, ms: Math.round(batch.ms) });
    return jsonResponse({
      processed: batch.spaces.length,
      failed,
      next_after: batch.next_after,
      ms: Math.round(batch.ms),
      spaces: batch.spaces.map((s) => ({ ...s, ms: Math.round(s.ms) })),
    });
  }

  async function forMember(user: AuthenticatedUser, body: unknown): Promise<Response> {
    const { space_id: spaceId } = parseMemberRequest(body);
    // Membership first (RLS decides), so nobody spends a space's refreshes but its members.
    const [space] = await transactAsUser(
      deps.db,
      user.claims,
    )((query) => query<{ is_active: boolean }>(`select s.is_active from public.spaces s where s.id = $1::uuid`, [spaceId]));
    if (space === undefined) throw new HttpError(404, 'not_found', 'No such space, or you are not a member of it.');
    if (!space.is_active) throw new HttpError(410, 'gone', 'This space is inactive; its insights are not refreshed.');
    rateLimiter.take(`space:${spaceId}`);
    // Loaded as the member (RLS bounds what is read), written by the service role.
    const run = await generateSpaceInsights({ load: transactAsUser(deps.db, user.claims), write: service }, spaceId, options());
    if (run.kind === 'not_found') throw new HttpError(404, 'not_found', 'No such space, or you are not a member of it.');
    return jsonResponse(spaceResponse(run, 'member'));
  }

  return postHandler(
    // A member's retried refresh with the same Idempotency-Key gets the first answer again: the
    // space is not analysed twice, no second LLM call, no second refresh taken from the rate limit.
    // The service role has no keys (they are per person); its runs are idempotent of their own.
    withIdempotency(
      async (req) => {
        const caller = await authenticate(req);
        const body = await readJsonBody(req, maxBodyBytes);
        return caller.kind === 'service' ? forService(body) : forMember(caller.user, body);
      },
      { db: deps.db, functionName: 'generate-insights', verifyToken: deps.verifyToken, maxBodyBytes },
    ),
    { report: (error) => log('error', 'unexpected error', { error: describeError(error) }) },
  );
}

/**
 * One space's outcome in the wire shape. Members see what the space shows
 * them: recommendations only once an operator approved them, and no traces.
 */
export function spaceResponse(run: SpaceRun, audience: 'service' | 'member'): Record<string, unknown> {
  switch (run.kind) {
    case 'not_found':
      throw new HttpError(404, 'not_found', 'No such space.');
    case 'inactive':
      throw new HttpError(410, 'gone', 'This space is inactive; its insights are not refreshed.');
    case 'consent_missing':
      return {
        space_id: run.space_id,
        outcome: run.kind,
        generated_at: run.generated_at,
        reason: run.reason,
        missing_consents: run.missing_consents,
        expired: run.expired,
        persona: null,
        insights: [],
        guardrails: run.guardrails,
      };
    case 'analysed': {
      const insights = run.insights.filter((i) => audience === 'service' || i.review_status === null || i.review_status === 'approved');
      return {
        space_id: run.space_id,
        outcome: run.kind,
        generated_at: run.generated_at,
        engine_version: run.engine_version,
        persona: { id: run.profile.persona_id, name: run.profile.persona_name, changed: run.profile.persona_changed },
        recurring_series: run.recurring_series.length,
        expired: run.expired,
        insights: insights.map((i) => ({
          id: i.id,
          type: i.type,
          rule: i.rule,
          subject: i.subject,
          period: i.period,
          title: i.title,
          description: i.description,
          priority: i.priority,
          confidence: i.confidence,
          action: i.action,
          is_dismissed: i.is_dismissed,
          ...(i.review_status === null ? {} : { review_status: i.review_status, kind: i.kind }),
          phrasing: i.phrasing,
        })),
        ...(audience === 'member' ? { awaiting_review: run.insights.filter((i) => i.review_status === 'pending').length } : {}),
        guardrails: run.guardrails,
      };
    }
  }
}
