/**
 * Crash safety of the Storage bytes: what an interrupted upload or delete
 * leaves behind is finished or removed by the start-up sweep, so there is
 * never a row without its bytes nor bytes without their row.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobStore } from './blobs.ts';

const dirs: string[] = [];
async function store(): Promise<BlobStore> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wallai-blobs-'));
  dirs.push(dir);
  const blobs = new BlobStore(dir);
  await blobs.init();
  return blobs;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('the byte store', () => {
  it('an upload that fails past the size limit leaves no file', async () => {
    const blobs = await store();
    async function* chunks() {
      yield bytes('12345');
      yield bytes('67890');
    }
    await expect(blobs.write(chunks(), 8)).rejects.toMatchObject({ code: 'EntityTooLarge' });
    expect(await readdir(blobs.incomingDir)).toEqual([]);
  });

  it('written bytes wait in incoming/ until their row commits, and reports size and an MD5 ETag', async () => {
    const blobs = await store();
    const written = await blobs.write(bytes('receipt'), 100);
    expect(written).toMatchObject({ size: 7, eTag: '"1e11b989ba2f5e161cdad604bf3de90b"' });
    expect(await readdir(blobs.incomingDir)).toEqual([written.version]);
    await blobs.commit(written.version);
    expect(await readdir(blobs.incomingDir)).toEqual([]);
    expect(await blobs.size(written.version)).toBe(7);
  });

  it('the sweep moves bytes whose row committed before a crash into place and deletes every other leftover', async () => {
    const blobs = await store();
    const committedRow = await blobs.write(bytes('row committed, rename lost'), 100);
    const noRow = await blobs.write(bytes('crashed before the row'), 100);
    const orphan = await blobs.write(bytes('row deleted, unlink lost'), 100);
    await blobs.commit(orphan.version);
    const kept = await blobs.write(bytes('a normal object'), 100);
    await blobs.commit(kept.version);
    await writeFile(path.join(blobs.incomingDir, 'not-a-version'), 'junk');
    const rows = new Set([committedRow.version, kept.version]);
    const result = await blobs.sweep(async (versions) => new Set(versions.filter((v) => rows.has(v))));
    expect(result).toEqual({ completed: 1, removed: 3 });
    expect(await readdir(blobs.incomingDir)).toEqual([]);
    expect((await readdir(blobs.objectsDir)).sort()).toEqual([committedRow.version, kept.version].sort());
    expect(existsSync(blobs.objectPath(noRow.version))).toBe(false);
  });
});
