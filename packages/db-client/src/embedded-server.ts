import { createServer } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedServer {
  /** postgres:// URL for psql, postgres.js, Deno and the Supabase CLI. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** A port the OS says is free right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Serves a PGlite database over the Postgres wire protocol on loopback.
 * PGlite has one connection: clients are multiplexed and wait for each other's
 * transactions, so clients must use `prepare: false` and transaction-local settings.
 */
export async function serveEmbedded(db: PGlite, options: { port?: number; maxConnections?: number } = {}): Promise<EmbeddedServer> {
  const port = options.port ?? (await freePort());
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: options.maxConnections ?? 16 });
  await server.start();
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    port,
    stop: () => server.stop(),
  };
}
