// The reachability pane and the table's failing-peer marks, rendered from recorded status --json
// output of the demo cluster (healthy, and with tf-worker-1 disconnected from tf-network).
import { readFileSync } from 'node:fs';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReachEntry } from '../../source/cluster/reach.js';
import type { Snapshot } from '../../source/cluster/types.js';
import { App } from '../../source/ui/App.js';
import { seedFacts, snapshotOf, TestStore } from '../helpers/snapshot.js';

interface Recorded {
  nodes: { name: string; ip: string | null }[];
  reachability: ReachEntry[];
}
const recorded = (name: string): Recorded =>
  JSON.parse(readFileSync(new URL(`../fixtures/status-seed-${name}.json`, import.meta.url), 'utf8')) as Recorded;

/** The seed snapshot with the recorded IPs, attachment and round. */
function seedWith(name: string): Snapshot {
  const r = recorded(name);
  const list = seedFacts().map((f) => {
    const n = r.nodes.find((x) => x.name === f.name);
    return { ...f, ip: n?.ip ?? null, attached: n?.ip !== null };
  });
  return { ...snapshotOf(list), reachability: r.reachability, probe: { on: true, lastRoundMs: 21 } };
}

const clock = () => Date.parse('2026-01-01T01:02:03Z');
const tick = () => new Promise((r) => setTimeout(r, 30));
const RIGHT = '\u001B[C';
const DOWN = '\u001B[B';
let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

function mount(s: Snapshot, size = { columns: 80, rows: 24 }, theme = { color: false, ascii: false }) {
  const r = render(<App store={new TestStore(s)} theme={theme} size={size} clock={clock} />);
  cleanup = r.unmount;
  return r;
}
const frame = (r: ReturnType<typeof mount>): string => r.lastFrame() ?? '';
const line = (f: string, re: RegExp): string => f.split('\n').find((l) => re.test(l)) ?? '';

