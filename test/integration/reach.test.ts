// Reachability rounds in a running monitor, on the real engine.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../source/cluster/types.js';
import { Engine } from '../../source/engine/engine.js';
import { tarArchive } from '../../source/engine/tar.js';
import { ClusterMonitor } from '../../source/monitor/cluster-monitor.js';
import {
  cleanup,
  createNetwork,
  docker,
  dockerAsync,
  dockerOk,
  own,
  requireEngine,
  runSim,
  simImage,
  sleep,
  TEST_LABEL,
  testLabels,
  tfmon,
  waitUntil,
} from './harness.js';

const net = own('reach');
// The default steady cadence: events, not the interval, must bound how soon a change shows.
const INTERVAL = 5000;
let monitor: ClusterMonitor;
let image = '';
const shellless = `tfmon-test-noshell:${own('img').toLowerCase()}`;
const pair = (s: Snapshot, from: string, to: string) => s.reachability.find((e) => e.from === from && e.to === to);

beforeAll(async () => {
  requireEngine();
  image = await simImage();
  createNetwork(net);
  const cfg = JSON.stringify({
    cluster: { ps: [`${own('r-ps-0')}:2222`], worker: [`${own('r-worker-0')}:2222`, `${own('ghost-worker-7')}:2222`] },
    task: { type: 'worker', index: 0 },
  });
  // Labelled as `tfmon up` labels its nodes: a member stays listed when cut off the network.
  runSim(image, own('r-ps-0'), net, { labels: { 'tfmon.cluster': net } });
  runSim(image, own('r-worker-0'), net, { env: { TF_CONFIG: cfg } });
  runSim(image, own('r-worker-1'), net, { env: { SIM_NO_LISTEN: '1' } });
  monitor = new ClusterMonitor(new Engine(), { network: net, labels: testLabels, probe: { intervalMs: INTERVAL } });
  await monitor.start();
});
afterAll(() => {
  monitor?.stop();
  cleanup();
  docker('image', 'rm', '-f', shellless);
});

