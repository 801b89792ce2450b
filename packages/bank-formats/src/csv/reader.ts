/**
 * CSV/TSV: layout from the first lines, then two streaming passes over the
 * records. The first pass reads every date, amount, direction and currency
 * value to decide the date format, the number format and the sign convention
 * from the whole file; the second turns each record into a line or an issue.
 * Neither holds more than one record (and csv-parse's small queue) in memory.
 */
import { parse } from 'csv-parse/stream';
import { decodeText, splitLines } from '../bytes.ts';
import { baseDetection, fixed, newStats, type FormatContext, type FormatReader } from '../context.ts';
import { DateFormatSampler, readDate } from '../dates.ts';
import { BankFormatError, issue } from '../errors.ts';
import { LineFinisher, ISO_CURRENCY, cleanText, optionalText, type LineDraft } from '../lines.ts';
import { NUMBER_FORMATS, classifyAmount, numberFormatFor, parseAmountText, type DecimalSeparator } from '../numbers.ts';
import type {
  BankAccountInfo,
  BankFileEvent,
  DateFormat,
  Delimiter,
  Detected,
  Detection,
  NumberFormat,
  RowIssue,
  SignConvention,
} from '../types.ts';
import {
  DEFAULT_DIRECTION_VALUES,
  DEFAULT_PENDING_VALUES,
  describeColumns,
  genericMapping,
  recognizeHeaderlessPreset,
  recognizePreset,
  resolveColumns,
  type Column,
  type Columns,
} from './columns.ts';
import { delimiterName, findHeader, sniffDelimiter, splitLine, DELIMITERS } from './layout.ts';
import { findPreset, type CsvPreset } from './presets.ts';

const SAMPLE_LINES = 200;

interface CsvRecord {
  readonly cells: string[];
  readonly line: number;
}

/** Records from `fromLine` (1-based) on, each with the physical line it starts on. */
async function* csvRecords(context: FormatContext, delimiter: Delimiter, fromLine: number): AsyncIterable<CsvRecord> {
  const parser = parse({
    delimiter,
    from_line: fromLine,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    trim: true,
    info: true,
  });
  const writer = parser.writable.getWriter();
  const encoder = new TextEncoder();
  const pump = (async () => {
    for await (const text of decodeText(context.open, context.encoding.value)) await writer.write(encoder.encode(text));
    await writer.close();
  })();
  pump.catch(() => undefined);
  const reader = parser.readable.getReader();
  try {
    for (;;) {
      let next: { done: true; value?: undefined } | { done: false; value: { record: string[]; info: { lines: number } } };
      try {
        next = (await reader.read()) as typeof next;
      } catch (error) {
        throw new BankFormatError('malformed_csv', `the file is not readable CSV: ${(error as Error).message}`);
      }
      if (next.done) break;
      const { record, info } = next.value;
      let newlines = 0;
      for (const cell of record) for (let i = 0; i < cell.length; i += 1) if (cell.charCodeAt(i) === 10) newlines += 1;
      yield { cells: record, line: info.lines - newlines };
    }
    await pump;
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/** The first lines of the file, for the layout. */
async function firstLines(context: FormatContext): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of splitLines(decodeText(context.open, context.encoding.value))) {
    lines.push(line.text);
    if (lines.length >= SAMPLE_LINES) break;
  }
  return lines;
}

const INCOMING =
  /\b(salary|payroll|gehalt|lohn|nomina|salaire|direct dep|deposit|refund|erstattung|gutschrift|remboursement|reembolso|interest paid|payment thank you|payment received|transfer from)\b/i;

function upper(value: string | undefined): string {
  return (value ?? '').trim().toUpperCase();
}

interface Plan {
  readonly delimiter: Detected<Delimiter>;
  readonly headerRow: Detected<number | null>;
  readonly preambleLines: number;
  readonly header: readonly string[] | null;
  readonly fields: number;
  readonly preset: CsvPreset | null;
  readonly presetDetection: Detected<string | null>;
  readonly columns: Columns;
  readonly fromLine: number;
}

