import type { FileErrorCode, IssueCode, IssueSeverity, RowIssue } from './types.ts';

/** A file that cannot be read at all: the import fails with this code and writes nothing. */
export class BankFormatError extends Error {
  override name = 'BankFormatError';
  readonly code: FileErrorCode;
  constructor(code: FileErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const MAX_VALUE_LENGTH = 200;

export interface IssueInput {
  readonly code: IssueCode;
  readonly error: string;
  readonly severity?: IssueSeverity;
  readonly type?: RowIssue['type'];
  readonly row?: number | null;
  readonly field?: string | null;
  readonly value?: unknown;
  readonly transactionId?: string | null;
}

/** A RowIssue in SpendSense's shape; the value is kept as written, truncated to 200 characters. */
export function issue(input: IssueInput): RowIssue {
  let value: string | null = null;
  if (input.value !== undefined && input.value !== null) {
    const text = typeof input.value === 'string' ? input.value : JSON.stringify(input.value);
    value = text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
  }
  return {
    type: input.type ?? 'transaction',
    transaction_id: input.transactionId ?? null,
    error: input.error,
    severity: input.severity ?? 'error',
    code: input.code,
    row: input.row ?? null,
    field: input.field ?? null,
    value,
  };
}

/** Thrown inside a row parser to reject the row with an issue; caught by the format's reader. */
export class RowRejected extends Error {
  override name = 'RowRejected';
  readonly issue: RowIssue;
  constructor(rowIssue: RowIssue) {
    super(rowIssue.error);
    this.issue = rowIssue;
  }
}
