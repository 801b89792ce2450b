/**
 * The tone checker every text passes before anyone sees it: templates, and any
 * LLM phrasing. Insights describe what happened and what could help; they do
 * not shame, judge, alarm or order people about.
 *
 * - shaming: words about the person's character ("irresponsible", "wasteful").
 * - judgmental: verdicts on their choices ("you overspent", "bad habits", "too much").
 * - alarmist: fear and urgency ("warning", "crisis", "act now", "!", SHOUTING).
 * - command: orders ("you must", "you need to", "stop", "cancel ...", "never ...").
 *   Suggestions are fine: "you could", "consider", "one option is".
 */
import type { ToneValidation } from './types.ts';

export type ToneRule = 'shaming' | 'judgmental' | 'alarmist' | 'command';

const SHAMING: readonly RegExp[] = [
  /\b(?:ashamed|shame(?:ful)?|embarrass(?:ing|ed)?|disgrace(?:ful)?|pathetic|ridiculous|foolish|stupid|dumb|lazy|careless|reckless|irresponsible|immature|hopeless|clueless)\b/,
  /\bwasteful\b/,
  /\bbad (?:with|at) money\b/,
  /\byou(?:'ve| have)? failed\b/,
  /\b(?:failure|loser)\b/,
  /\bguilt(?:y)?\b/,
  /\bno self[- ]control\b/,
];

const JUDGMENTAL: readonly RegExp[] = [
  /\byou(?:'re| are)? (?:over ?spend(?:ing)?|over ?spent|blow(?:ing)?|blew|wast(?:e|ed|ing))\b/,
  /\byou (?:keep|always|never) /,
  /\b(?:wasted|wasting)\b/,
  /\b(?:bad|poor|terrible|unwise|questionable) (?:habits?|choices?|decisions?|spending|behaviou?r)\b/,
  /\btoo much\b/,
  /\b(?:excessive(?:ly)?|extravagant|frivolous|impulsive|splurg(?:e|ed|ing))\b/,
  /\bout of control\b/,
  /\b(?:can't|cannot|can not) afford\b/,
  /\bliving beyond\b/,
  /\bbeyond your means\b/,
  /\bshould(?:n't| not)? have\b/,
];

const ALARMIST: readonly RegExp[] = [
  /!/,
  /\b(?:urgent(?:ly)?|warning|alarm(?:ing)?|crisis|disaster(?:ous)?|danger(?:ous)?|catastroph(?:e|ic)|emergency alert|dire|terrifying|scary|panic)\b/,
  /\b(?:immediately|right now|act now|before it'?s too late|asap)\b/,
  /\b(?:broke|bankrupt(?:cy)?|drowning|ruin(?:ed)?|doomed)\b/,
  /\bsky ?rocket(?:ing|ed)?\b/,
  /\bspiral(?:l?ing)? out\b/,
];

const COMMAND_ANYWHERE: readonly RegExp[] = [
  /\byou (?:must|need to|have to|should|ought to|had better)\b/,
  /\b(?:must|have to) (?:stop|cut|cancel|pay|reduce|spend)\b/,
];

/** Imperative verbs that read as orders at the start of a sentence. */
const COMMAND_START =
  /^(?:stop|quit|cancel|cut|never|don't|do not|avoid|pay|spend|reduce|sell|close|get rid of|eliminate|drop|ditch|save|transfer|move|make sure|ensure|must|start|fix)\b/;

function normalize(text: string): string {
  return text
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

function shouting(text: string): boolean {
  // Two all-caps words in a row ("ACT NOW"), or one of five letters or more.
  return /\b[A-Z]{2,}\s+[A-Z]{2,}\b/.test(text) || /\b[A-Z]{5,}\b/.test(text);
}

export function checkTone(text: string): ToneValidation {
  const raw = normalize(text);
  const lower = raw.toLowerCase();
  const violations = new Set<ToneRule>();
  if (SHAMING.some((r) => r.test(lower))) violations.add('shaming');
  if (JUDGMENTAL.some((r) => r.test(lower))) violations.add('judgmental');
  if (ALARMIST.some((r) => r.test(lower)) || shouting(raw)) violations.add('alarmist');
  if (COMMAND_ANYWHERE.some((r) => r.test(lower))) violations.add('command');
  for (const sentence of lower.split(/(?<=[.!?;:])\s+|\n+|\s+[–—-]\s+/)) {
    if (COMMAND_START.test(sentence.trim())) violations.add('command');
  }
  const list = [...violations].sort();
  return { ok: list.length === 0, violations: list };
}
