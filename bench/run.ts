// `npm run bench`: speed figures printed as a table. Makes its own cluster (labelled tfmon.bench)
// on its own network, measures, removes everything. Never part of the test suite.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { Engine } from '../source/engine/engine.js';
import { ensureSimImage } from '../source/engine/sim-image.js';
import type { Snapshot } from '../source/cluster/types.js';
import { ClusterMonitor } from '../source/monitor/cluster-monitor.js';
import { actionsBench } from './actions.js';
import { enginesBench } from './engines.js';
import { hostsBench } from './hosts.js';
import { logsBench, parseCostMs } from './logs.js';
import { scrapeBench } from './scrape.js';
import { remoteBench, remoteRows } from './remote.js';
import { probeBench } from './probe.js';
import { pytorchBench } from './pytorch.js';
import type { ProfileFigures } from './profile.js';
import { trainingBench } from './training.js';
import { recordCostBench, seekBench } from './record.js';
import { observerWindow, type ObserverWindow, type Watcher } from './observer.js';
import { firstFrameMs, frameDriver, textCacheBound, tick } from './startup.js';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
const id = randomBytes(3).toString('hex');
const net = `tfb${id}-net`;
const label = `tfmon.bench=${id}`;
const RUNS = 10;

function run(cmd: string, args: string[]): { ms: number; stdout: string; status: number | null } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return { ms, stdout: r.stdout, status: r.status };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const p90 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.9) - 1] as number;
const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const progress = (line: string): void => {
  process.stderr.write(`bench: ${line}\n`);
};

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

function cleanup(): void {
  spawnSync(process.execPath, [CLI, 'down', '--yes', '--network', net, '--label', label], { stdio: 'ignore' });
  const left = spawnSync('docker', ['ps', '-aq', '--filter', `label=${label}`], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);
  if (left.length) spawnSync('docker', ['rm', '-f', ...left], { stdio: 'ignore' });
  spawnSync('docker', ['network', 'rm', net], { stdio: 'ignore' });
}

function statusBench(): string[][] {
  // Quiet nodes (a log line every 30 s), like the ones the usage windows add.
  run(process.execPath, [
    CLI,
    'up',
    '--network',
    net,
    '--prefix',
    `tfb${id}`,
    '--label',
    label,
    '--env',
    'SIM_STEP_S=30',
  ]);

  const status = [
    process.execPath,
    CLI,
    'status',
    '--json',
    '--no-usage',
    '--no-probe',
    '--network',
    net,
    '--label',
    label,
  ];
  const check = JSON.parse(run(status[0]!, status.slice(1)).stdout) as { nodes: unknown[] };
  if (check.nodes.length !== 3) throw new Error(`expected 3 nodes, status saw ${check.nodes.length}`);

  const tfmon: number[] = [];
  const floor: number[] = [];
  const nodeOnly: number[] = [];
  // Alternate the two, so drift on the machine hits both alike.
  for (let i = 0; i < RUNS; i++) {
    tfmon.push(run(status[0]!, status.slice(1)).ms);
    const t0 = process.hrtime.bigint();
    const ids = run('docker', ['ps', '-aq', '--filter', `network=${net}`, '--filter', `label=${label}`])
      .stdout.split('\n')
      .filter(Boolean);
    run('docker', ['inspect', ...ids]);
    floor.push(Number(process.hrtime.bigint() - t0) / 1e6);
    nodeOnly.push(run(process.execPath, ['-e', '']).ms);
  }

  const withUsage: number[] = [];
  for (let i = 0; i < 5; i++)
    withUsage.push(
      run(process.execPath, [CLI, 'status', '--json', '--no-probe', '--network', net, '--label', label]).ms,
    );

  const target = 400;
  const m = median(tfmon);
  const ratio = m / median(floor);
  return [
    [
      'tfmon status --json --no-usage --no-probe, start to exit',
      fmt(m),
      fmt(p90(tfmon)),
      `<= ${target} ms`,
      m <= target ? 'met' : 'NOT met',
    ],
    ['docker ps + docker inspect (the floor)', fmt(median(floor)), fmt(p90(floor)), '-', '-'],
    [
      `node -e "" (Node.js ${process.versions.node} start alone, for scale)`,
      fmt(median(nodeOnly)),
      fmt(p90(nodeOnly)),
      '-',
      '-',
    ],
    ['ratio tfmon / floor', `${ratio.toFixed(2)}x`, '', '<= 4x', ratio <= 4 ? 'met' : 'NOT met'],
    [
      'tfmon status --json with usage (waits 1 interval, 5 runs)',
      fmt(median(withUsage)),
      fmt(Math.max(...withUsage)),
      '~1 interval',
      '-',
    ],
  ];
}

