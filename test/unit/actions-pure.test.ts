// The pure side of the actions: the clone's create request (from the recorded inspect of a sim
// worker), the regenerate plan, the fix for every problem code, and where TF_CONFIG files may go.
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cloneBody, nextName } from '../../source/cluster/clone.js';
import { fixFor, KNOWN_CODES } from '../../source/cluster/fixes.js';
import { findProblems } from '../../source/cluster/problems.js';
import { tfConfigPlan } from '../../source/cluster/regenerate.js';
import { toNodeView } from '../../source/cluster/role.js';
import { tfConfigFor, type TaskSpec } from '../../source/cluster/tf-config.js';
import { writeTfConfigFiles } from '../../source/engine/cluster-actions.js';
import { facts, recordedInspect } from '../helpers/facts.js';

// The action log goes to a temporary file, never to the developer's own state directory.
process.env['TFMON_ACTION_LOG'] = join(mkdtempSync(join(tmpdir(), 'tfmon-log-')), 'actions.log');

const tasks: TaskSpec[] = [
  { type: 'ps', index: 0, host: 'tf-ps-0', port: 2222 },
  { type: 'worker', index: 0, host: 'tf-worker-0', port: 2222 },
  { type: 'worker', index: 1, host: 'tf-worker-1', port: 2222 },
];
const nodes = tasks.map((t) =>
  toNodeView(facts({ id: t.host, name: t.host, tfConfigRaw: tfConfigFor(tasks, t), labels: {} })),
);

describe('clone', () => {
  it('names the next worker of a series', () => {
    expect(nextName('tf-worker-1', 1, 2)).toBe('tf-worker-2');
    expect(nextName('trainer', 0, 1)).toBe('trainer-1');
  });

  it('keeps what runs, replaces TF_CONFIG and the index, drops the old name from the aliases', () => {
    const body = cloneBody(recordedInspect, {
      name: 'tf-worker-2',
      network: 'tf-network',
      env: { TF_CONFIG: '{"x":1}' },
      index: 2,
      hostPort: (p) => p + 2,
      keepAddress: false,
    });
    const env = body['Env'] as string[];
    expect(env.filter((e) => e.startsWith('TF_CONFIG='))).toEqual(['TF_CONFIG={"x":1}']);
    expect(env).toContain('GRPC_FAIL_FAST=use_caller');
    expect((body['Labels'] as Record<string, string>)['tfmon.index']).toBe('2');
    expect(body['Hostname']).toBe('tf-worker-2');
    expect(body['Image']).toBe((recordedInspect as { Config: { Image: string } }).Config.Image);
    expect(body['Cmd']).toEqual((recordedInspect as { Config: { Cmd: string[] } }).Config.Cmd);
    expect(body['NetworkingConfig']).toEqual({ EndpointsConfig: { 'tf-network': { Aliases: [] } } });
    expect((body['HostConfig'] as { NetworkMode: string }).NetworkMode).toBe('tf-network');
  });

  it('shifts published host ports', () => {
    const inspect = {
      ...(recordedInspect as object),
      HostConfig: {
        PortBindings: {
          '8888/tcp': [
            { HostIp: '', HostPort: '8889' },
            { HostIp: '::', HostPort: '8889' },
          ],
        },
      },
    };
    const body = cloneBody(inspect, {
      name: 'w2',
      network: 'tf-network',
      env: { TF_CONFIG: '{}' },
      index: 2,
      hostPort: (p) => p + 1,
      keepAddress: false,
    });
    expect((body['HostConfig'] as { PortBindings: unknown }).PortBindings).toEqual({
      '8888/tcp': [
        { HostIp: '', HostPort: '8890' },
        { HostIp: '::', HostPort: '8890' },
      ],
    });
  });
});

