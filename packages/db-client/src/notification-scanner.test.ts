import { describe, expect, it } from 'vitest';
import { NotificationScanner, type Notification } from './notification-scanner.ts';

/** One backend message: type byte, int32 length (itself included), body. */
function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
const notification = (pid: number, channel: string, payload: string): Buffer => {
  const pidBytes = Buffer.alloc(4);
  pidBytes.writeInt32BE(pid);
  return message('A', Buffer.concat([pidBytes, Buffer.from(`${channel}\0${payload}\0`, 'utf8')]));
};
const dataRow = (size: number): Buffer => message('D', Buffer.alloc(size, 0x41));
const commandComplete = message('C', Buffer.from('COMMIT\0'));
const readyForQuery = message('Z', Buffer.from('I'));

function scan(chunks: Buffer[]): Notification[] {
  const found: Notification[] = [];
  const scanner = new NotificationScanner((n) => found.push(n));
  for (const chunk of chunks) scanner.feed(chunk);
  return found;
}

/** Every way of cutting the stream in two, three and single bytes. */
function cuts(stream: Buffer): Buffer[][] {
  const ways: Buffer[][] = [[stream], [...stream].map((b) => Buffer.from([b]))];
  for (let i = 1; i < stream.length; i++) ways.push([stream.subarray(0, i), stream.subarray(i)]);
  for (let i = 1; i < stream.length; i += 7) {
    for (let j = i + 1; j < stream.length; j += 5) ways.push([stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)]);
  }
  return ways;
}

describe('reading notifications out of a backend message stream', () => {
  it('finds a notification between other messages, however the stream is cut', () => {
    const stream = Buffer.concat([
      dataRow(300),
      commandComplete,
      notification(42, 'wallai_realtime', '{"table":"expenses","amount":"12.50 €"}'),
      dataRow(3),
      notification(42, 'other', ''),
      readyForQuery,
    ]);
    for (const chunks of cuts(stream)) {
      expect(scan(chunks)).toEqual([
        { pid: 42, channel: 'wallai_realtime', payload: '{"table":"expenses","amount":"12.50 €"}' },
        { pid: 42, channel: 'other', payload: '' },
      ]);
    }
  });

  it('skips a large row without keeping it, and finds nothing where there is none', () => {
    const big = dataRow(1_000_000);
    expect(scan([big.subarray(0, 10), big.subarray(10, 500_000), big.subarray(500_000), readyForQuery])).toEqual([]);
  });

  it("reads an 'A' byte inside another message as data, not as a notification", () => {
    // The data row is all 0x41 bytes: only message boundaries count.
    expect(scan([Buffer.concat([dataRow(64), readyForQuery])])).toEqual([]);
  });
});
