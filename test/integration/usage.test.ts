// Resource usage on the real engine: numbers users will hold against `docker stats`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../source/cluster/types.js';
import { Engine } from '../../source/engine/engine.js';
import { ClusterMonitor } from '../../source/monitor/cluster-monitor.js';
import {
  cleanup,
  createNetwork,
  docker,
  own,
  requireEngine,
  runSim,
  simImage,
  sleep,
  TEST_LABEL,
  testLabels,
  tfmon,
} from './harness.js';

const net = own('use');
let image = '';
const monitors: ClusterMonitor[] = [];
const MiB = 1024 * 1024;

async function watch(mode: 'auto' | 'cgroup' | 'api'): Promise<ClusterMonitor> {
  const m = new ClusterMonitor(new Engine(), { network: net, labels: testLabels, usage: { intervalMs: 1000, mode } });
  monitors.push(m);
  await m.start();
  return m;
}
const idOf = (name: string): string => docker('inspect', '-f', '{{.Id}}', name);

beforeAll(async () => {
  requireEngine();
  image = await simImage();
  createNetwork(net);
});
afterAll(() => {
  for (const m of monitors) m.stop();
  cleanup();
});

describe('usage', () => {
  it('a node told to burn CPU shows > 50 % within 5 s while an idle one shows < 5 %', async () => {
    runSim(image, own('burn-worker-0'), net, { env: { SIM_BURN_CPU: '1' } });
    runSim(image, own('idle-worker-1'), net);
    const m = await watch('auto');
    const [burn, idle] = [idOf(own('burn-worker-0')), idOf(own('idle-worker-1'))];
    const s = await m.waitFor((snap) => (snap.usage[burn]?.cpuPercent ?? 0) > 50, 5000);
    await m.waitFor((snap) => snap.usage[idle]?.cpuPercent != null, 3000);
    expect(m.getSnapshot().usage[idle]?.cpuPercent).toBeLessThan(5);
    expect(s.usageSource).toBe('cgroup'); // a local engine is read from the kernel's files
  });

  it('a usage sample changes the usage, and leaves nodes, problems and reachability the same objects', async () => {
    // The screen's memos (sort, matrix, problem marks) key on these: new ones every second would
    // rebuild them at every frame.
    for (const probe of [undefined, { intervalMs: 60_000 }]) {
      const m = new ClusterMonitor(new Engine(), {
        network: net,
        labels: testLabels,
        usage: { intervalMs: 1000, mode: 'auto' },
        ...(probe ? { probe } : {}),
      });
      monitors.push(m);
      await m.start();
      // With probing, the listeners' first check lands once, independently of usage: after it.
      const first = await m.waitFor(
        (snap) => Object.keys(snap.usage).length > 0 && (!probe || Object.keys(snap.listeners).length > 0),
        5000,
      );
      const next = await m.waitFor((snap) => snap.usage !== first.usage, 5000);
      expect(next.nodes).toBe(first.nodes);
      expect(next.problems).toBe(first.problems);
      expect(next.reachability).toBe(first.reachability);
      m.stop();
    }
  });

  it('a node holding 64 MiB shows at least 60 MiB', async () => {
    runSim(image, own('mem-worker-2'), net, { env: { SIM_ALLOC_MB: '64' } });
    const m = await watch('auto');
    const id = idOf(own('mem-worker-2'));
    const s = await m.waitFor((snap) => (snap.usage[id]?.memBytes ?? 0) >= 60 * MiB, 8000);
    expect(s.usage[id]?.memBytes).toBeGreaterThanOrEqual(60 * MiB);
    expect(s.usage[id]?.memHistory.length).toBeGreaterThan(0);
  });

  it('the cgroup reader and the stats API agree on the same container', async () => {
    // --cpus 0.5 pins the burner at a steady 50 %, and 32 MiB held keeps memory from being noise.
    docker(
      'run',
      '-d',
      '--name',
      own('pair-ps-0'),
      '--network',
      net,
      '--label',
      TEST_LABEL,
      '--cpus',
      '0.5',
      '--env',
      'SIM_BURN_CPU=1',
      '--env',
      'SIM_ALLOC_MB=32',
      image,
    );
    const id = idOf(own('pair-ps-0'));
    const [viaFiles, viaApi] = await Promise.all([watch('cgroup'), watch('api')]);
    expect(viaFiles.getSnapshot().usageSource).toBe('cgroup');
    expect(viaApi.getSnapshot().usageSource).toBe('api');
    await sleep(3500); // past the first samples and the allocation
    const cpu: [number[], number[]] = [[], []];
    const mem: [number[], number[]] = [[], []];
    for (let i = 0; i < 5; i++) {
      await sleep(1000);
      [viaFiles, viaApi].forEach((m, k) => {
        const u = m.getSnapshot().usage[id];
        if (u?.cpuPercent != null) cpu[k]!.push(u.cpuPercent);
        if (u?.memBytes != null) mem[k]!.push(u.memBytes);
      });
    }
    const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(cpu[0].length).toBeGreaterThan(2);
    expect(cpu[1].length).toBeGreaterThan(2);
    // Busy (a ~50 % load; less when the host itself is busy: the check is that both readers agree).
    expect(avg(cpu[0])).toBeGreaterThan(15);
    expect(Math.abs(avg(cpu[0]) - avg(cpu[1]))).toBeLessThan(Math.max(3, avg(cpu[1]) * 0.1));
    expect(Math.abs(avg(mem[0]) - avg(mem[1])) / avg(mem[1])).toBeLessThan(0.05);
    // Both readers also see the --cpus limit the same way.
    expect(viaFiles.getSnapshot().usage[id]?.cpuOfLimitPercent).toBeGreaterThan(30);
  });

  it('a container killed mid-stream leaves no open stream and no error on screen', async () => {
    runSim(image, own('doomed-worker-3'), net);
    const m = await watch('api');
    const id = idOf(own('doomed-worker-3'));
    await m.waitFor((snap) => snap.usage[id] !== undefined, 5000);
    const before = m.sampler!.openStreams;
    docker('kill', own('doomed-worker-3'));
    const s = await m.waitFor((snap) => snap.nodes.some((n) => n.id === id && n.state === 'exited'), 5000);
    await sleep(300);
    expect(m.sampler!.openStreams).toBe(before - 1);
    expect(s.engineError).toBe(null);
    expect(m.getSnapshot().usage[id]).toBeUndefined();
    docker('rm', own('doomed-worker-3'));
    await m.waitFor((snap: Snapshot) => !snap.nodes.some((n) => n.id === id), 3000);
    expect(m.sampler!.openStreams).toBe(before - 1);
  });

  it('status --json waits about one interval and fills the usage fields and the host object', async () => {
    const started = Date.now();
    const r = await tfmon(['status', '--json', '--no-probe', '--network', net, '--label', TEST_LABEL]);
    const elapsed = Date.now() - started;
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as {
      usageSource: string;
      host: { memTotalBytes: number; load: number[] };
      nodes: {
        name: string;
        state: string;
        cpuPercent: number | null;
        memBytes: number | null;
        pids: number | null;
        netRxBps: number | null;
      }[];
    };
    expect(s.usageSource).toBe('cgroup');
    expect(s.host.memTotalBytes).toBeGreaterThan(0);
    expect(s.host.load).toHaveLength(3);
    const burner = s.nodes.find((n) => n.name === own('burn-worker-0'))!;
    // Two cores shared with this file's other burners (one pinned at 50 %): "busy", not a figure.
    expect(burner.cpuPercent).toBeGreaterThan(30);
    for (const n of s.nodes.filter((x) => x.state === 'running')) {
      expect(n.memBytes, n.name).toBeGreaterThan(0);
      expect(n.pids, n.name).toBeGreaterThan(0);
      expect(n.netRxBps, n.name).not.toBe(null);
    }
    expect(elapsed).toBeLessThan(4000); // one interval (1 s) plus start-up, not a stream left running
    const quick = await tfmon(['status', '--json', '--no-usage', '--network', net, '--label', TEST_LABEL]);
    const q = JSON.parse(quick.stdout) as { usageSource: null; nodes: { cpuPercent: null }[] };
    expect(q.usageSource).toBe(null);
    expect(q.nodes.every((n) => n.cpuPercent === null)).toBe(true);
  });
});

