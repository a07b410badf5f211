// Logs of the nodes on screen: one follow stream per shown node; a bounded ring of sanitized lines
// per node; listeners told at most ten times a second however fast lines come. With training on, the
// nodes that print progress are followed too (`watch`), their lines handed to the training reader
// and not kept: one stream per node either way, never two. A stream that ends (the node stopped) is
// reopened from its last timestamp when the node runs again.
import { jupyterUrlOf, levelOf, splitTimestamp, type LogLine, type LogStream } from '../cluster/logs.js';
import type { NodeView } from '../cluster/types.js';
import type { LogStreams } from '../engine/needs.js';
import { engineMessage, statusOf } from '../engine/errors.js';
import { sanitize } from '../text/sanitize.js';
import { Ring } from './ring.js';

export interface LogOptions {
  /** Lines read back when a stream opens (`--tail`, default 200). */
  tail: number;
  /** Lines kept per node (`--log-buffer`, default 5,000). */
  capacity: number;
}

export const DEFAULT_LOG_OPTIONS: LogOptions = { tail: 200, capacity: 5000 };
const NOTIFY_MS = 100;

interface Follow {
  close(): void;
  open: boolean;
  /** Last timestamp seen, normalized for comparison; a reopened stream starts after it. */
  lastKey: string | null;
  lastTs: string | null;
  pid: number | null;
  /** Why the engine would not give the log (a log driver that cannot be read), or null. */
  error: string | null;
  /** The connection to the engine broke (not a refusal): reopened when the engine is back. */
  lost: boolean;
  /** Its lines go to the screen (a ring); else only to the training reader. */
  shown: boolean;
}

/** Where a followed node's lines go for training: the text after Docker's timestamp (a long line's
 * end), the timestamp as Docker wrote it (parsed only for the few lines that say something: a flood
 * of 20,000 lines a second would otherwise pay 20,000 date parses), and whether the line is still open
 * (a bar being rewritten). */
export type TrainingLines = (id: string, text: string, ts: string | null, partial: boolean) => void;

/** Lines read back when a node is first followed for its training: its last few reports (a tail of
 * 200 over 200 nodes costs 7 MiB of resident memory more than 30, measured, and says no more). */
const TRAINING_TAIL = 30;

