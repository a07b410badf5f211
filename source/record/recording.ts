// A recording read back: its header, its chunks (a whole snapshot, then a patch a second), and the
// cluster's state at any time in it. Nothing in the file is trusted: a torn or corrupted stretch is
// skipped with one warning, a chunk that does not decode ends where it stops decoding, and a file of
// a newer schema is refused in one line.
import { constants, inflateRawSync } from 'node:zlib';
import type { EventKind, RecordedEvent } from './events.js';
import { KIND, RECORD_HEAD, type RawRecord, scanRecords } from './frames.js';
import { apply, type Json, type Patch } from './patch.js';
import { fromRecorded } from './recorded-form.js';

/** 2: figures at display precision, container ids aliased, log lines and events (1 reads too). */
export const SCHEMA = 2;

export interface RecordHeader {
  schema: number;
  /** tfmon's version that wrote it. */
  tfmon: string;
  /** What was watched: the engine, the network, the label filter. */
  engine: string;
  network: string;
  /** The nodes when recording started: name, image, role, TF_CONFIG or rank environment. */
  nodes: Json;
  /** Log lines kept per node and second (those over it are counted, not kept); null: no logs. */
  logCap: number | null;
  /** Lines a quiet node may print at once and all be kept (absent before it was written). */
  logBurst?: number | null;
}

/** A log line as recorded: the node's alias, stdout (o) or stderr (e), its time (ms from its
 * entry's time: a few digits, not thirteen; null when the engine gave none) and its text (sanitized
 * when read, as everything in a file). */
export type RecordedLine = [alias: string, stream: 'o' | 'e', time: number | null, text: string];

/** One line of a chunk: a whole snapshot (`key`, the chunk's first) or what changed since the line
 * before (`patch`, absent when nothing did). */
export interface Entry {
  t: number;
  key?: Json;
  patch?: Patch;
  /** The log lines that came in that second, and how many over the cap were not kept, by alias. */
  logs?: RecordedLine[];
  dropped?: Record<string, number>;
}

export interface Chunk {
  /** Time of its whole snapshot. */
  start: number;
  records: RawRecord[];
}

export interface Recording {
  header: RecordHeader;
  chunks: Chunk[];
  /** First and last time recorded (ms since the epoch). */
  start: number;
  end: number;
  /** What happened, in time order (the marks of replay's `[`/`]`). */
  events: RecordedEvent[];
  /** One line each: what was skipped and why. */
  warnings: string[];
}

const EVENT_KINDS: ReadonlySet<string> = new Set<EventKind>([
  'problem',
  'resolved',
  'exit',
  'oom',
  'restart',
  'start',
  'new',
  'gone',
  'engine',
]);

