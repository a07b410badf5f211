// Usage counters read straight from the kernel (cgroup files, /proc) for a local engine: what
// cAdvisor does, and what spares dockerd the cost of serializing `docker stats` for every container.
// cgroup v1 and v2, cgroupfs and systemd drivers. Falls back (returns null) whenever a path is missing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  containerIdFromCgroup,
  parseBlkioV1,
  parseIoStatV2,
  parseKeyValues,
  parseNetDev,
  parseNumber,
  parseProcStat,
  type Counters,
} from '../cluster/usage.js';

export interface CgroupPaths {
  version: 1 | 2;
  cpu: string;
  memory: string;
  blkio: string;
  pids: string;
}

const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** One key of a "key value" file (memory.stat, ~35 lines) without splitting the rest. */
export function statValue(text: string | null, key: string): number | null {
  if (text === null) return null;
  let at = text.startsWith(`${key} `) ? 0 : text.indexOf(`\n${key} `);
  if (at < 0) return null;
  if (at > 0) at += 1;
  const end = text.indexOf('\n', at);
  const value = Number(text.slice(at + key.length + 1, end < 0 ? undefined : end));
  return Number.isFinite(value) ? value : null;
}

export class CgroupReader {
  private constructor(
    readonly root: string,
    readonly version: 1 | 2,
    private readonly proc: string,
  ) {}

  /** A reader when this process can see the host's cgroup tree; null otherwise (remote engine,
   * tfmon inside a container, no permission). */
  static detect(root = '/sys/fs/cgroup', proc = '/proc'): CgroupReader | null {
    if (existsSync(join(root, 'cgroup.controllers'))) return new CgroupReader(root, 2, proc);
    if (existsSync(join(root, 'memory')) && existsSync(join(root, 'cpuacct'))) return new CgroupReader(root, 1, proc);
    return null;
  }

  /** Where this container's cgroup lives, trying the cgroupfs and systemd layouts. */
  pathsFor(id: string): CgroupPaths | null {
    const leaves = [`docker/${id}`, `system.slice/docker-${id}.scope`];
    if (this.version === 2) {
      for (const leaf of leaves) {
        const dir = join(this.root, leaf);
        if (existsSync(join(dir, 'cpu.stat'))) return { version: 2, cpu: dir, memory: dir, blkio: dir, pids: dir };
      }
      return null;
    }
    for (const leaf of leaves) {
      const cpu = join(this.root, 'cpuacct', leaf);
      if (!existsSync(join(cpu, 'cpuacct.usage'))) continue;
      return {
        version: 1,
        cpu,
        memory: join(this.root, 'memory', leaf),
        blkio: join(this.root, 'blkio', leaf),
        pids: join(this.root, 'pids', leaf),
      };
    }
    return null;
  }

  /** Host CPU time and online CPUs, as dockerd computes them for system_cpu_usage. */
  system(): { systemNs: number; onlineCpus: number } | null {
    const text = read(join(this.proc, 'stat'));
    return text ? parseProcStat(text) : null;
  }

  /** Counters of one container; null when its cgroup is gone (it stopped between ticks). */
  counters(
    paths: CgroupPaths,
    pid: number | null,
    system: { systemNs: number; onlineCpus: number } | null,
    at: number,
  ): Counters | null {
    let cpuNs: number | null;
    let memUsage: number | null;
    let memInactiveFile: number | null;
    let memLimit: number | null;
    let blk: { read: number; write: number } | null;
    if (paths.version === 1) {
      const usage = read(join(paths.cpu, 'cpuacct.usage'));
      if (usage === null) return null;
      cpuNs = parseNumber(usage);
      memUsage = parseNumber(read(join(paths.memory, 'memory.usage_in_bytes')) ?? '');
      memInactiveFile = statValue(read(join(paths.memory, 'memory.stat')), 'total_inactive_file');
      memLimit = parseNumber(read(join(paths.memory, 'memory.limit_in_bytes')) ?? '');
      const blkio = read(join(paths.blkio, 'blkio.throttle.io_service_bytes_recursive'));
      blk = blkio === null ? null : parseBlkioV1(blkio);
    } else {
      const stat = read(join(paths.cpu, 'cpu.stat'));
      if (stat === null) return null;
      const usec = parseKeyValues(stat).get('usage_usec');
      cpuNs = usec === undefined ? null : usec * 1000;
      memUsage = parseNumber(read(join(paths.memory, 'memory.current')) ?? '');
      memInactiveFile = statValue(read(join(paths.memory, 'memory.stat')), 'inactive_file');
      memLimit = parseNumber(read(join(paths.memory, 'memory.max')) ?? '');
      const io = read(join(paths.blkio, 'io.stat'));
      blk = io === null ? null : parseIoStatV2(io);
    }
    const net = pid ? parseNetDev(read(join(this.proc, String(pid), 'net', 'dev')) ?? '') : null;
    return {
      at,
      cpuNs,
      systemNs: system?.systemNs ?? null,
      onlineCpus: system?.onlineCpus ?? null,
      memUsage,
      memInactiveFile,
      memLimit,
      netRx: net?.rx ?? null,
      netTx: net?.tx ?? null,
      blkRead: blk?.read ?? null,
      blkWrite: blk?.write ?? null,
      pids: parseNumber(read(join(paths.pids, 'pids.current')) ?? ''),
    };
  }
}

/** The container a host PID belongs to, from /proc/<pid>/cgroup; null for host processes. */
export function containerOfPid(pid: number, proc = '/proc'): string | null {
  const text = read(join(proc, String(pid), 'cgroup'));
  return text ? containerIdFromCgroup(text) : null;
}
