// Root causes: each fault once, on the node where the fix goes; its consequences name it.
import { describe, expect, it } from 'vitest';
import { explain, rootsOf } from '../../source/cluster/causes.js';
import { findProblems } from '../../source/cluster/problems.js';
import { reachProblems, type ReachEntry } from '../../source/cluster/reach.js';
import { toNodeView } from '../../source/cluster/role.js';
import { tfConfigFor, type TaskSpec } from '../../source/cluster/tf-config.js';
import type { ContainerFacts, NodeView, Problem } from '../../source/cluster/types.js';
import { seedFacts, seedTasks } from '../helpers/snapshot.js';

const net = { name: 'tf-network', id: 'n', driver: 'bridge' };
const views = (list: ContainerFacts[]): NodeView[] => list.map((f) => toNodeView(f));
const IPS: Record<string, string> = {
  'tf-ps-0': '172.18.0.2',
  'tf-worker-0': '172.18.0.3',
  'tf-worker-1': '172.18.0.4',
};
const pair = (from: string, to: string, over: Partial<ReachEntry>): ReachEntry => ({
  from,
  to,
  port: 2222,
  dns: 'ok',
  ip: IPS[to] ?? null,
  tcp: 'ok',
  ms: 0,
  reason: null,
  tools: 'getent+nc',
  ...over,
});
const nx = (from: string, to: string): ReachEntry =>
  pair(from, to, { dns: 'nxdomain', ip: null, tcp: 'skipped', reason: `${to} does not resolve from ${from}` });
const refused = (from: string, to: string): ReachEntry =>
  pair(from, to, { tcp: 'refused', reason: `${to}:2222 refused the connection (nothing listens)` });

function diagnose(nodes: NodeView[], entries: ReachEntry[] = []): Problem[] {
  return explain([...findProblems(net, nodes), ...reachProblems(entries, nodes)], nodes);
}
const brief = (ps: Problem[]): string[] =>
  ps.map((p) => `${p.node}:${p.code}${p.causedBy ? `<-${p.causedBy.node}:${p.causedBy.code}` : ''}`);

