/**
 * The project's RLS matrix again, through the real supabase-js and /rest/v1:
 * every area of supabase/tests/rls/areas.ts (the list the SQL-level matrix
 * supabase/tests/rls-matrix.test.ts runs), with the same subjects, actors and
 * expected outcomes, each probe rolled back afterwards (the
 * handler runs on a client whose transactions never commit, so probes do not
 * change the fixture). Probes whose SQL has no supabase-js equivalent are
 * listed by name below, so a new one cannot slip past unprobed.
 */
import type { Queryable, SqlClient } from '@wallai/db-client';
import { anonKey, serviceRole, tokenFor, useTestDatabase } from '@wallai/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MATRIX_AREAS as AREAS } from '../../../../supabase/tests/rls/areas.ts';
import {
  ACTORS,
  OPERATIONS,
  actorFor,
  buildMatrixFixture,
  type ActorName,
  type MatrixFixture,
  type Operation,
  type Statement,
} from '../../../../supabase/tests/support/rls-matrix.ts';
import type { RestApi } from './handler.ts';
import { translate, Untranslatable, type Translated } from './matrix-through-rest.ts';
import { restApiFor, supabaseFor } from './test-support.ts';

const MATRIX = AREAS.flatMap((area) => area.rows);

/** Probes that have no supabase-js form: storage.objects is not an exposed schema; SQL expressions in where/set. */
const NOT_THROUGH_REST = [
  'ai_conversations (own, the transcript) select',
  'ai_conversations (own, the transcript) update',
  'receipts (own expense) delete',
  'receipts (own expense) insert',
  'receipts (own expense) select',
  'receipts (own expense) update',
  "receipts (a space-mate's expense) delete",
  "receipts (a space-mate's expense) insert",
  "receipts (a space-mate's expense) select",
  "receipts (a space-mate's expense) update",
  // storage.objects of the imports bucket, like receipts: Storage's protocol, not PostgREST's.
  "import files (a space-mate's import) delete",
  "import files (a space-mate's import) insert",
  "import files (a space-mate's import) select",
  "import files (a space-mate's import) update",
  // The encrypted Plaid access tokens are in the private schema, which the REST API does not expose.
  'plaid_item_tokens (the encrypted access token) delete',
  'plaid_item_tokens (the encrypted access token) insert',
  'plaid_item_tokens (the encrypted access token) select',
  'plaid_item_tokens (the encrypted access token) update',
  // The settlement status update is an SQL expression (a status column written directly) with no supabase-js form.
  'settlements (status) update',
];

class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super('rollback');
  }
}

/** A client whose transactions always roll back; `setup` runs first as the owner, like probeAs. */
function probingClient(db: SqlClient): SqlClient & { setup: ((tx: Queryable) => Promise<void>) | null } {
  const client = {
    ...db,
    setup: null as ((tx: Queryable) => Promise<void>) | null,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      try {
        await db.transaction(async (tx) => {
          if (client.setup) await client.setup(tx);
          throw new Rollback(await fn(tx));
        });
      } catch (error) {
        if (error instanceof Rollback) return error.value as T;
        throw error;
      }
      throw new Error('unreachable: probing transactions always roll back');
    },
  };
  return client;
}

const db = useTestDatabase();
let fixture: MatrixFixture;
let api: RestApi;
let probing: ReturnType<typeof probingClient>;
let anon: string;
const tokens = new Map<ActorName, string>();

beforeAll(async () => {
  fixture = await buildMatrixFixture(db());
  for (const area of AREAS) await area.prepare?.(db(), fixture);
  probing = probingClient(db());
  api = await restApiFor(probing);
  anon = await anonKey();
  for (const name of ACTORS) {
    const actor = actorFor(fixture, name);
    tokens.set(name, name === 'anon' ? anon : name === 'service_role' ? await tokenFor(serviceRole) : await tokenFor(actor));
  }
});
afterAll(async () => {
  await api.close();
});

async function probeThroughRest(statement: Statement, run: Translated, actor: ActorName): Promise<'allowed' | 'denied'> {
  const client = supabaseFor(api, anon, actor === 'anon' ? null : (tokens.get(actor) ?? null));
  probing.setup = statement.setup ?? null;
  try {
    const { data, error } = await run(client);
    if (error) {
      if (error.code === '42501') return 'denied';
      throw new Error(`unexpected error ${error.code ?? ''} ${error.message}`);
    }
    const rows = data as unknown[];
    if (rows.length > 1) throw new Error(`the probe touched ${rows.length} rows`);
    return rows.length === 1 ? 'allowed' : 'denied';
  } finally {
    probing.setup = null;
  }
}

for (const [subject, expectations] of MATRIX) {
  describe(`${subject.name} through supabase-js`, () => {
    for (const op of OPERATIONS) {
      for (const actor of ACTORS) {
        const expected = expectations[op].includes(actor) ? 'allowed' : 'denied';
        it(`${op} as ${actor} is ${expected}`, async (ctx) => {
          const statement = subject[op](fixture, actor);
          let run: Translated;
          try {
            run = translate(statement);
          } catch (error) {
            if (!(error instanceof Untranslatable)) throw error;
            ctx.skip();
            return;
          }
          expect(await probeThroughRest(statement, run, actor)).toBe(expected);
        });
      }
    }
  });
}

describe('matrix through supabase-js: coverage', () => {
  it('only the listed probes have no supabase-js form', () => {
    const untranslatable = new Set<string>();
    for (const [subject] of MATRIX) {
      for (const op of OPERATIONS) {
        for (const actor of ACTORS) {
          try {
            translate(subject[op](fixture, actor));
          } catch (error) {
            if (!(error instanceof Untranslatable)) throw error;
            untranslatable.add(`${subject.name} ${op as Operation}`);
          }
        }
      }
    }
    expect([...untranslatable].sort()).toEqual([...NOT_THROUGH_REST].sort());
  });
});
