// tfmon replay on a recording written by the real writer: the screen as it was at each second, the
// time bar, and replay's keys (a second, an event, a time typed, play), read-only. A scripted
// incident: tf-worker-1 exits with 137 at second 10 and is back (one restart) at second 25.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { findProblems } from '../../source/cluster/problems.js';
import type { Snapshot } from '../../source/cluster/types.js';
import { toLogLine } from '../../source/monitor/log-follower.js';
import { ReplayRoot } from '../../source/commands/replay.js';
import { readRecording } from '../../source/record/recording.js';
import { ReplayPlayer } from '../../source/record/replay-player.js';
import { RecordWriter } from '../../source/record/writer.js';
import { clockText } from '../../source/ui/TimeBar.js';
import { seedFacts, snapshotOf } from '../helpers/snapshot.js';

const dir = mkdtempSync(join(tmpdir(), 'tfmon-replay-ui-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());
const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms));

const T0 = Date.parse('2026-12-05T02:50:00Z');
const at = (second: number): number => T0 + second * 1000;

/** Second i of the incident. */
function secondOf(i: number): Snapshot {
  const base = snapshotOf(seedFacts());
  const nodes = base.nodes.map((n) =>
    n.name !== 'tf-worker-1'
      ? n
      : i >= 10 && i < 25
        ? { ...n, state: 'exited' as const, exitCode: 137, pid: null }
        : i >= 25
          ? { ...n, restarts: 1, pid: 4242 }
          : n,
  );
  return { ...base, nodes, problems: findProblems(base.network, nodes), updatedAt: at(i) };
}

async function incident(): Promise<string> {
  const path = join(dir, 'incident.tfrec');
  const w = new RecordWriter(path, { tfmon: '0', engine: 'e', network: 'tf-network', nodes: [], logCap: 5 });
  for (let i = 0; i < 40; i++) {
    const line = toLogLine(i, 'id-tf-worker-0', 'stdout', `${new Date(at(i)).toISOString()} step ${i * 100}\u001b[2J`);
    // At second 11 the worker printed 7 lines more than the recorder kept.
    await w.add(at(i), secondOf(i), [line], i === 11 ? { 'id-tf-worker-0': 7 } : {});
  }
  await w.close();
  return path;
}

function mount(player: ReplayPlayer) {
  const r = render(
    <ReplayRoot player={player} theme={{ color: false, ascii: false }} size={{ columns: 120, rows: 24 }} />,
  );
  cleanup = () => {
    r.unmount();
    player.stop();
  };
  return r;
}
const rowOf = (frame: string, name: string): string => frame.split('\n').find((l) => l.includes(name)) ?? '';
const bar = (frame: string): string => frame.split('\n').at(-1) ?? '';

describe('tfmon replay', () => {
  it('opens at its start, steps a second at a time, and jumps between events in order', async () => {
    const rec = readRecording(readFileSync(await incident()));
    // The problems open when recording started are its first events.
    expect(rec.events.map((e) => [e.t, e.kind, e.node])).toEqual([
      ...findProblems(secondOf(0).network, secondOf(0).nodes).map((p) => [at(0), 'problem', p.node]),
      [at(10), 'exit', 'tf-worker-1'],
      [at(10), 'problem', 'tf-worker-1'],
      [at(25), 'restart', 'tf-worker-1'],
      [at(25), 'resolved', 'tf-worker-1'],
    ]);
    const player = new ReplayPlayer(rec);
    const { lastFrame, stdin } = mount(player);
    await tick();
    expect(bar(lastFrame()!)).toContain(`⏸ 1x ${clockText(at(0), false)}`);
    expect(rowOf(lastFrame()!, 'tf-worker-1')).toContain('running');
    const n = rec.events.length;
    // ] lands on each event in turn: the exit, then the problem it opened (the same second).
    stdin.write(']');
    await tick();
    expect(player.getTimeline().at).toBe(at(10));
    expect(rowOf(lastFrame()!, 'tf-worker-1')).toContain('exited');
    expect(bar(lastFrame()!)).toContain(`${n - 3}/${n}`);
    expect(bar(lastFrame()!)).toContain('tf-worker-1 exited with code 137');
    stdin.write(']');
    await tick();
    expect(player.getTimeline().at).toBe(at(10));
    expect(bar(lastFrame()!)).toContain(`${n - 2}/${n}`);
    expect(bar(lastFrame()!)).toContain('on tf-worker-1');
    stdin.write('\u001b[D'); // ←: the second before, still running
    await tick();
    expect(player.getTimeline().at).toBe(at(9));
    expect(rowOf(lastFrame()!, 'tf-worker-1')).toContain('running');
    stdin.write(']');
    await tick();
    expect(player.getTimeline().at).toBe(at(10));
    expect(bar(lastFrame()!)).toContain(`${n - 3}/${n}`);
    for (const _ of [1, 2, 3]) {
      stdin.write(']');
      await tick();
    }
    expect(player.getTimeline().at).toBe(at(25));
    expect(bar(lastFrame()!)).toContain(`${n}/${n}`);
    expect(bar(lastFrame()!)).toContain('cleared');
    stdin.write(']'); // no event after the last: stays
    await tick();
    expect(player.getTimeline().at).toBe(at(25));
    stdin.write('[');
    stdin.write('[');
    await tick();
    expect(player.getTimeline().at).toBe(at(10));
    expect(bar(lastFrame()!)).toContain(`${n - 2}/${n}`);
    // From a time past an event, [ lands on that event.
    player.seek(at(30));
    stdin.write('[');
    await tick();
    expect([player.getTimeline().at, player.getTimeline().eventIndex]).toEqual([at(25), n - 1]);
  });

  it('b goes to a time typed as --at takes it; a bad one is one line; changing keys say replay changes nothing', async () => {
    const player = new ReplayPlayer(readRecording(readFileSync(await incident())));
    const { lastFrame, stdin } = mount(player);
    await tick();
    stdin.write('b');
    await tick();
    expect(bar(lastFrame()!)).toContain('go to: _');
    for (const c of '-5s') stdin.write(c);
    stdin.write('\r');
    await tick();
    expect(player.getTimeline().at).toBe(at(34));
    stdin.write('b');
    for (const c of 'soon') stdin.write(c);
    stdin.write('\r');
    await tick();
    expect(lastFrame()).toContain('--at must be a time like');
    expect(player.getTimeline().at).toBe(at(34));
    stdin.write('r');
    await tick();
    expect(lastFrame()).toContain('a recording: replay changes nothing');
  });

  it('the log view shows the lines recorded up to the second shown, sanitized, and says where lines were not kept', async () => {
    const player = new ReplayPlayer(readRecording(readFileSync(await incident())));
    player.seek(at(12));
    const { lastFrame, stdin } = mount(player);
    await tick();
    stdin.write('L');
    await tick();
    const frame = lastFrame()!;
    expect(frame).toContain('step 1200');
    expect(frame).not.toContain('step 1300');
    expect(frame).toContain("[tfmon: 7 more lines this second, over the recording's allowance: not kept]");
    expect(frame).not.toMatch(/\u001b\[2J/);
  });

  it('space plays: the time moves on by itself, x makes it faster', async () => {
    const player = new ReplayPlayer(readRecording(readFileSync(await incident())));
    const { lastFrame, stdin } = mount(player);
    await tick();
    stdin.write('x');
    await tick();
    stdin.write(' ');
    await tick(800);
    expect(bar(lastFrame()!)).toContain('▶ 10x');
    // Ticks of 250 ms, each 2.5 recorded seconds at 10x.
    expect(player.getTimeline().at).toBeGreaterThanOrEqual(at(4));
  });
});
