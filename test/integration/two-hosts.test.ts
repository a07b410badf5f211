// Two hosts for real (bench/two-hosts.ts): two dockerds in network namespaces of their own, one veth
// between them, a two-node swarm over it (A manages), an attachable overlay spanning both. tfmon up
// --swarm places a cluster on both; `tfmon -H A -H B` shows each task once with its host and probes
// the pairs across the VXLAN; and each fault is named once, on the link or the host: VXLAN dropped
// (the overlay's data path), B's dockerd stopped (its engine, the swarm moving its tasks to A and
// nothing lost when it returns), the wire cut (a partition, with the swarm's Down).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blockVxlan,
  cutWire,
  dockerOn,
  HOST_A,
  HOST_B,
  removeTwoHosts,
  startEngine,
  startTwoHosts,
  stopEngine,
  swarmNodes,
} from '../../bench/two-hosts.js';
import { own, requireEngine, simImage, sleep, TEST_LABEL, tfmon } from './harness.js';

const net = own('hosts');
const both = ['-H', HOST_A.url, '-H', HOST_B.url, '--network', net];

interface Doc {
  nodes: {
    name: string;
    role: string;
    index: number;
    state: string;
    host: string | null;
    earlierTasks: number;
    movedFrom: string | null;
  }[];
  reachability: { from: string; to: string; dns: string; tcp: string }[];
  problems: { code: string; severity: string; message: string; causedBy?: { code: string } | null; nodes?: string[] }[];
  swarmNodes?: { name: string; state: string }[];
}

