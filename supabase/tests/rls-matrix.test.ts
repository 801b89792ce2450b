/**
 * The RLS matrix: for every table, actor and operation, what must happen.
 * Each cell runs in its own rolled-back transaction as that actor, exactly as
 * PostgREST would run the request. Rows live in supabase/tests/rls/, one module
 * per area; add a table there and list its module here.
 */
import { useTestDatabase } from '@wallai/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { AI_AREA } from './rls/ai.ts';
import { MEMBERSHIP_AREA } from './rls/membership.ts';
import { MONEY_AREA } from './rls/money.ts';
import { RECEIPTS_AREA } from './rls/receipts.ts';
import { SPLITS_AREA } from './rls/splits.ts';
import { ACTORS, OPERATIONS, buildMatrixFixture, probe, type MatrixArea, type MatrixFixture } from './support/rls-matrix.ts';

const AREAS: readonly MatrixArea[] = [MEMBERSHIP_AREA, MONEY_AREA, RECEIPTS_AREA, AI_AREA, SPLITS_AREA];
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
