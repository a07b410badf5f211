// Reachability rounds: one long-lived probe session per running node (one exec, reopened when the
// node restarts), a round every interval and on demand, never two rounds at once, a few nodes at a
// time. A node whose image has no shell is probed from a helper container sharing its network
// namespace; what cannot be probed at all is reported unprobed with the reason.
import { parseProbeOutput, PROBE_SCRIPT, probeInput } from '../cluster/probe.js';
import { entriesOf, targetsOf, unprobed, type ReachEntry, type Target } from '../cluster/reach.js';
import type { NodeView } from '../cluster/types.js';
import type { Engine, ExecSession } from '../engine/engine.js';
import { EngineError, engineMessage } from '../engine/errors.js';
import { SIM_REPO } from '../engine/sim-image.js';

const PER_TARGET_MS = 4500; // the probe's own limits: 2 s for a lookup, 2 s for a connect
const PARALLEL = 8;
const ARGV = ['sh', '-c', PROBE_SCRIPT, 'tfmon-probe'];
/** What the engine prints when the image has no sh (runc's and containerd's words). */
const NO_SHELL = /executable file not found|no such file or directory|exec failed|OCI runtime/i;

export interface ProbeOptions {
  intervalMs: number;
  /** Image for helper containers (needs sh); null: a local tfmon-sim image, if there is one. */
  helperImage?: string | null;
}

interface Session {
  pid: number | null;
  exec: ExecSession;
  via: 'exec' | 'helper';
  buffer: string;
  waiter: ((text: string) => void) | null;
}

const cutOff = (from: string, targets: readonly Target[]): ReachEntry[] =>
  targets.map((t) => ({ from, to: t.host, port: t.port, dns: 'error', ip: null, tcp: 'skipped', ms: null, reason: `${from} is not on the cluster's network`, tools: null }));