describe('reachability on screen', () => {
  it('m shows the matrix: rows from, columns to, all ✓ on a healthy cluster', async () => {
    const r = mount(seedWith('healthy'));
    r.stdin.write('m');
    await tick();
    const f = frame(r);
    expect(f).toContain('reachability · 6 pairs · 6 ok · round 21 ms');
    expect(line(f, /from → to/)).toMatch(/from → to\s+p0\s+w0\s+w1$/);
    expect(line(f, /^\s*p0 tf-ps-0/)).toMatch(/·\s+✓\s+✓$/);
    expect(line(f, /^\s*w1 tf-worker-1/)).toMatch(/✓\s+✓\s+·$/);
    // The selected pair: tf-ps-0's first peer.
    expect(f).toMatch(/tf-ps-0 → tf-worker-0:2222: resolves to 172\.21\.0\.3, connects in \d+ ms/);
    expect(f.split('\n').every((l) => l.length <= 80)).toBe(true);
  });

  it('a disconnected worker: its column N from every peer, its row failing, the table marks it', async () => {
    const r = mount(seedWith('disconnected'));
    let f = frame(r);
    // Table: the node with the fault (cut off: not_attached) carries ! in the gutter; the two that
    // cannot reach it carry ✗ (failing peers, no fault of their own).
    expect(f.split('\n').filter((l) => /^.✗(ps|worker)/.test(l))).toHaveLength(2);
    expect(f.split('\n').filter((l) => /^.!worker\s+1/.test(l))).toHaveLength(1);
    expect(f).toMatch(/peers\s+1 of 2 peers fail from here, 1 fails to reach it \(m: matrix\)/);
    r.stdin.write('m');
    await tick();
    f = frame(r);
    expect(line(f, /^\s*p0 tf-ps-0/)).toMatch(/·\s+✓\s+N$/);
    expect(line(f, /^\s*w0 tf-worker-0/)).toMatch(/✓\s+·\s+N$/);
    expect(line(f, /^\s*w1 tf-worker-1/)).toMatch(/E\s+E\s+·$/);
    // The cursor goes to the row's first failure: tf-ps-0 → tf-worker-1.
    expect(f).toContain('tf-ps-0 → tf-worker-1:2222: tf-worker-1 does not resolve from tf-ps-0');
    expect(f).toContain('4 failing');
  });

  it('arrows move the pair under the cursor; the selected row follows the table', async () => {
    const r = mount(seedWith('disconnected'));
    r.stdin.write('m');
    await tick();
    r.stdin.write(DOWN);
    await tick();
    r.stdin.write(DOWN);
    await tick();
    expect(frame(r)).toMatch(/tf-worker-1 → tf-ps-0:2222: tf-worker-1 is not on the cluster's network/);
    r.stdin.write(RIGHT);
    await tick();
    expect(frame(r)).toMatch(/tf-worker-1 → tf-worker-0:2222: tf-worker-1 is not on/);
  });

  it('ASCII terminals get ASCII marks', async () => {
    const r = mount(seedWith('disconnected'), { columns: 80, rows: 24 }, { color: false, ascii: true });
    r.stdin.write('m');
    await tick();
    const f = frame(r);
    expect(line(f, /^\s*p0 tf-ps-0/)).toMatch(/\.\s+\+\s+N$/);
    expect(f).toContain('tf-ps-0 -> tf-worker-1:2222');
    expect(/[^\x00-\x7f]/.test(f)).toBe(false);
  });

  it('more columns than the width holds: failing pairs grouped, the worst node first', async () => {
    // 20 workers built from the recorded facts; every one fails to reach worker 7 (DNS).
    const tasks = Array.from({ length: 20 }, (_, i) => ({
      type: 'worker' as const,
      index: i,
      host: `tf-worker-${i}`,
      port: 2222,
    }));
    const list = seedFacts(tasks);
    const base = recorded('disconnected').reachability;
    const nx = base.find((e) => e.dns === 'nxdomain')!;
    const ok = base.find((e) => e.tcp === 'ok')!;
    const entries: ReachEntry[] = [];
    for (const a of tasks)
      for (const b of tasks) {
        if (a === b) continue;
        const ip = list.find((f) => f.name === b.host)?.ip ?? null;
        entries.push(
          b.index === 7
            ? { ...nx, from: a.host, to: b.host, reason: `${b.host} does not resolve from ${a.host}` }
            : { ...ok, from: a.host, to: b.host, ip },
        );
      }
    const r = mount(
      { ...snapshotOf(list), reachability: entries, probe: { on: true, lastRoundMs: 400 } },
      { columns: 80, rows: 30 },
    );
    r.stdin.write('m');
    await tick();
    const f = frame(r);
    expect(f).toContain('380 pairs · 361 ok · 19 failing');
    expect(f).toMatch(/19 nodes → tf-worker-7\s+19 DNS\s+\(tf-worker-0, tf-worker-1, tf-worker-2, \+16\)/);
    expect(f).not.toContain('from → to');
  });
});

describe('what the matrix asks of the prober', () => {
  it("opening the matrix asks for every pair; closing it (or leaving the screen) goes back to TensorFlow's", async () => {
    const calls: boolean[] = [];
    const actions = { probe: () => undefined, matrixShown: (on: boolean) => void calls.push(on) };
    const r = render(
      <App
        store={new TestStore(seedWith('healthy'))}
        theme={{ color: false, ascii: false }}
        size={{ columns: 80, rows: 24 }}
        clock={clock}
        actions={actions}
      />,
    );
    cleanup = r.unmount;
    await tick();
    expect(calls).toEqual([false]);
    r.stdin.write('m');
    await tick();
    expect(calls).toEqual([false, true]);
    r.stdin.write('l'); // the log view hides the matrix
    await tick();
    expect(calls).toEqual([false, true, false]);
    r.stdin.write('\u001B');
    await tick();
    expect(calls).toEqual([false, true, false, true]);
    r.stdin.write('m');
    await tick();
    expect(calls).toEqual([false, true, false, true, false]);
    r.unmount();
    cleanup = null;
  });
});
