import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../source/ui/App.js';
import { facts } from '../helpers/facts.js';
import { seedFacts, snapshotOf, TestStore } from '../helpers/snapshot.js';
import { explain } from '../../source/cluster/causes.js';
import { findProblems } from '../../source/cluster/problems.js';
import { reachProblems, type ReachEntry } from '../../source/cluster/reach.js';
import { parseTrainingLine } from '../../source/cluster/progress.js';
import { TrainingBook } from '../../source/cluster/training.js';

const clock = () => Date.parse('2026-01-01T01:02:03Z');
const theme = { color: false, ascii: false };
const tick = () => new Promise((r) => setTimeout(r, 30));
const ARROW_DOWN = '\u001B[B';
const ESC = '\u001B';

let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

function mount(store: TestStore, size = { columns: 100, rows: 30 }, t = theme) {
  const r = render(<App store={store} theme={t} size={size} clock={clock} />);
  cleanup = r.unmount;
  return r;
}
const frame = (r: ReturnType<typeof mount>): string => r.lastFrame() ?? '';
const detailsTitle = (f: string): string | undefined => f.split('\n').find((l) => /^── /.test(l));

describe('App', () => {
  it("training: a TRAIN column with each node's pace (a dash for a ps), the selected node's step, loss and last move, the header's pace and ETA", async () => {
    const base = snapshotOf(seedFacts());
    const book = new TrainingBook();
    const now = clock();
    const w0 = base.nodes.find((n) => n.name === 'tf-worker-0')!;
    for (let k = 1; k <= 5; k++) {
      for (const line of [
        `INFO:tensorflow:global_step/sec: ${k === 5 ? 40 : 50}`,
        `INFO:tensorflow:loss = ${(2 / k).toFixed(4)}, step = ${k * 100} (${k === 5 ? '2.500' : '2.000'} sec)`,
      ]) {
        book.ingest(w0.id, parseTrainingLine(line)!, now - (6 - k) * 2000);
      }
    }
    const r = mount(
      new TestStore({ ...base, training: book.nodes(), clusterTraining: { globalStepsPerSecond: 40, eta: 750 } }),
    );
    const f = frame(r);
    expect(f).toMatch(/^ {2}ROLE .* TRAIN/m);
    expect(f).toMatch(/worker\s+0\s+tf-worker-0\s.*2\.5s\/rep ↓/);
    expect(f).toMatch(/ps\s+0\s+tf-ps-0\s.*\s–\s/);
    expect(f).toContain('training 40.0 st/s, ETA 12m');
    r.stdin.write('j');
    await tick();
    const g = frame(r);
    expect(g).toMatch(/train\s+step 500 · 2\.5s\/rep \(slower\) · global 40\.0 st\/s/);
    expect(g).toMatch(/loss\s+[▁-█]{5} 0\.4000/);
    expect(g).toMatch(/progress\s+last moved 2s ago/);
  });

  it('a ps dials no one in the steady state: its peers line says who reached it', () => {
    const base = snapshotOf(seedFacts());
    const ok = (from: string): ReachEntry => ({
      from,
      to: 'tf-ps-0',
      port: 2222,
      dns: 'ok',
      ip: '172.18.0.2',
      tcp: 'ok',
      ms: 0,
      reason: null,
      tools: 'getent+nc',
    });
    const r = mount(
      new TestStore({
        ...base,
        reachability: [ok('tf-worker-0'), ok('tf-worker-1')],
        probe: { on: true, lastRoundMs: 5 },
      }),
    );
    expect(frame(r)).toMatch(/peers\s+reached from 2 peers; it dials none \(m: every pair\)/);
  });

  it('a fault once: the header counts roots and what follows; the faulty node is marked, the affected dimly', async () => {
    const list = seedFacts().map((f) =>
      f.name === 'tf-ps-0' ? { ...f, state: 'exited' as const, exitCode: 1, ip: null } : f,
    );
    const base = snapshotOf(list);
    const nx = (from: string): ReachEntry => ({
      from,
      to: 'tf-ps-0',
      port: 2222,
      dns: 'nxdomain',
      ip: null,
      tcp: 'skipped',
      ms: null,
      reason: `tf-ps-0 does not resolve from ${from}`,
      tools: 'getent+nc',
    });
    const entries = [nx('tf-worker-0'), nx('tf-worker-1')];
    const problems = explain(
      [...findProblems(base.network, base.nodes), ...reachProblems(entries, base.nodes)],
      base.nodes,
    );
    const r = mount(new TestStore({ ...base, reachability: entries, problems, probe: { on: true, lastRoundMs: 5 } }));
    const f = frame(r);
    expect(f).toContain('1 error, 1 warning (+2 following from them) — tf-ps-0: not running: exited (code 1)');
    expect(f).toMatch(/^.!ps\s+0\s+tf-ps-0/m); // the fault
    expect(f).toMatch(/^ ✗worker\s+0\s+tf-worker-0/m); // cannot reach it: affected, not at fault
    r.stdin.write('j');
    await tick();
    expect(frame(r)).toMatch(/affected\s+by not running on tf-ps-0/);
  });

  it('shows every node with role, index, IP:port and uptime', () => {
    const r = mount(new TestStore(snapshotOf(seedFacts())));
    const f = frame(r);
    expect(f).toMatch(/ps\s+0\s+tf-ps-0\s+running\s+172\.18\.0\.2:2222\s+1h02m/);
    expect(f).toMatch(/worker\s+1\s+tf-worker-1/);
    expect(f).toContain('3 nodes: 1 ps, 2 worker · 3 running');
    expect(f).toContain('0 errors, 1 warning — the cluster has ps tasks but no chief');
  });

  it('moves the selection with j, k and the arrows; the details pane follows', async () => {
    const r = mount(new TestStore(snapshotOf(seedFacts())));
    expect(detailsTitle(frame(r))).toContain('tf-ps-0');
    r.stdin.write('j');
    await tick();
    expect(detailsTitle(frame(r))).toContain('tf-worker-0');
    r.stdin.write(ARROW_DOWN);
    await tick();
    expect(detailsTitle(frame(r))).toContain('tf-worker-1');
    r.stdin.write(ARROW_DOWN); // stays on the last row
    await tick();
    expect(detailsTitle(frame(r))).toContain('tf-worker-1');
    r.stdin.write('k');
    await tick();
    expect(detailsTitle(frame(r))).toContain('tf-worker-0');
  });

  it('keeps the selected node selected when another one appears above it', async () => {
    const store = new TestStore(snapshotOf(seedFacts()));
    const r = mount(store);
    r.stdin.write('j');
    r.stdin.write('j');
    await tick();
    expect(detailsTitle(frame(r))).toContain('tf-worker-1');
    store.set(snapshotOf([...seedFacts(), facts({ id: 'chief', name: 'tf-chief', tfConfigRaw: null, labels: {} })]));
    await tick();
    expect(detailsTitle(frame(r))).toContain('tf-worker-1');
    expect(frame(r)).toMatch(/chief\s+0\s+tf-chief/);
  });

  it('toggles the help overlay with ? and closes it with Esc', async () => {
    const r = mount(new TestStore(snapshotOf(seedFacts())));
    r.stdin.write('?');
    await tick();
    expect(frame(r)).toContain('select the node below');
    expect(frame(r)).not.toContain('tf-worker-1');
    r.stdin.write(ESC);
    await tick();
    expect(frame(r)).not.toContain('select the node below');
    expect(frame(r)).toContain('tf-worker-1');
  });

  it('shows the selected node’s TF_CONFIG, command and limits', () => {
    const r = mount(new TestStore(snapshotOf(seedFacts())));
    const f = frame(r);
    expect(f).toMatch(/TF_CONFIG\s+task ps 0/);
    expect(f).toMatch(/worker\s+tf-worker-0:2222, tf-worker-1:2222/);
    expect(f).toMatch(/command\s+\/bin\/sh \/tfsim\.sh/);
    expect(f).toMatch(/role\s+ps 0 \(from TF_CONFIG\)/);
  });

  it('truncates a long name with an ellipsis at 80 columns and never wraps', () => {
    const long = facts({
      id: 'long',
      name: 'tf-worker-with-a-very-long-experiment-name-that-goes-on-7',
      tfConfigRaw: null,
      labels: {},
    });
    const r = mount(new TestStore(snapshotOf([...seedFacts(), long])), { columns: 80, rows: 24 });
    const lines = frame(r).split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines.some((l) => /tf-worker-with-a-ver\S*…/.test(l))).toBe(true);
    expect(lines.length).toBe(24);
  });

  it('keeps the frame as tall as the terminal with many nodes, scrolling to the selection', async () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      facts({ id: `w${i}`, name: `tf-worker-${i}`, tfConfigRaw: null, labels: {} }),
    );
    const r = mount(new TestStore(snapshotOf(many)), { columns: 100, rows: 24 });
    expect(frame(r).split('\n').length).toBe(24);
    for (let i = 0; i < 30; i++) r.stdin.write('j');
    await tick();
    expect(detailsTitle(frame(r))).toContain('tf-worker-30');
    expect(frame(r)).toMatch(/›.worker\s+30/);
    expect(frame(r).split('\n').length).toBe(24);
  });

  it('says the terminal is too small instead of drawing garbage', () => {
    const r = mount(new TestStore(snapshotOf(seedFacts())), { columns: 30, rows: 8 });
    expect(frame(r).split('\n')).toEqual(['terminal too small', '(30x8); tfmon needs 40x10', 'q quits']);
    expect(
      frame(r)
        .split('\n')
        .every((l) => l.length <= 30),
    ).toBe(true);
  });

  it('uses only ASCII in ASCII mode', () => {
    const r = mount(new TestStore(snapshotOf(seedFacts())), { columns: 100, rows: 30 }, { color: false, ascii: true });
    expect(frame(r)).toMatch(/^[\x20-\x7e\n]*$/);
  });

  it('shows problems and never renders control sequences from container names', () => {
    const evil = facts({
      id: 'evil',
      name: 'evil\u001b]0;pwned\u0007\u001b[2J-worker-3',
      tfConfigRaw: '{bad',
      labels: {},
    });
    const r = mount(new TestStore(snapshotOf([...seedFacts(), evil])));
    const f = frame(r);
    expect(f).not.toContain('\u001b]0;');
    expect(f).not.toContain('\u001b[2J');
    expect(f).toMatch(/2 errors, 1 warning — evil-worker-3: TF_CONFIG is not JSON/);
    expect(f).toContain('evil-worker-3');
  });

  it('shows an engine error in the header while keeping the last table', () => {
    const store = new TestStore(snapshotOf(seedFacts()));
    const r = mount(store);
    store.set({ ...snapshotOf(seedFacts()), engineError: 'engine unreachable — retrying' });
    return tick().then(() => {
      expect(frame(r)).toContain('engine unreachable — retrying');
      expect(frame(r)).toContain('tf-worker-1');
    });
  });
});

