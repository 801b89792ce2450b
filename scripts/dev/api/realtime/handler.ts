/**
 * `/realtime/v1`: Supabase Realtime's Phoenix-channel websocket as
 * @supabase/realtime-js speaks it (supabase.channel(...)), over any SqlClient
 * that can LISTEN (PGlite or PostgreSQL), using the well-kept `ws` server.
 *
 * - Phoenix: `phx_join` / `phx_leave` / `phx_reply` / `phx_close`, heartbeats
 *   on topic `phoenix`, both serializers (vsn 1.0.0 objects, 2.0.0 arrays and
 *   the binary broadcast push), `access_token` refresh, and the token's expiry
 *   closing the channel with a `system` message, as Realtime does.
 * - `postgres_changes`: the join's bindings get ids in the reply; each change
 *   on a table of the supabase_realtime publication (captured by the compat
 *   layer's trigger and NOTIFY, in commit order) goes to the bindings whose
 *   event, schema, table and filter match, and only to subscribers whose RLS
 *   lets them see the row: the row is selected by primary key acting as the
 *   subscriber (`role` + `request.jwt.claims`), as Realtime's apply_rls does.
 *   DELETEs, which RLS cannot judge, follow Realtime: sent to every matching
 *   subscriber with the primary key only.
 * - `broadcast` (self, ack) and `presence` (presence_state, presence_diff),
 *   per topic across connections; POST /api/broadcast for REST sends.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SqlClient } from '@wallai/db-client';
import { jwtVerify, type JWTPayload } from 'jose';
import { tokenKeys, type SigningKey } from '../auth/tokens.ts';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  ProtocolError,
  decodeMessage,
  encodeMessage,
  parseFilter,
  passesFilter,
  type ChangeFilter,
  type PhoenixMessage,
  type Vsn,
} from './protocol.ts';

export interface RealtimeApiOptions {
  readonly sql: SqlClient;
  readonly jwtSecret: string;
  /** [auth] signing keys: tokens signed with them verify too, by kid. */
  readonly signingKeys?: readonly SigningKey[];
  readonly log?: (line: string) => void;
}

export interface RealtimeApi {
  /** For the HTTP server's `upgrade` event on `/realtime/v1/websocket`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** HTTP routes after `/realtime/v1` (POST /api/broadcast). */
  handle(req: Request, path: string): Promise<Response>;
  /** Open channels (for tests and the dev log). */
  channelCount(): number;
  close(): Promise<void>;
}

interface Auth {
  readonly role: string;
  readonly claims: Record<string, unknown>;
  readonly exp: number | null;
}

interface Binding {
  readonly id: number;
  readonly event: '*' | 'INSERT' | 'UPDATE' | 'DELETE';
  /** As the client sent it: realtime-js checks the reply echoes its bindings exactly. */
  readonly eventText: string;
  readonly schema: string;
  readonly table: string | undefined;
  readonly filterText: string | undefined;
  readonly filter: ChangeFilter | null;
}

interface Channel {
  readonly conn: Connection;
  readonly topic: string;
  readonly joinRef: string | null;
  auth: Auth;
  readonly bindings: Binding[];
  readonly broadcastSelf: boolean;
  readonly broadcastAck: boolean;
  readonly presenceEnabled: boolean;
  readonly presenceKey: string;
  presenceMeta: Record<string, unknown> | null;
  expiryTimer: NodeJS.Timeout | null;
}

interface Connection {
  readonly ws: WebSocket;
  readonly vsn: Vsn;
  readonly apikey: Auth;
  readonly channels: Map<string, Channel>;
}

interface TableMeta {
  readonly schema: string;
  readonly table: string;
  readonly columns: ReadonlyArray<{ name: string; type: string; sqlType: string }>;
  readonly types: ReadonlyMap<string, string>;
  readonly pk: readonly string[];
  readonly rls: boolean;
  readonly replicaFull: boolean;
}

interface Change {
  schema: string;
  table: string;
  type: 'INSERT' | 'UPDATE' | 'DELETE';
  commit_timestamp: string;
  record: Record<string, unknown> | null;
  record_pk?: Record<string, unknown> | null;
  old_record: Record<string, unknown> | null;
}

const API_ROLES = new Set(['anon', 'authenticated', 'service_role']);
const CHANGE_EVENTS = new Set(['*', 'INSERT', 'UPDATE', 'DELETE']);
const NOTIFY_CHANNEL = 'wallai_realtime';
const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

