// One usage source per running container: the cgroup reader on a local engine (one timer for all),
// else one stats stream each. Sources open when a container starts and close when it stops or goes.
import { totalmem } from 'node:os';
import type { ContainerFacts, NodeUsage } from '../cluster/types.js';
import { countersFromStats, usageOf, type Counters } from '../cluster/usage.js';
import { CgroupReader, type CgroupPaths } from '../engine/cgroup-reader.js';
import type { StatsSource } from '../engine/needs.js';

export const HISTORY = 60;
/** Nodes off screen are read every this many ticks (the ones shown, every tick): at 200 nodes the
 * cgroup files were tfmon's largest cost (1,400 reads a second, ~2 % of a core, measured). */
const UNFOCUSED_EVERY = 5;

export type UsageMode = 'auto' | 'cgroup' | 'api';

export interface SamplerOptions {
  intervalMs: number;
  mode: UsageMode;
}

interface Tracked {
  id: string;
  pid: number | null;
  nanoCpus: number | null;
  paths: CgroupPaths | null;
  stream: { close(): void } | null;
  prev: Counters | null;
  usage: NodeUsage | null;
}

const push = (history: number[], value: number | null): number[] => {
  const next = [...history, value ?? 0];
  return next.length > HISTORY ? next.slice(next.length - HISTORY) : next;
};

export class UsageSampler {
  private readonly tracked = new Map<string, Tracked>();
  private readonly reader: CgroupReader | null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private ticks = 0;
  /** The nodes on screen (read every tick); null: all of them (status, a script, no screen). */
  private focused: ReadonlySet<string> | null = null;

  constructor(
    private readonly engine: StatsSource,
    private readonly options: SamplerOptions,
    private readonly onChange: () => void,
  ) {
    // The kernel's files describe this host's containers only when the engine is this host's.
    this.reader = options.mode !== 'api' && engine.local ? CgroupReader.detect() : null;
  }

  get mode(): 'cgroup' | 'api' {
    return this.reader ? 'cgroup' : 'api';
  }

  /** Streams currently open (one per running container read through the API). */
  get openStreams(): number {
    let n = 0;
    for (const t of this.tracked.values()) if (t.stream) n++;
    return n;
  }

  /** One container's usage, or undefined before its first sample. */
  get(id: string): NodeUsage | undefined {
    return this.tracked.get(id)?.usage ?? undefined;
  }

  /** Usage of every container with a sample, by id. */
  all(): Record<string, NodeUsage> {
    const out: Record<string, NodeUsage> = {};
    for (const [id, t] of this.tracked) if (t.usage) out[id] = t.usage;
    return out;
  }

  /** Follow exactly these containers' running set: open what started, close what stopped or went. */
  sync(containers: readonly ContainerFacts[]): void {
    if (this.stopped) return;
    const running = new Map(containers.filter((c) => c.state === 'running').map((c) => [c.id, c]));
    for (const [id, t] of this.tracked) {
      const c = running.get(id);
      if (!c || (c.pid !== null && t.pid !== null && c.pid !== t.pid)) this.forget(id); // stopped, gone, or restarted
    }
    for (const [id, c] of running) {
      if (this.tracked.has(id)) continue;
      const t: Tracked = {
        id,
        pid: c.pid,
        nanoCpus: c.nanoCpus,
        paths: this.reader?.pathsFor(id) ?? null,
        stream: null,
        prev: null,
        usage: null,
      };
      this.tracked.set(id, t);
      if (!t.paths) this.openStream(t);
    }
    const needTimer = [...this.tracked.values()].some((t) => t.paths);
    if (needTimer && !this.timer) {
      this.tick();
      this.timer = setInterval(() => this.tick(), this.options.intervalMs);
    } else if (!needTimer && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** The nodes on screen now: read every tick; the others every UNFOCUSED_EVERY ticks. */
  focus(ids: ReadonlySet<string> | null): void {
    this.focused = ids;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const id of [...this.tracked.keys()]) this.forget(id);
  }

  private forget(id: string): void {
    const t = this.tracked.get(id);
    t?.stream?.close();
    this.tracked.delete(id);
  }

  private record(t: Tracked, cur: Counters, source: NodeUsage['source']): void {
    // Unlimited containers: the engine reports the host's memory as the limit; so does tfmon.
    const counters = cur.memLimit === null ? { ...cur, memLimit: totalmem() } : cur;
    const u = usageOf(t.prev, counters, t.nanoCpus);
    t.prev = counters;
    t.usage = {
      ...u,
      cpuHistory: push(t.usage?.cpuHistory ?? [], u.cpuPercent),
      memHistory: push(t.usage?.memHistory ?? [], u.memBytes),
      source,
      counters,
    };
  }

  private tick(): void {
    if (!this.reader || this.stopped) return;
    const system = this.reader.system();
    const at = Date.now();
    let changed = false;
    const all = this.ticks++ % UNFOCUSED_EVERY === 0;
    for (const t of this.tracked.values()) {
      if (!t.paths) continue;
      if (!all && this.focused && !this.focused.has(t.id) && t.prev) continue;
      const cur = this.reader.counters(t.paths, t.pid, system, at);
      if (!cur) continue; // gone between ticks: the events stream will tell the store
      this.record(t, cur, 'cgroup');
      changed = true;
    }
    if (changed) this.onChange();
  }

  private openStream(t: Tracked): void {
    t.stream = this.engine.followStats(
      t.id,
      (json) => {
        if (this.tracked.get(t.id) !== t) return;
        const cur = countersFromStats(json, Date.now());
        if (!cur) return; // the zeroed samples of a stopping container
        this.record(t, cur, 'api');
        this.onChange();
      },
      () => {
        // Ended (container stopped, engine hiccup): forgotten, so the next sync reopens it if it runs.
        if (this.tracked.get(t.id) === t) this.tracked.delete(t.id);
      },
    );
  }
}
