/**
 * Which merchant a descriptor names, so `NETFLIX.COM 866-579` and `Netflix`
 * are one series.
 *
 * Descriptors go through the categorizer's normalization (boilerplate, card
 * suffixes, processor prefixes, store numbers removed). A known brand (a
 * merchant rule of @wallai/categorize hits) is keyed by its rule; anything
 * else by its first meaningful word, and words that are a prefix of another
 * ("disney" / "disneyplus") fold into one key. The key only groups charges:
 * amounts and gaps decide what is a series.
 */
import { compileRules, MERCHANT_RULES, normalizeDescriptor, type RuleMatcher } from '@wallai/categorize';

const STOP_WORDS = new Set([
  'the',
  'a',
  'an',
  'el',
  'la',
  'los',
  'las',
  'le',
  'o',
  'os',
  'www',
  'com',
  'net',
  'org',
  'www',
  'http',
  'https',
]);
const MIN_PREFIX_FOLD = 5;

let matcher: RuleMatcher | null = null;
function merchantMatcher(): RuleMatcher {
  matcher ??= compileRules(MERCHANT_RULES);
  return matcher;
}

export interface MerchantIdentity {
  /** Grouping key: `brand:netflix` or `word:acme`. */
  readonly key: string;
  /** For people: "Netflix", "Acme". */
  readonly name: string;
}

function titleCase(text: string): string {
  return text.replace(/\b\p{L}/gu, (c) => c.toUpperCase());
}

/**
 * Identity is a pure function of the text, so one cache serves every run in
 * the process (a batch over many spaces sees the same merchants again);
 * bounded, and simply emptied when full.
 */
const SHARED_CACHE = new Map<string, MerchantIdentity>();
const SHARED_CACHE_MAX = 50_000;

/** Identifies merchants of many descriptors, caching by descriptor text. */
export class MerchantResolver {
  private readonly cache = SHARED_CACHE;

  resolve(description: string, merchantName?: string | null): MerchantIdentity {
    const text = merchantName && merchantName.trim() !== '' ? merchantName : description;
    const hit = this.cache.get(text);
    if (hit) return hit;
    const identity = this.identify(text);
    if (this.cache.size >= SHARED_CACHE_MAX) this.cache.clear();
    this.cache.set(text, identity);
    return identity;
  }

  private identify(text: string): MerchantIdentity {
    const normalized = normalizeDescriptor(text);
    const brand = merchantMatcher()
      .match(normalized)
      .find((h) => h.rule.kind === 'merchant');
    if (brand) {
      const phrase = brand.rule.id.replace(/^merchant:/, '');
      return { key: `brand:${phrase}`, name: titleCase(phrase) };
    }
    const words = normalized.tokens.filter((t) => !STOP_WORDS.has(t) && !/\d/.test(t) && t.length >= 2);
    const key = words.slice(0, 2).join(' ') || normalized.tokens[0] || text.trim().toLowerCase();
    return { key: `word:${key}`, name: titleCase(key) };
  }
}

/**
 * Folds word keys into a shorter key they start with: a one-word key of at
 * least 5 letters absorbs two-word keys that begin with it (`hulu llc` →
 * `hulu`... when "hulu" alone also occurs) and run-together spellings
 * (`disneyplus` → `disney`). Returns a map for the keys that change.
 */
export function foldPrefixKeys(keys: Iterable<string>): Map<string, string> {
  const words = [...new Set(keys)].filter((k) => k.startsWith('word:')).map((k) => k.slice(5));
  words.sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const folded = new Map<string, string>();
  const roots: string[] = [];
  for (const w of words) {
    const root = roots.find(
      (r) => !r.includes(' ') && w !== r && (r.length >= MIN_PREFIX_FOLD || w.startsWith(`${r} `)) && w.startsWith(r),
    );
    if (root) folded.set(`word:${w}`, `word:${root}`);
    else roots.push(w);
  }
  return folded;
}