describe('GPUs through nvidia-smi (recorded output replayed by a fixture executable on PATH)', () => {
  const fixtures = new URL('../fixtures/nvidia-smi/', import.meta.url).pathname;
  const withSmi = (scenario: string) => ({
    PATH: `${fixtures}:${process.env['PATH']}`,
    TFMON_SMI_SCENARIO: `${fixtures}${scenario}`,
  });
  type GpuStatus = {
    host: {
      gpus: { index: number; utilPercent: number | null; powerW: number | null }[] | null;
      gpuNote: string | null;
    };
    nodes: { gpus: unknown[] | null }[];
  };

  it('status --json lists the host GPUs and gives every node a gpus list', async () => {
    const r = await tfmon(['status', '--json', '--network', net, '--label', TEST_LABEL], withSmi('two-gpus'));
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as GpuStatus;
    expect(s.host.gpus?.map((g) => [g.index, g.utilPercent, g.powerW])).toEqual([
      [0, null, 295.01],
      [1, 0, 85.12],
    ]);
    expect(s.host.gpuNote).toBe(null);
    // The recorded PIDs belong to no container here: every node uses no GPU.
    expect(s.nodes.every((n) => Array.isArray(n.gpus) && n.gpus.length === 0)).toBe(true);
  });

  it("a GPU process in a container is that node's: its memory on the node, the others none", async () => {
    // The recording's first process given the host PID of a running container's init, the second
    // this test's own PID (in no container): tfmon maps them through /proc/PID/cgroup, as on the box.
    runSim(image, own('gpu-worker-5'), net);
    const node = { name: own('gpu-worker-5') };
    const pid = docker('inspect', '-f', '{{.State.Pid}}', node.name);
    expect(pid).toMatch(/^[1-9]\d*$/);
    const r = await tfmon(['status', '--json', '--network', net, '--label', TEST_LABEL], {
      ...withSmi('h200-device-load'),
      TFMON_SMI_PIDS: `528=${pid},527=${process.pid}`,
    });
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as {
      nodes: { name: string; gpus: { index: number; utilPercent: number | null; memUsedBytes: number }[] | null }[];
    };
    const mine = s.nodes.find((n) => n.name === node.name)!;
    expect(mine.gpus).toEqual([expect.objectContaining({ index: 0, utilPercent: 94, memUsedBytes: 4744 * MiB })]);
    expect(s.nodes.filter((n) => n.name !== node.name).every((n) => Array.isArray(n.gpus) && n.gpus.length === 0)).toBe(
      true,
    );
    docker('rm', '-f', node.name);
  });

  it('a failing compute-apps query keeps the GPU figures and says what is unknown', async () => {
    const r = await tfmon(['status', '--json', '--network', net, '--label', TEST_LABEL], withSmi('geforce-930m'));
    const s = JSON.parse(r.stdout) as GpuStatus;
    expect(s.host.gpus?.[0]).toMatchObject({ utilPercent: 57, powerW: null });
    expect(s.host.gpuNote).toMatch(
      /^GPU per container unknown: nvidia-smi: fake nvidia-smi: apps.csv was not recorded/,
    );
  });

  it('without nvidia-smi: no GPU figures, and the note says why', async () => {
    const r = await tfmon(['status', '--json', '--network', net, '--label', TEST_LABEL], {
      TFMON_NVIDIA_SMI: '/nonexistent/nvidia-smi',
    });
    const s = JSON.parse(r.stdout) as GpuStatus;
    expect(s.host.gpus).toBe(null);
    expect(s.host.gpuNote).toBe('GPU columns hidden: nvidia-smi not found');
    expect(s.nodes.every((n) => n.gpus === null)).toBe(true);
  });
});
