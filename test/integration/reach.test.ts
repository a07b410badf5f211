// Reachability rounds in a running monitor, on the real engine.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../source/cluster/types.js';
import { Engine } from '../../source/engine/engine.js';
import { tarArchive } from '../../source/engine/tar.js';
import { ClusterMonitor } from '../../source/monitor/store.js';
import { cleanup, createNetwork, docker, own, requireEngine, runSim, simImage, sleep, TEST_LABEL, testLabels, tfmon } from './harness.js';

const net = own('reach');
const INTERVAL = 1000;
let monitor: ClusterMonitor;
let image = '';
const shellless = `tfmon-test-noshell:${own('img').toLowerCase()}`;
const pair = (s: Snapshot, from: string, to: string) => s.reachability.find((e) => e.from === from && e.to === to);

beforeAll(async () => {
  requireEngine();
  image = await simImage();
  createNetwork(net);
  const cfg = JSON.stringify({ cluster: { ps: [`${own('r-ps-0')}:2222`], worker: [`${own('r-worker-0')}:2222`, `${own('ghost-worker-7')}:2222`] }, task: { type: 'worker', index: 0 } });
  runSim(image, own('r-ps-0'), net);
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
  it('probes every pair and every TF_CONFIG address: ok, refused (no listener), NXDOMAIN (missing host)', async () => {
    const s = await monitor.waitFor((snap) => snap.reachability.length >= 7, 8000);
    expect(pair(s, own('r-worker-0'), own('r-ps-0'))).toMatchObject({ dns: 'ok', tcp: 'ok' });
    expect(pair(s, own('r-ps-0'), own('r-worker-1'))).toMatchObject({ dns: 'ok', tcp: 'refused' });
    expect(pair(s, own('r-worker-0'), own('ghost-worker-7'))).toMatchObject({ dns: 'nxdomain', tcp: 'skipped' });
    const codes = s.problems.map((p) => `${p.node}:${p.code}`);
    expect(codes).toContain(`${own('r-worker-0')}:peer_unresolvable`);
    expect(codes).toContain(`${own('r-ps-0')}:port_refused`);
    expect(pair(s, own('r-worker-0'), own('r-ps-0'))?.ip).toBe(docker('inspect', own('r-ps-0'), '--format', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`));
  });

  it('creates no exec per round once the sessions are up', async () => {
    await monitor.probeNow();
    const before = monitor.probe!.execsCreated;
    await monitor.probeNow();
    await monitor.probeNow();
    expect(monitor.probe!.execsCreated).toBe(before);
  });

  it('a disconnected worker turns to failures within one interval + 2 s', async () => {
    docker('network', 'disconnect', net, own('r-ps-0'));
    const started = Date.now();
    const s = await monitor.waitFor((snap) => pair(snap, own('r-worker-0'), own('r-ps-0'))?.dns === 'nxdomain', INTERVAL + 2000);
    expect(Date.now() - started).toBeLessThan(INTERVAL + 2000);
    expect(pair(s, own('r-worker-0'), own('r-ps-0'))?.reason).toMatch(/does not resolve/);
    docker('network', 'connect', net, own('r-ps-0'));
    await monitor.waitFor((snap) => pair(snap, own('r-worker-0'), own('r-ps-0'))?.tcp === 'ok', 10_000);
  });

  it('a container without a shell is reported unprobed, with the reason', async () => {
    const busybox = readFileSync('/bin/busybox');
    await new Engine().importImage(tarArchive([{ type: 'dir', path: 'bin' }, { type: 'file', path: 'bin/busybox', data: busybox, mode: 0o755 }]), shellless, ['CMD ["/bin/busybox", "sleep", "3600"]']);
    docker('run', '-d', '--name', own('noshell-worker-2'), '--network', net, '--label', TEST_LABEL, shellless);
    const s = await monitor.waitFor((snap) => snap.reachability.some((e) => e.from === own('noshell-worker-2')), 10_000);
    const rows = s.reachability.filter((e) => e.from === own('noshell-worker-2'));
    expect(rows.every((e) => e.dns === 'unprobed' && e.tcp === 'unprobed')).toBe(true);
    expect(rows[0]?.reason).toMatch(/noshell-worker-2/);
  });

  it('status --json runs one round and reports it', async () => {
    await sleep(100);
    const r = await tfmon(['status', '--json', '--no-usage', '--network', net, '--label', TEST_LABEL]);
    const s = JSON.parse(r.stdout) as { reachability: { from: string; to: string; dns: string; tcp: string }[] };
    expect(s.reachability.find((e) => e.from === own('r-worker-0') && e.to === own('r-ps-0'))).toMatchObject({ dns: 'ok', tcp: 'ok' });
  });
});
