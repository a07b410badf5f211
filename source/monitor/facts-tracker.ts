// The cluster's containers as the engine last described them, kept current from the events stream:
// a full listing at start and after the stream was lost, one inspect per container per burst of
// events, tombstones for destroyed containers, and what only the events say (restarts by hand, OOM
// kills). The swarm tasks on other nodes, which send no event, are read again every few seconds.
import { containerIdOf, factsFromTask } from '../engine/swarm-tasks.js';
import type { ContainerFacts, NetworkInfo } from '../cluster/types.js';
import type { EngineEvent } from '../engine/events.js';
import type { ClusterReader } from '../engine/needs.js';
import { mapLimit } from './map-limit.js';
import { EngineError, engineMessage } from '../engine/errors.js';
import { parseTfConfig, splitAddress } from '../cluster/tf-config.js';

/** The hosts a raw TF_CONFIG's cluster lists; none when it is absent or not valid. */
function hostsOf(raw: string | null): string[] {
  if (raw === null) return [];
  const parsed = parseTfConfig(raw);
  if (!parsed.ok) return [];
  return Object.values(parsed.config.cluster)
    .flatMap((tasks) => tasks.map((t) => splitAddress(t.address)?.host ?? ''))
    .filter(Boolean);
}

/** Events after which a container's facts may have changed (health arrives as "health_status: …"). */
const REFRESH_ACTIONS = /^(create|start|restart|die|stop|kill|oom|pause|unpause|update|rename|health_status)/;
/** A burst (create + connect + start) is one inspect per container, this long after its first event. */
const COALESCE_MS = 30;
const REMOTE_TASKS_MS = 5000;
/** Names TensorFlow would dial on this host itself: not containers. */
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0)$/i;
/** Tombstones outlive any inspect in flight (bounded by the engine's timeout) and no longer. */
const TOMBSTONE_MS = 60_000;

export interface TrackerHost {
  /** The network as last found (its id and driver are known after connect). */
  network(): NetworkInfo;
  /** The engine is a swarm manager. */
  swarm(): boolean;
  /** The facts changed: views, problems and usage sources follow. `listed`: a full listing (the
   * cluster is known: ready); `refreshed`: inspects after events (the engine answered); `polled`:
   * remote swarm tasks read again (says nothing of the engine's own state). */
  changed(how: 'listed' | 'refreshed' | 'polled'): void;
  /** The engine could not be read (its words); the facts stay as they were. */
  failed(message: string): void;
  /** A container was destroyed (what is kept per container is dropped). */
  destroyed(id: string): void;
}

