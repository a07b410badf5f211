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
const codes = (ps: ReturnType<typeof findProblems>) => ps.map((p) => `${p.node ?? '-'}:${p.code}`);

describe('findProblems', () => {
  it('finds nothing wrong with the seed cluster', () => {
    expect(findProblems(net, healthy)).toEqual([]);
    expect(exitCodeFor([])).toBe(0);
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
    const dead = { ...node(tasks[2]!, { state: 'exited', exitCode: 137, oomKilled: true }), lastError: 'ResourceExhaustedError: OOM when allocating tensor' };
    const ps = findProblems(net, [healthy[0]!, healthy[1]!, dead]);
    expect(ps.map((p) => [p.node, p.code, p.message])).toEqual([
      ['tf-worker-1', 'oom_killed', 'killed for lack of memory (OOM); last error: ResourceExhaustedError: OOM when allocating tensor'],
      ['tf-worker-1', 'not_running', 'not running: exited (code 137)'],
    ]);
    const looping = { ...node(tasks[2]!, { state: 'restarting', restarts: 4 }), lastError: 'UnavailableError: failed to connect to all addresses' };
    expect(findProblems(net, [healthy[0]!, healthy[1]!, looping]).map((p) => [p.code, p.message])).toEqual([
      ['crash_loop', 'crash loop: restarted 4 times; last error: UnavailableError: failed to connect to all addresses'],
    ]);
  });

  it('catches two tasks claiming the same slot (TensorFlow hangs instead)', () => {
    const twin = node(tasks[1]!, { id: 'twin', name: 'tf-worker-9' });
    const ps = findProblems(net, [...healthy.slice(0, 2), twin]);
    expect(codes(ps)).toContain('-:duplicate_task');
  });

  it('finds a TF_CONFIG that went stale after a worker was added', () => {
    const extra = toNodeView(facts({ id: 'w2', name: 'tf-worker-2', tfConfigRaw: null, labels: { 'tfmon.role': 'worker', 'tfmon.index': '2' } }));
    const ps = findProblems(net, [...healthy, extra]);
    const stale = ps.filter((p) => p.code === 'tf_config_stale');
    expect(stale.map((p) => p.node)).toEqual(['tf-ps-0', 'tf-worker-0', 'tf-worker-1']);
    expect(stale[0]?.message).toBe('TF_CONFIG lists 2 workers, the network has 3');
  });
});
