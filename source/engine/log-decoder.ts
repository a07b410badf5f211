// Docker's log stream → lines. Non-TTY containers send frames (8-byte header: stream, 0, 0, 0,
// big-endian length) that chunks can cut anywhere; TTY containers send raw bytes. Each stream is
// decoded as UTF-8 on its own (invalid bytes become U+FFFD) and split on newlines; a line longer
// than the cap keeps its head and counts the rest, so a 1 MB line never becomes a 1 MB string.
import type { LogStream } from '../cluster/logs.js';

export const MAX_LINE = 2048;

interface Assembler {
  decoder: TextDecoder;
  line: string;
  dropped: number;
}

export class LogDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private readonly streams: Record<LogStream, Assembler> = {
    stdout: { decoder: new TextDecoder('utf-8', { fatal: false }), line: '', dropped: 0 },
    stderr: { decoder: new TextDecoder('utf-8', { fatal: false }), line: '', dropped: 0 },
  };

  constructor(
    private readonly tty: boolean,
    private readonly emit: (stream: LogStream, line: string) => void,
    private readonly maxLine = MAX_LINE,
  ) {}

  push(chunk: Buffer): void {
    if (this.tty) return this.text('stdout', chunk);
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    while (this.pending.length - at >= 8) {
      const size = this.pending.readUInt32BE(at + 4);
      if (this.pending.length - at - 8 < size) break;
      const kind = this.pending[at];
      // 0 stdin (never sent), 1 stdout, 2 stderr; anything else is not a frame header: treat the
      // rest as raw text rather than drop it.
      if (kind !== 1 && kind !== 2) {
        this.text('stdout', this.pending.subarray(at));
        at = this.pending.length;
        break;
      }
      this.text(kind === 2 ? 'stderr' : 'stdout', this.pending.subarray(at + 8, at + 8 + size));
      at += 8 + size;
    }
    this.pending = at === this.pending.length ? Buffer.alloc(0) : this.pending.subarray(at);
  }

  /** The stream ended: a last line without a newline is still a line. */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const a = this.streams[stream];
      a.line += a.decoder.decode();
      if (a.line.length || a.dropped) this.flush(stream, a);
    }
  }

  private text(stream: LogStream, bytes: Buffer): void {
    const a = this.streams[stream];
    const text = a.decoder.decode(bytes, { stream: true });
    let from = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
      this.append(a, text, from, nl);
      this.flush(stream, a);
      from = nl + 1;
    }
    this.append(a, text, from, text.length);
  }

  private append(a: Assembler, text: string, from: number, to: number): void {
    const room = this.maxLine - a.line.length;
    if (to - from <= room) a.line += text.slice(from, to);
    else {
      if (room > 0) a.line += text.slice(from, from + room);
      a.dropped += to - from - Math.max(0, room);
    }
  }

  private flush(stream: LogStream, a: Assembler): void {
    const line = a.dropped ? `${a.line} [... ${a.dropped} more characters]` : a.line;
    a.line = '';
    a.dropped = 0;
    this.emit(stream, line);
  }
}
