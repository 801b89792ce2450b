/**
 * The offline assistant's question parser: what is asked (an intent) and
 * about what (period, category, merchant, member, grouping, order), from the
 * words of the question and the space's own vocabulary (its categories,
 * merchants and members). It never guesses: a question it cannot place is
 * `unknown`, and the assistant then says what it can answer.
 *
 * Periods ("last month", "in March", "this year", "since May", "the last 30
 * days") are resolved in the space's time zone into the tools' period strings.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, format, subMonths } from 'date-fns';

export const INTENTS = [
  'spending_total',
  'spending_compare',
  'spending_breakdown',
  'list',
  'count',
  'budget',
  'balances',
  'recurring',
  'accounts',
  'insights',
  'income',
  'help',
  'unknown',
] as const;
export type Intent = (typeof INTENTS)[number];

export interface VocabularyMember {
  readonly id: string;
  readonly username: string;
  readonly fullName: string | null;
}

export interface Vocabulary {
  /** Category keys and their labels (the space's budget items, else the default taxonomy). */
  readonly categories: ReadonlyArray<{ readonly key: string; readonly label: string }>;
  /** Descriptions of the space's expenses, most frequent first. */
  readonly merchants: readonly string[];
  readonly members: readonly VocabularyMember[];
  /** The person asking. */
  readonly selfId: string;
}

export interface ParsedQuestion {
  readonly intent: Intent;
  /** A period string for the tools (this_month, 2025-03, 2025-03-01..2025-03-31), when the question names one. */
  readonly period?: string;
  readonly category?: string;
  /** Text the description contains (a merchant). */
  readonly text?: string;
  readonly member?: { readonly id: string; readonly name: string };
  readonly groupBy?: 'category' | 'member' | 'month';
  readonly sort?: 'date_desc' | 'amount_desc' | 'amount_asc';
  readonly limit?: number;
  readonly minAmount?: string;
  readonly maxAmount?: string;
}

const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const MONTH_WORD =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';

function monthIndex(word: string): number {
  const w = word.toLowerCase().slice(0, 3);
  return MONTH_NAMES.findIndex((m) => m.startsWith(w));
}

/** Words that name a category without being its key or label. */
export const CATEGORY_SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  groceries: ['grocery', 'groceries', 'supermarket', 'supermarkets', 'food shopping', 'food shop', 'weekly shop'],
  dining: ['dining', 'eating out', 'restaurant', 'restaurants', 'takeaway', 'takeout', 'dinners', 'eat out', 'food out', 'bars'],
  transport: ['transport', 'transportation', 'fuel', 'petrol', 'taxi', 'taxis', 'commute', 'commuting', 'metro'],
  housing: ['housing', 'rent', 'mortgage'],
  utilities: ['utilities', 'utility', 'bills', 'electricity', 'internet', 'water bill', 'phone bill', 'energy'],
  health: ['health', 'healthcare', 'medical', 'pharmacy', 'doctor', 'dentist', 'medicine'],
  insurance: ['insurance'],
  subscriptions: ['subscriptions', 'subscription', 'streaming'],
  entertainment: ['entertainment', 'fun', 'cinema', 'movies', 'concerts', 'going out'],
  shopping: ['shopping', 'clothes', 'clothing'],
  travel: ['travel', 'travelling', 'trips', 'holidays', 'vacation', 'train tickets', 'flights'],
  personal_care: ['personal care', 'hairdresser', 'haircut', 'gym', 'beauty'],
  emergency_fund: ['emergency fund', 'savings transfers', 'saving'],
  investments: ['investments', 'investing'],
  debt_payoff: ['debt', 'debt payoff', 'loan payments'],
  fees_taxes: ['fees', 'taxes', 'tax', 'bank fees'],
  other: ['miscellaneous', 'misc'],
};

/** Common words that are never merchant names on their own, even when a description starts with them. */
const NOT_MERCHANTS = new Set(
  `a an the and or of to for in on at by with from our my your their we i me us flat home house room night order orders card
   tickets ticket transfer transfers present presents supplies cleaning birthday weekly monthly monthly bill bills payment
   payments fee fees shop store market local corner gift gifts kids kid school trip trips rent water gas car fuel top top-up
   train concert cinema gym dentist doctor amazon-order new old big small family`.split(/\s+/),
);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const wordRe = (phrase: string) => new RegExp(`(?:^|[^\\p{L}\\p{N}])${escape(phrase)}(?:$|[^\\p{L}\\p{N}])`, 'iu');

