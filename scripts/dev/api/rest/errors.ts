/**
 * PostgREST's error bodies and statuses: `{ code, message, details, hint }`,
 * its own PGRSTxxx codes for bad requests, and its SQLSTATE → HTTP mapping
 * (PostgREST's src/library/PostgREST/Error.hs, mapSQLtoHTTP).
 */

export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details: string | null;
  readonly hint: string | null;
}

/** An error the REST handler answers with: status, PostgREST body, extra headers. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string | null = null,
    readonly hint: string | null = null,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'RestError';
  }

  body(): ErrorBody {
    return { code: this.code, message: this.message, details: this.details, hint: this.hint };
  }
}

/** PGRST100: the query string could not be parsed. */
export const parseError = (what: string, input: string, column: number, details: string): RestError =>
  new RestError(400, 'PGRST100', `"failed to parse ${what} (${input})" (line 1, column ${column})`, details);

/** PGRST127: something PostgREST does that this local server does not; named, never silently different. */
export const notImplemented = (feature: string): RestError =>
  new RestError(400, 'PGRST127', 'Feature not implemented', `The local Wallai API does not implement ${feature}.`);

/** The fields a Postgres error carries, as postgres.js and PGlite expose them. */
interface PgErrorLike {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly detail?: unknown;
  readonly hint?: unknown;
}

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** True for errors raised by the database (they carry a five-character SQLSTATE). */
export function isPgError(error: unknown): error is PgErrorLike & { code: string } {
  const code = (error as PgErrorLike | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/** The HTTP status PostgREST answers a database error with. `authenticated`: the request had a non-anon role. */
export function statusForSqlState(code: string, message: string, authenticated: boolean): number {
  if (code.startsWith('08')) return 503;
  if (code.startsWith('09')) return 500;
  if (code.startsWith('0L') || code.startsWith('0P')) return 403;
  switch (code) {
    case '23503':
    case '23505':
      return 409;
    case '25006':
      return 405;
    case '21000':
      return message.endsWith('requires a WHERE clause') ? 400 : 500;
    case '22023':
      return message.startsWith('role') && message.endsWith('does not exist') ? 401 : 400;
    case '53400':
      return 500;
    case '57P01':
      return 503;
    case 'P0001':
      return 400;
    case '42883':
      return message.startsWith('function xmlagg(') ? 406 : 404;
    case '42P01':
      return 404;
    case '42P17':
      return 500;
    case '42501':
      return authenticated ? 403 : 401;
  }
  const prefix = code.slice(0, 2);
  if (['25', '2D', '38', '39', '3B', '40', '54', '55', '57', '58', 'F0', 'HV', 'P0', 'XX'].includes(prefix)) return 500;
  if (prefix === '28') return 403;
  if (prefix === '53') return 503;
  if (prefix === 'PT') {
    const status = Number(code.slice(2));
    return Number.isInteger(status) && status >= 100 && status <= 599 ? status : 500;
  }
  return 400;
}

/**
 * A database error as PostgREST answers it. `RAISE SQLSTATE 'PGRST'` with a
 * JSON message `{code, message, details?, hint?}` and a JSON detail
 * `{status, headers, status_text?}` gives the function full control.
 */
export function fromPgError(error: PgErrorLike & { code: string }, authenticated: boolean): RestError {
  const message = str(error.message) ?? '';
  if (error.code === 'PGRST') return fromRaisedPgrst(message, str(error.detail));
  const status = statusForSqlState(error.code, message, authenticated);
  return new RestError(
    status,
    error.code,
    message,
    str(error.detail),
    str(error.hint),
    status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {},
  );
}

function fromRaisedPgrst(message: string, detail: string | null): RestError {
  const parsed = (text: string | null): Record<string, unknown> | null => {
    if (text === null) return null;
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  };
  const msg = parsed(message);
  if (msg === null || typeof msg.code !== 'string' || typeof msg.message !== 'string') {
    return new RestError(
      500,
      'PGRST121',
      'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error',
      `Invalid JSON value for MESSAGE: '${message}'`,
      "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.",
    );
  }
  if (detail === null) {
    return new RestError(
      500,
      'PGRST121',
      'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error',
      'DETAIL is missing in the RAISE statement',
      "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'.",
    );
  }
  const det = parsed(detail);
  if (det === null || typeof det.status !== 'number' || det.headers === null || typeof det.headers !== 'object') {
    return new RestError(
      500,
      'PGRST121',
      'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error',
      `Invalid JSON value for DETAIL: '${detail}'`,
      "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'.",
    );
  }
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(det.headers as Record<string, unknown>)) headers[key] = String(value);
  return new RestError(
    det.status,
    msg.code,
    msg.message,
    typeof msg.details === 'string' ? msg.details : null,
    typeof msg.hint === 'string' ? msg.hint : null,
    headers,
  );
}

/** The JSON error response PostgREST sends (Content-Type, Proxy-Status and the error's own headers). */
export function errorResponse(error: RestError, extraHeaders: Record<string, string> = {}): Response {
  const body = JSON.stringify(error.body());
  return new Response(body, {
    status: error.status,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Proxy-Status': `PostgREST; error=${error.code}`,
      ...extraHeaders,
      ...error.headers,
    },
  });
}
