/** Every demo bank file imports through the service, and a replay of each changes nothing. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openBankFile } from '@wallai/bank-formats';
import { importFile, type Transact } from '@wallai/bank-import/service';
import { transactionsAs } from '@wallai/db-client';
import { claimsFor, createSpace, useTestDatabase } from '@wallai/testing';
import { describe, expect, it } from 'vitest';
import { DEMO_BANK_DIR } from './bank-step.ts';

const db = useTestDatabase();

describe('the demo bank files', () => {
  it('each imports completed, and a replay of each adds and updates nothing', async () => {
    const space = await createSpace(db(), { currency: 'USD' });
    const transact = transactionsAs(db(), claimsFor(space.owner.actor) as { role: 'authenticated' }) as Transact;
    const files = readdirSync(DEMO_BANK_DIR).sort();
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(path.join(DEMO_BANK_DIR, file)));
      const first = await importFile(transact, openBankFile, bytes, { spaceId: space.id, fileName: file, exchangeRates: { EUR: 1.08 } });
      expect({ file, status: first.status, failure: first.failure }).toEqual({ file, status: 'completed', failure: null });
      // Every row of a file is accounted for (Plaid files also hold the pages of interrupted walks, reported as a whole).
      if (first.format !== 'plaid') expect(first.rows.length, file).toBe(first.counts.rows);
      const again = await importFile(transact, openBankFile, bytes, { spaceId: space.id, fileName: file, exchangeRates: { EUR: 1.08 } });
      expect({ file, added: again.counts.added, updated: again.counts.updated, removed: again.counts.removed }).toEqual({
        file,
        added: 0,
        updated: 0,
        removed: 0,
      });
    }
  });
});
