/**
 * @wallai/bank-formats: bank files in, normalized lines out (see types.ts
 * for the shapes and docs/bank-import.md for formats, detection and codes).
 */
export type * from './types.ts';
export { BANK_FORMATS } from './types.ts';
export { openBankFile, parseBankFile } from './reader.ts';
export { BankFormatError } from './errors.ts';
export { contentKey, normalizedDescription } from './lines.ts';
export {
  parseAmountText,
  formatCents,
  centsToAmount,
  classifyAmount,
  NUMBER_FORMATS,
  MAX_AMOUNT_CENTS,
  type NegativeStyle,
  type AmountParse,
} from './numbers.ts';
export { readDate, DATE_FORMATS, DateFormatSampler, type DateDecision, type DateRead } from './dates.ts';
export { CSV_PRESETS, findPreset, type CsvPreset } from './csv/presets.ts';
export { sniffFormat } from './detect.ts';
