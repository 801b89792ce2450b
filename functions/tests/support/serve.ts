/**
 * A function handler behind a real HTTP server on 127.0.0.1, as the gateway
 * would put it: the tests call it with fetch, multipart bodies and all.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Served {
  /** `http://127.0.0.1:<port>/functions/v1/<name>`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function serveOnLoopback(name: string, handler: (req: Request) => Promise<Response>): Promise<Served> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [header, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(header, value);
    const response = await handler(
      new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers,
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/functions/v1/${name}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
