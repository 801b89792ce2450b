/**
 * import-transactions: a bank file (multipart upload) or a JSON body of Plaid
 * response pages imported into a space as the signed-in person, through the
 * shared import service (one transaction for the lines; RLS decides). Answers
 * the import report. See functions/README.md for the reference.
 */
import { openBankFile } from '@wallai/bank-formats';
import type { ImportReport } from '@wallai/bank-import';
import { ImportRefused, importFile, type OpenFile } from '@wallai/bank-import/service';
import type { FunctionEnv } from '@wallai/function-env';
import { authenticateUser, bearerToken, createJwtVerifier, type VerifyToken } from '../_shared/auth.ts';
import { createDb, transactAsUser, type Db } from '../_shared/db.ts';
import { withIdempotency } from '../_shared/idempotency.ts';
import { describeError, HttpError, jsonResponse, postHandler, readBodyBytes } from '../_shared/http.ts';
import { parseImportRequest, type ImportRequest } from './schema.ts';

export type Logger = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** Stores the original file at `key` in the private imports bucket, as the person (their token); throws when it cannot. */
export type StoreFile = (key: string, bytes: Uint8Array<ArrayBuffer>, contentType: string, userToken: string) => Promise<void>;

export interface ImportDeps {
  readonly db: Db;
  readonly verifyToken: VerifyToken;
  /** Default: @wallai/bank-formats' openBankFile. */
  readonly openFile?: OpenFile;
  /** Where originals go; null keeps none (the report says so). */
  readonly storeFile: StoreFile | null;
  /** Default 10 MB (the bucket's limit). */
  readonly maxBodyBytes?: number;
  readonly log?: Logger;
}

export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

const consoleLogger: Logger = (level, message, fields = {}) => {
  const line = JSON.stringify({ level, fn: 'import-transactions', msg: message, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
};

/** Supabase Storage's object upload, as the person: the bucket's policies decide. */
export function storageUploader(supabaseUrl: string, anonKey: string, fetchImpl: typeof fetch = fetch): StoreFile {
  return async (key, bytes, contentType, userToken) => {
    const url = `${supabaseUrl.replace(/\/+$/, '')}/storage/v1/object/imports/${key.split('/').map(encodeURIComponent).join('/')}`;
    const res = await fetchImpl(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${userToken}`, apikey: anonKey, 'content-type': contentType, 'x-upsert': 'false' },
      body: bytes,
    });
    if (!res.ok) throw new Error(`storage answered ${res.status}`);
  };
}

export function handlerFromEnv(env: FunctionEnv): (req: Request) => Promise<Response> {
  return createHandler({
    db: createDb(env.supabaseDbUrl, { origin: 'import-transactions' }),
    verifyToken: createJwtVerifier({ secret: env.jwtSecret, jwksUrl: env.jwksUrl }),
    storeFile: storageUploader(env.supabaseUrl, env.supabaseAnonKey),
    maxBodyBytes: MAX_IMPORT_BYTES,
  });
}

export function createHandler(deps: ImportDeps): (req: Request) => Promise<Response> {
  const log = deps.log ?? consoleLogger;
  const maxBytes = deps.maxBodyBytes ?? MAX_IMPORT_BYTES;
  const openFile: OpenFile = deps.openFile ?? openBankFile;

  return postHandler(
    withIdempotency(
      async (req) => {
        const user = await authenticateUser(req, deps.verifyToken);
        const contentType = req.headers.get('content-type') ?? '';
        const body = await readBodyBytes(req, maxBytes);
        const request: ImportRequest = await parseImportRequest(body, contentType);
        const token = bearerToken(req);
        const storeFile = deps.storeFile;
        let report: ImportReport;
        try {
          report = await importFile(transactAsUser(deps.db, user.claims), openFile, request.bytes, {
            spaceId: request.spaceId,
            fileName: request.fileName,
            format: request.format,
            dryRun: request.dryRun,
            exchangeRates: request.exchangeRates,
            ...(storeFile === null
              ? {}
              : {
                  storeOriginal: async (importId: string) => {
                    const key = `${request.spaceId}/${importId}/${storageName(request.fileName)}`;
                    await storeFile(key, request.bytes, request.contentType, token);
                    return key;
                  },
                }),
          });
        } catch (error) {
          if (error instanceof ImportRefused) {
            throw error.code === 'space_not_found'
              ? new HttpError(404, 'not_found', 'No such space, or you are not a member of it.')
              : new HttpError(403, 'forbidden', 'Only members, admins and owners of an active space can import into it.');
          }
          throw error;
        }
        if (report.status === 'completed') return jsonResponse(report);
        // A file no format could read is the client's (422); a failure while applying is ours (500). Either way nothing was kept.
        if (report.failure !== null && report.failure.code !== 'database_error' && report.failure.code !== 'apply_failed') {
          return jsonResponse({ error: { code: 'unreadable_file', message: report.failure.message, details: report } }, 422);
        }
        log('error', 'import failed', { import_id: report.import_id, failure: report.failure });
        return jsonResponse(
          {
            error: {
              code: 'import_failed',
              message: 'The import failed and nothing of it was kept; the import row says why.',
              details: report,
            },
          },
          500,
        );
      },
      { db: deps.db, functionName: 'import-transactions', verifyToken: deps.verifyToken, maxBodyBytes: maxBytes },
    ),
    { report: (error) => log('error', 'unexpected error', { error: describeError(error) }) },
  );
}

/** A file name safe as the last segment of a storage path. */
function storageName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '');
  return (cleaned || 'import').slice(0, 120);
}
