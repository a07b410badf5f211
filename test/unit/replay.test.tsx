// Replay's pure parts: a snapshot as recorded (display precision, counters' time only, ids aliased
// and back), the events told from two seconds, and replay over damaged and hostile files — every
// second it shows is one that was recorded, the screen never throws and never draws a control
// sequence from the file.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, describe, expect, it } from 'vitest';
import { findProblems } from '../../source/cluster/problems.js';
import type { NodeView, Snapshot } from '../../source/cluster/types.js';
import { ReplayRoot } from '../../source/commands/replay.js';
import { eventsBetween } from '../../source/record/events.js';
import { Aliases, fromRecorded, toRecorded } from '../../source/record/recorded-form.js';
import { readRecording } from '../../source/record/recording.js';
import { ReplayPlayer } from '../../source/record/replay-player.js';
import { RecordWriter } from '../../source/record/writer.js';
import { toLogLine } from '../../source/monitor/log-follower.js';
import { rng } from '../helpers/rng.js';
import { seedFacts, snapshotOf } from '../helpers/snapshot.js';

const dir = mkdtempSync(join(tmpdir(), 'tfmon-replay-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const seed = (): Snapshot => snapshotOf(seedFacts());
const withNode = (s: Snapshot, name: string, change: Partial<NodeView>): Snapshot => {
  const nodes = s.nodes.map((n) => (n.name === name ? { ...n, ...change } : n));
  return { ...s, nodes, problems: findProblems(s.network, nodes) };
};

describe('a snapshot as recorded', () => {
  it('keeps figures as displayed, only the counters time, and gives the container ids back', () => {
    const s = seed();
    const id = s.nodes[0]!.id;
    const usage = {
      [id]: {
        cpuPercent: 12.3456,
        cpuOfLimitPercent: null,
        memBytes: 123_456_789,
        memLimitBytes: 2e9,
        netRxBps: 1234.5,
        netTxBps: 0,
        blkReadBps: null,
        blkWriteBps: null,
        pids: 3,
        cpuHistory: [1.26, 12.3456],
        memHistory: [123_456_789],
        source: 'cgroup' as const,
        counters: {
          at: 1_796_000_000_499,
          cpuNs: 123,
          systemNs: 456,
          onlineCpus: 2,
          memUsage: 1,
          memInactiveFile: 0,
          memLimit: 1,
          netRx: 1,
          netTx: 1,
          blkRead: 1,
          blkWrite: 1,
          pids: 3,
        },
      },
    };
    const recorded = toRecorded({ ...s, usage }, new Aliases()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(recorded['usage']!)).toEqual(['0']);
    expect(recorded['_ids']).toEqual({ 0: id });
    expect(recorded['usage']!['0']).toMatchObject({
      cpuPercent: 12.3,
      memBytes: 123_000_000,
      netRxBps: 1200,
      cpuHistory: [1.3, 12.3],
      memHistory: [123_000_000],
      counters: { at: 1_796_000_000_000 },
    });
    const back = fromRecorded(recorded as never) as unknown as Snapshot;
    expect(Object.keys(back.usage)).toEqual([id]);
    expect(back.nodes).toEqual(JSON.parse(JSON.stringify(s.nodes)));
    expect('_ids' in back).toBe(false);
  });

  it('gives each id one alias for a session, never reused', () => {
    const a = new Aliases();
    expect([a.of('x'), a.of('y'), a.of('x'), a.of('z')]).toEqual(['0', '1', '0', '2']);
  });
});

describe('events between two seconds', () => {
  it('a session starts with the problems open then', () => {
    const s = seed();
    expect(eventsBetween(undefined, s).map((e) => e.kind)).toEqual(
      s.problems.filter((p) => !p.causedBy).map(() => 'problem'),
    );
  });

  it('an exit, an OOM kill, a restart (count or pid), a start, a node that came or went, the engine', () => {
    const s = seed();
    const kinds = (a: Snapshot, b: Snapshot) => eventsBetween(a, b).map((e) => [e.kind, e.node, e.text]);
    expect(kinds(s, withNode(s, 'tf-worker-1', { state: 'exited', exitCode: 1 }))[0]).toEqual([
      'exit',
      'tf-worker-1',
      'tf-worker-1 exited with code 1',
    ]);
    expect(kinds(s, withNode(s, 'tf-worker-1', { state: 'exited', exitCode: 137, oomKilled: true }))[0]).toEqual([
      'oom',
      'tf-worker-1',
      'tf-worker-1 was OOM-killed (exit 137)',
    ]);
    expect(kinds(s, withNode(s, 'tf-worker-1', { restarts: 1 }))).toEqual([
      ['restart', 'tf-worker-1', 'tf-worker-1 restarted (1 restart)'],
    ]);
    const pid = s.nodes.find((n) => n.name === 'tf-worker-1')!.pid;
    if (pid !== null) expect(kinds(s, withNode(s, 'tf-worker-1', { pid: pid + 1 }))[0]?.[0]).toBe('restart');
    const down = withNode(s, 'tf-worker-1', { state: 'exited', exitCode: 0 });
    expect(kinds(down, s)[0]).toEqual(['start', 'tf-worker-1', 'tf-worker-1 started']);
    const fewer = { ...s, nodes: s.nodes.filter((n) => n.name !== 'tf-ps-0') };
    expect(kinds(s, fewer)[0]?.slice(0, 2)).toEqual(['gone', 'tf-ps-0']);
    expect(kinds(fewer, s)[0]?.slice(0, 2)).toEqual(['new', 'tf-ps-0']);
    expect(kinds(s, { ...s, engineError: 'connection refused' })).toEqual([
      ['engine', null, 'engine unreachable: connection refused'],
    ]);
    expect(kinds({ ...s, engineError: 'x' }, s)).toEqual([['engine', null, 'engine reachable again']]);
    expect(kinds(s, s)).toEqual([]);
  });

  it('a problem whose message changes is the same problem; a cleared one says so', () => {
    const s = seed();
    const p = {
      severity: 'error' as const,
      node: 'tf-worker-1',
      code: 'straggler' as const,
      message: '30% slower',
      causedBy: null,
    };
    const a = { ...s, problems: [p] };
    expect(eventsBetween(a, { ...s, problems: [{ ...p, message: '35% slower' }] })).toEqual([]);
    expect(eventsBetween(a, { ...s, problems: [] })).toEqual([
      { kind: 'resolved', node: 'tf-worker-1', text: 'straggler on tf-worker-1 cleared' },
    ]);
  });
});

/** 90 seconds of the seed cluster: a worker exits at 30, is back at 60; hostile names and lines. */
async function hostileRecording(): Promise<string> {
  const path = join(dir, `hostile-${Math.random()}.tfrec`);
  const w = new RecordWriter(
    path,
    { tfmon: '0', engine: 'e', network: 'n', nodes: [], logCap: 5 },
    { keyEveryMs: 20_000 },
  );
  const base = seed();
  for (let i = 0; i < 90; i++) {
    let s = i >= 30 && i < 60 ? withNode(base, 'tf-worker-1', { state: 'exited', exitCode: 137 }) : base;
    s = {
      ...s,
      problems: [
        ...s.problems,
        {
          severity: 'warning',
          node: null,
          code: 'tf_config_missing',
          message: `\u001b]0;pwned\u0007evil \u001b[2J${i}`,
        },
      ],
    };
    const line = toLogLine(
      i,
      base.nodes[0]!.id,
      'stdout',
      `${new Date(1e12 + i * 1000).toISOString()} line ${i} \u001b[31mred\u001b]8;;http://x\u0007`,
    );
    await w.add(1e12 + i * 1000, s, [line]);
  }
  await w.close();
  return path;
}

const CONTROL = /[\u001b\u0007\u009b]/;

describe('replay over damaged and hostile files', () => {
  it('every second it shows was recorded, and what it draws holds no control sequence from the file', async () => {
    const whole = readFileSync(await hostileRecording());
    const r = rng(5);
    let drawn = 0;
    for (let n = 0; n < 24; n++) {
      const bad = Buffer.from(whole);
      for (let k = n === 0 ? 0 : 1 + Math.floor(r() * 4); k > 0; k--) {
        const at = Math.floor(r() * bad.length);
        bad.fill(Math.floor(r() * 256), at, Math.min(bad.length, at + 1 + Math.floor(r() * 32)));
      }
      let player: ReplayPlayer;
      try {
        player = new ReplayPlayer(readRecording(bad));
      } catch (e) {
        expect((e as Error).message).toMatch(/^[^\n]+$/);
        continue;
      }
      const view = render(
        <ReplayRoot player={player} theme={{ color: false, ascii: false }} size={{ columns: 100, rows: 30 }} />,
      );
      try {
        for (const key of [']', ']', '\u001b[C', 'L', ']', '\u001b', 'm', '[', 'b', '-', '1', '0', 's', '\r']) {
          view.stdin.write(key);
          await new Promise((res) => setTimeout(res, 5));
          const t = player.getTimeline().at;
          expect((t - 1e12) % 1000).toBe(0);
          expect(t >= 1e12 && t <= 1e12 + 89_000).toBe(true);
          expect(view.lastFrame() ?? '').not.toMatch(CONTROL);
        }
        drawn++;
      } finally {
        view.unmount();
        player.stop();
      }
    }
    expect(drawn).toBeGreaterThan(12);
  });
});

describe('record cut', () => {
  it('a stretch as a file of its own: the same seconds, lines and events, starting with a whole snapshot', async () => {
    const rec = readRecording(readFileSync(await hostileRecording()));
    const out = join(dir, 'cut.tfrec');
    const { cutRecording } = await import('../../source/record/cut.js');
    const { seconds } = await cutRecording(rec, 1e12 + 20_000, 1e12 + 50_000, out);
    expect(seconds).toBe(31);
    const cut = readRecording(readFileSync(out));
    expect([cut.start, cut.end, cut.warnings]).toEqual([1e12 + 20_000, 1e12 + 50_000, []]);
    expect(cut.events.filter((e) => e.kind === 'exit').map((e) => [e.t, e.node])).toEqual([
      [1e12 + 30_000, 'tf-worker-1'],
    ]);
    const a = new ReplayPlayer(rec, 1e12 + 35_000);
    const b = new ReplayPlayer(cut, 1e12 + 35_000);
    expect(b.getSnapshot()).toEqual(a.getSnapshot());
    const id = a.getSnapshot().nodes[0]!.id;
    expect(b.logs.tail(id, 5).map((l) => l.text)).toEqual(a.logs.tail(id, 5).map((l) => l.text));
  });
});
