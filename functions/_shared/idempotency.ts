/**
 * `Idempotency-Key`: a client retrying a write sends the same key, and gets the
 * first attempt's answer again instead of the work done twice.
 *
 * - A key is 1–255 printable ASCII characters, per person and function, kept 24 hours
 *   (private.idempotency_keys).
 * - The first attempt claims it; its 2xx answer is stored and replayed to every retry
 *   with `Idempotency-Replayed: true`. A refused or failed attempt (anything not 2xx)
 *   frees the key, so the retry runs afresh.
 * - A retry while the first attempt still runs: 409 `idempotency_in_progress` with
 *   Retry-After. The same key with another body: 422 `idempotency_key_reused`.
 * - An attempt whose instance died before answering holds the key for a lease of two
 *   minutes; a retry after that runs again. The writes behind every keyed function are
 *   idempotent of their own (a categorization writes the same answer, an import dedupes,
 *   a proposal is confirmed once), so even that window applies nothing twice.
 * - A multipart upload is compared without its boundary (a retry rebuilds its form
 *   with a new random one and is still the same request).
 * - Without the header, requests run as before. Answers, streamed ones too (ai-chat's
 *   SSE), pass through as they come and are stored before their last byte is sent.
 */
import { authenticateUser, type VerifyToken } from './auth.ts';
import type { Db } from './db.ts';
import { HttpError, readBodyBytes } from './http.ts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY = /^[\x21-\x7e]{1,255}$/;
/** Seconds a client is told to wait while the first attempt still runs. */
const IN_PROGRESS_RETRY_AFTER_SECONDS = 2;
/** Response headers worth replaying (the rest are per-response or CORS, added again). */
const REPLAYED_HEADERS = ['content-type', 'retry-after', 'x-ratelimit-remaining'];

export interface IdempotencyOptions {
  readonly db: Db;
  readonly functionName: string;
  readonly verifyToken: VerifyToken;
  /** The body limit of the function: bodies are read once here, within it. */
  readonly maxBodyBytes: number;
}

type Handler = (req: Request) => Promise<Response>;

interface Claim {
  outcome: 'claimed' | 'replay' | 'in_progress' | 'mismatch';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
}

/** Wraps a function's inner handler (inside postHandler) with Idempotency-Key semantics. */
export function withIdempotency(handle: Handler, options: IdempotencyOptions): Handler {
  const { db, functionName } = options;
  const service = <T>(fn: (tx: Parameters<Parameters<Db['asService']>[0]>[0]) => Promise<T>) => db.asService(fn);

  return async (req) => {
    const key = req.headers.get(IDEMPOTENCY_HEADER);
    if (key === null) return handle(req);
    if (!KEY.test(key)) {
      throw new HttpError(400, 'validation_failed', 'The Idempotency-Key header must be 1 to 255 printable ASCII characters.');
    }
    // Only a signed-in person has keys; anything else goes on to be refused as usual.
    let userId: string;
    try {
      userId = (await authenticateUser(req, options.verifyToken)).id;
    } catch {
      return handle(req);
    }
    const body = await readBodyBytes(req, options.maxBodyBytes);
    const hash = await sha256(
      `${req.method}\n${new URL(req.url).search}\n${req.headers.get('accept') ?? ''}\n`,
      withoutMultipartBoundary(body, req.headers.get('content-type')),
    );
    const forward = () => handle(new Request(req, { body: body.byteLength === 0 && req.body === null ? null : body }));

    const [claim] = (await service(
      (tx) => tx`select * from private.claim_idempotency_key(${userId}, ${functionName}, ${key}, ${hash})`,
    )) as unknown as Claim[];
    switch (claim?.outcome) {
      case 'replay':
        return new Response(claim.response_body, {
          status: claim.response_status ?? 200,
          headers: { ...(claim.response_headers ?? {}), 'Idempotency-Replayed': 'true' },
        });
      case 'in_progress':
        throw new HttpError(
          409,
          'conflict',
          'A request with this Idempotency-Key is still running; retry shortly.',
          { reason: 'idempotency_in_progress' },
          { 'Retry-After': String(IN_PROGRESS_RETRY_AFTER_SECONDS) },
        );
      case 'mismatch':
        throw new HttpError(422, 'validation_failed', 'This Idempotency-Key was already used for a different request.', {
          reason: 'idempotency_key_reused',
        });
      case 'claimed':
        break;
      default:
        throw new Error(`unexpected idempotency claim: ${JSON.stringify(claim)}`);
    }

    const release = () => service((tx) => tx`select private.release_idempotency_key(${userId}, ${functionName}, ${key})`);
    let response: Response;
    try {
      response = await forward();
    } catch (error) {
      await release();
      throw error;
    }
    if (response.status < 200 || response.status >= 300) {
      await release();
      return response;
    }
    const headers = Object.fromEntries(
      REPLAYED_HEADERS.flatMap((name) => (response.headers.has(name) ? [[name, response.headers.get(name)!]] : [])),
    );
    const complete = (text: string) =>
      service(
        (tx) =>
          tx`select private.complete_idempotency_key(${userId}, ${functionName}, ${key}, ${response.status}, ${tx.json(headers)}, ${text})`,
      );
    if (response.body === null) {
      await complete('');
      return response;
    }
    // Pass the answer through as it streams; store it before the stream ends, so a client
    // that has read the whole answer can rely on its retry being replayed.
    const chunks: Uint8Array[] = [];
    const store = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        chunks.push(chunk);
        controller.enqueue(chunk);
      },
      async flush() {
        const text = new TextDecoder().decode(concat(chunks));
        await complete(text).catch(() => release().catch(() => {}));
      },
    });
    return new Response(response.body.pipeThrough(store), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/**
 * A multipart body with its boundary replaced by a fixed one: a client that
 * retries an upload builds its form again, with a new random boundary, and
 * still sends the same request.
 */
export function withoutMultipartBoundary(body: Uint8Array<ArrayBuffer>, contentType: string | null): Uint8Array<ArrayBuffer> {
  const match = /^\s*multipart\/[^;]+;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const boundary = match?.[1] ?? match?.[2];
  if (boundary === undefined) return body;
  const needle = new TextEncoder().encode(`--${boundary}`);
  const fixed = new TextEncoder().encode('--wallai-idempotency-boundary');
  const parts: Uint8Array[] = [];
  let from = 0;
  for (let i = 0; i + needle.length <= body.length;) {
    let hit = true;
    for (let j = 0; j < needle.length; j++) {
      if (body[i + j] !== needle[j]) {
        hit = false;
        break;
      }
    }
    if (hit) {
      parts.push(body.subarray(from, i), fixed);
      i += needle.length;
      from = i;
    } else i++;
  }
  if (parts.length === 0) return body;
  parts.push(body.subarray(from));
  return concat(parts);
}

function concat(chunks: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

async function sha256(prefix: string, body: Uint8Array<ArrayBuffer>): Promise<string> {
  const head = new TextEncoder().encode(prefix);
  const all = new Uint8Array(head.byteLength + body.byteLength);
  all.set(head, 0);
  all.set(body, head.byteLength);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