class JoinError extends Error {}

export async function createRealtimeApi(options: RealtimeApiOptions): Promise<RealtimeApi> {
  const db = options.sql;
  const log = options.log ?? (() => {});
  const keys = tokenKeys(options.jwtSecret, options.signingKeys ?? []);
  if (!db.listen) throw new Error('createRealtimeApi: the SqlClient must support LISTEN');

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const connections = new Set<Connection>();
  /** topic → channels joined to it, across connections. */
  const topics = new Map<string, Set<Channel>>();
  let tables = new Map<string, TableMeta>();
  let nextBindingId = 1;
  let closed = false;

  async function verify(token: string): Promise<Auth> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys.getKey, { algorithms: [...keys.algorithms] }));
    } catch (error) {
      const message = error instanceof Error ? error.message : 'invalid token';
      throw new JoinError(/exp/.test(message) ? 'Token has expired' : `Invalid token: ${message}`);
    }
    const role = typeof payload.role === 'string' ? payload.role : 'anon';
    if (!API_ROLES.has(role)) throw new JoinError(`Invalid token: role ${role} is not an API role`);
    return { role, claims: { ...payload, role }, exp: typeof payload.exp === 'number' ? payload.exp : null };
  }

  async function loadTables(): Promise<void> {
    await db.query(`select realtime.wallai_install_capture()`);
    const rows = await db.query<{
      schemaname: string;
      tablename: string;
      attname: string;
      typname: string;
      sqltype: string;
      is_pk: boolean;
      rls: boolean;
      replica_full: boolean;
    }>(
      `select p.schemaname, p.tablename, a.attname, t.typname, pg_catalog.format_type(a.atttypid, a.atttypmod) as sqltype,
              coalesce(a.attnum = any (i.indkey), false) as is_pk, c.relrowsecurity as rls, c.relreplident = 'f' as replica_full
         from pg_catalog.pg_publication_tables p
         join pg_catalog.pg_namespace n on n.nspname = p.schemaname
         join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = p.tablename
         join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
         join pg_catalog.pg_type t on t.oid = a.atttypid
         left join pg_catalog.pg_index i on i.indrelid = c.oid and i.indisprimary
        where p.pubname = 'supabase_realtime'
        order by p.schemaname, p.tablename, a.attnum`,
    );
    const next = new Map<string, TableMeta>();
    for (const r of rows) {
      const key = `${r.schemaname}.${r.tablename}`;
      let meta = next.get(key) as (TableMeta & { columns: TableMeta['columns'][number][]; pk: string[] }) | undefined;
      if (!meta) {
        meta = { schema: r.schemaname, table: r.tablename, columns: [], types: new Map(), pk: [], rls: r.rls, replicaFull: r.replica_full };
        next.set(key, meta);
      }
      meta.columns.push({ name: r.attname, type: r.typname, sqlType: r.sqltype });
      (meta.types as Map<string, string>).set(r.attname, r.typname);
      if (r.is_pk) meta.pk.push(r.attname);
    }
    tables = next;
  }

  await loadTables();

  // Changes, in commit order, one at a time.
  let queue: Promise<void> = Promise.resolve();
  const unlisten = await db.listen(NOTIFY_CHANNEL, (payload) => {
    queue = queue
      .then(() => dispatch(payload))
      .catch((error: unknown) => log(`[realtime] change dispatch failed: ${(error as Error).message}`));
  });

  function send(conn: Connection, m: PhoenixMessage): void {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(encodeMessage(conn.vsn, m));
  }
  const reply = (conn: Connection, m: PhoenixMessage, status: 'ok' | 'error', response: unknown): void =>
    send(conn, { join_ref: m.join_ref, ref: m.ref, topic: m.topic, event: 'phx_reply', payload: { status, response } });
  const system = (ch: Channel, status: 'ok' | 'error', message: string, extension: string): void =>
    send(ch.conn, {
      join_ref: ch.joinRef,
      ref: null,
      topic: ch.topic,
      event: 'system',
      payload: { channel: ch.topic.replace(/^realtime:/, ''), extension, message, status },
    });

  function leaveChannel(ch: Channel, notifyClose: boolean): void {
    if (ch.expiryTimer) clearTimeout(ch.expiryTimer);
    ch.conn.channels.delete(ch.topic);
    const set = topics.get(ch.topic);
    set?.delete(ch);
    if (set && set.size === 0) topics.delete(ch.topic);
    if (ch.presenceMeta !== null) {
      const left = ch.presenceMeta;
      ch.presenceMeta = null;
      presenceDiff(ch.topic, {}, { [ch.presenceKey]: { metas: [left] } });
    }
    if (notifyClose) send(ch.conn, { join_ref: ch.joinRef, ref: null, topic: ch.topic, event: 'phx_close', payload: {} });
  }

  function scheduleExpiry(ch: Channel): void {
    if (ch.expiryTimer) clearTimeout(ch.expiryTimer);
    ch.expiryTimer = null;
    if (ch.auth.exp === null) return;
    const ms = ch.auth.exp * 1000 - Date.now();
    ch.expiryTimer = setTimeout(
      () => {
        system(
          ch,
          'error',
          `Token has expired ${Math.max(0, Math.round((Date.now() - ch.auth.exp! * 1000) / 1000))} seconds ago`,
          'system',
        );
        leaveChannel(ch, true);
      },
      Math.max(0, Math.min(ms, 2 ** 31 - 1)),
    );
    ch.expiryTimer.unref();
  }

  function presenceState(topic: string): Record<string, { metas: Record<string, unknown>[] }> {
    const state: Record<string, { metas: Record<string, unknown>[] }> = {};
    for (const ch of topics.get(topic) ?? []) {
      if (ch.presenceMeta === null) continue;
      (state[ch.presenceKey] ??= { metas: [] }).metas.push(ch.presenceMeta);
    }
    return state;
  }

  function presenceDiff(topic: string, joins: Record<string, unknown>, leaves: Record<string, unknown>): void {
    for (const ch of topics.get(topic) ?? []) {
      if (!ch.presenceEnabled) continue;
      send(ch.conn, { join_ref: ch.joinRef, ref: null, topic, event: 'presence_diff', payload: { joins, leaves } });
    }
  }

  function bindingsFrom(config: Record<string, unknown>): Binding[] {
    const raw = config.postgres_changes;
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) throw new JoinError('postgres_changes must be a list');
    return raw.map((b: unknown) => {
      const spec = (b ?? {}) as Record<string, unknown>;
      const eventText = typeof spec.event === 'string' ? spec.event : '*';
      const event = eventText.toUpperCase();
      if (!CHANGE_EVENTS.has(event)) throw new JoinError(`Unknown postgres_changes event ${String(spec.event)}`);
      const schema = typeof spec.schema === 'string' ? spec.schema : 'public';
      const table = typeof spec.table === 'string' && spec.table !== '*' ? spec.table : undefined;
      const filterText = typeof spec.filter === 'string' && spec.filter !== '' ? spec.filter : undefined;
      let filter: ChangeFilter | null;
      try {
        filter = parseFilter(filterText);
      } catch (error) {
        throw new JoinError((error as Error).message);
      }
      return { id: nextBindingId++, event: event as Binding['event'], eventText, schema, table, filterText, filter };
    });
  }

  async function onJoin(conn: Connection, m: PhoenixMessage): Promise<void> {
    const payload = (m.payload ?? {}) as Record<string, unknown>;
    const config = (payload.config ?? {}) as Record<string, unknown>;
    try {
      if (!m.topic.startsWith('realtime:')) throw new JoinError(`Unknown topic ${m.topic}`);
      if (config.private === true) {
        throw new JoinError(
          'Private channels (authorization by RLS on realtime.messages) are not supported by the local Realtime of npm run dev',
        );
      }
      const token = typeof payload.access_token === 'string' && payload.access_token !== '' ? payload.access_token : null;
      const auth = token === null ? conn.apikey : await verify(token);
      const bindings = bindingsFrom(config);
      const existing = conn.channels.get(m.topic);
      if (existing) leaveChannel(existing, false);
      const broadcast = (config.broadcast ?? {}) as Record<string, unknown>;
      const presence = (config.presence ?? {}) as Record<string, unknown>;
      const ch: Channel = {
        conn,
        topic: m.topic,
        joinRef: m.join_ref ?? m.ref,
        auth,
        bindings,
        broadcastSelf: broadcast.self === true,
        broadcastAck: broadcast.ack === true,
        presenceEnabled: presence.enabled === true,
        presenceKey: typeof presence.key === 'string' && presence.key !== '' ? presence.key : randomUUID(),
        presenceMeta: null,
        expiryTimer: null,
      };
      conn.channels.set(m.topic, ch);
      let set = topics.get(m.topic);
      if (!set) topics.set(m.topic, (set = new Set()));
      set.add(ch);
      scheduleExpiry(ch);
      reply(conn, m, 'ok', {
        postgres_changes: bindings.map((b) => ({
          id: b.id,
          event: b.eventText,
          schema: b.schema,
          ...(b.table === undefined ? {} : { table: b.table }),
          ...(b.filterText === undefined ? {} : { filter: b.filterText }),
        })),
      });
      if (ch.presenceEnabled)
        send(conn, { join_ref: ch.joinRef, ref: null, topic: m.topic, event: 'presence_state', payload: presenceState(m.topic) });
      if (bindings.length > 0) {
        if (bindings.some((b) => b.table !== undefined && !tables.has(`${b.schema}.${b.table}`))) await loadTables();
        const unknown = bindings.filter((b) =>
          b.table === undefined
            ? ![...tables.values()].some((t) => b.schema === '*' || t.schema === b.schema)
            : !tables.has(`${b.schema}.${b.table}`),
        );
        if (unknown.length > 0) {
          const b = unknown[0]!;
          system(
            ch,
            'error',
            `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [schema: ${b.schema}, table: ${b.table ?? '*'}, filters: [${b.filterText ?? ''}]]`,
            'postgres_changes',
          );
        } else {
          system(ch, 'ok', 'Subscribed to PostgreSQL', 'postgres_changes');
        }
      }
    } catch (error) {
      if (!(error instanceof JoinError)) throw error;
      reply(conn, m, 'error', { reason: error.message });
    }
  }

  async function onAccessToken(ch: Channel, m: PhoenixMessage): Promise<void> {
    const token = ((m.payload ?? {}) as Record<string, unknown>).access_token;
    if (typeof token !== 'string' || token === '') return;
    try {
      ch.auth = await verify(token);
      scheduleExpiry(ch);
    } catch (error) {
      system(ch, 'error', (error as Error).message, 'system');
      leaveChannel(ch, true);
    }
  }

  function deliverBroadcast(topic: string, payload: Record<string, unknown>, from: Channel | null): void {
    for (const ch of topics.get(topic) ?? []) {
      if (ch === from && !ch.broadcastSelf) continue;
      send(ch.conn, { join_ref: ch.joinRef, ref: null, topic, event: 'broadcast', payload });
    }
  }

  async function onMessage(conn: Connection, data: RawData, isBinary: boolean): Promise<void> {
    let m: PhoenixMessage;
    try {
      m = decodeMessage(conn.vsn, data as Buffer, isBinary);
    } catch (error) {
      if (error instanceof ProtocolError) log(`[realtime] dropped a message: ${error.message}`);
      return;
    }
    if (m.topic === 'phoenix' && m.event === 'heartbeat') return reply(conn, m, 'ok', {});
    if (m.event === 'phx_join') return onJoin(conn, m);
    const ch = conn.channels.get(m.topic);
    if (!ch) {
      // Phoenix answers pushes to a topic the socket has not joined by closing it.
      if (m.event !== 'phx_leave') send(conn, { join_ref: m.join_ref, ref: m.ref, topic: m.topic, event: 'phx_close', payload: {} });
      else reply(conn, m, 'ok', {});
      return;
    }
    switch (m.event) {
      case 'phx_leave':
        reply(conn, m, 'ok', {});
        leaveChannel(ch, true);
        return;
      case 'access_token':
        return onAccessToken(ch, m);
      case 'broadcast': {
        const p = (m.payload ?? {}) as Record<string, unknown>;
        deliverBroadcast(
          ch.topic,
          { type: 'broadcast', event: p.event, payload: p.payload ?? {}, ...(p.meta === undefined ? {} : { meta: p.meta }) },
          ch,
        );
        if (ch.broadcastAck && m.ref !== null) reply(conn, m, 'ok', {});
        return;
      }
      case 'presence': {
        const p = (m.payload ?? {}) as Record<string, unknown>;
        if (p.event === 'track') {
          const meta = { ...((p.payload ?? {}) as Record<string, unknown>), phx_ref: randomUUID() };
          const leaves = ch.presenceMeta === null ? {} : { [ch.presenceKey]: { metas: [ch.presenceMeta] } };
          ch.presenceMeta = meta;
          presenceDiff(ch.topic, { [ch.presenceKey]: { metas: [meta] } }, leaves);
        } else if (p.event === 'untrack' && ch.presenceMeta !== null) {
          const left = ch.presenceMeta;
          ch.presenceMeta = null;
          presenceDiff(ch.topic, {}, { [ch.presenceKey]: { metas: [left] } });
        }
        reply(conn, m, 'ok', {});
        return;
      }
      default:
        reply(conn, m, 'error', { reason: `unknown event ${m.event}` });
    }
  }

  // Changes ---------------------------------------------------------------------------

  function matches(b: Binding, meta: TableMeta, type: Change['type']): boolean {
    return (
      (b.event === '*' || b.event === type) &&
      (b.schema === '*' || b.schema === meta.schema) &&
      (b.table === undefined || b.table === meta.table)
    );
  }

  const pick = (row: Record<string, unknown> | null, columns: readonly string[]): Record<string, unknown> | null =>
    row === null ? null : Object.fromEntries(columns.filter((c) => c in row).map((c) => [c, row[c]]));

  /**
   * Which of these subscribers' role + claims can select the row now (Realtime's
   * walrus_rls_stmt), all decided in one call of the compat layer's
   * realtime.wallai_visible_to: one round trip per change, whatever the number of subscribers.
   */
  async function visibleTo(auths: readonly Auth[], meta: TableMeta, row: Record<string, unknown>): Promise<Set<number>> {
    if (meta.pk.length === 0 || auths.length === 0) return new Set();
    const where = meta.pk.map((c, i) => `${ident(c)} = ($1)[${i + 1}]::${meta.columns.find((x) => x.name === c)!.sqlType}`).join(' and ');
    const values = meta.pk.map((c) => {
      const v = row[c];
      return v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
    const subscribers = auths.map((a, n) => ({ n, role: a.role, claims: a.claims }));
    const [r] = await db.query<{ ids: number[] | null }>(
      `select realtime.wallai_visible_to($1, $2, $3, $4::text[], $5::text::jsonb) as ids`,
      [meta.schema, meta.table, where, values, JSON.stringify(subscribers)],
    );
    return new Set(r?.ids ?? []);
  }

  async function dispatch(text: string): Promise<void> {
    if (closed) return;
    let change: Change;
    try {
      change = JSON.parse(text) as Change;
    } catch {
      return;
    }
    let meta = tables.get(`${change.schema}.${change.table}`);
    if (!meta) {
      await loadTables();
      meta = tables.get(`${change.schema}.${change.table}`);
      if (!meta) return;
    }
    const targets: Array<{ ch: Channel; ids: number[] }> = [];
    for (const set of topics.values()) {
      for (const ch of set) {
        const ids = ch.bindings.filter((b) => matches(b, meta, change.type)).map((b) => b.id);
        if (ids.length > 0) targets.push({ ch, ids });
      }
    }
    if (targets.length === 0) return;
    let record = change.record;
    if (change.type !== 'DELETE' && record === null && change.record_pk) {
      // Too large for NOTIFY: read the row as it is now.
      const where = meta.pk.map((c, i) => `${ident(c)}::text = $${i + 1}`).join(' and ');
      const [row] = await db.query<{ r: Record<string, unknown> }>(
        `select to_jsonb(t) as r from ${ident(meta.schema)}.${ident(meta.table)} t where ${where}`,
        meta.pk.map((c) => String(change.record_pk![c])),
      );
      if (!row) return;
      record = row.r;
    }
    const old =
      change.old_record === null
        ? null
        : change.type === 'DELETE'
          ? meta.rls || !meta.replicaFull
            ? pick(change.old_record, meta.pk)
            : change.old_record
          : meta.replicaFull
            ? change.old_record
            : pick(change.old_record, meta.pk);
    const filterRow = change.type === 'DELETE' ? old : record;
    const passing = targets
      .map(({ ch, ids }) => ({
        ch,
        ids: ids.filter((id) => passesFilter(ch.bindings.find((b) => b.id === id)!.filter, filterRow, meta.types)),
      }))
      .filter((t) => t.ids.length > 0);
    let deliveries = passing;
    if (change.type !== 'DELETE' && meta.rls && record !== null) {
      // Visibility is decided once per distinct role + claims.
      const keys = new Map<string, number>();
      const auths: Auth[] = [];
      const keyOf = passing.map(({ ch }) => {
        const key = `${ch.auth.role}\u0000${JSON.stringify(ch.auth.claims)}`;
        let n = keys.get(key);
        if (n === undefined) {
          n = auths.length;
          keys.set(key, n);
          auths.push(ch.auth);
        }
        return n;
      });
      const visible = await visibleTo(auths, meta, record);
      deliveries = passing.filter((_t, i) => visible.has(keyOf[i]!));
    }
    const data = {
      schema: meta.schema,
      table: meta.table,
      commit_timestamp: change.commit_timestamp,
      type: change.type,
      columns: meta.columns.map((c) => ({ name: c.name, type: c.type })),
      ...(change.type === 'DELETE' ? {} : { record }),
      ...(change.type === 'INSERT' ? {} : { old_record: old }),
      errors: null,
    };
    for (const d of deliveries) {
      if (d.ch.conn.channels.get(d.ch.topic) !== d.ch) continue;
      send(d.ch.conn, { join_ref: d.ch.joinRef, ref: null, topic: d.ch.topic, event: 'postgres_changes', payload: { ids: d.ids, data } });
    }
  }

  return {
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const vsnParam = url.searchParams.get('vsn') ?? '1.0.0';
      const apikey = url.searchParams.get('apikey') ?? (req.headers.apikey as string | undefined) ?? '';
      const refuse = (status: string, message: string): void => {
        socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ message })}`);
      };
      if (vsnParam !== '1.0.0' && vsnParam !== '2.0.0') return refuse('400 Bad Request', `Unsupported serializer version vsn=${vsnParam}`);
      verify(apikey).then(
        (auth) => {
          wss.handleUpgrade(req, socket, head, (ws) => {
            const conn: Connection = { ws, vsn: vsnParam, apikey: auth, channels: new Map() };
            connections.add(conn);
            ws.on('message', (data, isBinary) => {
              onMessage(conn, data, isBinary).catch((error: unknown) => log(`[realtime] ${(error as Error).message}`));
            });
            ws.on('close', () => {
              for (const ch of [...conn.channels.values()]) leaveChannel(ch, false);
              connections.delete(conn);
            });
            ws.on('error', () => ws.terminate());
          });
        },
        (error: unknown) => refuse('403 Forbidden', (error as Error).message),
      );
    },

    async handle(req, path) {
      const pathname = path.split('?')[0];
      if (pathname !== '/api/broadcast' || req.method !== 'POST') {
        return new Response(JSON.stringify({ message: `Route ${req.method} ${pathname} is not served by the local Realtime` }), {
          status: 404,
          headers: { 'Content-Type': 'application/json' },
        });
      }
      const token = (req.headers.get('authorization') ?? '').replace(/^Bearer\s+/i, '') || (req.headers.get('apikey') ?? '');
      try {
        await verify(token);
      } catch (error) {
        return new Response(JSON.stringify({ message: (error as Error).message }), {
          status: 401,
          headers: { 'Content-Type': 'application/json' },
        });
      }
      let body: { messages?: Array<{ topic?: unknown; event?: unknown; payload?: unknown; private?: unknown }> };
      try {
        body = (await req.json()) as typeof body;
      } catch {
        return new Response(JSON.stringify({ message: 'body must be JSON' }), {
          status: 400,
          headers: { 'Content-Type': 'application/json' },
        });
      }
      for (const msg of body.messages ?? []) {
        if (typeof msg.topic !== 'string' || typeof msg.event !== 'string') continue;
        if (msg.private === true) {
          return new Response(JSON.stringify({ message: 'Private channels are not supported by the local Realtime' }), {
            status: 403,
            headers: { 'Content-Type': 'application/json' },
          });
        }
        deliverBroadcast(`realtime:${msg.topic}`, { type: 'broadcast', event: msg.event, payload: msg.payload ?? {} }, null);
      }
      return new Response(null, { status: 202 });
    },

    channelCount() {
      let n = 0;
      for (const set of topics.values()) n += set.size;
      return n;
    },

    async close() {
      closed = true;
      await unlisten();
      for (const conn of connections) {
        for (const ch of conn.channels.values()) if (ch.expiryTimer) clearTimeout(ch.expiryTimer);
        conn.ws.terminate();
      }
      connections.clear();
      topics.clear();
      await queue;
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
