/**
 * The real @supabase/supabase-js against /storage/v1 on the receipts bucket:
 * the README's rules (every member reads; whoever may change the expense
 * uploads, replaces and deletes; nobody else sees anything; odd paths
 * refused), decided by the RLS policies on storage.objects, plus the rest of
 * what storage-js calls and Storage's errors.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { SupabaseClient } from '@supabase/supabase-js';
import {
  anonKey,
  createExpense,
  serviceRole,
  spaceWithEveryRole,
  tokenFor,
  useTestDatabase,
  type SpaceWithEveryRole,
} from '@wallai/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageApi } from './handler.ts';
import { API_URL, storageApiFor, storageClientFor } from './test-support.ts';

const db = useTestDatabase();
let api: StorageApi;
let dataDir: string;
let cleanup: () => Promise<void>;
let people: SpaceWithEveryRole;
let byMember: { id: string };
let byOwner: { id: string };
const as: Record<'owner' | 'admin' | 'member' | 'viewer' | 'outsider' | 'anon' | 'service', SupabaseClient> = {} as never;

const png = (text: string): Buffer => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.from(text)]);
const receipt = (expense: { id: string }, file = 'ticket.png'): string => `${people.space.id}/${expense.id}/${file}`;
const storedFiles = async (): Promise<string[]> => [
  ...(await readdir(path.join(dataDir, 'objects'))),
  ...(await readdir(path.join(dataDir, 'incoming'))),
];

beforeAll(async () => {
  people = await spaceWithEveryRole(db());
  byMember = await createExpense(db(), people.space, { amount: '12.50', description: 'Groceries' }, people.member);
  byOwner = await createExpense(db(), people.space, { amount: '40.00', description: 'Rent share' }, people.owner);
  ({ api, dataDir, cleanup } = await storageApiFor(db()));
  const anon = await anonKey();
  for (const role of ['owner', 'admin', 'member', 'viewer', 'outsider'] as const) {
    as[role] = storageClientFor(api, anon, await tokenFor(people[role].actor));
  }
  as.anon = storageClientFor(api, anon);
  as.service = storageClientFor(api, anon, await tokenFor(serviceRole));
});
afterAll(async () => {
  await cleanup();
});

describe('the receipts rules', () => {
  it('a member uploads a receipt for their own expense and every member, viewer included, reads it back', async () => {
    const up = await as.member.storage.from('receipts').upload(receipt(byMember), png('milk and eggs'), { contentType: 'image/png' });
    expect(up.error).toBeNull();
    expect(up.data).toMatchObject({ path: receipt(byMember), fullPath: `receipts/${receipt(byMember)}` });
    for (const role of ['owner', 'admin', 'member', 'viewer'] as const) {
      const { data, error } = await as[role].storage.from('receipts').download(receipt(byMember));
      expect(error, role).toBeNull();
      expect(Buffer.from(await data!.arrayBuffer()).toString('latin1'), role).toBe(png('milk and eggs').toString('latin1'));
      expect(data!.type).toBe('image/png');
    }
  });

  it('nobody outside the space sees anything: not the bytes, not the listing, not a signed URL', async () => {
    for (const role of ['outsider', 'anon'] as const) {
      const down = await as[role].storage.from('receipts').download(receipt(byMember));
      expect(down.data, role).toBeNull();
      expect(down.error, role).toMatchObject({ message: 'Object not found', status: 400, statusCode: '404' });
      const listed = await as[role].storage.from('receipts').list(`${people.space.id}/${byMember.id}`);
      expect(listed, role).toMatchObject({ data: [], error: null });
      const signed = await as[role].storage.from('receipts').createSignedUrl(receipt(byMember), 60);
      expect(signed.error?.message, role).toBe('Object not found');
      const info = await as[role].storage.from('receipts').exists(receipt(byMember));
      expect(info.data, role).toBe(false);
    }
  });

  it('a viewer, an outsider and a signed-out client cannot upload; a member cannot upload for an expense of someone else', async () => {
    for (const [role, expense] of [
      ['viewer', byMember],
      ['outsider', byMember],
      ['anon', byMember],
      ['member', byOwner],
    ] as const) {
      const { data, error } = await as[role].storage
        .from('receipts')
        .upload(receipt(expense, `${role}.png`), png(role), { contentType: 'image/png' });
      expect(data, role).toBeNull();
      expect(error, role).toMatchObject({ message: 'new row violates row-level security policy', status: 400, statusCode: '403' });
    }
    expect(await storedFiles()).toHaveLength(1);
  });

  it('the owner and an admin may add receipts to any expense of the space', async () => {
    for (const role of ['owner', 'admin'] as const) {
      const { error } = await as[role].storage.from('receipts').upload(receipt(byMember, `${role}.pdf`), Buffer.from('%PDF-1.4'), {
        contentType: 'application/pdf',
      });
      expect(error, role).toBeNull();
    }
    const { data } = await as.viewer.storage.from('receipts').list(`${people.space.id}/${byMember.id}`);
    expect(data?.map((f) => f.name)).toEqual(['admin.pdf', 'owner.pdf', 'ticket.png']);
  });

  it('odd paths are refused: not <space>/<expense>/<file>, another space, traversal, encoded separators', async () => {
    const odd = [
      `${people.space.id}/ticket.png`,
      `${people.space.id}/${byMember.id}/nested/ticket.png`,
      `${people.space.id}/not-a-uuid/ticket.png`,
      `${people.space.id}/${byMember.id}/..`,
      `${people.space.id}/${byMember.id}/a%2Fb.png`,
      `00000000-0000-4000-8000-000000000000/${byMember.id}/ticket.png`,
      // A URL reads a backslash as a separator: this reaches Storage as a nested path.
      `${people.space.id}/${byMember.id}/a\\b.png`,
    ];
    for (const name of odd) {
      const { error } = await as.owner.storage.from('receipts').upload(name, png('x'), { contentType: 'image/png' });
      expect(error, name).not.toBeNull();
      expect(['new row violates row-level security policy', `Invalid key: ${name}`], name).toContain(error!.message);
    }
    const { error } = await as.owner.storage
      .from('receipts')
      .upload(`${people.space.id}/${byMember.id}/a|b.png`, png('x'), { contentType: 'image/png' });
    expect(error?.message).toMatch(/^Invalid key: /);
  });

  it('whoever may change the expense replaces (upsert) and deletes; a viewer removes nothing', async () => {
    const again = await as.member.storage.from('receipts').upload(receipt(byMember), png('second'), { contentType: 'image/png' });
    expect(again.error).toMatchObject({ message: 'The resource already exists', statusCode: '409' });
    const files = (await storedFiles()).length;
    const replaced = await as.member.storage
      .from('receipts')
      .upload(receipt(byMember), png('second'), { contentType: 'image/png', upsert: true });
    expect(replaced.error).toBeNull();
    expect(await storedFiles()).toHaveLength(files);
    const { data } = await as.viewer.storage.from('receipts').download(receipt(byMember));
    expect(
      Buffer.from(await data!.arrayBuffer())
        .subarray(4)
        .toString(),
    ).toBe('second');

    const viewerRemoves = await as.viewer.storage.from('receipts').remove([receipt(byMember)]);
    expect(viewerRemoves).toMatchObject({ data: [], error: null });
    const viewerReplaces = await as.viewer.storage.from('receipts').update(receipt(byMember), png('viewer'), { contentType: 'image/png' });
    expect(viewerReplaces.error?.message).toMatch(/row-level security/);

    const removed = await as.admin.storage.from('receipts').remove([receipt(byMember, 'admin.pdf')]);
    expect(removed.error).toBeNull();
    expect(removed.data?.map((o) => o.name)).toEqual([receipt(byMember, 'admin.pdf')]);
    expect(await storedFiles()).toHaveLength(files - 1);
  });
});

describe('bucket limits', () => {
  it('a type the bucket does not take is refused with 415, a file over its 10 MiB limit with 413, and nothing is stored', async () => {
    const before = await storedFiles();
    const text = await as.owner.storage
      .from('receipts')
      .upload(receipt(byOwner, 'note.txt'), Buffer.from('hi'), { contentType: 'text/plain' });
    expect(text.error).toMatchObject({ message: 'mime type text/plain is not supported', statusCode: '415' });
    const big = await as.owner.storage.from('receipts').upload(receipt(byOwner, 'big.png'), Buffer.alloc(10 * 1024 * 1024 + 1), {
      contentType: 'image/png',
    });
    expect(big.error).toMatchObject({ message: 'The object exceeded the maximum allowed size', statusCode: '413' });
    const blob = await as.owner.storage
      .from('receipts')
      .upload(receipt(byOwner, 'big.png'), new Blob([Buffer.alloc(10 * 1024 * 1024 + 1)], { type: 'image/png' }));
    expect(blob.error?.message).toBe('The object exceeded the maximum allowed size');
    expect(await storedFiles()).toEqual(before);
  });

  it('a Blob upload (multipart, as browsers send files) keeps its type and cache control', async () => {
    const { error } = await as.owner.storage
      .from('receipts')
      .upload(receipt(byOwner, 'scan.webp'), new Blob([png('webp')], { type: 'image/webp' }), {
        cacheControl: '60',
      });
    expect(error).toBeNull();
    const info = await as.viewer.storage.from('receipts').info(receipt(byOwner, 'scan.webp'));
    expect(info.data).toMatchObject({
      contentType: 'image/webp',
      cacheControl: 'max-age=60',
      size: 8,
      name: receipt(byOwner, 'scan.webp'),
    });
  });
});

describe('list, move, copy', () => {
  it('lists folders then files with prefix, search, sort, limit and offset', async () => {
    const bucket = as.owner.storage.from('receipts');
    for (const name of ['b.png', 'a.png', 'c.png']) {
      expect((await bucket.upload(receipt(byOwner, name), png(name), { contentType: 'image/png' })).error).toBeNull();
    }
    const top = await as.viewer.storage.from('receipts').list(people.space.id);
    expect(top.data?.map((e) => [e.name, e.id])).toEqual(
      [
        [byMember.id, null],
        [byOwner.id, null],
      ].sort(),
    );
    const desc = await as.viewer.storage.from('receipts').list(`${people.space.id}/${byOwner.id}`, {
      sortBy: { column: 'name', order: 'desc' },
      limit: 2,
      offset: 1,
    });
    expect(desc.data?.map((e) => e.name)).toEqual(['c.png', 'b.png']);
    const search = await as.viewer.storage.from('receipts').list(`${people.space.id}/${byOwner.id}`, { search: 'c' });
    expect(search.data?.map((e) => e.name)).toEqual(['c.png']);
    expect(search.data?.[0]).toMatchObject({ metadata: { mimetype: 'image/png', size: 9 } });
  });

  it('move and copy are decided by RLS at both ends', async () => {
    const owner = as.owner.storage.from('receipts');
    expect((await owner.move(receipt(byOwner, 'a.png'), receipt(byOwner, 'moved.png'))).error).toBeNull();
    expect((await owner.copy(receipt(byOwner, 'moved.png'), receipt(byMember, 'copied.png'))).data).toEqual({
      path: `receipts/${receipt(byMember, 'copied.png')}`,
    });
    const copied = await as.viewer.storage.from('receipts').download(receipt(byMember, 'copied.png'));
    expect(
      Buffer.from(await copied.data!.arrayBuffer())
        .subarray(4)
        .toString(),
    ).toBe('a.png');
    // The member may not touch the owner's expense, neither as source of a move nor as destination of a copy.
    const move = await as.member.storage.from('receipts').move(receipt(byOwner, 'moved.png'), receipt(byMember, 'stolen.png'));
    expect(move.error?.message).toBe('Object not found');
    const copy = await as.member.storage.from('receipts').copy(receipt(byMember, 'copied.png'), receipt(byOwner, 'x.png'));
    expect(copy.error?.message).toBe('new row violates row-level security policy');
    const outside = await as.outsider.storage.from('receipts').copy(receipt(byMember, 'copied.png'), receipt(byMember, 'y.png'));
    expect(outside.error?.message).toBe('Object not found');
  });
});

describe('signed URLs and public buckets', () => {
  it('a signed URL serves the file without a token until it expires; a tampered one is refused', async () => {
    const { data, error } = await as.viewer.storage.from('receipts').createSignedUrl(receipt(byOwner, 'scan.webp'), 60, { download: true });
    expect(error).toBeNull();
    expect(data!.signedUrl.startsWith(`${API_URL}/storage/v1/object/sign/receipts/${receipt(byOwner, 'scan.webp')}?token=`)).toBe(true);
    const url = new URL(data!.signedUrl);
    const res = await api.handle(new Request(url), url.pathname.slice('/storage/v1'.length) + url.search);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename=scan.webp;');
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(4)
        .toString(),
    ).toBe('webp');
    const other = new URL(url.href.replace('scan.webp', 'b.png'));
    const refused = await api.handle(new Request(other), other.pathname.slice('/storage/v1'.length) + other.search);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ statusCode: '400', error: 'InvalidSignature', message: 'Invalid signature' });

    const many = await as.viewer.storage.from('receipts').createSignedUrls([receipt(byOwner, 'b.png'), receipt(byOwner, 'nope.png')], 60);
    expect(many.data?.map((d) => [d.error, d.signedUrl !== null])).toEqual([
      [null, true],
      ['Either the object does not exist or you do not have access to it', false],
    ]);
  });

  it('a signed upload URL is granted only to who may upload, and lets anyone holding it upload once', async () => {
    const name = receipt(byMember, 'signed.png');
    const denied = await as.viewer.storage.from('receipts').createSignedUploadUrl(name);
    expect(denied.error?.message).toBe('new row violates row-level security policy');
    const granted = await as.member.storage.from('receipts').createSignedUploadUrl(name);
    expect(granted.error).toBeNull();
    const up = await as.anon.storage
      .from('receipts')
      .uploadToSignedUrl(name, granted.data!.token, png('signed'), { contentType: 'image/png' });
    expect(up.error).toBeNull();
    const again = await as.anon.storage
      .from('receipts')
      .uploadToSignedUrl(name, granted.data!.token, png('again'), { contentType: 'image/png' });
    expect(again.error?.message).toBe('The resource already exists');
    const [row] = await db().query<{ owner_id: string }>(
      `select owner_id from storage.objects where bucket_id = 'receipts' and name = $1`,
      [name],
    );
    expect(row?.owner_id).toBe(people.member.id);
  });

  it('getPublicUrl serves a public bucket to anyone; the private receipts bucket has no public route', async () => {
    const created = await as.service.storage.createBucket('avatars-test', { public: true, allowedMimeTypes: ['image/*'] });
    expect(created.error).toBeNull();
    const byUser = await as.member.storage.createBucket('mine', { public: true });
    expect(byUser.error?.message).toMatch(/row-level security|permission denied/);
    expect(
      (await as.service.storage.from('avatars-test').upload('a/face.png', png('face'), { contentType: 'image/png' })).error,
    ).toBeNull();
    const publicUrl = as.anon.storage.from('avatars-test').getPublicUrl('a/face.png').data.publicUrl;
    const url = new URL(publicUrl);
    const res = await api.handle(new Request(url), url.pathname.slice('/storage/v1'.length));
    expect(res.status).toBe(200);
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(4)
        .toString(),
    ).toBe('face');
    const priv = new URL(as.anon.storage.from('receipts').getPublicUrl(receipt(byOwner, 'b.png')).data.publicUrl);
    const refused = await api.handle(new Request(priv), priv.pathname.slice('/storage/v1'.length));
    expect(await refused.json()).toMatchObject({ statusCode: '404', message: 'Bucket not found' });
    const buckets = await as.service.storage.listBuckets();
    expect(buckets.data?.map((b) => b.id)).toEqual(expect.arrayContaining(['receipts', 'avatars-test']));
    expect((await as.member.storage.listBuckets()).data).toEqual([]);
  });

  it("a bad token is Storage's AccessDenied, and a Range request gets only those bytes", async () => {
    const bad = await api.handle(
      new Request(`${API_URL}/storage/v1/object/receipts/${receipt(byOwner, 'b.png')}`, { headers: { Authorization: 'Bearer nope' } }),
      `/object/receipts/${receipt(byOwner, 'b.png')}`,
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ statusCode: '403', error: 'Unauthorized' });
    const token = await tokenFor(people.viewer.actor);
    const ranged = await api.handle(
      new Request(`${API_URL}/storage/v1/object/authenticated/receipts/${receipt(byOwner, 'b.png')}`, {
        headers: { Authorization: `Bearer ${token}`, Range: 'bytes=4-' },
      }),
      `/object/authenticated/receipts/${receipt(byOwner, 'b.png')}`,
    );
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe('bytes 4-8/9');
    expect(await ranged.text()).toBe('b.png');
  });
});
