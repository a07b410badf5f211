// Which pairs a round probes: TensorFlow's in the steady state, all of them in the full scope, only
// those an event touched; and one resolver per group of nodes on the same networks.
import { describe, expect, it } from 'vitest';
import { capPairs, pairKey, probePlan } from '../../source/cluster/probe-plan.js';
import { toNodeView } from '../../source/cluster/role.js';
import type { TaskSpec } from '../../source/cluster/tf-config.js';
import type { NodeView } from '../../source/cluster/types.js';
import { seedFacts } from '../helpers/snapshot.js';

const task = (type: TaskSpec['type'], index: number): TaskSpec => ({
  type,
  index,
  host: type === 'chief' ? 'tf-chief' : `tf-${type}-${index}`,
  port: 2222,
});
const clusterOf = (tasks: TaskSpec[]): NodeView[] => seedFacts(tasks).map((f) => toNodeView(f));
const pairsOf = (nodes: NodeView[], scope: 'tf' | 'all', touched: string[] | null = null): string[] =>
  probePlan(nodes, scope, touched ? new Set(touched) : null)
    .sources.flatMap((s) => s.targets.map((t) => `${s.node.name}>${t.host}`))
    .sort();

describe('probePlan', () => {
  const psCluster = clusterOf([
    task('chief', 0),
    task('ps', 0),
    task('ps', 1),
    task('worker', 0),
    task('worker', 1),
    task('worker', 2),
    task('evaluator', 0),
  ]);

  it('with ps tasks: workers and evaluator to every ps, the chief to every ps and worker; never worker to worker, never from a ps', () => {
    expect(pairsOf(psCluster, 'tf')).toEqual([
      'tf-chief>tf-ps-0',
      'tf-chief>tf-ps-1',
      'tf-chief>tf-worker-0',
      'tf-chief>tf-worker-1',
      'tf-chief>tf-worker-2',
      'tf-evaluator-0>tf-ps-0',
      'tf-evaluator-0>tf-ps-1',
      'tf-worker-0>tf-ps-0',
      'tf-worker-0>tf-ps-1',
      'tf-worker-1>tf-ps-0',
      'tf-worker-1>tf-ps-1',
      'tf-worker-2>tf-ps-0',
      'tf-worker-2>tf-ps-1',
    ]);
  });

  it('the full scope is every ordered pair: N×(N−1)', () => {
    expect(pairsOf(psCluster, 'all')).toHaveLength(7 * 6);
  });

  it('without ps (MultiWorkerMirroredStrategy): workers and chief all-to-all', () => {
    const mw = clusterOf([task('chief', 0), task('worker', 0), task('worker', 1)]);
    expect(pairsOf(mw, 'tf')).toEqual([
      'tf-chief>tf-worker-0',
      'tf-chief>tf-worker-1',
      'tf-worker-0>tf-chief',
      'tf-worker-0>tf-worker-1',
      'tf-worker-1>tf-chief',
      'tf-worker-1>tf-worker-0',
    ]);
  });

  it('where tfmon cannot check listeners from its host: a task nobody dials is dialed by the one before it (a ring)', () => {
    const noChief = clusterOf([task('ps', 0), task('worker', 0), task('worker', 1), task('worker', 2)]);
    expect(pairsOf(noChief, 'tf')).toEqual([
      'tf-worker-0>tf-ps-0',
      'tf-worker-0>tf-worker-1',
      'tf-worker-1>tf-ps-0',
      'tf-worker-1>tf-worker-2',
      'tf-worker-2>tf-ps-0',
      'tf-worker-2>tf-worker-0',
    ]);
    // Checked from the host instead: no ring.
    expect(probePlan(noChief, 'tf', null, false).sources.flatMap((src) => src.targets.map((t) => t.host))).toEqual([
      'tf-ps-0',
      'tf-ps-0',
      'tf-ps-0',
    ]);
    // Without ps and with one worker: the lone task is checked, from the chief, which dials it anyway.
    const two = clusterOf([task('chief', 0), task('worker', 0)]);
    expect(pairsOf(two, 'tf')).toEqual(['tf-chief>tf-worker-0', 'tf-worker-0>tf-chief']);
  });

  it('50 nodes (1 ps, 49 workers), listeners checked from the host: 49 connects a round instead of 2,450, every name resolved once', () => {
    const big = clusterOf([task('ps', 0), ...Array.from({ length: 49 }, (_, i) => task('worker', i))]);
    const plan = probePlan(big, 'tf', null, false);
    expect(plan.sources.flatMap((src) => src.targets)).toHaveLength(49);
    expect(plan.groups).toHaveLength(1);
    expect(plan.groups[0]?.names).toHaveLength(49);
    // Each worker's TF_CONFIG lists all 49 workers, which no pair dials: their names are looked up.
    expect(plan.groups[0]?.dnsOnly).toHaveLength(48); // all but the resolver's own name
    expect(pairsOf(big, 'all')).toHaveLength(50 * 49);
  });

  it('a TF_CONFIG address no pair covers (a stale worker name) is resolved, not connected to', () => {
    const seed = seedFacts();
    const stale = seed.map((f) =>
      f.name === 'tf-worker-1'
        ? {
            ...f,
            tfConfigRaw: JSON.stringify({
              cluster: { ps: ['tf-ps-0:2222'], worker: ['tf-worker-0:2222', 'tf-worker-1:2222', 'tf-worker-7:2222'] },
              task: { type: 'worker', index: 1 },
            }),
          }
        : f,
    );
    const plan = probePlan(
      stale.map((f) => toNodeView(f)),
      'tf',
    );
    expect(plan.sources.some((s) => s.targets.some((t) => t.host === 'tf-worker-7'))).toBe(false);
    expect(plan.groups.flatMap((g) => g.dnsOnly.filter((t) => t.host === 'tf-worker-7'))).toHaveLength(1);
    expect(plan.groups[0]?.names).toContain('tf-worker-7');
  });

  it('one group per set of networks, one resolver each, every name once', () => {
    const plan = probePlan(psCluster, 'all');
    expect(plan.groups).toHaveLength(1);
    expect(plan.groups[0]?.resolver?.name).toBe('tf-chief');
    expect(plan.groups[0]?.names).toEqual([
      'tf-chief',
      'tf-evaluator-0',
      'tf-ps-0',
      'tf-ps-1',
      'tf-worker-0',
      'tf-worker-1',
      'tf-worker-2',
    ]);
    const split = psCluster.map((n) => (n.name === 'tf-worker-2' ? { ...n, networks: ['other', 'tf-network'] } : n));
    const groups = probePlan(split, 'tf').groups;
    expect(groups.map((g) => [g.key, g.members.length])).toEqual([
      ['tf-network', 4],
      ['other,tf-network', 1],
    ]);
  });

  it('a touched node: only the pairs from or to it', () => {
    const w1 = psCluster.find((n) => n.name === 'tf-worker-1')!;
    expect(pairsOf(psCluster, 'tf', [w1.id])).toEqual([
      'tf-chief>tf-worker-1',
      'tf-worker-1>tf-ps-0',
      'tf-worker-1>tf-ps-1',
    ]);
    const ps0 = psCluster.find((n) => n.name === 'tf-ps-0')!;
    expect(pairsOf(psCluster, 'tf', [ps0.id])).toEqual([
      'tf-chief>tf-ps-0',
      'tf-evaluator-0>tf-ps-0',
      'tf-worker-0>tf-ps-0',
      'tf-worker-1>tf-ps-0',
      'tf-worker-2>tf-ps-0',
    ]);
  });

  it('nodes that are not running probe nothing', () => {
    const stopped = psCluster.map((n) => (n.name === 'tf-worker-0' ? { ...n, state: 'exited' as const } : n));
    expect(pairsOf(stopped, 'tf').some((p) => p.startsWith('tf-worker-0>'))).toBe(false);
    expect(pairsOf(stopped, 'tf')).toContain('tf-chief>tf-worker-0');
  });
});

describe('capPairs', () => {
  it('an all-to-all cluster dials a moving window of its pairs per round, every pair in turn', () => {
    const tasks = Array.from({ length: 7 }, (_, i) => ({
      type: 'worker' as const,
      index: i,
      host: `tf-worker-${i}`,
      port: 2222,
    }));
    const workers = seedFacts(tasks).map((f) => toNodeView(f));
    const full = probePlan(workers, 'tf', null, false);
    expect(full.sources.every((s) => s.targets.length === 6)).toBe(true);
    const seen = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const capped = capPairs(full, round, 2);
      expect(capped.sources.every((s) => s.targets.length === 2)).toBe(true);
      expect(capped.planned?.size).toBe(42);
      for (const s of capped.sources) for (const t of s.targets) seen.add(pairKey(s.node.name, t));
    }
    expect(seen.size).toBe(42); // ⌈6 / 2⌉ rounds cover every pair
    // A parameter-server cluster's plan is within the cap: unchanged.
    const ps = probePlan(
      seedFacts().map((f) => toNodeView(f)),
      'tf',
      null,
      false,
    );
    expect(capPairs(ps, 5, 2)).toEqual({ ...ps, planned: null });
  });
});