describe('regenerate', () => {
  it('a new worker makes every older node differ, and only by that worker', () => {
    const w2 = toNodeView(
      facts({
        id: 'w2',
        name: 'tf-worker-2',
        tfConfigRaw: null,
        labels: { 'tfmon.role': 'worker', 'tfmon.index': '2' },
      }),
    );
    const plan = tfConfigPlan([...nodes, w2]);
    if (!plan.ok) throw new Error(plan.error);
    expect(plan.plans.map((p) => [p.node.name, p.diff])).toEqual([
      ['tf-ps-0', ['worker: + tf-worker-2:2222']],
      ['tf-worker-0', ['worker: + tf-worker-2:2222']],
      ['tf-worker-1', ['worker: + tf-worker-2:2222']],
      ['tf-worker-2', ['TF_CONFIG: not set']],
    ]);
    expect(JSON.parse(plan.plans[3]!.desired)).toEqual({
      cluster: { worker: ['tf-worker-0:2222', 'tf-worker-1:2222', 'tf-worker-2:2222'], ps: ['tf-ps-0:2222'] },
      task: { type: 'worker', index: 2 },
    });
  });

  it('refuses a topology TensorFlow would not accept', () => {
    const twin = toNodeView(
      facts({ id: 'x', name: 'tf-worker-9', tfConfigRaw: tfConfigFor(tasks, tasks[1]!), labels: {} }),
    );
    const plan = tfConfigPlan([...nodes, twin]);
    expect(plan.ok ? '' : plan.error).toBe('two nodes claim worker 0: rename or remove one first');
  });
});

describe('doctor fixes', () => {
  it('every problem code tfmon raises has a fix of its own', () => {
    const sources = ['problems.ts', 'reach.ts']
      .map((f) => readFileSync(new URL(`../../source/cluster/${f}`, import.meta.url), 'utf8'))
      .join('\n');
    const raised = [...sources.matchAll(/'([a-z]+(?:_[a-z]+)+)'/g)]
      .map((m) => m[1]!)
      .filter((c) => !['tf_config'].includes(c));
    const codes = new Set(raised.filter((c) => /^(?:[a-z]+_)+[a-z]+$/.test(c)));
    for (const code of codes) expect(KNOWN_CODES, code).toContain(code);
    const p = findProblems({ name: 'bridge', id: null, driver: 'bridge' }, nodes)[0]!;
    expect(fixFor(p, 'bridge')).toMatch(/docker network create/);
  });
});

describe('TF_CONFIG files', () => {
  it('writes <dir>/<node>.json atomically, keeps .bak, refuses names that would leave the directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfmon-files-'));
    const plan = tfConfigPlan(nodes);
    if (!plan.ok) throw new Error(plan.error);
    writeTfConfigFiles(dir, plan.plans);
    writeTfConfigFiles(dir, plan.plans);
    expect(existsSync(join(dir, 'tf-ps-0.json.bak'))).toBe(true);
    const evil = { ...plan.plans[0]!, node: { ...plan.plans[0]!.node, name: '../../etc/evil' } };
    expect(() => writeTfConfigFiles(dir, [evil])).toThrow('not a plain file name');
    expect(existsSync(join(dir, '..', '..', 'etc', 'evil.json'))).toBe(false);
  });
});

