import type { CategoryKey } from '@wallai/domain';

export type RuleKind = 'merchant' | 'keyword';

/**
 * One rule: any of its phrases found in a normalized descriptor votes for
 * `category` with `confidence`.
 *
 * Phrases are written in plain text and normalized exactly like descriptors,
 * so "McDonald's", "Wal-Mart" and "Pão de Açúcar" are fine as written. A
 * phrase made of several words also matches when the descriptor runs them
 * together ("homedepot"), and a single long word matches when the descriptor
 * splits it ("WAL MART"). A trailing `*` makes a one-word phrase a stem
 * ("supermercad*" matches supermercado, supermercados).
 */
export interface Rule {
  readonly id: string;
  readonly kind: RuleKind;
  readonly category: CategoryKey;
  readonly confidence: number;
  readonly phrases: readonly string[];
}

/**
 * Shorthand used by the rule tables: `'walmart|wal mart|wm supercenter'`
 * is one rule with three phrases; its id is the first phrase.
 */
export function defineRules(kind: RuleKind, category: CategoryKey, confidence: number, entries: readonly string[]): Rule[] {
  return entries.map((entry) => {
    const phrases = entry
      .split('|')
      .map((phrase) => phrase.trim())
      .filter((phrase) => phrase !== '');
    const id = `${kind}:${phrases[0] ?? entry}`;
    return { id, kind, category, confidence, phrases };
  });
}
