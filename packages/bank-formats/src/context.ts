/** What the format readers share: their input and the reader they return. */
import type { Opener } from './bytes.ts';
import type { BankFileEvent, BankFormat, Detected, Detection, ParseOptions, ParseStats, RowIssue, TextEncoding } from './types.ts';

export interface FormatContext {
  readonly open: Opener;
  readonly encoding: Detected<TextEncoding>;
  readonly bom: boolean;
  readonly format: Detected<BankFormat>;
  readonly headText: string;
  readonly options: ParseOptions;
}

export interface FormatReader {
  readonly detection: Detection;
  readonly fileIssues: readonly RowIssue[];
  readonly stats: ParseStats;
  /** Yields the file's events; called once. */
  events(): AsyncIterable<BankFileEvent>;
}

export function newStats(): ParseStats {
  return { rows: 0, lines: 0, invalid: 0, warnings: 0, accounts: 0, pages: 0 };
}

/** Detection fields a format does not have. */
export function baseDetection(context: FormatContext): Detection {
  return {
    format: context.format,
    encoding: context.encoding,
    bom: context.bom,
    delimiter: null,
    headerRow: null,
    preambleLines: 0,
    dateFormat: null,
    numberFormat: null,
    signConvention: null,
    preset: null,
    columns: null,
    version: null,
    currency: null,
  };
}

export function fixed<T>(value: T, source: Detected<T>['source'], evidence: string, confidence = 1): Detected<T> {
  return { value, source, confidence, evidence, ambiguous: false, alternatives: [] };
}
