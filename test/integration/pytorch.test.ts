// Real PyTorch DistributedDataParallel jobs (Debian's torch 1.13, gloo, env://), one rank per
// container on a network of the test's own, watched by tfmon as a user runs it: roles, rendezvous,
// progress, and each fault named once, on the rank where the fix goes.
import { peerNamed } from '../../source/cluster/frameworks/failure-lines.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem, Snapshot } from '../../source/cluster/types.js';
import { Engine } from '../../source/engine/engine.js';
import { ClusterMonitor } from '../../source/monitor/cluster-monitor.js';
import { resizeJob } from '../../source/engine/job-actions.js';
import {
  cleanup,
  createNetwork,
  docker,
  dockerAsync,
  own,
  requireEngine,
  TEST_LABEL,
  testLabels,
  tfmon,
  torchImage,
} from './harness.js';

let image = '';
const monitors: ClusterMonitor[] = [];
beforeAll(() => {
  requireEngine();
  image = torchImage();
}, 900_000);
afterAll(() => {
  for (const m of monitors) m.stop();
  cleanup();
});

/** A job: `ranks` containers of WORLD_SIZE `world` on its own network, rank 0 the master. */
async function job(
  tag: string,
  ranks: number[],
  world: number,
  env: (rank: number) => Record<string, string> = () => ({}),
  args: (rank: number) => string[] = () => [],
): Promise<{ net: string; name: (r: number) => string }> {
  const net = own(`pt-${tag}`);
  const name = (r: number): string => own(`${tag}-rank-${r}`);
  createNetwork(net);
  await Promise.all(
    ranks.map((r) => {
      const vars = {
        RANK: String(r),
        WORLD_SIZE: String(world),
        MASTER_ADDR: name(0),
        MASTER_PORT: '29500',
        TRAIN_WIDTH: '64',
        ...env(r),
      };
      return dockerAsync(
        'run',
        '-d',
        '--name',
        name(r),
        '--network',
        net,
        '--label',
        TEST_LABEL,
        ...args(r),
        ...Object.entries(vars).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
        image,
      );
    }),
  );
  return { net, name };
}

async function watch(net: string): Promise<ClusterMonitor> {
  const m = new ClusterMonitor(new Engine(), {
    network: net,
    labels: testLabels,
    usage: { intervalMs: 1000, mode: 'auto' },
    probe: { intervalMs: 2000 },
    training: { stallAfterMs: 120_000, custom: [] },
  });
  monitors.push(m);
  await m.start();
  return m;
}

const roots = (s: Snapshot): string[] => s.problems.filter((p) => !p.causedBy).map((p) => `${p.node}:${p.code}`);
const follow = (s: Snapshot): string[] =>
  s.problems
    .filter(
      (p): p is Problem & { causedBy: NonNullable<Problem['causedBy']> } =>
        p.causedBy !== null && p.causedBy !== undefined,
    )
    .map((p) => `${p.node}:${p.code} <- ${p.causedBy.node}:${p.causedBy.code}`)
    .sort();

