// The diagnosis as a table of named rules: every problem code has a rule that raises it, and every
// rule — a check of the nodes (problems.ts) or a cause rule (causes.ts) — is tested here by its name.
import { describe, expect, it } from 'vitest';
import { CAUSE_RULES, explain } from '../../source/cluster/causes.js';
import { diagnose, ENGINE_CODES, engineProblems } from '../../source/cluster/diagnose.js';
import { KNOWN_CODES } from '../../source/cluster/fixes.js';
import { HOST_LINK_CODES } from '../../source/cluster/hosts.js';
import { CHECK_RULES, findProblems } from '../../source/cluster/problems.js';
import { REACH_CODES, type ReachEntry } from '../../source/cluster/reach.js';
import { toNodeView } from '../../source/cluster/role.js';
import { tfConfigFor } from '../../source/cluster/tf-config.js';
import { TRAINING_CODES } from '../../source/cluster/training.js';
import type { ContainerFacts, NodeView, Problem } from '../../source/cluster/types.js';
import { facts } from '../helpers/facts.js';
import { seedFacts, seedTasks } from '../helpers/snapshot.js';

const net = { name: 'tf-network', id: 'n', driver: 'bridge' };
const seed = (over: (f: ContainerFacts) => Partial<ContainerFacts> = () => ({})): NodeView[] =>
  seedFacts().map((f) => toNodeView({ ...f, ...over(f) }));
const rank = (r: number, over: Partial<ContainerFacts> = {}): NodeView =>
  toNodeView(
    facts({
      id: `id-${r}`,
      name: `ddp-${r}`,
      ip: `172.20.0.${r + 2}`,
      tfConfigRaw: null,
      grpcFailFast: null,
      labels: {},
      frameworkEnv: { RANK: String(r), WORLD_SIZE: '2', MASTER_ADDR: 'ddp-0', MASTER_PORT: '29500' },
      ...over,
    }),
  );
const codes = (ps: readonly Problem[]): string[] => ps.map((p) => `${p.node}:${p.code}`);
const placed = (ps: readonly Problem[]): string[] =>
  ps.filter((p) => p.causedBy).map((p) => `${p.node}:${p.code} <- ${p.causedBy!.node}:${p.causedBy!.code}`);
const pair = (from: string, to: string, over: Partial<ReachEntry>): ReachEntry => ({
  from,
  to,
  port: 2222,
  dns: 'ok',
  ip: null,
  tcp: 'ok',
  ms: 0,
  reason: null,
  tools: 'getent+nc',
  ...over,
});

const tested = new Set<string>();
/** A test of one rule, by its name. */
const rule = (name: string, test: () => void): void => {
  tested.add(name);
  it(`rule ${name}`, test);
};
const checkOf = (name: string) => CHECK_RULES.find((r) => r.name === name)!;

describe('every problem code has a rule', () => {
  it('the codes the tables and the other sources raise are exactly the known codes', () => {
    const raised = new Set<string>([
      ...CHECK_RULES.flatMap((r) => r.raises),
      ...CAUSE_RULES.flatMap((r) => r.raises ?? []),
      ...REACH_CODES,
      'not_listening', // listenProblems: the port checked from tfmon's host
      ...TRAINING_CODES,
      ...ENGINE_CODES,
      ...HOST_LINK_CODES,
      'metrics_public', // doctor, about tfmon's own endpoint
    ]);
    expect([...raised].sort()).toEqual([...KNOWN_CODES].sort());
  });
});

