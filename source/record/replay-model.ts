// A recording as replay reads it: the snapshot and the log lines at any recorded second. Chunks are
// decoded when first needed and the last few kept: a step or play moves within one chunk (a patch
// applied), a seek inflates one chunk (at most 2 minutes) and parses and applies its seconds only as
// far as the one asked. Everything read from the file is sanitized and given the shape of a snapshot
// before anything draws it.
import type { LogLine } from '../cluster/logs.js';
import { levelOf } from '../cluster/logs.js';
import type { Snapshot } from '../cluster/types.js';
import { sanitize } from '../text/sanitize.js';
import type { Json } from './patch.js';
import { ALIASES_KEY, fromRecorded } from './recorded-form.js';
import { type Chunk, ChunkReader, chunkAt, type Entry, type Recording } from './recording.js';
import { asSnapshot } from './snapshot-shape.js';

/** Log lines of the seconds read, in the order they came, and where each second's lines end. */
interface Lines {
  lines: LogLine[];
  linesEnd: number[];
  seqBase: number;
}

interface Decoded extends Lines {
  reader: ChunkReader;
}

/** Decoded chunks kept: the one shown, the one before it (its log lines), one more for stepping back. */
const KEPT = 3;

/** A recorded second for the screen: its snapshot, the log lines that came in it, and (worked out
 * when asked: most frames need only the current chunk's) every line up to it. */
export interface Frame {
  t: number;
  snapshot: Snapshot;
  own: LogLine[];
  /** This chunk's lines up to the second shown. */
  recent: LogLine[];
  /** The chunk before's lines and `recent`: at least 2 minutes of logs. */
  all(): LogLine[];
}

export class ReplayModel {
  /** Each recorded second, in order: where stepping goes. */
  readonly times: number[];
  private readonly decoded = new Map<Chunk, Decoded>();
  private readonly index = new Map<Chunk, number>();
  readonly warnings: string[];

  constructor(readonly rec: Recording) {
    this.warnings = [...rec.warnings];
    this.times = rec.chunks.flatMap((c) => c.records.map((r) => r.time));
    rec.chunks.forEach((c, i) => {
      this.index.set(c, i);
    });
  }

  /** The recorded second at or before `t` (the first one when `t` is before it). */
  timeAt(t: number): number {
    let lo = 0;
    let hi = this.times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.times[mid] as number) <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.times[lo] ?? this.rec.start;
  }

  /** The second `n` recorded seconds from the one at `t`. */
  stepFrom(t: number, n: number): number {
    const at = this.timeAt(t);
    let lo = 0;
    let hi = this.times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.times[mid] as number) < at) lo = mid + 1;
      else hi = mid;
    }
    return this.times[Math.max(0, Math.min(this.times.length - 1, lo + n))] ?? t;
  }

  /** The snapshot recorded at `t` (the last at or before it); null when that chunk cannot be read
   * (the warnings say why). */
  frameAt(t: number): Frame | null {
    const chunk = chunkAt(this.rec, t);
    const d = this.decode(chunk);
    if (!d) return null;
    const i = d.reader.indexAt(t);
    const state = d.reader.stateAt(i);
    if (state === null) return null;
    const at = Math.min(i, d.reader.entries.length - 1);
    const snapshot = asSnapshot(fromRecorded(state));
    if (!snapshot) {
      this.warn(`the snapshot at ${new Date(t).toISOString()} is not one of tfmon's`);
      return null;
    }
    const upTo = d.linesEnd[at] ?? 0;
    const recent = d.lines.slice(0, upTo);
    const index = this.index.get(chunk) ?? 0;
    let all: LogLine[] | null = null;
    return {
      t: (d.reader.entries[at] as Entry).t,
      snapshot,
      own: d.lines.slice(at > 0 ? (d.linesEnd[at - 1] ?? 0) : 0, upTo),
      recent,
      all: () => {
        if (all) return all;
        const previous = index > 0 ? this.decode(this.rec.chunks[index - 1] as Chunk) : null;
        previous?.reader.readAll(); // its lines
        all = previous ? [...previous.lines, ...recent] : recent;
        return all;
      },
    };
  }

  private warn(w: string): void {
    if (!this.warnings.includes(w)) this.warnings.push(w);
  }

  /** A second's log lines, their nodes' aliases read from the state they came with. */
  private linesOf(d: Lines, e: Entry, state: Json): void {
    const listed = state !== null && typeof state === 'object' && !Array.isArray(state) ? state[ALIASES_KEY] : null;
    const ids = listed !== null && typeof listed === 'object' && !Array.isArray(listed) ? listed : {};
    for (const l of Array.isArray(e.logs) ? e.logs : []) {
      const line = logLineOf(l, e.t, ids, d.seqBase + d.lines.length);
      if (line) d.lines.push(line);
    }
    // Lines the recorder counted but did not keep: said where they were, so that no gap is silent.
    const dropped = e.dropped && typeof e.dropped === 'object' ? Object.entries(e.dropped) : [];
    for (const [alias, n] of dropped) {
      if (typeof n !== 'number' || !(n > 0)) continue;
      const text = `[tfmon: ${n} more line${n === 1 ? '' : 's'} this second, over the recording's allowance: not kept]`;
      const line = logLineOf([alias, 'o', 0, text], e.t, ids, d.seqBase + d.lines.length);
      if (line) d.lines.push({ ...line, ts: new Date(e.t).toISOString(), time: e.t });
    }
    d.linesEnd.push(d.lines.length);
  }

  private decode(chunk: Chunk): Decoded | null {
    const kept = this.decoded.get(chunk);
    if (kept) {
      // Most recently used last.
      this.decoded.delete(chunk);
      this.decoded.set(chunk, kept);
      return kept;
    }
    const lines: Lines = { lines: [], linesEnd: [], seqBase: (this.index.get(chunk) ?? 0) * 10_000_000 };
    const reader = ChunkReader.open(
      chunk,
      (w) => this.warn(w),
      (e, state) => this.linesOf(lines, e, state),
    );
    if (!reader) return null;
    const d: Decoded = { ...lines, reader };
    this.decoded.set(chunk, d);
    while (this.decoded.size > KEPT) this.decoded.delete(this.decoded.keys().next().value as Chunk);
    return d;
  }
}

function logLineOf(l: unknown, at: number, ids: Record<string, unknown>, seq: number): LogLine | null {
  if (!Array.isArray(l) || l.length < 4) return null;
  const [alias, stream, time, text] = l as unknown[];
  if (typeof alias !== 'string' || typeof text !== 'string') return null;
  const id = Object.hasOwn(ids, alias) && typeof ids[alias] === 'string' ? (ids[alias] as string) : alias;
  const ms = typeof time === 'number' && Number.isFinite(time) && at + time > 0 ? at + time : 0;
  const clean = sanitize(text);
  return {
    seq,
    node: id,
    stream: stream === 'e' ? 'stderr' : 'stdout',
    ts: ms ? new Date(ms).toISOString() : null,
    time: ms,
    text: clean,
    level: levelOf(clean),
  };
}
