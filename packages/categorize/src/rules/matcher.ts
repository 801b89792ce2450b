import { tokenize, type NormalizedDescriptor } from '../normalize.ts';
import type { ProcessorRule } from './processors.ts';
import type { Rule } from './types.ts';

/** One rule phrase found in a descriptor, over tokens [start, end). */
export interface RuleHit {
  readonly rule: Pick<Rule, 'id' | 'kind' | 'category' | 'confidence'>;
  /** The phrase as written in the rule table (a stem keeps its `*`). */
  readonly phrase: string;
  readonly start: number;
  readonly end: number;
}

export interface RuleMatcher {
  /** Non-overlapping hits; where phrases overlap the longer one is kept. */
  match(descriptor: NormalizedDescriptor): RuleHit[];
}

interface PhraseEntry {
  readonly rule: Rule;
  readonly phrase: string;
  readonly tokenCount: number;
}

/** Stems shorter than this match too many unrelated words. */
const MIN_STEM_LENGTH = 4;
/**
 * Joined or split spellings ("homedepot", "WAL MART") are accepted only when
 * the joined form is at least this long, so short codes such as "bp" or
 * "h&m" need the exact token layout they were written with.
 */
const MIN_REFLOWED_LENGTH = 5;

/**
 * Card networks cut the merchant field at a fixed width, often mid-word
 * ("CARNIVAL CRUIS", "BANK OF AMER"). A phrase's last word may be cut to this
 * many letters when the words before it are complete...
 */
const MIN_TRUNCATED_WORD = 4;
/**
 * ...while a one-word name must keep this many letters and this share of
 * itself, so "mercadona" is not found in "mercado".
 */
const MIN_TRUNCATED_NAME = 8;
const MIN_TRUNCATED_SHARE = 0.85;
/** Truncated and in-domain matches are a little less certain than whole ones. */
const PARTIAL_MATCH_PENALTY = 0.05;

/**
 * Web merchants print their domain, which glues words together
 * ("DICKSSPORTINGGOODS.COM", "GOTINDER.COM"). Only the label right before one
 * of these is searched for names inside it.
 */
const TOP_LEVEL_DOMAINS = new Set(['com', 'net', 'org', 'io', 'app', 'tv']);
const MIN_NAME_IN_DOMAIN = 5;

/**
 * Compiles rule phrases into hash lookups keyed by the phrase with its spaces
 * removed. Matching walks each token position once and joins up to a few
 * following tokens, so the cost grows with descriptor length, not with the
 * number of rules (thousands of phrases cost the same as ten).
 */
