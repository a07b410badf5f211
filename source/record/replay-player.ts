// Replay's clock: where in the recording the screen is, playing or not and how fast, and the
// snapshot and log lines there — given to the screen as the monitor's are (a snapshot source and a
// log source), so that the same screen draws a recording. No Docker anywhere.
import type { LogLine } from '../cluster/logs.js';
import type { NodeView, Snapshot } from '../cluster/types.js';
import { parseAt } from './at.js';
import type { RecordedEvent } from './events.js';
import { type Frame, ReplayModel } from './replay-model.js';
import type { Recording } from './recording.js';

export const SPEEDS = [1, 10, 60] as const;
export type Speed = (typeof SPEEDS)[number];

/** What the time bar shows. */
export interface TimelineView {
  at: number;
  start: number;
  end: number;
  playing: boolean;
  speed: Speed;
  events: readonly RecordedEvent[];
  /** The last event at or before `at` (its index in `events`), or -1. */
  eventIndex: number;
  /** Why this second shows nothing new (a chunk that does not decode), or null. */
  gap: string | null;
}

export type TimeMove = 'back' | 'forward' | 'previousEvent' | 'nextEvent' | 'play' | 'speed';

/** Play advances in ticks of this many ms (a recorded second at 1x, 10 or 60 of them faster). */
const TICK_MS = 250;

export class ReplayPlayer {
  private readonly model: ReplayModel;
  private at: number;
  private shown: Frame;
  private playing = false;
  private speed: Speed = 1;
  private gap: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Where play is, between recorded seconds. */
  private playClock = 0;
  private readonly listeners = new Set<() => void>();
  private view: TimelineView;
  private version = 0;
  /** Per node, for the log panes: built when first asked for a frame (this chunk's lines, and
   * every line held: the chunk before's too). */
  private byNode: { recent: Map<string, LogLine[]>; all: Map<string, LogLine[]> | null } | null = null;

  constructor(
    readonly rec: Recording,
    at = rec.start,
  ) {
    this.model = new ReplayModel(rec);
    this.at = this.model.timeAt(at);
    const first = this.model.frameAt(this.at) ?? this.firstReadable();
    this.shown = first;
    this.eventCursor = this.lastEventAtOrBefore(this.at);
    this.view = this.makeView();
  }

  get warnings(): readonly string[] {
    return this.model.warnings;
  }

  private firstReadable(): Frame {
    for (const t of this.model.times) {
      const f = this.model.frameAt(t);
      if (f) {
        this.at = f.t;
        return f;
      }
    }
    throw new Error('no second of the recording can be read');
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): Snapshot => this.shown.snapshot;
  getTimeline = (): TimelineView => this.view;
  getVersion = (): number => this.version;

  /** Replay's time now: uptimes and ages are as they were then. */
  clock = (): number => this.at;

  /** The event shown: the last at or before the time shown, or the one `[`/`]` landed on (several
   * can share a second: a node exits and its problem opens). */
  private eventCursor = -1;

  private lastEventAtOrBefore(t: number): number {
    const events = this.rec.events;
    let i = -1;
    while (i + 1 < events.length && (events[i + 1] as RecordedEvent).t <= t) i++;
    return i;
  }

  private makeView(): TimelineView {
    const events = this.rec.events;
    const eventIndex = this.eventCursor;
    return {
      at: this.at,
      start: this.rec.start,
      end: this.rec.end,
      playing: this.playing,
      speed: this.speed,
      events,
      eventIndex,
      gap: this.gap,
    };
  }

  private changed(): void {
    this.view = this.makeView();
    this.version++;
    for (const l of this.listeners) l();
  }

  /** Shows the recorded second at or before `t`; the event shown is the last one up to it, or
   * `event` (an index into the events) when a jump landed on it. */
  seek(t: number, event?: number): void {
    const clamped = Math.max(this.rec.start, Math.min(this.rec.end, t));
    this.playClock = clamped;
    const to = this.model.timeAt(clamped);
    const frame = this.model.frameAt(to);
    this.at = to;
    if (frame) {
      this.shown = frame;
      this.byNode = null;
      this.gap = null;
    } else {
      this.gap = this.model.warnings.at(-1) ?? 'this second cannot be read';
    }
    this.eventCursor = event ?? this.lastEventAtOrBefore(this.at);
    if (this.at >= this.rec.end) this.setPlaying(false);
    this.changed();
  }

  move(m: TimeMove): void {
    const events = this.rec.events;
    switch (m) {
      case 'back':
        this.seek(this.model.stepFrom(this.at, -1));
        return;
      case 'forward':
        this.seek(this.model.stepFrom(this.at, 1));
        return;
      // One event at a time, in the file's order (the next of the same second first); back from
      // a time past the event shown, that event itself.
      case 'previousEvent': {
        const c = this.eventCursor;
        const i = c >= 0 && (events[c] as RecordedEvent).t === this.at ? c - 1 : c;
        const e = events[i];
        if (e) this.seek(e.t, i);
        return;
      }
      case 'nextEvent': {
        const i = this.eventCursor + 1;
        const e = events[i];
        if (e) this.seek(e.t, i);
        return;
      }
      case 'play':
        this.setPlaying(!this.playing && this.at < this.rec.end);
        this.changed();
        return;
      case 'speed':
        this.speed = SPEEDS[(SPEEDS.indexOf(this.speed) + 1) % SPEEDS.length] as Speed;
        this.changed();
        return;
    }
  }

  /** `b`: a time as --at takes it; an error in words, or null when it went there. */
  goTo(text: string): string | null {
    const t = parseAt(text.trim(), this.rec.start, this.rec.end);
    if (typeof t === 'string') return t;
    this.seek(t);
    return null;
  }

  private setPlaying(on: boolean): void {
    this.playing = on;
    if (on && !this.timer) {
      this.playClock = this.at;
      this.timer = setInterval(() => {
        const clock = this.playClock + TICK_MS * this.speed;
        if (this.model.timeAt(clock) !== this.at || clock >= this.rec.end) this.seek(clock);
        else this.playClock = clock;
      }, TICK_MS);
    } else if (!on && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  stop(): void {
    this.setPlaying(false);
  }

  // The log source the screen reads (the monitor's interface): lines as they were at the second shown.
  private nodeLines(id: string, count = Number.POSITIVE_INFINITY): LogLine[] {
    const group = (lines: readonly LogLine[]): Map<string, LogLine[]> => {
      const out = new Map<string, LogLine[]>();
      for (const l of lines) {
        const list = out.get(l.node);
        if (list) list.push(l);
        else out.set(l.node, [l]);
      }
      return out;
    };
    this.byNode ??= { recent: group(this.shown.recent), all: null };
    const recent = this.byNode.recent.get(id) ?? [];
    // A tail the current chunk holds needs nothing older (the details' tail, most frames).
    if (recent.length >= count) return recent;
    this.byNode.all ??= group(this.shown.all());
    return this.byNode.all.get(id) ?? [];
  }

  readonly logs = {
    subscribe: this.subscribe,
    getVersion: this.getVersion,
    tail: (id: string, count: number): LogLine[] => this.nodeLines(id, count).slice(-count),
    lines: (id: string): readonly LogLine[] => this.nodeLines(id),
    interleaved: (limit = 5000): LogLine[] => this.shown.all().slice(-limit),
    jupyterOf: (): null => null,
    errorOf: (): null => null,
    show: (_nodes: readonly NodeView[]): void => undefined,
  };
}
