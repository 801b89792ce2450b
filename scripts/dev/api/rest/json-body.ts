/**
 * JSON bodies of /rest/v1 requests. PostgreSQL parses json recursively: a
 * body nested deep enough exhausts its stack (54001, which PostgREST answers
 * 500). No real row nests like that, so a body (or a JSON filter value)
 * deeper than MAX_JSON_DEPTH is refused as PostgREST refuses a body it cannot
 * parse, `400 PGRST102`, before it reaches SQL.
 */
import { RestError } from './errors.ts';

/** Arrays and objects inside each other, at most. */
export const MAX_JSON_DEPTH = 1000;

/** How deep arrays and objects nest in a JSON text (brackets inside strings do not count). Linear, no recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      depth += 1;
      if (depth > max) max = depth;
    } else if (ch === 0x5d || ch === 0x7d) depth -= 1;
  }
  return max;
}

/** Refuses a JSON text nested deeper than MAX_JSON_DEPTH with 400 PGRST102; `what` names it ("the body"). */
export function checkJsonDepth(text: string, what = 'The body'): void {
  if (text.length > MAX_JSON_DEPTH * 2 && jsonDepth(text) > MAX_JSON_DEPTH) {
    throw new RestError(
      400,
      'PGRST102',
      `${what} nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
      null,
      `The local API refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels before it reaches PostgreSQL, whose parser would run out of stack.`,
    );
  }
}

/** JSON.parse of a request body, with PostgREST's PGRST102 for invalid or too deeply nested JSON. */
export function parseJsonBody(text: string): unknown {
  checkJsonDepth(text);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RestError(400, 'PGRST102', `Empty or invalid json${error instanceof Error ? `: ${error.message}` : ''}`);
  }
}
