// What recording costs and what a recording is: `tfmon record` beside `tfmon serve` (the same monitor
// without the recording) over 50 training nodes, alternating, for its own CPU and the file's growth;
// and recordings of 8 and 24 hours made from a real 50-node snapshot whose figures move every
// second, for the time to open one to its first frame and to seek anywhere in it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Snapshot } from '../source/cluster/types.js';
import { readRecording } from '../source/record/recording.js';
import { ReplayPlayer } from '../source/record/replay-player.js';
import { RecordWriter } from '../source/record/writer.js';
import { Engine } from '../source/engine/engine.js';
import { ClusterMonitor } from '../source/monitor/cluster-monitor.js';
import { cpuSeconds } from './procs.js';
import { runSimNodes } from './sim-nodes.js';

const parseLabel = (kv: string): Record<string, string> => {
  const at = kv.indexOf('=');
  return { [kv.slice(0, at)]: kv.slice(at + 1) };
};

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface RecordWindow {
  watcher: 'record' | 'serve';
  seconds: number;
  cpu: number;
  /** The recording's growth over the window (record only). */
  bytes: number;
}

/** 50 sim nodes printing a progress line every `stepS` s; serve and record in turn, alternating. */
export async function recordCostBench(
  image: string,
  prefix: string,
  label: string,
  nodes: number,
  stepS: number,
  seconds: number,
  progress: (line: string) => void,
): Promise<{ windows: RecordWindow[]; base: Snapshot }> {
  const net = `${prefix}-rec`;
  const dir = mkdtempSync(join(tmpdir(), 'tfmon-bench-record-'));
  spawnSync('docker', ['network', 'create', '--label', label, net], { stdio: 'ignore' });
  const names = Array.from({ length: nodes }, (_, i) => `${prefix}-rec-worker-${i}`);
  try {
    await runSimNodes(image, names, net, label, stepS);
    // A real snapshot of these nodes, training, for the seek bench.
    const monitor = new ClusterMonitor(new Engine(), {
      network: net,
      labels: parseLabel(label),
      usage: { intervalMs: 1000, mode: 'auto' },
      training: { stallAfterMs: 60_000, custom: [] },
    });
    await monitor.start();
    await sleep(8000);
    const base = monitor.getSnapshot();
    monitor.stop();
    const windows: RecordWindow[] = [];
    let port = 19_700;
    for (const watcher of ['serve', 'record', 'record', 'serve'] as const) {
      progress(`recording (a line every ${stepS} s): ${watcher} for ${seconds} s after 20 s`);
      const file = join(dir, `${windows.length}.tfrec`);
      const args = watcher === 'record' ? ['record', '-o', file] : ['serve', '--metrics', `127.0.0.1:${port++}`];
      const child = spawn(process.execPath, [CLI, ...args, '--network', net, '--label', label], { stdio: 'ignore' });
      await sleep(20_000);
      const size = (): number => (watcher === 'record' ? statSync(file).size : 0);
      const [cpu0, bytes0] = [cpuSeconds(child.pid ?? 0), size()];
      const t0 = Date.now();
      await sleep(seconds * 1000);
      windows.push({
        watcher,
        seconds: (Date.now() - t0) / 1000,
        cpu: cpuSeconds(child.pid ?? 0) - cpu0,
        bytes: size() - bytes0,
      });
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    return { windows, base };
  } finally {
    spawnSync('docker', ['rm', '-f', ...names], { stdio: 'ignore' });
    spawnSync('docker', ['network', 'rm', net], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SeekFigures {
  hours: number;
  fileMiB: number;
  writeS: number;
  /** Read, scanned and the first second's snapshot built. */
  openMs: number;
  /** 30 seeks to random times: median and the slowest. */
  seekMedianMs: number;
  seekMaxMs: number;
}

/** A recording of `hours` from `base` (its usage and training figures moving every second). */
export async function seekBench(base: Snapshot, hours: number): Promise<SeekFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'tfmon-bench-seek-'));
  const file = join(dir, 'long.tfrec');
  try {
    const w = new RecordWriter(file, { tfmon: 'bench', engine: 'e', network: 'n', nodes: [], logCap: 5 });
    const start = Date.parse('2026-12-05T00:00:00Z');
    const t0 = Date.now();
    const seconds = hours * 3600;
    for (let i = 0; i < seconds; i++) {
      const usage = Object.fromEntries(
        Object.entries(base.usage).map(([id, u], j) => [
          id,
          {
            ...u,
            cpuPercent: (i * 1.37 + j) % 100,
            memBytes: 1e8 + ((i * 4096 * (j + 1)) % 1e8),
            counters: { ...u.counters, at: start + i * 1000 },
          },
        ]),
      ) as Snapshot['usage'];
      const training = Object.fromEntries(
        Object.entries(base.training).map(([id, t]) => [
          id,
          { ...t, step: i * 100, loss: 2 / (1 + i / 600), lastProgressAt: start + i * 1000 },
        ]),
      ) as Snapshot['training'];
      // The writer's queue is drained every second of data, as the clock does live.
      await w.add(start + i * 1000, { ...base, usage, training, updatedAt: start + i * 1000 });
    }
    await w.close();
    const writeS = (Date.now() - t0) / 1000;
    const o0 = performance.now();
    const player = new ReplayPlayer(readRecording(readFileSync(file)));
    player.getSnapshot();
    const openMs = performance.now() - o0;
    const seeks: number[] = [];
    for (let k = 0; k < 30; k++) {
      const to = start + Math.floor((((k * 7919) % 1000) / 1000) * seconds) * 1000;
      const s0 = performance.now();
      player.seek(to);
      player.getSnapshot();
      seeks.push(performance.now() - s0);
    }
    seeks.sort((a, b) => a - b);
    return {
      hours,
      fileMiB: statSync(file).size / 2 ** 20,
      writeS,
      openMs,
      seekMedianMs: seeks[15] ?? 0,
      seekMaxMs: seeks.at(-1) ?? 0,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
