import { describe, expect, it } from 'vitest';
import { RestError } from './errors.ts';
import { MAX_JSON_DEPTH, checkJsonDepth, jsonDepth, parseJsonBody } from './json-body.ts';

describe('JSON depth of request bodies', () => {
  it('counts nested arrays and objects, not brackets inside strings or escaped quotes', () => {
    expect(jsonDepth('1')).toBe(0);
    expect(jsonDepth('{"a": [1, {"b": []}]}')).toBe(4);
    expect(jsonDepth('{"a": "[[[[{{{{\\\\\\"[[["}')).toBe(1);
    expect(jsonDepth(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBe(100_000);
  });

  it(`refuses more than ${MAX_JSON_DEPTH} levels with 400 PGRST102 and parses the rest`, () => {
    const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(() => checkJsonDepth(nested(MAX_JSON_DEPTH))).not.toThrow();
    let error: unknown;
    try {
      parseJsonBody(nested(MAX_JSON_DEPTH + 1));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RestError);
    expect((error as RestError).body()).toMatchObject({ code: 'PGRST102' });
    expect((error as RestError).status).toBe(400);
    expect(parseJsonBody('{"a": [1]}')).toEqual({ a: [1] });
    expect(() => parseJsonBody('{"a": ')).toThrow(/Empty or invalid json/);
  });
});
