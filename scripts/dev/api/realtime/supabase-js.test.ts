/**
 * The real @supabase/supabase-js `channel(...)` against /realtime/v1 on a
 * real websocket: postgres_changes delivered only to whom RLS shows the row
 * (every role of the space, never an outsider or a signed-out client, not a
 * member after they left), filters, DELETE as Realtime sends it, the token
 * refresh, broadcast and presence, both serializers.
 *
 * "Receives nothing" is asserted without timing: changes arrive in commit
 * order, so once a watcher has received a later change it can see (a marker
 * in a space of its own), everything before it that it was not sent was
 * withheld.
 */
import type { RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js';
import {
  addMember,
  anonKey,
  createExpense,
  createSpace,
  queryAs,
  spaceWithEveryRole,
  tokenFor,
  useTestDatabase,
  type SpaceWithEveryRole,
  type TestSpace,
  type TestUser,
} from '@wallai/testing';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Inbox, realtimeClientFor, realtimeServerFor, subscribed, type RealtimeHarness } from './test-support.ts';

type Change = RealtimePostgresChangesPayload<Record<string, unknown>>;

const db = useTestDatabase();
let rt: RealtimeHarness;
let people: SpaceWithEveryRole;
let anon: string;
const clients: SupabaseClient[] = [];
/** Each watcher's own space, where markers are written. */
const own = new Map<string, TestSpace>();

async function clientFor(who: TestUser | null, vsn?: '1.0.0' | '2.0.0'): Promise<SupabaseClient> {
  const client = await realtimeClientFor(rt.url, anon, who === null ? null : await tokenFor(who.actor), vsn ? { vsn } : {});
  clients.push(client);
  return client;
}

/** A watcher of the fixture space's expenses (filtered by space) and of its own space's (the markers). */
async function watch(who: TestUser, name: string): Promise<Inbox<Change>> {
  const inbox = new Inbox<Change>();
  const client = await clientFor(who);
  let mine = own.get(who.id);
  if (!mine) own.set(who.id, (mine = await createSpace(db(), { owner: who, name: `${name}'s own` })));
  await subscribed(
    client
      .channel(`expenses-${name}`)
      .on('postgres_changes', { event: '*', schema: 'public', table: 'expenses', filter: `space_id=eq.${people.space.id}` }, inbox.push)
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'expenses', filter: `space_id=eq.${mine.id}` }, inbox.push),
  );
  return inbox;
}

async function marker(who: TestUser): Promise<string> {
  const e = await createExpense(db(), own.get(who.id)!, { amount: '1.00', description: `marker ${Math.random()}` }, who);
  return e.id;
}
const isRow = (id: string) => (c: Change) => (c.new as { id?: string }).id === id || (c.old as { id?: string }).id === id;

beforeAll(async () => {
  people = await spaceWithEveryRole(db());
  rt = await realtimeServerFor(db());
  anon = await anonKey();
});
afterAll(async () => {
  for (const c of clients) await c.removeAllChannels();
  await rt.close();
});