describe('root causes', () => {
  it('a healthy cluster has no root error', () => {
    expect(
      rootsOf(
        diagnose(views(seedFacts()), [pair('tf-worker-0', 'tf-ps-0', {}), pair('tf-worker-1', 'tf-ps-0', {})]),
      ).filter((p) => p.severity === 'error'),
    ).toEqual([]);
  });

  it('a stopped peer: one root on it; the pairs that cannot reach it follow from it', () => {
    const facts = seedFacts().map((f) =>
      f.name === 'tf-ps-0' ? { ...f, state: 'exited' as const, exitCode: 1, ip: null } : f,
    );
    const out = diagnose(views(facts), [nx('tf-worker-0', 'tf-ps-0'), nx('tf-worker-1', 'tf-ps-0')]);
    expect(brief(rootsOf(out).filter((p) => p.severity === 'error'))).toEqual(['tf-ps-0:not_running']);
    expect(brief(out.filter((p) => p.causedBy))).toEqual([
      'tf-worker-0:peer_unresolvable<-tf-ps-0:not_running',
      'tf-worker-1:peer_unresolvable<-tf-ps-0:not_running',
    ]);
    expect(out.find((p) => p.code === 'peer_unresolvable')?.nodes).toEqual(['tf-worker-0', 'tf-ps-0']);
  });

  it("a node cut off the network: its own pairs and its peers' follow from its not_attached", () => {
    const facts = seedFacts().map((f) => (f.name === 'tf-worker-1' ? { ...f, attached: false, ip: null } : f));
    const out = diagnose(views(facts), [nx('tf-worker-1', 'tf-ps-0'), nx('tf-ps-0', 'tf-worker-1')]);
    expect(brief(rootsOf(out).filter((p) => p.severity === 'error'))).toEqual(['tf-worker-1:not_attached']);
    expect(
      out
        .filter((p) => p.causedBy)
        .every((p) => p.causedBy?.node === 'tf-worker-1' && p.causedBy.code === 'not_attached'),
    ).toBe(true);
  });

  it('refused by two peers where the host could not look: one not_listening root on the node', () => {
    const out = diagnose(views(seedFacts()), [refused('tf-worker-0', 'tf-ps-0'), refused('tf-worker-1', 'tf-ps-0')]);
    expect(brief(rootsOf(out).filter((p) => p.severity === 'error'))).toEqual(['tf-ps-0:not_listening']);
    expect(out.filter((p) => p.code === 'port_refused').map((p) => p.causedBy)).toEqual([
      { node: 'tf-ps-0', code: 'not_listening' },
      { node: 'tf-ps-0', code: 'not_listening' },
    ]);
  });

  it('a TF_CONFIG naming a host no container is: one unknown_host root on the node that says it', () => {
    const tasks: TaskSpec[] = [...seedTasks, { type: 'worker', index: 2, host: 'tf-worker-9', port: 2222 }];
    const facts = seedFacts().map((f) =>
      f.name === 'tf-ps-0' ? { ...f, tfConfigRaw: tfConfigFor(tasks, tasks[0]!) } : f,
    );
    const out = diagnose(views(facts), [nx('tf-ps-0', 'tf-worker-9')]);
    const unknown = out.find((p) => p.code === 'unknown_host');
    expect(unknown).toMatchObject({ node: 'tf-ps-0', nodes: ['tf-ps-0'], causedBy: null });
    expect(out.find((p) => p.code === 'peer_unresolvable')?.causedBy).toEqual({
      node: 'tf-ps-0',
      code: 'unknown_host',
    });
  });

  it('the same warning on every node is one finding naming them; duplicate_task is on its claimants', () => {
    const nodes = views(seedFacts().map((f) => ({ ...f, grpcFailFast: null })));
    const grpc = diagnose(nodes).filter((p) => p.code === 'grpc_fail_fast_unset');
    expect(grpc).toHaveLength(1);
    expect(grpc[0]).toMatchObject({ node: null, nodes: ['tf-ps-0', 'tf-worker-0', 'tf-worker-1'] });
    expect(grpc[0]!.message).toMatch(/on 3 of 3 nodes/);

    const dup = views(seedFacts()).map((n) => (n.name === 'tf-worker-1' ? { ...n, index: 0 } : n));
    const d = diagnose(dup).find((p) => p.code === 'duplicate_task');
    // tf-worker-1 claims worker 0: its name says 1, so the fix goes there.
    expect(d).toMatchObject({ node: 'tf-worker-1', nodes: ['tf-worker-0', 'tf-worker-1'] });
  });

  it('roots come first, errors before warnings; consequences after them', () => {
    const facts = seedFacts().map((f) => (f.name === 'tf-ps-0' ? { ...f, state: 'exited' as const, exitCode: 1 } : f));
    const out = diagnose(views(facts), [nx('tf-worker-0', 'tf-ps-0')]);
    const firstConsequence = out.findIndex((p) => p.causedBy);
    expect(out.slice(firstConsequence).every((p) => p.causedBy)).toBe(true);
    expect(out[0]).toMatchObject({ severity: 'error', causedBy: null });
  });
});

describe('a gap and a duplicate', () => {
  it('the gap follows from the duplicate only when the claimant left its own slot empty', () => {
    // tf-worker-1 claims worker 0: worker 1 is missing because of it.
    const tasks: TaskSpec[] = [...seedTasks, { type: 'worker', index: 2, host: 'tf-worker-2', port: 2222 }];
    const moved = views(seedFacts(tasks)).map((n) => (n.name === 'tf-worker-1' ? { ...n, index: 0 } : n));
    const out = diagnose(moved);
    expect(out.find((p) => p.code === 'index_gap')?.causedBy).toEqual({ node: 'tf-worker-1', code: 'duplicate_task' });
    // Two nodes named for worker 0 claim it, and worker 1 is missing for another reason: no link.
    const other = views(seedFacts(tasks)).map((n) =>
      n.name === 'tf-worker-1' ? { ...n, name: 'tf-extra-worker-0', dnsName: 'tf-extra-worker-0', index: 0 } : n,
    );
    expect(diagnose(other).find((p) => p.code === 'index_gap')?.causedBy).toBeNull();
  });
});
