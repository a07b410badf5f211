// Several engines as one cluster (`--host` repeated): one ClusterMonitor per engine, their
// snapshots merged. Each stream, probe and action goes to the engine that owns the container; an
// engine that cannot be reached is said so while the others keep updating.
import type { ProbeScope } from '../cluster/probe-plan.js';
import { TRAINING_CODES } from '../cluster/training.js';
import { diagnose, engineProblems } from '../cluster/diagnose.js';
import { compareNodes } from '../cluster/role.js';
import { hostOf } from '../cluster/hosts.js';
import { mergeSwarmViews, SlotHistory } from '../cluster/swarm.js';
import type { NodeView, Snapshot, SwarmNodeInfo } from '../cluster/types.js';
import type { Engine } from '../engine/engine.js';
import { EngineError, engineMessage } from '../engine/errors.js';
import type { LogLine } from '../cluster/logs.js';
import type { Monitor } from './monitor.js';
import { ClusterMonitor, type MonitorOptions } from './cluster-monitor.js';
import { waitForSnapshot } from './wait.js';

interface Member {
  engine: Engine;
  monitor: ClusterMonitor;
  /** Why it cannot be reached (first connection failed); null once it answers. */
  error: string | null;
  /** It answers but has no such network (a swarm worker gets an overlay only with a task on it):
   * none of the cluster runs there, yet. Retried as an error is. */
  noNetwork?: boolean;
}

/** A member's failure: the network missing is a fact about where the cluster runs, not an outage. */
function failure(m: Member, error: unknown): void {
  m.error = error instanceof EngineError ? error.message : engineMessage(error);
  m.noNetwork = error instanceof EngineError && error.statusCode === 404;
}

const RETRY_MS = 3000;

export class MultiMonitor implements Monitor {
  private readonly members: Member[];
  private readonly listeners = new Set<() => void>();
  private cached: Snapshot | null = null;
  private stopped = false;
  /** Pending retries of engines that did not answer at start (each its own). */
  private readonly retries = new Set<NodeJS.Timeout>();

  constructor(
    engines: readonly Engine[],
    private readonly options: MonitorOptions,
  ) {
    this.members = engines.map((engine) => ({ engine, monitor: new ClusterMonitor(engine, options), error: null }));
    for (const m of this.members) {
      m.monitor.subscribe(() => this.changed());
      m.monitor.logs.subscribe(() => this.logsChanged());
    }
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): Snapshot => (this.cached ??= this.merge());

  /** The member whose engine runs this container (by id). */
  private memberOf(id: string): Member | undefined {
    return this.members.find((m) => m.monitor.getSnapshot().nodes.some((n) => n.id === id));
  }

  /** The engine that owns a container (by id), for actions. */
  engineOf(id: string): Engine | null {
    return this.memberOf(id)?.engine ?? null;
  }

  async load(): Promise<Snapshot> {
    await Promise.all(
      this.members.map(async (m) => {
        try {
          await m.monitor.load();
          m.error = null;
          m.noNetwork = false;
        } catch (error) {
          failure(m, error);
        }
      }),
    );
    this.failIfNoneAnswers();
    this.changed();
    return this.getSnapshot();
  }

  async start(): Promise<void> {
    await Promise.all(this.members.map((m) => this.startMember(m)));
    this.failIfNoneAnswers();
    this.changed();
  }

  private async startMember(m: Member): Promise<void> {
    try {
      await m.monitor.start();
      m.error = null;
      m.noNetwork = false;
    } catch (error) {
      failure(m, error);
      // Tried again in the background: an engine that comes up later joins the view.
      if (!this.stopped) {
        const retry = setTimeout(() => {
          this.retries.delete(retry);
          if (this.stopped) return;
          const fresh = new ClusterMonitor(m.engine, this.options);
          fresh.subscribe(() => this.changed());
          fresh.logs.subscribe(() => this.logsChanged());
          if (this.taps.size > 0)
            this.untaps.set(
              fresh,
              fresh.logs.tap((line) => this.tapped(line)),
            );
          this.untaps.get(m.monitor)?.();
          this.untaps.delete(m.monitor);
          m.monitor.stop();
          m.monitor = fresh;
          void this.startMember(m).then(() => this.changed());
        }, RETRY_MS);
        this.retries.add(retry);
      }
    }
  }

  private failIfNoneAnswers(): void {
    if (this.members.every((m) => m.error !== null))
      throw new EngineError(this.members.map((m) => `${m.engine.host}: ${m.error}`).join('; '));
  }

