/**
 * (h) Storage and Realtime of the local API (issue 14):
 *
 *   Realtime: 50 members of one space each subscribed with supabase-js (a
 *   real websocket to /realtime/v1 on an ephemeral port, filter
 *   space_id=eq.<space>); one member inserts expenses one after another; for
 *   every insert and every subscriber, the time from the insert's commit
 *   (its transaction resolved) to the change's arrival in the subscriber's
 *   callback. Target: p95 < 100 ms on PostgreSQL 15.
 *
 *   Storage: a 5 MB file uploaded through supabase-js (storage.from(bucket)
 *   .upload, in process, bytes fsynced as the API always does) and downloaded
 *   back, against writing the same bytes to a file on the same disk with
 *   fsync and reading them back with readFile. Target: each ≤ 2× the direct
 *   time (medians of the rounds).
 *
 * Both run as a member through RLS, in their own space of the benchmark
 * database.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { repoRoot, type SqlClient } from '@wallai/db-client';
import { becomeActor, claimsFor, user } from '@wallai/testing/acting-as';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { serveRealtime } from '../dev/api/realtime/standalone.ts';
import { createStorageApi } from '../dev/api/storage/handler.ts';
import { storageFetch } from '../dev/api/storage/fetch.ts';
import { distribution, round, type Distribution } from './stats.ts';

export interface StorageRealtimeOptions {
  readonly members: number;
  readonly inserts: number;
  readonly fileMegabytes: number;
  readonly rounds: number;
  readonly jwtSecret: string;
}

export const DEFAULT_STORAGE_REALTIME_OPTIONS: Omit<StorageRealtimeOptions, 'jwtSecret'> = {
  members: 50,
  inserts: 40,
  fileMegabytes: 5,
  rounds: 10,
};

export interface StorageRealtimeResult {
  realtime: { members: number; inserts: number; deliveries: number; missing: number; latency: Distribution };
  storage: {
    bytes: number;
    rounds: number;
    upload: Distribution;
    writeDirect: Distribution;
    download: Distribution;
    readDirect: Distribution;
    uploadRatio: number;
    downloadRatio: number;
  };
}

const sign = (secret: string, claims: Record<string, unknown>): Promise<string> =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));

/** A space with `members` people (the first its owner), written as the generator writes identities. */
async function benchSpace(db: SqlClient, members: number): Promise<{ spaceId: string; ids: string[] }> {
  const ids = Array.from({ length: members }, () => randomUUID());
  const spaceId = randomUUID();
  await db.transaction(async (tx) => {
    await tx.query(
      `insert into auth.users (id, aud, role, email, raw_user_meta_data, raw_app_meta_data, created_at, updated_at, email_confirmed_at)
       select u.id, 'authenticated', 'authenticated', 'rt-' || u.id || '@bench.test', '{}'::jsonb,
              '{"provider":"email","providers":["email"]}'::jsonb, now(), now(), now()
         from unnest($1::uuid[]) as u(id)`,
      [ids],
    );
    await tx.query(`insert into public.spaces (id, name, currency, created_by) values ($1, 'Realtime bench', 'USD', $2)`, [
      spaceId,
      ids[0],
    ]);
    await tx.query(`insert into public.space_members (space_id, user_id, role) select $1, u, 'member' from unnest($2::uuid[]) u`, [
      spaceId,
      ids.slice(1),
    ]);
  });
  return { spaceId, ids };
}

