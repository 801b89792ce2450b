/**
 * The one origin of the local stack, http://127.0.0.1:54321, doing what
 * Supabase's API gateway does in front of its services:
 *
 *   /rest/v1/*       → the local REST API (PostgREST's protocol, scripts/dev/api/rest)
 *   /auth/v1/*       → the local Auth server (GoTrue's protocol, scripts/dev/api/auth)
 *   /storage/v1/*    → the local Storage API (Supabase Storage's protocol, scripts/dev/api/storage)
 *   /realtime/v1/*   → the local Realtime server (its Phoenix websocket on /realtime/v1/websocket,
 *                      scripts/dev/api/realtime)
 *   /functions/v1/*  → proxied to the Deno functions gateway on its internal port,
 *                      streamed both ways (Server-Sent Events arrive as they are written)
 *   /_wallai/health  → the functions gateway's health (npm run demo looks for it)
 *
 * Like the gateway, /rest/v1, /auth/v1 and /realtime/v1 (its websocket too)
 * need the project's `apikey` (header or query parameter: the anon or the
 * service-role key); without one they answer 401 "No API key found in
 * request", with another "Invalid API key". When a request carries no
 * Authorization header the key becomes its bearer token, so a signed-out
 * supabase-js client acts as `anon`. The open Auth routes (health, settings,
 * JWKS) need no key, and neither does /storage/v1, which Supabase's gateway
 * leaves to Storage (public objects and signed URLs are fetched without one;
 * everything else needs a verified bearer token there). CORS: preflights are
 * answered here (any origin, the requested headers, max-age 3600), every
 * answer carries `Access-Control-Allow-Origin: *`, and REST answers expose
 * PostgREST's headers (Content-Range, Location, …) to browsers.
 * /functions/v1 is passed through untouched: the functions answer their own
 * preflights, as on Supabase. The client address is put in X-Forwarded-For
 * (overwriting what a client sent), which the Auth server's rate limit uses.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/** What a mounted API answers; `path` is what follows its prefix (`/signup`; for REST with the query string, `/expenses?select=*`). */
export interface MountedApi {
  handle(req: Request, path: string): Promise<Response>;
}

/** One row of the server's route table: an API under a path prefix, behind the apikey check and CORS. */
export interface Mount {
  /** `/rest/v1`: requests to the prefix itself and below it go to `api`. */
  readonly prefix: string;
  readonly api: MountedApi;
  /** Whether a path below the prefix is served without an apikey (Supabase's gateway leaves it open). Default: none is. */
  readonly open?: (subPath: string) => boolean;
  /** Largest request body it accepts; default the server's maxBodyBytes. */
  readonly maxBodyBytes?: number;
  /** Takes websocket upgrades of paths below the prefix (after the apikey check). */
  readonly upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Access-Control-Expose-Headers on its answers. */
  readonly exposeHeaders?: string;
  /** Hand the API its path with the query string (`/expenses?select=*`) rather than the path alone. */
  readonly withQuery?: boolean;
}

export interface ApiServerOptions {
  /** 0 = any free port. */
  readonly port: number;
  readonly host?: string;
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  /** The APIs served on the origin, by path prefix (see restMount, authMount). */
  readonly mounts: readonly Mount[];
  /** Where the functions gateway listens now (http://127.0.0.1:<port>), or null while it is down. */
  readonly functionsOrigin: () => string | null;
  /** One line per request. */
  readonly log?: (line: string) => void;
  /** Largest request body a mount accepts unless it sets its own. Default 10 MB. */
  readonly maxBodyBytes?: number;
}

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const PREFLIGHT_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE';
/** The headers PostgREST exposes to browsers (its Access-Control-Expose-Headers). */
const REST_EXPOSED_HEADERS =
  'Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, Server, Transfer-Encoding, Range-Unit';
/** Auth routes Supabase's gateway serves without an apikey. */
const OPEN_AUTH_PATHS = new Set(['/health', '/settings', '/.well-known/jwks.json', '/verify', '/callback', '/authorize']);