export class ProbeSampler {
  private readonly sessions = new Map<string, Session>();
  /** Nodes whose image cannot run the probe (no sh): why, by container id. */
  private readonly noShell = new Map<string, string>();
  private helperRef: Promise<string | null> | null = null;
  private entries: ReachEntry[] = [];
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** After stop, a round still in flight opens nothing more: a session opened then would outlive tfmon's view. */
  private stopped = false;
  /** Execs (and helper containers) created over the sampler's life: once up, a round creates none. */
  execsCreated = 0;
  lastRoundMs: number | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly nodes: () => readonly NodeView[],
    private readonly onChange: () => void,
    private readonly options: Pick<ProbeOptions, 'helperImage'> = {},
  ) {}

  /** Probe sessions open now: one per running node once a round has run, none for a node gone. */
  get openSessions(): number {
    return this.sessions.size;
  }

  get reachability(): ReachEntry[] {
    return this.entries;
  }

  start(intervalMs: number): void {
    void this.round();
    this.timer = setInterval(() => void this.round(), intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const s of this.sessions.values()) s.exec.close();
    this.sessions.clear();
  }

  /** One round over every running node; a call while a round runs joins that round. */
  round(): Promise<void> {
    if (this.stopped) return Promise.resolve();
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
      if (!n || (n.pid !== null && s.pid !== null && n.pid !== s.pid)) this.drop(id, s);
    }
    for (const id of this.noShell.keys()) if (!nodes.some((n) => n.id === id)) this.noShell.delete(id);
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

  private drop(id: string, s: Session): void {
    s.exec.close();
    if (this.sessions.get(id) === s) this.sessions.delete(id);
  }

  /** The helper image: the one asked for when present locally, else a local tfmon-sim. */
  private helperImage(): Promise<string | null> {
    this.helperRef ??= (async () => {
      try {
        const asked = this.options.helperImage;
        if (asked) return (await this.engine.imageExists(asked)) ? asked : null;
        return await this.engine.localImageOf(SIM_REPO);
      } catch {
        // The engine did not answer: ask again next time rather than remember "none".
        this.helperRef = null;
        return null;
      }
    })();
    return this.helperRef;
  }

  private async open(node: NodeView, via: Session['via']): Promise<Session | string> {
    try {
      let exec: ExecSession;
      if (via === 'exec') {
        exec = await this.engine.openSession(node.id, ARGV);
      } else {
        const image = await this.helperImage();
        if (!image) {
          const asked = this.options.helperImage;
          return asked
            ? `${node.name} has no shell to probe from, and --probe-image ${asked} is not present locally`
            : `${node.name} has no shell to probe from; --probe-image IMAGE (any local image with sh) probes it from a helper`;
        }
        // The helper carries the node's test label, so a test run's cleanup finds it too.
        const labels: Record<string, string> = { 'tfmon.probe-helper': node.id };
        if (node.labels['tfmon.test']) labels['tfmon.test'] = node.labels['tfmon.test'];
        exec = await this.engine.openHelperSession(node.id, image, ARGV, labels);
      }
      this.execsCreated++;
      if (this.stopped) {
        exec.close();
        return `${node.name}: tfmon is stopping`;
      }
      const s: Session = { pid: node.pid, exec, via, buffer: '', waiter: null };
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
      return s;
    } catch (error) {
      const why = error instanceof EngineError ? error.message : engineMessage(error);
      return `cannot run the probe ${via === 'helper' ? 'helper for' : 'in'} ${node.name}: ${why}`;
    }
  }

  private ask(s: Session, node: NodeView, targets: Target[]): Promise<string> {
    return new Promise<string>((resolve) => {
      const timer = setTimeout(() => {
        // Late answers would land in the next round's buffer: this session is done.
        s.waiter = null;
        this.drop(node.id, s);
        resolve(s.buffer);
      }, PER_TARGET_MS * targets.length + 1000);
      s.waiter = (t) => {
        clearTimeout(timer);
        s.waiter = null;
        resolve(t);
      };
      s.exec.write(probeInput(targets));
    });
  }

  private async probeFrom(node: NodeView, targets: Target[]): Promise<ReachEntry[]> {
    if (targets.length === 0) return [];
    // Cut off the cluster's network: every lookup would wait for a DNS server that cannot answer.
    if (!node.attached) return cutOff(node.name, targets);
    if (node.remote) return unprobed(node.name, targets, `${node.dnsName} runs on another swarm node${node.swarmNode ? ` (${node.swarmNode})` : ''}: probes run from the engine tfmon talks to (add --host for that node)`);
    let session = this.sessions.get(node.id) ?? (await this.open(node, this.noShell.has(node.id) ? 'helper' : 'exec'));
    if (typeof session === 'string') return unprobed(node.name, targets, session);
    let text = await this.ask(session, node, targets);
    let parsed = parseProbeOutput(text);
    if (!parsed.complete && parsed.results.length === 0 && session.via === 'exec' && !NO_SHELL.test(text)) {
      // Not the image: the session was cut (the engine went away, the node stopped). Next round.
      this.drop(node.id, session);
      return unprobed(node.name, targets, `the probe session in ${node.name} ended before answering (the engine or the node went away)`);
    }
    if (!parsed.complete && parsed.results.length === 0 && session.via === 'exec') {
      // The exec died saying it found no sh: the image has none (the engine's message is what it
      // printed). Next: a helper sharing the node's network namespace, now and from now on.
      this.drop(node.id, session);
      this.noShell.set(node.id, text.trim().split('\n')[0]?.slice(0, 200) ?? '');
      session = await this.open(node, 'helper');
      if (typeof session === 'string') return unprobed(node.name, targets, session);
      text = await this.ask(session, node, targets);
      parsed = parseProbeOutput(text);
    }
    if (!parsed.complete && parsed.results.length === 0) {
      this.drop(node.id, session);
      return unprobed(node.name, targets, `the probe did not answer ${session.via === 'helper' ? 'in the helper of' : 'in'} ${node.name}`);
    }
    return entriesOf(node.name, targets, parsed.results);
  }
}