/** "2026-11-28T11:40:00.1Z" → fraction padded to nanoseconds, so strings compare as times. */
export function timeKey(ts: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(ts);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z` : ts;
}

/** A raw line of Docker's log stream ("<timestamp> <text>") as the screen holds it: sanitized, its
 * level known. */
export function toLogLine(seq: number, node: string, stream: LogStream, raw: string): LogLine {
  const [ts, rest] = splitTimestamp(raw);
  return logLineOf(seq, node, stream, ts, rest);
}

function logLineOf(seq: number, node: string, stream: LogStream, ts: string | null, rest: string): LogLine {
  const text = sanitize(rest);
  return { seq, node, stream, ts, time: ts ? Date.parse(ts) || 0 : 0, text, level: levelOf(text) };
}

export class LogFollower {
  private readonly rings = new Map<string, Ring<LogLine>>();
  private readonly follows = new Map<string, Follow>();
  private readonly listeners = new Set<() => void>();
  /** The last Jupyter URL with a token each shown node printed. */
  private readonly jupyter = new Map<string, { url: string; port: number }>();
  /** The nodes followed for their training (see watch). */
  private watched = new Set<string>();
  private seq = 0;
  private version = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Told of every line of every followed node (a recording's); none: no line is made for them. */
  private readonly taps = new Set<(line: LogLine) => void>();

  constructor(
    private readonly engine: LogStreams,
    private readonly options: LogOptions = DEFAULT_LOG_OPTIONS,
    /** Told of every error line (the store keeps each node's last one). */
    private readonly errorLine: (id: string, text: string) => void = () => undefined,
    /** Every followed node's lines, for the training reader; null: training off. */
    private readonly training: TrainingLines | null = null,
  ) {}

  /** The newest `limit` lines of every shown node together, in time order (each node's tail read
   * at open is merged in, not appended in a block): a merge from the newest end, so its cost is
   * `limit`, not the sum of every buffer. Lines of the same millisecond keep their arrival order. */
  interleaved(limit = this.options.capacity): LogLine[] {
    const rings = [...this.rings.values()];
    const next = rings.map((r) => r.size - 1);
    const out: LogLine[] = [];
    while (out.length < limit) {
      let best = -1;
      let bestLine: LogLine | undefined;
      rings.forEach((r, i) => {
        const line = r.at(next[i]!);
        if (
          line &&
          (!bestLine || line.time > bestLine.time || (line.time === bestLine.time && line.seq > bestLine.seq))
        ) {
          best = i;
          bestLine = line;
        }
      });
      if (best < 0) break;
      out.push(rings[best]!.at(next[best]!)!);
      next[best]!--;
    }
    return out.reverse();
  }

  /** Why a shown node's log cannot be read (e.g. log driver none or syslog), or null. */
  errorOf(id: string): string | null {
    return this.follows.get(id)?.error ?? null;
  }

  jupyterOf(id: string): { url: string; port: number } | null {
    return this.jupyter.get(id) ?? null;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Every line of every followed node (on screen, or followed for its training), sanitized. */
  tap = (listener: (line: LogLine) => void): (() => void) => {
    this.taps.add(listener);
    return () => this.taps.delete(listener);
  };

  /** Changes whenever lines arrive (for useSyncExternalStore). */
  getVersion = (): number => this.version;

  /** Open streams: one per shown or watched node, whatever the view. */
  get openStreams(): number {
    return [...this.follows.values()].filter((f) => f.open).length;
  }

  lines(id: string): readonly LogLine[] {
    return this.rings.get(id)?.slice() ?? [];
  }

  /** The last `count` lines of one node, oldest first (a frame needs no more than its height). */
  tail(id: string, count: number): LogLine[] {
    const ring = this.rings.get(id);
    return ring ? ring.slice(ring.size - count) : [];
  }

  /** Nodes whose logs are on screen now; the others' lines are forgotten, and their streams closed
   * unless they are watched for training. */
  show(nodes: readonly NodeView[]): void {
    if (this.stopped) return;
    const ids = new Set(nodes.map((n) => n.id));
    for (const [id, f] of this.follows) {
      if (ids.has(id) || !f.shown) continue;
      f.shown = false;
      this.rings.delete(id);
      this.jupyter.delete(id);
      if (!this.watched.has(id) || !f.open) {
        f.close();
        this.follows.delete(id);
      }
    }
    for (const n of nodes) {
      const f = this.follows.get(n.id);
      if (f?.shown) continue;
      if (n.remote) {
        // Its container is on another swarm node: nothing to stream from this engine.
        this.follows.set(n.id, {
          close: () => undefined,
          open: false,
          lastKey: null,
          lastTs: null,
          pid: null,
          lost: false,
          shown: true,
          error: `${n.dnsName} runs on another swarm node${n.swarmNode ? ` (${n.swarmNode})` : ''}: add --host for it, or docker service logs ${n.dnsName}`,
        });
        continue;
      }
      // A node followed for training only: reopened with the screen's tail; the training reader
      // skips what it already had.
      f?.close();
      this.open(n, null, true, f?.lastKey ?? null);
    }
    this.changed();
  }

  /** The nodes to follow for their training (running, on this engine); the others' training streams
   * close. Nodes on screen are followed anyway. */
  watch(nodes: readonly NodeView[]): void {
    if (this.stopped || !this.training) return;
    this.watched = new Set(nodes.map((n) => n.id));
    for (const [id, f] of this.follows) {
      if (!f.shown && !this.watched.has(id)) {
        f.close();
        this.follows.delete(id);
      }
    }
    for (const n of nodes)
      if (!this.follows.has(n.id) && !n.remote && n.state === 'running') this.open(n, null, false, null);
  }

  /** The cluster changed: a shown node that runs again (restart) gets its stream back. */
  sync(nodes: readonly NodeView[]): void {
    for (const n of nodes) {
      const f = this.follows.get(n.id);
      if (!f || n.state !== 'running' || n.remote) continue;
      if (n.pid !== f.pid) {
        // Restarted: the new run gets a stream from the last line held, whether or not the old
        // run's stream has ended yet (the events and the stream's end come in either order).
        if (f.open) f.close();
        this.open(n, f);
      } else if (!f.open && f.lost) {
        this.open(n, f);
      }
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const f of this.follows.values()) f.close();
    this.follows.clear();
  }

  private open(
    node: NodeView,
    previous: Follow | null,
    shown = previous?.shown ?? true,
    trainedTo: string | null = null,
  ): void {
    let ring: Ring<LogLine> | null = null;
    if (shown) {
      ring = this.rings.get(node.id) ?? new Ring<LogLine>(this.options.capacity);
      this.rings.set(node.id, ring);
    }
    const since = previous?.lastTs ? Date.parse(previous.lastTs) / 1000 - 1 : undefined;
    const follow: Follow = {
      close: () => undefined,
      open: true,
      lastKey: previous?.lastKey ?? null,
      lastTs: previous?.lastTs ?? null,
      pid: node.pid,
      error: null,
      lost: false,
      shown,
    };
    // A reopened stream starts a second early: lines up to the last one held are skipped. Only
    // those: past it, stdout and stderr lines can come with timestamps slightly out of order (the
    // engine copies the two streams apart), and none of them may be taken for a repeat.
    const held = previous?.lastKey ?? null;
    const training = this.training;
    const onLine = (stream: LogStream, raw: string, tail?: string): void => {
      const [ts, rest] = splitTimestamp(raw);
      if (ts) {
        const key = timeKey(ts);
        if (held && key <= held) return;
        if (!follow.lastKey || key > follow.lastKey) {
          follow.lastKey = key;
          follow.lastTs = ts;
        }
        if (training && (!trainedTo || key > trainedTo)) training(node.id, tail ?? rest, ts, false);
      } else if (training) training(node.id, tail ?? rest, null, false);
      if (!ring || !follow.shown) {
        if (this.taps.size > 0) {
          const line = logLineOf(++this.seq, node.id, stream, ts, rest);
          for (const tap of this.taps) tap(line);
        }
        // Not on screen: only its last error is kept (a cheap test first; most lines are not).
        if (levelOf(rest) === 'error') this.errorLine(node.id, sanitize(rest).slice(0, 500));
        return;
      }
      const line = logLineOf(this.seq + 1, node.id, stream, ts, rest);
      this.seq++;
      ring.push(line);
      for (const tap of this.taps) tap(line);
      if (line.text.includes('token=')) {
        const found = jupyterUrlOf(line.text);
        if (found) this.jupyter.set(node.id, found);
      }
      if (line.level === 'error') this.errorLine(node.id, line.text);
      this.changed();
    };
    const tail = shown ? this.options.tail : TRAINING_TAIL;
    const partial = training
      ? (_stream: LogStream, text: string): void => training(node.id, text, null, true)
      : undefined;
    const handle = this.engine.followLogs(
      node.id,
      {
        tty: node.tty,
        follow: true,
        tail: since === undefined ? tail : 'all',
        ...(since !== undefined ? { since } : {}),
        ...(partial ? { partial } : {}),
      },
      onLine,
      (error) => {
        follow.open = false;
        if (error && statusOf(error) === null) follow.lost = true;
        else if (error) follow.error = sanitize(engineMessage(error)).slice(0, 300);
        // A restart is reopened by sync() when the new pid shows, whichever comes first.
        this.changed();
      },
    );
    follow.close = () => {
      follow.open = false;
      handle.close();
    };
    this.follows.set(node.id, follow);
  }

  /** Listeners hear of new lines at most every 100 ms: a node printing 20,000 lines a second
   * must not ask for 20,000 frames. */
  private changed(): void {
    this.version++;
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      for (const l of this.listeners) l();
    }, NOTIFY_MS);
  }
}
