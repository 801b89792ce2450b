export * from './types.ts';
export { classifyLine, type KindContext } from './kind.ts';
export { categoryFromProvider, HINT_CONFIDENCE } from './hint.ts';
export { contentKeyOf, normalizeForKey, numberOccurrences } from './dedupe.ts';
export { netWalk, type NetWalk } from './plaid.ts';
export { issue, invalidRows } from './issues.ts';
