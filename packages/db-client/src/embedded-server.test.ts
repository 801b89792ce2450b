import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { serveEmbedded, type EmbeddedServer } from './embedded-server.ts';
import { openPglite, postgresClient, type SqlClient } from './sql-client.ts';

let pglite: PGlite;
let server: EmbeddedServer;
let client: SqlClient;

beforeAll(async () => {
  pglite = await openPglite();
  server = await serveEmbedded(pglite);
  client = postgresClient(server.url, { max: 2 });
});
afterAll(async () => {
  await client.close();
  await server.stop();
  await pglite.close();
});

/** Resolves with the first n payloads heard. */
function hear(channel: string, n: number): { heard: Promise<string[]>; stop: Promise<() => Promise<void>> } {
  const payloads: string[] = [];
  let done!: (p: string[]) => void;
  const heard = new Promise<string[]>((resolve) => (done = resolve));
  const stop = server.listen(channel, (payload) => {
    payloads.push(payload);
    if (payloads.length === n) done(payloads);
  });
  return { heard, stop };
}

describe('notifications on the embedded database', () => {
  it("a socket client's committed NOTIFY reaches an in-process listener, in commit order", async () => {
    const { heard, stop } = hear('changes', 3);
    await stop;
    await client.transaction(async (tx) => {
      await tx.query(`select pg_notify('changes', 'first')`);
      await tx.query(`select pg_notify('elsewhere', 'not for this listener')`);
      await tx.query(`select pg_notify('changes', 'second')`);
    });
    await client.query(`select pg_notify('changes', 'third')`);
    expect(await heard).toEqual(['first', 'second', 'third']);
    await (
      await stop
    )();
  });

  it('a rolled-back NOTIFY is never heard, and a NOTIFY of this process still is', async () => {
    const { heard, stop } = hear('changes', 1);
    await stop;
    await expect(
      client.transaction(async (tx) => {
        await tx.query(`select pg_notify('changes', 'rolled back')`);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await pglite.query(`select pg_notify('changes', 'in process')`);
    expect(await heard).toEqual(['in process']);
    await (
      await stop
    )();
  });

  it('after stopping, nothing more is heard', async () => {
    const payloads: string[] = [];
    const stop = await server.listen('changes', (p) => payloads.push(p));
    await stop();
    await client.query(`select pg_notify('changes', 'late')`);
    const { heard, stop: probe } = hear('changes', 1);
    await probe;
    await client.query(`select pg_notify('changes', 'probe')`);
    expect(await heard).toEqual(['probe']);
    expect(payloads).toEqual([]);
    await (
      await probe
    )();
  });
});
