import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeUsage } from '../../source/cluster/types.js';
import { App } from '../../source/ui/App.js';
import { tableColumns } from '../../source/ui/layout.js';
import { seedFacts, snapshotOf, TestStore } from '../helpers/snapshot.js';

const MiB = 1024 * 1024;
const usage = (cpu: number, memMiB: number, over: Partial<NodeUsage> = {}): NodeUsage => ({
  cpuPercent: cpu,
  cpuOfLimitPercent: null,
  memBytes: memMiB * MiB,
  memLimitBytes: 256 * MiB,
  netRxBps: 1500,
  netTxBps: 2_500_000,
  blkReadBps: 0,
  blkWriteBps: 4096,
  pids: 4,
  cpuHistory: [0, 10, 50, 100, cpu],
  memHistory: [10 * MiB, 20 * MiB, memMiB * MiB],
  source: 'cgroup',
  ...over,
});
const facts = seedFacts();
const byName = (n: string): string => facts.find((f) => f.name === n)!.id;
const snap = snapshotOf(facts, 'tf-network', {
  [byName('tf-ps-0')]: usage(3.2, 40),
  [byName('tf-worker-0')]: usage(95, 250, { cpuOfLimitPercent: 63.3 }),
  [byName('tf-worker-1')]: usage(20, 120),
});
const theme = { color: false, ascii: false };
const tick = () => new Promise((r) => setTimeout(r, 30));
let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

function mount(size = { columns: 120, rows: 30 }) {
  const r = render(<App store={new TestStore(snap)} theme={theme} size={size} clock={() => 0} />);
  cleanup = r.unmount;
  return r;
}
const rows = (f: string): string[] => f.split('\n').filter((l) => /^[› ] (ps|worker)/.test(l));

