/**
 * The bodies of a Plaid file one at a time: a JSON array of response bodies
 * (or a single body) is split at its top-level elements while streaming, so
 * only one page is parsed and held at a time.
 */
import { BankFormatError } from '../errors.ts';

export async function* jsonBodies(chunks: AsyncIterable<string>): AsyncIterable<unknown> {
  let mode: 'start' | 'array' | 'single' | 'done' = 'start';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = '';
  let capturing = false;
  let expectingValue = true;
  for await (const chunk of chunks) {
    let from = 0;
    for (let i = 0; i < chunk.length; i += 1) {
      const char = chunk[i]!;
      if (mode === 'start') {
        if (char === '\uFEFF' || /\s/.test(char)) continue;
        if (char === '[') {
          mode = 'array';
          continue;
        }
        if (char === '{') {
          mode = 'single';
          capturing = true;
          depth = 1;
          from = i;
          continue;
        }
        throw new BankFormatError('malformed_json', 'a Plaid file is a JSON array of response bodies or one response body');
      }
      if (mode === 'done') {
        if (!/\s/.test(char)) throw new BankFormatError('malformed_json', 'unexpected text after the end of the JSON document');
        continue;
      }
      if (capturing) {
        if (inString) {
          if (escaped) escaped = false;
          else if (char === '\\') escaped = true;
          else if (char === '"') inString = false;
          continue;
        }
        if (char === '"') inString = true;
        else if (char === '{' || char === '[') depth += 1;
        else if (char === '}' || char === ']') {
          depth -= 1;
          if (depth === 0) {
            element += chunk.slice(from, i + 1);
            yield parseElement(element);
            element = '';
            capturing = false;
            expectingValue = false;
            if (mode === 'single') mode = 'done';
          }
        }
        continue;
      }
      // Between elements of the top-level array.
      if (/\s/.test(char)) continue;
      if (char === ',') {
        if (expectingValue) throw new BankFormatError('malformed_json', 'the top-level array has an empty element');
        expectingValue = true;
        continue;
      }
      if (char === ']') {
        mode = 'done';
        continue;
      }
      if (char === '{' || char === '[') {
        if (!expectingValue) throw new BankFormatError('malformed_json', 'the top-level array is missing a comma between bodies');
        capturing = true;
        depth = 1;
        from = i;
        continue;
      }
      throw new BankFormatError(
        'malformed_json',
        `the top-level array holds ${JSON.stringify(char)}…; each element must be a response body object`,
      );
    }
    if (capturing) element += chunk.slice(from);
  }
  if (mode === 'start') throw new BankFormatError('malformed_json', 'the file holds no JSON');
  if (mode === 'array' || capturing)
    throw new BankFormatError('malformed_json', 'the JSON ends before its last body is closed (truncated file?)');
}

function parseElement(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BankFormatError('malformed_json', `a response body is not valid JSON: ${(error as Error).message}`);
  }
}
