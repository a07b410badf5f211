// Start-up figures: the live screen's first complete frame, from the process start, in a real
// pseudo-terminal; and the text-measuring cache across an hour's worth of distinct frames.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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
    const timer = setTimeout(() => reject(new Error(`no complete frame within 10 s; the terminal showed: ${plain(out).slice(-400)}`)), 10_000);
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

/** Heap (after a forced collection) once `early` frames and once `late` frames of the live screen
 * have been drawn at `columns`×`rows`, every frame's figures different, as a second of usage makes
 * them: Ink's text-measuring cache grows with each distinct text it measured, not with time, so
 * 3,600 frames stand for an hour at one frame a second. Needs --expose-gc. */
export async function textCacheBound(snapshot: Snapshot, columns: number, rows: number, early: number, late: number): Promise<{ earlyMiB: number; lateMiB: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the bench runs with --expose-gc');
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
  const heapAfterGc = (): number => {
    gc();
    return process.memoryUsage().heapUsed / 1048576;
  };
  let earlyMiB = 0;
  for (let i = 1; i <= late; i++) {
    const usage = Object.fromEntries(Object.entries(snapshot.usage).map(([id, u]) => [id, { ...u, cpuPercent: (u.cpuPercent ?? 0) + i / 100, memBytes: (u.memBytes ?? 0) + i * 4096 }]));
    current = { ...snapshot, usage, updatedAt: snapshot.updatedAt + i * 1000 };
    const before = r.frames.length;
    for (const l of listeners) l();
    while (r.frames.length === before) await new Promise((res) => setImmediate(res));
    // ink-testing-library keeps every frame it was given: those are the test renderer's, not Ink's.
    r.frames.length = 0;
    if (i === early) earlyMiB = heapAfterGc();
  }
  const lateMiB = heapAfterGc();
  r.unmount();
  return { earlyMiB, lateMiB };
}