function plan(context: FormatContext, lines: readonly string[]): Plan {
  const csv = context.options.csv ?? {};
  const explicitPreset = csv.preset !== undefined ? findPreset(csv.preset) : undefined;
  if (csv.preset !== undefined && explicitPreset === undefined)
    throw new BankFormatError('invalid_option', `there is no CSV preset ${JSON.stringify(csv.preset)}`);

  let delimiter: Detected<Delimiter>;
  let fields: number;
  const given = csv.delimiter ?? explicitPreset?.delimiter;
  if (given !== undefined) {
    if (!DELIMITERS.includes(given)) throw new BankFormatError('invalid_option', `delimiter must be one of , ; tab |`);
    const counts = new Map<number, number>();
    for (const line of lines)
      if (line.trim() !== '') counts.set(splitLine(line, given).length, (counts.get(splitLine(line, given).length) ?? 0) + 1);
    fields = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 1;
    delimiter = fixed(given, csv.delimiter !== undefined ? 'option' : 'preset', `${delimiterName(given)} as given`);
  } else {
    const sniffed = sniffDelimiter(lines);
    if (sniffed === null)
      throw new BankFormatError(
        'malformed_csv',
        'no delimiter (comma, semicolon, tab, pipe) splits the lines into the same number of fields',
      );
    fields = sniffed.fields;
    delimiter = {
      value: sniffed.value,
      source: 'content',
      confidence: sniffed.confidence,
      evidence: sniffed.evidence,
      ambiguous: false,
      alternatives: [],
    };
  }

  let headerRow: Detected<number | null>;
  let preambleLines: number;
  let header: readonly string[] | null;
  if (csv.headerRow !== undefined) {
    if (!Number.isInteger(csv.headerRow) || csv.headerRow < 0)
      throw new BankFormatError('invalid_option', 'headerRow must be a line number (1-based) or 0 for no header');
    if (csv.headerRow === 0) {
      header = null;
      preambleLines = 0;
      headerRow = fixed(null, 'option', 'no header row, as given');
    } else {
      const line = lines[csv.headerRow - 1];
      if (line === undefined) throw new BankFormatError('no_header_row', `line ${csv.headerRow} is not among the file's first lines`);
      header = splitLine(line, delimiter.value);
      fields = header.length;
      preambleLines = csv.headerRow - 1;
      headerRow = fixed(csv.headerRow, 'option', `line ${csv.headerRow}, as given`);
    }
  } else {
    const guess = findHeader(lines, delimiter.value, fields);
    if (guess.confidence === 0) throw new BankFormatError('no_header_row', `no header row or data found: ${guess.evidence}`);
    header = guess.header;
    preambleLines = guess.preambleLines;
    headerRow = {
      value: guess.headerRow,
      source: 'content',
      confidence: guess.confidence,
      evidence: guess.evidence,
      ambiguous: false,
      alternatives: [],
    };
  }
  const fromLine = preambleLines + (header === null ? 1 : 2);

  let preset: CsvPreset | null = explicitPreset ?? null;
  let presetDetection: Detected<string | null>;
  if (csv.mapping !== undefined) {
    preset = null;
    presetDetection = fixed(null, 'option', 'explicit column mapping');
  } else if (preset !== null) {
    presetDetection = fixed(preset.id, 'option', `preset ${preset.id} as given`);
  } else {
    const firstData = lines.slice(fromLine - 1).find((line) => line.trim() !== '');
    preset =
      header !== null
        ? recognizePreset(header)
        : firstData !== undefined
          ? recognizeHeaderlessPreset(fields, splitLine(firstData, delimiter.value))
          : null;
    presetDetection =
      preset === null
        ? fixed(
            null,
            'content',
            header === null
              ? 'no header row: columns inferred from their values'
              : 'no preset matches the header: columns mapped by their names',
          )
        : fixed(
            preset.id,
            'content',
            preset.signature.length > 0
              ? `the header has ${preset.name}'s columns (${preset.signature.join(', ')})`
              : `${preset.name}: ${preset.headerless?.fields} columns without a header, in its layout`,
          );
  }

  let mapping = csv.mapping ?? preset?.mapping;
  if (mapping === undefined && header !== null) mapping = genericMapping(header) ?? undefined;
  if (mapping === undefined && header === null) mapping = inferHeaderless(lines.slice(fromLine - 1), delimiter.value, fields) ?? undefined;
  if (mapping === undefined) {
    throw new BankFormatError(
      'unmapped_columns',
      header === null
        ? 'the file has no header row and its columns could not be told apart: give a column mapping by index'
        : `the header (${header.map((h) => JSON.stringify(h)).join(', ')}) names no date, description and amount columns this parser knows: give a column mapping or a preset`,
    );
  }
  const columns = resolveColumns(mapping, header, fields, csv.mapping !== undefined);
  return { delimiter, headerRow, preambleLines, header, fields, preset, presetDetection, columns, fromLine };
}

