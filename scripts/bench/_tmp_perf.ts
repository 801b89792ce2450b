import { applyImport, type Transact } from '@wallai/bank-import/service';
import { contentKeyOf, type ImportLine } from '@wallai/bank-import';
import { transactionsAs } from '@wallai/db-client';
import { createSpace } from '@wallai/testing';
import { generateLines } from './import-data.ts';
import { openBenchTarget } from './target.ts';

const n = Number(process.argv[2] ?? 50000);
const target = await openBenchTarget({ serverUrl: process.env.DATABASE_URL });
try {
  const space = await createSpace(target.db, {});
  const transact = transactionsAs(target.db, { role: 'authenticated', sub: space.owner.id, aud: 'authenticated' }) as Transact;
  const gen = generateLines(n, 7);
  const seen = new Map<string, number>();
  const lines: ImportLine[] = gen.map((g, i) => {
    const base = { accountExternalId: 'a1', date: g.date, amountCents: g.cents, currency: 'USD', description: g.description };
    const contentKey = contentKeyOf(base);
    const occ = (seen.get(contentKey) ?? 0) + 1; seen.set(contentKey, occ);
    return { ...base, row: i + 2, providerId: null, contentKey, occurrence: occ, providerCategory: g.category };
  });
  const input = { format: 'csv' as const, detection: {}, accounts: [{ externalId: 'a1', name: 'Checking', type: 'depository' as const, currency: 'USD' }], lines, issues: [], rowCount: n };
  let t = performance.now();
  let r = await applyImport(transact, input, { spaceId: space.id, fileName: 'x.csv', onProgress: (d, tot) => { if (d % 5000 === 0) console.log(d, tot, ((performance.now() - t) / 1000).toFixed(1)); } });
  console.log('import', ((performance.now() - t) / 1000).toFixed(2), r.status, r.counts, r.failure);
  t = performance.now();
  r = await applyImport(transact, input, { spaceId: space.id, fileName: 'x.csv' });
  console.log('replay', ((performance.now() - t) / 1000).toFixed(2), r.status, r.counts);
} finally {
  await target.close();
}