describe('a real 4-rank DDP job', () => {
  let j: Awaited<ReturnType<typeof job>>;
  let m: ClusterMonitor;
  beforeAll(async () => {
    j = await job('ok', [0, 1, 2, 3], 4);
    m = await watch(j.net);
  }, 60_000);

  it('roles, ranks, the master and its port from the environment; every rank reaches the store; tqdm progress on rank 0', async () => {
    const s = await m.waitFor(
      (x) =>
        (x.training[x.nodes.find((n) => n.name === j.name(0))?.id ?? '']?.done ?? 0) > 0 &&
        x.reachability.filter((e) => e.tcp === 'ok').length === 3,
      90_000,
    );
    expect(s.nodes.map((n) => [n.name, n.framework, n.role, n.index, n.worldSize, n.master, n.port])).toEqual([
      [j.name(0), 'pytorch', 'master', 0, 4, `${j.name(0)}:29500`, 29500],
      ...[1, 2, 3].map((r) => [j.name(r), 'pytorch', 'worker', r, 4, `${j.name(0)}:29500`, null]),
    ]);
    expect(s.reachability.map((e) => `${e.from}>${e.to}:${e.port} ${e.tcp}`).sort()).toEqual(
      [1, 2, 3].map((r) => `${j.name(r)}>${j.name(0)}:29500 ok`),
    );
    const master = s.training[s.nodes[0]!.id]!;
    expect(master).toMatchObject({ format: 'tqdm', epoch: expect.any(Number), loss: expect.any(Number) });
    expect(master.stepsPerSecond).toBeGreaterThan(1);
    expect(s.clusterTraining?.globalStepsPerSecond).toBe(master.stepsPerSecond);
    expect(roots(s)).toEqual([]);
  }, 120_000);

  it('a rank killed mid-training: one root on it; the ranks that lost it follow (gloo names its address)', async () => {
    await dockerAsync('kill', j.name(2));
    const s = await m.waitFor(
      (x) =>
        x.nodes.every((n) => n.state === 'exited') &&
        x.nodes.filter((n) => n.name !== j.name(2)).every((n) => n.lastError !== null),
      60_000,
    );
    expect(roots(s)).toEqual([`${j.name(2)}:not_running`]);
    // (A master's port seen closed from the host just as it exited follows from its exit: not asserted.)
    expect(follow(s).filter((f) => f.includes(':not_running <-'))).toEqual(
      [0, 1, 3].map((r) => `${j.name(r)}:not_running <- ${j.name(2)}:not_running`),
    );
    // The same from a fresh tfmon, after the fact (the dead rank's address is no container's now).
    const r = await tfmon(['doctor', '--network', j.net, '--label', TEST_LABEL]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/1 error, 0 warnings; 3 more follow from them/);
    expect(r.stdout).toMatch(new RegExp(`${j.name(2)}\\n  error   not_running: not running: exited \\(code 137\\)`));
  }, 90_000);
});

describe('a job that cannot meet', () => {
  it('WORLD_SIZE larger than the ranks started: one root naming the missing rank, while they wait and after they give up', async () => {
    const j = await job('miss', [0, 1], 3, () => ({ TRAIN_INIT_TIMEOUT_S: '20' }));
    const m = await watch(j.net);
    const waiting = await m.waitFor((x) => x.nodes.length === 2, 20_000);
    expect(roots(waiting)).toEqual(['null:rank_missing']);
    expect(waiting.problems[0]!.message).toMatch(/^rank 2 of WORLD_SIZE=3 has no container/);
    const s = await m.waitFor((x) => x.nodes.every((n) => n.state === 'exited' && n.lastError !== null), 90_000);
    expect(roots(s)).toEqual(['null:rank_missing']);
    // (The master's port seen closed from the host just as it exited follows from its exit: not asserted.)
    expect(follow(s).filter((f) => f.includes(':not_running <-'))).toEqual(
      [0, 1].map((r) => `${j.name(r)}:not_running <- null:rank_missing`),
    );
    expect(
      follow(s)
        .filter((f) => !f.includes(':not_running <-'))
        .every((f) => f.endsWith(':not_running')),
    ).toBe(true);
  }, 120_000);

  it("one rank told a wrong MASTER_ADDR: the root on that rank; its pair and the master's wait follow from it; c/a restart the job with the right one", async () => {
    const j = await job('bad', [0, 1], 2, (r) => ({
      TRAIN_INIT_TIMEOUT_S: '20',
      ...(r === 1 ? { MASTER_ADDR: 'no-such-master' } : {}),
    }));
    const m = await watch(j.net);
    const running = await m.waitFor(
      (x) => x.reachability.some((e) => e.from === j.name(1) && e.dns === 'nxdomain'),
      30_000,
    );
    expect(roots(running)).toEqual([`${j.name(1)}:job_mismatch`]);
    expect(follow(running)).toEqual([`${j.name(1)}:peer_unresolvable <- ${j.name(1)}:job_mismatch`]);
    const s = await m.waitFor((x) => x.nodes.every((n) => n.state === 'exited' && n.lastError !== null), 90_000);
    expect(roots(s)).toEqual([`${j.name(1)}:job_mismatch`]);
    // (A closed port seen just before a rank exited may follow from its exit too: not asserted.)
    expect(follow(s).filter((f) => f.includes(':not_running <-'))).toEqual(
      [0, 1].map((r) => `${j.name(r)}:not_running <- ${j.name(1)}:job_mismatch`),
    );

    // What `c` shows and `a` does, from the command line: the job's variables from its live ranks,
    // then every rank recreated with them.
    const shown = await tfmon(['tf-config', '--network', j.net, '--label', TEST_LABEL]);
    expect(shown.stdout.split('\n').slice(0, 2)).toEqual([
      `${j.name(0)}: up to date`,
      `${j.name(1)}: MASTER_ADDR: no-such-master → ${j.name(0)}`,
    ]);
    const applied = await tfmon(['tf-config', '--apply', '--yes', '--network', j.net, '--label', TEST_LABEL]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/done in [\d.]+ s: 2 ranks recreated/);
    const fixed = await m.waitFor(
      (x) => x.nodes.length === 2 && (x.training[x.nodes.find((n) => n.name === j.name(0))?.id ?? '']?.done ?? 0) > 0,
      90_000,
    );
    expect(fixed.nodes.map((n) => [n.name, n.state, n.master])).toEqual(
      [0, 1].map((r) => [j.name(r), 'running', `${j.name(0)}:29500`]),
    );
    expect(roots(fixed)).toEqual([]);
    docker('rm', '-f', j.name(0), j.name(1));
  }, 240_000);
});

