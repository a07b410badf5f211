// `npm run bench`: speed figures printed as a table. Makes its own cluster (labelled tfmon.bench)
// on its own network, measures, removes everything. Never part of the test suite.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import React from 'react';
import { Engine } from '../source/engine/engine.js';
import { ensureSimImage } from '../source/engine/sim-image.js';
import type { Snapshot } from '../source/cluster/types.js';
import { ClusterMonitor } from '../source/monitor/store.js';
import { App } from '../source/ui/App.js';
import { actionsBench } from './actions.js';
import { enginesBench } from './engines.js';
import { logsBench } from './logs.js';
import { probeBench } from './probe.js';
import { firstFrameMs, textCacheBound } from './startup.js';
import { watchWithDockerStats, watchWithTfmon, type WindowResult } from './usage.js';

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
  const left = spawnSync('docker', ['ps', '-aq', '--filter', `label=${label}`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  if (left.length) spawnSync('docker', ['rm', '-f', ...left], { stdio: 'ignore' });
  spawnSync('docker', ['network', 'rm', net], { stdio: 'ignore' });
}


function statusBench(): string[][] {
  run(process.execPath, [CLI, 'up', '--network', net, '--prefix', `tfb${id}`, '--label', label]);

  const status = [process.execPath, CLI, 'status', '--json', '--no-usage', '--no-probe', '--network', net, '--label', label];
  const check = JSON.parse(run(status[0]!, status.slice(1)).stdout) as { nodes: unknown[] };
  if (check.nodes.length !== 3) throw new Error(`expected 3 nodes, status saw ${check.nodes.length}`);

  const tfmon: number[] = [];
  const floor: number[] = [];
  const nodeOnly: number[] = [];
  // Alternate the two, so drift on the machine hits both alike.
  for (let i = 0; i < RUNS; i++) {
    tfmon.push(run(status[0]!, status.slice(1)).ms);
    const t0 = process.hrtime.bigint();
    const ids = run('docker', ['ps', '-aq', '--filter', `network=${net}`, '--filter', `label=${label}`]).stdout.split('\n').filter(Boolean);
    run('docker', ['inspect', ...ids]);
    floor.push(Number(process.hrtime.bigint() - t0) / 1e6);
    nodeOnly.push(run(process.execPath, ['-e', '']).ms);
  }

  const withUsage: number[] = [];
  for (let i = 0; i < 5; i++) withUsage.push(run(process.execPath, [CLI, 'status', '--json', '--no-probe', '--network', net, '--label', label]).ms);

  const target = 400;
  const m = median(tfmon);
  const ratio = m / median(floor);
  return [
    ['tfmon status --json --no-usage --no-probe, start to exit', fmt(m), fmt(p90(tfmon)), `<= ${target} ms`, m <= target ? 'met' : 'NOT met'],
    ['docker ps + docker inspect (the floor)', fmt(median(floor)), fmt(p90(floor)), '-', '-'],
    [`node -e "" (Node.js ${process.versions.node} start alone, for scale)`, fmt(median(nodeOnly)), fmt(p90(nodeOnly)), '-', '-'],
    ['ratio tfmon / floor', `${ratio.toFixed(2)}x`, '', '<= 4x', ratio <= 4 ? 'met' : 'NOT met'],
    ['tfmon status --json with usage (waits 1 interval, 5 runs)', fmt(median(withUsage)), fmt(Math.max(...withUsage)), '~1 interval', '-'],
  ];
}

/** The live screen's first complete frame on the status bench's 3 nodes, 10 runs. */
async function firstFrameBench(): Promise<string[][]> {
  const names = run('docker', ['ps', '--format', '{{.Names}}', '--filter', `network=${net}`, '--filter', `label=${label}`]).stdout.split('\n').filter(Boolean);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await firstFrameMs(net, label, names));
  const m = median(times);
  return [['live screen: process start to the first complete frame (120x40 pty)', fmt(m), fmt(p90(times)), '<= 300 ms', m <= 300 ? 'met' : 'NOT met']];
}

