/**
 * Exact dedupe keys. A line with a provider id is keyed by (account, provider
 * id); one without by its content key (account, date, amount in cents,
 * currency, normalized description) and its occurrence among the identical
 * lines of its file, so N identical real purchases stay N rows and a replay,
 * an overlapping statement or any subset of a file finds the rows it already
 * brought.
 */
import type { ImportLine } from './types.ts';

/** The description as the content key compares it: case, accents, punctuation and spacing folded. */
export function normalizeForKey(description: string): string {
  return description
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export function contentKeyOf(line: {
  readonly accountExternalId: string;
  readonly date: string;
  readonly amountCents: number;
  readonly currency: string | null;
  readonly unofficialCurrency?: string | null;
  readonly description: string;
}): string {
  const currency = line.currency ?? line.unofficialCurrency ?? '';
  return [line.accountExternalId, line.date, String(line.amountCents), currency, normalizeForKey(line.description)].join('|');
}

/**
 * The lines with their occurrence numbered 1, 2, ... among the lines of the
 * same account and content key, in file order. Lines with a provider id keep
 * occurrence 1 (the id is their key).
 */
export function numberOccurrences<T extends ImportLine>(lines: readonly T[]): T[] {
  const seen = new Map<string, number>();
  return lines.map((line) => {
    if (line.providerId !== null) return line.occurrence === 1 ? line : { ...line, occurrence: 1 };
    const key = `${line.accountExternalId}\u0000${line.contentKey}`;
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    return line.occurrence === occurrence ? line : { ...line, occurrence };
  });
}