/** Without a header: the first column whose values are all dates, the amount column, the longest text column. */
function inferHeaderless(
  lines: readonly string[],
  delimiter: Delimiter,
  fields: number,
): { date: number; amount: number; description: number } | null {
  const rows = lines
    .filter((line) => line.trim() !== '')
    .slice(0, 50)
    .map((line) => splitLine(line, delimiter))
    .filter((cells) => cells.length >= fields);
  if (rows.length === 0) return null;
  const column = (index: number): string[] => rows.map((cells) => cells[index] ?? '');
  const indexes = [...Array(fields).keys()];
  const date = indexes.find((index) => {
    const sampler = new DateFormatSampler();
    for (const value of column(index)) sampler.add(value);
    const decision = sampler.decide();
    return sampler.count === rows.length && decision.format !== null && decision.confidence >= 0.5 && !decision.evidence.startsWith(`0 of`);
  });
  if (date === undefined) return null;
  const amount = indexes.find(
    (index) =>
      index !== date &&
      column(index).every((value) => value !== '' && classifyAmount(value) !== null) &&
      column(index).some((value) => /[.,]\d{2}\b/.test(value)),
  );
  if (amount === undefined) return null;
  const letters = (index: number): number => column(index).reduce((sum, value) => sum + (value.match(/\p{L}/gu)?.length ?? 0), 0);
  const description = indexes.filter((index) => index !== date && index !== amount).sort((a, b) => letters(b) - letters(a))[0];
  if (description === undefined || letters(description) === 0) return null;
  return { date, amount, description };
}

interface Samples {
  dates: DateFormatSampler;
  amounts: { total: number; dot: number; comma: number; differs: number; groupDot: Set<string>; groupComma: Set<string> };
  signed: number;
  unsigned: number;
  incoming: { negative: number; positive: number };
  directionValues: Map<string, number>;
  typeValues: Map<string, number>;
  currencies: Set<string>;
  records: number;
}

function sampleAmount(samples: Samples, text: string | undefined): void {
  const value = (text ?? '').trim();
  if (value === '') return;
  const classified = classifyAmount(value);
  // A value that is no amount at all is that row's error, not evidence about the layout.
  if (classified === null) return;
  samples.amounts.total += 1;
  if (classified.fits.includes('.')) samples.amounts.dot += 1;
  if (classified.fits.includes(',')) samples.amounts.comma += 1;
  if (classified.differs) samples.amounts.differs += 1;
  if (classified.group !== null && classified.fits.length === 1) {
    (classified.fits[0] === '.' ? samples.amounts.groupDot : samples.amounts.groupComma).add(classified.group);
  }
}

