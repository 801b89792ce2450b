/**
 * `/storage/v1`: Supabase Storage's HTTP API as @supabase/storage-js calls
 * it, over any SqlClient (PGlite or PostgreSQL), bytes on local disk.
 *
 * Every decision about an object is made by the RLS policies on
 * storage.objects, acting as the caller: each operation is a transaction
 * that sets `role` and `request.jwt.claims` from the verified bearer token
 * (as Storage does) and then inserts, selects, updates or deletes the rows.
 * An upload first tests the insert as the caller and rolls it back (Storage's
 * canUpload), so a refused upload sends no bytes to disk; then the bytes are
 * written and fsynced (blobs.ts), the row is written as the caller and
 * committed, and only then are the bytes moved into place. Bucket limits
 * (file_size_limit, allowed_mime_types) are checked as Storage checks them.
 * Signed download URLs and signed upload URLs are JWTs signed with the
 * project's secret; a signed upload writes as the service role, the decision
 * having been made as the signer when the URL was created (as on Storage).
 */
import { randomUUID } from 'node:crypto';
import type { Queryable, SqlClient } from '@wallai/db-client';
import { BlobStore, type WrittenBlob } from './blobs.ts';
import type { SigningKey } from '../auth/tokens.ts';
import { createStorageAuth, type StorageAuth } from './auth.ts';
import { StorageError, errorResponse, errors, fromPgError, isPgError } from './errors.ts';

export interface StorageApiOptions {
  readonly sql: SqlClient;
  readonly jwtSecret: string;
  /** [auth] signing keys: session tokens signed with them verify too, by kid. */
  readonly signingKeys?: readonly SigningKey[];
  /** Where the bytes live (git-ignored: the dev stack passes a folder under .wallai/). */
  readonly dataDir: string;
  /** Storage's global upload limit ([storage] file_size_limit in config.toml); a bucket's own limit is lower or equal. Default 50 MiB. */
  readonly fileSizeLimit?: number;
}

export interface StorageApi {
  /** `path` is the part after `/storage/v1` (e.g. `/object/receipts/a/b.png`), with or without the query string. */
  handle(req: Request, path: string): Promise<Response>;
  /** What the start-up sweep did (interrupted uploads finished, orphaned bytes removed). */
  readonly swept: { readonly completed: number; readonly removed: number };
  close(): Promise<void>;
}

type Bucket = {
  id: string;
  name: string;
  public: boolean;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
};

type ObjectRow = {
  id: string;
  bucket_id: string;
  name: string;
  version: string | null;
  owner_id: string | null;
  metadata: Record<string, unknown> | null;
  user_metadata: Record<string, unknown> | null;
  created_at: Date | string;
  updated_at: Date | string;
  last_accessed_at: Date | string;
};

/** Storage's isValidKey (src/storage/limits.ts). */
const VALID_KEY = /^[A-Za-z0-9_/!.*'() &$=@;:+,?-]*$/;
const VALID_BUCKET = /^[A-Za-z0-9_!.*'() &$=@;:+,?-]*$/;
const MAX_PREFIXES = 1000;
const SIGNED_UPLOAD_SECONDS = 2 * 60 * 60;
const SORT_COLUMNS = new Set(['name', 'updated_at', 'created_at', 'last_accessed_at']);
const OBJECT_COLUMNS = 'id, bucket_id, name, version, owner_id, metadata, user_metadata, created_at, updated_at, last_accessed_at';

function mustBeValidKey(key: string): void {
  if (key.length === 0 || !VALID_KEY.test(key)) throw errors.invalidKey(key);
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers } });

const iso = (value: Date | string | null): string | null => (value === null ? null : value instanceof Date ? value.toISOString() : value);

/** Storage's parseFileSizeToBytes for bucket limits given as text ("5MB"). */
function fileSizeBytes(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string') {
    const m = /^(\d+(?:\.\d+)?)\s*(GB|MB|KB|B)?$/i.exec(value.trim());
    if (m) {
      const n = Number(m[1]);
      const unit = (m[2] ?? 'B').toUpperCase();
      return Math.round(n * (unit === 'GB' ? 1e9 : unit === 'MB' ? 1e6 : unit === 'KB' ? 1e3 : 1));
    }
  }
  throw errors.invalidRequest('Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B');
}