  stop(): void {
    this.stopped = true;
    for (const retry of this.retries) clearTimeout(retry);
    this.retries.clear();
    for (const m of this.members) m.monitor.stop();
    this.listeners.clear();
  }

  probeNow(scope?: ProbeScope): Promise<void> {
    return Promise.all(this.members.filter((m) => !m.error).map((m) => m.monitor.probeNow(scope))).then(
      () => undefined,
    );
  }

  setMatrixShown(on: boolean): void {
    for (const m of this.members) m.monitor.setMatrixShown(on);
  }

  setUsageFocus(ids: ReadonlySet<string> | null): void {
    for (const m of this.members) m.monitor.setUsageFocus(ids);
  }

  readLastErrors(ids: readonly string[], tail = 200): Promise<void> {
    return Promise.all(
      this.members
        .filter((m) => !m.error)
        .map((m) =>
          m.monitor.readLastErrors(
            ids.filter((id) => m.monitor.getSnapshot().nodes.some((n) => n.id === id)),
            tail,
          ),
        ),
    ).then(() => undefined);
  }

  swarmNodesNow(): Promise<void> {
    return Promise.all(this.members.filter((m) => !m.error).map((m) => m.monitor.swarmNodesNow())).then(
      () => undefined,
    );
  }

  async awaitUsage(timeoutMs: number): Promise<Snapshot> {
    await Promise.all(this.members.filter((m) => !m.error).map((m) => m.monitor.awaitUsage(timeoutMs)));
    this.changed();
    return this.getSnapshot();
  }

  waitFor(predicate: (s: Snapshot) => boolean, timeoutMs: number): Promise<Snapshot> {
    return waitForSnapshot(this, predicate, timeoutMs);
  }

  /** Logs of the shown nodes, each from the engine that owns it. */
  readonly logs = {
    subscribe: (listener: () => void): (() => void) => {
      this.logListeners.add(listener);
      return () => this.logListeners.delete(listener);
    },
    getVersion: (): number => this.members.reduce((a, m) => a + m.monitor.logs.getVersion(), 0),
    tail: (id: string, count: number): LogLine[] => this.owner(id)?.logs.tail(id, count) ?? [],
    lines: (id: string): readonly LogLine[] => this.owner(id)?.logs.lines(id) ?? [],
    interleaved: (limit?: number): LogLine[] =>
      this.members
        .flatMap((m) => m.monitor.logs.interleaved(limit))
        .sort((a, b) => a.time - b.time || a.seq - b.seq)
        .slice(-(limit ?? 5000)),
    jupyterOf: (id: string) => this.owner(id)?.logs.jupyterOf(id) ?? null,
    errorOf: (id: string) => this.owner(id)?.logs.errorOf(id) ?? null,
    show: (nodes: readonly NodeView[]): void => {
      for (const m of this.members) {
        const own = m.monitor.getSnapshot().nodes;
        m.monitor.logs.show(nodes.filter((n) => own.some((o) => o.id === n.id)));
      }
    },
    // The members make a line for each one they follow only while someone listens.
    tap: (listener: (line: LogLine) => void): (() => void) => {
      if (this.taps.size === 0)
        for (const m of this.members)
          this.untaps.set(
            m.monitor,
            m.monitor.logs.tap((line) => this.tapped(line)),
          );
      this.taps.add(listener);
      return () => {
        this.taps.delete(listener);
        if (this.taps.size > 0) return;
        for (const untap of this.untaps.values()) untap();
        this.untaps.clear();
      };
    },
  };

  private readonly logListeners = new Set<() => void>();
  private readonly slots = new SlotHistory();
  private readonly taps = new Set<(line: LogLine) => void>();
  private readonly untaps = new Map<ClusterMonitor, () => void>();

  private tapped(line: LogLine): void {
    for (const tap of this.taps) tap(line);
  }

  private owner(id: string): ClusterMonitor | null {
    return this.memberOf(id)?.monitor ?? null;
  }

  private logsChanged(): void {
    for (const l of this.logListeners) l();
  }

  private changed(): void {
    this.cached = null;
    this.sharePeers();
    for (const l of this.listeners) l();
  }