async function measureRealtime(
  db: SqlClient,
  options: StorageRealtimeOptions,
  log: (line: string) => void,
): Promise<StorageRealtimeResult['realtime']> {
  const { spaceId, ids } = await benchSpace(db, options.members);
  const rt = await serveRealtime(db, options.jwtSecret);
  const anon = await sign(options.jwtSecret, { role: 'anon' });
  const clients: SupabaseClient[] = [];
  const arrivals = new Map<string, number[]>();
  try {
    await Promise.all(
      ids.map(async (id) => {
        const token = await sign(options.jwtSecret, claimsFor(user(id)));
        const client = createClient(rt.url, anon, { accessToken: async () => token, realtime: { transport: WebSocket as never } });
        clients.push(client);
        await client.realtime.setAuth();
        await new Promise<void>((resolve, reject) => {
          client
            .channel(`bench-${id}`)
            .on(
              'postgres_changes',
              { event: 'INSERT', schema: 'public', table: 'expenses', filter: `space_id=eq.${spaceId}` },
              (change) => {
                const expenseId = (change.new as { id: string }).id;
                const list = arrivals.get(expenseId) ?? [];
                list.push(performance.now());
                arrivals.set(expenseId, list);
              },
            )
            .subscribe((status, error) => {
              if (status === 'SUBSCRIBED') resolve();
              else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(error ?? new Error(status));
            });
        });
      }),
    );
    log(`  ${ids.length} subscribers joined; ${options.inserts} inserts…`);
    const samples: number[] = [];
    let missing = 0;
    for (let i = 0; i < options.inserts; i += 1) {
      const expenseId = randomUUID();
      await db.transaction(async (tx) => {
        await becomeActor(tx, user(ids[i % ids.length]!));
        await tx.query(
          `insert into public.expenses (id, space_id, amount, description, date) values ($1, $2, 12.34, 'bench', current_date)`,
          [expenseId, spaceId],
        );
      });
      const committed = performance.now();
      // Wait for every subscriber (bounded: a lost delivery counts as missing, it does not hang the bench).
      const deadline = committed + 5000;
      while ((arrivals.get(expenseId)?.length ?? 0) < ids.length && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      const got = arrivals.get(expenseId) ?? [];
      missing += ids.length - got.length;
      for (const t of got) samples.push(t - committed);
    }
    return { members: ids.length, inserts: options.inserts, deliveries: samples.length, missing, latency: distribution(samples) };
  } finally {
    for (const c of clients) await c.removeAllChannels();
    await rt.close();
  }
}

async function measureStorage(db: SqlClient, options: StorageRealtimeOptions): Promise<StorageRealtimeResult['storage']> {
  await mkdir(path.join(repoRoot, '.wallai'), { recursive: true });
  const dir = await mkdtemp(path.join(repoRoot, '.wallai', 'bench-storage-'));
  // A receipt of the member's own expense: the receipts bucket and its policies, as in the product.
  const { spaceId, ids } = await benchSpace(db, 1);
  const owner = ids[0]!;
  const expenseId = randomUUID();
  await db.transaction(async (tx) => {
    await becomeActor(tx, user(owner));
    await tx.query(
      `insert into public.expenses (id, space_id, amount, description, date) values ($1, $2, 99.00, 'receipt bench', current_date)`,
      [expenseId, spaceId],
    );
  });
  const bucket = 'receipts';
  const api = await createStorageApi({ sql: db, jwtSecret: options.jwtSecret, dataDir: path.join(dir, 'api') });
  const anon = await sign(options.jwtSecret, { role: 'anon' });
  const token = await sign(options.jwtSecret, claimsFor(user(owner)));
  const client = createClient('http://127.0.0.1:54321', anon, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { fetch: storageFetch(api), headers: { Authorization: `Bearer ${token}` } },
    realtime: { transport: WebSocket as never },
  });
  const bytes = Buffer.alloc(options.fileMegabytes * 1024 * 1024);
  for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
  const upload: number[] = [];
  const writeDirect: number[] = [];
  const download: number[] = [];
  const readDirect: number[] = [];
  try {
    for (let r = 0; r <= options.rounds; r += 1) {
      const name = `${spaceId}/${expenseId}/receipt-${r}.pdf`;
      const t0 = performance.now();
      const up = await client.storage.from(bucket).upload(name, bytes, { contentType: 'application/pdf' });
      const t1 = performance.now();
      if (up.error) throw new Error(`bench upload failed: ${up.error.message}`);
      const down = await client.storage.from(bucket).download(name);
      const got = Buffer.from(await down.data!.arrayBuffer());
      const t2 = performance.now();
      if (got.length !== bytes.length) throw new Error('bench download returned other bytes');
      const file = path.join(dir, `direct-${r}.bin`);
      const t3 = performance.now();
      const handle = await open(file, 'w');
      await handle.writeFile(bytes);
      await handle.sync();
      await handle.close();
      const t4 = performance.now();
      const back = await readFile(file);
      const t5 = performance.now();
      if (back.length !== bytes.length) throw new Error('direct read returned other bytes');
      if (r === 0) continue; // warm-up
      upload.push(t1 - t0);
      download.push(t2 - t1);
      writeDirect.push(t4 - t3);
      readDirect.push(t5 - t4);
    }
  } finally {
    await api.close();
    await db.query(`delete from storage.objects where bucket_id = 'receipts' and name like $1`, [`${spaceId}/%`]);
    await rm(dir, { recursive: true, force: true });
  }
  const u = distribution(upload);
  const w = distribution(writeDirect);
  const d = distribution(download);
  const rd = distribution(readDirect);
  return {
    bytes: bytes.length,
    rounds: options.rounds,
    upload: u,
    writeDirect: w,
    download: d,
    readDirect: rd,
    uploadRatio: round(u.p50 / Math.max(w.p50, 0.001), 2),
    downloadRatio: round(d.p50 / Math.max(rd.p50, 0.001), 2),
  };
}

