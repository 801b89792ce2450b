/**
 * Finds NotificationResponse messages ('A') in a stream of backend protocol
 * messages fed in arbitrary chunks, without buffering anything but a split
 * header or a split notification: other messages (rows of a large result)
 * are skipped by their length.
 *
 * Why: PGlite is one backend. A NOTIFY committed by a client of its socket
 * server is delivered, as Postgres delivers a notification to its own
 * backend, in the answer to that client's COMMIT, so an in-process
 * `PGlite.listen` never hears it. Reading the socket's answers recovers it.
 */
export interface Notification {
  readonly pid: number;
  readonly channel: string;
  readonly payload: string;
}

const NOTIFICATION = 0x41; // 'A'
const EMPTY = Buffer.alloc(0);

export class NotificationScanner {
  /** Bytes still to skip of a message that is not a notification. */
  private skip = 0;
  /** The start of a message whose header or (notification) body is split across chunks. */
  private partial: Buffer = EMPTY;

  constructor(private readonly onNotification: (n: Notification) => void) {}

  feed(chunk: Uint8Array): void {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.skip > 0) {
      const n = Math.min(this.skip, buf.length);
      this.skip -= n;
      buf = buf.subarray(n);
    }
    if (this.partial.length > 0) {
      buf = Buffer.concat([this.partial, buf]);
      this.partial = EMPTY;
    }
    let at = 0;
    while (at < buf.length) {
      if (buf.length - at < 5) {
        this.partial = Buffer.from(buf.subarray(at));
        return;
      }
      const type = buf[at]!;
      const end = at + 1 + buf.readInt32BE(at + 1);
      if (type === NOTIFICATION) {
        if (end > buf.length) {
          this.partial = Buffer.from(buf.subarray(at));
          return;
        }
        this.onNotification(parseNotification(buf.subarray(at + 5, end)));
      } else if (end > buf.length) {
        this.skip = end - buf.length;
        return;
      }
      at = end;
    }
  }
}

function parseNotification(body: Buffer): Notification {
  const pid = body.readInt32BE(0);
  const channelEnd = body.indexOf(0, 4);
  const payloadEnd = body.indexOf(0, channelEnd + 1);
  return {
    pid,
    channel: body.toString('utf8', 4, channelEnd),
    payload: body.toString('utf8', channelEnd + 1, payloadEnd < 0 ? body.length : payloadEnd),
  };
}