describe('a PyTorch job on the live screen', () => {
  const job = () => {
    const rank = (r: number) =>
      facts({
        id: `id-ddp-${r}`,
        name: `ddp-rank-${r}`,
        ip: `172.18.0.${r + 2}`,
        tfConfigRaw: null,
        grpcFailFast: null,
        labels: {},
        frameworkEnv: { RANK: String(r), WORLD_SIZE: '3', MASTER_ADDR: 'ddp-rank-0', MASTER_PORT: '29500' },
      });
    return snapshotOf([rank(0), rank(1), rank(2)]);
  };

  it('the header names the framework and the world; + asks once to restart the job whole, y does it', async () => {
    const calls: number[] = [];
    const noop = async (): Promise<void> => undefined;
    const r = render(
      <App
        store={new TestStore(job())}
        theme={theme}
        size={{ columns: 120, rows: 30 }}
        clock={clock}
        actions={{
          probe: () => undefined,
          changes: {
            scaleUp: noop,
            scaleDown: noop,
            restart: noop,
            applyRegenerated: noop,
            resizeJob: async (d) => {
              calls.push(d);
            },
          },
        }}
      />,
    );
    cleanup = r.unmount;
    expect(frame(r)).toContain('PyTorch, world 3 · 3 nodes: 1 master, 2 worker');
    expect(frame(r)).toMatch(/role\s+PyTorch master, rank 0 of 3 \(from its environment\)/);
    r.stdin.write('+');
    await tick();
    expect(frame(r)).toContain('A static DDP job restarts whole: recreate 3 ranks with WORLD_SIZE=4 and add rank 3?');
    r.stdin.write('y');
    await tick();
    expect(calls).toEqual([1]);
    r.stdin.write('-');
    await tick();
    expect(frame(r)).toContain(
      'A static DDP job restarts whole: remove ddp-rank-2 (rank 2) and recreate the other 2 with WORLD_SIZE=2?',
    );
    r.stdin.write('n');
    await tick();
    expect(calls).toEqual([1]);
  });
  it("c shows the job's variables as its live ranks call for them (a rank told another master); a asks once, then restarts the job", async () => {
    const snap = job();
    const misdirected = snap.nodes.map((n) =>
      n.index === 1 ? { ...n, frameworkEnv: { ...n.frameworkEnv, MASTER_ADDR: 'no-such-master' } } : n,
    );
    let applied = 0;
    const noop = async (): Promise<void> => undefined;
    const r = render(
      <App
        store={new TestStore({ ...snap, nodes: misdirected })}
        theme={theme}
        size={{ columns: 140, rows: 30 }}
        clock={clock}
        actions={{
          probe: () => undefined,
          changes: {
            scaleUp: noop,
            scaleDown: noop,
            restart: noop,
            applyRegenerated: async () => {
              applied++;
            },
          },
        }}
      />,
    );
    cleanup = r.unmount;
    r.stdin.write('c');
    await tick();
    const f = frame(r);
    expect(f).toContain("the job's variables from its live ranks");
    expect(f).toContain('live ranks  WORLD_SIZE=3  MASTER_ADDR=ddp-rank-0  MASTER_PORT=29500  (rank 0 is the master)');
    expect(f).toContain('ddp-rank-1  MASTER_ADDR: no-such-master → ddp-rank-0');
    expect(f).toContain('ddp-rank-2  up to date');
    expect(f).toContain('a apply: a static DDP job restarts whole: recreate its 3 ranks, one at a time');
    expect(f).not.toContain('TF_CONFIG from the live topology');
    r.stdin.write('a');
    await tick();
    expect(frame(r)).toContain(
      'A static DDP job restarts whole: recreate its 3 ranks with WORLD_SIZE=3, MASTER_ADDR=ddp-rank-0, MASTER_PORT=29500, one at a time?',
    );
    r.stdin.write('y');
    await tick();
    expect(applied).toBe(1);
  });
});
