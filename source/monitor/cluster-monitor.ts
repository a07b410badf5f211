// The cluster store: one events stream keeps a map of containers current; every change makes a new
// immutable Snapshot. The UI subscribes (useSyncExternalStore) and never calls the engine.
import { networkInterfaces } from 'node:os';
import { findProblems } from '../cluster/problems.js';
import { currentTasks } from '../cluster/swarm.js';
import { containerIdOf, factsFromTask } from '../engine/swarm-tasks.js';
import { compareNodes, toNodeView } from '../cluster/role.js';
import type { ContainerFacts, EngineInfo, NetworkInfo, NodeView, Snapshot } from '../cluster/types.js';
import type { Engine } from '../engine/engine.js';
import { EngineError, engineMessage } from '../engine/errors.js';
import type { EngineEvent } from '../engine/events.js';
import { GpuSampler } from './gpu-sampler.js';
import { HostSampler } from './host-sampler.js';
import { ProbeSampler, type ProbeOptions } from './probe-sampler.js';
import type { ProbeScope } from '../cluster/probe-plan.js';
import { listenProblems, reachProblems } from '../cluster/reach.js';
import { UsageSampler, type SamplerOptions } from './usage-sampler.js';
import { DEFAULT_LOG_OPTIONS, LogFollower, toLogLine, type LogOptions } from './log-follower.js';
import { lastErrorOf } from '../cluster/logs.js';
import { waitForSnapshot } from './wait.js';

export interface MonitorOptions {
  network: string;
  labels: Record<string, string>;
  /** Resource usage sampling; off when absent. */
  usage?: SamplerOptions;
  /** Reachability probing (a round every intervalMs); off when absent. */
  probe?: ProbeOptions;
  /** Log tails (--tail) and buffers (--log-buffer); streams open only for what is shown. */
  logs?: LogOptions;
}

/** Events after which a container's facts may have changed (health arrives as "health_status: …"). */
const REFRESH_ACTIONS = /^(create|start|restart|die|stop|kill|oom|pause|unpause|update|rename|health_status)/;
const INSPECT_CONCURRENCY = 16;
const REMOTE_TASKS_MS = 5000;

/** One empty list for every snapshot without probing (a new [] each time would defeat the screen's memos). */
const NO_ENTRIES: Snapshot['reachability'] = [];
const NO_LISTENERS: Snapshot['listeners'] = {};

/** This host's own addresses. */
function hostAddresses(): Set<string> {
  return new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)));
}

export class ClusterMonitor {
  private readonly facts = new Map<string, ContainerFacts>();
  /** Views are derived once per facts change, not per usage tick (TF_CONFIG parsing is not free). */
  private views: NodeView[] = [];
  private problems: Snapshot['problems'] = [];
  private factsDirty = true;
  private usageTimer: NodeJS.Timeout | null = null;
  private lastUsagePublish = 0;
  readonly sampler: UsageSampler | null;
  private readonly host: HostSampler | null;
  private readonly gpu: GpuSampler | null;
  readonly probe: ProbeSampler | null;
  readonly logs: LogFollower;
  /** Each node's last error line, from its shown logs or read once when it exits or restarts. */
  private readonly lastErrors = new Map<string, string>();
  /** State and restart count last seen, to notice a node that just exited or restarted. */
  private readonly seen = new Map<string, { state: string; restarts: number }>();
  /** Swarm node ids → host names, read when a task of an unknown node shows up. */
  private swarmNodes = new Map<string, string>();
  private swarmNodesLoading = false;
  private swarmNodesUnavailable = false;
  /** Restarts by hand (restart events) seen while tfmon runs, per container. */
  private readonly manualRestarts = new Map<string, number>();
  /** Containers the engine sent an `oom` event for since their last start. The engine's own
   * State.OOMKilled loses a race with the exit under load (seen in CI: oom event, then exit 137 with
   * OOMKilled false); the event is the kernel's word that it killed for memory. */
  private readonly oomEvents = new Set<string>();
  /** The network's gateway is an address of this host (see hostReaches). */
  private bridgeIsHere = false;
  /** What the probes last saw of each node (state, pid, address, attachment, health). */
  private reachKeys = new Map<string, string>();
  private errorTimer: NodeJS.Timeout | null = null;
  private remoteTimer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly pending = new Set<string>();
  /** Containers destroyed lately (id → when): an inspect answered just before the destroy event
   * (state "removing") must not bring the node back after the event removed it. Ids are never reused. */
  private readonly destroyed = new Map<string, number>();
  private snapshot: Snapshot;
  private network: NetworkInfo;
  private engineInfo: EngineInfo;
  private events: { close(): void } | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private notifyQueued = false;
  private stopped = false;
  private syncing: Promise<void> | null = null;