export function normalizeQuestion(text: string): string {
  return text.normalize('NFKC').replace(/[’‘]/g, "'").replace(/\s+/g, ' ').trim();
}

/** The period a question names, as a tools' period string; undefined when it names none. */
export function parsePeriod(question: string, now: Date, timeZone: string): string | undefined {
  const q = question.toLowerCase();
  const today = new TZDate(now, timeZone);
  const ymd = (d: Date) => format(d, 'yyyy-MM-dd');
  const month = (y: number, m: number) => `${y}-${String(m + 1).padStart(2, '0')}`;

  if (/\btoday\b/.test(q)) return 'today';
  if (/\byesterday\b/.test(q)) return 'yesterday';
  if (/\b(this|current) week\b/.test(q)) return 'this_week';
  if (/\b(last|previous|past) week\b/.test(q)) return 'last_week';
  const lastDays = /\b(?:last|past|previous)\s+(\d{1,3})\s+days?\b/.exec(q);
  if (lastDays) {
    const n = Number(lastDays[1]);
    if (n === 7 || n === 30 || n === 90) return `last_${n}_days`;
    if (n >= 1 && n <= 366) return `${ymd(addDays(today, -(n - 1)))}..${ymd(today)}`;
  }
  const lastMonths = /\b(?:last|past|previous)\s+(\d{1,2}|two|three|six|twelve)\s+months\b/.exec(q);
  if (lastMonths) {
    const words: Record<string, number> = { two: 2, three: 3, six: 6, twelve: 12 };
    const n = words[lastMonths[1] ?? ''] ?? Number(lastMonths[1]);
    const start = subMonths(new TZDate(today.getFullYear(), today.getMonth(), 1, timeZone), n - 1);
    return `${ymd(start)}..${ymd(today)}`;
  }
  if (/\b(this|current) month\b|\bso far this month\b|\bmonth to date\b/.test(q)) return 'this_month';
  if (/\b(last|previous|past) month\b/.test(q)) return 'last_month';
  if (/\b(this|current) year\b|\bso far this year\b|\byear to date\b|\bytd\b/.test(q)) return 'this_year';
  if (/\b(last|previous|past) year\b/.test(q)) return 'last_year';
  if (/\b(all time|ever|in total since the start)\b/.test(q)) return 'all_time';

  const since = new RegExp(`\\bsince\\s+${MONTH_WORD}(?:\\s+(\\d{4}))?\\b`).exec(q);
  if (since) {
    const m = monthIndex(since[1] ?? '');
    const y = since[2] ? Number(since[2]) : m <= today.getMonth() ? today.getFullYear() : today.getFullYear() - 1;
    return `${month(y, m)}-01..${ymd(today)}`;
  }
  const named = new RegExp(`\\b${MONTH_WORD}(?:\\s+(\\d{4}))?\\b`).exec(q);
  // "may" is also a verb: only as a month when it stands after in/for/during/of or before a year.
  if (named && !(named[1] === 'may' && !named[2] && !/\b(in|for|during|of|since|last)\s+may\b/.test(q))) {
    const m = monthIndex(named[1] ?? '');
    // A month without a year is the most recent one that has begun.
    const y = named[2] ? Number(named[2]) : m <= today.getMonth() ? today.getFullYear() : today.getFullYear() - 1;
    return month(y, m);
  }
  const year = /\b(?:in|for|during|of)\s+((?:19|20)\d{2})\b/.exec(q);
  if (year) return year[1];
  return undefined;
}

