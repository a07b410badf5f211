// Cluster actions on the real engine, through the keys (ink-testing-library's stdin) and the same
// action functions the live screen uses: +, g + apply, -, r, R, --read-only, and the refusal of any
// container outside the cluster.
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../source/cluster/types.js';
import { restartNodes } from '../../source/engine/cluster-actions.js';
import { Engine } from '../../source/engine/engine.js';
import { ClusterMonitor } from '../../source/monitor/cluster-monitor.js';
import { App } from '../../source/ui/App.js';
import { clusterActions } from '../../source/commands/screen.js';
import { cleanup, docker, own, requireEngine, simImage, TEST_LABEL, testLabels, tfmon, waitUntil } from './harness.js';
import { freePortRun } from '../../bench/scrape.js';

const net = own('act');
const prefix = own('a');
const common = ['--network', net, '--label', TEST_LABEL];
const logDir = mkdtempSync(join(tmpdir(), 'tfmon-actions-'));
const env = { TFMON_ACTION_LOG: join(logDir, 'actions.log') };
process.env['TFMON_ACTION_LOG'] = env.TFMON_ACTION_LOG;
let monitor: ClusterMonitor;
let engine: Engine;
let r: ReturnType<typeof render>;
let publishBase = 0;

const tick = (ms = 60) => new Promise((res) => setTimeout(res, ms));
const named = (s: Snapshot, name: string) => s.nodes.find((n) => n.name === name);
const frame = () => r.lastFrame() ?? '';

beforeAll(async () => {
  requireEngine();
  await simImage();
  publishBase = await freePortRun(4);
  const up = await tfmon(['up', ...common, '--prefix', prefix, '--publish', String(publishBase)]);
  expect(up.code).toBe(0);
  engine = new Engine();
  monitor = new ClusterMonitor(engine, { network: net, labels: testLabels, probe: { intervalMs: 1000 } });
  await monitor.start();
  r = render(
    <App
      store={monitor}
      logs={monitor.logs}
      theme={{ color: false, ascii: false }}
      size={{ columns: 120, rows: 40 }}
      actions={clusterActions(engine, monitor, {})}
    />,
  );
});
afterAll(() => {
  r?.unmount();
  monitor?.stop();
  cleanup();
});