  constructor(private readonly engine: Engine, private readonly options: MonitorOptions) {
    this.network = { name: options.network, id: null, driver: null };
    this.engineInfo = { host: engine.host, version: null, swarm: false };
    this.sampler = options.usage ? new UsageSampler(engine, options.usage, () => this.usageChanged()) : null;
    this.host = options.usage ? new HostSampler(Math.max(options.usage.intervalMs, 1000), () => this.usageChanged()) : null;
    // nvidia-smi costs 24-31 ms per query (measured on an H200, test/fixtures/SOURCES.md): every 2 s at most.
    this.gpu = options.usage
      ? new GpuSampler(Math.max(options.usage.intervalMs, 2000), engine.local, () => this.usageChanged())
      : null;
    // Listeners are checked from this host when it routes to the nodes: a bridge network of a local
    // engine whose gateway is an address of this host (not a rootless engine's or another network
    // namespace's, whose bridges this host cannot reach).
    const hostReaches = (): boolean => engine.local && this.network.driver === 'bridge' && this.bridgeIsHere;
    this.probe = options.probe ? new ProbeSampler(engine, () => this.views, () => this.publish(this.snapshot.engineError), options.probe, hostReaches) : null;
    this.logs = new LogFollower(engine, options.logs ?? DEFAULT_LOG_OPTIONS, (id, text) => this.noteError(id, text));
    this.snapshot = this.build(false, null);
  }

  /** An error line from a shown node's logs: kept as its last error, published twice a second at most. */
  private noteError(id: string, text: string): void {
    if (this.lastErrors.get(id) === text) return;
    this.lastErrors.set(id, text);
    if (this.errorTimer) return;
    this.errorTimer = setTimeout(() => {
      this.errorTimer = null;
      this.factsDirty = true;
      this.publish(this.snapshot.engineError);
    }, 500);
  }

  /** Reads the last lines of these nodes once and keeps their last error lines (status; a node
   * that exited or restarted). Failures are ignored: the last error is a hint, not a fact. */
  async readLastErrors(ids: readonly string[], tail = 200): Promise<void> {
    await mapLimit([...ids], INSPECT_CONCURRENCY, async (id) => {
      const f = this.facts.get(id);
      if (!f) return;
      try {
        const lines = await this.engine.readLogs(id, { tty: f.tty, tail });
        const last = lastErrorOf(lines.map(({ stream, line }, i) => toLogLine(i, id, stream, line)));
        if (last) this.lastErrors.set(id, last);
      } catch {
        // gone meanwhile, or the log driver cannot be read (none, syslog…)
      }
    });
    this.factsDirty = true;
    this.publish(this.snapshot.engineError);
  }

  /** A task on a swarm node tfmon has not named yet: the node list is read once more. */
  private loadSwarmNodes(): Promise<void> {
    const unknown = [...this.facts.values()].some((f) => f.swarmNodeId && !this.swarmNodes.has(f.swarmNodeId));
    // Not a manager (an empty answer): asked once, not at every change.
    if (!unknown || this.swarmNodesLoading || this.swarmNodesUnavailable) return Promise.resolve();
    this.swarmNodesLoading = true;
    return this.engine.swarmNodes().then((nodes) => {
      this.swarmNodesLoading = false;
      if (nodes.size === 0) {
        this.swarmNodesUnavailable = true;
        return;
      }
      this.swarmNodes = nodes;
      this.factsDirty = true;
      this.publish(this.snapshot.engineError);
    });
  }

  /** For status: the swarm nodes' names, when the cluster has tasks. */
  swarmNodesNow(): Promise<void> {
    return this.loadSwarmNodes();
  }

  /** Nodes that just exited, died or restarted: their last error line is read once. */
  private noticeTransitions(): void {
    const due: string[] = [];
    for (const f of this.facts.values()) {
      const before = this.seen.get(f.id);
      const ended = f.state === 'exited' || f.state === 'dead';
      if ((before && ((ended && before.state !== f.state) || f.restarts > before.restarts)) || (!before && ended && this.snapshot.ready)) {
        due.push(f.id);
      }
      this.seen.set(f.id, { state: f.state, restarts: f.restarts });
    }
    if (due.length && !this.stopped) void this.readLastErrors(due);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): Snapshot => this.snapshot;

