// What discovery reads off real containers: limits, ports, health, broken TF_CONFIG, label narrowing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../source/engine/engine.js';
import { ClusterMonitor } from '../../source/monitor/cluster-monitor.js';
import {
  cleanup,
  createNetwork,
  docker,
  own,
  requireEngine,
  runSim,
  simImage,
  TEST_LABEL,
  testLabels,
  tfmon,
} from './harness.js';

interface StatusNode {
  name: string;
  role: string;
  index: number | null;
  roleSource: string;
  health: string | null;
  tfConfigError: string | null;
  memLimitBytes: number | null;
}
interface Status {
  nodes: StatusNode[];
  problems: { node: string | null; code: string; message: string }[];
}

const status = async (network: string, extra: string[] = []): Promise<Status> => {
  const r = await tfmon(['status', '--json', '--network', network, '--label', TEST_LABEL, ...extra]);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Status;
};

let image = '';
beforeAll(async () => {
  requireEngine();
  image = await simImage();
});
afterAll(() => cleanup());

describe('discovery on the real engine', () => {
  it('up passes --cpus, --memory and --publish through to the containers', async () => {
    const net = own('lim');
    const hostPort = 20000 + Math.floor(Math.random() * 20000);
    const r = await tfmon([
      'up',
      '--network',
      net,
      '--label',
      TEST_LABEL,
      '--prefix',
      own('l'),
      '--workers',
      '2',
      '--cpus',
      '0.5',
      '--memory',
      '96m',
      '--publish',
      `${hostPort}:8888`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const w1 = `${own('l')}-worker-1`;
    expect(docker('inspect', w1, '--format', '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}')).toBe(
      `500000000 ${96 * 1024 * 1024}`,
    );
    expect(docker('port', w1, '8888')).toContain(`:${hostPort + 1}`);
    const s = await status(net);
    expect(s.nodes.find((n) => n.name === w1)?.memLimitBytes).toBe(96 * 1024 * 1024);
  });

  it('shows a broken TF_CONFIG with its reason, and takes the role from the name', async () => {
    const net = own('bad');
    createNetwork(net);
    runSim(image, own('bad-worker-0'), net, {
      env: { TF_CONFIG: '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}' },
    });
    runSim(image, own('jupyter'), net);
    const s = await status(net);
    const bad = s.nodes.find((n) => n.name === own('bad-worker-0'));
    expect(bad).toMatchObject({ role: 'worker', index: 0, roleSource: 'name' });
    expect(bad?.tfConfigError).toBe('task worker:3 is not in the cluster (it has 1 worker task)');
    expect(s.problems).toContainEqual(
      expect.objectContaining({ node: own('bad-worker-0'), code: 'tf_config_invalid' }),
    );
    expect(s.problems).toContainEqual(expect.objectContaining({ node: own('jupyter'), code: 'role_unknown' }));
    const code = (await tfmon(['status', '--network', net, '--label', TEST_LABEL])).code;
    expect(code).toBe(0);
  });

  it('narrows the cluster with --label', async () => {
    const net = own('lab');
    createNetwork(net);
    runSim(image, own('lab-worker-0'), net, { labels: { team: 'a' } });
    runSim(image, own('lab-worker-1'), net, { labels: { team: 'b' } });
    const s = await status(net, ['--label', 'team=b']);
    expect(s.nodes.map((n) => n.name)).toEqual([own('lab-worker-1')]);
  });

  it('follows health status through events', async () => {
    const net = own('hl');
    createNetwork(net);
    const monitor = new ClusterMonitor(new Engine(), { network: net, labels: testLabels });
    await monitor.start();
    try {
      docker(
        'run',
        '-d',
        '--name',
        own('hl-ps-0'),
        '--network',
        net,
        '--label',
        TEST_LABEL,
        '--health-cmd',
        'true',
        '--health-interval',
        '1s',
        '--health-start-period',
        '0s',
        image,
      );
      const s = await monitor.waitFor((snap) => snap.nodes.some((n) => n.health === 'healthy'), 8000);
      expect(s.nodes[0]).toMatchObject({ name: own('hl-ps-0'), role: 'ps', health: 'healthy' });
    } finally {
      monitor.stop();
    }
  });

  it('reads the default bridge network and says it does not resolve names', async () => {
    const r = await tfmon(['status', '--json', '--network', 'bridge', '--label', TEST_LABEL]);
    const s = JSON.parse(r.stdout) as Status;
    expect(s.problems[0]).toMatchObject({ code: 'default_bridge_network' });
  });
});