/** A torchrun job: `nodes` containers, each a torchrun of 2 workers meeting at node 0's c10d
 * rendezvous (node ranks given at rendezvous); `hostname`: node 0 knows its name as its own. */
async function torchrunJob(
  tag: string,
  nodes: number,
  hostname: boolean,
): Promise<{ net: string; name: (i: number) => string }> {
  const net = own(`pt-${tag}`);
  const name = (i: number): string => own(`${tag}-node-${i}`);
  createNetwork(net);
  await Promise.all(
    Array.from({ length: nodes }, (_, i) =>
      dockerAsync(
        'run',
        '-d',
        '--name',
        name(i),
        '--network',
        net,
        '--label',
        TEST_LABEL,
        ...(hostname ? ['--hostname', name(i)] : []),
        '--env',
        'TRAIN_WIDTH=64',
        image,
        'python3',
        '-m',
        'torch.distributed.run',
        '--nnodes',
        String(nodes),
        '--nproc_per_node',
        '2',
        '--rdzv_backend',
        'c10d',
        '--rdzv_endpoint',
        `${name(0)}:29400`,
        '--rdzv_id',
        tag,
        '/opt/ddp_train.py',
      ),
    ),
  );
  return { net, name };
}

describe('a real torchrun job (c10d rendezvous, 2 nodes of 2 workers)', () => {
  it("the node the endpoint names hosts the store; a node killed: one root on it, the survivor's stopped training (its torchrun still waits) follows", async () => {
    const j = await torchrunJob('trun', 2, true);
    const m = await watch(j.net);
    const s = await m.waitFor(
      (x) => Object.values(x.training).some((t) => (t.done ?? 0) > 0) && x.reachability.some((e) => e.tcp === 'ok'),
      90_000,
    );
    expect(s.nodes.map((n) => [n.name, n.framework, n.role, n.worldSize, n.master, n.port, n.roleSource])).toEqual([
      [j.name(0), 'pytorch', 'master', 4, `${j.name(0)}:29400`, 29400, 'command'],
      [j.name(1), 'pytorch', 'worker', 4, `${j.name(0)}:29400`, null, 'command'],
    ]);
    expect(s.reachability.map((e) => `${e.from}>${e.to}:${e.port} ${e.tcp}`)).toEqual([
      `${j.name(1)}>${j.name(0)}:29400 ok`,
    ]);
    expect(Object.values(s.training).find((t) => (t.done ?? 0) > 0)).toMatchObject({
      format: 'tqdm',
      loss: expect.any(Number),
    });
    expect(roots(s)).toEqual([]);

    await dockerAsync('kill', j.name(1));
    // torch 1.13's agent waits at its exit barrier for the dead node (5 minutes): its container runs on.
    // Two streams tell it: the agent's line (the training reader) and the worker's, naming the peer
    // (the last errors, published at most twice a second); the answer once both are in.
    const after = await m.waitFor(
      (x) =>
        x.problems.some((p) => p.code === 'ranks_failed') &&
        peerNamed(x.nodes.find((n) => n.name === j.name(0))?.lastError ?? null) !== null,
      60_000,
    );
    expect(after.nodes.find((n) => n.name === j.name(0))?.state).toBe('running');
    expect(roots(after)).toEqual([`${j.name(1)}:not_running`]);
    expect(follow(after)).toEqual([`${j.name(0)}:ranks_failed <- ${j.name(1)}:not_running`]);
    expect(after.nodes.find((n) => n.name === j.name(0))?.lastError).toMatch(
      /gloo\/transport\/tcp\/pair\.cc:\d+\] (Read error|Connection closed by peer)/,
    );
    docker('rm', '-f', j.name(0), j.name(1));
  }, 180_000);

  it("without --hostname no node hosts the store (Docker's host name is the short id): one root on the node the endpoint names, at once", async () => {
    const j = await torchrunJob('trunh', 2, false);
    const m = await watch(j.net);
    const s = await m.waitFor((x) => x.nodes.length === 2 && x.problems.length > 0, 30_000);
    expect(roots(s)).toEqual([`${j.name(0)}:rendezvous_unhosted`]);
    const r = await tfmon(['doctor', '--network', j.net, '--label', TEST_LABEL]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(
        `error   rendezvous_unhosted: torchrun's c10d rendezvous is ${j.name(0)}:29400, this container, but its host name is [0-9a-f]{12}`,
      ),
    );
    expect(r.stdout).toContain(`fix: recreate ${j.name(0)} with --hostname ${j.name(0)}`);
    docker('rm', '-f', j.name(0), j.name(1));
  }, 90_000);
});

