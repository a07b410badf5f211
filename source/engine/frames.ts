// Docker's multiplexed stream (logs, exec and attach without a TTY): frames of an 8-byte header
// (stream: 1 stdout, 2 stderr; three zero bytes; big-endian payload length) and the payload.
// Chunks from the socket cut frames anywhere; this puts them back together.

export type FrameStream = 'stdout' | 'stderr';

export class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly emit: (stream: FrameStream, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    while (this.pending.length - at >= 8) {
      const kind = this.pending[at];
      // 0 stdin (never sent), 1 stdout, 2 stderr; anything else is not a frame header: the rest is
      // passed on as raw output rather than dropped.
      if (kind !== 1 && kind !== 2) {
        this.emit('stdout', this.pending.subarray(at));
        at = this.pending.length;
        break;
      }
      const size = this.pending.readUInt32BE(at + 4);
      if (this.pending.length - at - 8 < size) break;
      this.emit(kind === 2 ? 'stderr' : 'stdout', this.pending.subarray(at + 8, at + 8 + size));
      at += 8 + size;
    }
    this.pending = at === this.pending.length ? Buffer.alloc(0) : this.pending.subarray(at);
  }
}
