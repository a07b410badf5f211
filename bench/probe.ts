// The reachability bench: 20 sim workers (no ps: MultiWorkerMirroredStrategy, whose workers talk
// all-to-all, so the steady rounds probe every pair too: the worst case of the rules) on a network of
// their own. Full-matrix round wall time, execs per round once sessions are up, and the daemons' and
// nodes' CPU over a window with default probing against the same window without it.
import { existsSync, readFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { Engine } from '../source/engine/engine.js';
import { ClusterMonitor } from '../source/monitor/cluster-monitor.js';
import { daemonPids, totalCpu } from './procs.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** CPU seconds a container's cgroup used (cgroup v1 cpuacct, or v2 cpu.stat); 0 when unreadable. */
function containerCpu(id: string): number {
  const v1 = [
    `/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`,
    `/sys/fs/cgroup/cpu,cpuacct/docker/${id}/cpuacct.usage`,
  ];
  for (const p of v1) if (existsSync(p)) return Number(readFileSync(p, 'utf8')) / 1e9;
  for (const p of [`/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`, `/sys/fs/cgroup/docker/${id}/cpu.stat`]) {
    if (existsSync(p)) return Number(/usage_usec (\d+)/.exec(readFileSync(p, 'utf8'))?.[1] ?? 0) / 1e6;
  }
  return 0;
}

export interface ProbeFigures {
  nodes: number;
  pairs: number;
  firstRoundMs: number;
  roundMs: number[];
  execsPerRound: number[];
  windowS: number;
  daemonCpuWith: number;
  daemonCpuWithout: number;
  nodesCpuWith: number;
  nodesCpuWithout: number;
}

async function window(
  monitorProbing: boolean,
  network: string,
  labels: Record<string, string>,
  ids: string[],
  seconds: number,
): Promise<{ daemons: number; nodes: number }> {
  const monitor = new ClusterMonitor(new Engine(), {
    network,
    labels,
    ...(monitorProbing ? { probe: { intervalMs: 5000 } } : {}),
  });
  await monitor.start();
  if (monitorProbing) await monitor.probeNow(); // sessions up before the window opens
  await sleep(1000);
  const pids = daemonPids();
  const d0 = totalCpu(pids);
  const n0 = ids.reduce((a, id) => a + containerCpu(id), 0);
  await sleep(seconds * 1000);
  const daemons = totalCpu(daemonPids()) - d0;
  const nodes = ids.reduce((a, id) => a + containerCpu(id), 0) - n0;
  monitor.stop();
  return { daemons, nodes };
}

export async function probeBench(
  image: string,
  prefix: string,
  labelKV: string,
  count: number,
  seconds: number,
): Promise<ProbeFigures> {
  const network = `${prefix}-probe`;
  const [key, value = ''] = labelKV.split('=');
  const labels = { [key!]: value };
  spawnSync('docker', ['network', 'create', '--label', labelKV, network], { stdio: 'ignore' });
  const todo = Array.from({ length: count }, (_, i) => i);
  const start = async (): Promise<void> => {
    for (let i = todo.shift(); i !== undefined; i = todo.shift()) {
      await new Promise<void>((resolve, reject) => {
        const p = spawn(
          'docker',
          [
            'run',
            '-d',
            '--name',
            `${prefix}-p-worker-${i}`,
            '--network',
            network,
            '--label',
            labelKV,
            '--env',
            'SIM_STEP_S=30',
            image,
          ],
          { stdio: 'ignore' },
        );
        p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker run failed for probe worker ${i}`))));
      });
    }
  };
  await Promise.all([start(), start(), start(), start()]);
  await sleep(2000);
  const ids = spawnSync('docker', ['ps', '-q', '--no-trunc', '--filter', `network=${network}`], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);

  const monitor = new ClusterMonitor(new Engine(), { network, labels, probe: { intervalMs: 3_600_000 } });
  await monitor.start();
  // The full matrix (what `m` and `p` ask for): every ordered pair.
  let t0 = Date.now();
  await monitor.probeNow('all');
  const firstRoundMs = Date.now() - t0;
  const pairs = monitor.getSnapshot().reachability.length;
  const roundMs: number[] = [];
  const execsPerRound: number[] = [];
  for (let i = 0; i < 10; i++) {
    const before = monitor.probe!.execsCreated;
    t0 = Date.now();
    await monitor.probeNow('all');
    roundMs.push(Date.now() - t0);
    execsPerRound.push(monitor.probe!.execsCreated - before);
  }
  const ok = monitor.getSnapshot().reachability.filter((e) => e.tcp === 'ok').length;
  monitor.stop();
  if (ok !== pairs) throw new Error(`probe bench: ${pairs - ok} of ${pairs} pairs not ok on a healthy cluster`);

  const without = await window(false, network, labels, ids, seconds);
  const withProbe = await window(true, network, labels, ids, seconds);
  spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
  spawnSync('docker', ['network', 'rm', network], { stdio: 'ignore' });
  return {
    nodes: ids.length,
    pairs,
    firstRoundMs,
    roundMs,
    execsPerRound,
    windowS: seconds,
    daemonCpuWith: withProbe.daemons,
    daemonCpuWithout: without.daemons,
    nodesCpuWith: withProbe.nodes,
    nodesCpuWithout: without.nodes,
  };
}