describe('a slow rank', () => {
  it('a rank limited to --cpus 0.2: named as the one that holds the job back (all ranks step at its pace)', async () => {
    const j = await job(
      'slow',
      [0, 1, 2],
      3,
      () => ({ TRAIN_STEPS_PER_EPOCH: '20' }),
      (r) => (r === 2 ? ['--cpus', '0.2'] : []),
    );
    const m = await watch(j.net);
    const s = await m.waitFor((x) => x.problems.some((p) => p.code === 'straggler'), 120_000);
    const stragglers = s.problems.filter((p) => p.code === 'straggler');
    expect(stragglers.map((p) => p.node)).toEqual([j.name(2)]);
    expect(stragglers[0]!.message).toMatch(
      /^holds the job back: its CPU is at its limit \(\d+ % of 0\.2 CPUs\) while the other 2 ranks wait for it/,
    );
    docker('rm', '-f', j.name(0), j.name(1), j.name(2));
  }, 300_000);
});

describe('tfmon up --framework pytorch', () => {
  it('starts a real DDP job of --workers ranks that tfmon then reads as one; + and - restart it with one rank more, then less', async () => {
    const net = own('pt-up');
    const prefix = own('up');
    const up = await tfmon([
      'up',
      '--framework',
      'pytorch',
      '--workers',
      '2',
      '--network',
      net,
      '--label',
      TEST_LABEL,
      '--prefix',
      prefix,
      '--env',
      'TRAIN_WIDTH=64',
    ]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain(`started ${prefix}-rank-0 (master 0)`);
    const m = await watch(net);
    const s = await m.waitFor((x) => x.nodes.length === 2 && x.clusterTraining !== null, 90_000);
    expect(s.nodes.map((n) => [n.name, n.framework, n.role, n.index, n.worldSize, n.master])).toEqual([
      [`${prefix}-rank-0`, 'pytorch', 'master', 0, 2, `${prefix}-rank-0:29500`],
      [`${prefix}-rank-1`, 'pytorch', 'worker', 1, 2, `${prefix}-rank-0:29500`],
    ]);
    expect(roots(s)).toEqual([]);
    // + : the job restarts whole with one rank more; - : with one less.
    const said: string[] = [];
    await resizeJob(new Engine(), s.nodes, net, 1, (line) => said.push(line));
    expect(said.at(-1)).toBe('the job restarted with WORLD_SIZE=3');
    const grown = await m.waitFor(
      (x) => x.nodes.length === 3 && x.nodes.every((n) => n.state === 'running' && n.worldSize === 3),
      60_000,
    );
    expect(grown.nodes.map((n) => [n.name, n.index])).toEqual([
      [`${prefix}-rank-0`, 0],
      [`${prefix}-rank-1`, 1],
      [`${prefix}-rank-2`, 2],
    ]);
    const moving = grown.training[grown.nodes[0]!.id]?.lastProgressAt ?? 0;
    const trained = await m.waitFor((x) => (x.training[x.nodes[0]!.id]?.lastProgressAt ?? 0) > moving, 90_000);
    expect(roots(trained)).toEqual([]);
    await resizeJob(new Engine(), trained.nodes, net, -1, () => undefined);
    const shrunk = await m.waitFor(
      (x) => x.nodes.length === 2 && x.nodes.every((n) => n.state === 'running' && n.worldSize === 2),
      60_000,
    );
    expect(roots(shrunk)).toEqual([]);
    const down = await tfmon(['down', '--yes', '--network', net, '--label', TEST_LABEL]);
    expect(down.code, down.stderr).toBe(0);
  }, 300_000);
});