export async function measureStorageRealtime(
  db: SqlClient,
  options: StorageRealtimeOptions,
  log: (line: string) => void,
): Promise<StorageRealtimeResult> {
  const realtime = await measureRealtime(db, options, log);
  log(
    `  realtime p95 ${realtime.latency.p95} ms over ${realtime.deliveries} deliveries; storage ${options.fileMegabytes} MB × ${options.rounds}…`,
  );
  const storage = await measureStorage(db, options);
  return { realtime, storage };
}

export function storageRealtimeTargets(
  r: StorageRealtimeResult,
): Array<{ name: string; value: number | string; target: string; pass: boolean; hard: boolean }> {
  return [
    {
      name: `/realtime/v1 commit → delivery p95, ${r.realtime.members} subscribers (ms; target for PG15)`,
      value: r.realtime.latency.p95,
      target: '< 100 ms',
      pass: r.realtime.latency.p95 < 100,
      hard: false,
    },
    { name: '/realtime/v1 deliveries missing', value: r.realtime.missing, target: '0', pass: r.realtime.missing === 0, hard: true },
    {
      name: `/storage/v1 ${round(r.storage.bytes / 1048576, 1)} MB upload / direct write+fsync (p50 ratio)`,
      value: r.storage.uploadRatio,
      target: '≤ 2×',
      pass: r.storage.uploadRatio <= 2,
      hard: false,
    },
    {
      name: `/storage/v1 ${round(r.storage.bytes / 1048576, 1)} MB download / direct read (p50 ratio)`,
      value: r.storage.downloadRatio,
      target: '≤ 2×',
      pass: r.storage.downloadRatio <= 2,
      hard: false,
    },
  ];
}

export function formatStorageRealtime(r: StorageRealtimeResult): string {
  const ms = (n: number): string => n.toFixed(2);
  const row = (label: string, d: Distribution): string =>
    `  ${label.padEnd(34)} p50 ${ms(d.p50).padStart(8)}  p95 ${ms(d.p95).padStart(8)}  max ${ms(d.max).padStart(8)}  (${d.samples})`;
  return [
    `(h) /realtime/v1: ${r.realtime.inserts} inserts × ${r.realtime.members} subscribers, ${r.realtime.deliveries} deliveries, ${r.realtime.missing} missing (ms)`,
    row('commit → delivery', r.realtime.latency),
    `(h) /storage/v1: ${round(r.storage.bytes / 1048576, 1)} MB, ${r.storage.rounds} rounds (ms)`,
    row('upload through supabase-js', r.storage.upload),
    row('write + fsync directly', r.storage.writeDirect),
    row('download through supabase-js', r.storage.download),
    row('readFile directly', r.storage.readDirect),
    `  ratios (p50): upload ${r.storage.uploadRatio}×, download ${r.storage.downloadRatio}×`,
  ].join('\n');
}