export class FactsTracker {
  readonly facts = new Map<string, ContainerFacts>();
  /** Restarts by hand (restart events) seen while tfmon runs, per container: Docker's RestartCount
   * counts the restart policy's only. */
  readonly manualRestarts = new Map<string, number>();
  /** Containers the engine sent an `oom` event for since their last start. The engine's own
   * State.OOMKilled loses a race with the exit under load (oom event, then exit 137 with OOMKilled
   * false); the event is the kernel's word that it killed for memory. */
  readonly oomEvents = new Set<string>();
  private readonly pending = new Set<string>();
  /** Ids of containers that are members because a TF_CONFIG names them (see addNamed). */
  private readonly named = new Set<string>();
  /** Containers destroyed lately (id → when): an inspect answered just before the destroy event
   * (state "removing") must not bring the node back after the event removed it. Ids are never reused. */
  private readonly tombstones = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | null = null;
  private remoteTimer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly engine: Pick<ClusterReader, 'clusterContainerIds' | 'inspect' | 'swarmTasks'>,
    private readonly labels: Record<string, string>,
    private readonly host: TrackerHost,
    private readonly concurrency = 16,
  ) {}

  /** Full listing: at start and after the events stream was lost (events may have been missed). */
  resync(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        const network = this.host.network();
        const ids = await this.engine.clusterContainerIds(network.name, this.labels);
        const found = await this.inspectAll(ids);
        this.facts.clear();
        for (const f of found) if (f && this.matches(f) && !this.tombstones.has(f.id)) this.facts.set(f.id, f);
        await this.addNamed();
        await this.addRemoteTasks();
        this.host.changed('listed');
      } catch (error) {
        this.host.failed(messageOf(error));
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  onEvent(event: EngineEvent): void {
    const network = this.host.network();
    if (event.type === 'network') {
      if (event.networkId === network.id || event.networkName === network.name) this.refresh(event.containerId);
      return;
    }
    const id = event.containerId;
    if (event.action === 'destroy') {
      this.tombstones.set(id, Date.now());
      this.manualRestarts.delete(id);
      this.oomEvents.delete(id);
      this.host.destroyed(id);
      if (this.facts.delete(id)) this.host.changed('refreshed');
      return;
    }
    if (event.action === 'oom') this.oomEvents.add(id);
    else if (event.action === 'start') this.oomEvents.delete(id);
    if (event.action === 'restart' && this.facts.has(id))
      this.manualRestarts.set(id, (this.manualRestarts.get(id) ?? 0) + 1);
    // Unknown containers matter only when they are created (they may be on our network).
    if (this.facts.has(id) ? REFRESH_ACTIONS.test(event.action) : event.action === 'create') this.refresh(id);
  }

  stop(): void {
    this.stopped = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.remoteTimer) clearInterval(this.remoteTimer);
  }

  /** Coalesces bursts into one inspect per container. */
  private refresh(id: string): void {
    this.pending.add(id);
    this.flushTimer ??= setTimeout(() => void this.flush(), COALESCE_MS);
  }

  private async flush(): Promise<void> {
    this.flushTimer = null;
    const ids = [...this.pending];
    this.pending.clear();
    try {
      const found = await this.inspectAll(ids, (id) => this.named.has(id));
      // A known member that left the network stays one when the cluster's TF_CONFIGs name it (cut
      // off): looked up only then, since it means reading every TF_CONFIG (rare, unlike events).
      const left = ids.filter((id, i) => found[i] === null && this.facts.has(id));
      if (left.length) {
        const namedHosts = new Set([...this.facts.values()].flatMap((f) => hostsOf(f.tfConfigRaw)));
        const cut = left.filter((id) => {
          const f = this.facts.get(id)!;
          return namedHosts.has(f.name) || (f.service !== null && namedHosts.has(f.service));
        });
        const again = await this.inspectAll(cut, () => true);
        cut.forEach((id, i) => {
          this.named.add(id);
          found[ids.indexOf(id)] = again[i] ?? null;
        });
      }
      ids.forEach((id, i) => {
        const f = found[i];
        if (f && this.matches(f) && !this.tombstones.has(id)) this.facts.set(id, f);
        else this.facts.delete(id);
      });
      const before = Date.now() - TOMBSTONE_MS;
      for (const [id, at] of this.tombstones) if (at < before) this.tombstones.delete(id);
      if (!this.stopped) this.host.changed('refreshed');
    } catch (error) {
      this.host.failed(messageOf(error));
    }
  }

  /** On a swarm manager with an overlay network: the tasks running on other nodes (they have no
   * container here). The manager sends no event when a remote task changes: they are read again at
   * each resync and every REMOTE_TASKS_MS while any is known — the one poll tfmon does. */
  private async addRemoteTasks(): Promise<void> {
    const network = this.host.network();
    if (!this.host.swarm() || network.driver !== 'overlay') return;
    const local = new Set(this.facts.keys());
    for (const id of [...this.facts.keys()]) if (id.startsWith('task:')) this.facts.delete(id);
    for (const { task, service } of await this.engine.swarmTasks()) {
      const container = containerIdOf(task);
      if (container && local.has(container)) continue;
      const f = factsFromTask(task, service, network);
      if (f && this.matches(f)) this.facts.set(f.id, f);
    }
    const remote = [...this.facts.values()].some((f) => f.remote);
    if (remote && !this.remoteTimer && !this.stopped) {
      this.remoteTimer = setInterval(() => {
        void this.addRemoteTasks().then(() => this.host.changed('polled'));
      }, REMOTE_TASKS_MS);
    }
  }

  /** Containers the cluster's TF_CONFIGs name that are not on the network (cut off, never
   * attached): members all the same, shown as not attached — the fault is theirs, not the
   * TF_CONFIG's. Looked up by name at each listing; events keep them current after that. */
  private async addNamed(): Promise<void> {
    const known = new Set([...this.facts.values()].flatMap((f) => [f.name, f.service ?? f.name]));
    const wanted = new Set<string>();
    for (const f of this.facts.values()) {
      for (const host of hostsOf(f.tfConfigRaw))
        if (!known.has(host) && /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(host) && !LOOPBACK.test(host)) wanted.add(host);
    }
    const names = [...wanted];
    const found = await this.inspectAll(names, () => true);
    for (const f of found) {
      if (!f || !this.matches(f) || this.tombstones.has(f.id) || this.facts.has(f.id)) continue;
      this.named.add(f.id);
      this.facts.set(f.id, f);
    }
  }

  private matches(f: ContainerFacts): boolean {
    return Object.entries(this.labels).every(([k, v]) => (v === '' ? k in f.labels : f.labels[k] === v));
  }

  private async inspectAll(
    ids: readonly string[],
    named: (id: string) => boolean = () => false,
  ): Promise<(ContainerFacts | null)[]> {
    const network = this.host.network();
    return mapLimit(ids, this.concurrency, (id) => this.engine.inspect(id, network, named(id)));
  }
}

/** An engine error's own words; anything else as the engine's message would say it. */
const messageOf = (error: unknown): string => (error instanceof EngineError ? error.message : engineMessage(error));
