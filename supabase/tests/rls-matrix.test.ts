/**
 * The RLS matrix: for every table, actor and operation, what must happen.
 * Each cell runs in its own rolled-back transaction as that actor, exactly as
 * PostgREST would run the request. Rows live in supabase/tests/rls/, one module
 * per area; add a table there and list its module in rls/areas.ts (which the
 * same matrix through supabase-js reads too).
 */
import { useTestDatabase } from '@wallai/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { MATRIX_AREAS as AREAS } from './rls/areas.ts';
import { ACTORS, OPERATIONS, buildMatrixFixture, probe, tablesMissingFromMatrix, type MatrixFixture } from './support/rls-matrix.ts';

const MATRIX = AREAS.flatMap((area) => area.rows);

const db = useTestDatabase();

let fixture: MatrixFixture;
beforeAll(async () => {
  fixture = await buildMatrixFixture(db());
  for (const area of AREAS) await area.prepare?.(db(), fixture);
});

for (const [subject, expectations] of MATRIX) {
  describe(subject.name, () => {
    for (const op of OPERATIONS) {
      for (const actor of ACTORS) {
        const expected = expectations[op].includes(actor) ? 'allowed' : 'denied';
        it(`${op} as ${actor} is ${expected}`, async () => {
          expect(await probe(db(), fixture, subject, op, actor)).toBe(expected);
        });
      }
    }
  });
}

describe('matrix coverage', () => {
  it('every table with row-level security (or policies of ours) has rows in the matrix', async () => {
    expect(await tablesMissingFromMatrix(db(), MATRIX)).toEqual([]);
  });

  it('a new table with row-level security and no matrix rows is reported by name', async () => {
    const missing = await db()
      .transaction(async (tx) => {
        await tx.exec(`create table public.unprobed_probe (id int primary key);
                       alter table public.unprobed_probe enable row level security;`);
        throw new Missing(await tablesMissingFromMatrix(tx, MATRIX));
      })
      .catch((error: unknown) => {
        if (error instanceof Missing) return error.tables;
        throw error;
      });
    expect(missing).toEqual(['public.unprobed_probe']);
  });

  it('every row probes all four operations, and its expectations name only the matrix actors', () => {
    for (const [subject, expectations] of MATRIX) {
      expect(Object.keys(expectations).sort(), subject.name).toEqual([...OPERATIONS].sort());
      for (const op of OPERATIONS) {
        expect(typeof subject[op], `${subject.name} ${op}`).toBe('function');
        for (const actor of expectations[op]) expect(ACTORS, `${subject.name} ${op}`).toContain(actor);
      }
    }
  });
});

/** Carries the check's answer out of a transaction that must roll back. */
class Missing extends Error {
  constructor(readonly tables: string[]) {
    super('rollback');
  }
}