/** Storage's validateMimeType: type/subtype or type/* from the bucket's list (parameters such as charset ignored). */
function checkMimeType(mime: string, allowed: readonly string[] | null): void {
  if (allowed === null || allowed.length === 0) return;
  const [type, sub] = (mime.split(';')[0] ?? '').trim().toLowerCase().split('/');
  if (!type || !sub) throw errors.invalidMimeType(mime);
  for (const entry of allowed) {
    const [aType, aSub] = entry.toLowerCase().split('/');
    if (aType === type && (aSub === '*' || aSub === sub)) return;
  }
  throw errors.invalidMimeType(mime);
}

/** The file of an upload: raw body or the multipart form storage-js sends for a Blob/File/FormData. */
interface IncomingFile {
  readonly body: AsyncIterable<Uint8Array> | Uint8Array;
  readonly mimeType: string;
  readonly cacheControl: string;
  readonly userMetadata: Record<string, unknown> | null;
  readonly declaredLength: number | null;
}

function parseUserMetadata(text: string | null, base64: boolean): Record<string, unknown> | null {
  if (text === null || text === '') return null;
  try {
    const parsed: unknown = JSON.parse(base64 ? Buffer.from(text, 'base64').toString('utf8') : text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function readIncomingFile(req: Request, limit: number): Promise<IncomingFile> {
  const contentType = req.headers.get('content-type') ?? '';
  const lengthHeader = req.headers.get('content-length');
  const declaredLength = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
  if (declaredLength !== null && declaredLength > limit && !contentType.startsWith('multipart/form-data')) throw errors.entityTooLarge();
  if (contentType.toLowerCase().startsWith('multipart/form-data')) {
    // The whole form is one part plus small fields; the part is bounded below by the byte store's limit.
    if (declaredLength !== null && declaredLength > limit + 64 * 1024) throw errors.entityTooLarge();
    let form: FormData;
    try {
      form = await req.formData();
    } catch {
      throw errors.invalidRequest('The multipart body could not be read');
    }
    let file: File | null = null;
    for (const value of form.values()) {
      if (typeof value !== 'string') {
        file = value;
        break;
      }
    }
    if (file === null) throw errors.invalidRequest('No content provided');
    const cacheControlField = form.get('cacheControl');
    const contentTypeField = form.get('contentType');
    const metadataField = form.get('metadata') ?? form.get('userMetadata');
    return {
      body: new Uint8Array(await file.arrayBuffer()),
      mimeType:
        typeof contentTypeField === 'string' && contentTypeField !== '' ? contentTypeField : file.type || 'text/plain;charset=UTF-8',
      cacheControl: typeof cacheControlField === 'string' && cacheControlField !== '' ? `max-age=${cacheControlField}` : 'no-cache',
      userMetadata: parseUserMetadata(typeof metadataField === 'string' ? metadataField : null, false),
      declaredLength: file.size,
    };
  }
  if (req.body === null) throw errors.invalidRequest('No content provided');
  return {
    body: req.body as unknown as AsyncIterable<Uint8Array>,
    mimeType: contentType || 'text/plain;charset=UTF-8',
    cacheControl: req.headers.get('cache-control') ?? 'no-cache',
    userMetadata: parseUserMetadata(req.headers.get('x-metadata'), true),
    declaredLength,
  };
}

async function readJson(req: Request): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    const text = await req.text();
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    throw errors.invalidRequest('Body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw errors.invalidRequest('body must be object');
  return parsed as Record<string, unknown>;
}

function stringField(body: Record<string, unknown>, name: string, required = true): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    if (required) throw errors.invalidRequest(`body must have required property '${name}'`);
    return undefined;
  }
  if (typeof value !== 'string') throw errors.invalidRequest(`body/${name} must be string`);
  return value;
}

/** Splits `/<bucket>/<key...>` (each segment percent-decoded, as Fastify's params are). */
function bucketAndKey(rest: string): { bucket: string; key: string } {
  const slash = rest.indexOf('/');
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw errors.invalidKey(s);
    }
  };
  if (slash < 0) return { bucket: decode(rest), key: '' };
  return { bucket: decode(rest.slice(0, slash)), key: decode(rest.slice(slash + 1)) };
}

