/**
 * A bank file from bytes to report: opened with @wallai/bank-formats (lines in
 * the space's currency unless the file says otherwise), then applied. What
 * `npm run import`, the import-transactions function and the benchmark call.
 *
 * File formats are streamed: the lines are applied in batches while the
 * parser reads on, so memory stays flat in the file's size (give a function
 * that opens the file afresh, and the bytes are never held whole) and parsing
 * overlaps the database's work. Plaid files are collected page by page: a
 * walk is applied as its net effect, which needs all its pages.
 */
import type { BankFileReader, BankLine, ByteSource, FormatOption, ParseOptions } from '@wallai/bank-formats';
import { accountFromParsed, fromParsed, lineFromParsed } from './from-parsed.ts';
import { applyImport, ImportRefused, recordUnreadable, type ApplyOptions, type Query, type Transact } from './service.ts';
import type { ImportFormat, ImportInput, ImportReport, ReportIssue, StreamItem } from './types.ts';

/** Opens a file for reading (`openBankFile` of @wallai/bank-formats, injected so this module stays testable). */
export type OpenFile = (source: ByteSource, options: ParseOptions) => Promise<BankFileReader>;

export interface ImportFileOptions extends Omit<ApplyOptions, 'fileSize'> {
  readonly format?: FormatOption;
  /** Parser options beyond format, file name and currency (CSV mapping, encoding...). */
  readonly parse?: Omit<ParseOptions, 'format' | 'fileName' | 'defaultCurrency'>;
  /** The file's size in bytes, when the source is not bytes (a file opened by a function). */
  readonly fileSize?: number;
}

/** A file-level read failure: the parser's BankFormatError (code + message). */
const isFormatError = (error: unknown): error is Error & { code: string } =>
  error instanceof Error && error.name === 'BankFormatError' && typeof (error as { code?: unknown }).code === 'string';

export async function importFile(
  transact: Transact,
  openFile: OpenFile,
  source: ByteSource,
  options: ImportFileOptions,
): Promise<ImportReport> {
  const currency = await transact((query) => spaceCurrency(query, options.spaceId));
  const fileSize =
    options.fileSize ??
    (typeof source === 'string' ? new TextEncoder().encode(source).length : source instanceof Uint8Array ? source.length : 0);
  let reader: BankFileReader;
  let input: ImportInput;
  try {
    reader = await openFile(source, {
      ...options.parse,
      format: options.format ?? 'auto',
      fileName: options.fileName,
      defaultCurrency: currency,
    });
    input = reader.format === 'plaid' ? await collected(reader) : streamed(reader);
  } catch (error) {
    if (!isFormatError(error)) throw error;
    const format = options.format && options.format !== 'auto' ? (options.format as ImportFormat) : null;
    return recordUnreadable(transact, { ...options, fileSize, format }, { code: error.code, message: error.message });
  }
  return applyImport(transact, input, { ...options, fileSize });
}

/** A Plaid file read whole (its pages are grouped into walks). */
async function collected(reader: BankFileReader): Promise<ImportInput> {
  const accounts = [];
  const lines: BankLine[] = [];
  const pages = [];
  const issues = [];
  for await (const event of reader) {
    if (event.type === 'account') accounts.push(event.account);
    else if (event.type === 'line') lines.push(event.line);
    else if (event.type === 'plaid_page') pages.push(event.page);
    else issues.push(event.issue);
  }
  return fromParsed({ format: reader.format, detection: reader.detection, accounts, lines, pages, issues, stats: reader.stats });
}

/** A file format read while it is applied: the parser's issues land in `issues` as they come, the row count at the end. */
function streamed(reader: BankFileReader): ImportInput {
  const issues: ReportIssue[] = [];
  async function* items(): AsyncIterable<StreamItem> {
    for await (const event of reader) {
      if (event.type === 'account') yield { type: 'account', account: accountFromParsed(event.account) };
      else if (event.type === 'line') yield { type: 'line', line: lineFromParsed(event.line) };
      else if (event.type === 'issue') issues.push({ ...event.issue });
    }
  }
  return {
    format: reader.format,
    source: 'file',
    detection: reader.detection as unknown as Record<string, unknown>,
    accounts: [],
    lines: [],
    issues,
    get rowCount() {
      return reader.stats.rows;
    },
    stream: items(),
  };
}

async function spaceCurrency(query: Query, spaceId: string): Promise<string> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(spaceId)) {
    throw new ImportRefused('space_not_found', `no space ${spaceId}`);
  }
  const [space] = await query<{ currency: string }>(`select currency from public.spaces where id = $1::uuid`, [spaceId]);
  if (space === undefined) throw new ImportRefused('space_not_found', `no space ${spaceId}`);
  return space.currency;
}