describe('postgres_changes and RLS', () => {
  it('every member of the space receives an expense as it is committed; an outsider receives nothing', async () => {
    const roles = ['owner', 'admin', 'member', 'viewer', 'outsider'] as const;
    const inboxes = Object.fromEntries(await Promise.all(roles.map(async (r) => [r, await watch(people[r], r)] as const)));
    const e = await createExpense(db(), people.space, { amount: '23.40', description: 'Bakery' }, people.member);
    for (const r of ['owner', 'admin', 'member', 'viewer'] as const) {
      const got = await inboxes[r]!.find(isRow(e.id));
      expect(got, r).toMatchObject({ schema: 'public', table: 'expenses', eventType: 'INSERT', errors: null });
      expect(got.new, r).toMatchObject({ id: e.id, space_id: people.space.id, description: 'Bakery', amount: 23.4 });
      expect(typeof got.commit_timestamp).toBe('string');
    }
    const m = await marker(people.outsider);
    await inboxes.outsider!.find(isRow(m));
    expect(inboxes.outsider!.items.some(isRow(e.id))).toBe(false);
  });

  it('a signed-out client subscribed to the space receives nothing', async () => {
    const inbox = new Inbox<Change>();
    const client = await clientFor(null);
    await subscribed(client.channel('anon-watch').on('postgres_changes', { event: '*', schema: 'public', table: 'expenses' }, inbox.push));
    const outsiderWatch = await watch(people.outsider, 'outsider-2');
    const e = await createExpense(db(), people.space, { amount: '3.00' }, people.owner);
    const m = await marker(people.outsider);
    await outsiderWatch.find(isRow(m));
    // The anon client's only possible deliveries came before the marker; the marker itself is not visible to anon either.
    expect(inbox.items.filter((c) => c.eventType !== 'DELETE').some(isRow(e.id))).toBe(false);
  });

  it('a member who leaves mid-subscription stops receiving the space', async () => {
    const leaver = await addMember(db(), people.space, 'member');
    const inbox = await watch(leaver, 'leaver');
    const before = await createExpense(db(), people.space, { amount: '5.00', description: 'before leaving' }, people.owner);
    await inbox.find(isRow(before.id));
    await queryAs(db(), leaver.actor, `select public.leave_space($1)`, [people.space.id]);
    const after = await createExpense(db(), people.space, { amount: '6.00', description: 'after leaving' }, people.owner);
    const m = await marker(leaver);
    await inbox.find(isRow(m));
    expect(inbox.items.some(isRow(after.id))).toBe(false);
  });

  it('UPDATE carries the new row and the old primary key; DELETE only the old primary key, to every subscriber, as Realtime sends it', async () => {
    const member = await watch(people.member, 'member-ud');
    const outsider = await watch(people.outsider, 'outsider-ud');
    const e = await createExpense(db(), people.space, { amount: '8.00', description: 'to edit' }, people.member);
    await queryAs(db(), people.member.actor, `update public.expenses set description = 'edited' where id = $1`, [e.id]);
    const updated = await member.find((c) => c.eventType === 'UPDATE' && isRow(e.id)(c));
    expect(updated.new).toMatchObject({ id: e.id, description: 'edited' });
    expect(updated.old).toEqual({ id: e.id });
    await queryAs(db(), people.member.actor, `delete from public.expenses where id = $1`, [e.id]);
    const deleted = await member.find((c) => c.eventType === 'DELETE' && isRow(e.id)(c));
    expect(deleted.old).toEqual({ id: e.id });
    expect(deleted.new).toEqual({});
    // RLS cannot judge a deleted row: Realtime sends the bare key to every subscriber of the table.
    const outsiderDelete = await outsider.find((c) => c.eventType === 'DELETE' && isRow(e.id)(c));
    expect(outsiderDelete.old).toEqual({ id: e.id });
    expect(outsider.items.some((c) => c.eventType !== 'DELETE' && isRow(e.id)(c))).toBe(false);
  });

  it('filters eq, neq, lt, lte, gt, gte and in select the rows, events pick INSERT/UPDATE', async () => {
    const client = await clientFor(people.owner);
    const got: Record<string, Inbox<Change>> = {};
    let channel = client.channel('filters');
    const filters = {
      eq: 'description=eq.alpha',
      neq: 'description=neq.alpha',
      lt: 'amount=lt.10',
      lte: 'amount=lte.10',
      gt: 'amount=gt.10',
      gte: 'amount=gte.10',
      in: 'description=in.(alpha,"gamma")',
    };
    for (const [name, filter] of Object.entries(filters)) {
      got[name] = new Inbox<Change>();
      channel = channel.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'expenses', filter }, got[name].push);
    }
    got.all = new Inbox<Change>();
    channel = channel.on(
      'postgres_changes',
      { event: 'INSERT', schema: 'public', table: 'expenses', filter: `space_id=eq.${people.space.id}` },
      got.all.push,
    );
    got.updates = new Inbox<Change>();
    channel = channel.on(
      'postgres_changes',
      { event: 'UPDATE', schema: 'public', table: 'expenses', filter: `space_id=eq.${people.space.id}` },
      got.updates.push,
    );
    await subscribed(channel);
    const rows = [
      ['alpha', '5.00'],
      ['beta', '10.00'],
      ['gamma', '15.00'],
    ] as const;
    for (const [description, amount] of rows) await createExpense(db(), people.space, { amount, description }, people.owner);
    await got.all.until(3);
    const names = (inbox: Inbox<Change>) => inbox.items.map((c) => (c.new as { description: string }).description).sort();
    expect(names(got.eq!)).toEqual(['alpha']);
    expect(names(got.neq!)).toEqual(['beta', 'gamma']);
    expect(names(got.lt!)).toEqual(['alpha']);
    expect(names(got.lte!)).toEqual(['alpha', 'beta']);
    expect(names(got.gt!)).toEqual(['gamma']);
    expect(names(got.gte!)).toEqual(['beta', 'gamma']);
    expect(names(got.in!)).toEqual(['alpha', 'gamma']);
    expect(got.updates.items).toEqual([]);
  });

  it('a viewer watching with the vsn 1.0.0 serializer receives the same', async () => {
    const inbox = new Inbox<Change>();
    const client = await clientFor(people.viewer, '1.0.0');
    await subscribed(
      client
        .channel('v1')
        .on(
          'postgres_changes',
          { event: 'INSERT', schema: 'public', table: 'expenses', filter: `space_id=eq.${people.space.id}` },
          inbox.push,
        ),
    );
    const e = await createExpense(db(), people.space, { amount: '2.00', description: 'v1' }, people.admin);
    expect((await inbox.find(isRow(e.id))).new).toMatchObject({ description: 'v1' });
  });
});