export const NO_API_KEY = { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' };
export const INVALID_API_KEY = { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' };

/** /rest/v1: PostgREST's protocol; it parses the query string itself and browsers may read its headers. */
export function restMount(api: MountedApi): Mount {
  return { prefix: '/rest/v1', api, withQuery: true, exposeHeaders: REST_EXPOSED_HEADERS };
}

/** /auth/v1: GoTrue's protocol; health, settings and the JWKS need no apikey. */
export function authMount(api: MountedApi): Mount {
  return { prefix: '/auth/v1', api, open: (subPath) => OPEN_AUTH_PATHS.has(subPath.replace(/\/+$/, '')) };
}

/**
 * /storage/v1: Storage's protocol. Open, as Supabase's gateway leaves it: Storage itself verifies
 * the bearer token, and public objects and signed URLs need none. Bodies up to Storage's global
 * upload limit (buckets have their own, checked by Storage).
 */
export function storageMount(api: MountedApi, fileSizeLimit: number): Mount {
  // A multipart upload's boundaries and fields come on top of the file.
  return { prefix: '/storage/v1', api, withQuery: true, open: () => true, maxBodyBytes: fileSizeLimit + 64 * 1024 };
}

/** /realtime/v1: the websocket on /realtime/v1/websocket and the broadcast endpoint, behind the apikey. */
export function realtimeMount(api: MountedApi & { handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void }): Mount {
  return { prefix: '/realtime/v1', api, upgrade: (req, socket, head) => api.handleUpgrade(req, socket, head) };
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const keys = new Set([options.anonKey, options.serviceRoleKey]);
  let origin = `http://${host}:${options.port}`;

  const server: Server = createServer((req, res) => {
    const started = performance.now();
    res.on('finish', () => log(`${req.method} ${redactedUrl(req.url)} ${res.statusCode} ${(performance.now() - started).toFixed(1)}ms`));
    handle(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      log(`error on ${req.method} ${req.url}: ${message}`);
      if (!res.headersSent) send(res, 500, { message: `The local API server failed: ${message}` });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, origin);
    const pathname = url.pathname;

    if (pathname === '/functions/v1' || pathname.startsWith('/functions/v1/') || pathname === '/_wallai/health') {
      return proxyToFunctions(req, res);
    }
    const mount = mountFor(pathname);
    if (mount === undefined) {
      send(res, 404, { message: 'no Route matched with those values' }, { 'Access-Control-Allow-Origin': '*' });
      return;
    }
    const subPath = pathname.slice(mount.prefix.length) || '/';

    if (req.method === 'OPTIONS' && (req.headers.origin !== undefined || req.headers['access-control-request-method'] !== undefined)) {
      res.writeHead(200, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': PREFLIGHT_METHODS,
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '',
        'Access-Control-Max-Age': '3600',
        'Content-Length': '0',
      });
      res.end();
      return;
    }
    const cors: Record<string, string> = { 'Access-Control-Allow-Origin': '*' };
    if (mount.exposeHeaders !== undefined) cors['Access-Control-Expose-Headers'] = mount.exposeHeaders;

    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || name === 'host' || name === 'connection' || name === 'x-forwarded-for') continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    headers.set('x-forwarded-for', (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''));

    const apikey = headers.get('apikey') ?? url.searchParams.get('apikey');
    if (mount.open?.(subPath) !== true) {
      const refusal = apikeyRefusal(apikey);
      if (refusal !== null) {
        send(res, 401, refusal, cors);
        return;
      }
    }
    if (apikey !== null && keys.has(apikey) && !headers.has('authorization')) headers.set('authorization', `Bearer ${apikey}`);

    const limit = mount.maxBodyBytes ?? maxBody;
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req, limit);
    if (body === null) {
      send(res, 413, { message: `Request body larger than ${limit} bytes` }, cors);
      return;
    }
    const request = new Request(new URL(rawUrl, origin), { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) });
    const response = await mount.api.handle(request, mount.withQuery === true ? `${subPath}${url.search}` : subPath);

    const out: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      if (name === 'set-cookie') return;
      out[name] = value;
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) out['set-cookie'] = cookies;
    for (const [name, value] of Object.entries(cors)) if (!response.headers.has(name)) out[name] = value;
    const payload = req.method === 'HEAD' || response.body === null ? null : Buffer.from(await response.arrayBuffer());
    if (payload !== null) out['content-length'] = String(payload.length);
    res.writeHead(response.status, out);
    res.end(payload ?? undefined);
  }

  function mountFor(pathname: string): Mount | undefined {
    return options.mounts.find((m) => pathname === m.prefix || pathname.startsWith(`${m.prefix}/`));
  }

  /** What the gateway answers a request without a valid project key, or null when it has one. */
  function apikeyRefusal(apikey: string | null): typeof NO_API_KEY | null {
    if (apikey === null || apikey === '') return NO_API_KEY;
    return keys.has(apikey) ? null : INVALID_API_KEY;
  }

  // Websockets (Realtime): routed by prefix, behind the apikey check, refused as plain HTTP answers.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', origin);
    const mount = mountFor(url.pathname);
    const refuse = (status: string, body: unknown): void => {
      const text = JSON.stringify(body);
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
    };
    if (mount?.upgrade === undefined) return refuse('404 Not Found', { message: 'no Route matched with those values' });
    const header = req.headers.apikey;
    const refusal = apikeyRefusal(url.searchParams.get('apikey') ?? (typeof header === 'string' ? header : null));
    if (refusal !== null) return refuse('401 Unauthorized', refusal);
    log(`UPGRADE ${redactedUrl(req.url)}`);
    mount.upgrade(req, socket, head);
  });

  function proxyToFunctions(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = options.functionsOrigin();
    if (target === null) {
      send(
        res,
        503,
        { code: 'STARTING', message: 'The functions gateway is (re)starting; try again in a moment' },
        { 'Access-Control-Allow-Origin': '*' },
      );
      return Promise.resolve();
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = value;
    // Supabase's gateway turns the apikey into the bearer token when there is none.
    const apikey = typeof req.headers.apikey === 'string' ? req.headers.apikey : '';
    if (req.headers.authorization === undefined && apikey !== '') headers.authorization = `Bearer ${apikey}`;
    const targetUrl = new URL(req.url ?? '/', target);
    headers.host = targetUrl.host;
    return new Promise((resolve) => {
      const upstream = httpRequest(targetUrl, { method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        // Stream as it arrives: ai-chat's events must not wait for the end of the body.
        res.flushHeaders();
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', () => {
          res.destroy();
          resolve();
        });
      });
      upstream.on('error', (error) => {
        if (!res.headersSent) {
          send(
            res,
            502,
            { code: 'BAD_GATEWAY', message: `The functions gateway did not answer: ${error.message}` },
            { 'Access-Control-Allow-Origin': '*' },
          );
        } else res.destroy();
        resolve();
      });
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      req.pipe(upstream);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host}:${port}`;

  return {
    url: origin,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The request URL for the log: keys and tokens in the query (apikey, signed URLs' token) replaced. */
export function redactedUrl(raw: string | undefined): string {
  const url = raw ?? '/';
  return url.replace(/([?&](?:apikey|token|access_token)=)[^&#]*/gi, '$1[redacted]');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** The whole body, or null when it is larger than the limit. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
