/**
 * openBankFile: bytes in, detection and an async iterable of events out.
 *
 * 1. The source becomes an opener (read from the start as often as needed).
 * 2. Encoding: the option, a byte-order mark, a declaration (XML, OFX header),
 *    or every byte checked for UTF-8 (else Windows-1252).
 * 3. Format: from the first 64 KiB of text; an explicit format the content
 *    contradicts fails with `format_mismatch`.
 * 4. The format's reader decides the rest of the detection (CSV and QIF from
 *    a first pass over the whole file) and yields the events.
 */
import { bomOf, declaredEncoding, decodeText, EncodingSniffer, readHead, toOpener } from './bytes.ts';
import { type FormatContext, type FormatReader } from './context.ts';
import { openCsv } from './csv/reader.ts';
import { sniffFormat } from './detect.ts';
import { BankFormatError } from './errors.ts';
import { openCamt } from './camt.ts';
import { openOfx } from './ofx.ts';
import { openPlaid } from './plaid/reader.ts';
import { openQif } from './qif.ts';
import {
  BANK_FORMATS,
  type BankAccountInfo,
  type BankFileEvent,
  type BankFileReader,
  type BankFormat,
  type BankLine,
  type ByteSource,
  type Detected,
  type ParseOptions,
  type ParsedBankFile,
  type PlaidPage,
  type RowIssue,
  type TextEncoding,
} from './types.ts';

const ENCODINGS: readonly TextEncoding[] = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'iso-8859-1'];
const HEAD_BYTES = 64 * 1024;

const READERS: Readonly<Record<BankFormat, (context: FormatContext) => Promise<FormatReader>>> = {
  csv: openCsv,
  ofx: openOfx,
  qif: openQif,
  camt053: openCamt,
  plaid: openPlaid,
};

async function headText(open: FormatContext['open'], encoding: TextEncoding): Promise<string> {
  let text = '';
  for await (const chunk of decodeText(async function* () {
    yield await readHead(open, HEAD_BYTES);
  }, encoding)) {
    text += chunk;
  }
  return text;
}

export async function openBankFile(source: ByteSource, options: ParseOptions = {}): Promise<BankFileReader> {
  const requested = options.format ?? 'auto';
  if (requested !== 'auto' && !BANK_FORMATS.includes(requested)) {
    throw new BankFormatError(
      'invalid_option',
      `format must be auto or one of ${BANK_FORMATS.join(', ')}, got ${JSON.stringify(requested)}`,
    );
  }
  const open = await toOpener(source);
  const head = await readHead(open, HEAD_BYTES);
  if (head.length === 0 || head.every((byte) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09)) {
    throw new BankFormatError('empty_file', 'the file is empty');
  }
  const bom = bomOf(head);

  let encoding: Detected<TextEncoding>;
  const asciiHead = new TextDecoder('latin1').decode(head.subarray(0, 4096));
  const declared = declaredEncoding(asciiHead);
  if (options.encoding !== undefined && options.encoding !== 'auto') {
    if (!ENCODINGS.includes(options.encoding))
      throw new BankFormatError('invalid_option', `encoding must be auto or one of ${ENCODINGS.join(', ')}`);
    encoding = { value: options.encoding, source: 'option', confidence: 1, evidence: 'as given', ambiguous: false, alternatives: [] };
  } else if (bom !== null) {
    encoding = {
      value: bom.encoding,
      source: 'content',
      confidence: 1,
      evidence: `${bom.encoding.toUpperCase()} byte-order mark`,
      ambiguous: false,
      alternatives: [],
    };
  } else if (head.length >= 4 && head[0] !== 0 && head[1] === 0 && head[3] === 0) {
    encoding = {
      value: 'utf-16le',
      source: 'content',
      confidence: 0.9,
      evidence: 'every other byte is zero: UTF-16LE without a byte-order mark',
      ambiguous: false,
      alternatives: [],
    };
  } else if (head.length >= 4 && head[0] === 0 && head[2] === 0 && head[1] !== 0) {
    encoding = {
      value: 'utf-16be',
      source: 'content',
      confidence: 0.9,
      evidence: 'every other byte is zero: UTF-16BE without a byte-order mark',
      ambiguous: false,
      alternatives: [],
    };
  } else if (declared !== null) {
    encoding = {
      value: declared.encoding,
      source: 'content',
      confidence: 1,
      evidence: declared.evidence,
      ambiguous: false,
      alternatives: [],
    };
  } else {
    const sniffer = new EncodingSniffer();
    for await (const chunk of open()) sniffer.add(chunk);
    encoding = sniffer.decide(false);
  }

  const text = await headText(open, encoding.value);
  const sniffed = sniffFormat(text);
  let format: Detected<BankFormat>;
  if (requested === 'auto') {
    if (sniffed === null) {
      throw new BankFormatError(
        'unknown_format',
        'the file is not a format this importer reads (Plaid JSON, CSV/TSV, OFX/QFX, QIF, CAMT.053)',
      );
    }
    format = sniffed;
  } else if (sniffed !== null && sniffed.value !== requested) {
    throw new BankFormatError(
      'format_mismatch',
      `the file was given as ${requested} but its content is ${sniffed.value} (${sniffed.evidence})`,
    );
  } else {
    format = {
      value: requested,
      source: 'option',
      confidence: 1,
      evidence: sniffed === null ? 'as given (the content has no signature)' : `as given; ${sniffed.evidence}`,
      ambiguous: false,
      alternatives: [],
    };
  }

  const context: FormatContext = { open, encoding, bom: bom !== null, format, headText: text, options };
  const reader = await READERS[format.value](context);
  let iterated = false;
  return {
    format: format.value,
    detection: reader.detection,
    fileIssues: reader.fileIssues,
    stats: reader.stats,
    [Symbol.asyncIterator](): AsyncIterator<BankFileEvent> {
      if (iterated) throw new Error('a BankFileReader is iterated once; open the file again to read it again');
      iterated = true;
      return reader.events()[Symbol.asyncIterator]();
    },
  };
}

/** Reads a whole file into memory: lines, accounts, pages and issues in file order. */
export async function parseBankFile(source: ByteSource, options: ParseOptions = {}): Promise<ParsedBankFile> {
  const reader = await openBankFile(source, options);
  const accounts: BankAccountInfo[] = [];
  const lines: BankLine[] = [];
  const pages: PlaidPage[] = [];
  const issues: RowIssue[] = [];
  for await (const event of reader) {
    if (event.type === 'account') accounts.push(event.account);
    else if (event.type === 'line') lines.push(event.line);
    else if (event.type === 'plaid_page') pages.push(event.page);
    else issues.push(event.issue);
  }
  return { format: reader.format, detection: reader.detection, accounts, lines, pages, issues, stats: reader.stats };
}
