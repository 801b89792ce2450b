/**
 * Fuzzing every public RPC a client can call: the functions are enumerated from
 * the catalogue (so a new one is fuzzed without anyone listing it), and each is
 * called as members of every role, an outsider and anon, with arguments of its
 * own types at their edges and with values of the wrong type: ids of other
 * spaces, hostile strings, extreme numbers, impossible dates, deep JSON.
 * Whatever arrives, the error is one PostgREST answers below 500 (a client
 * error with its code), never an internal error, and a refused call changes
 * nothing (every call is one transaction).
 *
 * Seeded and bounded (FUZZ_RUNS per function, default 15); `npm run fuzz` runs longer.
 */
import { randomUUID } from 'node:crypto';
import { type Actor, queryAs, useTestDatabase } from '@wallai/testing';
import {
  callableRpcs,
  type CallableRpc,
  deepJsonText,
  fuzzTargets,
  fuzzParameters,
  hostileDate,
  hostileJson,
  hostileNumber,
  hostileString,
  postgrestStatus,
} from '@wallai/testing/fuzz';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

const db = useTestDatabase();

let rpcs: CallableRpc[] = [];
let ids: string[];
let actors: Actor[];

beforeAll(async () => {
  rpcs = await callableRpcs(db());
  ({ ids, actors } = await fuzzTargets(db()));
});

const asText = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return '[]';
  }
};

/** A value for a parameter of this type: mostly plausible, sometimes of the wrong kind. */
function argument(type: string): fc.Arbitrary<string | null> {
  const wrong = fc.oneof(hostileString, hostileJson.map(asText));
  const id = fc.oneof(fc.constantFrom(...ids), fc.constant(randomUUID()));
  const base: fc.Arbitrary<string | null> = (() => {
    if (type === 'uuid') return id;
    if (type === 'uuid[]') return fc.array(id, { maxLength: 5 }).map((list) => `{${list.join(',')}}`);
    if (/^(numeric|integer|bigint|smallint|double precision|real)/.test(type))
      return fc.oneof(hostileNumber.map(String), fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '12.345', '-0.01'));
    if (/^(date|timestamp)/.test(type)) return hostileDate;
    if (type === 'boolean') return fc.constantFrom('true', 'false', 't', 'maybe');
    if (type === 'jsonb' || type === 'json')
      return fc.oneof(hostileJson.map(asText), fc.constant(deepJsonText(1_000)), fc.constant('{"a":'));
    if (type.endsWith('[]'))
      return fc
        .array(
          hostileString.map((s) => JSON.stringify(s.slice(0, 50))),
          { maxLength: 4 },
        )
        .map((l) => `{${l.join(',')}}`);
    return hostileString;
  })();
  return fc.oneof({ weight: 6, arbitrary: base }, { weight: 2, arbitrary: wrong }, { weight: 1, arbitrary: fc.constant(null) });
}

describe('public RPCs under fuzzing', () => {
  it('are enumerated from the catalogue', () => {
    expect(rpcs.length).toBeGreaterThan(10);
    expect(rpcs.map((r) => r.name)).toEqual(expect.arrayContaining(['join_space', 'suggest_settlements', 'search_expenses']));
  });

  it('every one answers any arguments from any caller with a client error or a result, never an internal error', async () => {
    const failures: string[] = [];
    for (const rpc of rpcs) {
      const call = `select * from public.${rpc.name}(${rpc.args
        .map(({ type }) => type)
        .map((t, i) => `$${i + 1}::text::${t}`)
        .join(', ')})`;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...actors), fc.tuple(...rpc.args.map(({ type }) => type).map(argument)), async (actor, args) => {
          try {
            await queryAs(db(), actor, call, args);
          } catch (error) {
            const code = (error as { code?: string }).code;
            if (typeof code !== 'string') throw new Error(`${rpc.signature}: ${String(error).slice(0, 300)}`, { cause: error });
            const status = postgrestStatus(code, actor.role === 'anon' ? 'anon' : 'authenticated');
            if (status >= 500) failures.push(`${rpc.signature} as ${actor.role}: ${code} ${(error as Error).message.slice(0, 160)}`);
            expect(status, `${rpc.signature}: ${code} ${(error as Error).message.slice(0, 300)}`).toBeLessThan(500);
          }
        }),
        fuzzParameters(),
      );
    }
    expect(failures).toEqual([]);
    // Every public RPC times every actor: over a minute on a loaded machine.
  }, 240_000);
});
