import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProbeOutput } from '../../source/cluster/probe.js';
import { entriesOf, reachProblems, targetsOf } from '../../source/cluster/reach.js';
import { toNodeView } from '../../source/cluster/role.js';
import { seedFacts } from '../helpers/snapshot.js';

const nodes = seedFacts().map((f) => toNodeView(f));
const [ps, w0] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];

describe('targets', () => {
  it('are the other nodes and the node’s own TF_CONFIG addresses, once each', () => {
    expect(targetsOf(w0, nodes)).toEqual([
      { host: 'tf-ps-0', port: 2222 },
      { host: 'tf-worker-1', port: 2222 },
    ]);
    const stale = toNodeView({
      ...seedFacts()[1]!,
      tfConfigRaw: JSON.stringify({
        cluster: { worker: ['tf-worker-0:2222', 'tf-worker-9:2222'], ps: ['tf-ps-0:3333'] },
        task: { type: 'worker', index: 0 },
      }),
    });
    expect(targetsOf(stale, nodes).map((t) => `${t.host}:${t.port}`)).toEqual([
      'tf-ps-0:2222',
      'tf-worker-1:2222',
      'tf-worker-9:2222',
      'tf-ps-0:3333',
    ]);
  });
});

describe('entries and problems from a recorded round', () => {
  const recorded = parseProbeOutput(
    readFileSync(new URL('../fixtures/probe-busybox.out', import.meta.url), 'utf8'),
  ).results;
  const targets = readFileSync(new URL('../fixtures/probe-busybox.in', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l && l !== '.')
    .map((l) => ({ host: l.split(' ')[0]!, port: Number(l.split(' ')[1]) }));
  const entries = entriesOf('tf-worker-0', targets, recorded);

  it('match results to targets by order and say why a pair failed', () => {
    expect(entries.map((e) => [e.to, e.dns, e.tcp])).toEqual([
      ['tf-ps-0', 'ok', 'ok'],
      ['tf-ps-0', 'ok', 'refused'],
      ['nosuchhost', 'nxdomain', 'skipped'],
      ['-x;rm', 'error', 'skipped'],
      ['tf-worker-1', 'ok', 'ok'],
      [targets[5]!.host, 'ok', 'timeout'],
    ]);
    expect(entries[1]?.reason).toBe('tf-ps-0:9 refused the connection (nothing listens)');
    expect(entries[3]?.reason).toBe('not a plain host name: not probed');
    expect(entries[0]?.reason).toBe(null);
  });

  it('become peer_unresolvable, port_refused, port_timeout, each naming source and target', () => {
    const codes = reachProblems(entries, nodes).map((p) => `${p.node} ${p.code} ${p.message}`);
    expect(codes).toContain('tf-worker-0 peer_unresolvable nosuchhost does not resolve from tf-worker-0');
    expect(codes).toContain('tf-worker-0 port_refused tf-worker-0 → tf-ps-0:9: connection refused');
    expect(codes.some((c) => c.startsWith('tf-worker-0 port_timeout'))).toBe(true);
  });

  it('flags a name that resolves to another address than the node’s own on the network', () => {
    const wrong = [{ ...entries[0]!, ip: '10.9.9.9' }];
    const [p] = reachProblems(wrong, nodes);
    expect(p).toMatchObject({ code: 'ip_mismatch', node: 'tf-worker-0' });
    expect(p?.message).toBe(
      `tf-ps-0 resolves to 10.9.9.9 from tf-worker-0, but its address on the network is ${ps.ip}`,
    );
  });

  it('a round with no answer leaves pairs unprobed, with the reason', () => {
    expect(entriesOf('a', [{ host: 'b', port: 1 }], [])[0]).toMatchObject({
      dns: 'unprobed',
      tcp: 'unprobed',
      reason: 'no answer from the probe in this round',
    });
  });
});
