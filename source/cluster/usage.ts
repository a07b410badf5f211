import { arr, num, obj } from './json.js';

// Resource usage from raw counters, computed the way the docker CLI does, so the numbers match
// `docker stats`. Pure: counters come from the stats API or from cgroup files (engine layer).

/** Cumulative counters at one instant. Any field may be unknown (null). */
export interface Counters {
  /** Milliseconds, for rates. */
  at: number;
  /** Container CPU time, ns (cpuacct.usage, cpu.stat usage_usec×1000, or cpu_usage.total_usage). */
  cpuNs: number | null;
  /** Host CPU time, ns, as Docker computes it from /proc/stat (system_cpu_usage). */
  systemNs: number | null;
  onlineCpus: number | null;
  memUsage: number | null;
  /** total_inactive_file (cgroup v1) or inactive_file (v2): page cache the kernel can drop. */
  memInactiveFile: number | null;
  memLimit: number | null;
  netRx: number | null;
  netTx: number | null;
  blkRead: number | null;
  blkWrite: number | null;
  pids: number | null;
}

export interface Usage {
  cpuPercent: number | null;
  /** CPU as a share of the container's --cpus limit, when it has one. */
  cpuOfLimitPercent: number | null;
  memBytes: number | null;
  memLimitBytes: number | null;
  netRxBps: number | null;
  netTxBps: number | null;
  blkReadBps: number | null;
  blkWriteBps: number | null;
  pids: number | null;
}

/** Memory as `docker stats` shows it: usage less the inactive file cache, when that is smaller. */
export function memoryUsed(c: Counters): number | null {
  if (c.memUsage === null) return null;
  if (c.memInactiveFile !== null && c.memInactiveFile < c.memUsage) return c.memUsage - c.memInactiveFile;
  return c.memUsage;
}

/** Docker's CPU %: Δcontainer / Δsystem × online CPUs × 100, only when both deltas are positive. */
export function cpuPercent(prev: Counters, cur: Counters): number | null {
  if (prev.cpuNs === null || cur.cpuNs === null || prev.systemNs === null || cur.systemNs === null) return null;
  const cpuDelta = cur.cpuNs - prev.cpuNs;
  const systemDelta = cur.systemNs - prev.systemNs;
  const cpus = cur.onlineCpus ?? prev.onlineCpus;
  if (cpuDelta < 0 || systemDelta <= 0 || !cpus) return null;
  return (cpuDelta / systemDelta) * cpus * 100;
}

function rate(prev: number | null, cur: number | null, seconds: number): number | null {
  if (prev === null || cur === null || seconds <= 0 || cur < prev) return null;
  return (cur - prev) / seconds;
}

/** Usage between two samples of the same container (prev null: only the point-in-time fields). */
export function usageOf(prev: Counters | null, cur: Counters, nanoCpusLimit: number | null): Usage {
  const seconds = prev ? (cur.at - prev.at) / 1000 : 0;
  const cpu = prev ? cpuPercent(prev, cur) : null;
  return {
    cpuPercent: cpu,
    cpuOfLimitPercent: cpu !== null && nanoCpusLimit ? cpu / (nanoCpusLimit / 1e9) : null,
    memBytes: memoryUsed(cur),
    memLimitBytes: cur.memLimit,
    netRxBps: prev ? rate(prev.netRx, cur.netRx, seconds) : null,
    netTxBps: prev ? rate(prev.netTx, cur.netTx, seconds) : null,
    blkReadBps: prev ? rate(prev.blkRead, cur.blkRead, seconds) : null,
    blkWriteBps: prev ? rate(prev.blkWrite, cur.blkWrite, seconds) : null,
    pids: cur.pids,
  };
}

// ---- the stats API's JSON ----

/** Counters from one stats API sample; null for the zeroed samples a stopped container still gets. */
export function countersFromStats(json: unknown, at: number): Counters | null {
  const s = obj(json);
  if (typeof s['read'] === 'string' && s['read'].startsWith('0001-')) return null;
  const cpu = obj(s['cpu_stats']);
  const usage = obj(cpu['cpu_usage']);
  const mem = obj(s['memory_stats']);
  const memStats = obj(mem['stats']);
  let netRx: number | null = null;
  let netTx: number | null = null;
  for (const iface of Object.values(obj(s['networks']))) {
    const rx = num(obj(iface)['rx_bytes']);
    const tx = num(obj(iface)['tx_bytes']);
    if (rx !== null) netRx = (netRx ?? 0) + rx;
    if (tx !== null) netTx = (netTx ?? 0) + tx;
  }
  let blkRead: number | null = null;
  let blkWrite: number | null = null;
  const io = obj(s['blkio_stats'])['io_service_bytes_recursive'];
  if (Array.isArray(io)) {
    blkRead = 0;
    blkWrite = 0;
    for (const entry of io) {
      const e = obj(entry);
      const op = String(e['op'] ?? '').toLowerCase();
      const value = num(e['value']) ?? 0;
      if (op === 'read') blkRead += value;
      else if (op === 'write') blkWrite += value;
    }
  }
  const percpu = arr(usage['percpu_usage']);
  return {
    at,
    cpuNs: num(usage['total_usage']),
    systemNs: num(cpu['system_cpu_usage']),
    onlineCpus: num(cpu['online_cpus']) || (percpu.length > 0 ? percpu.length : null),
    memUsage: num(mem['usage']),
    memInactiveFile: num(memStats['total_inactive_file']) ?? num(memStats['inactive_file']),
    memLimit: num(mem['limit']),
    netRx,
    netTx,
    blkRead,
    blkWrite,
    pids: num(obj(s['pids_stats'])['current']),
  };
}

