// GPU figures: one nvidia-smi call per query per interval (never per container), never overlapping.
// Compute-app PIDs are host PIDs: mapped to containers through /proc/<pid>/cgroup, so only for an
// engine on this host. No nvidia-smi: GPU columns are hidden and the note says why.
import { gpusByContainer, parseAppsCsv, parseGpuCsv, type ContainerGpu, type GpuStat } from '../cluster/gpu.js';
import { containerOfPid } from '../engine/cgroup-reader.js';
import { queryComputeApps, queryGpus } from '../engine/nvidia-smi.js';

export interface GpuState {
  /** null: no GPU figures (see note). */
  gpus: GpuStat[] | null;
  byContainer: Record<string, ContainerGpu[]>;
  note: string | null;
}

export class GpuSampler {
  private state: GpuState = { gpus: null, byContainer: {}, note: null };
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private readonly pidCache = new Map<number, string | null>();

  constructor(
    private readonly intervalMs: number,
    private readonly local: boolean,
    private readonly onChange: () => void,
  ) {}

  get current(): GpuState {
    return this.state;
  }

  start(): void {
    void this.sample().then(() => {
      if (this.state.gpus !== null && !this.timer) this.timer = setInterval(() => void this.sample(), this.intervalMs);
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async sample(): Promise<GpuState> {
    if (!this.local) {
      this.state = {
        gpus: null,
        byContainer: {},
        note: 'GPU figures need tfmon on the engine’s host (the engine is remote)',
      };
      return this.state;
    }
    if (this.busy) return this.state;
    this.busy = true;
    try {
      const [gpuOut, appOut] = await Promise.all([queryGpus(), queryComputeApps()]);
      if (!gpuOut.ok) {
        this.state = {
          gpus: null,
          byContainer: {},
          note: gpuOut.absent ? 'GPU columns hidden: nvidia-smi not found' : gpuOut.error,
        };
        if (gpuOut.absent) this.stop();
      } else {
        const gpus = parseGpuCsv(gpuOut.stdout);
        const apps = appOut.ok ? parseAppsCsv(appOut.stdout) : [];
        const owners = new Map<number, string>();
        for (const app of apps) {
          if (!this.pidCache.has(app.pid)) this.pidCache.set(app.pid, containerOfPid(app.pid));
          const id = this.pidCache.get(app.pid);
          if (id) owners.set(app.pid, id);
        }
        // Forget PIDs that left, so a reused PID is looked up again.
        for (const pid of this.pidCache.keys()) if (!apps.some((a) => a.pid === pid)) this.pidCache.delete(pid);
        this.state = {
          gpus,
          byContainer: gpusByContainer(gpus, apps, owners),
          note: appOut.ok ? null : `GPU per container unknown: ${appOut.error}`,
        };
      }
      this.onChange();
    } finally {
      this.busy = false;
    }
    return this.state;
  }
}