/** The live screen's first complete frame on the status bench's 3 nodes, 10 runs. */
async function firstFrameBench(): Promise<string[][]> {
  const names = run('docker', [
    'ps',
    '--format',
    '{{.Names}}',
    '--filter',
    `network=${net}`,
    '--filter',
    `label=${label}`,
  ])
    .stdout.split('\n')
    .filter(Boolean);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await firstFrameMs(net, label, names));
  const m = median(times);
  return [
    [
      'live screen: process start to the first complete frame (120x40 pty)',
      fmt(m),
      fmt(p90(times)),
      '<= 300 ms',
      m <= 300 ? 'met' : 'NOT met',
    ],
  ];
}

/** Starts sim nodes up to `count` on the bench network, a few at a time. Quiet ones (a log line
 * every 30 s), so that their own logging does not drown what is measured. */
async function growTo(count: number, have: number, image: string): Promise<void> {
  const todo = Array.from({ length: count - have }, (_, i) => have + i);
  const worker = async (): Promise<void> => {
    for (let i = todo.shift(); i !== undefined; i = todo.shift()) {
      await new Promise<void>((resolve, reject) => {
        const p = spawn(
          'docker',
          [
            'run',
            '-d',
            '--name',
            `tfb${id}-worker-${i}`,
            '--network',
            net,
            '--label',
            label,
            '--env',
            'SIM_STEP_S=30',
            image,
          ],
          { stdio: 'ignore' },
        );
        p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker run failed for worker ${i}`))));
      });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

/** Bytes V8 has allocated so far (Node.js 24+ reports it; @types/node does not name it yet). */
const allocatedBytes = (): number =>
  (getHeapStatistics() as ReturnType<typeof getHeapStatistics> & { total_allocated_bytes?: number })
    .total_allocated_bytes ?? Number.NaN;

/** One frame of the live screen (Ink's real render, incremental, on a bench terminal), from a
 * snapshot change to the written frame, median of 150 after 50 of warm-up. */
async function frameMs(
  columns: number,
  rows: number,
  snapshot: Snapshot,
): Promise<{ median: number; p90: number; bytes: number; allocated: number }> {
  const driver = await frameDriver(snapshot, columns, rows);
  const times: number[] = [];
  const allocated: number[] = [];
  for (let i = 1; i <= 200; i++) {
    const a0 = allocatedBytes();
    times.push(await driver.frame(tick(snapshot, i)));
    allocated.push(allocatedBytes() - a0);
  }
  const bytes = driver.bytes();
  driver.close();
  const warm = times.slice(50); // the first frames pay for JIT warm-up
  return { median: median(warm), p90: p90(warm), bytes: bytes / 200, allocated: median(allocated.slice(50)) };
}

async function benchSnapshot(): Promise<Snapshot> {
  const monitor = new ClusterMonitor(new Engine(), {
    network: net,
    labels: { 'tfmon.bench': id },
    usage: { intervalMs: 1000, mode: 'auto' },
  });
  const snapshot = await monitor.loadWithUsage(2500);
  monitor.stop();
  return snapshot;
}

async function frames(): Promise<string[][]> {
  const snapshot = await benchSnapshot();
  const out: string[][] = [];
  for (const [c, r] of [
    [80, 24],
    [120, 40],
    [160, 60],
  ] as const) {
    const f = await frameMs(c, r, snapshot);
    const target = c === 160 ? '<= 4 ms' : '-';
    // Allocated: what the garbage collector is handed per frame (V8's own count; median).
    out.push([
      `one frame, ${snapshot.nodes.length} nodes, ${c}x${r} (${(f.bytes / 1024).toFixed(1)} KiB written, ${(f.allocated / 1048576).toFixed(1)} MiB allocated)`,
      `${f.median.toFixed(1)} ms`,
      `${f.p90.toFixed(1)} ms`,
      target,
      c === 160 ? (f.median <= 4 ? 'met' : 'NOT met') : '-',
    ]);
  }
  const { earlyMiB, lateMiB } = await textCacheBound(snapshot, 120, 40, 60, 3600);
  out.push([
    `heap after GC, frame 60 -> frame 3,600 (${snapshot.nodes.length} nodes, 120x40)`,
    `${earlyMiB.toFixed(1)} -> ${lateMiB.toFixed(1)} MiB`,
    '',
    'no growth (< 1 MiB)',
    lateMiB - earlyMiB < 1 ? 'met' : 'NOT met',
  ]);
  return out;
}

const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MiB`;
const pctOfCore = (cpuS: number, seconds: number): string => `${((cpuS / seconds) * 100).toFixed(1)} %`;

/** Where tfmon's time goes, from the profiled window. */
function profileRows(p: ProfileFigures): string {
  const { main, v8, libuv, other } = p.threads;
  const all = main + v8 + libuv + other;
  const gc = p.kinds.find((k) => k.kind.startsWith('garbage'))?.cpuS ?? 0;
  return [
    `where the time goes: one more ${Math.round(p.seconds)} s window of tfmon under V8's CPU profiler (its sampling thread, ${pctOfCore(p.threads.profiler, p.seconds)} of a core, left out; it slows the main thread a little too: compare shares, not totals); ${p.frames ?? '?'} frames drawn over its run`,
    '',
    table([
      ['tfmon, by what it was doing', '% of a core', 'share of its CPU'],
      ...p.kinds.map((k) => [k.kind, pctOfCore(k.cpuS, p.seconds), `${((k.cpuS / all) * 100).toFixed(0)} %`]),
      [
        "V8's helper threads (concurrent marking, parallel scavenges, background compiles)",
        pctOfCore(v8, p.seconds),
        `${((v8 / all) * 100).toFixed(0)} %`,
      ],
      [
        "libuv's pool and other threads",
        pctOfCore(libuv + other, p.seconds),
        `${(((libuv + other) / all) * 100).toFixed(0)} %`,
      ],
      ['the whole process', pctOfCore(all, p.seconds), '100 %'],
    ]),
    '',
    table([
      ['goal', 'measured', 'target', 'verdict'],
      [
        "the garbage collector in tfmon's CPU (main thread's + V8's helpers': an upper bound)",
        `${(((gc + v8) / all) * 100).toFixed(0)} %`,
        '<= 10 %',
        (gc + v8) / all <= 0.1 ? 'met' : 'NOT met',
      ],
    ]),
  ].join('\n');
}

/** The nodes of the bench network with their init PIDs (for the cgroup and /proc counters). */
function benchNodes(): { id: string; pid: number }[] {
  const ids = run('docker', ['ps', '-q', '--no-trunc', '--filter', `label=${label}`, '--filter', `network=${net}`])
    .stdout.split('\n')
    .filter(Boolean);
  return run('docker', ['inspect', '--format', '{{.Id}} {{.State.Pid}}', ...ids])
    .stdout.split('\n')
    .filter(Boolean)
    .map((l) => ({ id: l.split(' ')[0]!, pid: Number(l.split(' ')[1]) }));
}

type Cpu = Pick<ObserverWindow, 'clientCpu' | 'daemonCpu' | 'machineCpu'>;

/** The verdicts against docker stats: tfmon with the daemons' share, and the whole machine. */
function versusDockerStats(prefix: string, t: Cpu, d: Cpu): string[][] {
  const ratio = (t.clientCpu + t.daemonCpu) / (d.clientCpu + d.daemonCpu);
  const machine = t.machineCpu / d.machineCpu;
  return [
    [
      `${prefix}tfmon + daemons vs docker stats + daemons`,
      `${ratio.toFixed(2)}x`,
      '<= 0.3x',
      ratio <= 0.3 ? 'met' : 'NOT met',
    ],
    [
      `${prefix}whole machine busy, tfmon vs docker stats`,
      `${machine.toFixed(2)}x`,
      '<= 0.5x',
      machine <= 0.5 ? 'met' : 'NOT met',
    ],
  ];
}

/** What watching costs at each size: nothing, tfmon (default flags), tfmon --no-probe, docker stats. */
async function observerBench(
  sizes: number[],
  seconds: number,
  rssSeconds: number,
): Promise<{ table: string[][]; verdicts: string[][]; frame: string[][] }> {
  const { ref } = await ensureSimImage(new Engine());
  const table: string[][] = [
    [
      'nodes',
      'watching',
      'its CPU',
      'daemons CPU',
      'whole machine busy',
      "nodes' CPU mean / max",
      "nodes' net mean / max",
      'its RSS peak',
    ],
  ];
  const verdicts: string[][] = [['goal', 'measured', 'target', 'verdict']];
  let frame: string[][] = [];
  let have = 3; // the status bench's cluster is on the same network
  for (const size of sizes) {
    progress(`starting sim nodes up to ${size}`);
    await growTo(size, have, ref);
    have = size;
    await sleep(3000);
    const nodes = benchNodes();
    // Alternate the order between sizes, so slow drift on the machine does not favour one side.
    const order: Watcher[] = ['nothing', 'tfmon', 'tfmon --no-probe', 'docker stats'];
    if (sizes.indexOf(size) % 2 === 1) order.reverse();
    const w = {} as Record<Watcher, ObserverWindow>;
    for (const watcher of order) {
      progress(`${size} nodes: ${watcher} for ${seconds} s`);
      w[watcher] = await observerWindow(watcher, net, label, nodes, 5, seconds);
    }
    for (const watcher of ['nothing', 'tfmon', 'tfmon --no-probe', 'docker stats'] as const) {
      const x = w[watcher];
      table.push([
        String(nodes.length),
        watcher,
        watcher === 'nothing' ? '-' : pctOfCore(x.clientCpu, x.seconds),
        pctOfCore(x.daemonCpu, x.seconds),
        pctOfCore(x.machineCpu, x.seconds),
        `${x.nodeCpuMean.toFixed(2)} % / ${x.nodeCpuMax.toFixed(2)} %`,
        `${x.nodeNetMean.toFixed(0)} / ${x.nodeNetMax.toFixed(0)} B/s`,
        x.rss.length ? mib(Math.max(...x.rss.map((r) => r.bytes))) : '-',
      ]);
    }
    const t = w['tfmon'];
    const d = w['docker stats'];
    if (size === 50) {
      verdicts.push(
        ...versusDockerStats('50 nodes: ', t, d),
        [
          "50 nodes: idle node's CPU while tfmon watches (mean; busiest)",
          `${t.nodeCpuMean.toFixed(2)} %; ${t.nodeCpuMax.toFixed(2)} % (nothing watching: ${w['nothing'].nodeCpuMean.toFixed(2)} %)`,
          '<= 0.5 %',
          t.nodeCpuMean <= 0.5 ? 'met' : 'NOT met',
        ],
        [
          "50 nodes: idle node's network while tfmon watches (mean; busiest)",
          `${t.nodeNetMean.toFixed(0)} B/s; ${t.nodeNetMax.toFixed(0)} B/s`,
          '<= 1 kB/s',
          t.nodeNetMean <= 1000 ? 'met' : 'NOT met',
        ],
      );
      progress('50 nodes: frame times and the text cache');
      frame = await frames();
    }
    if (size === 200) {
      const own = (t.clientCpu / t.seconds) * 100;
      verdicts.push([
        "200 nodes: tfmon's own process",
        `${own.toFixed(1)} % of a core`,
        '<= 5 %',
        own <= 5 ? 'met' : 'NOT met',
      ]);
      if (rssSeconds > 0) {
        progress(`200 nodes: tfmon for ${rssSeconds} s, resident memory every 5 s`);
        const long = await observerWindow('tfmon', net, label, nodes, 5, rssSeconds);
        // The peak of every window tfmon ran in at 200 nodes (its short window's too), not the long one's alone.
        const peak = Math.max(...long.rss.map((r) => r.bytes), ...t.rss.map((r) => r.bytes));
        // Flat "beyond GC noise": V8 and malloc swing the resident size by several MiB between two
        // samples, so the minute after minute 2 and the last minute are compared by their medians,
        // and the swing over the whole run is shown beside it.
        const minuteFrom = (fromS: number): number =>
          median(long.rss.filter((r) => r.atS >= fromS && r.atS < fromS + 60).map((r) => r.bytes));
        const lastS = long.rss.at(-1)?.atS ?? 0;
        const early = minuteFrom(120);
        const late = minuteFrom(lastS - 55);
        const growth = late - early;
        const settled = long.rss.filter((r) => r.atS >= 120).map((r) => r.bytes);
        const swing = `${mib(Math.min(...settled))}–${mib(Math.max(...settled))}`;
        verdicts.push(
          [
            `200 nodes: tfmon peak RSS (the ${Math.round(long.seconds / 60)} min run and the ${Math.round(t.seconds)} s window)`,
            mib(peak),
            '<= 150 MB',
            peak <= 150e6 ? 'met' : 'NOT met',
          ],
          [
            '200 nodes: RSS median of minute 2-3 -> of the last minute (range after minute 2)',
            `${mib(early)} -> ${mib(late)} (${swing})`,
            'flat (< 5 MiB growth)',
            growth < 5 * 1048576 ? 'met' : 'NOT met',
          ],
          [
            `200 nodes: tfmon's own CPU over the ${Math.round(long.seconds / 60)} min`,
            pctOfCore(long.clientCpu, long.seconds),
            '<= 5 %',
            (long.clientCpu / long.seconds) * 100 <= 5 ? 'met' : 'NOT met',
          ],
        );
      }
      progress('200 nodes: tfmon serve, 30 scrapes of /metrics');
      const sc = await scrapeBench(net, label);
      const sorted = [...sc.ms].sort((a, b) => a - b);
      const p90 = sorted[Math.ceil(sorted.length * 0.9) - 1]!;
      verdicts.push([
        `200 nodes: one scrape of tfmon serve (median; p90; ${sc.series} series, ${Math.round(sc.bytes / 1024)} KiB)`,
        `${median(sc.ms).toFixed(1)} ms; ${p90.toFixed(1)} ms`,
        '<= 20 ms',
        median(sc.ms) <= 20 ? 'met' : 'NOT met',
      ]);
    }
  }
  return { table, verdicts, frame };
}

/** What the bench prints also goes to docs/bench.md (rewritten by each complete run, never appended). */
const report: string[] = [];
const print = console.log;
console.log = (...args: unknown[]): void => {
  report.push(args.map(String).join(' '));
  print(...args);
};

function writeReport(): void {
  const parts = Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_'))
    .map(([k, v]) => `${k}=${v}`);
  // A partial run (parts left out, shorter windows) does not replace the complete run's figures.
  if (parts.length) {
    progress(`docs/bench.md kept: a partial run (${parts.join(' ')})`);
    return;
  }
  const head = [
    '# Bench',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC:`,
    `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.versions.node}, ${os.release()}.`,
    'A shared machine drifts by the hour: compare figures of one run, or runs made side by side.',
    '',
  ];
  writeFileSync(
    new URL('../../docs/bench.md', import.meta.url),
    `${[...head, ...report]
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd()}\n`,
  );
}

async function main(): Promise<void> {
  process.on('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
  const sizes = (process.env['BENCH_SIZES'] ?? '50,200')
    .split(',')
    .map(Number)
    .filter((n) => n > 3)
    .sort((a, b) => a - b);
  const seconds = Number(process.env['BENCH_SECONDS'] ?? 60);
  const head = ['measure', 'median', 'p90', 'target', 'verdict'];
  const statusRows = [...statusBench(), ...(await firstFrameBench())];
  console.log(`tfmon bench (${new Date().toISOString()}, node ${process.version})\n`);
  console.log('status (3-node sim cluster, 10 runs each, alternating)\n');
  console.log(table([head, ...statusRows]));
  if (process.env['BENCH_PROBE'] !== '0') {
    progress('reachability: 20 sim nodes, rounds, then two windows (without / with probing)');
    const { ref } = await ensureSimImage(new Engine());
    const p = await probeBench(ref, `tfb${id}`, label, 20, seconds);
    const pct = (cpu: number): string => `${((cpu / p.windowS) * 100).toFixed(1)} %`;
    const extra = p.daemonCpuWith - p.daemonCpuWithout;
    console.log(
      `\nreachability: ${p.nodes} sim nodes, ${p.pairs} pairs; default interval (5 s); ${p.windowS} s windows; CPU as % of one core\n`,
    );
    console.log(
      table([
        head,
        ['first round (opens one session per node)', fmt(p.firstRoundMs), '', '', ''],
        [
          'one full round, sessions up (10 rounds)',
          fmt(median(p.roundMs)),
          fmt(p90(p.roundMs)),
          '<= 2 s',
          p90(p.roundMs) <= 2000 ? 'met' : 'NOT met',
        ],
        [
          'execs created per round, sessions up',
          String(median(p.execsPerRound)),
          String(Math.max(...p.execsPerRound)),
          '0',
          Math.max(...p.execsPerRound) === 0 ? 'met' : 'NOT met',
        ],
        ['daemons CPU, no probing', pct(p.daemonCpuWithout), '', '', ''],
        ['daemons CPU, probing every 5 s', pct(p.daemonCpuWith), '', '', ''],
        // A difference below zero is the two windows' noise, not a saving: it says nothing either way.
        [
          'daemons CPU attributable to probing',
          pct(extra),
          '',
          '<= 5 %',
          extra < 0 ? 'within noise (negative)' : (extra / p.windowS) * 100 <= 5 ? 'met' : 'NOT met',
        ],
        [
          'CPU inside the nodes (sim + probe scripts), without / with',
          `${pct(p.nodesCpuWithout)} / ${pct(p.nodesCpuWith)}`,
          '',
          '',
          '',
        ],
      ]),
    );
  }
  if (process.env['BENCH_ENGINES'] !== '0') {
    progress('beyond one host: a 1 ps + 4 worker swarm cluster, and two engines with 5 nodes each (a second dockerd)');
    const e = await enginesBench(`tfb${id}`, label, RUNS);
    console.log('\nbeyond one host: tfmon status --json --no-usage --no-probe, 10 runs each\n');
    console.log(
      table([
        head,
        ['swarm: 1 ps + 4 worker services (single-node swarm)', fmt(median(e.swarmMs)), fmt(p90(e.swarmMs)), '-', '-'],
        ['two engines, 5 nodes each (--host twice)', fmt(median(e.twoEnginesMs)), fmt(p90(e.twoEnginesMs)), '-', '-'],
      ]),
    );
  }
  if (process.env['BENCH_HOSTS'] !== '0') {
    progress('two hosts: 10 swarm tasks over two dockerds in namespaces of their own, a partition and a host loss');
    const h = await hostsBench(`tfb${id}`, label, RUNS);
    const ms = (v: number): string => (Number.isFinite(v) ? `${(v / 1000).toFixed(1)} s` : 'not shown');
    console.log(
      `\ntwo hosts: 10 tasks (2 ps + 8 workers, tfmon up --swarm) placed ${Object.entries(h.placement)
        .map(([k, v]) => `${v} on ${k}`)
        .join(', ')}; status --json --no-usage (probes on), ${RUNS} runs each\n`,
    );
    console.log(
      table([
        head,
        ['both engines (-H A -H B): probes across the VXLAN', fmt(median(h.bothMs)), fmt(p90(h.bothMs)), '-', '-'],
        ["the manager alone (-H A: B's tasks remote)", fmt(median(h.managerMs)), fmt(p90(h.managerMs)), '-', '-'],
        ['10 nodes on one host (this engine)', fmt(median(h.oneHostMs)), fmt(p90(h.oneHostMs)), '-', '-'],
      ]),
    );
    console.log('\ntwo hosts: tfmon serve -H A -H B at its default cadence (probe rounds every 5 s)\n');
    console.log(
      table([
        ['measure', 'value', '', 'target', 'verdict'],
        [
          'the wire cut: a link root in /status',
          ms(h.partitionShownMs),
          '',
          '≤ 5 s',
          h.partitionShownMs <= 5000 ? 'met' : 'NOT met',
        ],
        ['… named a partition (the swarm marks B down)', ms(h.partitionNamedMs), '', '-', '-'],
        [
          "B's dockerd stopped: engine_unreachable in /status",
          ms(h.hostLossShownMs),
          '',
          '≤ 5 s',
          h.hostLossShownMs <= 5000 ? 'met' : 'NOT met',
        ],
        [`serve's own CPU watching both, ${h.cpuWindowS} s`, `${h.serveCpuPercent.toFixed(1)} %`, '', '-', '-'],
      ]),
    );
  }
  if (process.env['BENCH_ACTIONS'] !== '0') {
    progress('actions: + on a 1 ps + 4 worker cluster (3 runs), then a rolling apply');
    process.env['TFMON_ACTION_LOG'] ??= `/tmp/tfmon-bench-${id}-actions.log`;
    const a = await actionsBench(`tfb${id}`, label);
    console.log(
      `\nactions: 1 ps + 4 workers (sim nodes), 3 runs of +, then regenerate + apply over the ${a.recreated} nodes + left stale\n`,
    );
    console.log(
      table([
        ['measure', 'median', 'runs', 'target', 'verdict'],
        [
          '+ until the new worker is running',
          fmt(median(a.upToRunningMs)),
          a.upToRunningMs.map(fmt).join(', '),
          '-',
          '-',
        ],
        [
          '+ until it answers in the matrix',
          fmt(median(a.upToReachableMs)),
          a.upToReachableMs.map(fmt).join(', '),
          '-',
          '-',
        ],
        [`rolling apply (${a.recreated} nodes, one at a time)`, fmt(a.applyMs), '1', '-', '-'],
      ]),
    );
  }
  if (process.env['BENCH_LOGS'] !== '0') {
    progress('logs: one node printing 20,000 lines/s, the full-screen log view, 30 s');
    const { ref } = await ensureSimImage(new Engine());
    const l = await logsBench(ref, `tfb${id}`, label, 30);
    const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.95) - 1] as number;
    const rssMiB = l.rss.map((b) => b / 1048576);
    console.log(
      `\nlogs: ${Math.round(l.linesPerSecond)} lines/s for ${l.seconds.toFixed(0)} s (bursts each second), tfmon's log view in a 120x40 pseudo-terminal; ${l.keyMs.length} key presses (t)\n`,
    );
    console.log(
      table([
        head,
        [
          'key press to the frame showing it',
          fmt(median(l.keyMs)),
          `${fmt(p95(l.keyMs))} (p95)`,
          '<= 100 ms median',
          median(l.keyMs) <= 100 ? 'met' : 'NOT met',
        ],
        [
          "tfmon's CPU, % of one core",
          `${((l.cpuSeconds / l.seconds) * 100).toFixed(1)} %`,
          '',
          '<= 60 %',
          (l.cpuSeconds / l.seconds) * 100 <= 60 ? 'met' : 'NOT met',
        ],
        [
          'tfmon RSS first / lowest / highest / last',
          `${rssMiB[0]?.toFixed(0)} / ${Math.min(...rssMiB).toFixed(0)} / ${Math.max(...rssMiB).toFixed(0)} / ${rssMiB.at(-1)?.toFixed(0)} MiB`,
          '',
          'bounded',
          '',
        ],
      ]),
    );
    // What reading training progress adds to that: the same run with --no-training, and the
    // progress reader alone on one second of the flood's lines.
    progress('logs: the same with --no-training, 30 s');
    const off = await logsBench(ref, `tfb${id}`, label, 30, ['--no-training']);
    const on = (l.cpuSeconds / l.seconds) * 100;
    const without = (off.cpuSeconds / off.seconds) * 100;
    const parse = parseCostMs();
    console.log(
      `\nprogress reading at that rate: every line of the node goes through the progress reader (the flood's lines say "loss", so each is looked at, none taken)\n`,
    );
    console.log(
      table([
        head,
        [
          "tfmon's CPU with training / --no-training",
          `${on.toFixed(1)} % / ${without.toFixed(1)} %`,
          `${on - without >= 0 ? '+' : ''}${(on - without).toFixed(1)} points`,
          '-',
          '-',
        ],
        [
          'the progress reader alone, 20,000 flood lines',
          `${parse.toFixed(1)} ms`,
          `${(parse / 10).toFixed(2)} % of a core; ${((parse / 10 / without) * 100).toFixed(1)} % of tfmon's CPU`,
          "<= 10 % of tfmon's CPU",
          parse / 10 / without <= 0.1 ? 'met' : 'NOT met',
        ],
      ]),
    );
  }
  if (process.env['BENCH_REMOTE'] !== '0') {
    const remoteSeconds = Number(process.env['BENCH_REMOTE_SECONDS'] ?? 300);
    progress(
      `remote: the live screen over ssh:// on 20 nodes for ${remoteSeconds} s, docker stats beside it, then a slow link`,
    );
    const { ref } = await ensureSimImage(new Engine());
    const r = await remoteBench(ref, `tfb${id}`, label, 20, remoteSeconds, 20);
    console.log(
      `\nremote engines: tfmon with default flags over ssh:// through a real sshd on loopback (one ssh control master forwarding the engine's socket); the slow link is a relay that holds each chunk (this kernel has no netem)\n`,
    );
    console.log(table([['measure', 'figure', 'target', 'verdict'], ...remoteRows(r)]));
  }
  if (process.env['BENCH_PYTORCH'] !== '0') {
    const ranks = Number(process.env['BENCH_PYTORCH_RANKS'] ?? 16);
    progress(
      `pytorch: a real ${ranks}-rank DDP job (image built first if missing), then windows of nothing / tfmon / docker stats`,
    );
    const pt = await pytorchBench(`tfb${id}`, label, ranks, seconds, progress);
    const by = (w: Watcher): typeof pt.windows => pt.windows.filter((x) => x.window.watcher === w);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const rate = (w: Watcher): number => mean(by(w).map((x) => x.stepsPerSecond));
    const cpu = (w: Watcher, k: 'clientCpu' | 'daemonCpu' | 'machineCpu'): string =>
      pctOfCore(
        by(w).reduce((a, x) => a + x.window[k], 0),
        by(w).reduce((a, x) => a + x.window.seconds, 0),
      );
    console.log(
      `\na real PyTorch job: ${pt.ranks} ranks of ${pt.image} (torch 1.13, gloo, env://, one rank per container, CPU-bound), each watcher twice for ${seconds} s (after 5 s), alternating; the job's pace from rank 0's epoch bars in the window; CPU as % of one core\n`,
    );
    console.log(
      table([
        ['watching', 'its CPU', 'daemons CPU', 'whole machine busy', "job's steps/s (each window)", 'vs nothing'],
        ...(['nothing', 'tfmon', 'docker stats'] as Watcher[]).map((w) => [
          w,
          w === 'nothing' ? '-' : cpu(w, 'clientCpu'),
          cpu(w, 'daemonCpu'),
          cpu(w, 'machineCpu'),
          `${rate(w).toFixed(2)} (${by(w)
            .map((x) => x.stepsPerSecond.toFixed(2))
            .join(', ')})`,
          `${((rate(w) / rate('nothing')) * 100).toFixed(1)} %`,
        ]),
      ]),
    );
    const kept = rate('tfmon') / rate('nothing');
    console.log(
      `\n${table([
        ['goal', 'measured', 'target', 'verdict'],
        [
          "the job's step rate while tfmon watches",
          `${(kept * 100).toFixed(1)} % of its rate unwatched`,
          '>= 98 %',
          kept >= 0.98 ? 'met' : 'NOT met',
        ],
      ])}`,
    );
  }
  if (process.env['BENCH_TRAINING'] !== '0') {
    const { ref } = await ensureSimImage(new Engine());
    for (const stepS of (process.env['BENCH_TRAINING_STEPS'] ?? '1,0.1').split(',').map(Number)) {
      const t = await trainingBench(ref, `tfb${id}`, label, 50, stepS, seconds, progress, stepS === 1);
      console.log(
        `\ntraining nodes: ${t.nodes} sim nodes each printing a progress line every ${t.stepS} s; each watcher twice for ${seconds} s after 20 s to settle, alternating; tfmon with default flags in a 160x60 pseudo-terminal; CPU as % of one core\n`,
      );
      const by = (w: Watcher): ObserverWindow[] => t.windows.filter((x) => x.watcher === w);
      const sum = (w: Watcher, k: 'clientCpu' | 'daemonCpu' | 'machineCpu'): number =>
        by(w).reduce((a, x) => a + x[k], 0);
      const secs = (w: Watcher): number => by(w).reduce((a, x) => a + x.seconds, 0);
      const framesPerMin = (w: Watcher): string => {
        const f = by(w).flatMap((x) => (x.frames ? [x.frames] : []));
        if (!f.length) return '-';
        const s = f.reduce((a, x) => a + x.seconds, 0) / 60;
        return `${(f.reduce((a, x) => a + x.frames, 0) / s).toFixed(0)} (data ${(f.reduce((a, x) => a + x.data, 0) / s).toFixed(0)})`;
      };
      console.log(
        table([
          ['watching', 'its CPU', 'daemons CPU', 'whole machine busy', 'frames a minute', 'its RSS peak'],
          ...(['nothing', 'tfmon', 'docker stats'] as Watcher[]).map((w) => [
            w,
            w === 'nothing' ? '-' : pctOfCore(sum(w, 'clientCpu'), secs(w)),
            pctOfCore(sum(w, 'daemonCpu'), secs(w)),
            pctOfCore(sum(w, 'machineCpu'), secs(w)),
            framesPerMin(w),
            w === 'tfmon' ? mib(Math.max(...by(w).flatMap((x) => x.rss.map((r) => r.bytes)))) : '-',
          ]),
        ]),
      );
      const own = (sum('tfmon', 'clientCpu') / secs('tfmon')) * 100;
      const cpuOf = (w: Watcher): Cpu => ({
        clientCpu: sum(w, 'clientCpu'),
        daemonCpu: sum(w, 'daemonCpu'),
        machineCpu: sum(w, 'machineCpu'),
      });
      console.log(
        `\n${table([
          ['goal', 'measured', 'target', 'verdict'],
          [
            `50 nodes, a line every ${t.stepS} s: tfmon's own process`,
            `${own.toFixed(1)} % of a core`,
            '<= 3 %',
            own <= 3 ? 'met' : 'NOT met',
          ],
          ...versusDockerStats('', cpuOf('tfmon'), cpuOf('docker stats')),
        ])}`,
      );
      if (t.profile) console.log(`\n${profileRows(t.profile)}`);
    }
  }
  if (process.env['BENCH_RECORD'] !== '0') {
    const { ref } = await ensureSimImage(new Engine());
    const recSeconds = Number(process.env['BENCH_RECORD_SECONDS'] ?? seconds);
    let base: Snapshot | null = null;
    const rows: string[][] = [];
    for (const stepS of (process.env['BENCH_RECORD_STEPS'] ?? '1,0.2').split(',').map(Number)) {
      const r = await recordCostBench(ref, `tfb${id}`, label, 50, stepS, recSeconds, progress);
      base ??= r.base;
      const of = (w: 'record' | 'serve') => r.windows.filter((x) => x.watcher === w);
      const cpu = (w: 'record' | 'serve'): number =>
        (of(w).reduce((a, x) => a + x.cpu, 0) / of(w).reduce((a, x) => a + x.seconds, 0)) * 100;
      const perHour =
        (of('record').reduce((a, x) => a + x.bytes, 0) / of('record').reduce((a, x) => a + x.seconds, 0)) * 3600;
      const lines = Math.round(2 / stepS);
      const extra = cpu('record') - cpu('serve');
      rows.push(
        [
          `50 nodes, ${lines} log lines/s each: file size an hour (logs held to 5 a node and second, bursts of 50)`,
          `${(perHour / 1e6).toFixed(1)} MB`,
          '<= 2 MB',
          perHour <= 2e6 ? 'met' : 'NOT met',
        ],
        [
          `50 nodes, ${lines} log lines/s: tfmon record / tfmon serve (the same monitor), own CPU`,
          `${cpu('record').toFixed(1)} % / ${cpu('serve').toFixed(1)} %`,
          '',
          '',
        ],
        [
          `50 nodes, ${lines} log lines/s: what recording adds (every node's log followed, the file written)`,
          `${extra.toFixed(1)} % of a core`,
          '<= 1 %',
          extra <= 1 ? 'met' : 'NOT met',
        ],
      );
    }
    for (const hours of (process.env['BENCH_RECORD_HOURS'] ?? '8,24').split(',').map(Number)) {
      if (!base) break;
      progress(`recording: writing ${hours} h of 50 nodes, then opening and seeking in it`);
      const f = await seekBench(base, hours);
      rows.push(
        [
          `a ${hours}-hour recording of 50 nodes (figures moving every second, no logs): size; time to write it`,
          `${f.fileMiB.toFixed(1)} MiB; ${f.writeS.toFixed(0)} s`,
          '',
          '',
        ],
        [
          `the ${hours}-hour recording opened to its first second's snapshot`,
          `${f.openMs.toFixed(0)} ms`,
          hours === 8 ? '<= 1 s (with the first frame: + one frame)' : '',
          hours === 8 ? (f.openMs <= 900 ? 'met' : 'NOT met') : '',
        ],
        [
          `the ${hours}-hour recording: 30 seeks to random times, median / slowest`,
          `${f.seekMedianMs.toFixed(0)} / ${f.seekMaxMs.toFixed(0)} ms`,
          hours === 24 ? '<= 200 ms on screen (+ one frame)' : '',
          hours === 24 ? (f.seekMaxMs <= 190 ? 'met' : 'NOT met') : '',
        ],
      );
    }
    console.log(
      `\nrecording: tfmon record and tfmon serve in turn over 50 sim nodes, each twice for ${recSeconds} s after 20 s, alternating; a frame at 160x60 is a few ms (the frame rows)\n`,
    );
    console.log(table([['goal', 'measured', 'target', 'verdict'], ...rows]));
  }
  if (process.env['BENCH_USAGE'] === '0') return;
  const rssSeconds = Number(process.env['BENCH_RSS_SECONDS'] ?? 600);
  console.log(
    `\nwhat watching costs: ${seconds} s windows after 5 s of warm-up over idle sim nodes (a log line every 30 s); tfmon with its default flags in a 160x60 pseudo-terminal; CPU as % of one core (the machine has ${os.cpus().length}); nodes' CPU and network as docker stats computes them\n`,
  );
  const o = await observerBench(sizes, seconds, rssSeconds);
  console.log(table(o.table));
  console.log(`\n${table(o.verdicts)}`);
  if (o.frame.length) console.log(`\n${table([head, ...o.frame])}`);
}

main().then(writeReport, (error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