async function status(): Promise<Doc> {
  const r = await tfmon(['status', '--json', '--no-usage', '--no-training', ...both]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Doc;
}
/** Errors that are roots (no_chief and the like aside): what a user is told is wrong. */
const roots = (d: Doc): string[] => d.problems.filter((p) => p.severity === 'error' && !p.causedBy).map((p) => p.code);
/** Polls status until `ok` holds (or fails with the last document). */
async function until(ok: (d: Doc) => boolean, timeoutMs: number): Promise<Doc> {
  const end = Date.now() + timeoutMs;
  let d = await status();
  while (!ok(d)) {
    if (Date.now() > end)
      throw new Error(
        `not reached in ${timeoutMs} ms: ${JSON.stringify({
          problems: d.problems.filter((p) => !p.causedBy).map((p) => `${p.code}: ${p.message}`),
          nodes: d.nodes.map((n) => `${n.name} ${n.state} ${n.host}`),
          swarm: d.swarmNodes,
          placement: placement(),
        })}`,
      );
    await sleep(1000);
    d = await status();
  }
  return d;
}
/** Each swarm task's host, as the swarm places it (service name → node). */
function placement(): Record<string, string> {
  const out: Record<string, string> = {};
  const services = dockerOn(HOST_A, 'service', 'ls', '-q', '--filter', `label=${TEST_LABEL}`)
    .split('\n')
    .filter(Boolean);
  for (const line of dockerOn(
    HOST_A,
    'service',
    'ps',
    ...services,
    '--filter',
    'desired-state=running',
    '--format',
    '{{.Name}} {{.Node}}',
  ).split('\n')) {
    const [task, node] = line.split(' ');
    if (task && node) out[task.replace(/\.\d+$/, '')] = node;
  }
  return out;
}
const hostsOf = (d: Doc): Set<string | null> => new Set(d.nodes.map((n) => n.host));

beforeAll(async () => {
  requireEngine();
  await startTwoHosts([await simImage()]);
  const up = await tfmon([
    'up',
    '--swarm',
    '-H',
    HOST_A.url,
    '--network',
    net,
    '--ps',
    '1',
    '--workers',
    '3',
    '--label',
    TEST_LABEL,
  ]);
  expect(up.code, up.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  blockVxlan(false);
  cutWire(false);
  await removeTwoHosts();
}, 120_000);

describe('a cluster across two hosts', () => {
  it("forms a two-node swarm over the wire, and Swarm's spread puts tasks on both hosts", async () => {
    expect(swarmNodes()).toEqual({ [HOST_A.name]: 'ready', [HOST_B.name]: 'ready' });
    const d = await until((x) => x.nodes.length === 4 && x.nodes.every((n) => n.state === 'running'), 60_000);
    expect(new Set(Object.values(placement()))).toEqual(new Set([HOST_A.name, HOST_B.name]));
    expect(d.swarmNodes).toEqual([
      { name: HOST_A.name, state: 'ready' },
      { name: HOST_B.name, state: 'ready' },
    ]);
  }, 90_000);

  it('-H A -H B: each task once, on the host Swarm put it, the pairs across the VXLAN probed', async () => {
    const d = await until((x) => x.reachability.some((r) => r.tcp === 'ok'), 30_000);
    expect(d.nodes.map((n) => `${n.role}${n.index}`).sort()).toEqual(['ps0', 'worker0', 'worker1', 'worker2']);
    const where = placement();
    for (const n of d.nodes) expect(n.host).toBe(where[n.name.replace(/\.\d+\.[a-z0-9]+$/, '')]);
    const hostByName = new Map(
      d.nodes.flatMap((n) => [[n.name, n.host] as const, [n.name.split('.')[0], n.host] as const]),
    );
    const across = d.reachability.filter((r) => hostByName.get(r.from) !== hostByName.get(r.to));
    expect(across.length).toBeGreaterThanOrEqual(2);
    expect(across.every((r) => r.dns === 'ok' && r.tcp === 'ok')).toBe(true);
    expect(roots(d)).toEqual([]);
    // The plain table says each task's host.
    const table = await tfmon(['status', '--no-usage', '--no-probe', '--no-training', ...both]);
    expect(table.stdout).toMatch(/ROLE +IDX +NAME +STATE +HOST /);
    expect(table.stdout).toContain(HOST_B.name);
  }, 60_000);

  it("VXLAN dropped while the control plane crosses: one root, the overlay's data path; gone when it is back", async () => {
    blockVxlan(true);
    try {
      const d = await until((x) => roots(x).length > 0, 20_000);
      expect(roots(d)).toEqual(['overlay_data_path']);
      const link = d.problems.find((p) => p.code === 'overlay_data_path')!;
      expect(link.message).toContain(`between ${HOST_A.name} and ${HOST_B.name}`);
      expect(link.nodes).toHaveLength(4);
      // Every failing pair is its consequence, and they all cross.
      const pairs = d.problems.filter((p) => ['port_timeout', 'port_refused', 'peer_unresolvable'].includes(p.code));
      expect(pairs.length).toBeGreaterThanOrEqual(2);
      expect(pairs.every((p) => p.causedBy?.code === 'overlay_data_path')).toBe(true);
    } finally {
      blockVxlan(false);
    }
    await until((x) => roots(x).length === 0, 30_000);
  }, 90_000);

  it("B's dockerd stopped: its engine is the root; Swarm moves its tasks to A; back, nothing lost", async () => {
    const wasOnB = Object.entries(placement())
      .filter(([, host]) => host === HOST_B.name)
      .map(([service]) => service);
    expect(wasOnB.length).toBeGreaterThan(0);
    const started = Date.now();
    await stopEngine(HOST_B);
    try {
      const d = await until((x) => roots(x).includes('engine_unreachable'), 20_000);
      const shownMs = Date.now() - started;
      expect(shownMs).toBeLessThan(20_000);
      expect(roots(d)).not.toContain('overlay_data_path');
      expect(roots(d)).not.toContain('host_partition');
      const pairs = d.problems.filter((p) => ['port_timeout', 'port_refused', 'peer_unresolvable'].includes(p.code));
      expect(pairs.every((p) => p.causedBy?.code === 'engine_unreachable')).toBe(true);
      // The swarm marks B down and starts its tasks on A: the same four tasks, each once.
      const moved = await until(
        (x) => x.nodes.length === 4 && x.nodes.every((n) => n.state === 'running' && n.host === HOST_A.name),
        60_000,
      );
      expect(moved.nodes.map((n) => `${n.role}${n.index}`).sort()).toEqual(['ps0', 'worker0', 'worker1', 'worker2']);
      // A moved task keeps its history: the task before it, on B.
      for (const n of moved.nodes.filter((x) => wasOnB.includes(x.name.split('.')[0]!)))
        expect([n.earlierTasks, n.movedFrom]).toEqual([1, HOST_B.name]);
    } finally {
      await startEngine(HOST_B);
    }
    const back = await until(
      (x) => roots(x).length === 0 && x.swarmNodes?.every((s) => s.state === 'ready') === true,
      60_000,
    );
    expect(back.nodes.map((n) => `${n.role}${n.index}:${n.state}`).sort()).toEqual([
      'ps0:running',
      'worker0:running',
      'worker1:running',
      'worker2:running',
    ]);
  }, 180_000);

  it("the wire cut: a partition between A and B, named once; the swarm's Down shown; mended, it clears", async () => {
    // Two workers back on B (Swarm's spread places a forced update on the emptier host).
    for (const s of ['tf-worker-0', 'tf-worker-2']) dockerOn(HOST_A, 'service', 'update', '-q', '--force', s);
    await until(
      (x) => hostsOf(x).has(HOST_B.name) && x.nodes.every((n) => n.state === 'running') && roots(x).length === 0,
      60_000,
    );
    const cut = Date.now();
    cutWire(true);
    try {
      const first = await until((x) => roots(x).length > 0, 20_000);
      const shownMs = Date.now() - cut;
      // Before the swarm's heartbeat runs out it reads as the overlay's data path; then as a partition.
      expect(roots(first).length).toBe(1);
      expect(['overlay_data_path', 'host_partition']).toContain(roots(first)[0]);
      // Named a partition once the swarm marks B down (and still, once Swarm has moved B's tasks).
      const d = await until((x) => roots(x).join() === 'host_partition', 45_000);
      expect(d.problems.find((p) => p.code === 'host_partition')?.message).toContain(
        `the swarm says ${HOST_B.name} is down`,
      );
      expect(d.swarmNodes).toContainEqual({ name: HOST_B.name, state: 'down' });
      expect(shownMs).toBeLessThan(20_000);
    } finally {
      cutWire(false);
    }
    await until((x) => roots(x).length === 0 && x.swarmNodes?.every((s) => s.state === 'ready') === true, 60_000);
  }, 240_000);
});
