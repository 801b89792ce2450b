/**
 * What every format shares once a row is read: the content key and its
 * occurrence among identical lines, a provider id seen twice in one file,
 * currency checks, and the numeric(12,2) text of the amount.
 */
import { normalizeDescriptor } from '@wallai/categorize';
import { issue } from './errors.ts';
import { centsToAmount } from './numbers.ts';
import type { BankLine, ProviderIdKind, RowIssue } from './types.ts';

const MAX_DESCRIPTION = 500;

/** Whitespace collapsed, trimmed, at most 500 characters (the column's check). */
export function cleanText(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value).replace(/\s+/g, ' ').trim();
  return text.length > MAX_DESCRIPTION ? text.slice(0, MAX_DESCRIPTION) : text;
}

export function optionalText(value: unknown): string | null {
  const text = cleanText(value);
  return text === '' ? null : text;
}

/** The description as the content key compares it: the shared descriptor normalization, or the folded text when that leaves nothing. */
export function normalizedDescription(description: string): string {
  const normalized = normalizeDescriptor(description).text;
  if (normalized !== '') return normalized;
  return description
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** account | date | cents | currency | normalized description. */
export function contentKey(parts: {
  readonly accountExternalId: string;
  readonly date: string;
  readonly amountCents: number;
  readonly currency: string | null;
  readonly unofficialCurrency: string | null;
  readonly description: string;
}): string {
  const currency = parts.currency ?? `~${parts.unofficialCurrency ?? ''}`;
  return [parts.accountExternalId, parts.date, String(parts.amountCents), currency, normalizedDescription(parts.description)].join('|');
}

/** The fields a format reader fills; the finisher adds the rest. */
export interface LineDraft {
  readonly row: number;
  readonly accountExternalId: string;
  readonly date: string;
  readonly authorizedDate?: string | null;
  readonly valueDate?: string | null;
  readonly amountCents: number;
  readonly currency: string | null;
  readonly unofficialCurrency?: string | null;
  readonly description: string;
  readonly merchantName?: string | null;
  readonly providerId?: string | null;
  readonly providerIdKind?: ProviderIdKind | null;
  readonly pendingTransactionId?: string | null;
  readonly pending?: boolean;
  readonly providerCategory?: string | null;
  readonly providerCategoryDetailed?: string | null;
  readonly transactionType?: string | null;
  readonly checkNumber?: string | null;
  readonly counterparty?: string | null;
  readonly raw: Readonly<Record<string, unknown>>;
}

export const ISO_CURRENCY = /^[A-Z]{3}$/;

/**
 * Finishes drafts into lines in file order. One per file: occurrences count
 * identical lines of the whole file, provider ids are unique per account.
 */
export class LineFinisher {
  private readonly occurrences = new Map<string, number>();
  private readonly providerIds = new Map<string, string>();
  /** Set false for Plaid files, where a restarted walk legitimately repeats transaction ids. */
  private readonly checkProviderIds: boolean;

  constructor(options: { readonly checkProviderIds?: boolean } = {}) {
    this.checkProviderIds = options.checkProviderIds ?? true;
  }

  finish(draft: LineDraft, issues: RowIssue[]): BankLine {
    const description = cleanText(draft.description);
    const unofficialCurrency = draft.unofficialCurrency ?? null;
    const key = contentKey({ ...draft, description, unofficialCurrency });
    const occurrence = (this.occurrences.get(key) ?? 0) + 1;
    this.occurrences.set(key, occurrence);

    let providerId = draft.providerId ?? null;
    let providerIdKind = draft.providerIdKind ?? null;
    if (providerId !== null && this.checkProviderIds) {
      const scoped = `${draft.accountExternalId}\u0000${providerId}`;
      const seen = this.providerIds.get(scoped);
      if (seen === undefined) {
        this.providerIds.set(scoped, key);
      } else if (seen === key) {
        issues.push(
          issue({
            code: 'duplicate_provider_id',
            severity: 'warning',
            row: draft.row,
            field: providerIdKind,
            value: providerId,
            transactionId: providerId,
            error: `transaction id ${JSON.stringify(providerId)} appears twice in the file with the same date, amount and description; the copy is reported as a duplicate`,
          }),
        );
      } else {
        issues.push(
          issue({
            code: 'duplicate_provider_id',
            severity: 'warning',
            row: draft.row,
            field: providerIdKind,
            value: providerId,
            transactionId: providerId,
            error: `transaction id ${JSON.stringify(providerId)} was already used by a different line of the file; this line is kept and matched by its content instead`,
          }),
        );
        providerId = null;
        providerIdKind = null;
      }
    }

    return {
      row: draft.row,
      accountExternalId: draft.accountExternalId,
      date: draft.date,
      authorizedDate: draft.authorizedDate ?? null,
      valueDate: draft.valueDate ?? null,
      amountCents: draft.amountCents,
      amount: centsToAmount(draft.amountCents),
      currency: draft.currency,
      unofficialCurrency,
      description,
      merchantName: draft.merchantName ?? null,
      providerId,
      providerIdKind,
      pendingTransactionId: draft.pendingTransactionId ?? null,
      pending: draft.pending ?? false,
      providerCategory: draft.providerCategory ?? null,
      providerCategoryDetailed: draft.providerCategoryDetailed ?? null,
      transactionType: draft.transactionType ?? null,
      checkNumber: draft.checkNumber ?? null,
      counterparty: draft.counterparty ?? null,
      contentKey: key,
      occurrence,
      raw: draft.raw,
    };
  }
}
