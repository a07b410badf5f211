// One engine's cluster as snapshots: the facts tracker keeps the containers current from the events
// stream, the samplers add usage, reachability, logs and last errors, and every change makes a new
// immutable Snapshot for the screen and the commands (which subscribe; none of them calls the engine).
// A little over 300 lines: it is where the parts meet (start, stop, what each change rebuilds and
// when it is published); each part's own logic lives in its file.
import type { UsageNow } from '../cluster/training.js';
import { startingUntil } from '../cluster/frameworks/placement.js';
import { networkInterfaces } from 'node:os';
import { findProblems } from '../cluster/problems.js';
import { currentTasks, SlotHistory } from '../cluster/swarm.js';
import { compareNodes, toNodeView } from '../cluster/role.js';
import type { EngineInfo, NetworkInfo, NodeView, Snapshot } from '../cluster/types.js';
import type { Engine } from '../engine/engine.js';
import { EngineError, engineMessage } from '../engine/errors.js';
import { GpuSampler } from './gpu-sampler.js';
import { HostSampler } from './host-sampler.js';
import { ProbeSampler, type ProbeOptions } from './probe-sampler.js';
import type { ProbeScope } from '../cluster/probe-plan.js';
import { diagnose } from '../cluster/diagnose.js';
import { UsageSampler, type SamplerOptions } from './usage-sampler.js';
import { DEFAULT_LOG_OPTIONS, LogFollower, type LogOptions } from './log-follower.js';
import { waitForSnapshot } from './wait.js';
import type { Monitor } from './monitor.js';
import { LastErrors } from './last-errors.js';
import { SwarmNames } from './swarm-names.js';
import { Publisher } from './publisher.js';
import { FactsTracker } from './facts-tracker.js';
import { TrainingTracker, type TrainingWatchOptions } from './training-tracker.js';
import { splitTimestamp } from '../cluster/logs.js';

export interface MonitorOptions {
  network: string;
  labels: Record<string, string>;
  /** Resource usage sampling; off when absent. */
  usage?: SamplerOptions;
  /** Reachability probing (a round every intervalMs); off when absent. */
  probe?: ProbeOptions;
  /** Log tails (--tail) and buffers (--log-buffer); streams open only for what is shown. */
  logs?: LogOptions;
  /** Training from the nodes' own progress lines: every node but the ps tasks followed; off when
   * absent (then logs stream only for what is shown). */
  training?: TrainingWatchOptions;
}

const INSPECT_CONCURRENCY = 16;

/** One empty list for every snapshot without probing (a new [] each time would defeat the screen's memos). */
const NO_ENTRIES: Snapshot['reachability'] = [];
const NO_LISTENERS: Snapshot['listeners'] = {};
const NO_TRAINING: Snapshot['training'] = {};

/** This host's own addresses. */
function hostAddresses(): Set<string> {
  return new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)));
}

export class ClusterMonitor implements Monitor {
  private readonly tracker: FactsTracker;
  /** Views are derived once per facts change, not per usage tick (TF_CONFIG parsing is not free). */
  private views: NodeView[] = [];
  /** The nodes' own problems as found, and with their causes (without the probes' findings). */
  private found: Snapshot['problems'] = [];
  private problems: Snapshot['problems'] = [];
  private factsDirty = true;
  private usageTimer: NodeJS.Timeout | null = null;
  private lastUsagePublish = 0;
  readonly sampler: UsageSampler | null;
  private readonly host: HostSampler | null;
  private readonly lastErrors: LastErrors;
  private readonly swarmNames: SwarmNames;
  private peers: NodeView[] = [];
  private readonly slots = new SlotHistory();
  private readonly gpu: GpuSampler | null;
  readonly probe: ProbeSampler | null;
  readonly logs: LogFollower;
  private readonly training: TrainingTracker | null;
  /** The network's gateway is an address of this host (see hostReaches). */
  private bridgeIsHere = false;
  /** What the probes last saw of each node (state, pid, address, attachment, health). */
  private reachKeys = new Map<string, string>();
  private readonly publisher = new Publisher();
  private snapshot: Snapshot;
  private network: NetworkInfo;
  private engineInfo: EngineInfo;
  private events: { close(): void } | null = null;
  /** start() ran: events, samplers and streams follow the cluster (load() alone reads it once). */
  private following = false;
  private stopped = false;

