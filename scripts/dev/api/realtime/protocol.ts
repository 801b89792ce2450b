/**
 * The wire format of Realtime's Phoenix channels, pure: messages in the two
 * serializer versions realtime-js speaks (vsn 1.0.0: JSON objects; vsn 2.0.0,
 * its default: JSON arrays `[join_ref, ref, topic, event, payload]` plus the
 * binary user-broadcast push frame), and the `postgres_changes` filters
 * (`column=op.value`, op one of eq neq lt lte gt gte in) with how Realtime
 * compares them against a row.
 */

export interface PhoenixMessage {
  readonly join_ref: string | null;
  readonly ref: string | null;
  readonly topic: string;
  readonly event: string;
  readonly payload: unknown;
}

export type Vsn = '1.0.0' | '2.0.0';

export class ProtocolError extends Error {}

/** Binary frame kinds of realtime-js's serializer (lib/serializer.ts). */
const USER_BROADCAST_PUSH = 3;
const JSON_ENCODING = 1;

export function decodeMessage(vsn: Vsn, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): PhoenixMessage {
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  if (isBinary) {
    if (vsn !== '2.0.0') throw new ProtocolError('binary frames need vsn 2.0.0');
    return decodeUserBroadcastPush(buffer);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(buffer.toString('utf8'));
  } catch {
    throw new ProtocolError('message is not JSON');
  }
  if (vsn === '2.0.0') {
    if (!Array.isArray(parsed) || parsed.length !== 5)
      throw new ProtocolError('a vsn 2.0.0 message is [join_ref, ref, topic, event, payload]');
    const [joinRef, ref, topic, event, payload] = parsed as unknown[];
    return checked({ join_ref: joinRef ?? null, ref: ref ?? null, topic, event, payload });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ProtocolError('a vsn 1.0.0 message is an object');
  const m = parsed as Record<string, unknown>;
  return checked({ join_ref: m.join_ref ?? null, ref: m.ref ?? null, topic: m.topic, event: m.event, payload: m.payload });
}

function checked(m: { join_ref: unknown; ref: unknown; topic: unknown; event: unknown; payload: unknown }): PhoenixMessage {
  if (typeof m.topic !== 'string' || typeof m.event !== 'string') throw new ProtocolError('topic and event must be strings');
  const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  return { join_ref: str(m.join_ref), ref: str(m.ref), topic: m.topic, event: m.event, payload: m.payload ?? {} };
}

/** realtime-js's `_encodeUserBroadcastPush`: kind, five lengths, encoding, then join_ref, ref, topic, event, metadata, payload. */
function decodeUserBroadcastPush(buffer: Buffer): PhoenixMessage {
  if (buffer.length < 7 || buffer[0] !== USER_BROADCAST_PUSH) throw new ProtocolError('unknown binary frame');
  const [joinRefLen, refLen, topicLen, eventLen, metaLen, encoding] = [
    buffer[1]!,
    buffer[2]!,
    buffer[3]!,
    buffer[4]!,
    buffer[5]!,
    buffer[6]!,
  ];
  let offset = 7;
  const take = (n: number): string => {
    if (offset + n > buffer.length) throw new ProtocolError('truncated binary frame');
    const s = buffer.subarray(offset, offset + n).toString('utf8');
    offset += n;
    return s;
  };
  const joinRef = take(joinRefLen);
  const ref = take(refLen);
  const topic = take(topicLen);
  const event = take(eventLen);
  const meta = take(metaLen);
  const body = buffer.subarray(offset);
  let payload: unknown;
  if (encoding === JSON_ENCODING) {
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ProtocolError('broadcast payload is not JSON');
    }
  } else {
    throw new ProtocolError('binary broadcast payloads are not supported by the local Realtime');
  }
  return {
    join_ref: joinRef === '' ? null : joinRef,
    ref: ref === '' ? null : ref,
    topic,
    event: 'broadcast',
    payload: { type: 'broadcast', event, payload, ...(meta === '' ? {} : { meta: JSON.parse(meta) as unknown }) },
  };
}

