/** Report entries in SpendSense's validation_errors shape, with Wallai's row, field, value and stable code. */
import type { ReportIssue, Severity } from './types.ts';

export function issue(
  code: string,
  error: string,
  options: {
    readonly severity?: Severity;
    readonly row?: number | null;
    readonly field?: string | null;
    readonly value?: string | null;
    readonly transactionId?: string | null;
    readonly type?: string;
  } = {},
): ReportIssue {
  return {
    type: options.type ?? 'transaction',
    transaction_id: options.transactionId ?? null,
    error,
    severity: options.severity ?? 'error',
    row: options.row ?? null,
    field: options.field ?? null,
    value: options.value ?? null,
    code,
  };
}

/** Distinct rows that carry an error: the lines that could not be imported. */
export function invalidRows(issues: readonly ReportIssue[]): Set<number> {
  const rows = new Set<number>();
  for (const entry of issues) if (entry.severity === 'error' && entry.row !== null) rows.add(entry.row);
  return rows;
}