  constructor(
    private readonly engine: Engine,
    private readonly options: MonitorOptions,
  ) {
    this.network = { name: options.network, id: null, driver: null };
    this.engineInfo = { host: engine.host, version: null, swarm: false };
    this.sampler = options.usage ? new UsageSampler(engine, options.usage, () => this.usageChanged()) : null;
    // The host line describes the engine's machine: measured only when that is this one.
    this.host =
      options.usage && engine.local
        ? new HostSampler(Math.max(options.usage.intervalMs, 1000), () => this.usageChanged())
        : null;
    // nvidia-smi costs 24-31 ms per query (measured on an H200, test/fixtures/SOURCES.md): every 2 s at most.
    this.gpu = options.usage
      ? new GpuSampler(Math.max(options.usage.intervalMs, 2000), engine.local, () => this.usageChanged())
      : null;
    // Listeners are checked from this host when it routes to the nodes: a bridge network of a local
    // engine whose gateway is an address of this host (not a rootless engine's or another network
    // namespace's, whose bridges this host cannot reach).
    const hostReaches = (): boolean => engine.local && this.network.driver === 'bridge' && this.bridgeIsHere;
    this.probe = options.probe
      ? new ProbeSampler(
          engine,
          () => (this.peers.length ? [...this.views, ...this.peers] : this.views),
          () => this.publish(this.snapshot.engineError),
          options.probe,
          hostReaches,
        )
      : null;
    this.tracker = new FactsTracker(
      engine,
      options.labels,
      {
        network: () => this.network,
        swarm: () => this.engineInfo.swarm,
        changed: (how) =>
          how === 'polled'
            ? this.publishFacts(this.snapshot.engineError)
            : this.publishFacts(null, how === 'listed' || this.snapshot.ready),
        failed: (message) => this.publish(message),
        destroyed: (id) => {
          this.lastErrors.forget(id);
          this.training?.forget(id);
        },
      },
      INSPECT_CONCURRENCY,
    );
    const factsChanged = (): void => {
      this.factsDirty = true;
      this.publish(this.snapshot.engineError);
    };
    this.lastErrors = new LastErrors(engine, factsChanged, INSPECT_CONCURRENCY);
    this.swarmNames = new SwarmNames(engine, factsChanged);
    this.training = options.training
      ? new TrainingTracker(
          options.training,
          () => this.usageChanged(),
          () => this.views,
          (id) => this.usageNow(id),
        )
      : null;
    this.logs = new LogFollower(
      engine,
      options.logs ?? DEFAULT_LOG_OPTIONS,
      (id, text) => this.lastErrors.note(id, text),
      this.training?.line ?? null,
    );
    this.snapshot = this.build(false, null);
  }

  /** Reads the last lines of these nodes once and keeps their last error lines (status; a node
   * that exited or restarted). */
  async readLastErrors(ids: readonly string[], tail = 200): Promise<void> {
    // Once started, the training streams read every node's lines themselves: these would count twice.
    const training = this.following ? null : this.training;
    const lines = training
      ? (id: string, read: readonly { line: string; tail?: string }[]): void => {
          for (const r of read) {
            const [ts, rest] = splitTimestamp(r.line);
            training.line(id, r.tail ?? rest, ts, false);
          }
        }
      : undefined;
    await this.lastErrors.read(
      ids.flatMap((id) => this.tracker.facts.get(id) ?? []),
      tail,
      lines,
    );
    if (training?.judge()) this.publish(this.snapshot.engineError);
  }