/** Starts sim nodes up to `count` on the bench network, a few at a time. Quiet ones (a log line
 * every 30 s), so that their own logging does not drown what is measured. */
async function growTo(count: number, have: number, image: string): Promise<void> {
  const todo = Array.from({ length: count - have }, (_, i) => have + i);
  const worker = async (): Promise<void> => {
    for (let i = todo.shift(); i !== undefined; i = todo.shift()) {
      await new Promise<void>((resolve, reject) => {
        const p = spawn('docker', ['run', '-d', '--name', `tfb${id}-worker-${i}`, '--network', net, '--label', label,
          '--env', 'SIM_STEP_S=30', image], { stdio: 'ignore' });
        p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker run failed for worker ${i}`))));
      });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

/** Time of one frame of the live screen, in a live Ink instance (ink-testing-library's renderer:
 * every frame is written), from a snapshot change to the written frame. Real snapshot of the bench's
 * nodes; only usage figures change between frames, as they do every second. */
async function frameMs(columns: number, rows: number, snapshot: Snapshot): Promise<{ median: number; p90: number }> {
  const { render } = await import('ink-testing-library');
  let current = snapshot;
  const listeners = new Set<() => void>();
  const store = {
    subscribe: (l: () => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    getSnapshot: () => current,
  };
  const r = render(React.createElement(App, { store, theme: { color: true, ascii: false }, size: { columns, rows } }));
  await sleep(100);
  const times: number[] = [];
  for (let i = 0; i < 60; i++) {
    const usage = Object.fromEntries(Object.entries(snapshot.usage).map(([id, u]) => [id, { ...u, cpuPercent: (u.cpuPercent ?? 0) + i / 10 }]));
    current = { ...snapshot, usage, updatedAt: Date.now() };
    const before = r.frames.length;
    const t0 = process.hrtime.bigint();
    for (const l of listeners) l();
    while (r.frames.length === before) await new Promise((res) => setImmediate(res));
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  r.unmount();
  const warm = times.slice(10); // the first frames pay for JIT warm-up
  return { median: median(warm), p90: p90(warm) };
}

/** Heap after a forced GC at frame 60 and frame 3,600 at 120x40: bounded when they agree. */
async function textCacheRows(): Promise<string[][]> {
  const monitor = new ClusterMonitor(new Engine(), { network: net, labels: { 'tfmon.bench': id }, usage: { intervalMs: 1000, mode: 'auto' } });
  const snapshot = await monitor.loadWithUsage(2500);
  monitor.stop();
  const { earlyMiB, lateMiB } = await textCacheBound(snapshot, 120, 40, 60, 3600);
  const growth = lateMiB - earlyMiB;
  return [[`heap after GC, frame 60 -> frame 3,600 (${snapshot.nodes.length} nodes, 120x40)`, `${earlyMiB.toFixed(1)} -> ${lateMiB.toFixed(1)} MiB`, '', 'no growth (< 1 MiB)', growth < 1 ? 'met' : 'NOT met']];
}

async function frames(): Promise<string[][]> {
  const monitor = new ClusterMonitor(new Engine(), { network: net, labels: { 'tfmon.bench': id }, usage: { intervalMs: 1000, mode: 'auto' } });
  const snapshot = await monitor.loadWithUsage(2500);
  monitor.stop();
  const out: string[][] = [];
  for (const [c, r] of [[80, 24], [120, 40], [160, 50]] as const) {
    const f = await frameMs(c, r, snapshot);
    out.push([`one frame, ${snapshot.nodes.length} nodes, ${c}x${r} terminal`, `${f.median.toFixed(1)} ms`, `${f.p90.toFixed(1)} ms`, '<= 10 ms', f.median <= 10 ? 'met' : 'NOT met']);
  }
  return out;
}

const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MiB`;
const sec = (s: number): string => `${s.toFixed(2)} s`;

async function usageBench(sizes: number[], seconds: number): Promise<string[][]> {
  const { ref } = await ensureSimImage(new Engine());
  const rows: string[][] = [];
  let have = 3; // the status bench's cluster is on the same network
  let frame: string[][] | null = null;
  for (const size of sizes) {
    progress(`starting sim nodes up to ${size}`);
    await growTo(size, have, ref);
    have = size;
    await sleep(3000);
    const ids = run('docker', ['ps', '-q', '--filter', `label=${label}`]).stdout.split('\n').filter(Boolean);
    // Alternate which goes first, so slow drift on the machine does not favour one side.
    const order = sizes.indexOf(size) % 2 === 0 ? ['tfmon', 'docker'] : ['docker', 'tfmon'];
    const results: Record<string, WindowResult> = {};
    for (const who of order) {
      progress(`${size} nodes: ${who === 'tfmon' ? "tfmon's live screen" : 'docker stats'} for ${seconds} s`);
      results[who] = who === 'tfmon' ? await watchWithTfmon(net, label, 5, seconds) : await watchWithDockerStats(ids, 5, seconds);
    }
    const t = results['tfmon']!;
    const d = results['docker']!;
    const tfmonTotal = t.clientCpu + t.daemonCpu;
    const dockerTotal = d.clientCpu + d.daemonCpu;
    const ratio = tfmonTotal / dockerTotal;
    rows.push([
      `${ids.length} nodes, ${seconds} s`,
      `${sec(t.clientCpu)} + ${sec(t.daemonCpu)}`,
      `${sec(d.clientCpu)} + ${sec(d.daemonCpu)}`,
      `${(ratio * 100).toFixed(0)} %`,
      `${mib(t.peakRss)} (${mib(t.rssFirst)} -> ${mib(t.rssLast)})`,
    ]);
    if (size === 50 || (frame === null && size === sizes.at(-1))) {
      progress(`${size} nodes: frame times`);
      frame = await frames();
      progress(`${size} nodes: the text cache over 3,600 distinct frames (an hour at one a second)`);
      frame.push(...(await textCacheRows()));
    }
  }
  const at50 = rows.find((r) => r[0]?.startsWith('50 '));
  const ratio50 = at50 ? Number.parseFloat(at50[3] ?? '') : NaN;
  const peak200 = rows.find((r) => r[0]?.startsWith('200 '));
  return [
    ['nodes', 'tfmon + daemons (CPU)', 'docker stats + daemons (CPU)', 'tfmon / docker stats', 'tfmon peak RSS (first -> last)'],
    ...rows,
    [],
    ['target', 'at 50 nodes: tfmon side <= 50 % of docker stats side', Number.isFinite(ratio50) ? (ratio50 <= 50 ? 'met' : 'NOT met') : 'not run', '', peak200 ? `200 nodes: peak <= 150 MiB: ${Number.parseFloat(peak200[4] ?? '') <= 150 ? 'met' : 'NOT met'}` : ''],
    [],
    ['measure', 'median', 'p90', 'target', 'verdict'],
    ...(frame ?? []),
  ];
}

async function main(): Promise<void> {
  process.on('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
  const sizes = (process.env['BENCH_SIZES'] ?? '10,50,200').split(',').map(Number).filter((n) => n > 3).sort((a, b) => a - b);
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
    console.log(`\nreachability: ${p.nodes} sim nodes, ${p.pairs} pairs; default interval (5 s); ${p.windowS} s windows; CPU as % of one core\n`);
    console.log(table([
      head,
      ['first round (opens one session per node)', fmt(p.firstRoundMs), '', '', ''],
      ['one full round, sessions up (10 rounds)', fmt(median(p.roundMs)), fmt(p90(p.roundMs)), '<= 2 s', p90(p.roundMs) <= 2000 ? 'met' : 'NOT met'],
      ['execs created per round, sessions up', String(median(p.execsPerRound)), String(Math.max(...p.execsPerRound)), '0', Math.max(...p.execsPerRound) === 0 ? 'met' : 'NOT met'],
      ['daemons CPU, no probing', pct(p.daemonCpuWithout), '', '', ''],
      ['daemons CPU, probing every 5 s', pct(p.daemonCpuWith), '', '', ''],
      ['daemons CPU attributable to probing', pct(extra), '', '<= 5 %', (extra / p.windowS) * 100 <= 5 ? 'met' : 'NOT met'],
      ['CPU inside the nodes (sim + probe scripts), without / with', `${pct(p.nodesCpuWithout)} / ${pct(p.nodesCpuWith)}`, '', '', ''],
    ]));
  }
  if (process.env['BENCH_ENGINES'] !== '0') {
    progress('beyond one host: a 1 ps + 4 worker swarm cluster, and two engines with 5 nodes each (a second dockerd)');
    const e = await enginesBench(`tfb${id}`, label, RUNS);
    console.log('\nbeyond one host: tfmon status --json --no-usage --no-probe, 10 runs each\n');
    console.log(table([
      head,
      ['swarm: 1 ps + 4 worker services (single-node swarm)', fmt(median(e.swarmMs)), fmt(p90(e.swarmMs)), '-', '-'],
      ['two engines, 5 nodes each (--host twice)', fmt(median(e.twoEnginesMs)), fmt(p90(e.twoEnginesMs)), '-', '-'],
    ]));
  }
  if (process.env['BENCH_ACTIONS'] !== '0') {
    progress('actions: + on a 1 ps + 4 worker cluster (3 runs), then a rolling apply');
    process.env['TFMON_ACTION_LOG'] ??= `/tmp/tfmon-bench-${id}-actions.log`;
    const a = await actionsBench(`tfb${id}`, label);
    console.log(`\nactions: 1 ps + 4 workers (sim nodes), 3 runs of +, then regenerate + apply over the ${a.recreated} nodes + left stale\n`);
    console.log(table([
      ['measure', 'median', 'runs', 'target', 'verdict'],
      ['+ until the new worker is running', fmt(median(a.upToRunningMs)), a.upToRunningMs.map(fmt).join(', '), '-', '-'],
      ['+ until it answers in the matrix', fmt(median(a.upToReachableMs)), a.upToReachableMs.map(fmt).join(', '), '-', '-'],
      [`rolling apply (${a.recreated} nodes, one at a time)`, fmt(a.applyMs), '1', '-', '-'],
    ]));
  }
  if (process.env['BENCH_LOGS'] !== '0') {
    progress('logs: one node printing 20,000 lines/s, the full-screen log view, 30 s');
    const { ref } = await ensureSimImage(new Engine());
    const l = await logsBench(ref, `tfb${id}`, label, 30);
    const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.95) - 1] as number;
    const rssMiB = l.rss.map((b) => b / 1048576);
    console.log(`\nlogs: ${Math.round(l.linesPerSecond)} lines/s for ${l.seconds.toFixed(0)} s (bursts each second), tfmon's log view in a 120x40 pseudo-terminal; ${l.keyMs.length} key presses (t)\n`);
    console.log(table([
      head,
      ['key press to the frame showing it', fmt(median(l.keyMs)), `${fmt(p95(l.keyMs))} (p95)`, '<= 100 ms median', median(l.keyMs) <= 100 ? 'met' : 'NOT met'],
      ["tfmon's CPU, % of one core", `${((l.cpuSeconds / l.seconds) * 100).toFixed(1)} %`, '', '<= 60 %', (l.cpuSeconds / l.seconds) * 100 <= 60 ? 'met' : 'NOT met'],
      ['tfmon RSS first / lowest / highest / last', `${rssMiB[0]?.toFixed(0)} / ${Math.min(...rssMiB).toFixed(0)} / ${Math.max(...rssMiB).toFixed(0)} / ${rssMiB.at(-1)?.toFixed(0)} MiB`, '', 'bounded', ''],
    ]));
  }
  if (process.env['BENCH_USAGE'] === '0') return;
  console.log(`\nusage: tfmon's live screen vs docker stats, ${seconds} s windows after 5 s warm-up; daemons = dockerd + containerd + shims\n`);
  const usage = await usageBench(sizes, seconds);
  console.log(table(usage.map((r) => (r.length ? r : ['', '', '', '', '']))));
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
