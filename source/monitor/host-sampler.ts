// The host summary line: CPU load, memory, load average through systeminformation; asynchronous
// calls only (its currentLoad() measures between calls, so the first one waits ~0.5 s).
import { loadavg } from 'node:os';
import type { HostUsage } from '../cluster/types.js';

type SystemInformation = typeof import('systeminformation');

export class HostSampler {
  private latest: HostUsage | null = null;
  private timer: NodeJS.Timeout | null = null;
  private si: Promise<SystemInformation> | null = null;
  private busy = false;

  constructor(private readonly intervalMs: number, private readonly onChange: () => void) {}

  get usage(): HostUsage | null {
    return this.latest;
  }

  start(): void {
    // Loaded on first use: status without usage should not pay ~70 ms for it.
    this.si ??= import('systeminformation');
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One measurement now (status uses it once). */
  async sample(): Promise<HostUsage | null> {
    if (this.busy) return this.latest; // never two at once: a slow host must not pile up calls
    this.busy = true;
    try {
      const si = await (this.si ??= import('systeminformation'));
      const [load, mem] = await Promise.all([si.currentLoad(), si.mem()]);
      const [l1 = 0, l5 = 0, l15 = 0] = loadavg();
      this.latest = {
        cpuPercent: Number.isFinite(load.currentLoad) ? load.currentLoad : null,
        // "active" is total minus available: what `free` calls used, without reclaimable cache.
        memUsedBytes: Number.isFinite(mem.active) ? mem.active : null,
        memTotalBytes: Number.isFinite(mem.total) ? mem.total : null,
        load: [l1, l5, l15],
      };
      if (this.timer) this.onChange();
    } catch {
      // a host figure that cannot be read is shown as unknown, never as an error
    } finally {
      this.busy = false;
    }
    return this.latest;
  }
}
