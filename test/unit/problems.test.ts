import { describe, expect, it } from 'vitest';
import { exitCodeFor, findProblems } from '../../source/cluster/problems.js';
import { toNodeView } from '../../source/cluster/role.js';
import { tfConfigFor, type TaskSpec } from '../../source/cluster/tf-config.js';
import { facts } from '../helpers/facts.js';

const net = { name: 'tf-network', id: 'n1', driver: 'bridge' };
const tasks: TaskSpec[] = [
  { type: 'ps', index: 0, host: 'tf-ps-0', port: 2222 },
  { type: 'worker', index: 0, host: 'tf-worker-0', port: 2222 },
  { type: 'worker', index: 1, host: 'tf-worker-1', port: 2222 },
];
const node = (t: TaskSpec, over = {}) =>
  toNodeView(facts({ id: t.host, name: t.host, tfConfigRaw: tfConfigFor(tasks, t), labels: {}, ...over }));
const healthy = tasks.map((t) => node(t));
// The seed has ps and no chief: that warning is everywhere below, and tested on its own.
const codes = (ps: ReturnType<typeof findProblems>) =>
  ps.filter((p) => p.code !== 'no_chief').map((p) => `${p.node ?? '-'}:${p.code}`);

describe('findProblems', () => {
  it('an empty network is a warning of its own, once the network is known to exist', () => {
    expect(findProblems(net, []).map((p) => [p.severity, p.node, p.code, p.message])).toEqual([
      [
        'warning',
        null,
        'no_nodes',
        'no containers on tf-network: nothing runs there, or the cluster is on another network',
      ],
    ]);
    expect(findProblems({ ...net, id: null }, [])).toEqual([]);
    expect(codes(findProblems(net, healthy))).not.toContain('-:no_nodes');
  });

  it('finds nothing wrong with the seed cluster but its missing coordinator (a warning)', () => {
    const ps = findProblems(net, healthy);
    expect(ps.map((p) => [p.severity, p.code])).toEqual([['warning', 'no_chief']]);
    expect(exitCodeFor(ps)).toBe(0);
    const chief = node({ type: 'chief', index: 0, host: 'tf-chief', port: 2222 });
    const all = [...tasks, { type: 'chief' as const, index: 0, host: 'tf-chief', port: 2222 }];
    const withChief = [
      ...all.map((t) => toNodeView(facts({ id: t.host, name: t.host, tfConfigRaw: tfConfigFor(all, t), labels: {} }))),
    ];
    expect(findProblems(net, withChief)).toEqual([]);
    expect(chief.role).toBe('chief');
  });

  it('finds each misconfiguration TensorFlow itself misses', () => {
    const two = tasks.slice(0, 2);
    const gap = node({ type: 'worker', index: 2, host: 'tf-worker-2', port: 2222 });
    expect(findProblems(net, [healthy[0]!, healthy[1]!, gap]).map((p) => p.message)).toContain(
      'worker indexes 0, 2: 1 missing (TensorFlow numbers tasks by their position in the list)',
    );
    const loop = JSON.stringify({
      cluster: { ps: ['localhost:2222'], worker: ['tf-worker-0:2222'] },
      task: { type: 'worker', index: 0 },
    });
    expect(codes(findProblems(net, [node(two[0]!), node(two[1]!, { tfConfigRaw: loop })]))).toContain(
      'tf-worker-0:loopback_address',
    );
    expect(codes(findProblems(net, [healthy[0]!, node(tasks[1]!, { grpcFailFast: null }), healthy[2]!]))).toEqual([
      'tf-worker-0:grpc_fail_fast_unset',
    ]);
    const published = node(tasks[1]!, {
      ports: [
        { containerPort: 2222, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 2222 },
        { containerPort: 8888, protocol: 'tcp', hostIp: '', hostPort: 8888 },
      ],
    });
    expect(codes(findProblems(net, [healthy[0]!, published, healthy[2]!]))).toEqual([
      'tf-worker-0:tf_port_public',
      'tf-worker-0:jupyter_public',
    ]);
    const local = node(tasks[1]!, {
      ports: [{ containerPort: 8888, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8888 }],
    });
    expect(codes(findProblems(net, [healthy[0]!, local, healthy[2]!]))).toEqual([]);
  });

  it('flags the default bridge network', () => {
    const ps = findProblems({ name: 'bridge', id: 'b', driver: 'bridge' }, healthy);
    expect(codes(ps)).toEqual(['-:default_bridge_network']);
    expect(ps[0]?.message).toMatch(/does not resolve container names/);
    expect(exitCodeFor(ps)).toBe(1);
  });

  it('reports an invalid TF_CONFIG with its reason', () => {
    const bad = node(tasks[1]!, { tfConfigRaw: '{"task": 1' });
    const ps = findProblems(net, [healthy[0]!, bad, healthy[2]!]);
    expect(codes(ps)).toContain('tf-worker-0:tf_config_invalid');
  });

  it('reports unknown roles as warnings only', () => {
    const stranger = toNodeView(facts({ id: 'x', name: 'jupyter', tfConfigRaw: null, labels: {} }));
    const ps = findProblems(net, [...healthy, stranger]);
    expect(codes(ps)).toEqual(['jupyter:role_unknown']);
    expect(exitCodeFor(ps)).toBe(0);
  });

  it('reports a stopped node with its exit code, an OOM kill and a crash loop, with the last error line', () => {
    const dead = {
      ...node(tasks[2]!, { state: 'exited', exitCode: 137, oomKilled: true }),
      lastError: 'ResourceExhaustedError: OOM when allocating tensor',
    };
    const ps = findProblems(net, [healthy[0]!, healthy[1]!, dead]);
    expect(ps.filter((p) => p.code !== 'no_chief').map((p) => [p.node, p.code, p.message])).toEqual([
      [
        'tf-worker-1',
        'oom_killed',
        'killed for lack of memory (OOM); last error: ResourceExhaustedError: OOM when allocating tensor',
      ],
      ['tf-worker-1', 'not_running', 'not running: exited (code 137)'],
    ]);
    const looping = {
      ...node(tasks[2]!, { state: 'restarting', restarts: 4 }),
      lastError: 'UnavailableError: failed to connect to all addresses',
    };
    expect(
      findProblems(net, [healthy[0]!, healthy[1]!, looping])
        .filter((p) => p.code !== 'no_chief')
        .map((p) => [p.code, p.message]),
    ).toEqual([
      ['crash_loop', 'crash loop: restarted 4 times; last error: UnavailableError: failed to connect to all addresses'],
    ]);
  });

  it('catches two tasks claiming the same slot (TensorFlow hangs instead)', () => {
    const twin = node(tasks[1]!, { id: 'twin', name: 'tf-worker-9' });
    const ps = findProblems(net, [...healthy.slice(0, 2), twin]);
    expect(codes(ps)).toContain('-:duplicate_task');
  });

  it('finds a TF_CONFIG that went stale after a worker was added', () => {
    const extra = toNodeView(
      facts({
        id: 'w2',
        name: 'tf-worker-2',
        tfConfigRaw: null,
        labels: { 'tfmon.role': 'worker', 'tfmon.index': '2' },
      }),
    );
    const ps = findProblems(net, [...healthy, extra]);
    const stale = ps.filter((p) => p.code === 'tf_config_stale');
    expect(stale.map((p) => p.node)).toEqual(['tf-ps-0', 'tf-worker-0', 'tf-worker-1']);
    expect(stale[0]?.message).toBe('TF_CONFIG differs from the live topology: worker: + tf-worker-2:2222');
  });
});
