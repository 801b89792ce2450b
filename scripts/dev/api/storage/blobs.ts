/**
 * The bytes of the local Storage API, on disk under one data directory:
 *
 *   <dataDir>/objects/<version>   the bytes of every committed object version
 *   <dataDir>/incoming/<version>  bytes written and fsynced, their row not yet committed
 *
 * An object row (`storage.objects.version`) names its bytes; a version is a
 * fresh UUID per upload, so replacing an object never overwrites the bytes a
 * committed row still points to. The order of an upload is: bytes to
 * incoming/ + fsync → row insert committed → rename into objects/ (+ fsync of
 * the directory) → the replaced version's bytes unlinked. `sweep()` at start
 * finishes whatever a crash interrupted: an incoming file whose version has a
 * row is moved into place, any other incoming file and any objects/ file
 * whose version has no row is deleted. So after a sweep there is no row
 * without bytes (that this API wrote) and no bytes without a row.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { errors } from './errors.ts';

export interface WrittenBlob {
  readonly version: string;
  readonly size: number;
  /** Quoted MD5 of the bytes, as S3 (and so Storage) reports an ETag. */
  readonly eTag: string;
}

const VERSION = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class BlobStore {
  readonly objectsDir: string;
  readonly incomingDir: string;

  constructor(readonly dataDir: string) {
    this.objectsDir = path.join(dataDir, 'objects');
    this.incomingDir = path.join(dataDir, 'incoming');
  }

  async init(): Promise<void> {
    await mkdir(this.objectsDir, { recursive: true });
    await mkdir(this.incomingDir, { recursive: true });
  }

  /** Streams bytes into incoming/, at most `limit` of them (EntityTooLarge beyond, nothing left behind), then fsyncs. */
  async write(source: AsyncIterable<Uint8Array> | Uint8Array, limit: number): Promise<WrittenBlob> {
    const version = randomUUID();
    const file = path.join(this.incomingDir, version);
    const hash = createHash('md5');
    let size = 0;
    let handle: FileHandle | null = await open(file, 'wx');
    try {
      const chunks = source instanceof Uint8Array ? [source] : source;
      for await (const chunk of chunks) {
        size += chunk.byteLength;
        if (size > limit) throw errors.entityTooLarge();
        hash.update(chunk);
        let offset = 0;
        while (offset < chunk.byteLength) {
          const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
          offset += bytesWritten;
        }
      }
      await handle.sync();
      await handle.close();
      handle = null;
    } catch (error) {
      if (handle !== null) await handle.close().catch(() => {});
      await rm(file, { force: true });
      throw error;
    }
    return { version, size, eTag: `"${hash.digest('hex')}"` };
  }

  /** Copies committed bytes into incoming/ under a new version (for copy). */
  async duplicate(version: string): Promise<WrittenBlob> {
    return this.write(createReadStream(this.objectPath(version)), Number.MAX_SAFE_INTEGER);
  }

  /** After the row's commit: incoming → objects, durably. */
  async commit(version: string): Promise<void> {
    await rename(path.join(this.incomingDir, version), this.objectPath(version));
    await this.syncDir(this.objectsDir);
  }

  /** The row was not written: the incoming bytes go. */
  async discard(version: string): Promise<void> {
    await rm(path.join(this.incomingDir, version), { force: true });
  }

  /** The row that named these bytes is gone (deleted or replaced, committed). */
  async remove(version: string | null): Promise<void> {
    if (version !== null && VERSION.test(version)) await rm(this.objectPath(version), { force: true });
  }

  objectPath(version: string): string {
    if (!VERSION.test(version)) throw errors.noSuchKey();
    return path.join(this.objectsDir, version);
  }

  async size(version: string): Promise<number | null> {
    try {
      return (await stat(this.objectPath(version))).size;
    } catch {
      return null;
    }
  }

  /** All the bytes of a version. */
  readAll(version: string): Promise<Buffer> {
    return readFile(this.objectPath(version));
  }

  /** The bytes (or a range of them) as a web stream. */
  read(version: string, range?: { start: number; end: number }): ReadableStream<Uint8Array> {
    const stream = createReadStream(this.objectPath(version), range ?? {});
    return Readable.toWeb(stream) as ReadableStream<Uint8Array>;
  }

  /**
   * Finishes interrupted uploads and deletes orphans, given whether a version
   * has a row. Returns what it did, for the dev log.
   */
  async sweep(hasRow: (versions: readonly string[]) => Promise<Set<string>>): Promise<{ completed: number; removed: number }> {
    await this.init();
    const incoming = (await readdir(this.incomingDir)).filter((f) => !f.startsWith('.'));
    const stored = (await readdir(this.objectsDir)).filter((f) => !f.startsWith('.'));
    const known = await hasRow([...incoming, ...stored].filter((v) => VERSION.test(v)));
    let completed = 0;
    let removed = 0;
    for (const name of incoming) {
      if (known.has(name)) {
        await rename(path.join(this.incomingDir, name), this.objectPath(name));
        completed += 1;
      } else {
        await rm(path.join(this.incomingDir, name), { force: true, recursive: true });
        removed += 1;
      }
    }
    for (const name of stored) {
      if (!known.has(name)) {
        await rm(path.join(this.objectsDir, name), { force: true, recursive: true });
        removed += 1;
      }
    }
    if (completed > 0) await this.syncDir(this.objectsDir);
    return { completed, removed };
  }

  private async syncDir(dir: string): Promise<void> {
    // A directory fsync makes the rename durable on Linux; other systems may refuse it, which is harmless here.
    const handle = await open(dir, 'r').catch(() => null);
    if (handle === null) return;
    try {
      await handle.sync();
    } catch {
      // not supported for directories on this platform
    } finally {
      await handle.close();
    }
  }
}