  /** Connects and checks the network; the one-shot listing used by `status`. Throws EngineError. */
  async load(): Promise<Snapshot> {
    await this.connect();
    await this.resync();
    return this.snapshot;
  }

  /** load(), then wait for usage: the second sample of every running container (CPU % needs two),
   * about one interval, never longer than `timeoutMs`. What has no second sample by then stays null. */
  async loadWithUsage(timeoutMs: number): Promise<Snapshot> {
    await this.load();
    return this.awaitUsage(timeoutMs);
  }

  /** After load(): the usage wait of loadWithUsage alone. */
  async awaitUsage(timeoutMs: number): Promise<Snapshot> {
    if (!this.sampler) return this.snapshot;
    const running = this.snapshot.nodes.filter((n) => n.state === 'running').map((n) => n.id);
    const complete = (s: Snapshot): boolean => running.every((id) => s.usage[id]?.cpuPercent != null);
    await Promise.all([
      this.host?.sample(),
      this.gpu?.sample(),
      this.waitFor(complete, timeoutMs).catch(() => undefined),
    ]);
    this.publish(this.snapshot.engineError);
    return this.snapshot;
  }

  /** One reachability round now: the steady scope (status), or every pair (the `p` key). */
  probeNow(scope?: ProbeScope): Promise<void> {
    if (!this.probe) return Promise.resolve();
    return Promise.all([this.probe.round(scope), this.probe.checkListeners()]).then(() => undefined);
  }

  /** The matrix is on screen (every pair probed, at once and every round) or no longer. */
  setMatrixShown(on: boolean): void {
    this.probe?.setFullView(on);
  }

  /** The nodes whose usage is on screen: read every interval, the rest less often; null: all. */
  setUsageFocus(ids: ReadonlySet<string> | null): void {
    this.sampler?.focus(ids);
  }

  /** load() and then follow events. The stream opens before the listing, so nothing falls between. */
  async start(): Promise<void> {
    await this.connect();
    this.host?.start();
    this.gpu?.start();

    await new Promise<void>((resolve, reject) => {
      let opened = false;
      this.events = this.engine.followEvents({
        onEvent: (event) => this.onEvent(event),
        onOpen: () => {
          // Each (re)open resyncs: events may have been missed while the stream was down.
          const sync = this.resync();
          if (!opened) void sync.then(resolve);
          opened = true;
        },
        onLost: (error) => {
          const why = error instanceof EngineError ? error.message : engineMessage(error);
          if (!opened) {
            this.events?.close();
            reject(new EngineError(why));
            return;
          }
          this.publish(`engine unreachable — retrying (${why})`);
        },
      });
    });
    // After the first listing, so that the first round knows the nodes.
    if (this.probe && this.options.probe) this.probe.start(this.options.probe.intervalMs);
    // Nodes already down: why is in their last lines.
    const down = [...this.facts.values()].filter((f) => f.state === 'exited' || f.state === 'dead' || f.restarts > 0).map((f) => f.id);
    if (down.length) void this.readLastErrors(down);
  }

  private async connect(): Promise<void> {
    const [info, net] = await Promise.all([this.engine.hello(), this.engine.findNetwork(this.options.network)]);
    this.engineInfo = info;
    this.network = { name: net.name, id: net.id, driver: net.driver };
    this.bridgeIsHere = net.gateways.some((g) => hostAddresses().has(g));
  }

  stop(): void {
    this.stopped = true;
    this.events?.close();
    this.sampler?.stop();
    this.host?.stop();
    this.gpu?.stop();
    this.probe?.stop();
    this.logs.stop();
    if (this.errorTimer) clearTimeout(this.errorTimer);
    if (this.remoteTimer) clearInterval(this.remoteTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.usageTimer) clearTimeout(this.usageTimer);
    this.listeners.clear();
  }