export function encodeMessage(vsn: Vsn, m: PhoenixMessage): string {
  if (vsn === '2.0.0') return JSON.stringify([m.join_ref, m.ref, m.topic, m.event, m.payload]);
  return JSON.stringify({ join_ref: m.join_ref, ref: m.ref, topic: m.topic, event: m.event, payload: m.payload });
}

// postgres_changes filters ---------------------------------------------------------------

export type FilterOp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in';

export interface ChangeFilter {
  readonly column: string;
  readonly op: FilterOp;
  /** One value, or the list for `in`. */
  readonly values: readonly string[];
}

const OPS = new Set<FilterOp>(['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in']);

/** Realtime's filter string: `column=op.value`, `in` with `(a,b,"c,d")`. Null for no filter. */
export function parseFilter(text: string | undefined | null): ChangeFilter | null {
  if (text === undefined || text === null || text === '') return null;
  const m = /^([^=]+)=([a-z]+)\.([\s\S]*)$/.exec(text);
  if (!m) throw new ProtocolError(`Error parsing \`filter\` params: ${text}`);
  const [, column, op, raw] = m as unknown as [string, string, string, string];
  if (!OPS.has(op as FilterOp)) throw new ProtocolError(`Error parsing \`filter\` params: unsupported operator ${op}`);
  if (op !== 'in') return { column, op: op as FilterOp, values: [raw] };
  const inner = /^\((.*)\)$/s.exec(raw);
  if (!inner) throw new ProtocolError(`Error parsing \`filter\` params: ${text}`);
  const values: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of inner[1]!) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      values.push(current.trim());
      current = '';
    } else current += ch;
  }
  values.push(current.trim());
  if (values.length > 100) throw new ProtocolError('Error parsing `filter` params: in accepts at most 100 values');
  return { column, op: 'in', values };
}

/** Realtime compares the column's value with the filter value cast to the column's type; numbers as numbers, everything else as text. */
function compare(value: unknown, filterValue: string, numeric: boolean): number | null {
  if (value === null || value === undefined) return null;
  if (numeric) {
    const a = typeof value === 'number' ? value : Number(value);
    const b = Number(filterValue);
    if (Number.isNaN(a) || Number.isNaN(b)) return null;
    return a === b ? 0 : a < b ? -1 : 1;
  }
  const a = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return a === filterValue ? 0 : a < filterValue ? -1 : 1;
}

const NUMERIC_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid']);

/**
 * Whether a row passes the filter. A filter on a column the row does not
 * carry is not applied (Realtime's join in is_visible_through_filters: what a
 * DELETE's primary-key-only old record cannot say is not checked).
 */
export function passesFilter(
  filter: ChangeFilter | null,
  row: Record<string, unknown> | null,
  types: ReadonlyMap<string, string>,
): boolean {
  if (filter === null) return true;
  if (row === null || !(filter.column in row)) return true;
  const numeric = NUMERIC_TYPES.has(types.get(filter.column) ?? '');
  const value = row[filter.column];
  const c = (v: string): number | null => compare(value, v, numeric);
  switch (filter.op) {
    case 'eq':
      return c(filter.values[0]!) === 0;
    case 'neq': {
      const r = c(filter.values[0]!);
      return r !== null && r !== 0;
    }
    case 'lt': {
      const r = c(filter.values[0]!);
      return r !== null && r < 0;
    }
    case 'lte': {
      const r = c(filter.values[0]!);
      return r !== null && r <= 0;
    }
    case 'gt': {
      const r = c(filter.values[0]!);
      return r !== null && r > 0;
    }
    case 'gte': {
      const r = c(filter.values[0]!);
      return r !== null && r >= 0;
    }
    case 'in':
      return filter.values.some((v) => c(v) === 0);
  }
}
