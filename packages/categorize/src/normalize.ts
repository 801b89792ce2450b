/**
 * Descriptor normalization.
 *
 * Bank and card descriptors carry a lot of text that says nothing about the
 * merchant: the bank's own boilerplate ("PURCHASE AUTHORIZED ON 06/14"),
 * dates, card suffixes, store numbers, payment-processor prefixes ("SQ *",
 * "TST*", "PAYPAL *") and the city/state the terminal is registered in. Rules
 * and history similarity both work far better on what is left, so every
 * descriptor goes through here first, and rule phrases are normalized with the
 * same function so both sides agree on spelling (accents, apostrophes,
 * "WAL-MART" vs "WALMART").
 */

export interface NormalizedDescriptor {
  /** Tokens joined by single spaces; what history similarity should compare. */
  readonly text: string;
  readonly tokens: readonly string[];
  /** Processor or aggregator named by a prefix such as `SQ *` or `PAYPAL *`. */
  readonly processor: string | null;
}

/**
 * Prefixes that payment processors put before the real merchant name. Only
 * recognized when followed by `*`, because several are also ordinary words
 * ("in", "pag") and the star is what processors actually emit.
 */
const PROCESSOR_PREFIXES: Readonly<Record<string, string>> = {
  sq: 'square',
  sqsp: 'squarespace',
  tst: 'toast',
  pp: 'paypal',
  paypal: 'paypal',
  sp: 'shopify',
  dd: 'doordash',
  ic: 'instacart',
  in: 'intuit',
  py: 'paymentus',
  wpy: 'wepay',
  fs: 'fastspring',
  pg: 'paddle',
  zettle: 'zettle',
  iz: 'zettle',
  sumup: 'sumup',
  sum: 'sumup',
  clip: 'clip',
  mp: 'mercadopago',
  mercadopago: 'mercadopago',
  merpago: 'mercadopago',
  pag: 'pagseguro',
  pagseguro: 'pagseguro',
  ps: 'pagseguro',
  stripe: 'stripe',
  bt: 'braintree',
  ckb: 'clickbank',
  '2co': '2checkout',
  ebanx: 'ebanx',
  dlo: 'dlocal',
  dlocal: 'dlocal',
  evertec: 'evertec',
  azul: 'azul',
  cardnet: 'cardnet',
  payu: 'payu',
  openpay: 'openpay',
  conekta: 'conekta',
  ifd: 'ifood',
  eb: 'eventbrite',
};
const PROCESSOR_PATTERN = new RegExp(`(?:^|\\s)(${Object.keys(PROCESSOR_PREFIXES).join('|')})\\s?\\*\\s*`);

/**
 * Whole phrases banks prepend to every card line. Removing them keeps words
 * such as "payment" from looking like a signal when they are only the bank's
 * template, and keeps history similarity about the merchant.
 */
const BOILERPLATE_PATTERNS: readonly RegExp[] = [
  /\b(?:recurring |bill )?(?:purchase|payment|pmnt|pymt) authorized on\b/g,
  /\bpurchase (?:return )?authorized on\b/g,
  /\b(?:debit|credit|check) card (?:purchase|pur)\b/g,
  /\bpos (?:debit|purchase|pur|compra|signature|pin)\b/g,
  /\bcompra (?:con |com |no |en )?(?:tarjeta|cartao|debito|credito|tdd|tdc|pos|internacional|nacional)(?: de (?:debito|credito))?\b/g,
  /\bcompra (?:con |com |no )?(?:cartao )?(?:de )?(?:debito|credito)\b/g,
  /\bconsumo (?:tarjeta|tdc|tdd|pos)\b/g,
  /\bcontactless\b/g,
];

/** Leading tokens that are bank template rather than merchant. */
const LEADING_NOISE = new Set([
  'pos',
  'purchase',
  'pur',
  'authorized',
  'debit',
  'dbt',
  'checkcard',
  'visa',
  'mastercard',
  'mc',
  'maestro',
  'eftpos',
  'compra',
  'consumo',
  'elo',
  'recurring',
  'preauthorized',
  'signature',
]);

const MONTHS = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|ene|abr|ago|dic|fev|mai|set|out|dez)';
const DATE_PATTERNS: readonly RegExp[] = [
  /\b\d{4}-\d{2}-\d{2}(?:t[\d:.]+z?)?\b/g,
  /\b\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b/g,
  new RegExp(`\\b\\d{1,2}\\s?${MONTHS}(?:\\s?\\d{2,4})?\\b`, 'g'),
  /\b\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]m)?\b/g,
];