describe('check rules', () => {
  rule('user-network', () => {
    expect(codes(checkOf('user-network').check([], { ...net, name: 'bridge' }))).toEqual([
      'null:default_bridge_network',
    ]);
    expect(checkOf('user-network').check([], net)).toEqual([]);
  });
  rule('empty-network', () => {
    expect(codes(checkOf('empty-network').check([], net))).toEqual(['null:no_nodes']);
    expect(checkOf('empty-network').check([], { ...net, id: null })).toEqual([]);
  });
  rule('tf-config-parses', () => {
    expect(
      codes(
        checkOf('tf-config-parses').check(
          seed((f) => (f.name === 'tf-ps-0' ? { tfConfigRaw: '{bad' } : {})),
          net,
        ),
      ),
    ).toEqual(['tf-ps-0:tf_config_invalid']);
  });
  rule('role-known', () => {
    const n = toNodeView(facts({ name: 'db', tfConfigRaw: null, labels: {}, frameworkEnv: {} }));
    expect(codes(checkOf('role-known').check([n], net))).toEqual(['db:role_unknown']);
  });
  rule('attached', () => {
    expect(
      codes(
        checkOf('attached').check(
          seed((f) => (f.name === 'tf-worker-1' ? { attached: false } : {})),
          net,
        ),
      ),
    ).toEqual(['tf-worker-1:not_attached']);
  });
  rule('oom-killed', () => {
    const nodes = seed((f) => (f.name === 'tf-worker-0' ? { oomKilled: true, state: 'exited', exitCode: 137 } : {}));
    expect(codes(checkOf('oom-killed').check(nodes, net))).toEqual(['tf-worker-0:oom_killed']);
  });
  rule('running', () => {
    const nodes = seed((f) =>
      f.name === 'tf-worker-0' ? { state: 'exited', exitCode: 1 } : f.name === 'tf-worker-1' ? { restarts: 4 } : {},
    );
    expect(codes(checkOf('running').check(nodes, net))).toEqual(['tf-worker-0:not_running', 'tf-worker-1:crash_loop']);
  });
  rule('published-ports', () => {
    const nodes = seed((f) =>
      f.name === 'tf-ps-0'
        ? { ports: [{ containerPort: 2222, hostPort: 2222, hostIp: '0.0.0.0', protocol: 'tcp' }] }
        : {},
    );
    expect(codes(checkOf('published-ports').check(nodes, net))).toEqual(['tf-ps-0:tf_port_public']);
  });
  rule('tensorflow-job', () => {
    // tf-worker-1 created before tf-worker-2 joined: its TF_CONFIG names two workers, the cluster has three.
    const three = [...seedTasks, { type: 'worker' as const, index: 2, host: 'tf-worker-2', port: 2222 }];
    const nodes = seedFacts(three).map((f) =>
      toNodeView(
        f.name === 'tf-worker-1' ? { ...f, tfConfigRaw: tfConfigFor(seedTasks, { type: 'worker', index: 1 }) } : f,
      ),
    );
    expect(codes(checkOf('tensorflow-job').check(nodes, net))).toEqual([
      'tf-worker-1:tf_config_stale',
      'null:no_chief',
    ]);
  });
  rule('pytorch-job', () => {
    expect(
      codes(
        checkOf('pytorch-job').check(
          [rank(0), rank(1, { frameworkEnv: { RANK: '1', WORLD_SIZE: '3', MASTER_ADDR: 'ddp-0' } })],
          net,
        ),
      ),
    ).toEqual(['ddp-1:job_mismatch']);
  });
  for (const f of ['horovod', 'jax', 'keras'] as const) {
    rule(`${f}-job`, () => {
      const env = {
        horovod: (r: number) => ({ HOROVOD_RANK: String(r), HOROVOD_SIZE: '3' }),
        jax: (r: number) => ({
          JAX_COORDINATOR_ADDRESS: 'p-0:1234',
          JAX_PROCESS_ID: String(r),
          JAX_NUM_PROCESSES: '3',
        }),
        keras: (r: number) => ({
          KERAS_DISTRIBUTION_JOB_ADDRESSES: 'p-0:1234,p-1:1234,p-2:1234',
          KERAS_DISTRIBUTION_PROCESS_ID: String(r),
          KERAS_DISTRIBUTION_NUM_PROCESSES: '3',
        }),
      }[f];
      const nodes = [0, 1].map((r) => rank(r, { name: `p-${r}`, frameworkEnv: env(r) }));
      expect(nodes.map((n) => n.framework)).toEqual([f, f]);
      expect(codes(checkOf(`${f}-job`).check(nodes, net))).toEqual(['null:rank_missing']);
    });
  }
});