describe('swarm', () => {
  it("keeps each slot's current task (swarm leaves old tasks' containers on the network)", async () => {
    const { currentTasks } = await import('../../source/cluster/swarm.js');
    const task = (id: string, name: string, state: 'running' | 'exited', startedAt: string) =>
      toNodeView(facts({ id, name, state, startedAt, service: 'tf-worker-0', labels: {}, tfConfigRaw: null }));
    const old = task('a', 'tf-worker-0.1.aaaaaaaaaaaaaaaaaaaaaaaaa', 'exited', '2026-01-01T00:00:00Z');
    const now = task('b', 'tf-worker-0.1.bbbbbbbbbbbbbbbbbbbbbbbbb', 'running', '2026-01-01T00:01:00Z');
    const plain = toNodeView(facts({ id: 'c', name: 'tf-ps-0', labels: {} }));
    expect(currentTasks([old, now, plain]).map((n) => n.id)).toEqual(['b', 'c']);
    expect(now.dnsName).toBe('tf-worker-0');
  });

  it("several engines' views: a manager's remote task is the worker's container, once; a task moved to another host keeps its history", async () => {
    const { mergeSwarmViews, SlotHistory } = await import('../../source/cluster/swarm.js');
    const onB = toNodeView(
      facts({
        id: 'cb',
        name: 'tf-worker-0.1.bbbbbbbbbbbbbbbbbbbbbbbbb',
        service: 'tf-worker-0',
        swarmNodeId: 'nb',
        labels: { 'com.docker.swarm.task.id': 'bbbbbbbbbbbbbbbbbbbbbbbbb' },
        tfConfigRaw: null,
      }),
    );
    const remote = { ...onB, id: 'task:bbbbbbbbbbbbbbbbbbbbbbbbb', remote: true, labels: {} };
    const names = { na: { name: 'host-a', state: 'ready' }, nb: { name: 'host-b', state: 'ready' } };
    const merged = mergeSwarmViews([remote, onB], names);
    expect(merged.current.map((n) => [n.id, n.swarmNode])).toEqual([['cb', 'host-b']]);
    // host-b lost: Swarm starts the slot's task again on host-a.
    const history = new SlotHistory();
    history.apply(merged.all, merged.current, (n) => n.swarmNode);
    const onA = toNodeView(
      facts({
        id: 'ca',
        name: 'tf-worker-0.1.aaaaaaaaaaaaaaaaaaaaaaaaa',
        service: 'tf-worker-0',
        swarmNodeId: 'na',
        startedAt: '2026-12-05T10:00:00Z',
        labels: { 'com.docker.swarm.task.id': 'aaaaaaaaaaaaaaaaaaaaaaaaa' },
        tfConfigRaw: null,
      }),
    );
    const after = mergeSwarmViews([onA], names);
    const [moved] = history.apply(after.all, after.current, (n) => n.swarmNode);
    expect([moved?.id, moved?.swarmNode, moved?.earlierTasks, moved?.movedFrom]).toEqual(['ca', 'host-a', 1, 'host-b']);
  });

  it('a service per task: dnsrr, the task name as alias, limits, placement, host-mode ports', async () => {
    const { serviceSpec } = await import('../../source/cluster/service-spec.js');
    const spec = serviceSpec(
      {
        name: 'tf-worker-1',
        type: 'worker',
        index: 1,
        image: 'img',
        command: null,
        env: { TF_CONFIG: '{}' },
        labels: { 'tfmon.role': 'worker' },
        nanoCpus: 1.5e9,
        memoryBytes: 1 << 30,
        gpus: { count: 2, deviceIds: null },
        ports: [{ hostPort: 8889, containerPort: 8888 }],
      },
      'tf-net',
      ['node.labels.gpu==true'],
    );
    expect(spec).toMatchObject({
      Name: 'tf-worker-1',
      EndpointSpec: {
        Mode: 'dnsrr',
        Ports: [{ TargetPort: 8888, PublishedPort: 8889, PublishMode: 'host', Protocol: 'tcp' }],
      },
      TaskTemplate: {
        ContainerSpec: { Image: 'img', Env: ['TF_CONFIG={}'], Hostname: 'tf-worker-1' },
        Networks: [{ Target: 'tf-net', Aliases: ['tf-worker-1'] }],
        Placement: { Constraints: ['node.labels.gpu==true'] },
        Resources: {
          Limits: { NanoCPUs: 1.5e9, MemoryBytes: 1 << 30 },
          Reservations: { GenericResources: [{ DiscreteResourceSpec: { Kind: 'NVIDIA-GPU', Value: 2 } }] },
        },
      },
    });
  });
});

describe('swarm tasks on other nodes', () => {
  it('a task the manager knows but this engine runs no container for joins as remote', async () => {
    const { factsFromTask, containerIdOf } = await import('../../source/engine/swarm-tasks.js');
    const tasks = JSON.parse(readFileSync(new URL('../fixtures/swarm-tasks.json', import.meta.url), 'utf8')) as {
      Status: { State: string };
      ServiceID: string;
      Spec: { ContainerSpec: { Env: string[] } };
    }[];
    const net = { name: 'tf-overlay', id: null };
    const pending = tasks.find((t) => t.Status.State === 'pending')!;
    const f = factsFromTask(pending, 'tf-worker-2', net)!;
    expect(f).toMatchObject({ state: 'created', ip: '10.0.1.6', service: 'tf-worker-2', remote: true, attached: true });
    expect(f.id.startsWith('task:')).toBe(true);
    expect(containerIdOf(pending)).toBeNull();
    const view = toNodeView(f);
    expect([view.role, view.index, view.dnsName]).toEqual(['worker', 2, 'tf-worker-2']);
    const running = tasks.find((t) => t.Status.State === 'running')!;
    expect(containerIdOf(running)).toMatch(/^[0-9a-f]{64}$/);
    expect(factsFromTask(running, 'x', { name: 'other-net', id: null })).toBeNull();
  });
});
