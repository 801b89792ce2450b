/**
 * ai-chat: the assistant that answers from the person's own data, as the
 * person (RLS), with every figure checked against the tool results.
 * See functions/README.md for the request, the events and the errors.
 */
import type { ModelClient } from '@wallai/assistant';
import { anthropicModel } from '@wallai/assistant/anthropic';
import { ChatError, createChatService, type ChatEvent, type ChatLimits, type ChatService } from '@wallai/assistant/service';
import type { FunctionEnv } from '@wallai/function-env';
import { createAnthropicClient } from '../_shared/ai.ts';
import { authenticateUser, createJwtVerifier, type VerifyToken } from '../_shared/auth.ts';
import { withIdempotency } from '../_shared/idempotency.ts';
import { createDb, transactAsService, transactAsUser, type Db } from '../_shared/db.ts';
import { corsHeaders, describeError, HttpError, jsonResponse, postHandler, readJsonBody, toHttpError } from '../_shared/http.ts';
import { fixedWindowRateLimiter, unlimited, type RateLimiter } from '../_shared/rate-limit.ts';
import { MAX_MESSAGE_CHARS, parseChatRequest } from './schema.ts';

export type Logger = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface ChatDeps {
  readonly db: Db;
  readonly verifyToken: VerifyToken;
  /** The model; null answers offline. */
  readonly model: ModelClient | null;
  readonly limits?: Partial<ChatLimits>;
  /** Default 64 KiB. */
  readonly maxBodyBytes?: number;
  readonly rateLimiter?: RateLimiter;
  readonly now?: () => Date;
  readonly log?: Logger;
}

/** Requests per user and minute, per function instance (as categorize-expense; the token quota bounds the AI's cost). */
export const REQUESTS_PER_MINUTE = 60;

const consoleLogger: Logger = (level, message, fields = {}) => {
  const line = JSON.stringify({ level, fn: 'ai-chat', msg: message, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
};

export function handlerFromEnv(env: FunctionEnv): (req: Request) => Promise<Response> {
  const ai = createAnthropicClient(env);
  return createHandler({
    db: createDb(env.supabaseDbUrl, { max: 4, origin: 'ai-chat' }),
    verifyToken: createJwtVerifier({ secret: env.jwtSecret, jwksUrl: env.jwksUrl, issuer: env.jwtIssuer }),
    model: ai === null ? null : anthropicModel(ai.client, ai.model),
    maxBodyBytes: env.maxBodyBytes,
    rateLimiter: fixedWindowRateLimiter({ limit: REQUESTS_PER_MINUTE, windowMs: 60_000 }),
  });
}

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};

/** One Server-Sent Event: its type as the event name, its JSON as the data line. */
export function sseFrame(event: ChatEvent): string {
  const { type, ...data } = event;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function createHandler(deps: ChatDeps): (req: Request) => Promise<Response> {
  const log = deps.log ?? consoleLogger;
  const maxBodyBytes = deps.maxBodyBytes ?? 64 * 1024;
  const rateLimiter = deps.rateLimiter ?? unlimited;

  const serviceFor = (claims: Parameters<typeof transactAsUser>[1]): ChatService =>
    createChatService({
      asUser: transactAsUser(deps.db, claims),
      // The service role appends the transcript (private.append_chat_turn) and reads the token usage: nothing else.
      backend: transactAsService(deps.db),
      model: deps.model,
      limits: { maxMessageChars: MAX_MESSAGE_CHARS, ...deps.limits },
      ...(deps.now ? { now: deps.now } : {}),
      log,
    });

  return postHandler(
    withIdempotency(
      async (req) => {
        const user = await authenticateUser(req, deps.verifyToken);
        rateLimiter.take(user.id);
        const body = parseChatRequest(await readJsonBody(req, maxBodyBytes));
        const wantsStream =
          body.stream === true || (body.stream !== false && (req.headers.get('accept') ?? '').includes('text/event-stream'));
        let turn;
        try {
          turn = await serviceFor(user.claims).open(user.id, {
            ...(body.conversation_id === undefined ? {} : { conversationId: body.conversation_id }),
            ...(body.space_id === undefined ? {} : { spaceId: body.space_id }),
            ...(body.message === undefined ? {} : { message: body.message }),
            ...(body.confirm === undefined ? {} : { confirm: body.confirm }),
          });
        } catch (error) {
          if (error instanceof ChatError) throw new HttpError(error.status, error.code, error.message, error.details, error.headers);
          throw error;
        }

        if (!wantsStream) {
          const proposals: Array<Extract<ChatEvent, { type: 'proposal' }>> = [];
          const result = await turn.run((event) => {
            if (event.type === 'proposal') proposals.push(event);
          });
          return jsonResponse({
            conversation_id: result.conversation_id,
            answer: result.answer,
            ...(proposals.length > 0 ? { proposals: proposals.map(({ type: _type, ...p }) => p) } : {}),
            ...('outcome' in result ? { outcome: (result as { outcome: unknown }).outcome } : {}),
            trace: result.trace,
            usage: result.usage,
          });
        }

        const encoder = new TextEncoder();
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            let open = true;
            const send = (event: ChatEvent) => {
              if (!open) return;
              try {
                controller.enqueue(encoder.encode(sseFrame(event)));
              } catch {
                // The client went away; the turn still completes and is stored.
                open = false;
              }
            };
            turn
              .run(send)
              .catch((error: unknown) => {
                const http = toHttpError(error, (e) => log('error', 'turn failed', { error: describeError(e) }));
                send({ type: 'error', code: http.code, message: http.message });
              })
              .finally(() => {
                if (!open) return;
                open = false;
                try {
                  controller.close();
                } catch {
                  // already closed by a cancelled client
                }
              });
          },
        });
        return new Response(stream, { status: 200, headers: { ...corsHeaders, ...SSE_HEADERS } });
      },
      { db: deps.db, functionName: 'ai-chat', verifyToken: deps.verifyToken, maxBodyBytes },
    ),
    { report: (error) => log('error', 'unexpected error', { error: describeError(error) }) },
  );
}