export function compileRules(rules: readonly Rule[], processorRules: readonly ProcessorRule[] = []): RuleMatcher {
  const exact = new Map<string, PhraseEntry[]>();
  const stems = new Map<string, PhraseEntry[]>();
  let longestPhrase = 1;
  let longestStem = 0;

  for (const rule of rules) {
    if (!(rule.confidence > 0 && rule.confidence <= 1)) {
      throw new RangeError(`rule ${rule.id}: confidence ${rule.confidence} is outside (0, 1]`);
    }
    for (const phrase of rule.phrases) {
      if (phrase.endsWith('*')) {
        const stem = tokenize(phrase.slice(0, -1));
        const [only] = stem;
        if (stem.length !== 1 || only === undefined || only.length < MIN_STEM_LENGTH) {
          throw new Error(`rule ${rule.id}: stem "${phrase}" must be a single word of ${MIN_STEM_LENGTH}+ letters`);
        }
        push(stems, only, { rule, phrase, tokenCount: 1 });
        longestStem = Math.max(longestStem, only.length);
        continue;
      }
      const tokens = tokenize(phrase);
      if (tokens.length === 0) throw new Error(`rule ${rule.id}: phrase "${phrase}" normalizes to nothing`);
      const key = tokens.join('');
      // "uber eats" and "ubereats" are the same key; one entry per rule is enough.
      if (exact.get(key)?.some((entry) => entry.rule === rule) !== true) {
        push(exact, key, { rule, phrase, tokenCount: tokens.length });
      }
      longestPhrase = Math.max(longestPhrase, tokens.length);
    }
  }

  const truncated = new Map<string, PhraseEntry[]>();
  for (const rule of rules) {
    const partial: Rule = { ...rule, confidence: rule.confidence - PARTIAL_MATCH_PENALTY };
    for (const phrase of rule.phrases) {
      if (phrase.endsWith('*')) continue;
      const tokens = tokenize(phrase);
      for (const key of truncations(tokens)) {
        // A cut-off name that spells another rule's phrase or stem is that rule's word.
        if (!exact.has(key) && !stems.has(key)) push(truncated, key, { rule: partial, phrase, tokenCount: tokens.length });
      }
    }
  }

  // Longest first, so a domain containing several names resolves to the most specific.
  const namesForDomains = [...exact.entries()]
    .filter(([key]) => key.length >= MIN_NAME_IN_DOMAIN)
    .map(([key, entries]) => ({
      key,
      entries: entries
        .filter((entry) => entry.rule.kind === 'merchant')
        .map((entry): PhraseEntry => ({
          ...entry,
          rule: { ...entry.rule, confidence: entry.rule.confidence - PARTIAL_MATCH_PENALTY },
        })),
    }))
    .filter((name) => name.entries.length > 0)
    .sort((a, b) => b.key.length - a.key.length || (a.key < b.key ? -1 : 1));

  const processorHits = new Map(processorRules.map((p) => [p.processor, p]));
  // One token more than the longest phrase lets a one-word phrase match when
  // the descriptor splits it, and a long phrase match with an extra split.
  const window = longestPhrase + 1;

  return {
    match(descriptor) {
      const { tokens } = descriptor;
      const found: RuleHit[] = [];

      for (let start = 0; start < tokens.length; start += 1) {
        let joined = '';
        for (let end = start + 1; end <= Math.min(tokens.length, start + window); end += 1) {
          joined += tokens[end - 1];
          for (const entry of [...(exact.get(joined) ?? []), ...(truncated.get(joined) ?? [])]) {
            if (end - start === entry.tokenCount || joined.length >= MIN_REFLOWED_LENGTH) {
              found.push({ rule: entry.rule, phrase: entry.phrase, start, end });
            }
          }
        }

        const token = tokens[start] ?? '';
        if (token.length > MIN_NAME_IN_DOMAIN && TOP_LEVEL_DOMAINS.has(tokens[start + 1] ?? '')) {
          const name = namesForDomains.find((candidate) => token.includes(candidate.key));
          for (const entry of name?.entries ?? []) found.push({ rule: entry.rule, phrase: entry.phrase, start, end: start + 1 });
        }
        for (let length = Math.min(token.length, longestStem); length >= MIN_STEM_LENGTH; length -= 1) {
          for (const entry of stems.get(token.slice(0, length)) ?? []) {
            found.push({ rule: entry.rule, phrase: entry.phrase, start, end: start + 1 });
          }
        }
      }

      const accepted = keepLongest(found);
      const processorRule = descriptor.processor === null ? undefined : processorHits.get(descriptor.processor);
      if (processorRule !== undefined) {
        // No span: the prefix was removed from the tokens during normalization.
        accepted.push({
          rule: {
            id: `processor:${processorRule.processor}`,
            kind: 'keyword',
            category: processorRule.category,
            confidence: processorRule.confidence,
          },
          phrase: `${processorRule.processor} *`,
          start: tokens.length,
          end: tokens.length,
        });
      }
      return accepted;
    },
  };
}

/**
 * Longest span first: "uber eats" over "uber", "animal hospital" over
 * "hospital", "comision federal de electricidad" over "comision". Among equal
 * spans the more confident rule, then the earlier one, so the result is
 * deterministic.
 */
function keepLongest(hits: RuleHit[]): RuleHit[] {
  const ordered = [...hits].sort(
    (a, b) => b.end - b.start - (a.end - a.start) || b.rule.confidence - a.rule.confidence || a.start - b.start,
  );
  const accepted: RuleHit[] = [];
  for (const hit of ordered) {
    if (accepted.every((other) => hit.end <= other.start || hit.start >= other.end)) accepted.push(hit);
  }
  return accepted.sort((a, b) => a.start - b.start);
}

/** The joined spellings a phrase can take when its last word is cut short. */
function truncations(tokens: readonly string[]): string[] {
  const last = tokens[tokens.length - 1];
  if (last === undefined) return [];
  const head = tokens.slice(0, -1).join('');
  const shortest = tokens.length > 1 ? MIN_TRUNCATED_WORD : Math.max(MIN_TRUNCATED_NAME, Math.ceil(last.length * MIN_TRUNCATED_SHARE));
  const keys: string[] = [];
  for (let length = shortest; length < last.length; length += 1) keys.push(head + last.slice(0, length));
  return keys;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
