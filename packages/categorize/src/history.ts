/**
 * Categorizing from the space's own history: expenses it already
 * categorized (by hand or confirmed) that look like the new one. The lookup
 * itself is injected (the database implements it with pg_trgm similarity over
 * normalized descriptors); this module only turns neighbours into a vote.
 */

export interface HistoryQuery {
  /** The descriptor as the user or bank wrote it. */
  readonly description: string;
  /** `normalizeDescriptor(description).text`: what similarity should compare. */
  readonly normalized: string;
  readonly amount: number | undefined;
}

export interface HistoryNeighbour {
  readonly category: string;
  /** In [0, 1]; 1 is an identical normalized descriptor. */
  readonly similarity: number;
}

/** Returns similar, already categorized expenses of the same space. */
export type HistoryLookup = (query: HistoryQuery) => Promise<readonly HistoryNeighbour[]>;

/**
 * Below this, trigram similarity mostly reflects shared boilerplate ("POS
 * DEBIT", a city name) rather than the same merchant.
 */
export const DEFAULT_MIN_SIMILARITY = 0.6;

export interface HistoryVote {
  readonly category: string;
  readonly confidence: number;
}

/**
 * Similarity-weighted vote among neighbours at or above `minSimilarity` whose
 * category is still a candidate (a space may have removed a category since).
 *
 * Confidence is the winner's share of the vote times its best similarity:
 * one exact, uncontested match gives 1; a close match contradicted by another
 * equally close one gives half; a lukewarm match stays lukewarm however many
 * weak neighbours agree, because many vaguely similar expenses are weaker
 * evidence than one that is really the same merchant.
 */
export function voteFromHistory(
  neighbours: readonly HistoryNeighbour[],
  candidates: ReadonlySet<string>,
  minSimilarity: number = DEFAULT_MIN_SIMILARITY,
): HistoryVote | null {
  const tally = new Map<string, { weight: number; best: number }>();
  let total = 0;
  for (const neighbour of neighbours) {
    // The lookup crosses a network and a schema boundary; trust nothing.
    const raw = neighbour as Partial<Record<keyof HistoryNeighbour, unknown>> | null | undefined;
    const similarity = raw?.similarity;
    const category = raw?.category;
    if (typeof similarity !== 'number' || !Number.isFinite(similarity) || similarity > 1) continue;
    if (similarity < minSimilarity || typeof category !== 'string' || !candidates.has(category)) continue;
    const entry = tally.get(category) ?? { weight: 0, best: 0 };
    entry.weight += similarity;
    entry.best = Math.max(entry.best, similarity);
    tally.set(category, entry);
    total += similarity;
  }
  if (total === 0) return null;

  let winner: [string, { weight: number; best: number }] | undefined;
  for (const entry of tally) {
    const [category, { weight, best }] = entry;
    if (
      winner === undefined ||
      weight > winner[1].weight ||
      (weight === winner[1].weight && (best > winner[1].best || (best === winner[1].best && category < winner[0])))
    ) {
      winner = entry;
    }
  }
  if (winner === undefined) return null;
  const [category, { weight, best }] = winner;
  return { category, confidence: Math.round((weight / total) * best * 1000) / 1000 };
}
