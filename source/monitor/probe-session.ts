// One long-lived probe process in a node (an exec, or a helper container's), spoken to one request
// at a time: requests queue, each carries a sequence number its end line echoes, and every result
// line must name the target it answers. An answer that is late, out of order or for another request
// never lands on a pair: the session is closed instead, and the next round opens a new one.
import { answers, parseProbeOutput, probeInput, type ProbeResult } from '../cluster/probe.js';
import type { Target } from '../cluster/reach.js';
import type { ExecSession } from '../engine/engine.js';

export type ProbeAnswer =
  /** Every target answered, in order. */
  | { kind: 'complete'; results: ProbeResult[] }
  /** The session ended or timed out first: the targets answered until then (a prefix, maybe
   * empty), and what it printed (the engine's words when the exec could not start). */
  | { kind: 'ended' | 'timeout'; results: ProbeResult[]; text: string }
  /** It answered something else than what was asked: nothing of it is used. */
  | { kind: 'mismatch'; text: string };

/** The probe's own limits are 2 s for a lookup and 2 s for a connect. */
export const PER_TARGET_MS = 4500;

export class ProbeSession {
  private buffer = '';
  private seq = 0;
  private ended = false;
  private queue: Promise<unknown> = Promise.resolve();
  /** The request waiting for its end line; at most one, by construction of the queue. */
  private waiting: { seq: number; done: (ended: boolean) => void } | null = null;

  constructor(
    private readonly exec: ExecSession,
    readonly via: 'exec' | 'helper',
    /** The node's init pid when it was opened: a restarted node needs a new session. */
    readonly pid: number | null,
    /** When it ends by itself (the node stopped, the engine went away). */
    onEnd: () => void,
  ) {
    exec.stdout.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString();
      const w = this.waiting;
      if (w && new RegExp(`(^|\\n)\\. ${w.seq}\\r?\\n`).test(this.buffer)) w.done(false);
    });
    exec.stdout.on('end', () => {
      this.ended = true;
      onEnd();
      this.waiting?.done(true);
    });
  }

  get open(): boolean {
    return !this.ended;
  }

  /** Asks for `targets`, after the requests before it. */
  ask(targets: readonly Target[]): Promise<ProbeAnswer> {
    const answer = this.queue.then(() => this.exchange(targets));
    this.queue = answer.catch(() => undefined);
    return answer;
  }

  close(): void {
    this.ended = true;
    this.exec.close();
  }

  private exchange(targets: readonly Target[]): Promise<ProbeAnswer> {
    if (this.ended) return Promise.resolve({ kind: 'ended', results: [], text: this.take() });
    const seq = ++this.seq;
    return new Promise<ProbeAnswer>((resolve) => {
      const finish = (kind: 'ended' | 'timeout' | null): void => {
        clearTimeout(timer);
        this.waiting = null;
        const text = this.take();
        const parsed = parseProbeOutput(text, seq);
        const matching = parsed.results.every((r, i) => targets[i] !== undefined && answers(r, targets[i]));
        if (!matching || (parsed.complete && parsed.results.length !== targets.length)) {
          this.close();
          resolve({ kind: 'mismatch', text });
        } else if (kind === null && parsed.complete) {
          resolve({ kind: 'complete', results: parsed.results });
        } else {
          resolve({ kind: kind ?? 'ended', results: parsed.results, text });
        }
      };
      const timer = setTimeout(
        () => {
          // A late answer would belong to no request: this session is done.
          this.close();
          finish('timeout');
        },
        PER_TARGET_MS * targets.length + 1000,
      );
      this.waiting = { seq, done: (ended) => finish(ended ? 'ended' : null) };
      this.exec.write(probeInput(targets, seq));
    });
  }

  private take(): string {
    const text = this.buffer;
    this.buffer = '';
    return text;
  }
}
