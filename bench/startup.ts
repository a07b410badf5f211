// Start-up and frame figures: the live screen's first complete frame, from the process start, in a
// real pseudo-terminal; one frame's cost; the text-measuring cache across an hour's worth of frames.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { render } from 'ink';
import React from 'react';
import type { Snapshot } from '../source/cluster/types.js';
import { App } from '../source/ui/App.js';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const plain = (s: string): string => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

/** Milliseconds from spawning `tfmon` (as a user runs it: the executable, in a 120×40 pseudo-terminal)
 * to the first frame that shows the header and every node's row. `script` and its shell start
 * first: a few ms of the figure are theirs. */
export async function firstFrameMs(network: string, label: string, names: string[]): Promise<number> {
  const command = `stty cols 120 rows 40; exec ${CLI} --network ${network} --label ${label}`;
  const t0 = process.hrtime.bigint();
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  const ms = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no complete frame within 10 s; the terminal showed: ${plain(out).slice(-400)}`)),
      10_000,
    );
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const text = plain(out);
      if (text.includes(`${names.length} nodes`) && names.every((n) => text.includes(n))) {
        clearTimeout(timer);
        resolve(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    });
  });
  const exited = new Promise((r) => child.once('exit', r));
  child.stdin.write('q');
  await exited;
  return ms;
}

/** A terminal for Ink in the bench: a TTY of a given size that counts what is written to it. */
class BenchTty extends EventEmitter {
  readonly isTTY = true;
  writes = 0;
  bytes = 0;
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  write(chunk: string, callback?: () => void): boolean {
    this.writes++;
    this.bytes += chunk.length;
    callback?.();
    return true;
  }
}
class BenchStdin extends EventEmitter {
  readonly isTTY = true;
  setRawMode(): this {
    return this;
  }
  setEncoding(): void {}
  ref(): void {}
  unref(): void {}
  read(): null {
    return null;
  }
  resume(): void {}
  pause(): void {}
}

export interface FrameDriver {
  /** Publishes `snapshot` and resolves with the ms until Ink wrote the frame. */
  frame(snapshot: Snapshot): Promise<number>;
  bytes(): number;
  close(): void;
}

/** The live screen as commands/screen.tsx renders it (Ink's own render, interactive, incremental), on a bench
 * terminal: what a frame costs from a snapshot change to the bytes written. */
export async function frameDriver(first: Snapshot, columns: number, rows: number): Promise<FrameDriver> {
  let current = first;
  const listeners = new Set<() => void>();
  const store = {
    subscribe: (l: () => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    getSnapshot: () => current,
  };
  const out = new BenchTty(columns, rows);
  const app = render(
    React.createElement(App, { store, theme: { color: true, ascii: false }, size: { columns, rows } }),
    {
      stdout: out as unknown as NodeJS.WriteStream,
      stdin: new BenchStdin() as unknown as NodeJS.ReadStream,
      interactive: true,
      incrementalRendering: true,
      patchConsole: false,
      exitOnCtrlC: false,
      maxFps: 1000,
    },
  );
  await sleep(200);
  return {
    async frame(snapshot) {
      current = snapshot;
      const before = out.writes;
      const t0 = process.hrtime.bigint();
      for (const l of listeners) l();
      for (let i = 0; out.writes === before && i < 10_000; i++) await new Promise((res) => setImmediate(res));
      return Number(process.hrtime.bigint() - t0) / 1e6;
    },
    bytes: () => out.bytes,
    close: () => app.unmount(),
  };
}

/** The snapshot with every node's usage figures moved by `i`: what one second of usage changes. */
export const tick = (snapshot: Snapshot, i: number): Snapshot => ({
  ...snapshot,
  usage: Object.fromEntries(
    Object.entries(snapshot.usage).map(([id, u]) => [
      id,
      { ...u, cpuPercent: (u.cpuPercent ?? 0) + i / 100, memBytes: (u.memBytes ?? 0) + i * 4096 },
    ]),
  ),
  updatedAt: snapshot.updatedAt + i * 1000,
});

/** Heap (after a forced collection) once `early` frames and once `late` frames of the live screen
 * have been drawn at `columns`×`rows`, every frame's figures different, as a second of usage makes
 * them: Ink's text-measuring cache grows with each distinct text it measured, not with time, so
 * 3,600 frames stand for an hour at one frame a second. Needs --expose-gc. */
export async function textCacheBound(
  snapshot: Snapshot,
  columns: number,
  rows: number,
  early: number,
  late: number,
): Promise<{ earlyMiB: number; lateMiB: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the bench runs with --expose-gc');
  const driver = await frameDriver(snapshot, columns, rows);
  const heapAfterGc = (): number => {
    gc();
    return process.memoryUsage().heapUsed / 1048576;
  };
  let earlyMiB = 0;
  for (let i = 1; i <= late; i++) {
    await driver.frame(tick(snapshot, i));
    if (i === early) earlyMiB = heapAfterGc();
  }
  const lateMiB = heapAfterGc();
  driver.close();
  return { earlyMiB, lateMiB };
}