describe('cluster actions', () => {
  it('+ adds worker 2: running, with its own TF_CONFIG, ports shifted, reachable; the others turn stale', async () => {
    r.stdin.write('+');
    const s = await monitor.waitFor((x) => named(x, `${prefix}-worker-2`)?.state === 'running', 30_000);
    const w2 = named(s, `${prefix}-worker-2`)!;
    expect(w2.tfConfigParsed?.task).toEqual({ type: 'worker', index: 2 });
    expect(w2.tfConfigParsed?.cluster['worker']?.map((t) => t.address)).toEqual([
      `${prefix}-worker-0:2222`,
      `${prefix}-worker-1:2222`,
      `${prefix}-worker-2:2222`,
    ]);
    // --publish BASE gave worker i host port BASE+i: the clone of worker 1 gets BASE+2.
    expect([...new Set(w2.ports.map((p) => p.hostPort))]).toEqual([publishBase + 2]);
    expect(w2.labels['tfmon.index']).toBe('2');
    // It dials the ps, and its own port answers.
    const reach = await monitor.waitFor(
      (x) =>
        x.reachability.some((e) => e.from === `${prefix}-worker-2` && e.to === `${prefix}-ps-0` && e.tcp === 'ok') &&
        x.listeners[w2.id]?.state === 'ok',
      10_000,
    );
    const stale = reach.problems
      .filter((p) => p.code === 'tf_config_stale')
      .map((p) => p.node)
      .sort();
    expect(stale).toEqual([`${prefix}-ps-0`, `${prefix}-worker-0`, `${prefix}-worker-1`]);
    await waitUntil(() => frame().includes(`${prefix}-worker-2 is running`), 3000, 50);
  });

  it('c shows the diff; a + y applies it rolling; then doctor exits 0', async () => {
    r.stdin.write('c');
    await waitUntil(() => frame().includes('TF_CONFIG from the live topology'), 3000, 50);
    expect(frame()).toMatch(new RegExp(`${prefix}-ps-0 +worker: \\+ ${prefix}-worker-2:2222`));
    expect(frame()).toMatch(new RegExp(`${prefix}-worker-2 +up to date`));
    r.stdin.write('a');
    await waitUntil(() => frame().includes('[y/N]'), 3000, 50);
    r.stdin.write('y');
    const ids = (x: Snapshot) =>
      x.nodes
        .map((n) => n.id)
        .sort()
        .join();
    const before = ids(monitor.getSnapshot());
    await monitor.waitFor(
      (x) => !x.problems.some((p) => p.code === 'tf_config_stale') && x.nodes.every((n) => n.state === 'running'),
      90_000,
    );
    // Three nodes were recreated (new ids, same names), worker 2 was left alone.
    const after = monitor.getSnapshot();
    expect(after.nodes.map((n) => n.name).sort()).toEqual([
      `${prefix}-ps-0`,
      `${prefix}-worker-0`,
      `${prefix}-worker-1`,
      `${prefix}-worker-2`,
    ]);
    expect(ids(after)).not.toBe(before);
    expect([...new Set(named(after, `${prefix}-worker-0`)?.ports.map((p) => p.hostPort))]).toEqual([publishBase]);
    const doctor = await tfmon(['doctor', ...common]);
    expect(doctor.stdout).toContain('0 errors');
    expect(doctor.code).toBe(0);
    const log = readFileSync(env.TFMON_ACTION_LOG, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; target: string; result: string });
    expect(
      log
        .filter((l) => l.action === 'apply-tf-config' && l.result === 'ok')
        .map((l) => l.target)
        .sort(),
    ).toEqual([`${prefix}-ps-0`, `${prefix}-worker-0`, `${prefix}-worker-1`]);
    expect(readFileSync(env.TFMON_ACTION_LOG, 'utf8')).not.toContain('TF_CONFIG');
  }, 120_000);

  it('- asks, naming the worker; n changes nothing; y removes exactly that one', async () => {
    const count = () => docker('ps', '-aq', '--filter', `label=${TEST_LABEL}`).split('\n').filter(Boolean).length;
    const n0 = count();
    r.stdin.write('-');
    await waitUntil(() => frame().includes(`Remove ${prefix}-worker-2 (worker 2, the highest index)`), 3000, 50);
    r.stdin.write('n');
    await waitUntil(() => frame().includes('cancelled: nothing changed'), 3000, 50);
    expect(count()).toBe(n0);
    r.stdin.write('-');
    await waitUntil(() => frame().includes('[y/N]'), 3000, 50);
    r.stdin.write('y');
    await monitor.waitFor((x) => !named(x, `${prefix}-worker-2`), 20_000);
    expect(count()).toBe(n0 - 1);
  }, 30_000);

  it('r restarts the selected node (count +1 on screen); R restarts its whole role', async () => {
    const ps = () => named(monitor.getSnapshot(), `${prefix}-ps-0`)!;
    const started = ps().startedAt;
    r.stdin.write('\u001b');
    await tick();
    r.stdin.write('r');
    await waitUntil(() => frame().includes(`Restart ${prefix}-ps-0? [y/N]`), 3000, 50);
    r.stdin.write('y');
    await monitor.waitFor(
      (x) => named(x, `${prefix}-ps-0`)!.manualRestarts === 1 && named(x, `${prefix}-ps-0`)!.state === 'running',
      20_000,
    );
    expect(ps().startedAt).not.toBe(started);
    await waitUntil(() => new RegExp(`${prefix}-ps-0\\s+running ↻1`).test(frame()), 3000, 50);
    r.stdin.write('j');
    await tick();
    r.stdin.write('R');
    await waitUntil(() => frame().includes('Restart all 2 worker nodes'), 3000, 50);
    r.stdin.write('y');
    await monitor.waitFor(
      (x) => x.nodes.filter((n) => n.role === 'worker').every((n) => n.manualRestarts === 1 && n.state === 'running'),
      30_000,
    );
  }, 40_000);

  it('--read-only refuses every change, on screen and in tf-config', async () => {
    const ids = monitor
      .getSnapshot()
      .nodes.map((n) => n.id)
      .sort()
      .join();
    const ro = render(
      <App
        store={monitor}
        theme={{ color: false, ascii: false }}
        size={{ columns: 120, rows: 40 }}
        actions={clusterActions(engine, monitor, { readOnly: true })}
      />,
    );
    try {
      for (const key of ['+', '-', 'r', 'R']) {
        ro.stdin.write(key);
        await waitUntil(() => (ro.lastFrame() ?? '').includes('read-only: tfmon changes nothing here'), 3000, 50);
        ro.stdin.write('\u001b');
        await tick();
      }
      ro.stdin.write('?');
      await tick();
      expect(ro.lastFrame()).toMatch(/add a worker .* — off: --read-only/);
      await tick(500);
      expect(
        monitor
          .getSnapshot()
          .nodes.map((n) => n.id)
          .sort()
          .join(),
      ).toBe(ids);
    } finally {
      ro.unmount();
    }
    // Since - removed worker 2, the others' TF_CONFIG still lists it: there is something to apply.
    expect(monitor.getSnapshot().problems.some((p) => p.code === 'tf_config_stale')).toBe(true);
    const refused = await tfmon(['tf-config', '--apply', '--yes', '--read-only', ...common]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('tfmon: --read-only: tfmon changes nothing (drop --read-only to apply)\n');
    expect(
      monitor
        .getSnapshot()
        .nodes.map((n) => n.id)
        .sort()
        .join(),
    ).toBe(ids);
  }, 30_000);

  it('never touches a container outside the cluster, even when asked by id', async () => {
    const outsider = own('outsider-worker-0');
    docker('run', '-d', '--name', outsider, '--label', TEST_LABEL, await simImage());
    const id = docker('inspect', outsider, '--format', '{{.Id}}');
    await expect(restartNodes(engine, monitor.getSnapshot().nodes, [id], () => undefined)).rejects.toThrow(
      'refused: that container is not part of this cluster',
    );
    expect(docker('inspect', outsider, '--format', '{{.RestartCount}} {{.State.StartedAt}}')).toBe(
      docker('inspect', outsider, '--format', '{{.RestartCount}} {{.State.StartedAt}}'),
    );
    const stateBefore = docker('inspect', outsider, '--format', '{{.State.StartedAt}}');
    await tick(300);
    expect(docker('inspect', outsider, '--format', '{{.State.StartedAt}}')).toBe(stateBefore);
  });

  it('tf-config --write writes one file per node atomically, keeping the previous as .bak', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfmon-tfconfig-'));
    const first = await tfmon(['tf-config', '--write', dir, ...common]);
    expect(first.code).toBe(0);
    const file = join(dir, `${prefix}-ps-0.json`);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { task: unknown }).task).toEqual({ type: 'ps', index: 0 });
    await tfmon(['tf-config', '--write', dir, ...common]);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(readFileSync(file, 'utf8'));
  });
});
