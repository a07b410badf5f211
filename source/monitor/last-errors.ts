// Each node's last error line: from the log streams of the nodes on screen as lines arrive, and read
// once from the engine for a node that just exited, died or restarted (and for status). A hint for
// the table and the problems, never a fact: a log that cannot be read leaves it as it was.
import { echoesFailure, lastFailureOf, peerNamed } from '../cluster/frameworks/failure-lines.js';
import type { ContainerFacts } from '../cluster/types.js';
import type { ClusterReader } from '../engine/needs.js';
import { toLogLine } from './log-follower.js';
import { mapLimit } from './map-limit.js';

/** Error lines arriving together are published once: at most twice a second. */
const NOTE_MS = 500;

export class LastErrors {
  private readonly byId = new Map<string, string>();
  private readonly seen = new Map<string, { state: string; restarts: number }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly engine: Pick<ClusterReader, 'readLogs'>,
    private readonly onChange: () => void,
    private readonly concurrency = 8,
  ) {}

  get(id: string): string | null {
    return this.byId.get(id) ?? null;
  }

  /** An error line from a shown node's stream. */
  note(id: string, text: string): void {
    const before = this.byId.get(id);
    if (before === text) return;
    // An echo of a failure (torchrun's agent line…) says less than the line before it naming a peer.
    if (before !== undefined && echoesFailure(text) && peerNamed(before)) return;
    this.byId.set(id, text);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.onChange();
    }, NOTE_MS);
  }

  /** Reads these nodes' last `tail` lines once and keeps their last error lines; `also` is given
   * the lines too (the training reader). */
  async read(
    nodes: readonly Pick<ContainerFacts, 'id' | 'tty'>[],
    tail = 200,
    also?: (id: string, lines: readonly { line: string; tail?: string }[]) => void,
  ): Promise<void> {
    await mapLimit(nodes, this.concurrency, async (f) => {
      try {
        const lines = await this.engine.readLogs(f.id, { tty: f.tty, tail });
        also?.(f.id, lines);
        const read = lines.map(({ stream, line }, i) => toLogLine(i, f.id, stream, line));
        // A torchrun container's own last line says only "ChildFailedError:": its report says who.
        const last = lastFailureOf(read);
        if (last) this.byId.set(f.id, last);
      } catch {
        // gone meanwhile, or the log driver cannot be read (none, syslog…)
      }
    });
    this.onChange();
  }

  /** The nodes that just exited, died or restarted (or, once the cluster is loaded, appeared
   * stopped): their last error is worth reading. */
  transitions(facts: Iterable<ContainerFacts>, loaded: boolean): ContainerFacts[] {
    const due: ContainerFacts[] = [];
    for (const f of facts) {
      const before = this.seen.get(f.id);
      const ended = f.state === 'exited' || f.state === 'dead';
      if (
        (before && ((ended && before.state !== f.state) || f.restarts > before.restarts)) ||
        (!before && ended && loaded)
      )
        due.push(f);
      this.seen.set(f.id, { state: f.state, restarts: f.restarts });
    }
    return due;
  }

  forget(id: string): void {
    this.byId.delete(id);
    this.seen.delete(id);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