  /** Each engine probes the others' tasks too (over the overlay): its peers are their nodes. Only
   * when the set of nodes or their addresses moved, not at every sample. */
  private peersKey = '';
  private sharePeers(): void {
    const own = this.members.map((m) => (m.error ? [] : m.monitor.getSnapshot().nodes.filter((n) => !n.remote)));
    const key = own.map((ns) => ns.map((n) => `${n.id}:${n.state}:${n.ip}`).join(',')).join('|');
    if (key === this.peersKey) return;
    this.peersKey = key;
    this.members.forEach((m, i) => {
      const ids = new Set(m.monitor.getSnapshot().nodes.map((n) => n.labels['com.docker.swarm.task.id'] ?? n.id));
      // A task the member already lists (a manager's remote task) is not given twice.
      m.monitor.setPeers(
        own.flatMap((ns, j) =>
          j === i ? [] : ns.filter((n) => !ids.has(`task:${n.labels['com.docker.swarm.task.id']}`)),
        ),
      );
    });
  }

  /** One snapshot of every engine: nodes with the engine they run on, problems worked out on the
   * whole cluster (a TF_CONFIG is stale against every engine's nodes), engines that do not answer. */
  private merge(): Snapshot {
    const parts = this.members.map((m) => ({ m, s: m.monitor.getSnapshot() }));
    const live = parts.filter((p) => !p.m.error);
    const first = (live[0] ?? parts[0])!.s;
    const swarmNodes: Record<string, SwarmNodeInfo> = Object.assign({}, ...live.map((p) => p.s.swarmNodes ?? {}));
    const lost = parts.filter((p) => !p.m.noNetwork && (p.m.error ?? p.s.engineError)).map((p) => p.m.engine.host);
    const merged = mergeSwarmViews(
      parts.flatMap(({ m, s }) =>
        m.error ? [] : s.nodes.map((n) => (n.remote ? n : { ...n, engineHost: m.engine.host })),
      ),
      swarmNodes,
    );
    const current = this.slots.apply(merged.all, merged.current, hostOf);
    // One engine lost and a host known only from the manager's task list: that host is the lost
    // engine's (its tasks are its nodes, the pairs to them its consequences, not a link's).
    const seen = new Set(current.filter((n) => !n.remote).map(hostOf));
    const nodes = (
      lost.length === 1
        ? current.map((n) => (n.remote && !seen.has(hostOf(n)) ? { ...n, engineHost: lost[0] } : n))
        : current
    ).sort(compareNodes);
    // Probes from tasks Swarm replaced (still running on a host cut off) are not the cluster's.
    const names = new Set(nodes.map((n) => n.name));
    const reachability = live.flatMap((p) => p.s.reachability).filter((e) => names.has(e.from));
    const answering = new Set(
      live
        .filter((p) => !p.s.engineError)
        .flatMap((p) => merged.all.filter((n) => !n.remote && n.engineHost === p.m.engine.host).map(hostOf))
        .filter((h): h is string => h !== null),
    );
    const listeners = Object.assign({}, ...live.map((p) => p.s.listeners)) as Snapshot['listeners'];
    const engines = engineProblems(
      parts.map((p) => ({
        host: p.m.engine.host,
        error: p.m.noNetwork ? null : (p.m.error ?? p.s.engineError),
        driver: p.m.error ? undefined : p.s.network.driver,
      })),
      nodes,
    );
    // Worked out on the whole cluster (a TF_CONFIG is stale against every engine's nodes); each
    // engine's training judgments explained again over it.
    const problems = diagnose({
      network: first.network,
      nodes,
      listeners,
      reachability,
      engines,
      swarmNodes,
      lostEngines: new Set(lost),
      answering,
      training: live.flatMap((p) =>
        p.s.problems.filter((x) => TRAINING_CODES.has(x.code)).map(({ causedBy: _, ...x }) => x),
      ),
    });
    return {
      ...first,
      engineError: live.length === 0 ? (parts[0]?.m.error ?? null) : null,
      nodes,
      problems,
      usage: Object.assign({}, ...live.map((p) => p.s.usage)),
      gpuByContainer: Object.assign({}, ...live.map((p) => p.s.gpuByContainer)),
      training: Object.assign({}, ...live.map((p) => p.s.training)) as Snapshot['training'],
      clusterTraining: live.map((p) => p.s.clusterTraining).find((t) => t !== null) ?? null,
      reachability,
      listeners,
      ...(Object.keys(swarmNodes).length ? { swarmNodes } : {}),
      engines: parts.map((p) => ({
        host: p.m.engine.host,
        error: p.m.noNetwork ? null : (p.m.error ?? p.s.engineError),
        nodes: p.m.error ? 0 : p.s.nodes.length,
      })),
      ready: live.every((p) => p.s.ready),
      updatedAt: Math.max(...parts.map((p) => p.s.updatedAt)),
    };
  }
}