function categoryPhrases(vocabulary: Vocabulary): Array<{ phrase: string; key: string }> {
  const phrases: Array<{ phrase: string; key: string }> = [];
  for (const c of vocabulary.categories) {
    // Income is planned in budgets, never spent: questions about it are about income.
    if (c.key === 'income') continue;
    // "other" is a word first: only "on other", "category other" name the category.
    if (c.key === 'other') {
      phrases.push(
        { phrase: 'on other', key: 'other' },
        { phrase: 'other category', key: 'other' },
        { phrase: 'category other', key: 'other' },
      );
      continue;
    }
    phrases.push({ phrase: c.key.replace(/_/g, ' '), key: c.key });
    phrases.push({ phrase: c.label.toLowerCase(), key: c.key });
    for (const part of c.label.toLowerCase().split(/\s*&\s*|\s+and\s+/)) if (part.length >= 4) phrases.push({ phrase: part, key: c.key });
    for (const s of CATEGORY_SYNONYMS[c.key] ?? []) phrases.push({ phrase: s, key: c.key });
  }
  return phrases.sort((a, b) => b.phrase.length - a.phrase.length);
}

/** Merchant names a question may use: whole descriptions, and the first word of a description when it is a name. */
function merchantPhrases(vocabulary: Vocabulary, categoryWords: ReadonlySet<string>): Array<{ phrase: string; text: string }> {
  const out = new Map<string, string>();
  for (const description of vocabulary.merchants) {
    const lower = description.toLowerCase().trim();
    if (lower.length >= 3 && !categoryWords.has(lower)) out.set(lower, description.trim());
    const first = /^[\p{L}][\p{L}'&-]{3,}/u.exec(lower)?.[0];
    const shown = /^[\p{L}][\p{L}'&-]{3,}/u.exec(description.trim())?.[0] ?? first;
    if (first !== undefined && shown !== undefined && !NOT_MERCHANTS.has(first) && !categoryWords.has(first) && !out.has(first))
      out.set(first, shown);
  }
  return [...out].map(([phrase, text]) => ({ phrase, text })).sort((a, b) => b.phrase.length - a.phrase.length);
}

function memberFor(q: string, vocabulary: Vocabulary): ParsedQuestion['member'] {
  const self = vocabulary.members.find((m) => m.id === vocabulary.selfId);
  for (const m of vocabulary.members) {
    const first = m.fullName?.split(/\s+/)[0]?.toLowerCase();
    const names = [m.fullName?.toLowerCase(), m.username.toLowerCase(), first].filter((n): n is string => !!n && n.length >= 2);
    for (const name of names) {
      if (wordRe(name).test(q) || wordRe(`${name}'s`).test(q)) return { id: m.id, name: m.fullName?.split(/\s+/)[0] ?? m.username };
    }
  }
  if (
    self &&
    /\b(did|have|has|do) i\b|\bi (spent|spend|paid|pay|bought)\b|\bmy (own )?(spending|expenses|purchases)\b|\bby me\b|\bi've\b/.test(q)
  ) {
    return { id: self.id, name: 'you' };
  }
  return undefined;
}

function amountAfter(q: string, words: string): string | undefined {
  const m = new RegExp(`\\b(?:${words})\\s+(?:[€$£]\\s?)?(\\d+(?:\\.\\d{1,2})?)`).exec(q);
  return m?.[1];
}

/** Parses a question against the space's vocabulary at instant `now` in the space's time zone. */
export function parseQuestion(question: string, vocabulary: Vocabulary, now: Date, timeZone: string): ParsedQuestion {
  const q = normalizeQuestion(question).toLowerCase();
  const period = parsePeriod(q, now, timeZone);

  const phrases = categoryPhrases(vocabulary);
  const categoryWords = new Set(phrases.map((p) => p.phrase));
  const category = phrases.find((p) => wordRe(p.phrase).test(q))?.key;
  const merchant =
    category === undefined ? merchantPhrases(vocabulary, categoryWords).find((p) => wordRe(p.phrase).test(q))?.text : undefined;
  const member = memberFor(q, vocabulary);
  const top =
    /\btop\s+(\d{1,2})\b|\b(\d{1,2})\s+(?:biggest|largest|most expensive|latest|recent|smallest|cheapest)\b|\blast\s+(\d{1,2})\s+(?:expenses|purchases|payments)\b/.exec(
      q,
    );
  const limit = top ? Number(top[1] ?? top[2] ?? top[3]) : undefined;
  const minAmount = amountAfter(q, 'over|above|more than|at least|bigger than|greater than');
  const maxAmount = amountAfter(q, 'under|below|less than|at most|smaller than|cheaper than');

  const base = {
    ...(period === undefined ? {} : { period }),
    ...(category === undefined ? {} : { category }),
    ...(merchant === undefined ? {} : { text: merchant }),
    ...(member === undefined ? {} : { member }),
  };
  const spendingWords = /\b(how much|total|spent|spend|spending|cost|costs|paid|pay for|expenses|outgoings)\b/.test(q);

  if (/^(help|\?|hi|hello)\b|what can you (do|answer|tell)|what (questions|kind of questions)/.test(q)) return { intent: 'help' };
  if (
    /\b(owes?|owed|owing|settle|settling|settlements?|pay (back|whom)|who pays who|who should pay|even up|square up|debts? between)\b/.test(
      q,
    )
  ) {
    return { intent: 'balances' };
  }
  if (
    /\b(net worth|accounts?|credit (card|limit|use|usage|utili[sz]ation)|bank balances?|in the bank|checking|current balance)\b/.test(q)
  ) {
    return { intent: 'accounts' };
  }
  if (/\bbalances?\b/.test(q)) return { intent: 'balances' };
  if (/\b(income|earn|earned|earnings|salary|salaries|cash ?flow|money (in|coming in))\b/.test(q)) return { intent: 'income', ...base };
  if (
    /\b(subscriptions?|recurring|repeating|regular (bills|payments)|every month|monthly (bills|payments|charges))\b/.test(q) &&
    !/\bhow much\b/.test(q)
  ) {
    return { intent: 'recurring' };
  }
  if (/\b(insights?|tips?|recommendations?|advice|anomal\w*|unusual|trends?)\b/.test(q)) return { intent: 'insights' };
  if (
    /\b(budget\w*|on track|left to spend|left (for|in|over)|remaining|overspen\w*|over budget|pacing|afford|how much (more )?can (we|i) spend)\b/.test(
      q,
    )
  ) {
    const month = period !== undefined && /^\d{4}-\d{2}$/.test(period) ? period : period === 'last_month' ? 'last_month' : undefined;
    return { intent: 'budget', ...(month === undefined ? {} : { period: month }), ...(category === undefined ? {} : { category }) };
  }
  if (/\bhow many\b|\bnumber of\b|\bhow often\b/.test(q)) return { intent: 'count', ...base };
  if (
    /\b(by|per|each|every) (category|categories|person|member|members|people|month)\b|\bbreak ?down\b|\bwho (spent|spends|paid|pays) (the )?most\b|\bwhere (does|did) (our|my|the) money go\b|\btop categor|\bwhat (did|do|have) (we|i) (spen[dt]|paid) (the )?most on\b|\bbiggest (spending )?categor/.test(
      q,
    )
  ) {
    const groupBy = /\b(person|member|members|people|who)\b/.test(q)
      ? 'member'
      : /\b(by|per|each|every) month\b|\bmonthly\b|\bmonth by month\b/.test(q)
        ? 'month'
        : 'category';
    return { intent: 'spending_breakdown', ...base, groupBy };
  }
  if (
    /\b(biggest|largest|highest|most expensive|smallest|cheapest|top \d+|latest|recent|last \d+ (expenses|purchases|payments)|list|show me|show)\b/.test(
      q,
    ) ||
    /\bwhat did (we|i) (buy|purchase)\b/.test(q) ||
    minAmount !== undefined ||
    maxAmount !== undefined
  ) {
    const sort = /\b(smallest|cheapest)\b/.test(q)
      ? 'amount_asc'
      : /\b(latest|recent|last \d+)\b/.test(q)
        ? 'date_desc'
        : /\b(biggest|largest|highest|most expensive|top)\b/.test(q)
          ? 'amount_desc'
          : 'date_desc';
    return {
      intent: 'list',
      ...base,
      sort,
      ...(limit === undefined ? {} : { limit }),
      ...(minAmount === undefined ? {} : { minAmount }),
      ...(maxAmount === undefined ? {} : { maxAmount }),
    };
  }
  if (
    /\b(compare\w*|compared|vs\.?|versus|than (last|the previous|previous|before|the month before|the one before)|more or less|change (from|since)|difference)\b/.test(
      q,
    )
  ) {
    return { intent: 'spending_compare', ...base };
  }
  if (spendingWords || category !== undefined || merchant !== undefined) return { intent: 'spending_total', ...base };
  return { intent: 'unknown' };
}
