// The matrix model: marks, column labels, grouping of failures. Entries are the recorded round of
// the demo cluster with tf-worker-1 disconnected (test/fixtures/status-seed-disconnected.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ReachEntry } from '../../source/cluster/reach.js';
import { reachProblems } from '../../source/cluster/reach.js';
import { compareNodes, toNodeView } from '../../source/cluster/role.js';
import { buildMatrix, failuresOf, groupFailures, kindsOf, markOf, tally } from '../../source/ui/matrix-model.js';
import { seedFacts } from '../helpers/snapshot.js';

const recorded = JSON.parse(
  readFileSync(new URL('../fixtures/status-seed-disconnected.json', import.meta.url), 'utf8'),
) as {
  nodes: { name: string; ip: string | null }[];
  reachability: ReachEntry[];
};
const nodes = seedFacts()
  .map((f) => {
    const ip = recorded.nodes.find((n) => n.name === f.name)?.ip ?? null;
    return toNodeView({ ...f, ip, attached: ip !== null });
  })
  .sort(compareNodes);
const entries = recorded.reachability;

describe('matrix', () => {
  it('marks each pair; rows = from, columns = to, self on the diagonal', () => {
    const m = buildMatrix(nodes, entries);
    expect(m.columns.map((c) => c.label)).toEqual(['p0', 'w0', 'w1']);
    expect(m.marks).toEqual([
      ['self', 'ok', 'dns'],
      ['ok', 'self', 'dns'],
      ['error', 'error', 'self'],
    ]);
  });

  it('hosts only a TF_CONFIG names become extra columns; duplicate task labels fall back to row numbers', () => {
    const ghost: ReachEntry = { ...entries[1]!, to: 'tf-worker-9' };
    const dup = nodes.map((n) => (n.name === 'tf-worker-1' ? { ...n, index: 0 } : n));
    const m = buildMatrix(dup, [...entries, ghost]);
    expect(m.columns.map((c) => [c.label, c.isNode])).toEqual([
      ['p0', true],
      ['#2', true],
      ['#3', true],
      ['x1', false],
    ]);
    expect(m.marks[0]).toEqual(['self', 'ok', 'dns', 'dns']);
  });

  it('an address that resolves elsewhere is a mismatch; a pair never probed is none', () => {
    const ok = entries.find((e) => e.from === 'tf-ps-0' && e.to === 'tf-worker-0')!;
    expect(markOf(ok, '172.21.0.3')).toBe('ok');
    expect(markOf(ok, '172.21.0.99')).toBe('mismatch');
    expect(markOf(undefined, null)).toBe('none');
  });

  it('counts failures per node, both ways', () => {
    const m = buildMatrix(nodes, entries);
    expect(failuresOf(m, 0, 'tf-ps-0')).toEqual({ peers: 2, out: 1, in: 1, reachedBy: 2 });
    expect(failuresOf(m, 2, 'tf-worker-1')).toEqual({ peers: 2, out: 2, in: 2, reachedBy: 2 });
    expect(tally(entries, nodes)).toMatchObject({ pairs: 6, ok: 2, dns: 2, error: 2 });
  });

  it('groups failures greedily: the disconnected worker explains them all in two lines', () => {
    const groups = groupFailures(entries, nodes);
    expect(groups.map((g) => [g.kind, g.host, g.entries.length])).toEqual([
      ['from', 'tf-worker-1', 2],
      ['to', 'tf-worker-1', 2],
    ]);
    expect(kindsOf(groups[1]!.entries, nodes)).toBe('2 DNS');
  });

  it('a lookup that got no answer is a problem too, naming source and target', () => {
    const problems = reachProblems(entries, nodes).map((p) => `${p.node} ${p.code}`);
    expect(problems).toEqual([
      'tf-ps-0 peer_unresolvable',
      'tf-worker-0 peer_unresolvable',
      'tf-worker-1 peer_unresolvable',
      'tf-worker-1 peer_unresolvable',
    ]);
  });
});