export async function openCsv(context: FormatContext): Promise<FormatReader> {
  const csv = context.options.csv ?? {};
  const lines = await firstLines(context);
  const p = plan(context, lines);
  const { columns } = p;

  // Pass 1: every value that decides a file-level format.
  const samples: Samples = {
    dates: new DateFormatSampler(),
    amounts: { total: 0, dot: 0, comma: 0, differs: 0, groupDot: new Set(), groupComma: new Set() },
    signed: 0,
    unsigned: 0,
    incoming: { negative: 0, positive: 0 },
    directionValues: new Map(),
    typeValues: new Map(),
    currencies: new Set(),
    records: 0,
  };
  for await (const { cells } of csvRecords(context, p.delimiter.value, p.fromLine)) {
    samples.records += 1;
    samples.dates.add(cells[columns.date.index] ?? '');
    for (const column of [columns.authorizedDate, columns.valueDate]) if (column !== null) samples.dates.add(cells[column.index] ?? '');
    for (const column of [columns.amount, columns.debit, columns.credit]) if (column !== null) sampleAmount(samples, cells[column.index]);
    if (columns.amount !== null) {
      const text = (cells[columns.amount.index] ?? '').trim();
      if (/^[-+(−]|[-+)]$|\b(CR|DR)$/i.test(text)) samples.signed += 1;
      else if (text !== '') samples.unsigned += 1;
      const description = columns.description.map((column) => cells[column.index] ?? '').join(' ');
      if (INCOMING.test(description) && text !== '') {
        if (/^[-(−]|-$|DR$/i.test(text)) samples.incoming.negative += 1;
        else samples.incoming.positive += 1;
      }
    }
    if (columns.direction !== null) {
      const value = upper(cells[columns.direction.index]);
      samples.directionValues.set(value, (samples.directionValues.get(value) ?? 0) + 1);
    }
    if (columns.type !== null && samples.typeValues.size <= 20) {
      const value = upper(cells[columns.type.index]);
      samples.typeValues.set(value, (samples.typeValues.get(value) ?? 0) + 1);
    }
    if (columns.currency !== null && samples.currencies.size <= 10) {
      const value = upper(cells[columns.currency.index]);
      if (value !== '') samples.currencies.add(value);
    }
  }

  const fileIssues: RowIssue[] = [];

  // Number format.
  let numberFormat: Detected<NumberFormat>;
  const presetNumber = p.preset?.numberFormat;
  if (csv.numberFormat !== undefined) {
    if (NUMBER_FORMATS[csv.numberFormat] === undefined)
      throw new BankFormatError('invalid_option', `unknown number format ${JSON.stringify(csv.numberFormat)}`);
    numberFormat = fixed(csv.numberFormat, 'option', 'as given');
  } else {
    const a = samples.amounts;
    const dotAll = a.dot === a.total;
    const commaAll = a.comma === a.total;
    let decimal: DecimalSeparator;
    let ambiguous = false;
    let evidence: string;
    let confidence = 1;
    if (dotAll && !commaAll) {
      decimal = '.';
      evidence = `all ${a.total} amounts read with "." as the decimal separator; ${a.total - a.comma} cannot be read with ","`;
    } else if (commaAll && !dotAll) {
      decimal = ',';
      evidence = `all ${a.total} amounts read with "," as the decimal separator; ${a.total - a.dot} cannot be read with "."`;
    } else if (dotAll && commaAll) {
      const hint = presetNumber !== undefined ? NUMBER_FORMATS[presetNumber].decimal : p.delimiter.value === ';' ? ',' : '.';
      decimal = hint;
      ambiguous = a.differs > 0 && presetNumber === undefined;
      confidence = ambiguous ? 0.5 : 1;
      evidence =
        a.differs === 0
          ? `no amount has a decimal separator (${a.total} whole amounts): both readings agree`
          : `${a.differs} amounts (like "1,234" or "1.234") read either way; chose "${decimal}" ${presetNumber !== undefined ? `from the ${p.preset!.id} preset` : p.delimiter.value === ';' ? 'because the delimiter is ";"' : 'as the more common'}`;
    } else {
      decimal = a.dot >= a.comma ? '.' : ',';
      confidence = a.total === 0 ? 0 : Math.max(a.dot, a.comma) / a.total;
      evidence = `${Math.max(a.dot, a.comma)} of ${a.total} amounts read with "${decimal}" as the decimal separator; the others are reported`;
    }
    const groups = decimal === '.' ? a.groupDot : a.groupComma;
    const group =
      [...groups].find((g) => g !== '') ??
      (presetNumber !== undefined && NUMBER_FORMATS[presetNumber].decimal === decimal ? NUMBER_FORMATS[presetNumber].group : '');
    const format = numberFormatFor(decimal, group as '' | ',' | '.' | ' ' | "'");
    const alternative = numberFormatFor(decimal === '.' ? ',' : '.', null);
    numberFormat = { value: format, source: 'content', confidence, evidence, ambiguous, alternatives: ambiguous ? [alternative] : [] };
    if (ambiguous) {
      fileIssues.push(
        issue({
          type: 'file',
          code: 'ambiguous_number_format',
          severity: 'warning',
          field: columns.amount?.header ?? null,
          error: `the amounts cannot tell whether "." or "," is the decimal separator; read with "${decimal}" (${format}). Give the number format if that is wrong`,
        }),
      );
    }
  }
  const decimal = NUMBER_FORMATS[numberFormat.value].decimal;

  // Date format.
  let dateFormat: Detected<DateFormat>;
  const onAmbiguous = context.options.onAmbiguousDate ?? 'guess';
  if (csv.dateFormat !== undefined) {
    dateFormat = fixed(csv.dateFormat, 'option', 'as given');
  } else {
    const hint =
      p.preset?.dateFormat !== undefined
        ? { dayFirst: /^DD/.test(p.preset.dateFormat), reason: `the ${p.preset.id} preset writes ${p.preset.dateFormat}` }
        : decimal === ','
          ? { dayFirst: true, reason: 'the amounts use a decimal comma (day-first locales)' }
          : samples.currencies.has('USD') || p.preset?.currency === 'USD'
            ? { dayFirst: false, reason: 'the amounts are in USD (month-first)' }
            : { dayFirst: false, reason: 'a decimal point and no other hint' };
    const decision = samples.dates.decide(hint);
    if (decision.format === null) {
      throw new BankFormatError(
        'malformed_csv',
        `the date column ${JSON.stringify(columns.date.header ?? columns.date.index)} holds no readable dates: ${decision.evidence}`,
      );
    }
    const fromPreset =
      decision.ambiguous &&
      p.preset?.dateFormat !== undefined &&
      (decision.format === p.preset.dateFormat || decision.alternatives.includes(p.preset.dateFormat));
    if (fromPreset) {
      dateFormat = {
        value: p.preset!.dateFormat!,
        source: 'preset',
        confidence: 0.9,
        evidence: `${decision.evidence}; the ${p.preset!.id} preset settles it`,
        ambiguous: false,
        alternatives: [],
      };
    } else {
      dateFormat = {
        value: decision.format,
        source: 'content',
        confidence: decision.confidence,
        evidence: decision.evidence,
        ambiguous: decision.ambiguous,
        alternatives: decision.alternatives,
      };
      if (decision.ambiguous) {
        if (onAmbiguous === 'fail') {
          throw new BankFormatError(
            'ambiguous_date_format',
            `the dates cannot decide the date format (${decision.evidence}); give the date format`,
          );
        }
        fileIssues.push(
          issue({
            type: 'file',
            code: 'ambiguous_date_format',
            severity: 'warning',
            field: columns.date.header,
            error: `every date reads as ${[decision.format, ...decision.alternatives].join(' or ')}; read as ${decision.format}. Give the date format if that is wrong`,
          }),
        );
      }
    }
  }

  // Sign convention.
  let direction = columns.direction;
  if (
    direction === null &&
    columns.amount !== null &&
    columns.type !== null &&
    samples.signed === 0 &&
    samples.typeValues.size > 0 &&
    samples.typeValues.size <= 20
  ) {
    const vocabulary = new Set<string>([...DEFAULT_DIRECTION_VALUES.out, ...DEFAULT_DIRECTION_VALUES.in]);
    if ([...samples.typeValues.keys()].every((value) => vocabulary.has(value))) direction = columns.type;
  }
  let signConvention: Detected<SignConvention>;
  let amountSign: 'negative_is_money_out' | 'positive_is_money_out' = 'negative_is_money_out';
  if (columns.debit !== null || columns.credit !== null) {
    signConvention = fixed(
      'debit_credit_columns',
      csv.mapping !== undefined ? 'option' : p.preset !== null ? 'preset' : 'content',
      `money out in ${JSON.stringify(columns.debit?.header ?? columns.debit?.index)}, money in in ${JSON.stringify(columns.credit?.header ?? columns.credit?.index)}`,
    );
  } else if (direction !== null) {
    const values = [...samples.directionValues.keys(), ...(direction === columns.type ? samples.typeValues.keys() : [])].filter(
      (v) => v !== '',
    );
    signConvention = fixed(
      'direction_column',
      direction === columns.direction ? (csv.mapping !== undefined ? 'option' : 'content') : 'content',
      `an unsigned amount and the direction column ${JSON.stringify(direction.header ?? direction.index)} (${[...new Set(values)].slice(0, 6).join(', ')})`,
    );
  } else {
    const mapped = (csv.mapping ?? p.preset?.mapping)?.amountSign;
    if (mapped !== undefined) {
      amountSign = mapped;
      signConvention = fixed(
        mapped,
        csv.mapping !== undefined ? 'option' : 'preset',
        mapped === 'positive_is_money_out'
          ? `the ${p.preset?.id ?? 'given'} mapping signs charges positive`
          : `the ${p.preset?.id ?? 'given'} mapping signs money out negative`,
      );
    } else {
      const { negative, positive } = samples.incoming;
      if (negative + positive >= 2 && negative > positive * 3) {
        amountSign = 'positive_is_money_out';
        signConvention = {
          value: amountSign,
          source: 'content',
          confidence: negative / (negative + positive),
          evidence: `${negative} of ${negative + positive} lines that read as money in (salary, deposit, refund, payment received) are negative`,
          ambiguous: false,
          alternatives: [],
        };
      } else if (negative + positive >= 2 && positive > negative * 3) {
        signConvention = {
          value: amountSign,
          source: 'content',
          confidence: positive / (negative + positive),
          evidence: `${positive} of ${negative + positive} lines that read as money in (salary, deposit, refund, payment received) are positive`,
          ambiguous: false,
          alternatives: [],
        };
      } else {
        signConvention = {
          value: amountSign,
          source: 'default',
          confidence: 0.6,
          evidence:
            'one signed amount column; money out read as negative, as bank statements write it (no salary, deposit or refund lines to confirm it)',
          ambiguous: false,
          alternatives: [],
        };
      }
    }
  }

  const presetCurrency = p.preset?.currency;
  const fileCurrency = samples.currencies.size === 1 ? [...samples.currencies][0]! : (presetCurrency ?? null);
  const detection: Detection = {
    ...baseDetection(context),
    delimiter: p.delimiter,
    headerRow: p.headerRow,
    preambleLines: p.preambleLines,
    dateFormat,
    numberFormat,
    signConvention,
    preset: p.presetDetection,
    columns: describeColumns({ ...columns, direction }),
    currency: fileCurrency !== null && ISO_CURRENCY.test(fileCurrency) ? fileCurrency : null,
  };

  const stats = newStats();
  const directionValues = (csv.mapping ?? p.preset?.mapping)?.directionValues ?? DEFAULT_DIRECTION_VALUES;
  const outValues = new Set(directionValues.out.map((v) => v.toUpperCase()));
  const inValues = new Set(directionValues.in.map((v) => v.toUpperCase()));
  const pendingValues = new Set(((csv.mapping ?? p.preset?.mapping)?.pendingValues ?? DEFAULT_PENDING_VALUES).map((v) => v.toUpperCase()));
  const defaultAccount = context.options.accountExternalId ?? 'csv';
  const defaultCurrency = presetCurrency ?? context.options.defaultCurrency ?? null;
  const headerNames = p.header;

  async function* events(): AsyncIterable<BankFileEvent> {
    for (const fileIssue of fileIssues) {
      stats.warnings += 1;
      yield { type: 'issue', issue: fileIssue };
    }
    const finisher = new LineFinisher();
    const accounts = new Set<string>();
    for await (const { cells, line } of csvRecords(context, p.delimiter.value, p.fromLine)) {
      stats.rows += 1;
      const rowIssues: RowIssue[] = [];
      const draft = readRow(cells, line, rowIssues);
      let event: BankFileEvent | null = null;
      if (draft !== null) {
        if (!accounts.has(draft.accountExternalId)) {
          accounts.add(draft.accountExternalId);
          stats.accounts += 1;
          yield { type: 'account', account: csvAccount(draft.accountExternalId, draft.currency) };
        }
        const finished = finisher.finish(draft, rowIssues);
        stats.lines += 1;
        event = { type: 'line', line: finished };
      } else {
        stats.invalid += 1;
      }
      for (const rowIssue of rowIssues) {
        if (rowIssue.severity === 'warning') stats.warnings += 1;
        yield { type: 'issue', issue: rowIssue };
      }
      if (event !== null) yield event;
    }
  }

  function cell(cells: readonly string[], column: Column | null): string {
    return column === null ? '' : (cells[column.index] ?? '').trim();
  }
  function field(column: Column): string {
    return column.header ?? `column ${column.index + 1}`;
  }

  function readRow(cells: string[], row: number, issues: RowIssue[]): LineDraft | null {
    const raw: Record<string, string> = {};
    cells.forEach((value, index) => {
      raw[headerNames?.[index] ?? String(index)] = value;
    });
    const id = optionalText(cell(cells, columns.id));
    const reject = (code: RowIssue['code'], at: Column | null, value: string | null, error: string): null => {
      issues.push(issue({ code, row, field: at === null ? null : field(at), value, transactionId: id, error }));
      return null;
    };
    const trailingEmpty = cells.length > p.fields && cells.slice(p.fields).every((value) => value === '');
    if (cells.length !== p.fields && !trailingEmpty) {
      return reject(
        'malformed_row',
        null,
        cells.join(p.delimiter.value),
        `the row has ${cells.length} fields where the ${headerNames === null ? 'table' : 'header'} has ${p.fields}`,
      );
    }

    const dateText = cell(cells, columns.date);
    if (dateText === '') return reject('missing_date', columns.date, null, 'the row has no date');
    const date = readDate(dateText, dateFormat.value);
    if (!date.ok) {
      return reject(date.reason === 'shape' ? 'unparseable_date' : 'invalid_calendar_date', columns.date, dateText, date.message);
    }
    const optionalDate = (column: Column | null): string | null => {
      const text = cell(cells, column);
      if (text === '') return null;
      const read = readDate(text, dateFormat.value);
      if (read.ok) return read.iso;
      issues.push(
        issue({
          code: read.reason === 'shape' ? 'unparseable_date' : 'invalid_calendar_date',
          severity: 'warning',
          row,
          field: field(column!),
          value: text,
          transactionId: id,
          error: `${read.message}; the line keeps its ${field(columns.date)} only`,
        }),
      );
      return null;
    };

    let amountCents: number;
    if (columns.debit !== null || columns.credit !== null) {
      const debitText = cell(cells, columns.debit);
      const creditText = cell(cells, columns.credit);
      const read = (text: string, column: Column | null): number | null => {
        if (text === '' || column === null) return 0;
        const parsed = parseAmountText(text, decimal);
        if (!parsed.ok) {
          reject(
            parsed.reason === 'unparseable'
              ? 'unparseable_amount'
              : parsed.reason === 'precision'
                ? 'amount_precision'
                : 'amount_out_of_range',
            column,
            text,
            parsed.message,
          );
          return null;
        }
        return Math.abs(parsed.cents);
      };
      const debit = read(debitText, columns.debit);
      if (debit === null) return null;
      const credit = read(creditText, columns.credit);
      if (credit === null) return null;
      if (debitText === '' && creditText === '')
        return reject('missing_amount', columns.debit ?? columns.credit, null, 'the row has neither a debit nor a credit amount');
      if (debit !== 0 && credit !== 0) {
        return reject(
          'debit_and_credit',
          columns.debit,
          `${debitText} / ${creditText}`,
          `the row has both a debit (${debitText}) and a credit (${creditText}); one row is one movement`,
        );
      }
      amountCents = debit !== 0 ? debit : -credit;
    } else {
      const amountColumn = columns.amount!;
      const text = cell(cells, amountColumn);
      if (text === '') return reject('missing_amount', amountColumn, null, 'the row has no amount');
      const parsed = parseAmountText(text, decimal);
      if (!parsed.ok) {
        return reject(
          parsed.reason === 'unparseable'
            ? 'unparseable_amount'
            : parsed.reason === 'precision'
              ? 'amount_precision'
              : 'amount_out_of_range',
          amountColumn,
          text,
          parsed.message,
        );
      }
      if (direction !== null) {
        const value = upper(cells[direction.index]);
        const magnitude = Math.abs(parsed.cents);
        if (outValues.has(value)) amountCents = magnitude;
        else if (inValues.has(value)) amountCents = -magnitude;
        else if (parsed.marker !== null) amountCents = parsed.marker === 'DR' ? magnitude : -magnitude;
        else
          return reject(
            'unknown_direction',
            direction,
            value,
            `${JSON.stringify(value)} is not a direction (expected ${[...outValues].slice(0, 4).join('/')} for money out, ${[...inValues].slice(0, 4).join('/')} for money in)`,
          );
      } else if (parsed.marker !== null) {
        amountCents = parsed.marker === 'DR' ? Math.abs(parsed.cents) : -Math.abs(parsed.cents);
      } else {
        amountCents = amountSign === 'negative_is_money_out' ? -parsed.cents : parsed.cents;
      }
    }
    if (amountCents === 0) amountCents = 0;

    let currency: string | null;
    const currencyText = upper(cell(cells, columns.currency));
    if (currencyText !== '') {
      if (!ISO_CURRENCY.test(currencyText))
        return reject(
          'invalid_currency',
          columns.currency,
          currencyText,
          `${JSON.stringify(currencyText)} is not an ISO 4217 currency code`,
        );
      currency = currencyText;
    } else if (defaultCurrency !== null) {
      currency = defaultCurrency;
    } else {
      return reject('missing_currency', columns.currency, null, 'the row has no currency and none was given for the file');
    }

    const descriptionParts = columns.description.map((column) => cell(cells, column)).filter((value) => value !== '');
    let description = cleanText(descriptionParts.join(' '));
    if (description === '')
      description = cleanText(cell(cells, columns.counterparty) || cell(cells, columns.merchant) || cell(cells, columns.type));
    if (description === '') return reject('missing_description', columns.description[0] ?? null, null, 'the row has no description');

    const status = upper(cell(cells, columns.status));
    return {
      row,
      accountExternalId: cleanText(cell(cells, columns.account)) || defaultAccount,
      date: date.iso,
      authorizedDate: optionalDate(columns.authorizedDate),
      valueDate: optionalDate(columns.valueDate),
      amountCents,
      currency,
      description,
      merchantName: optionalText(cell(cells, columns.merchant)),
      providerId: id,
      providerIdKind: id === null ? null : 'csv_id_column',
      pending: status !== '' && pendingValues.has(status),
      providerCategory: optionalText(cell(cells, columns.category)),
      transactionType: optionalText(cell(cells, columns.type)),
      checkNumber: optionalText(cell(cells, columns.checkNumber)),
      counterparty: optionalText(cell(cells, columns.counterparty)),
      raw,
    };
  }

  return { detection, fileIssues, stats, events };
}

function csvAccount(externalId: string, currency: string | null): BankAccountInfo {
  return {
    externalId,
    name: null,
    officialName: null,
    mask: /\d{4}$/.exec(externalId)?.[0] ?? null,
    type: 'other',
    subtype: null,
    currency,
    unofficialCurrency: null,
    currentBalanceCents: null,
    availableBalanceCents: null,
    creditLimitCents: null,
    balancesAsOf: null,
    institutionRef: null,
    raw: {},
  };
}
