/** The Phoenix wire formats realtime-js speaks and Realtime's filter semantics, pure. */
import { describe, expect, it } from 'vitest';
import { ProtocolError, decodeMessage, encodeMessage, parseFilter, passesFilter } from './protocol.ts';

const types = new Map([
  ['amount', 'numeric'],
  ['description', 'text'],
  ['id', 'uuid'],
]);

describe('serializers', () => {
  it('vsn 1.0.0 is an object and 2.0.0 an array, both ways', () => {
    const m = { join_ref: '1', ref: '2', topic: 'realtime:room', event: 'phx_join', payload: { config: {} } };
    expect(decodeMessage('1.0.0', Buffer.from(encodeMessage('1.0.0', m)), false)).toEqual(m);
    expect(encodeMessage('2.0.0', m)).toBe('["1","2","realtime:room","phx_join",{"config":{}}]');
    expect(decodeMessage('2.0.0', Buffer.from(encodeMessage('2.0.0', m)), false)).toEqual(m);
  });

  it("reads realtime-js's binary broadcast push (kind 3, JSON payload)", () => {
    const [joinRef, ref, topic, event] = ['4', '5', 'realtime:room', 'cursor'];
    const body = Buffer.from(JSON.stringify({ x: 1 }));
    const header = Buffer.from([3, joinRef.length, ref.length, topic.length, event.length, 0, 1]);
    const frame = Buffer.concat([header, Buffer.from(joinRef + ref + topic + event), body]);
    expect(decodeMessage('2.0.0', frame, true)).toEqual({
      join_ref: '4',
      ref: '5',
      topic: 'realtime:room',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'cursor', payload: { x: 1 } },
    });
  });

  it('malformed messages are protocol errors, not crashes', () => {
    expect(() => decodeMessage('2.0.0', Buffer.from('{"topic":"x"}'), false)).toThrow(ProtocolError);
    expect(() => decodeMessage('1.0.0', Buffer.from('not json'), false)).toThrow(ProtocolError);
    expect(() => decodeMessage('1.0.0', Buffer.from([3, 0]), true)).toThrow(ProtocolError);
    expect(() => decodeMessage('2.0.0', Buffer.from([3, 9, 9, 9, 9, 0, 1]), true)).toThrow(ProtocolError);
  });
});

describe('postgres_changes filters', () => {
  it('parses column=op.value and in lists with quotes', () => {
    expect(parseFilter('space_id=eq.abc')).toEqual({ column: 'space_id', op: 'eq', values: ['abc'] });
    expect(parseFilter('description=in.(a,"b,c", d)')).toEqual({ column: 'description', op: 'in', values: ['a', 'b,c', 'd'] });
    expect(parseFilter(undefined)).toBeNull();
    expect(() => parseFilter('amount=like.5')).toThrow(/unsupported operator like/);
    expect(() => parseFilter('amount')).toThrow(ProtocolError);
  });

  it('compares numbers as numbers and everything else as text', () => {
    const row = { amount: 9.5, description: 'beta' };
    expect(passesFilter(parseFilter('amount=lt.10'), row, types)).toBe(true);
    expect(passesFilter(parseFilter('amount=gt.10'), row, types)).toBe(false);
    expect(passesFilter(parseFilter('amount=gte.9.5'), row, types)).toBe(true);
    expect(passesFilter(parseFilter('amount=lte.9'), row, types)).toBe(false);
    expect(passesFilter(parseFilter('description=neq.alpha'), row, types)).toBe(true);
    expect(passesFilter(parseFilter('description=in.(alpha,beta)'), row, types)).toBe(true);
    expect(passesFilter(parseFilter('amount=eq.9.50'), row, types)).toBe(true);
  });

  it('null never matches; a column the row does not carry (a DELETE key) is not checked, as in Realtime', () => {
    expect(passesFilter(parseFilter('description=neq.x'), { description: null }, types)).toBe(false);
    expect(passesFilter(parseFilter('space_id=eq.abc'), { id: 'k' }, types)).toBe(true);
  });
});
