/**
 * HTTP plumbing shared by the edge functions: CORS as Supabase documents it,
 * JSON errors `{ "error": { "code", "message", "details"? } }` with stable codes,
 * a byte-limited JSON body reader, and the mapping from Postgres errors to statuses.
 */

import { CORS_ALLOW_HEADERS } from '@wallai/function-env/cors';

export const corsHeaders: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS,
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
};

/** Stable error codes: clients switch on these, never on messages. */
export type ErrorCode =
  | 'malformed_json'
  | 'missing_token'
  | 'invalid_token'
  | 'token_expired'
  | 'not_a_user'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'gone'
  | 'payload_too_large'
  | 'request_timeout'
  | 'validation_failed'
  | 'rate_limited'
  | 'ai_unavailable'
  | 'database_unavailable'
  | 'unreadable_file'
  | 'import_failed'
  | 'plaid_not_configured'
  | 'plaid_unavailable'
  | 'plaid_rejected'
  | 'item_login_required'
  | 'internal_error';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...corsHeaders, 'Content-Type': 'application/json; charset=utf-8', ...headers },
  });
}

export function errorResponse(error: HttpError): Response {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.details !== undefined) body.error.details = error.details;
  return jsonResponse(body, error.status, { ...error.headers });
}

/**
 * Postgres errors a request can cause, as PostgREST would answer them.
 * Our RPCs and triggers raise `PTxxx` for HTTP status xxx; 42501 is a
 * privilege or RLS refusal; 22023/23514/22P02 are rejected values, 22021 a
 * character the database cannot store (NUL), should one get past validation.
 */
const POSTGRES_STATUS: Readonly<Record<string, [number, ErrorCode]>> = {
  '42501': [403, 'forbidden'],
  PT403: [403, 'forbidden'],
  PT404: [404, 'not_found'],
  PT409: [409, 'conflict'],
  PT410: [410, 'gone'],
  PT429: [429, 'rate_limited'],
  '22023': [422, 'validation_failed'],
  '23514': [422, 'validation_failed'],
  '22P02': [422, 'validation_failed'],
  '22021': [422, 'validation_failed'],
};

/** Seconds a client is told to wait after the database failed under a request. */
const DATABASE_RETRY_AFTER_SECONDS = 1;
/** Connection failures as postgres.js and Node report them. */
const CONNECTION_ERRORS = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * Faults of the database rather than of the request, after which the request's
 * transaction is rolled back and a retry may succeed: a statement timeout or
 * cancel (57014), an administrator's shutdown or a crash (57P01–57P03), a lost
 * connection (class 08, or the driver's own codes), too many connections
 * (53300), a serialization failure or deadlock (40001, 40P01).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code } = error as { code?: unknown };
  if (typeof code !== 'string') return false;
  return (
    CONNECTION_ERRORS.has(code) ||
    /^08[0-9A-Z]{3}$/.test(code) ||
    ['57014', '57P01', '57P02', '57P03', '53300', '40001', '40P01'].includes(code)
  );
}

function postgresError(error: unknown): { code: string; message: string } | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
  // postgres.js raises PostgresError; anything with a 5-character SQLSTATE is treated alike.
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return null;
  if (name !== undefined && name !== 'PostgresError' && !(code in POSTGRES_STATUS)) return null;
  return { code, message: typeof message === 'string' ? message : '' };
}

/**
 * Any thrown value as an HttpError. Unknown errors become a 500 whose message
 * says nothing about internals; `report` hears about them for the logs.
 */
export function toHttpError(error: unknown, report: (error: unknown) => void = logUnexpected): HttpError {
  if (error instanceof HttpError) return error;
  if (isDatabaseUnavailable(error)) {
    report(error);
    return new HttpError(
      503,
      'database_unavailable',
      'The database could not finish the request (timeout, restart or lost connection). Retry shortly, with the same Idempotency-Key to be safe.',
      undefined,
      { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
    );
  }
  const pg = postgresError(error);
  if (pg !== null) {
    const mapped = POSTGRES_STATUS[pg.code];
    if (mapped !== undefined) {
      const [status, code] = mapped;
      return new HttpError(status, code, pg.message || code.replace('_', ' '), { sqlstate: pg.code });
    }
  }
  report(error);
  return new HttpError(500, 'internal_error', 'Something went wrong on our side. Try again later.');
}

function logUnexpected(error: unknown): void {
  console.error(JSON.stringify({ level: 'error', msg: 'unexpected error', error: describeError(error) }));
}

export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const { code } = error as { code?: unknown };
    return { name: error.name, message: error.message, ...(code === undefined ? {} : { code }) };
  }
  return { value: String(error) };
}

/** How long a client may take to send its whole body: a slow client cannot hold a function instance. */
export const BODY_TIMEOUT_MS = 10_000;

/**
 * Reads the body's bytes, refusing more than `maxBytes` (413) whether or not
 * Content-Length is sent: the stream is counted as it arrives and abandoned at
 * the limit. A body that has not fully arrived within `timeoutMs` (default
 * BODY_TIMEOUT_MS) is abandoned too: 408 `request_timeout`.
 */
export async function readBodyBytes(
  req: Request,
  maxBytes: number,
  options: { timeoutMs?: number } = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () =>
    new HttpError(413, 'payload_too_large', `The request body is larger than ${maxBytes} bytes.`, { max_bytes: maxBytes });
  const declared = req.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) throw tooLarge();

  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body !== null) {
    const timeoutMs = options.timeoutMs ?? BODY_TIMEOUT_MS;
    const reader = req.body.getReader();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new HttpError(408, 'request_timeout', `The request body did not arrive within ${timeoutMs / 1000} s.`, {
              timeout_ms: timeoutMs,
            }),
          ),
        timeoutMs,
      );
    });
    try {
      for (;;) {
        const { done, value } = await Promise.race([reader.read(), deadline]);
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) throw tooLarge();
        chunks.push(value);
      }
    } catch (error) {
      await reader.cancel().catch(() => {});
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Reads the body as JSON, refusing more than `maxBytes` (413) whether or not
 * Content-Length is sent: the stream is counted as it arrives and abandoned
 * at the limit. Empty or unparseable bodies are 400.
 */
export async function readJsonBody(req: Request, maxBytes: number, options: { timeoutMs?: number } = {}): Promise<unknown> {
  const bytes = await readBodyBytes(req, maxBytes, options);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'malformed_json', 'The request body is not valid UTF-8.');
  }
  if (text.trim() === '') throw new HttpError(400, 'malformed_json', 'The request body is empty; send a JSON object.');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'malformed_json', 'The request body is not valid JSON.');
  }
}

/**
 * Wraps a POST handler: answers CORS preflights (204), refuses other methods
 * (405), turns thrown errors into JSON error responses, and puts the CORS
 * headers on every response.
 */
export function postHandler(
  handle: (req: Request) => Promise<Response>,
  options: { report?: (error: unknown) => void } = {},
): (req: Request) => Promise<Response> {
  return async (req) => {
    if (req.method === 'OPTIONS') return new Response(null, { status: 204, headers: { ...corsHeaders } });
    if (req.method !== 'POST') {
      return errorResponse(
        new HttpError(405, 'method_not_allowed', `${req.method} is not allowed; use POST.`, undefined, { Allow: 'POST, OPTIONS' }),
      );
    }
    try {
      const response = await handle(req);
      for (const [name, value] of Object.entries(corsHeaders)) {
        if (!response.headers.has(name)) response.headers.set(name, value);
      }
      return response;
    } catch (error) {
      return errorResponse(toHttpError(error, options.report));
    }
  };
}
