/**
 * The Realtime module behind its own HTTP server (websocket upgrades on
 * /realtime/v1/websocket), on an ephemeral port: what tests and the bench
 * connect supabase-js to when the one-origin server is not running.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SqlClient } from '@wallai/db-client';
import { createRealtimeApi, type RealtimeApi } from './handler.ts';
import type { SigningKey } from '../auth/tokens.ts';

export interface StandaloneRealtime {
  readonly api: RealtimeApi;
  /** http://127.0.0.1:<port>: the supabase-js project URL. */
  readonly url: string;
  close(): Promise<void>;
}

export async function serveRealtime(
  db: SqlClient,
  jwtSecret: string,
  signingKeys: readonly SigningKey[] = [],
): Promise<StandaloneRealtime> {
  const api = await createRealtimeApi({ sql: db, jwtSecret, signingKeys });
  const server: Server = createServer((_req, res) => {
    res.writeHead(404).end();
  });
  server.on('upgrade', (req, socket, head) => {
    if ((req.url ?? '').startsWith('/realtime/v1/websocket')) api.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    api,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await api.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