  /** What the training judgments read of a node's usage. */
  private usageNow(id: string): UsageNow | null {
    const u = this.sampler?.get(id);
    const gpus = this.gpu?.current.byContainer[id];
    const utils = (gpus ?? []).map((g) => g.utilPercent).filter((x): x is number => x !== null);
    if (!u && !utils.length) return null;
    return {
      cpuPercent: u?.cpuPercent ?? null,
      cpuOfLimitPercent: u?.cpuOfLimitPercent ?? null,
      gpuPercent: utils.length ? Math.max(...utils) : null,
      netBps: u && u.netRxBps !== null && u.netTxBps !== null ? u.netRxBps + u.netTxBps : null,
    };
  }

  /** For status: the swarm nodes' names, when the cluster has tasks. */
  /** Nodes other engines run (several engines as one cluster): targets of this engine's probes,
   * never sources. */
  setPeers(peers: readonly NodeView[]): void {
    this.peers = peers.map((n) => ({ ...n, remote: true }));
  }

  swarmNodesNow(): Promise<void> {
    return this.swarmNames.load(this.tracker.facts.values());
  }

  subscribe = this.publisher.subscribe;

  getSnapshot = (): Snapshot => this.snapshot;

  engineOf(id: string): Engine | null {
    return this.tracker.facts.has(id) ? this.engine : null;
  }

