// Reachability rounds: one long-lived probe session per running node (one exec, reopened when the
// node restarts), a round every interval and on demand, never two rounds at once, a few nodes at a
// time. What cannot be probed (no shell, exec refused) is reported unprobed with the reason.
import { parseProbeOutput, PROBE_SCRIPT, probeInput } from '../cluster/probe.js';
import { entriesOf, targetsOf, unprobed, type ReachEntry, type Target } from '../cluster/reach.js';
import type { NodeView } from '../cluster/types.js';
import type { Engine, ExecSession } from '../engine/engine.js';
import { EngineError, engineMessage } from '../engine/errors.js';

const PER_TARGET_MS = 2500; // the probe's own connect timeout is 2 s
const PARALLEL = 8;

interface Session {
  pid: number | null;
  exec: ExecSession;
  buffer: string;
  waiter: ((text: string) => void) | null;
}

export class ProbeSampler {
  private readonly sessions = new Map<string, Session>();
  private entries: ReachEntry[] = [];
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Execs created over the sampler's life: once sessions are up, a round creates none. */
  execsCreated = 0;
  lastRoundMs: number | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly nodes: () => readonly NodeView[],
    private readonly onChange: () => void,
  ) {}

  get reachability(): ReachEntry[] {
    return this.entries;
  }

  start(intervalMs: number): void {
    void this.round();
    this.timer = setInterval(() => void this.round(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const s of this.sessions.values()) s.exec.close();
    this.sessions.clear();
  }

  /** One round over every running node; a call while a round runs joins that round. */
  round(): Promise<void> {
    this.running ??= this.runRound().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runRound(): Promise<void> {
    const started = Date.now();
    const nodes = this.nodes();
    const running = nodes.filter((n) => n.state === 'running');
    // Sessions of nodes that stopped, left or restarted are closed; new ones open on demand.
    for (const [id, s] of this.sessions) {
      const n = running.find((x) => x.id === id);
      if (!n || (n.pid !== null && s.pid !== null && n.pid !== s.pid)) {
        s.exec.close();
        this.sessions.delete(id);
      }
    }
    const results: ReachEntry[][] = [];
    const queue = [...running];
    const worker = async (): Promise<void> => {
      for (let n = queue.shift(); n; n = queue.shift()) results.push(await this.probeFrom(n, targetsOf(n, nodes)));
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
    this.entries = results.flat().sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
    this.lastRoundMs = Date.now() - started;
    this.onChange();
  }

  private async probeFrom(node: NodeView, targets: Target[]): Promise<ReachEntry[]> {
    if (targets.length === 0) return [];
    let session = this.sessions.get(node.id);
    if (!session) {
      try {
        const exec = await this.engine.openSession(node.id, ['sh', '-c', PROBE_SCRIPT, 'tfmon-probe']);
        this.execsCreated++;
        const s: Session = { pid: node.pid, exec, buffer: '', waiter: null };
        exec.stdout.on('data', (chunk: Buffer) => {
          s.buffer += chunk.toString();
          if (s.waiter && /(^|\n)\.\n/.test(s.buffer)) {
            const text = s.buffer;
            s.buffer = '';
            s.waiter(text);
          }
        });
        exec.stdout.on('end', () => {
          if (this.sessions.get(node.id) === s) this.sessions.delete(node.id);
          s.waiter?.(s.buffer);
        });
        this.sessions.set(node.id, s);
        session = s;
      } catch (error) {
        const why = error instanceof EngineError ? error.message : engineMessage(error);
        return unprobed(node.name, targets, `cannot run the probe in ${node.name}: ${why}`);
      }
    }
    const s = session;
    const text = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => {
        s.waiter = null;
        resolve(s.buffer);
      }, PER_TARGET_MS * targets.length + 1000);
      s.waiter = (t) => {
        clearTimeout(timer);
        s.waiter = null;
        resolve(t);
      };
      s.exec.write(probeInput(targets));
    });
    const { results, complete } = parseProbeOutput(text);
    if (!complete && results.length === 0) {
      // The session died (no shell in the image, the node stopped): it is reopened next round.
      s.exec.close();
      this.sessions.delete(node.id);
      return unprobed(node.name, targets, `the probe did not answer in ${node.name} (no sh in the image?)`);
    }
    return entriesOf(node.name, targets, results);
  }
}
