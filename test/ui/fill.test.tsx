// Every view fills the terminal's height exactly: the frame is as many lines as the terminal has
// rows and the footer (or a question, or a notice) is on the last one, at 80x24, 120x40 and 160x60
// and after a resize; a pane that says "a taller terminal shows them" leaves no blank row.
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../source/cluster/logs.js';
import { toLogLine } from '../../source/monitor/log-follower.js';
import { App, type ScreenActions } from '../../source/ui/App.js';
import { footerOf, type View } from '../../source/ui/keys.js';
import { FixedLogs } from '../helpers/logs.js';
import { parseTrainingLine } from '../../source/cluster/progress.js';
import { TrainingBook } from '../../source/cluster/training.js';
import { seedFacts, snapshotOf, TestStore } from '../helpers/snapshot.js';

const theme = { color: false, ascii: false };
const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms));
let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

const snapshot = snapshotOf(seedFacts());
const lines = (id: string, n: number): LogLine[] =>
  Array.from({ length: n }, (_, i) =>
    toLogLine(
      i + 1,
      id,
      'stdout',
      `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000000000Z INFO:tensorflow:loss = 0.5, step = ${i * 100}`,
    ),
  );
const logs = (n: number) => new FixedLogs(new Map(snapshot.nodes.map((node) => [node.id, lines(node.id, n)])));
const noop = async (): Promise<void> => undefined;
const actions: ScreenActions = {
  probe: () => undefined,
  changes: { scaleUp: noop, scaleDown: noop, restart: noop, applyRegenerated: noop },
};

function mount(size: { columns: number; rows: number }, logLines = 60) {
  const r = render(
    <App
      store={new TestStore(snapshot)}
      logs={logs(logLines)}
      theme={theme}
      size={size}
      clock={() => 0}
      actions={actions}
    />,
  );
  cleanup = r.unmount;
  return r;
}

/** The last line is the view's footer (as the key table writes it, cut to the width), or the question. */
function isFooter(line: string | undefined, view: View | 'question'): boolean {
  if (line === undefined) return false;
  if (view === 'question') return /\?.*\by\b/.test(line);
  const shown = line.replace(/…$/, '').trimEnd();
  return shown.length > 10 && footerOf(view).startsWith(shown);
}

const SIZES = [
  { columns: 80, rows: 24 },
  { columns: 120, rows: 40 },
  { columns: 160, rows: 60 },
];
const VIEWS: [string, string[], View | 'question'][] = [
  ['main (details and log tail)', [], 'main'],
  ['matrix', ['m'], 'matrix'],
  ['TF_CONFIG', ['c'], 'tfconfig'],
  ['logs', ['l'], 'logs'],
  ['all logs', ['L'], 'logs'],
  ['help', ['?'], 'main'],
  ['a question (r)', ['r'], 'question'],
];

describe('every view fills the terminal', () => {
  for (const size of SIZES) {
    for (const [name, keys, footer] of VIEWS) {
      it(`${size.columns}x${size.rows}: ${name} is ${size.rows} lines, its last line the footer`, async () => {
        const r = mount(size);
        for (const k of keys) {
          r.stdin.write(k);
          await tick();
        }
        const frame = (r.lastFrame() ?? '').split('\n');
        expect(frame.length, frame.join('\n')).toBe(size.rows);
        expect(isFooter(frame.at(-1), footer), frame.join('\n')).toBe(true);
      });
    }
  }

  it('after a resize the frame is as tall as the new terminal', async () => {
    const r = render(
      <App
        store={new TestStore(snapshot)}
        logs={logs(60)}
        theme={theme}
        size={{ columns: 120, rows: 40 }}
        clock={() => 0}
      />,
    );
    cleanup = r.unmount;
    for (const size of [
      { columns: 80, rows: 24 },
      { columns: 60, rows: 16 },
      { columns: 160, rows: 60 },
    ]) {
      r.rerender(<App store={new TestStore(snapshot)} logs={logs(60)} theme={theme} size={size} clock={() => 0} />);
      await tick();
      const frame = (r.lastFrame() ?? '').split('\n');
      expect(frame.length, `${size.columns}x${size.rows}\n${frame.join('\n')}`).toBe(size.rows);
      expect(isFooter(frame.at(-1), 'main'), frame.join('\n')).toBe(true);
    }
  });

  it('the details say "a taller terminal shows them" only when no row is left blank', async () => {
    // A worker that trains and has usage: more detail lines than an 80x24 terminal has rows for.
    const base = snapshotOf(seedFacts());
    const w0 = base.nodes.find((n) => n.name === 'tf-worker-0')!;
    const book = new TrainingBook();
    for (let k = 1; k <= 5; k++)
      book.ingest(
        w0.id,
        parseTrainingLine(`INFO:tensorflow:loss = ${(2 / k).toFixed(4)}, step = ${k * 100} (1.000 sec)`)!,
        k * 1000,
      );
    const usage = {
      [w0.id]: {
        cpuPercent: 12,
        cpuOfLimitPercent: null,
        memBytes: 1 << 20,
        memLimitBytes: 1 << 30,
        netRxBps: 0,
        netTxBps: 0,
        blkReadBps: 0,
        blkWriteBps: 0,
        pids: 3,
        cpuHistory: [1, 2, 3],
        memHistory: [1, 2, 3],
        source: 'cgroup' as const,
      },
    };
    const busy = {
      ...base,
      training: book.nodes(),
      clusterTraining: { globalStepsPerSecond: 100, eta: null },
      usage,
      usageSource: 'cgroup' as const,
    };
    let overflowed = 0;
    for (const size of SIZES) {
      for (const logLines of [0, 3, 60]) {
        const r = render(
          <App store={new TestStore(busy)} logs={logs(logLines)} theme={theme} size={size} clock={() => 6000} />,
        );
        r.stdin.write('j');
        await tick();
        const frame = (r.lastFrame() ?? '').split('\n');
        expect(frame.length).toBe(size.rows);
        if (frame.some((l) => l.includes('a taller terminal shows them'))) {
          overflowed++;
          expect(
            frame.filter((l) => l.trim() === '').length,
            `${size.columns}x${size.rows}, ${logLines} log lines\n${frame.join('\n')}`,
          ).toBe(0);
        }
        r.unmount();
      }
    }
    expect(overflowed).toBeGreaterThan(0);
  });
});