  /** Connects and checks the network; the one-shot listing used by `status`. Throws EngineError. */
  async load(): Promise<Snapshot> {
    await this.connect();
    await this.tracker.resync();
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
    // Asked of the sampler, not of published snapshots: those come at most once an interval, so
    // samples arriving a few ms after a publish would wait for the next one. (Through the stats API
    // CPU takes about 2 s whatever tfmon does: a stream that joins the engine's running collector
    // gets its first sample at the collector's next second, measured.)
    const sampler = this.sampler;
    const complete = (): boolean => running.every((id) => sampler.get(id)?.cpuPercent != null);
    const until = Date.now() + timeoutMs;
    const allSampled = async (): Promise<void> => {
      while (!complete() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    };
    await Promise.all([this.host?.sample(), this.gpu?.sample(), allSampled()]);
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
    this.following = true;
    await this.connect();
    this.host?.start();
    this.gpu?.start();

    await new Promise<void>((resolve, reject) => {
      let opened = false;
      this.events = this.engine.followEvents({
        onEvent: (event) => (event.type === 'node' ? this.swarmNames.onEvent(event) : this.tracker.onEvent(event)),
        onOpen: () => {
          // Each (re)open resyncs: events may have been missed while the stream was down.
          const sync = this.tracker.resync();
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
    this.training?.start();
    // Nodes already down: why is in their last lines.
    const down = [...this.tracker.facts.values()]
      .filter((f) => f.state === 'exited' || f.state === 'dead' || f.restarts > 0)
      .map((f) => f.id);
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
    this.training?.stop();
    this.lastErrors.stop();
    this.tracker.stop();
    if (this.usageTimer) clearTimeout(this.usageTimer);
    if (this.startingTimer) clearTimeout(this.startingTimer);
    this.publisher.clear();
  }

  private build(ready: boolean, engineError: string | null): Snapshot {
    if (this.factsDirty) {
      const all = [...this.tracker.facts.values()].map((f) => ({
        ...toNodeView(f, this.lastErrors.get(f.id)),
        ...(this.tracker.oomEvents.has(f.id) && f.state !== 'running' ? { oomKilled: true } : {}),
        manualRestarts: this.tracker.manualRestarts.get(f.id) ?? 0,
        swarmNode: this.swarmNames.get(f.swarmNodeId),
      }));
      this.views = this.slots.apply(all, currentTasks(all), (n) => n.swarmNode).sort(compareNodes);
      this.found = findProblems(this.network, this.views);
      this.problems = diagnose({ network: this.network, nodes: this.views, found: this.found });
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
      training: this.training?.byNode() ?? NO_TRAINING,
      clusterTraining: this.training?.cluster(this.views) ?? null,
      ...(this.swarmNames.all() ? { swarmNodes: this.swarmNames.all() } : {}),
      ready,
      updatedAt: Date.now(),
    };
  }

  /** Problems change with the nodes (views and their problems are rebuilt together), a probe round
   * or the training's judgments, not with a usage sample: the same array until then, for the
   * screen's memos. */
  private problemsCache: {
    views: unknown;
    entries: unknown;
    listeners: unknown;
    training: unknown;
    until: number;
    all: Snapshot['problems'];
  } | null = null;
  /** Publishes again when a starting master's time is up (its closed port becomes a fault then). */
  private startingTimer: NodeJS.Timeout | null = null;
  private allProblems(): Snapshot['problems'] {
    const training = this.training?.current ?? null;
    if (!this.probe && !training?.length) return this.problems;
    const entries = this.probe?.reachability ?? NO_ENTRIES;
    const listeners = this.probe?.listeners ?? NO_LISTENERS;
    const c = this.problemsCache;
    const now = Date.now();
    if (
      c?.views !== this.views ||
      c.entries !== entries ||
      c.listeners !== listeners ||
      c.training !== training ||
      now >= c.until
    ) {
      const until = Math.min(...this.views.map(startingUntil).filter((t) => t > now), Infinity);
      this.problemsCache = {
        views: this.views,
        entries,
        listeners,
        training,
        until,
        all: diagnose({
          network: this.network,
          nodes: this.views,
          found: this.found,
          listeners,
          reachability: entries,
          training: training ?? [],
          swarmNodes: this.swarmNames.all(),
          now,
        }),
      };
      if (this.startingTimer) clearTimeout(this.startingTimer);
      this.startingTimer =
        Number.isFinite(until) && !this.stopped
          ? setTimeout(
              () => {
                this.startingTimer = null;
                this.publish(this.snapshot.engineError);
              },
              until - now + 10,
            )
          : null;
    }
    return this.problemsCache!.all;
  }

  /** Usage samples arrive per container (API streams), per tick (cgroup files), and from the host
   * and GPU samplers at their own moments: gathered into one snapshot per interval, so the screen
   * draws one frame a second instead of one per source. */
  private usageChanged(): void {
    if (this.usageTimer) return;
    const interval = this.options.usage?.intervalMs ?? 1000;
    const due = this.lastUsagePublish + interval * 0.9 - Date.now();
    this.usageTimer = setTimeout(
      () => {
        this.usageTimer = null;
        this.lastUsagePublish = Date.now();
        this.publish(this.snapshot.engineError);
      },
      Math.max(50, due),
    );
  }

  /** A snapshot after the facts changed: views, problems and the set of usage sources follow. */
  private publishFacts(engineError: string | null, ready = this.snapshot.ready): void {
    this.factsDirty = true;
    void this.swarmNames.load(this.tracker.facts.values());
    // Remote swarm tasks have no container here: no usage source for them.
    this.sampler?.sync([...this.tracker.facts.values()].filter((f) => !f.remote));
    // Nodes that just exited, died or restarted: their last error line is read once.
    const ended = this.lastErrors.transitions(this.tracker.facts.values(), this.snapshot.ready);
    if (ended.length && !this.stopped) void this.lastErrors.read(ended);
    this.publish(engineError, ready);
    this.logs.sync(this.views);
    // Every node that may print progress (a ps task does not) is followed while it runs.
    if (this.training) this.logs.watch(this.views.filter((n) => n.role !== 'ps' && n.state === 'running' && !n.remote));
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
    this.publisher.notify();
  }

  /** Resolves once a snapshot satisfies the predicate (used by status and tests). */
  waitFor(predicate: (s: Snapshot) => boolean, timeoutMs: number): Promise<Snapshot> {
    return waitForSnapshot(this, predicate, timeoutMs);
  }
}