describe('usage on screen', () => {
  it('shows CPU (with the share of the --cpus limit), memory with a bar, and network rates', () => {
    const f = mount().lastFrame() ?? '';
    expect(f).toMatch(/tf-worker-0\s+running\s+95\.0% \(63%\)\s+250M\/256M\s+#####\s+1\.5kB\/s 2\.5MB\/s/);
    expect(f).toMatch(/tf-ps-0\s+running\s+3\.2%\s+40M\/256M\s+#----/);
  });

  it('shows sparklines of CPU and memory for the selected node', () => {
    const f = mount().lastFrame() ?? '';
    expect(f).toMatch(/cpu\s+[▁-█]{5} 3\.2%/);
    expect(f).toMatch(/memory\s+[▁-█]{3} 40MiB/);
    expect(f).toMatch(/io\s+net 1\.5kB\/s in, 2\.5MB\/s out; disk 0B\/s read, 4\.1kB\/s write; 4 pids/);
  });

  it('cycles the sort with s: role, cpu, mem, name', async () => {
    const r = mount();
    const order = () => rows(r.lastFrame() ?? '').map((l) => /tf-\S+/.exec(l)?.[0]);
    expect(order()).toEqual(['tf-ps-0', 'tf-worker-0', 'tf-worker-1']);
    r.stdin.write('s');
    await tick();
    expect(order()).toEqual(['tf-worker-0', 'tf-worker-1', 'tf-ps-0']);
    expect(r.lastFrame()).toContain('sorted by cpu');
    r.stdin.write('s');
    await tick();
    expect(r.lastFrame()).toContain('sorted by mem');
    r.stdin.write('s');
    r.stdin.write('s');
    await tick();
    expect(order()).toEqual(['tf-ps-0', 'tf-worker-0', 'tf-worker-1']);
    expect(r.lastFrame()).not.toContain('sorted by');
  });

  it('drops columns in a fixed order as the terminal narrows, never squeezing them', () => {
    const keys = (w: number) => tableColumns(w, { usage: true, gpu: true, longestName: 11 }).map((c) => c.key);
    expect(keys(200)).toEqual([
      'role',
      'index',
      'name',
      'state',
      'cpu',
      'mem',
      'gpu',
      'net',
      'endpoint',
      'uptime',
      'image',
    ]);
    expect(keys(120)).toEqual(['role', 'index', 'name', 'state', 'cpu', 'mem', 'gpu', 'endpoint']);
    expect(keys(80)).toEqual(['role', 'index', 'name', 'state', 'cpu', 'mem']);
    expect(keys(50)).toEqual(['role', 'index', 'name', 'state']);
    // With training: TRAIN sits before IMAGE, and a narrow terminal keeps it after CPU and MEM.
    const train = (w: number) =>
      tableColumns(w, { usage: true, gpu: true, train: true, longestName: 11 }).map((c) => c.key);
    expect(train(220)).toEqual([
      'role',
      'index',
      'name',
      'state',
      'cpu',
      'mem',
      'gpu',
      'net',
      'endpoint',
      'uptime',
      'train',
      'image',
    ]);
    expect(train(100)).toEqual(['role', 'index', 'name', 'state', 'cpu', 'mem', 'train']);
    expect(train(80)).toEqual(['role', 'index', 'name', 'state', 'cpu', 'mem']);
    for (const w of [50, 80, 120, 200]) {
      const total = tableColumns(w, { usage: true, gpu: true }).reduce((a, c) => a + c.width + 1, 1);
      expect(total, `width ${w}`).toBeLessThanOrEqual(w);
    }
  });

  it('fits 80 columns with usage on', () => {
    const f = mount({ columns: 80, rows: 24 }).lastFrame() ?? '';
    for (const line of f.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(f.split('\n').length).toBe(24);
  });
});

describe('GPUs on screen', () => {
  it('adds a GPU column and GPU figures in the host line and details when nvidia-smi answers', () => {
    const g0 = {
      index: 0,
      uuid: 'GPU-0',
      name: 'NVIDIA H200',
      utilPercent: 87,
      memUsedBytes: 16959 * MiB,
      memTotalBytes: 143771 * MiB,
      temperatureC: 36,
      powerW: 295.01,
    };
    const s = {
      ...snap,
      host: {
        cpuPercent: 12.5,
        memUsedBytes: 2048 * MiB,
        memTotalBytes: 24 * 1024 * MiB,
        load: [0.5, 0.4, 0.3] as [number, number, number],
      },
      gpus: [g0],
      gpuByContainer: {
        [byName('tf-ps-0')]: [
          { index: 0, uuid: 'GPU-0', utilPercent: 87, memUsedBytes: 3364 * MiB, memTotalBytes: 143771 * MiB },
        ],
      },
    };
    const r = render(<App store={new TestStore(s)} theme={theme} size={{ columns: 140, rows: 30 }} clock={() => 0} />);
    cleanup = r.unmount;
    const f = r.lastFrame() ?? '';
    expect(f).toMatch(/GPU0 87% 17GiB\/140GiB 36°C 295W/);
    expect(f).toMatch(/tf-ps-0\s+running.*87% 3\.3G/);
    expect(f).toMatch(/gpu use\s+GPU0 87%, 3\.3GiB of 140GiB/);
  });

  it('hides the GPU column without nvidia-smi and says why in the help', async () => {
    const r = render(
      <App
        store={new TestStore({ ...snap, gpuNote: 'GPU columns hidden: nvidia-smi not found' })}
        theme={theme}
        size={{ columns: 200, rows: 30 }}
        clock={() => 0}
      />,
    );
    cleanup = r.unmount;
    expect(r.lastFrame()).not.toMatch(/ GPU /);
    r.stdin.write('?');
    await tick();
    expect(r.lastFrame()).toContain('GPU columns hidden: nvidia-smi not found');
  });
});

describe('usage that stops arriving (a slow or stalled link)', () => {
  const at = (ms: number) => ({ counters: { at: ms } as NonNullable<NodeUsage['counters']> });
  const stale = {
    ...snap,
    usageSource: 'api' as const,
    usage: { [byName('tf-ps-0')]: usage(3.2, 40, { source: 'api', ...at(10_000) }) },
  };

  it('says its age once the newest sample is 5 s old, and nothing while fresh', async () => {
    let now = 12_000;
    const r = render(
      <App store={new TestStore(stale)} theme={theme} size={{ columns: 120, rows: 30 }} clock={() => now} />,
    );
    cleanup = r.unmount;
    expect(r.lastFrame()).toMatch(/usage from stats API\s*$/m);
    now = 17_400;
    await new Promise((res) => setTimeout(res, 1100)); // the once-a-second tick
    expect(r.lastFrame()).toContain('usage from stats API, 7s old');
  });

  it('before any sample, says for how long none came', async () => {
    let now = 1_000;
    const waiting = { ...snap, usageSource: 'api' as const, usage: {} };
    const r = render(
      <App store={new TestStore(waiting)} theme={theme} size={{ columns: 120, rows: 30 }} clock={() => now} />,
    );
    cleanup = r.unmount;
    now = 7_500;
    await new Promise((res) => setTimeout(res, 1100));
    expect(r.lastFrame()).toContain('usage from stats API, none for 6s');
  });
});