describe('tokens', () => {
  it('an expired token closes the channel with a system message (or, expired before the join, refuses it)', async () => {
    const short = await tokenFor(people.member.actor, { expiresIn: 3 });
    const client = await realtimeClientFor(rt.url, anon, short);
    clients.push(client);
    const system = new Inbox<{ status: string; message: string }>();
    const outcome = await new Promise<string>((resolve) => {
      client
        .channel('expiring')
        .on(
          'postgres_changes',
          { event: 'INSERT', schema: 'public', table: 'expenses', filter: `space_id=eq.${people.space.id}` },
          () => {},
        )
        .on('system', {}, system.push)
        .subscribe((status, error) => {
          if (status === 'CLOSED') resolve('closed');
          // On a machine slow enough for the token to expire before the join, the join itself is refused.
          if (status === 'CHANNEL_ERROR') resolve(`refused: ${error?.message ?? ''}`);
        });
    });
    if (outcome === 'closed') {
      expect((await system.find((s) => s.status === 'error')).message).toMatch(/^Token has expired/);
    } else {
      expect(outcome).toMatch(/Token has expired/);
    }
  });

  it("a refreshed access token keeps the channel past the first token's expiry", async () => {
    const first = await tokenFor(people.member.actor, { expiresIn: 8 });
    const expiresAt = Date.now() + 8000;
    const refreshed = await realtimeClientFor(rt.url, anon, first);
    clients.push(refreshed);
    const got = new Inbox<Change>();
    const ch = refreshed
      .channel('refreshed')
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'expenses', filter: `space_id=eq.${people.space.id}` }, got.push);
    await subscribed(ch);
    refreshed.setToken(await tokenFor(people.member.actor, { expiresIn: 3600 }));
    await refreshed.realtime.setAuth();
    // Past the first token's expiry: the channel lives on the refreshed one.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 1000));
    expect(ch.state).toBe('joined');
    const e = await createExpense(db(), people.space, { amount: '4.00', description: 'after refresh' }, people.owner);
    expect((await got.find(isRow(e.id))).new).toMatchObject({ description: 'after refresh' });
  });
});

describe('broadcast and presence', () => {
  it('broadcast reaches the other subscribers, the sender only with self, and acknowledges with ack', async () => {
    const a = await clientFor(people.owner);
    const b = await clientFor(people.member);
    const atA = new Inbox<{ event: string; payload: unknown }>();
    const atB = new Inbox<{ event: string; payload: unknown }>();
    const chA = await subscribed(
      a.channel('room', { config: { broadcast: { self: true, ack: true } } }).on('broadcast', { event: 'cursor' }, atA.push),
    );
    await subscribed(b.channel('room').on('broadcast', { event: 'cursor' }, atB.push));
    expect(await chA.send({ type: 'broadcast', event: 'cursor', payload: { x: 1 } })).toBe('ok');
    expect((await atB.until(1))[0]).toMatchObject({ event: 'cursor', payload: { x: 1 } });
    expect((await atA.until(1))[0]).toMatchObject({ event: 'cursor', payload: { x: 1 } });
  });

  it('presence: each subscriber sees who tracks and who leaves', async () => {
    const a = await clientFor(people.owner);
    const b = await clientFor(people.viewer);
    const chA = a.channel('lobby', { config: { presence: { key: 'owner' } } });
    const joins = new Inbox<{ key: string }>();
    const leaves = new Inbox<{ key: string }>();
    chA.on('presence', { event: 'join' }, joins.push).on('presence', { event: 'leave' }, leaves.push);
    await subscribed(chA);
    await chA.track({ name: 'Owner' });
    const chB = b.channel('lobby', { config: { presence: { key: 'viewer' } } });
    const synced = new Inbox<Record<string, unknown>>();
    chB.on('presence', { event: 'sync' }, () => synced.push(chB.presenceState()));
    await subscribed(chB);
    await chB.track({ name: 'Viewer' });
    await joins.find((j) => j.key === 'viewer');
    const state = await synced.find((s) => 'owner' in s && 'viewer' in s);
    expect(state.owner).toEqual([expect.objectContaining({ name: 'Owner' })]);
    await b.removeChannel(chB);
    await leaves.find((l) => l.key === 'viewer');
    expect(Object.keys(chA.presenceState())).toEqual(['owner']);
  });

  it('heartbeats are answered and a bad apikey is refused at the upgrade', async () => {
    const ws = new WebSocket(`${rt.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${anon}&vsn=1.0.0`);
    await new Promise((resolve) => ws.once('open', resolve));
    const answer = new Promise<unknown>((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
    ws.send(JSON.stringify({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '7' }));
    expect(await answer).toEqual({
      join_ref: null,
      ref: '7',
      topic: 'phoenix',
      event: 'phx_reply',
      payload: { status: 'ok', response: {} },
    });
    ws.close();
    const bad = new WebSocket(`${rt.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=nope&vsn=1.0.0`);
    const status = await new Promise<number>((resolve) => bad.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(403);
  });
});