describe('reachability', () => {
  it("steady state: the pairs TensorFlow uses, each TF_CONFIG name looked up, every task's port checked from the host", async () => {
    const s = await monitor.waitFor(
      (snap) =>
        snap.reachability.some((e) => e.to === own('ghost-worker-7')) && Object.keys(snap.listeners).length === 3,
      8000,
    );
    // Workers dial the ps; a ps dials nobody, workers not each other. The ghost that worker 0's
    // TF_CONFIG names, which no pair dials, is looked up (by worker 0, its group's resolver).
    expect(
      s.reachability.map((e) => `${e.from.replace(own(''), '')}>${e.to.replace(own(''), '')} ${e.dns} ${e.tcp}`).sort(),
    ).toEqual(['r-worker-0>ghost-worker-7 nxdomain skipped', 'r-worker-0>r-ps-0 ok ok', 'r-worker-1>r-ps-0 ok ok']);
    // Whether each task listens on its TF port: from tfmon's host, no process in the nodes.
    const listening = Object.fromEntries(s.nodes.map((n) => [n.name.replace(own(''), ''), s.listeners[n.id]?.state]));
    expect(listening).toEqual({ 'r-ps-0': 'ok', 'r-worker-0': 'ok', 'r-worker-1': 'refused' });
    const codes = s.problems.map((p) => `${p.node}:${p.code}`);
    expect(codes).toContain(`${own('r-worker-0')}:peer_unresolvable`);
    expect(codes).toContain(`${own('r-worker-1')}:not_listening`);
    expect(s.problems.find((p) => p.code === 'not_listening')?.message).toBe(
      `${own('r-worker-1')} does not listen on 2222, its TF port (nothing accepts connections there)`,
    );
    await monitor.probeNow('tf');
    expect(monitor.probe!.lastRoundPairs).toBe(2);
    expect(pair(s, own('r-worker-0'), own('r-ps-0'))?.ip).toBe(
      docker('inspect', own('r-ps-0'), '--format', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`),
    );
  });

  it('p (a round over every pair): every ordered pair and TF_CONFIG address; refused where nothing listens', async () => {
    await monitor.probeNow('all');
    const s = monitor.getSnapshot();
    // 3 nodes: 6 ordered pairs, plus r-worker-0's TF_CONFIG name for a missing host.
    expect(monitor.probe!.lastRoundPairs).toBe(7);
    expect(pair(s, own('r-ps-0'), own('r-worker-1'))).toMatchObject({ dns: 'ok', tcp: 'refused' });
    expect(pair(s, own('r-worker-0'), own('ghost-worker-7'))).toMatchObject({ dns: 'nxdomain', tcp: 'skipped' });
    expect(s.problems.map((p) => `${p.node}:${p.code}`)).toContain(`${own('r-ps-0')}:port_refused`);
  });

  it("the matrix on screen: every pair at once and in every round; closed: back to TensorFlow's", async () => {
    monitor.setMatrixShown(true);
    await waitUntil(() => monitor.probe!.scope === 'all' && monitor.probe!.lastRoundPairs === 7, 8000);
    expect(pair(monitor.getSnapshot(), own('r-ps-0'), own('r-worker-0'))).toMatchObject({ dns: 'ok', tcp: 'ok' });
    monitor.setMatrixShown(false);
    await monitor.probeNow();
    expect(monitor.probe!.lastRoundPairs).toBe(2);
    expect(monitor.getSnapshot().reachability.filter((e) => e.from === own('r-ps-0'))).toEqual([]);
  });

  it('a node like the TensorFlow images (python3, getent, dash as sh) is probed by one python3 process', async () => {
    // The host's own /usr mounted into a sim node: Debian's python3, getent and dash (sh).
    const cfg = JSON.stringify({
      cluster: {
        ps: [`${own('r-ps-0')}:2222`],
        worker: [`${own('py-worker-3')}:2222`, `${own('ghost-worker-8')}:2222`],
      },
      task: { type: 'worker', index: 0 },
    });
    runSim(image, own('py-worker-3'), net, {
      env: { TF_CONFIG: cfg, PATH: '/usr/bin:/bin' },
      args: ['-v', '/usr:/usr:ro', '-v', '/usr/lib:/lib:ro', '-v', '/usr/lib64:/lib64:ro'],
    });
    expect(docker('exec', own('py-worker-3'), 'sh', '-c', 'command -v sh; command -v python3')).toBe(
      '/usr/bin/sh\n/usr/bin/python3',
    );
    await monitor.waitFor((snap) => pair(snap, own('py-worker-3'), own('r-ps-0'))?.tcp === 'ok', 10_000);
    await monitor.probeNow('all');
    const s = monitor.getSnapshot();
    // Names are looked up once for all the nodes on the network (by one of them: `resolver+connector`).
    expect(pair(s, own('py-worker-3'), own('r-ps-0'))).toMatchObject({ dns: 'ok', tcp: 'ok' });
    expect(pair(s, own('py-worker-3'), own('r-ps-0'))?.tools).toMatch(/\+python3$/);
    expect(pair(s, own('py-worker-3'), own('r-worker-1'))).toMatchObject({ dns: 'ok', tcp: 'refused' });
    expect(pair(s, own('py-worker-3'), own('r-worker-1'))?.tools).toMatch(/\+python3$/);
    expect(pair(s, own('py-worker-3'), own('ghost-worker-8'))).toMatchObject({ dns: 'nxdomain', tcp: 'skipped' });
    // The busybox nodes keep using nc.
    expect(pair(s, own('r-worker-0'), own('r-ps-0'))?.tools).toMatch(/\+nc$/);
    docker('rm', '-f', own('py-worker-3'));
  });

  it('creates no exec per round once the sessions are up', async () => {
    await monitor.probeNow();
    const before = monitor.probe!.execsCreated;
    await monitor.probeNow();
    await monitor.probeNow();
    expect(monitor.probe!.execsCreated).toBe(before);
  });

  it('a disconnected ps shows within 2 s, from the event, with the steady cadence at 5 s', async () => {
    await monitor.probeNow();
    docker('network', 'disconnect', net, own('r-ps-0'));
    const started = Date.now();
    const s = await monitor.waitFor((snap) => pair(snap, own('r-worker-0'), own('r-ps-0'))?.dns === 'nxdomain', 10_000);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(pair(s, own('r-worker-0'), own('r-ps-0'))?.reason).toMatch(/does not resolve/);
    // It is still listed (a member, label tfmon.cluster), marked as cut off.
    expect(s.problems.map((p) => `${p.node}:${p.code}`)).toContain(`${own('r-ps-0')}:not_attached`);
    await dockerAsync('network', 'connect', net, own('r-ps-0'));
    await monitor.waitFor((snap) => pair(snap, own('r-worker-0'), own('r-ps-0'))?.tcp === 'ok', 10_000);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('a node that stops shows within 2 s', async () => {
    docker('stop', '-t', '0', own('r-ps-0'));
    const started = Date.now();
    await monitor.waitFor((snap) => pair(snap, own('r-worker-1'), own('r-ps-0'))?.dns === 'nxdomain', 10_000);
    expect(Date.now() - started).toBeLessThan(2000);
    docker('start', own('r-ps-0'));
    await monitor.waitFor((snap) => pair(snap, own('r-worker-1'), own('r-ps-0'))?.tcp === 'ok', 5000);
  });

  it('a container without a shell is probed from a helper in its network namespace', async () => {
    // An image holding only a static busybox, no sh on PATH: `docker exec … sh` fails in it.
    const busybox = readFileSync('/bin/busybox');
    await new Engine().images.importImage(
      tarArchive([
        { type: 'dir', path: 'bin' },
        { type: 'file', path: 'bin/busybox', data: busybox, mode: 0o755 },
      ]),
      shellless,
      ['CMD ["/bin/busybox", "sleep", "3600"]'],
    );
    expect(dockerOk('run', '--rm', '--label', TEST_LABEL, shellless, 'sh', '-c', 'true')).toBe(false);
    docker('run', '-d', '--name', own('noshell-worker-2'), '--network', net, '--label', TEST_LABEL, shellless);
    const s = await monitor.waitFor(
      (snap) => snap.reachability.some((e) => e.from === own('noshell-worker-2') && e.tcp !== 'unprobed'),
      15_000,
    );
    // Helper sessions are named by the engine; they carry the node's id and the run's label.
    const id = docker('inspect', own('noshell-worker-2'), '--format', '{{.Id}}');
    expect(docker('ps', '-q', '--filter', `label=tfmon.probe-helper=${id}`)).not.toBe('');
    expect(pair(s, own('noshell-worker-2'), own('r-ps-0'))).toMatchObject({ dns: 'ok', tcp: 'ok' });
    await monitor.probeNow('all');
    expect(pair(monitor.getSnapshot(), own('noshell-worker-2'), own('r-worker-1'))).toMatchObject({
      dns: 'ok',
      tcp: 'refused',
    });
  });

  it('without a helper image it is reported unprobed, with the reason; helpers leave with the monitor', async () => {
    const id = docker('inspect', own('noshell-worker-2'), '--format', '{{.Id}}');
    const other = new ClusterMonitor(new Engine(), {
      network: net,
      labels: testLabels,
      probe: { intervalMs: 60_000, helperImage: 'tfmon-test-absent:none' },
    });
    await other.start();
    await other.probeNow();
    const rows = other.getSnapshot().reachability.filter((e) => e.from === own('noshell-worker-2'));
    other.stop();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((e) => e.dns === 'unprobed' && e.tcp === 'unprobed')).toBe(true);
    expect(rows[0]?.reason).toBe(
      `${own('noshell-worker-2')} has no shell to probe from, and --probe-image tfmon-test-absent:none is not present locally`,
    );
    monitor.stop();
    await waitUntil(() => docker('ps', '-aq', '--filter', `label=tfmon.probe-helper=${id}`) === '', 10_000);
    monitor = new ClusterMonitor(new Engine(), { network: net, labels: testLabels, probe: { intervalMs: INTERVAL } });
    await monitor.start();
  });

  it('status --json runs one round and reports it', async () => {
    await sleep(100);
    const r = await tfmon(['status', '--json', '--no-usage', '--network', net, '--label', TEST_LABEL]);
    const s = JSON.parse(r.stdout) as { reachability: { from: string; to: string; dns: string; tcp: string }[] };
    expect(s.reachability.find((e) => e.from === own('r-worker-0') && e.to === own('r-ps-0'))).toMatchObject({
      dns: 'ok',
      tcp: 'ok',
    });
  });
});
