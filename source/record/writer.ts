// Writes a recording: appends, one whole record a second, so that a kill loses at most the second
// being written. A chunk (one raw-deflate stream) starts with a whole snapshot every `keyEveryMs`
// and then holds what changed each second; each second's record ends on a sync flush of the stream,
// so it decodes without the ones after it.
import {
  closeSync,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { constants, createDeflateRaw, type DeflateRaw } from 'node:zlib';
import { encodeRecord, KIND, type Kind, SIGNATURE } from './frames.js';
import type { LogLine } from '../cluster/logs.js';
import type { Snapshot } from '../cluster/types.js';
import { eventsBetween } from './events.js';
import { diff, type Json } from './patch.js';
import { Aliases, toRecorded } from './recorded-form.js';
import { firstChunkTime, retained } from './retain.js';
import { type Entry, type RecordedLine, type RecordHeader, SCHEMA } from './recording.js';

export interface WriterOptions {
  /** A whole snapshot at least this often (the cost of a seek: at most this much to replay). */
  keyEveryMs?: number;
  /** --retain: drop the chunks older than this (ms); --max-size: keep the file under this (bytes). */
  retainMs?: number | null;
  maxBytes?: number | null;
}

/** Two minutes: a seek parses and applies at most 119 seconds of changes (50 busy nodes: 55 ms at
 * the median, 110 at most; with 5 minutes it was 90 and 150), and a whole snapshot of 50 nodes is
 * 6–18 KiB compressed (a seventh of the file at this pace; a third every minute). */
export const KEY_EVERY_MS = 120_000;

export class RecordWriter {
  private fd: number;
  private readonly retainMs: number | null;
  private readonly maxBytes: number | null;
  /** Times the oldest chunks were dropped (--retain, --max-size). */
  compactions = 0;
  /** When the file's first chunk starts (known without reading the file again); null: none yet. */
  private oldest: number | null = null;
  private readonly keyEveryMs: number;
  private stream: DeflateRaw | null = null;
  private streamStart = 0;
  private previous: Json | undefined;
  private seen: Snapshot | undefined;
  private readonly aliases = new Aliases();
  private pending: Buffer[] = [];
  /** Records are written in the order their seconds were added. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  bytesWritten = 0;

  /** Opens (or creates) the file; a file that has something else in it is refused. */
  constructor(
    readonly path: string,
    header: Omit<RecordHeader, 'schema'>,
    options: WriterOptions = {},
  ) {
    this.keyEveryMs = options.keyEveryMs ?? KEY_EVERY_MS;
    this.retainMs = options.retainMs ?? null;
    this.maxBytes = options.maxBytes ?? null;
    this.fd = openSync(path, 'a+', 0o600);
    const size = fstatSync(this.fd).size;
    if (size === 0) {
      this.write(SIGNATURE);
    } else {
      const head = Buffer.alloc(SIGNATURE.length);
      readSync(this.fd, head, 0, head.length, 0);
      if (!head.equals(SIGNATURE)) {
        closeSync(this.fd);
        throw new Error(`${path} exists and is not a tfmon recording: not writing into it`);
      }
      // Read once, here: what --retain measures the age of.
      if (this.retainMs !== null) this.oldest = firstChunkTime(readFileSync(path));
    }
    // Appending to a recording starts a new session: its header, then its own chunks.
    this.write(encodeRecord(KIND.header, Date.now(), Buffer.from(JSON.stringify({ schema: SCHEMA, ...header }))));
  }

  /** One second of the cluster: its snapshot (recorded as a whole or as what changed), the log
   * lines that came in it (already capped by the caller; `dropped`: lines over the cap, by node
   * id), and the events it holds (told from the snapshot before). */
  add(
    t: number,
    snapshot: Snapshot,
    lines: readonly LogLine[] = [],
    dropped: Record<string, number> = {},
  ): Promise<void> {
    if (this.closed) return this.queue;
    const state = toRecorded(snapshot, this.aliases);
    const events = eventsBetween(this.seen, snapshot);
    this.seen = snapshot;
    let kind: Kind = KIND.step;
    let entry: Entry;
    const before = this.stream;
    if (!this.stream || t - this.streamStart >= this.keyEveryMs) {
      this.stream = createDeflateRaw({ level: 6 });
      this.stream.on('data', (b: Buffer) => this.pending.push(b));
      this.streamStart = t;
      kind = KIND.key;
      entry = { t, key: state };
    } else {
      const patch = diff(this.previous, state);
      entry = patch ? { t, patch } : { t };
    }
    if (lines.length > 0)
      entry.logs = lines.map(
        (l): RecordedLine => [
          this.aliases.of(l.node),
          l.stream === 'stderr' ? 'e' : 'o',
          l.time > 0 ? l.time - t : null,
          l.text,
        ],
      );
    const over = Object.entries(dropped).filter(([, n]) => n > 0);
    if (over.length > 0) entry.dropped = Object.fromEntries(over.map(([id, n]) => [this.aliases.of(id), n]));
    this.previous = state;
    const stream = this.stream;
    const line = `${JSON.stringify(entry)}\n`;
    this.queue = this.queue.then(
      () =>
        new Promise<void>((resolve) => {
          if (before !== stream) before?.close(); // its last second is written: the queue is in order
          stream.write(line);
          stream.flush(constants.Z_SYNC_FLUSH, () => {
            const payload = Buffer.concat(this.pending);
            this.pending = [];
            this.write(encodeRecord(kind, t, payload));
            if (events.length > 0) this.write(encodeRecord(KIND.event, t, Buffer.from(JSON.stringify(events))));
            // A new chunk: the moment old ones may go (at most once a chunk).
            if (kind === KIND.key) this.bound(t);
            resolve();
          });
        }),
    );
    return this.queue;
  }

  /** Waits for what was added, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    this.stream?.close();
    closeSync(this.fd);
  }

  /** Drops the oldest chunks the bounds ask to: the kept bytes written to a new file that is then
   * renamed over this one (a crash leaves the old file or the new, whole), and appending goes on.
   * Not at every chunk: the file is copied only once it is 10 % past a bound (older than the span
   * by a tenth of it, or larger than the size), and cut back to the span or to 90 % of the size —
   * so a file at its bound is copied every few hours, not every two minutes. */
  private bound(t: number): void {
    this.oldest ??= t;
    const old = this.retainMs !== null && this.oldest < t - this.retainMs * 1.1;
    const big = this.maxBytes !== null && fstatSync(this.fd).size > this.maxBytes;
    if (!old && !big) return;
    const kept = retained(readFileSync(this.path), {
      from: this.retainMs === null ? null : t - this.retainMs,
      maxBytes: this.maxBytes === null ? null : Math.floor(this.maxBytes * 0.9),
    });
    if (!kept) return;
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, kept.bytes, { mode: 0o600 });
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.path);
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a+', 0o600);
    this.oldest = kept.start;
    this.compactions++;
  }

  private write(b: Buffer): void {
    writeSync(this.fd, b);
    this.bytesWritten += b.length;
  }
}