/** The docker CLI's view of one sample: cpu_stats against the precpu_stats in the same JSON. */
export function usageOfSample(json: unknown): Usage | null {
  const cur = countersFromStats(json, 0);
  if (!cur) return null;
  const pre = obj(obj(json)['precpu_stats']);
  const prev: Counters = {
    ...cur,
    cpuNs: num(obj(pre['cpu_usage'])['total_usage']),
    systemNs: num(pre['system_cpu_usage']),
    onlineCpus: num(pre['online_cpus']) ?? cur.onlineCpus,
  };
  return { ...usageOf(null, cur, null), cpuPercent: cpuPercent(prev, cur) };
}

// ---- cgroup and /proc files ----

/** "key value" lines (memory.stat, cpu.stat, io.stat pieces) → map. */
export function parseKeyValues(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) out.set(key, Number(value));
  }
  return out;
}

/** A file holding one number ("max" and unlimited v1 values → null). */
export function parseNumber(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= 2 ** 62 ? null : n; // v1 "unlimited" is 9223372036854771712
}

/** /proc/<pid>/net/dev → bytes received and sent over every interface but lo (as Docker counts). */
export function parseNetDev(text: string): { rx: number; tx: number } | null {
  let rx = 0;
  let tx = 0;
  let seen = false;
  for (const line of text.split('\n')) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === undefined || m[2] === undefined || m[1] === 'lo') continue;
    const fields = m[2].trim().split(/\s+/).map(Number);
    if (fields.length < 9) continue;
    rx += fields[0] ?? 0;
    tx += fields[8] ?? 0;
    seen = true;
  }
  return seen ? { rx, tx } : null;
}

/** blkio.throttle.io_service_bytes_recursive (v1) → read and write bytes. */
export function parseBlkioV1(text: string): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const line of text.split('\n')) {
    const [, op, value] = line.trim().split(/\s+/);
    if (op === 'Read') read += Number(value) || 0;
    else if (op === 'Write') write += Number(value) || 0;
  }
  return { read, write };
}

/** io.stat (v2): "8:0 rbytes=… wbytes=… rios=…" per device → read and write bytes. */
export function parseIoStatV2(text: string): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const m of text.matchAll(/\b([rw])bytes=(\d+)/g)) {
    if (m[1] === 'r') read += Number(m[2]);
    else write += Number(m[2]);
  }
  return { read, write };
}

/** The first line of /proc/stat → host CPU time in ns, exactly as dockerd computes system_cpu_usage
 * (user..softirq, seven fields, in clock ticks), and the number of online CPUs. */
export function parseProcStat(text: string, clockTicks = 100): { systemNs: number; onlineCpus: number } | null {
  const lines = text.split('\n');
  const cpu = lines.find((l) => l.startsWith('cpu '));
  if (!cpu) return null;
  const fields = cpu.trim().split(/\s+/).slice(1, 8).map(Number);
  if (fields.length < 7 || fields.some((f) => !Number.isFinite(f))) return null;
  const ticks = fields.reduce((a, b) => a + b, 0);
  const onlineCpus = lines.filter((l) => /^cpu\d+\s/.test(l)).length;
  return { systemNs: (ticks * 1e9) / clockTicks, onlineCpus };
}

/** Busy share of the host's CPUs between two /proc/stat "cpu" lines (all fields, idle + iowait idle). */
export function hostCpuPercent(prev: string, cur: string): number | null {
  const fields = (text: string): number[] | null => {
    const line = text.split('\n').find((l) => l.startsWith('cpu '));
    return line ? line.trim().split(/\s+/).slice(1, 9).map(Number) : null;
  };
  const a = fields(prev);
  const b = fields(cur);
  if (!a || !b || a.length < 5 || b.length < 5) return null;
  const total = (f: number[]): number => f.reduce((x, y) => x + y, 0);
  const idle = (f: number[]): number => (f[3] ?? 0) + (f[4] ?? 0);
  const dt = total(b) - total(a);
  return dt > 0 ? Math.max(0, Math.min(100, (1 - (idle(b) - idle(a)) / dt) * 100)) : null;
}

/** A container id from one /proc/<pid>/cgroup file (v1 `…/docker/<id>`, systemd `docker-<id>.scope`). */
export function containerIdFromCgroup(text: string): string | null {
  const m = /(?:\/docker\/|docker-)([0-9a-f]{64})(?:\.scope)?/.exec(text);
  return m?.[1] ?? null;
}
