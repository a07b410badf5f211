// The host summary line: memory through systeminformation, load average from the OS, CPU load
// from /proc/stat between two samples. Asynchronous only: systeminformation's currentLoad() runs
// `cat /proc/stat | grep cpu` through execSync on every call on Linux (seen in a profile: 7 ms of
// blocked event loop a second), so it is used only where /proc/stat cannot be read.
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import type { HostUsage } from '../cluster/types.js';
import { hostCpuPercent, parseProcStat } from '../cluster/usage.js';

type SystemInformation = typeof import('systeminformation');

/** systeminformation is CommonJS: a bundle's dynamic import gives its exports as `default` only
 * (Node's own loader also names them), so take them from there. */
const loadSystemInformation = (): Promise<SystemInformation> =>
  import('systeminformation').then((m) => (m as { default?: SystemInformation }).default ?? m);

export class HostSampler {
  private latest: HostUsage | null = null;
  private timer: NodeJS.Timeout | null = null;
  private si: Promise<SystemInformation> | null = null;
  private busy = false;
  private lastStat: string | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly onChange: () => void,
  ) {}

  get usage(): HostUsage | null {
    return this.latest;
  }

  start(): void {
    // Loaded on first use: status without usage should not pay ~70 ms for it.
    this.si ??= loadSystemInformation();
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
      const si = await (this.si ??= loadSystemInformation());
      const [stat, mem] = await Promise.all([readFile('/proc/stat', 'utf8').catch(() => null), si.mem()]);
      let cpuPercent: number | null = null;
      if (stat !== null && parseProcStat(stat)) {
        if (this.lastStat === null) {
          // The first figure needs a second sample: a short one, so that status is not slowed.
          await new Promise((r) => setTimeout(r, 250));
          this.lastStat = stat;
          const next = await readFile('/proc/stat', 'utf8');
          cpuPercent = hostCpuPercent(stat, next);
          this.lastStat = next;
        } else {
          cpuPercent = hostCpuPercent(this.lastStat, stat);
          this.lastStat = stat;
        }
      } else {
        const load = await si.currentLoad();
        cpuPercent = Number.isFinite(load.currentLoad) ? load.currentLoad : null;
      }
      const [l1 = 0, l5 = 0, l15 = 0] = loadavg();
      this.latest = {
        cpuPercent,
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
