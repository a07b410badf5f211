// tfmon up → status → live monitor → down, on the real engine.
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../source/engine/engine.js';
import { ClusterMonitor } from '../../source/monitor/cluster-monitor.js';
import { App } from '../../source/ui/App.js';
import {
  cleanup,
  docker,
  dockerOk,
  own,
  requireEngine,
  runSim,
  runSimAsync,
  simImage,
  TEST_LABEL,
  testLabels,
  tfmon,
} from './harness.js';

const net = own('net');
const prefix = own('c');
const common = ['--network', net, '--label', TEST_LABEL];
let image = '';
let monitor: ClusterMonitor | null = null;

beforeAll(async () => {
  requireEngine();
  image = await simImage();
});
afterAll(() => {
  monitor?.stop();
  cleanup();
});

describe('a cluster from tfmon up to tfmon down', () => {
  it('up creates the seed topology: network, 1 ps and 2 workers with labels', async () => {
    const r = await tfmon(['up', ...common, '--prefix', prefix]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`started ${prefix}-worker-1 (worker 1)`);
    const names = docker('ps', '--filter', `label=tfmon.cluster=${net}`, '--format', '{{.Names}}').split('\n').sort();
    expect(names).toEqual([`${prefix}-ps-0`, `${prefix}-worker-0`, `${prefix}-worker-1`]);
    expect(docker('network', 'inspect', net, '--format', '{{index .Labels "tfmon.created-by"}}')).toBe('tfmon');
    expect(
      docker(
        'inspect',
        `${prefix}-worker-1`,
        '--format',
        '{{index .Config.Labels "tfmon.role"}}:{{index .Config.Labels "tfmon.index"}}',
      ),
    ).toBe('worker:1');
  });

  it('up again keeps what is there and starts what was stopped', async () => {
    docker('stop', '-t', '1', `${prefix}-worker-0`);
    const r = await tfmon(['up', ...common, '--prefix', prefix]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`started ${prefix}-worker-0 again (it was stopped)`);
    expect(r.stdout).toContain(`kept ${prefix}-ps-0 (already running)`);
    expect(r.stdout).toContain('0 started, 3 already there');
    expect(docker('inspect', `${prefix}-worker-0`, '--format', '{{.State.Running}}')).toBe('true');
  });

  it('status --json lists 3 nodes with the right roles, indexes and IPs', async () => {
    const r = await tfmon(['status', '--json', ...common]);
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout) as {
      network: string;
      nodes: { name: string; role: string; index: number; ip: string; port: number; roleSource: string }[];
      problems: unknown[];
    };
    expect(status.network).toBe(net);
    expect(status.nodes.map((n) => [n.name, n.role, n.index, n.roleSource, n.port])).toEqual([
      [`${prefix}-ps-0`, 'ps', 0, 'tf_config', 2222],
      [`${prefix}-worker-0`, 'worker', 0, 'tf_config', 2222],
      [`${prefix}-worker-1`, 'worker', 1, 'tf_config', 2222],
    ]);
    for (const n of status.nodes) {
      expect(n.ip).toBe(
        docker('inspect', n.name, '--format', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`),
      );
    }
    // Nothing wrong but the missing coordinator (the seed has ps and workers, no chief): a warning.
    expect((status.problems as { severity: string; code: string }[]).map((p) => `${p.severity}:${p.code}`)).toEqual([
      'warning:no_chief',
    ]);
  });

  it('the plain status table shows the same cluster', async () => {
    const r = await tfmon(['status', ...common]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`worker\\s+1\\s+${prefix}-worker-1\\s+running\\s+\\d+\\.\\d+\\.\\d+\\.\\d+:2222`),
    );
    // Without a TTY, bare `tfmon` prints the same table instead of opening the screen.
    const bare = await tfmon(common);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain(`${prefix}-worker-1`);
  });

  it('a 4th container started on the network appears in a running monitor within 2 s (events, no polling)', async () => {
    monitor = new ClusterMonitor(new Engine(), { network: net, labels: testLabels });
    await monitor.start();
    expect(monitor.getSnapshot().nodes).toHaveLength(3);
    const started = Date.now();
    // From the engine's answer to docker run (the container started) to the snapshot holding it.
    await runSimAsync(image, `${prefix}-worker-2`, net);
    const s = await monitor.waitFor(
      (snap) => snap.nodes.some((n) => n.name === `${prefix}-worker-2` && n.state === 'running' && n.ip),
      10_000,
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(2000);
    const added = s.nodes.find((n) => n.name === `${prefix}-worker-2`);
    expect(added).toMatchObject({ role: 'worker', index: 2, roleSource: 'name' });
    // The old workers' TF_CONFIG lists 2 workers: stale now.
    expect(s.problems.filter((p) => p.code === 'tf_config_stale')).toHaveLength(3);
  });

  it('the live screen renders the monitor’s snapshot', async () => {
    const r = render(<App store={monitor!} theme={{ color: false, ascii: false }} size={{ columns: 120, rows: 30 }} />);
    try {
      const frame = r.lastFrame() ?? '';
      expect(frame).toContain('4 nodes: 1 ps, 3 worker');
      expect(frame).toMatch(new RegExp(`worker\\s+2\\s+${prefix}-worker-2\\s+running`));
    } finally {
      r.unmount();
    }
  });

  it('a killed container shows as exited (137), with a problem', async () => {
    docker('kill', `${prefix}-worker-2`);
    const s = await monitor!.waitFor(
      (snap) => snap.nodes.some((n) => n.name === `${prefix}-worker-2` && n.state === 'exited'),
      5000,
    );
    expect(s.problems).toContainEqual(
      expect.objectContaining({ node: `${prefix}-worker-2`, code: 'not_running', severity: 'error' }),
    );
    expect(s.nodes.find((n) => n.name === `${prefix}-worker-2`)?.exitCode).toBe(137);
  });

  it('a removed container leaves the monitor', async () => {
    docker('rm', '-f', `${prefix}-worker-2`);
    const s = await monitor!.waitFor((snap) => !snap.nodes.some((n) => n.name === `${prefix}-worker-2`), 2000);
    expect(s.nodes).toHaveLength(3);
  });

  it('a member disconnected from the network stays listed as not attached; reconnected, it has its IP again', async () => {
    docker('network', 'disconnect', net, `${prefix}-worker-1`);
    const cut = await monitor!.waitFor(
      (snap) => snap.nodes.some((n) => n.name === `${prefix}-worker-1` && !n.attached),
      2000,
    );
    expect(cut.nodes.find((n) => n.name === `${prefix}-worker-1`)?.ip).toBeNull();
    expect(cut.problems).toContainEqual(expect.objectContaining({ node: `${prefix}-worker-1`, code: 'not_attached' }));
    docker('network', 'connect', net, `${prefix}-worker-1`);
    const s = await monitor!.waitFor((snap) => snap.nodes.some((n) => n.name === `${prefix}-worker-1` && n.ip), 2000);
    expect(s.nodes).toHaveLength(3);
  });

  it('down removes only this cluster and the network it made; nothing labelled is left', async () => {
    // A bystander on the same network without the cluster label must survive down.
    runSim(image, own('bystander'), net);
    const r = await tfmon(['down', '--yes', ...common]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('removed 3 containers');
    expect(docker('ps', '-aq', '--filter', `label=tfmon.cluster=${net}`)).toBe('');
    expect(dockerOk('inspect', own('bystander'))).toBe(true);
    // The bystander keeps the network alive: down says so instead of failing.
    expect(r.stdout).toMatch(/kept network .*active endpoints|kept network/);
    docker('rm', '-f', own('bystander'));
    const again = await tfmon(['down', '--yes', ...common]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`removed network ${net}`);
    expect(dockerOk('network', 'inspect', net)).toBe(false);
  });

  it('down without --yes and without a terminal refuses, removing nothing', async () => {
    const r = await tfmon(['down', ...common]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'tfmon: tfmon down removes containers: pass --yes to confirm (stdin is not a terminal)',
    );
  });
});

describe('tfmon up refuses a name taken outside the cluster', () => {
  const net2 = own('net2');
  const prefix2 = own('d');
  it('leaves nothing behind', async () => {
    docker('create', '--name', `${prefix2}-worker-1`, '--label', TEST_LABEL, image);
    const r = await tfmon(['up', '--network', net2, '--label', TEST_LABEL, '--prefix', prefix2]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`the name "${prefix2}-worker-1" is taken by a container outside this cluster`);
    expect(dockerOk('network', 'inspect', net2)).toBe(false);
    expect(dockerOk('inspect', `${prefix2}-ps-0`)).toBe(false);
    // The foreign container is untouched.
    expect(docker('inspect', `${prefix2}-worker-1`, '--format', '{{.State.Status}}')).toBe('created');
  });
});
