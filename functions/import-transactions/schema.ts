/**
 * Request shapes of `import-transactions`:
 * - multipart/form-data: `file` (the bank file), `space_id`, and optionally
 *   `format` (auto|plaid|csv|ofx|qif|camt053), `dry_run` (true/false),
 *   `exchange_rates` (JSON object, e.g. {"EUR": 1.08});
 * - application/json: `{ space_id, pages, dry_run?, file_name?, exchange_rates? }`
 *   where `pages` are Plaid /transactions/sync or /transactions/get response
 *   bodies in the order they were fetched (an error body where a walk was interrupted).
 */
import { z } from 'zod';
import { HttpError } from '../_shared/http.ts';
import { parseInput } from '../_shared/validation.ts';

const Id = z.guid({ error: 'must be a uuid' });
const Format = z.enum(['auto', 'plaid', 'csv', 'ofx', 'qif', 'camt053']);
const Rates = z.record(z.string().regex(/^[A-Z]{3}$/, { error: 'currency codes are 3 capital letters' }), z.number().positive());

export const JsonImportRequest = z.strictObject({
  space_id: Id,
  pages: z.array(z.unknown()).min(1, { error: 'must hold at least one Plaid response body' }),
  dry_run: z.boolean().optional(),
  file_name: z.string().min(1).max(255).optional(),
  exchange_rates: Rates.optional(),
});

const MultipartFields = z.strictObject({
  space_id: Id,
  format: Format.optional(),
  dry_run: z.enum(['true', 'false']).optional(),
  exchange_rates: z.string().optional(),
});

export interface ImportRequest {
  readonly spaceId: string;
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly fileName: string;
  readonly contentType: string;
  readonly format: z.output<typeof Format>;
  readonly dryRun: boolean;
  readonly exchangeRates: Readonly<Record<string, number>>;
}

export async function parseImportRequest(body: Uint8Array<ArrayBuffer>, contentType: string): Promise<ImportRequest> {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      throw new HttpError(400, 'malformed_json', 'The request body is not valid JSON.');
    }
    const request = parseInput(JsonImportRequest, value);
    return {
      spaceId: request.space_id,
      bytes: new TextEncoder().encode(JSON.stringify(request.pages)),
      fileName: request.file_name ?? 'plaid-pages.json',
      contentType: 'application/json',
      format: 'plaid',
      dryRun: request.dry_run ?? false,
      exchangeRates: request.exchange_rates ?? {},
    };
  }
  if (type === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    } catch {
      throw new HttpError(400, 'malformed_json', 'The multipart body could not be read.');
    }
    const file = form.get('file');
    if (file === null || typeof file === 'string') {
      throw new HttpError(422, 'validation_failed', 'The upload needs a `file` part.', {
        issues: [{ path: 'file', code: 'invalid_type', message: 'expected a file' }],
      });
    }
    const fields: Record<string, string> = {};
    for (const [name, value] of form.entries()) if (name !== 'file' && typeof value === 'string') fields[name] = value;
    const parsed = parseInput(MultipartFields, fields);
    let rates: Record<string, number> = {};
    if (parsed.exchange_rates !== undefined) {
      let value: unknown;
      try {
        value = JSON.parse(parsed.exchange_rates);
      } catch {
        value = null;
      }
      rates = parseInput(Rates, value, 'exchange_rates must be a JSON object of currency -> positive rate.');
    }
    return {
      spaceId: parsed.space_id,
      bytes: new Uint8Array(await file.arrayBuffer()),
      fileName: file.name || 'import',
      contentType: file.type || 'application/octet-stream',
      format: parsed.format ?? 'auto',
      dryRun: parsed.dry_run === 'true',
      exchangeRates: rates,
    };
  }
  throw new HttpError(415, 'validation_failed', 'Send multipart/form-data with a file, or application/json with Plaid pages.');
}
