// Process figures for the bench, from /proc: CPU seconds and resident memory.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLK_TCK = 100;

/** utime + stime of one process, in seconds; 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function pidsOf(pattern: string, exact = true): number[] {
  try {
    return execFileSync('pgrep', [exact ? '-x' : '-f', pattern], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

export function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** The engine's side: dockerd, containerd and every container shim (shims read the cgroups for
 * dockerd's stats). */
export const daemonPids = (): number[] => [
  ...pidsOf('dockerd'),
  ...pidsOf('containerd'),
  ...pidsOf('containerd-shim', false),
];

export const totalCpu = (pids: readonly number[]): number => pids.reduce((a, p) => a + cpuSeconds(p), 0);

/** tfmon's own process under script → sh: node (meow renames it "tfmon"). */
export function tfmonPidUnder(root: number): number {
  const queue = [root];
  while (queue.length) {
    const p = queue.shift()!;
    try {
      if (['node', 'tfmon'].includes(readFileSync(`/proc/${p}/comm`, 'utf8').trim())) return p;
    } catch {
      // gone meanwhile
    }
    queue.push(...childrenOf(p));
  }
  throw new Error('tfmon did not start under script');
}
