/**
 * A bank file from bytes to report: read with @wallai/bank-formats (lines in
 * the space's currency unless the file says otherwise), then applied. What
 * `npm run import`, the import-transactions function and the demo call.
 */
import type { FormatOption, ParsedBankFile, ParseOptions } from '@wallai/bank-formats';
import { fromParsed } from './from-parsed.ts';
import { applyImport, ImportRefused, recordUnreadable, type ApplyOptions, type Query, type Transact } from './service.ts';
import type { ImportFormat, ImportReport } from './types.ts';

/** Reads a whole file (`parseBankFile` of @wallai/bank-formats, injected so this module stays testable). */
export type ParseFile = (source: Uint8Array | string, options: ParseOptions) => Promise<ParsedBankFile>;

export interface ImportFileOptions extends Omit<ApplyOptions, 'fileSize'> {
  readonly format?: FormatOption;
  /** Parser options beyond format, file name and currency (CSV mapping, encoding...). */
  readonly parse?: Omit<ParseOptions, 'format' | 'fileName' | 'defaultCurrency'>;
}

/** A file-level read failure: the parser's BankFormatError (code + message). */
const isFormatError = (error: unknown): error is Error & { code: string } =>
  error instanceof Error && error.name === 'BankFormatError' && typeof (error as { code?: unknown }).code === 'string';

export async function importFile(
  transact: Transact,
  parseFile: ParseFile,
  bytes: Uint8Array | string,
  options: ImportFileOptions,
): Promise<ImportReport> {
  const currency = await transact((query) => spaceCurrency(query, options.spaceId));
  const fileSize = typeof bytes === 'string' ? new TextEncoder().encode(bytes).length : bytes.length;
  let parsed: ParsedBankFile;
  try {
    parsed = await parseFile(bytes, {
      ...options.parse,
      format: options.format ?? 'auto',
      fileName: options.fileName,
      defaultCurrency: currency,
    });
  } catch (error) {
    if (!isFormatError(error)) throw error;
    const format = options.format && options.format !== 'auto' ? (options.format as ImportFormat) : null;
    return recordUnreadable(transact, { ...options, fileSize, format }, { code: error.code, message: error.message });
  }
  return applyImport(transact, fromParsed(parsed), { ...options, fileSize });
}

async function spaceCurrency(query: Query, spaceId: string): Promise<string> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(spaceId)) {
    throw new ImportRefused('space_not_found', `no space ${spaceId}`);
  }
  const [space] = await query<{ currency: string }>(`select currency from public.spaces where id = $1::uuid`, [spaceId]);
  if (space === undefined) throw new ImportRefused('space_not_found', `no space ${spaceId}`);
  return space.currency;
}