/** An event record's events; what is not one is left out. */
function eventsOf(r: RawRecord): RecordedEvent[] {
  let list: unknown;
  try {
    list = JSON.parse(r.payload.toString('utf8'));
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  const out: RecordedEvent[] = [];
  for (const e of list as unknown[]) {
    const o = e as Partial<RecordedEvent> | null;
    if (typeof o !== 'object' || o === null || typeof o.kind !== 'string' || !EVENT_KINDS.has(o.kind)) continue;
    if (typeof o.text !== 'string') continue;
    out.push({ t: r.time, kind: o.kind, node: typeof o.node === 'string' ? o.node : null, text: o.text });
  }
  return out;
}

function parseHeader(payload: Buffer): RecordHeader {
  let h: unknown;
  try {
    h = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new Error('the recording header is not JSON');
  }
  const o = h as Partial<RecordHeader> | null;
  if (typeof o !== 'object' || o === null || typeof o.schema !== 'number') {
    throw new Error('the recording header has no schema version');
  }
  if (o.schema > SCHEMA) {
    throw new Error(
      `this recording was written by a newer tfmon (${String(o.tfmon)}, schema ${o.schema}); this tfmon reads schema ${SCHEMA}`,
    );
  }
  return {
    schema: o.schema,
    tfmon: String(o.tfmon ?? '?'),
    engine: String(o.engine ?? '?'),
    network: String(o.network ?? '?'),
    nodes: o.nodes ?? null,
    logCap: typeof o.logCap === 'number' ? o.logCap : null,
    logBurst: typeof o.logBurst === 'number' ? o.logBurst : null,
  };
}

/** A recording from its bytes. Throws (one line) only when nothing in it can be read. */
export function readRecording(buf: Buffer): Recording {
  const scan = scanRecords(buf);
  const warnings: string[] = [];
  if (scan.skipped > 0) {
    warnings.push(
      `skipped ${scan.skipped} bytes that are not whole records (from byte ${scan.firstSkipAt}): a torn end or a damaged stretch`,
    );
  }
  let header: RecordHeader | null = null;
  const chunks: Chunk[] = [];
  let current: Chunk | null = null;
  let orphans = 0;
  let last: RawRecord | null = null;
  const events: RecordedEvent[] = [];
  for (const r of scan.records) {
    if (r.kind === KIND.event) {
      events.push(...eventsOf(r));
    } else if (r.kind === KIND.header) {
      header ??= parseHeader(r.payload);
      current = null; // a new session: its steps follow its own key
    } else if (r.kind === KIND.key) {
      current = { start: r.time, records: [r] };
      chunks.push(current);
    } else if (current && last && last.offset + RECORD_HEAD + last.payload.length === r.offset) {
      // A step continues its chunk's stream only if nothing was skipped since the record before.
      current.records.push(r);
    } else {
      current = null;
      orphans++;
    }
    last = r;
  }
  if (orphans > 0) warnings.push(`skipped ${orphans} seconds whose chunk start was lost`);
  if (!header) throw new Error('the recording has no readable header');
  if (chunks.length === 0) throw new Error('the recording holds no snapshot yet');
  const lastChunk = chunks[chunks.length - 1] as Chunk;
  const end = lastChunk.records[lastChunk.records.length - 1]?.time ?? lastChunk.start;
  // Two sessions of one file are in time order; a clock set back is not: sorted, stably.
  events.sort((a, b) => a.t - b.t);
  return { header, chunks, start: (chunks[0] as Chunk).start, end, events, warnings };
}

/** A chunk's text, one JSON line per second; null when it does not decode (a warning says so). */
function chunkText(chunk: Chunk, warn: (w: string) => void): string[] | null {
  const stream = Buffer.concat(chunk.records.map((r) => r.payload));
  try {
    // Each record ends on a sync flush: what is there decodes without the stream's end.
    const text = inflateRawSync(stream, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
    return text.split('\n').filter((line) => line !== '');
  } catch {
    warn(`a chunk at ${new Date(chunk.start).toISOString()} does not decode: skipped`);
    return null;
  }
}

/** A chunk read only as far as asked: inflated once, then each second parsed and its patch applied
 * when a second at or after it is wanted (a seek into a chunk pays for the seconds up to it, not
 * for the chunk). A line that does not parse or a patch that does not fit ends the chunk there. */
export class ChunkReader {
  readonly entries: Entry[] = [];
  /** The recorded state after each entry read. */
  readonly states: Json[] = [];
  private readable: number;

  /** The chunk's reader; null when it does not decode. `onEntry` is told of each second read. */
  static open(
    chunk: Chunk,
    warn: (w: string) => void,
    onEntry: (e: Entry, state: Json) => void = () => undefined,
  ): ChunkReader | null {
    const text = chunkText(chunk, warn);
    return text && text.length > 0 ? new ChunkReader(chunk, text, warn, onEntry) : null;
  }

  private constructor(
    readonly chunk: Chunk,
    private readonly text: string[],
    private readonly warn: (w: string) => void,
    private readonly onEntry: (e: Entry, state: Json) => void,
  ) {
    this.readable = text.length;
  }

  /** The index of the recorded second at or before `t` (each record holds one second). */
  indexAt(t: number): number {
    const records = this.chunk.records;
    let i = 0;
    while (i + 1 < records.length && (records[i + 1] as RawRecord).time <= t) i++;
    return i;
  }

  /** The state after second `i` (or the last one readable before it); null when none is. */
  stateAt(i: number): Json | null {
    for (let k = this.entries.length; k <= i && k < this.readable; k++) {
      const e = this.entryAt(k);
      let state: Json | undefined;
      if (e && k === 0) state = e.key as Json;
      else if (e && !e.patch) state = this.states[k - 1];
      else if (e?.patch) {
        try {
          state = apply(this.states[k - 1], e.patch);
        } catch {
          this.warn(`a patch at ${new Date(e.t).toISOString()} does not fit its snapshot: the chunk stops there`);
        }
      }
      if (!e || state === undefined) {
        this.readable = k;
        break;
      }
      this.entries.push(e);
      this.states.push(state);
      this.onEntry(e, state);
    }
    return this.states[Math.min(i, this.states.length - 1)] ?? null;
  }

  /** Every second readable, read. */
  readAll(): void {
    this.stateAt(this.readable - 1);
  }

  /** Line `k` as an entry; null where the chunk stops being readable (not JSON, not an entry, or a
   * first line that is not a whole snapshot). */
  private entryAt(k: number): Entry | null {
    let e: unknown;
    try {
      e = JSON.parse(this.text[k] as string);
    } catch {
      this.warn(`a chunk at ${new Date(this.chunk.start).toISOString()} ends in a line that is not JSON`);
      return null;
    }
    const entry = e as Entry | null;
    if (typeof entry !== 'object' || entry === null || typeof entry.t !== 'number') return null;
    if (k === 0 && entry.key === undefined) return null; // a chunk starts with its whole snapshot
    return entry;
  }
}

/** The chunk that holds time `t`: the last one starting at or before it (the first if none). */
export function chunkAt(rec: Recording, t: number): Chunk {
  let lo = 0;
  let hi = rec.chunks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((rec.chunks[mid] as Chunk).start <= t) lo = mid;
    else hi = mid - 1;
  }
  return rec.chunks[lo] as Chunk;
}

/** The recorded snapshot at time `t` (the last one at or before it; container ids as the snapshot
 * had them), and its time; null when the chunk that holds it cannot be read. */
export function stateAt(rec: Recording, t: number, warnings: string[] = []): { t: number; snapshot: Json } | null {
  const reader = ChunkReader.open(chunkAt(rec, t), (w) => warnings.push(w));
  const state = reader?.stateAt(reader.indexAt(t)) ?? null;
  if (!reader || state === null) return null;
  const at = reader.entries[Math.min(reader.indexAt(t), reader.entries.length - 1)] as Entry;
  return { t: at.t, snapshot: fromRecorded(state) };
}