/** "CARD 1123", "XXXX1234", "TARJ ****1234", "ending in 1234". */
const CARD_PATTERNS: readonly RegExp[] = [
  /\b(?:card|crd|tarjeta|tarj|cartao|acct|account|cuenta|cta|conta)\s*(?:no\.?|nro\.?|#|ending(?: in)?|terminada en|final)?\s*[x*]*\d{4}\b/g,
  /[x*]{2,}\s?\d{2,4}\b/g,
  /\bending in \d{4}\b/g,
];

/** Store and branch numbers: "#290", "STORE 1234", "SUC 12", "LOJA 03". */
const STORE_NUMBER_PATTERNS: readonly RegExp[] = [
  /#\s*\d+/g,
  /\b(?:store|str|loc|location|unit|suc|sucursal|tienda|loja|filial|no|nro|num|nbr)\.?\s*#?\s*\d+\b/g,
  /\b(?:\+?1[\s.-])?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/g,
];

/**
 * Location codes that terminals append after the city. Dropped only at the end
 * of the descriptor (and only when enough remains), because several are also
 * words elsewhere ("do", "es", "in").
 */
const TRAILING_LOCATION = new Set([
  // US states and DC
  'al',
  'ak',
  'az',
  'ar',
  'ca',
  'co',
  'ct',
  'de',
  'dc',
  'fl',
  'ga',
  'hi',
  'id',
  'il',
  'in',
  'ia',
  'ks',
  'ky',
  'la',
  'me',
  'md',
  'ma',
  'mi',
  'mn',
  'ms',
  'mo',
  'mt',
  'ne',
  'nv',
  'nh',
  'nj',
  'nm',
  'ny',
  'nc',
  'nd',
  'oh',
  'ok',
  'or',
  'pa',
  'ri',
  'sc',
  'sd',
  'tn',
  'tx',
  'ut',
  'vt',
  'va',
  'wa',
  'wv',
  'wi',
  'wy',
  'pr',
  // Canadian provinces
  'ab',
  'bc',
  'mb',
  'nb',
  'nl',
  'ns',
  'nt',
  'nu',
  'on',
  'pe',
  'qc',
  'sk',
  'yt',
  // Countries as terminals print them
  'us',
  'usa',
  'can',
  'mx',
  'mex',
  'br',
  'bra',
  'do',
  'dom',
  'rd',
  'es',
  'esp',
  'drd',
  // Mexican states (ISO-ish abbreviations seen on terminals)
  'cdmx',
  'df',
  'jal',
  'nl',
  'bcn',
  'qroo',
  'roo',
  'yuc',
  'pue',
  'gto',
  'qro',
  'ver',
  'mor',
  // Brazilian states
  'sp',
  'rj',
  'mg',
  'rs',
  'pr',
  'sc',
  'ba',
  'pe',
  'ce',
  'go',
  'df',
  'es',
  'am',
  'pa',
]);

/** Anything with this many digits is a reference, store or terminal number. */
const MAX_DIGITS_IN_TOKEN = 3;

export function foldAccents(value: string): string {
  return value.normalize('NFKD').replace(/\p{M}+/gu, '');
}

export function normalizeDescriptor(raw: string): NormalizedDescriptor {
  let text = foldAccents(raw).toLowerCase().replace(/ß/g, 'ss');

  for (const pattern of BOILERPLATE_PATTERNS) text = text.replace(pattern, ' ');
  for (const pattern of DATE_PATTERNS) text = text.replace(pattern, ' ');
  for (const pattern of CARD_PATTERNS) text = text.replace(pattern, ' ');
  for (const pattern of STORE_NUMBER_PATTERNS) text = text.replace(pattern, ' ');

  // Leading template words must go before the processor check, which only
  // looks at the start: "POS DEBIT SQ *CAFE" has its processor after them.
  text = stripLeadingNoise(text);

  let processor: string | null = null;
  const processorMatch = PROCESSOR_PATTERN.exec(text);
  if (processorMatch?.[1] !== undefined) {
    processor = PROCESSOR_PREFIXES[processorMatch[1]] ?? null;
    text = text.slice(0, processorMatch.index) + ' ' + text.slice(processorMatch.index + processorMatch[0].length);
  }

  const tokens = stripTrailingLocation(tokenize(stripLeadingNoise(text)));
  return { text: tokens.join(' '), tokens, processor };
}

/**
 * The spelling-level half of normalization, without any of the descriptor
 * clean-up: rule phrases go through this so that "credit card payment" stays
 * three words instead of losing "card payment" as bank boilerplate.
 */
export function tokenize(value: string): string[] {
  // Apostrophes join ("MCDONALD'S" = "MCDONALDS"); every other symbol splits,
  // so "WAL-MART", "AT&T" and "NETFLIX.COM" become separate tokens that the
  // matcher can still join back together.
  return (
    foldAccents(value)
      .toLowerCase()
      .replace(/ß/g, 'ss')
      .replace(/['`´’]/g, '')
      // Terminals glue reference numbers onto truncated names ("CRUIS2453188");
      // separating them keeps the name when the number is dropped below. A
      // letter or two before digits is a store code ("F1234") and goes with them.
      .replace(/([a-z]{3,})(\d{3,})/g, '$1 $2')
      .replace(/(\d{3,})([a-z]{3,})/g, '$1 $2')
      .replace(/[^a-z0-9]+/g, ' ')
      .split(' ')
      .filter((token) => token !== '' && countDigits(token) <= MAX_DIGITS_IN_TOKEN)
  );
}

function stripLeadingNoise(text: string): string {
  const tokens = text.trim().split(/\s+/);
  let start = 0;
  while (start < tokens.length - 1 && LEADING_NOISE.has(tokens[start] ?? '')) start += 1;
  return tokens.slice(start).join(' ');
}

function stripTrailingLocation(tokens: string[]): string[] {
  let end = tokens.length;
  // Up to two codes ("MIAMI FL US"), always leaving the merchant and its city.
  for (let dropped = 0; dropped < 2 && end > 2; dropped += 1) {
    const last = tokens[end - 1];
    if (last === undefined || !TRAILING_LOCATION.has(last)) break;
    end -= 1;
  }
  return end === tokens.length ? tokens : tokens.slice(0, end);
}

function countDigits(token: string): number {
  let digits = 0;
  for (let i = 0; i < token.length; i += 1) {
    const code = token.charCodeAt(i);
    if (code >= 48 && code <= 57) digits += 1;
  }
  return digits;
}
