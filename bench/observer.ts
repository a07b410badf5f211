// What watching costs, counted on the whole machine: tfmon with its DEFAULT flags (probing on), tfmon
// --no-probe, `docker stats`, and nothing at all, each for one window over the same idle sim nodes.
// Per window: the watcher's own CPU, the daemons' (dockerd, containerd, shims), the whole machine's
// busy CPU from /proc/stat, and the nodes' own CPU and network as `docker stats` computes them (the
// same cgroup and /proc counters, read at the window's ends: reading them costs nothing measurable).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CgroupReader } from '../source/engine/cgroup-reader.js';
import { cpuSeconds, daemonPids, rssBytes, tfmonPidUnder, totalCpu } from './procs.js';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export type Watcher = 'nothing' | 'tfmon' | 'tfmon --no-probe' | 'docker stats';

export interface ObserverWindow {
  watcher: Watcher;
  seconds: number;
  /** CPU seconds of the watcher's own process (0 for nothing). */
  clientCpu: number;
  daemonCpu: number;
  /** Busy CPU seconds of the whole machine (all cores), from /proc/stat. */
  machineCpu: number;
  /** The nodes' CPU, % of one core over the window: mean over nodes, and the busiest node. */
  nodeCpuMean: number;
  nodeCpuMax: number;
  /** The nodes' network (received + sent), bytes/s: mean over nodes, and the busiest node. */
  nodeNetMean: number;
  nodeNetMax: number;
  /** The watcher's resident memory, sampled every 5 s (tfmon only). */
  rss: { atS: number; bytes: number }[];
  /** tfmon's frames over its whole run (warm-up included), and the data frames its gate let through. */
  frames: { frames: number; data: number; seconds: number } | null;
}

/** Busy jiffies of the whole machine: everything but idle and iowait. */
function machineBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
  return (user + nice + system + irq + softirq + steal) / 100;
}

interface NodeCounters {
  cpuNs: number;
  net: number;
}

function nodeCounters(reader: CgroupReader, nodes: { id: string; pid: number }[]): Map<string, NodeCounters> {
  const out = new Map<string, NodeCounters>();
  for (const n of nodes) {
    const paths = reader.pathsFor(n.id);
    const c = paths ? reader.counters(paths, n.pid, null, Date.now()) : null;
    if (c?.cpuNs != null) out.set(n.id, { cpuNs: c.cpuNs, net: (c.netRx ?? 0) + (c.netTx ?? 0) });
  }
  return out;
}

function startWatcher(
  watcher: Watcher,
  network: string,
  label: string,
  ids: string[],
  frameFile: string,
): { child: ChildProcess | null; pid: () => number } {
  if (watcher === 'nothing') return { child: null, pid: () => 0 };
  if (watcher === 'docker stats') {
    const child = spawn('docker', ['stats', '--format', '{{.Name}} {{.CPUPerc}} {{.MemUsage}}', ...ids], {
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    return { child, pid: () => child.pid ?? 0 };
  }
  // As a user runs it: the executable in a 160×60 terminal, default flags but the network.
  const extra = watcher === 'tfmon --no-probe' ? ' --no-probe' : '';
  const command = `stty cols 160 rows 60; TFMON_FRAME_COUNT=${frameFile} exec ${CLI} --network ${network} --label ${label}${extra}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'ignore', 'ignore'] });
  let pid = 0;
  return { child, pid: () => (pid ||= tfmonPidUnder(child.pid ?? 0)) };
}

async function stopWatcher(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null) return;
  // `docker stats` ignores SIGTERM: interrupt, then kill whatever is still there after 2 s.
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}

/** One window: `warmupS` seconds after the watcher starts, `seconds` measured. */
export async function observerWindow(
  watcher: Watcher,
  network: string,
  label: string,
  nodes: { id: string; pid: number }[],
  warmupS: number,
  seconds: number,
): Promise<ObserverWindow> {
  const reader = CgroupReader.detect();
  if (!reader) throw new Error("the bench reads the nodes' cgroups: it runs on the engine's host");
  const frameFile = join(tmpdir(), `tfmon-bench-frames-${process.pid}-${Date.now()}.json`);
  const { child, pid } = startWatcher(
    watcher,
    network,
    label,
    nodes.map((n) => n.id),
    frameFile,
  );
  let result: Omit<ObserverWindow, 'frames'> | null = null;
  try {
    await sleep(warmupS * 1000);
    const p = pid();
    if (watcher !== 'nothing' && !p) throw new Error(`${watcher} did not start`);
    const c0 = p ? cpuSeconds(p) : 0;
    const d0 = totalCpu(daemonPids());
    const m0 = machineBusySeconds();
    const n0 = nodeCounters(reader, nodes);
    const t0 = Date.now();
    const rss: ObserverWindow['rss'] = [];
    for (let s = 0; s < seconds; s += 5) {
      await sleep(Math.min(5, seconds - s) * 1000);
      if (watcher.startsWith('tfmon')) rss.push({ atS: warmupS + s + 5, bytes: rssBytes(p) });
    }
    const elapsed = (Date.now() - t0) / 1000;
    const n1 = nodeCounters(reader, nodes);
    const cpu: number[] = [];
    const net: number[] = [];
    for (const [id, a] of n0) {
      const b = n1.get(id);
      if (!b) continue;
      cpu.push(((b.cpuNs - a.cpuNs) / 1e9 / elapsed) * 100);
      net.push((b.net - a.net) / elapsed);
    }
    const mean = (xs: number[]): number => (xs.length ? xs.reduce((x, y) => x + y, 0) / xs.length : 0);
    result = {
      watcher,
      seconds: elapsed,
      clientCpu: p ? cpuSeconds(p) - c0 : 0,
      daemonCpu: totalCpu(daemonPids()) - d0,
      machineCpu: machineBusySeconds() - m0,
      nodeCpuMean: mean(cpu),
      nodeCpuMax: Math.max(0, ...cpu),
      nodeNetMean: mean(net),
      nodeNetMax: Math.max(0, ...net),
      rss,
    };
  } finally {
    await stopWatcher(child);
  }
  // tfmon writes its counts as it exits (after the pty closed): wait for them a moment.
  let frames: ObserverWindow['frames'] = null;
  for (let i = 0; i < 20 && watcher.startsWith('tfmon') && frames === null; i++) {
    if (existsSync(frameFile)) frames = JSON.parse(readFileSync(frameFile, 'utf8')) as ObserverWindow['frames'];
    else await sleep(100);
  }
  rmSync(frameFile, { force: true });
  return { ...result, frames };
}