/** The object metadata Storage records for an upload. */
function objectMetadata(blob: WrittenBlob, file: IncomingFile): Record<string, unknown> {
  return {
    eTag: blob.eTag,
    size: blob.size,
    mimetype: file.mimeType,
    cacheControl: file.cacheControl,
    lastModified: new Date().toUTCString(),
    contentLength: blob.size,
    httpStatusCode: 200,
  };
}

class Rollback extends Error {}

const jsonOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

export async function createStorageApi(options: StorageApiOptions): Promise<StorageApi> {
  const db = options.sql;
  const auth = createStorageAuth(options.jwtSecret, options.signingKeys ?? []);
  const blobs = new BlobStore(options.dataDir);
  const globalLimit = options.fileSizeLimit ?? 50 * 1024 * 1024;

  const swept = await blobs.sweep(async (versions) => {
    if (versions.length === 0) return new Set();
    const rows = await db.query<{ version: string }>(`select version from storage.objects where version = any($1::text[])`, [versions]);
    return new Set(rows.map((r) => r.version));
  });

  /** One transaction as the caller, set up the way Storage does it (role, claims, the request). */
  function asCaller<T>(who: StorageAuth, req: Request, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return db.transaction(async (tx) => {
      const url = new URL(req.url);
      await tx.query(
        `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true), set_config('request.jwt.claim.sub', $3, true),
                set_config('request.jwt.claim.role', $1, true), set_config('request.method', $4, true), set_config('request.path', $5, true)`,
        [who.role, JSON.stringify(who.claims), who.owner ?? '', req.method, url.pathname],
      );
      return fn(tx);
    });
  }

  /** Storage's testPermission: the statement as the caller, always rolled back. */
  async function testAsCaller(who: StorageAuth, req: Request, fn: (tx: Queryable) => Promise<void>): Promise<void> {
    try {
      await asCaller(who, req, async (tx) => {
        await fn(tx);
        throw new Rollback();
      });
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
    }
  }

  /** Buckets are read as the superuser for uploads and public reads, as Storage does. */
  async function findBucket(id: string): Promise<Bucket> {
    const [bucket] = await db.query<Bucket>(
      `select id, name, coalesce(public, false) as public, file_size_limit, allowed_mime_types from storage.buckets where id = $1`,
      [id],
    );
    if (!bucket) throw errors.noSuchBucket();
    return bucket;
  }

  const insertSql = (upsert: boolean): string =>
    `with old as (select version from storage.objects where bucket_id = $2 and name = $3)
     insert into storage.objects (id, bucket_id, name, owner, owner_id, version, metadata, user_metadata)
     values ($1::uuid, $2, $3, case when $4 ~ '^[0-9a-fA-F-]{36}$' then $4::uuid end, nullif($4, ''), $5, $6::text::jsonb, $7::text::jsonb)` +
    (upsert
      ? ` on conflict (bucket_id, name) do update set version = excluded.version, owner = excluded.owner, owner_id = excluded.owner_id,
            metadata = excluded.metadata, user_metadata = excluded.user_metadata, updated_at = now(), last_accessed_at = now()
        returning (select version from old) as replaced`
      : '');

  async function upload(
    req: Request,
    who: StorageAuth,
    bucketId: string,
    key: string,
    upsert: boolean,
    writeAs: StorageAuth,
  ): Promise<{ id: string; key: string }> {
    mustBeValidKey(key);
    const bucket = await findBucket(bucketId);
    const limit = Math.min(globalLimit, bucket.file_size_limit ?? globalLimit);
    const file = await readIncomingFile(req, limit);
    checkMimeType(file.mimeType, bucket.allowed_mime_types);
    const id = randomUUID();
    const probe = { mimetype: file.mimeType, contentLength: file.declaredLength };
    // canUpload: the row as the caller, rolled back, before any byte is stored.
    await testAsCaller(writeAs, req, async (tx) => {
      await tx.query(insertSql(upsert), [
        id,
        bucket.id,
        key,
        who.owner ?? '',
        null,
        JSON.stringify(probe),
        file.userMetadata === null ? null : JSON.stringify(file.userMetadata),
      ]);
    });
    const blob = await blobs.write(file.body, limit);
    let replaced: string | null;
    try {
      const [row] = await asCaller(writeAs, req, (tx) =>
        tx.query<{ replaced: string | null }>(insertSql(upsert), [
          id,
          bucket.id,
          key,
          who.owner ?? '',
          blob.version,
          JSON.stringify(objectMetadata(blob, file)),
          file.userMetadata === null ? null : JSON.stringify(file.userMetadata),
        ]),
      );
      replaced = row?.replaced ?? null;
    } catch (error) {
      await blobs.discard(blob.version);
      throw error;
    }
    await blobs.commit(blob.version);
    await blobs.remove(replaced);
    return { id, key: `${bucket.id}/${key}` };
  }

  async function findVisible(tx: Queryable, bucketId: string, key: string): Promise<ObjectRow> {
    const [row] = await tx.query<ObjectRow>(`select ${OBJECT_COLUMNS} from storage.objects where bucket_id = $1 and name = $2`, [
      bucketId,
      key,
    ]);
    if (!row) throw errors.noSuchKey();
    return row;
  }

  /** The bytes of an object row, with Storage's headers; Range requests get 206. */
  async function serve(req: Request, row: ObjectRow, extra: Record<string, string> = {}): Promise<Response> {
    const size = row.version === null ? null : await blobs.size(row.version);
    if (row.version === null || size === null) throw errors.noSuchKey();
    const meta = row.metadata ?? {};
    const headers: Record<string, string> = {
      'Content-Type': typeof meta.mimetype === 'string' ? meta.mimetype : 'application/octet-stream',
      'Cache-Control': typeof meta.cacheControl === 'string' ? meta.cacheControl : 'no-cache',
      'Accept-Ranges': 'bytes',
      'Last-Modified': new Date(iso(row.updated_at) ?? Date.now()).toUTCString(),
      ...extra,
    };
    if (typeof meta.eTag === 'string') headers.ETag = meta.eTag;
    const download = new URL(req.url).searchParams.get('download');
    if (download !== null) {
      const name = download === '' ? (row.name.split('/').pop() ?? row.name) : download;
      headers['Content-Disposition'] = `attachment; filename=${encodeURIComponent(name)};`;
    }
    if (req.headers.get('if-none-match') !== null && req.headers.get('if-none-match') === headers.ETag) {
      return new Response(null, { status: 304, headers });
    }
    const rangeHeader = req.headers.get('range');
    let range: { start: number; end: number } | undefined;
    if (rangeHeader !== null) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(rangeHeader.trim());
      if (!m || (m[1] === '' && m[2] === '')) throw errors.invalidRange();
      let start = m[1] === '' ? Math.max(0, size - Number(m[2])) : Number(m[1]);
      let end = m[1] === '' ? size - 1 : m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
      if (start > end || start >= size) {
        return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}` } });
      }
      start = Math.max(0, start);
      end = Math.max(start, end);
      range = { start, end };
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    headers['Content-Length'] = String(range ? range.end - range.start + 1 : size);
    if (req.method === 'HEAD') return new Response(null, { status: range ? 206 : 200, headers });
    // Up to 16 MiB the bytes are read in one go (what a receipt is); larger files stream.
    if (size <= 16 * 1024 * 1024) {
      const bytes = await blobs.readAll(row.version);
      return new Response(range ? bytes.subarray(range.start, range.end + 1) : bytes, { status: range ? 206 : 200, headers });
    }
    return new Response(blobs.read(row.version, range), { status: range ? 206 : 200, headers });
  }

  function info(row: ObjectRow): Record<string, unknown> {
    const meta = row.metadata ?? {};
    return {
      id: row.id,
      name: row.name,
      version: row.version,
      bucket_id: row.bucket_id,
      size: meta.size ?? null,
      content_type: meta.mimetype ?? null,
      cache_control: meta.cacheControl ?? null,
      etag: meta.eTag ?? null,
      metadata: row.user_metadata ?? {},
      last_modified: iso(row.updated_at),
      created_at: iso(row.created_at),
    };
  }

  async function list(req: Request, who: StorageAuth, bucketId: string): Promise<Response> {
    const body = await readJson(req);
    let prefix = stringField(body, 'prefix') ?? '';
    const limit = body.limit === undefined ? 100 : body.limit;
    const offset = body.offset === undefined ? 0 : body.offset;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) throw errors.invalidRequest('body/limit must be >= 1');
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw errors.invalidRequest('body/offset must be >= 0');
    const search = stringField(body, 'search', false) ?? '';
    const sortBy = (body.sortBy ?? {}) as { column?: unknown; order?: unknown };
    const column = typeof sortBy.column === 'string' ? sortBy.column : 'name';
    const order = typeof sortBy.order === 'string' ? sortBy.order.toLowerCase() : 'asc';
    if (!SORT_COLUMNS.has(column)) throw errors.invalidRequest(`body/sortBy/column must be equal to one of the allowed values`);
    if (order !== 'asc' && order !== 'desc') throw errors.invalidRequest(`body/sortBy/order must be equal to one of the allowed values`);
    if (prefix.length > 0 && !prefix.endsWith('/')) prefix = `${prefix}/`;
    const levels = prefix === '' ? 1 : prefix.split('/').length;
    const like = (s: string): string => s.replaceAll('\\', '\\\\').replaceAll('%', '\\%').replaceAll('_', '\\_');
    // storage.search(): the folders at this level first, then the files, all read as the caller (RLS).
    const sql = `
      with visible as (
        select ${OBJECT_COLUMNS}, path_tokens from storage.objects
         where bucket_id = $1 and name ilike $2 || $3 || '%'
      ), folders as (
        select path_tokens[$4::int] as folder from visible
         where array_length(path_tokens, 1) <> $4::int group by folder order by folder ${order}
      )
      (select folder as name, null::uuid as id, null::timestamptz as updated_at, null::timestamptz as created_at,
              null::timestamptz as last_accessed_at, null::jsonb as metadata from folders)
      union all
      (select path_tokens[$4::int] as name, id, updated_at, created_at, last_accessed_at, metadata from visible
        where array_length(path_tokens, 1) = $4::int order by ${column === 'name' ? 'path_tokens[$4::int]' : column} ${order})
      limit $5::int offset $6::int`;
    const rows = await asCaller(who, req, (tx) =>
      tx.query<Record<string, unknown>>(sql, [bucketId, like(prefix), like(search), levels, limit, offset]),
    );
    return json(
      rows.map((r) => ({
        name: r.name,
        id: r.id,
        updated_at: iso(r.updated_at as Date | null),
        created_at: iso(r.created_at as Date | null),
        last_accessed_at: iso(r.last_accessed_at as Date | null),
        metadata: r.metadata,
      })),
    );
  }

  async function remove(req: Request, who: StorageAuth, bucketId: string, keys: readonly string[]): Promise<ObjectRow[]> {
    const rows = await asCaller(who, req, (tx) =>
      tx.query<ObjectRow>(`delete from storage.objects where bucket_id = $1 and name = any($2::text[]) returning ${OBJECT_COLUMNS}`, [
        bucketId,
        keys,
      ]),
    );
    for (const row of rows) await blobs.remove(row.version);
    return rows;
  }

  async function moveOrCopy(req: Request, who: StorageAuth, kind: 'move' | 'copy'): Promise<Response> {
    const body = await readJson(req);
    const bucketId = stringField(body, 'bucketId')!;
    const sourceKey = stringField(body, 'sourceKey')!;
    const destinationKey = stringField(body, 'destinationKey')!;
    const destinationBucket = stringField(body, 'destinationBucket', false) ?? bucketId;
    mustBeValidKey(destinationKey);
    if (kind === 'move') {
      // The row's name changes as the caller: the update policy's USING judges the source, its WITH CHECK the destination.
      const moved = await asCaller(who, req, async (tx) => {
        const [row] = await tx.query<{ id: string }>(
          `update storage.objects set bucket_id = $3, name = $4, updated_at = now() where bucket_id = $1 and name = $2 returning id`,
          [bucketId, sourceKey, destinationBucket, destinationKey],
        );
        if (!row) throw errors.noSuchKey();
        return row;
      });
      return json({ message: 'Successfully moved', Id: moved.id, Key: destinationKey });
    }
    const upsert = req.headers.get('x-upsert') === 'true';
    const source = await asCaller(who, req, (tx) => findVisible(tx, bucketId, sourceKey));
    if (source.version === null || (await blobs.size(source.version)) === null) throw errors.noSuchKey();
    const blob = await blobs.duplicate(source.version);
    const id = randomUUID();
    const copyMetadata = body.copyMetadata !== false;
    const metadata = { ...(source.metadata ?? {}), eTag: blob.eTag, lastModified: new Date().toUTCString() };
    let replaced: string | null;
    try {
      const [row] = await asCaller(who, req, (tx) =>
        tx.query<{ replaced: string | null }>(insertSql(upsert), [
          id,
          destinationBucket,
          destinationKey,
          who.owner ?? '',
          blob.version,
          JSON.stringify(metadata),
          jsonOrNull(copyMetadata ? source.user_metadata : (body.metadata ?? null)),
        ]),
      );
      replaced = row?.replaced ?? null;
    } catch (error) {
      await blobs.discard(blob.version);
      throw error;
    }
    await blobs.commit(blob.version);
    await blobs.remove(replaced);
    return json({
      Id: id,
      Key: `${destinationBucket}/${destinationKey}`,
      id,
      name: destinationKey,
      bucket_id: destinationBucket,
      version: blob.version,
    });
  }

  async function buckets(req: Request, who: StorageAuth, rest: string): Promise<Response> {
    const id = rest === '' ? null : decodeURIComponent(rest.split('/')[0] ?? '');
    const action = rest.split('/')[1] ?? null;
    const columns = 'id, name, owner, public, file_size_limit, allowed_mime_types, created_at, updated_at';
    const shape = (b: Record<string, unknown>) => ({ ...b, created_at: iso(b.created_at as Date), updated_at: iso(b.updated_at as Date) });
    if (req.method === 'GET' && id === null) {
      const rows = await asCaller(who, req, (tx) => tx.query(`select ${columns} from storage.buckets order by name`));
      return json(rows.map(shape));
    }
    if (req.method === 'GET' && id !== null && action === null) {
      const [row] = await asCaller(who, req, (tx) => tx.query(`select ${columns} from storage.buckets where id = $1`, [id]));
      if (!row) throw errors.noSuchBucket();
      return json(shape(row));
    }
    if (req.method === 'POST' && id === null) {
      const body = await readJson(req);
      const name = stringField(body, 'name')!;
      const bucketId = stringField(body, 'id', false) ?? name;
      if (!VALID_BUCKET.test(bucketId) || bucketId.length === 0 || bucketId.length > 100) {
        throw new StorageError(400, 'InvalidBucketName', 'Bucket name invalid', 'Invalid Input');
      }
      const mimes = body.allowed_mime_types ?? null;
      if (mimes !== null && (!Array.isArray(mimes) || !mimes.every((m) => typeof m === 'string'))) {
        throw errors.invalidRequest('body/allowed_mime_types must be array');
      }
      await asCaller(who, req, (tx) =>
        tx.query(
          `insert into storage.buckets (id, name, owner, owner_id, public, file_size_limit, allowed_mime_types)
           values ($1, $2, case when $3 ~ '^[0-9a-fA-F-]{36}$' then $3::uuid end, nullif($3, ''), $4, $5, $6::text[])`,
          [bucketId, name, who.owner ?? '', body.public === true, fileSizeBytes(body.file_size_limit), mimes],
        ),
      );
      return json({ name: bucketId });
    }
    if (id === null) throw errors.routeNotFound(req.method, `/bucket/${rest}`);
    if (req.method === 'PUT' && action === null) {
      const body = await readJson(req);
      const updated = await asCaller(who, req, (tx) =>
        tx.query(
          `update storage.buckets set public = coalesce($2, public), file_size_limit = case when $3 then $4 else file_size_limit end,
                  allowed_mime_types = case when $5 then $6::text[] else allowed_mime_types end, updated_at = now()
            where id = $1 returning id`,
          [
            id,
            typeof body.public === 'boolean' ? body.public : null,
            'file_size_limit' in body,
            fileSizeBytes(body.file_size_limit),
            'allowed_mime_types' in body,
            (body.allowed_mime_types as string[] | undefined) ?? null,
          ],
        ),
      );
      if (updated.length === 0) throw errors.noSuchBucket();
      return json({ message: 'Successfully updated' });
    }
    if (req.method === 'POST' && action === 'empty') {
      const rows = await asCaller(who, req, (tx) =>
        tx.query<{ version: string | null }>(`delete from storage.objects where bucket_id = $1 returning version`, [id]),
      );
      for (const row of rows) await blobs.remove(row.version);
      return json({ message: 'Successfully emptied' });
    }
    if (req.method === 'DELETE' && action === null) {
      await asCaller(who, req, async (tx) => {
        const [{ n } = { n: 0 }] = await tx.query<{ n: number }>(`select count(*)::int as n from storage.objects where bucket_id = $1`, [
          id,
        ]);
        if (n > 0) throw new StorageError(409, 'ResourceNotEmpty', 'The bucket you tried to delete is not empty');
        const deleted = await tx.query(`delete from storage.buckets where id = $1 returning id`, [id]);
        if (deleted.length === 0) throw errors.noSuchBucket();
      });
      return json({ message: 'Successfully deleted' });
    }
    throw errors.routeNotFound(req.method, `/bucket/${rest}`);
  }

  async function route(req: Request, path: string): Promise<Response> {
    const url = new URL(req.url);
    const pathname = path.split('?')[0] ?? '';
    const method = req.method;
    if (pathname === '/bucket' || pathname.startsWith('/bucket/')) {
      return buckets(req, await auth.authenticate(req), pathname.slice('/bucket/'.length));
    }
    if (pathname.startsWith('/render/')) throw errors.notSupported('Image transformation (render/image)');
    if (pathname.startsWith('/s3') || pathname.startsWith('/upload/resumable'))
      throw errors.notSupported(`${pathname.split('/')[1]} uploads`);
    if (!pathname.startsWith('/object/')) throw errors.routeNotFound(method, pathname);
    const rest = pathname.slice('/object/'.length);

    // Routes that carry their own authorization.
    if (rest.startsWith('public/') && (method === 'GET' || method === 'HEAD')) {
      const { bucket: bucketId, key } = bucketAndKey(rest.slice('public/'.length));
      const bucket = await findBucket(bucketId);
      if (!bucket.public) throw errors.noSuchBucket();
      return serve(req, await findVisible(db, bucket.id, key));
    }
    if (rest.startsWith('info/public/') && method === 'GET') {
      const { bucket: bucketId, key } = bucketAndKey(rest.slice('info/public/'.length));
      const bucket = await findBucket(bucketId);
      if (!bucket.public) throw errors.noSuchBucket();
      return json(info(await findVisible(db, bucket.id, key)));
    }
    if (rest.startsWith('sign/') && (method === 'GET' || method === 'HEAD')) {
      const { bucket: bucketId, key } = bucketAndKey(rest.slice('sign/'.length));
      const payload = await auth.verifySigned(url.searchParams.get('token'), `${bucketId}/${key}`, 'download');
      const row = await findVisible(db, bucketId, key);
      return serve(req, row, typeof payload.exp === 'number' ? { Expires: new Date(payload.exp * 1000).toUTCString() } : {});
    }
    if (rest.startsWith('upload/sign/') && method === 'PUT') {
      const { bucket: bucketId, key } = bucketAndKey(rest.slice('upload/sign/'.length));
      const payload = await auth.verifySigned(url.searchParams.get('token'), `${bucketId}/${key}`, 'upload');
      const owner = typeof payload.owner === 'string' ? payload.owner : null;
      const signer: StorageAuth = { role: 'service_role', claims: { role: 'service_role' }, owner };
      const done = await upload(req, signer, bucketId, key, payload.upsert === true, signer);
      return json({ Key: done.key, Id: done.id });
    }

    const who = await auth.authenticate(req);
    if (rest === 'move' && method === 'POST') return moveOrCopy(req, who, 'move');
    if (rest === 'copy' && method === 'POST') return moveOrCopy(req, who, 'copy');
    if (rest.startsWith('list/') && method === 'POST') return list(req, who, bucketAndKey(rest.slice('list/'.length)).bucket);
    if (rest.startsWith('list-v2/')) throw errors.notSupported('listV2');
    if (rest.startsWith('upload/sign/') && method === 'POST') {
      const { bucket: bucketId, key } = bucketAndKey(rest.slice('upload/sign/'.length));
      mustBeValidKey(key);
      const bucket = await findBucket(bucketId);
      const upsert = req.headers.get('x-upsert') === 'true';
      await testAsCaller(who, req, async (tx) => {
        await tx.query(insertSql(upsert), [randomUUID(), bucket.id, key, who.owner ?? '', null, '{}', null]);
      });
      const token = await auth.sign(
        { owner: who.owner ?? undefined, url: `${bucket.id}/${key}`, upsert, scope: 'upload' },
        SIGNED_UPLOAD_SECONDS,
      );
      return json({ url: `/object/upload/sign/${bucket.id}/${key}?token=${token}`, token });
    }
    if (rest.startsWith('sign/') && method === 'POST') {
      const { bucket: bucketId, key } = bucketAndKey(rest.slice('sign/'.length));
      const body = await readJson(req);
      const expiresIn = body.expiresIn;
      if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn < 1) {
        throw errors.invalidRequest('body/expiresIn must be >= 1');
      }
      if (key === '') {
        const paths = body.paths;
        if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) throw errors.invalidRequest('body/paths must be array');
        const visible = await asCaller(who, req, (tx) =>
          tx.query<{ name: string }>(`select name from storage.objects where bucket_id = $1 and name = any($2::text[])`, [bucketId, paths]),
        );
        const names = new Set(visible.map((r) => r.name));
        return json(
          await Promise.all(
            (paths as string[]).map(async (p) =>
              names.has(p)
                ? {
                    error: null,
                    path: p,
                    signedURL: `/object/sign/${bucketId}/${p}?token=${await auth.sign({ url: `${bucketId}/${p}`, scope: 'download' }, Math.floor(expiresIn))}`,
                  }
                : { error: 'Either the object does not exist or you do not have access to it', path: p, signedURL: null },
            ),
          ),
        );
      }
      await asCaller(who, req, (tx) => findVisible(tx, bucketId, key));
      if (body.transform !== undefined) throw errors.notSupported('Image transformation (transform)');
      const token = await auth.sign({ url: `${bucketId}/${key}`, scope: 'download' }, Math.floor(expiresIn));
      return json({ signedURL: `/object/sign/${bucketId}/${key}?token=${token}` });
    }
    if (rest.startsWith('info/') && method === 'GET') {
      const target = rest.slice('info/'.length).replace(/^authenticated\//, '');
      const { bucket: bucketId, key } = bucketAndKey(target);
      return json(info(await asCaller(who, req, (tx) => findVisible(tx, bucketId, key))));
    }
    const target = rest.replace(/^authenticated\//, '');
    const { bucket: bucketId, key } = bucketAndKey(target);
    if (method === 'GET' || method === 'HEAD') {
      const row = await asCaller(who, req, (tx) => findVisible(tx, bucketId, key));
      return serve(req, row);
    }
    if (method === 'POST' && key !== '') {
      const done = await upload(req, who, bucketId, key, req.headers.get('x-upsert') === 'true', who);
      return json({ Id: done.id, Key: done.key });
    }
    if (method === 'PUT' && key !== '') {
      const done = await upload(req, who, bucketId, key, true, who);
      return json({ Id: done.id, Key: done.key });
    }
    if (method === 'DELETE' && key === '') {
      const body = await readJson(req);
      const prefixes = body.prefixes;
      if (!Array.isArray(prefixes) || !prefixes.every((p) => typeof p === 'string') || prefixes.length === 0) {
        throw errors.invalidRequest('body/prefixes must NOT have fewer than 1 items');
      }
      if (prefixes.length > MAX_PREFIXES) throw errors.invalidRequest(`body/prefixes must NOT have more than ${MAX_PREFIXES} items`);
      const rows = await remove(req, who, bucketId, prefixes as string[]);
      return json(
        rows.map((r) => ({
          ...r,
          created_at: iso(r.created_at),
          updated_at: iso(r.updated_at),
          last_accessed_at: iso(r.last_accessed_at),
        })),
      );
    }
    if (method === 'DELETE') {
      const rows = await remove(req, who, bucketId, [key]);
      if (rows.length === 0) throw errors.noSuchKey();
      return json({ message: 'Successfully deleted' });
    }
    throw errors.routeNotFound(method, pathname);
  }

  return {
    swept,
    async handle(req, path) {
      try {
        return await route(req, path);
      } catch (error) {
        if (error instanceof StorageError) return errorResponse(error);
        if (isPgError(error)) return errorResponse(fromPgError(error));
        console.error(`[storage] ${req.method} ${path}: ${(error as Error).stack ?? String(error)}`);
        return errorResponse(errors.internal());
      }
    },
    async close() {},
  };
}
