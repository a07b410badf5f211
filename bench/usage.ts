// The usage bench: tfmon's live screen against `docker stats`, watching 10, 50 and 200 sim nodes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childrenOf, cpuSeconds, daemonPids, rssBytes, totalCpu } from './procs.js';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface WindowResult {
  clientCpu: number;
  daemonCpu: number;
  peakRss: number;
  rssFirst: number;
  rssLast: number;
}

async function measure(client: ChildProcess, clientPid: () => number, warmupS: number, seconds: number): Promise<WindowResult> {
  await sleep(warmupS * 1000);
  const pid = clientPid();
  const daemons = daemonPids();
  const c0 = cpuSeconds(pid);
  const d0 = totalCpu(daemons);
  const rss: number[] = [];
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    rss.push(rssBytes(pid));
  }
  const result = {
    clientCpu: cpuSeconds(pid) - c0,
    daemonCpu: totalCpu(daemonPids()) - d0,
    peakRss: Math.max(...rss),
    rssFirst: rss[0] ?? 0,
    rssLast: rss.at(-1) ?? 0,
  };
  // `docker stats` ignores SIGTERM: interrupt, then kill whatever is still there after 2 s.
  const exited = new Promise((r) => client.once('exit', r));
  client.kill('SIGINT');
  const timer = setTimeout(() => client.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
  return result;
}

/** script → sh → node: the measured process is the node one (meow renames it "tfmon"). */
export function tfmonPidUnder(root: number): number {
  const queue = [root];
  while (queue.length) {
    const p = queue.shift()!;
    if (['node', 'tfmon'].includes(spawnSync('cat', [`/proc/${p}/comm`], { encoding: 'utf8' }).stdout.trim())) return p;
    queue.push(...childrenOf(p));
  }
  throw new Error('tfmon did not start under script');
}

/** tfmon's live screen in a pseudo-terminal (`script`), 120×40, output thrown away. */
export async function watchWithTfmon(network: string, label: string, warmupS: number, seconds: number): Promise<WindowResult> {
  // Run as a user does: the executable itself, so its shebang flags apply.
  const command = `stty cols 120 rows 40; exec ${CLI} --no-probe --network ${network} --label ${label}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'ignore', 'ignore'] });
  return measure(child, () => tfmonPidUnder(child.pid ?? 0), warmupS, seconds);
}

/** `docker stats` streaming the same containers, output thrown away. */
export async function watchWithDockerStats(ids: string[], warmupS: number, seconds: number): Promise<WindowResult> {
  const child = spawn('docker', ['stats', '--format', '{{.Name}} {{.CPUPerc}} {{.MemUsage}}', ...ids], { stdio: ['ignore', 'ignore', 'ignore'] });
  return measure(child, () => child.pid ?? 0, warmupS, seconds);
}
