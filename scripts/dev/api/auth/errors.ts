/**
 * GoTrue's error responses. Since API version 2024-01-01 (the
 * `X-Supabase-Api-Version` header auth-js always sends) the body is
 * `{ code, message }` and the header is echoed back; older clients get the
 * legacy `{ code: <status>, error_code, msg }`. OAuth-style errors (the token
 * endpoint's `invalid_request`) are `{ error, error_description }` in both.
 * Every error also carries the `x-sb-error-code` header, as GoTrue's do.
 */

export const API_VERSION_HEADER = 'x-supabase-api-version';
export const API_VERSION_2024_01_01 = '2024-01-01';

export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra top-level fields (weak_password: { reasons }). */
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

/** `{ error, error_description }`: what GoTrue answers for OAuth protocol errors. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

export const badRequest = (code: string, message: string) => new AuthError(400, code, message);
export const unprocessable = (code: string, message: string) => new AuthError(422, code, message);
export const forbidden = (code: string, message: string) => new AuthError(403, code, message);
export const notFound = (code: string, message: string) => new AuthError(404, code, message);

export function weakPassword(message: string, reasons: readonly string[]): AuthError {
  return new AuthError(422, 'weak_password', message, { weak_password: { reasons } });
}

/** The API version the request asked for (GoTrue knows one dated version besides the initial one). */
export function requestedApiVersion(req: Request): string | null {
  const value = req.headers.get(API_VERSION_HEADER);
  if (value === null) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return null;
  return value.trim() >= API_VERSION_2024_01_01 ? API_VERSION_2024_01_01 : null;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

/** The response GoTrue sends for an error, in the format the request's API version asks for. */
export function errorResponse(req: Request, error: AuthError | OAuthError): Response {
  const version = requestedApiVersion(req);
  const versionHeader: Record<string, string> = version ? { 'X-Supabase-Api-Version': version } : {};
  if (error instanceof OAuthError) {
    return jsonResponse(error.status, { error: error.error, error_description: error.description }, versionHeader);
  }
  const headers = { ...versionHeader, 'x-sb-error-code': error.code };
  if (version) return jsonResponse(error.status, { code: error.code, message: error.message, ...error.extra }, headers);
  return jsonResponse(error.status, { code: error.status, error_code: error.code, msg: error.message, ...error.extra }, headers);
}
