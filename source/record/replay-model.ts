// A recording as replay reads it: the snapshot and the log lines at any recorded second. Chunks are
// decoded when first needed and the last few kept: a step or play moves within one chunk (a patch
// applied), a seek decodes one chunk (at most 5 minutes of patches). Everything read from the file
// is sanitized and given the shape of a snapshot before anything draws it.
import type { LogLine } from '../cluster/logs.js';
import { levelOf } from '../cluster/logs.js';
import type { Snapshot } from '../cluster/types.js';
import { sanitize } from '../text/sanitize.js';
import { apply, type Json } from './patch.js';
import { ALIASES_KEY } from './recorded-form.js';
import { asSnapshot } from './snapshot-shape.js';
import { type Chunk, chunkAt, type Entry, entriesOf, type Recording } from './recording.js';
import { fromRecorded } from './recorded-form.js';

interface Decoded {
  entries: Entry[];
  /** The recorded state after each entry, computed as far as asked. */
  states: Json[];
  /** Its log lines in the order they came, and where each entry's lines end. */
  lines: LogLine[];
  linesEnd: number[];
}

/** Decoded chunks kept: the one shown, the one before it (its log lines), one more for stepping back. */
const KEPT = 3;

export class ReplayModel {
  /** Each recorded second, in order: where stepping goes. */
  readonly times: number[];
  private readonly decoded = new Map<Chunk, Decoded>();
  readonly warnings: string[];

  constructor(readonly rec: Recording) {
    this.warnings = [...rec.warnings];
    this.times = rec.chunks.flatMap((c) => c.records.map((r) => r.time));
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
    const i = this.times.indexOf(this.timeAt(t));
    return this.times[Math.max(0, Math.min(this.times.length - 1, i + n))] ?? t;
  }

  /** The snapshot recorded at `t` (the last at or before it) and its time; null when that chunk
   * cannot be read (the warnings say why). */
  frameAt(t: number): { t: number; snapshot: Snapshot; lines: LogLine[]; own: LogLine[] } | null {
    const chunk = chunkAt(this.rec, t);
    const d = this.decode(chunk);
    let i = -1;
    for (let k = 0; k < d.entries.length && (d.entries[k] as Entry).t <= t; k++) i = k;
    if (i < 0) i = 0;
    const state = this.stateOf(d, i);
    if (state === null) return null;
    const snapshot = asSnapshot(fromRecorded(state));
    if (!snapshot) {
      this.warn(`the snapshot at ${new Date(t).toISOString()} is not one of tfmon's`);
      return null;
    }
    // Lines: the chunk before this one's, then this one's up to the second shown.
    const index = this.rec.chunks.indexOf(chunk);
    const before = index > 0 ? this.decode(this.rec.chunks[index - 1] as Chunk).lines : [];
    const upTo = d.linesEnd[i] ?? 0;
    const lines = before.length > 0 ? [...before, ...d.lines.slice(0, upTo)] : d.lines.slice(0, upTo);
    // `own`: the lines that came in that second itself.
    const own = d.lines.slice(i > 0 ? (d.linesEnd[i - 1] ?? 0) : 0, upTo);
    return { t: (d.entries[i] as Entry).t, snapshot, lines, own };
  }

  private warn(w: string): void {
    if (!this.warnings.includes(w)) this.warnings.push(w);
  }

  private stateOf(d: Decoded, i: number): Json | null {
    if (d.entries.length === 0) return null;
    for (let k = d.states.length; k <= i; k++) {
      const e = d.entries[k] as Entry;
      if (k === 0) {
        d.states.push(e.key as Json);
        continue;
      }
      if (!e.patch) {
        d.states.push(d.states[k - 1] as Json);
        continue;
      }
      try {
        d.states.push(apply(d.states[k - 1], e.patch));
      } catch {
        this.warn(`a patch at ${new Date(e.t).toISOString()} does not fit its snapshot: the chunk stops there`);
        d.entries.length = k;
        break;
      }
    }
    return d.states[Math.min(i, d.states.length - 1)] ?? null;
  }

  private decode(chunk: Chunk): Decoded {
    const kept = this.decoded.get(chunk);
    if (kept) {
      // Most recently used last.
      this.decoded.delete(chunk);
      this.decoded.set(chunk, kept);
      return kept;
    }
    const warnings: string[] = [];
    const entries = entriesOf(chunk, warnings);
    for (const w of warnings) this.warn(w);
    const base = this.rec.chunks.indexOf(chunk) * 10_000_000;
    const lines: LogLine[] = [];
    const linesEnd: number[] = [];
    let ids: Record<string, unknown> = {};
    for (const e of entries) {
      const key = e.key as Record<string, unknown> | undefined;
      if (key && typeof key === 'object' && key[ALIASES_KEY] && typeof key[ALIASES_KEY] === 'object')
        ids = key[ALIASES_KEY] as Record<string, unknown>;
      const set = aliasesSet(e);
      if (set) ids = { ...ids, ...set };
      for (const l of Array.isArray(e.logs) ? e.logs : []) {
        const line = logLineOf(l, e.t, ids, base + lines.length);
        if (line) lines.push(line);
      }
      linesEnd.push(lines.length);
    }
    const d: Decoded = { entries, states: [], lines, linesEnd };
    this.decoded.set(chunk, d);
    while (this.decoded.size > KEPT) this.decoded.delete(this.decoded.keys().next().value as Chunk);
    return d;
  }
}

/** Aliases a patch added (a node that appeared that second). */
function aliasesSet(e: Entry): Record<string, unknown> | null {
  const p = e.patch;
  if (!Array.isArray(p) || p[0] !== 'o') return null;
  const ids = (p[1] as Record<string, unknown>)[ALIASES_KEY];
  if (!Array.isArray(ids)) return null;
  if (ids[0] === '=' && ids[1] && typeof ids[1] === 'object') return ids[1] as Record<string, unknown>;
  if (ids[0] !== 'o' || !ids[1] || typeof ids[1] !== 'object') return null;
  const out: Record<string, unknown> = {};
  for (const [a, v] of Object.entries(ids[1] as Record<string, unknown>))
    if (Array.isArray(v) && v[0] === '=') out[a] = v[1];
  return out;
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