describe('cause rules', () => {
  const stopped = seed((f) => (f.name === 'tf-ps-0' ? { state: 'exited', exitCode: 1, ip: null } : {}));
  rule('refused-by-many', () => {
    const nodes = seed();
    const ps = diagnose({
      network: net,
      nodes,
      reachability: ['tf-worker-0', 'tf-worker-1'].map((w) =>
        pair(w, 'tf-ps-0', { tcp: 'refused', reason: 'refused' }),
      ),
    });
    expect(codes(ps.filter((p) => !p.causedBy && p.severity === 'error'))).toEqual(['tf-ps-0:not_listening']);
  });
  rule('unknown-host', () => {
    const nodes = seed();
    const ps = diagnose({
      network: net,
      nodes,
      reachability: [pair('tf-worker-0', 'tf-ghost-9', { dns: 'nxdomain', tcp: 'skipped' })],
    });
    expect(codes(ps.filter((p) => !p.causedBy && p.severity === 'error'))).toEqual(['tf-worker-0:unknown_host']);
    expect(placed(ps)).toEqual(['tf-worker-0:peer_unresolvable <- tf-worker-0:unknown_host']);
  });
  rule('same-node', () => {
    const nodes = seed((f) =>
      f.name === 'tf-worker-0' ? { oomKilled: true, state: 'exited', exitCode: 137, ip: null } : {},
    );
    expect(placed(diagnose({ network: net, nodes }))).toEqual(['tf-worker-0:not_running <- tf-worker-0:oom_killed']);
  });
  rule('gap-from-duplicate', () => {
    const nodes = seedFacts([...seedTasks, { type: 'worker' as const, index: 3, host: 'tf-worker-3', port: 2222 }]).map(
      (f) =>
        toNodeView(
          f.name === 'tf-worker-3'
            ? {
                ...f,
                tfConfigRaw: tfConfigFor(
                  [...seedTasks, { type: 'worker' as const, index: 3, host: 'tf-worker-3', port: 2222 }],
                  { type: 'worker', index: 1 },
                ),
              }
            : f,
        ),
    );
    const ps = diagnose({ network: net, nodes });
    expect(codes(ps.filter((p) => p.code === 'duplicate_task'))).toEqual(['tf-worker-3:duplicate_task']);
  });
  rule('rank-failures', () => {
    const nodes = [
      {
        ...rank(0, { state: 'exited', exitCode: 1, ip: null }),
        lastError: 'RuntimeError: [./gloo/transport/tcp/pair.cc:598] Connection closed by peer [172.20.0.3]:14059',
      },
      rank(1, { state: 'exited', exitCode: 137, ip: null }),
    ];
    expect(placed(diagnose({ network: net, nodes }))).toEqual(['ddp-0:not_running <- ddp-1:not_running']);
    // A line naming the rank's own address (a local rank of the same node, ended by its agent) names
    // no culprit: the job's rank that stopped naming no one is it (CI caught torchrun's survivor so).
    const self = [
      {
        ...rank(0, { state: 'exited', exitCode: 1, ip: '172.20.0.2' }),
        lastError: 'RuntimeError: [./gloo/transport/tcp/pair.cc:598] Connection closed by peer [172.20.0.2]:14059',
      },
      rank(1, { state: 'exited', exitCode: 137, ip: null }),
    ];
    expect(placed(diagnose({ network: net, nodes: self }))).toEqual(['ddp-0:not_running <- ddp-1:not_running']);
  });
  rule('pair-from-peer', () => {
    const ps = diagnose({
      network: net,
      nodes: stopped,
      reachability: [pair('tf-worker-0', 'tf-ps-0', { dns: 'nxdomain', tcp: 'skipped' })],
    });
    expect(placed(ps)).toEqual(['tf-worker-0:peer_unresolvable <- tf-ps-0:not_running']);
  });
  rule('pair-across-link', () => {
    // ps-0 and worker-0 on host-a, worker-1 on host-b; both pairs from b to a time out (one way is
    // enough: the other engine's round may not have run yet).
    const nodes = seed().map((n) => ({ ...n, swarmNode: n.name === 'tf-worker-1' ? 'host-b' : 'host-a' }));
    const across = [
      pair('tf-worker-1', 'tf-ps-0', { tcp: 'timeout', reason: 'timed out' }),
      pair('tf-worker-1', 'tf-worker-0', { tcp: 'timeout', reason: 'timed out' }),
      pair('tf-worker-0', 'tf-ps-0', {}),
    ];
    const ready = { a: { name: 'host-a', state: 'ready' }, b: { name: 'host-b', state: 'ready' } };
    const ps = diagnose({ network: net, nodes, reachability: across, swarmNodes: ready });
    expect(codes(ps.filter((p) => !p.causedBy && p.code !== 'no_chief'))).toEqual(['null:overlay_data_path']);
    expect(placed(ps)).toEqual([
      'tf-worker-1:port_timeout <- null:overlay_data_path',
      'tf-worker-1:port_timeout <- null:overlay_data_path',
    ]);
    // The swarm no longer hears host-b: the same pairs are a partition.
    const down = diagnose({
      network: net,
      nodes,
      reachability: across,
      swarmNodes: { ...ready, b: { name: 'host-b', state: 'down' } },
    });
    expect(down.filter((p) => !p.causedBy && p.code !== 'no_chief').map((p) => [p.code, p.message])).toEqual([
      [
        'host_partition',
        'host-a and host-b cannot reach each other: 2 pairs across fail; the swarm says host-b is down (a partition: the network between the hosts)',
      ],
    ]);
    // One pair across still works: the link carries, the failing pair is its own root.
    const one = diagnose({
      network: net,
      nodes,
      reachability: [...across.slice(0, 1), pair('tf-worker-1', 'tf-worker-0', {})],
      swarmNodes: ready,
    });
    expect(codes(one.filter((p) => !p.causedBy && p.code !== 'no_chief'))).toEqual(['tf-worker-1:port_timeout']);
    // The swarm no longer hears host-b while its engine answers, and Swarm has moved its task to
    // host-a: a partition still, and a peer dialing the moved task's old address follows from it.
    const moved = nodes.map((n) => ({ ...n, swarmNode: 'host-a' }));
    const stale = pair('tf-worker-0', 'tf-worker-1', { tcp: 'timeout', ip: '10.0.0.99', reason: 'timed out' });
    const cutOff = diagnose({
      network: net,
      nodes: moved,
      reachability: [stale],
      swarmNodes: { ...ready, b: { name: 'host-b', state: 'down' } },
      answering: new Set(['host-a', 'host-b']),
    });
    expect(codes(cutOff.filter((p) => !p.causedBy && p.code !== 'no_chief'))).toEqual(['null:host_partition']);
    expect(placed(cutOff).sort()).toEqual([
      'tf-worker-0:ip_mismatch <- null:host_partition',
      'tf-worker-0:port_timeout <- null:host_partition',
    ]);
    // An engine that does not answer: the pairs to its nodes follow from it, not from a link.
    const lost = diagnose({
      network: net,
      nodes: nodes.map((n) => ({ ...n, engineHost: n.swarmNode === 'host-b' ? 'unix:///b.sock' : 'unix:///a.sock' })),
      reachability: across,
      engines: engineProblems(
        [
          { host: 'unix:///a.sock', error: null, driver: 'overlay' },
          { host: 'unix:///b.sock', error: 'connection refused', driver: undefined },
        ],
        nodes.map((n) => ({
          name: n.name,
          engineHost: n.swarmNode === 'host-b' ? 'unix:///b.sock' : 'unix:///a.sock',
        })),
      ),
      lostEngines: new Set(['unix:///b.sock']),
    });
    expect(codes(lost.filter((p) => !p.causedBy && p.code !== 'no_chief'))).toEqual(['null:engine_unreachable']);
    expect(placed(lost)).toEqual([
      'tf-worker-1:port_timeout <- null:engine_unreachable',
      'tf-worker-1:port_timeout <- null:engine_unreachable',
    ]);
  });
  rule('task-report', () => {
    const report: Problem = {
      severity: 'error',
      node: 'tf-ps-0',
      code: 'ps_failed',
      nodes: ['tf-ps-0', 'tf-worker-0'],
      message: 'tf-ps-0 (task ps:0): tf-worker-0 reported it failed',
    };
    expect(placed(explain([...findProblems(net, stopped), report], stopped))).toEqual([
      'tf-ps-0:ps_failed <- tf-ps-0:not_running',
    ]);
  });
  rule('stall-from-pair', () => {
    const nodes = seed();
    const stall: Problem = {
      severity: 'warning',
      node: 'tf-worker-0',
      code: 'stalled',
      message: 'no training progress for 2 min',
    };
    const ps = diagnose({
      network: net,
      nodes,
      training: [stall],
      reachability: [pair('tf-worker-0', 'tf-ps-0', { tcp: 'timeout', reason: 'timed out' })],
    });
    expect(placed(ps)).toEqual(['tf-worker-0:stalled <- tf-worker-0:port_timeout']);
  });
});

describe("the engines' own problems", () => {
  it('an engine that does not answer; nodes on two engines on a bridge', () => {
    const ps = engineProblems(
      [
        { host: 'a', error: null, driver: 'bridge' },
        { host: 'b', error: 'connection refused', driver: undefined },
      ],
      [
        { name: 'x', engineHost: 'a' },
        { name: 'y', engineHost: 'c' },
      ],
    );
    expect(ps.map((p) => p.code)).toEqual(['engine_unreachable', 'cross_engine_without_overlay']);
    expect(
      engineProblems(
        [
          { host: 'a', error: null, driver: 'overlay' },
          { host: 'c', error: null, driver: 'overlay' },
        ],
        [
          { name: 'x', engineHost: 'a' },
          { name: 'y', engineHost: 'c' },
        ],
      ),
    ).toEqual([]);
  });
});

describe('the tables', () => {
  // rule() registers while the file is collected, before any test runs: the set is complete here.
  it('every rule of both tables has its test above, by name (a rule added without one fails here)', () => {
    const names = [...CHECK_RULES, ...CAUSE_RULES].map((r) => r.name);
    expect(names.filter((n) => !tested.has(n))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
  });
});
