/**
 * Errors as Supabase Storage renders them: the HTTP status is 400 for every
 * error it raises itself (500 for internal ones), and the body says what
 * happened: `{ statusCode: "<the real status>", error, message, code }`
 * (src/internal/errors/codes.ts and src/http/error-handler.ts of
 * supabase/storage). storage-js reads `message` and `statusCode`.
 */

export class StorageError extends Error {
  constructor(
    /** The status Storage names in the body ("404", "409", "413", …). */
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** The `error` field when Storage sets one; otherwise the code. */
    readonly error: string = code,
    /** The HTTP status: 400, or 500 for internal errors, unless Storage sets it (403 for role checks). */
    readonly httpStatus: number = statusCode === 500 ? 500 : 400,
  ) {
    super(message);
  }
}

export const errors = {
  noSuchBucket: () => new StorageError(404, 'NoSuchBucket', 'Bucket not found', 'Bucket not found'),
  noSuchKey: () => new StorageError(404, 'NoSuchKey', 'Object not found', 'not_found'),
  invalidKey: (key: string) => new StorageError(400, 'InvalidKey', `Invalid key: ${key}`),
  accessDenied: (message: string) => new StorageError(403, 'AccessDenied', message || 'Access denied', 'Unauthorized'),
  alreadyExists: () => new StorageError(409, 'ResourceAlreadyExists', 'The resource already exists', 'Duplicate'),
  entityTooLarge: () => new StorageError(413, 'EntityTooLarge', 'The object exceeded the maximum allowed size', 'Payload too large'),
  invalidMimeType: (mime: string) => new StorageError(415, 'InvalidMimeType', `mime type ${mime} is not supported`, 'invalid_mime_type'),
  invalidJwt: (message: string) => new StorageError(400, 'InvalidJWT', message || 'Invalid JWT'),
  invalidSignature: (message = 'Invalid signature') => new StorageError(400, 'InvalidSignature', message),
  expiredSignature: () => new StorageError(400, 'ExpiredToken', 'The provided token has expired.'),
  invalidRequest: (message: string) => new StorageError(400, 'InvalidRequest', message),
  missingParameter: (name: string) => new StorageError(400, 'MissingParameter', `Missing Required Parameter ${name}`),
  invalidParameter: (name: string, message?: string) => new StorageError(400, 'InvalidParameter', message ?? `Invalid Parameter ${name}`),
  invalidRange: () => new StorageError(400, 'InvalidRange', 'invalid range provided', 'invalid_range'),
  /** What the local server does not do; named, never answered differently. */
  notSupported: (feature: string) =>
    new StorageError(501, 'NotSupported', `${feature} is not supported by the local Storage API of npm run dev`, 'NotSupported', 501),
  routeNotFound: (method: string, path: string) =>
    new StorageError(404, 'not_found', `Route ${method}:${path} not found`, 'Not Found', 404),
  internal: (message = 'Internal server error') => new StorageError(500, 'InternalError', message),
};

interface PgLikeError {
  code: string;
  message: string;
}

export function isPgError(error: unknown): error is PgLikeError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((error as { code: string }).code)
  );
}

/** Storage's DBError.fromDBError: what each SQLSTATE becomes. */
export function fromPgError(error: PgLikeError): StorageError {
  switch (error.code) {
    case '42501':
      return errors.accessDenied(
        error.message.includes('row-level security') ? 'new row violates row-level security policy' : error.message,
      );
    case '23505':
      return errors.alreadyExists();
    case '23503':
      return new StorageError(404, 'RelatedResourceNotFound', 'The related resource does not exist');
    case '22P02':
      return errors.invalidParameter('value', error.message || 'Invalid value format or type conversion failed');
    case '57014':
      return new StorageError(544, 'DatabaseTimeout', 'The connection to the database timed out', 'DatabaseTimeout', 544);
    default:
      return new StorageError(500, 'DatabaseError', `database error, code: ${error.code}`);
  }
}

export function errorResponse(error: StorageError): Response {
  return new Response(
    JSON.stringify({ statusCode: String(error.statusCode), code: error.code, error: error.error, message: error.message }),
    {
      status: error.httpStatus,
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    },
  );
}