  /** Full listing: used at start and after the events stream was lost. */
  private resync(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        const ids = await this.engine.clusterContainerIds(this.network.name, this.options.labels);
        const found = await mapLimit(ids, INSPECT_CONCURRENCY, (id) => this.engine.inspect(id, this.network));
        this.facts.clear();
        for (const f of found) if (f && this.matchesLabels(f) && !this.destroyed.has(f.id)) this.facts.set(f.id, f);
        await this.addRemoteTasks();
        this.publishFacts(null, true);
      } catch (error) {
        this.publish(error instanceof EngineError ? error.message : engineMessage(error));
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  /** On a swarm manager with an overlay network: the tasks running on other nodes (they have no
   * container here). The manager sends no event when a remote task changes: they are read again at
   * each resync and every REMOTE_TASKS_MS while any is known — the one poll tfmon does. */
  private async addRemoteTasks(): Promise<void> {
    if (!this.engineInfo.swarm || this.network.driver !== 'overlay') return;
    const local = new Set(this.facts.keys());
    for (const id of [...this.facts.keys()]) if (id.startsWith('task:')) this.facts.delete(id);
    for (const { task, service } of await this.engine.swarmTasks()) {
      const container = containerIdOf(task);
      if (container && local.has(container)) continue;
      const f = factsFromTask(task, service, this.network);
      if (f && this.matchesLabels(f)) this.facts.set(f.id, f);
    }
    const remote = [...this.facts.values()].some((f) => f.remote);
    if (remote && !this.remoteTimer && !this.stopped) {
      this.remoteTimer = setInterval(() => {
        void this.addRemoteTasks().then(() => this.publishFacts(this.snapshot.engineError));
      }, REMOTE_TASKS_MS);
    }
  }

  private matchesLabels(f: ContainerFacts): boolean {
    return Object.entries(this.options.labels).every(([k, v]) => (v === '' ? k in f.labels : f.labels[k] === v));
  }

  private onEvent(event: EngineEvent): void {
    if (event.type === 'network') {
      const ours = event.networkId === this.network.id || event.networkName === this.network.name;
      if (ours) this.queueRefresh(event.containerId);
      return;
    }
    if (event.action === 'destroy') {
      this.destroyed.set(event.containerId, Date.now());
      this.manualRestarts.delete(event.containerId);
      this.oomEvents.delete(event.containerId);
      this.lastErrors.delete(event.containerId);
      this.seen.delete(event.containerId);
      if (this.facts.delete(event.containerId)) this.publishFacts(null);
      return;
    }
    if (event.action === 'oom') this.oomEvents.add(event.containerId);
    else if (event.action === 'start') this.oomEvents.delete(event.containerId);
    // `docker restart` (and r/R) is not in RestartCount, which counts the restart policy's only.
    if (event.action === 'restart' && this.facts.has(event.containerId)) {
      this.manualRestarts.set(event.containerId, (this.manualRestarts.get(event.containerId) ?? 0) + 1);
    }
    // Unknown containers matter only when they are created (they may be on our network).
    if (this.facts.has(event.containerId) ? REFRESH_ACTIONS.test(event.action) : event.action === 'create') {
      this.queueRefresh(event.containerId);
    }
  }

  /** Coalesces bursts (create+connect+start) into one inspect per container. */
  private queueRefresh(id: string): void {
    this.pending.add(id);
    this.flushTimer ??= setTimeout(() => void this.flush(), 30);
  }

  private async flush(): Promise<void> {
    this.flushTimer = null;
    const ids = [...this.pending];
    this.pending.clear();
    try {
      const found = await mapLimit(ids, INSPECT_CONCURRENCY, (id) => this.engine.inspect(id, this.network));
      ids.forEach((id, i) => {
        const f = found[i];
        if (f && this.matchesLabels(f) && !this.destroyed.has(id)) this.facts.set(id, f);
        else this.facts.delete(id);
      });
      this.forgetDestroyed();
      if (!this.stopped) this.publishFacts(null);
    } catch (error) {
      this.publish(error instanceof EngineError ? error.message : engineMessage(error));
    }
  }

  /** Tombstones outlive any inspect in flight (bounded by the engine's timeout) and no longer. */
  private forgetDestroyed(): void {
    const before = Date.now() - 60_000;
    for (const [id, at] of this.destroyed) if (at < before) this.destroyed.delete(id);
  }

  private build(ready: boolean, engineError: string | null): Snapshot {
    if (this.factsDirty) {
      this.views = currentTasks([...this.facts.values()]
        .map((f) => ({
          ...toNodeView(f, this.lastErrors.get(f.id) ?? null),
          ...(this.oomEvents.has(f.id) && f.state !== 'running' ? { oomKilled: true } : {}),
          manualRestarts: this.manualRestarts.get(f.id) ?? 0,
          swarmNode: f.swarmNodeId ? (this.swarmNodes.get(f.swarmNodeId) ?? null) : null,
        }))
        ).sort(compareNodes);
      this.problems = findProblems(this.network, this.views);
      this.factsDirty = false;
    }
    return {
      engine: this.engineInfo,
      engineError,
      network: this.network,
      nodes: this.views,
      problems: this.allProblems(),
      usage: this.sampler?.all() ?? {},
      usageSource: this.sampler?.mode ?? null,
      host: this.host?.usage ?? null,
      gpus: this.gpu?.current.gpus ?? null,
      gpuByContainer: this.gpu?.current.byContainer ?? {},
      gpuNote: this.gpu?.current.note ?? null,
      reachability: this.probe?.reachability ?? NO_ENTRIES,
      listeners: this.probe?.listeners ?? NO_LISTENERS,
      probe: this.probe ? { on: true, lastRoundMs: this.probe.lastRoundMs } : { on: false },
      ready,
      updatedAt: Date.now(),
    };
  }

  /** Problems change with the nodes (views and their problems are rebuilt together) or a probe
   * round, not with a usage sample: the same array until then, for the screen's memos. */
  private problemsCache: { views: unknown; entries: unknown; listeners: unknown; all: Snapshot['problems'] } | null = null;
  private allProblems(): Snapshot['problems'] {
    if (!this.probe) return this.problems;
    const entries = this.probe.reachability;
    const listeners = this.probe.listeners;
    if (this.problemsCache?.views !== this.views || this.problemsCache.entries !== entries || this.problemsCache.listeners !== listeners) {
      this.problemsCache = { views: this.views, entries, listeners, all: [...this.problems, ...listenProblems(listeners, this.views), ...reachProblems(entries, this.views)] };
    }
    return this.problemsCache.all;
  }

  /** Usage samples arrive per container (API streams), per tick (cgroup files), and from the host
   * and GPU samplers at their own moments: gathered into one snapshot per interval, so the screen
   * draws one frame a second instead of one per source. */
  private usageChanged(): void {
    if (this.usageTimer) return;
    const interval = this.options.usage?.intervalMs ?? 1000;
    const due = this.lastUsagePublish + interval * 0.9 - Date.now();
    this.usageTimer = setTimeout(() => {
      this.usageTimer = null;
      this.lastUsagePublish = Date.now();
      this.publish(this.snapshot.engineError);
    }, Math.max(50, due));
  }

  /** A snapshot after the facts changed: views, problems and the set of usage sources follow. */
  private publishFacts(engineError: string | null, ready = this.snapshot.ready): void {
    this.factsDirty = true;
    void this.loadSwarmNodes();
    // Remote swarm tasks have no container here: no usage source for them.
    this.sampler?.sync([...this.facts.values()].filter((f) => !f.remote));
    this.noticeTransitions();
    this.publish(engineError, ready);
    this.logs.sync(this.views);
    this.touchProbes();
  }

  /** Nodes whose reachability may have changed (started, stopped, restarted, attached, detached,
   * came or went) get their pairs probed at once: events, not the round's interval, bound how soon
   * a cut link or a stopped node shows. */
  private touchProbes(): void {
    if (!this.probe) return;
    const now = new Map(this.views.map((n) => [n.id, `${n.state}|${n.pid}|${n.ip}|${n.attached}|${n.health}`]));
    const changed: string[] = [];
    for (const [id, key] of now) if (this.reachKeys.get(id) !== key) changed.push(id);
    for (const id of this.reachKeys.keys()) if (!now.has(id)) changed.push(id);
    this.reachKeys = now;
    this.probe.touch(changed);
  }

  private publish(engineError: string | null, ready = this.snapshot.ready): void {
    if (this.stopped) return;
    this.snapshot = this.build(ready, engineError);
    if (this.notifyQueued) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      for (const listener of this.listeners) listener();
    });
  }

  /** Resolves once a snapshot satisfies the predicate (used by status and tests). */
  waitFor(predicate: (s: Snapshot) => boolean, timeoutMs: number): Promise<Snapshot> {
    return waitForSnapshot(this, predicate, timeoutMs);
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
