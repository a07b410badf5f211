// Docker's log stream → lines. Non-TTY containers send frames (8-byte header: stream, 0, 0, 0,
// big-endian length) that chunks can cut anywhere; TTY containers send raw bytes. Each stream is
// decoded as UTF-8 on its own (invalid bytes become U+FFFD) and split on newlines; a line longer
// than the cap keeps its head and counts the rest, so a 1 MB line never becomes a 1 MB string; its
// tail is kept too (a progress bar rewritten in place says what it says last). A line still open when
// a frame ends (a bar rewritten without a newline; Docker splits lines at 16 KiB) can be told to a
// reader of progress as it grows.
import type { LogStream } from '../cluster/logs.js';
import { FrameSplitter } from './frames.js';

export const MAX_LINE = 2048;

interface Assembler {
  decoder: TextDecoder;
  line: string;
  dropped: number;
  /** The last maxLine characters, once the line is longer than that. */
  tail: string;
}

/** A line as decoded: its head (cut at the cap) and, when it was cut, its last characters. */
export type LineSink = (stream: LogStream, line: string, tail?: string) => void;

export class LogDecoder {
  private readonly frames = new FrameSplitter((stream, payload) => this.text(stream, payload));
  private readonly streams: Record<LogStream, Assembler> = {
    stdout: { decoder: new TextDecoder('utf-8', { fatal: false }), line: '', dropped: 0, tail: '' },
    stderr: { decoder: new TextDecoder('utf-8', { fatal: false }), line: '', dropped: 0, tail: '' },
  };

  constructor(
    private readonly tty: boolean,
    private readonly emit: LineSink,
    private readonly maxLine = MAX_LINE,
    /** Told the end of a line not finished yet, after each piece of it. */
    private readonly partial?: (stream: LogStream, tail: string) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.tty) this.text('stdout', chunk);
    else this.frames.push(chunk);
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
    if (this.partial && from < text.length) this.partial(stream, a.dropped ? a.tail : a.line);
  }

  private append(a: Assembler, text: string, from: number, to: number): void {
    const room = this.maxLine - a.line.length;
    if (to - from <= room) a.line += text.slice(from, to);
    else {
      const rest = text.slice(from + Math.max(0, room), to);
      a.tail = ((a.dropped ? a.tail : a.line + text.slice(from, from + Math.max(0, room))) + rest).slice(-this.maxLine);
      if (room > 0) a.line += text.slice(from, from + room);
      a.dropped += to - from - Math.max(0, room);
    }
  }

  private flush(stream: LogStream, a: Assembler): void {
    const line = a.dropped ? `${a.line} [... ${a.dropped} more characters]` : a.line;
    const tail = a.dropped ? a.tail : undefined;
    a.line = '';
    a.dropped = 0;
    a.tail = '';
    this.emit(stream, line, tail);
  }
}
