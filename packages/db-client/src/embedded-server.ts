import { createServer } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { NotificationScanner, type Notification } from './notification-scanner.ts';

export interface EmbeddedServer {
  /** postgres:// URL for psql, postgres.js, Deno and the Supabase CLI. */
  readonly url: string;
  readonly port: number;
  /**
   * LISTEN on a channel of this database, hearing every NOTIFY: those sent in
   * this process and those committed by the socket's clients (which PGlite's
   * own `listen` never hears: see notification-scanner.ts). Resolves to the
   * function that stops listening.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
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
  const heard = new Set<(n: Notification) => void>();
  const dispatch = (n: Notification): void => {
    for (const listener of heard) listener(n);
  };
  const server = new PGLiteSocketServer({
    db: withSocketNotifications(db, dispatch),
    port,
    host: '127.0.0.1',
    maxConnections: options.maxConnections ?? 16,
  });
  await server.start();
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    port,
    async listen(channel, onNotify) {
      // PGlite's listen sends LISTEN and hears NOTIFYs of this process; the socket's come through dispatch.
      const stopInProcess = await db.listen(channel, onNotify);
      const fromSocket = (n: Notification): void => {
        if (n.channel === channel) onNotify(n.payload);
      };
      heard.add(fromSocket);
      return async () => {
        heard.delete(fromSocket);
        if (!db.closed) await stopInProcess();
      };
    },
    stop: () => server.stop(),
  };
}

/**
 * The database as the socket server sees it: the same instance, except that
 * the answers it streams to its clients are also read for notifications.
 */
function withSocketNotifications(db: PGlite, dispatch: (n: Notification) => void): PGlite {
  const execProtocolRawStream: PGlite['execProtocolRawStream'] = (message, options) => {
    const scanner = new NotificationScanner(dispatch);
    return db.execProtocolRawStream(message, {
      ...options,
      onRawData: (data) => {
        scanner.feed(data);
        options?.onRawData(data);
      },
    });
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === 'execProtocolRawStream') return execProtocolRawStream;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
