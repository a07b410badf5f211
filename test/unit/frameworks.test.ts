// The framework layer: a container's framework, role, rank, world and master from its environment
// and command line (recorded inspect documents of real PyTorch containers, and the launchers' own
// flags), the job's checks, and failures named on the right rank from recorded error lines.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explain } from '../../source/cluster/causes.js';
import { fixFor } from '../../source/cluster/fixes.js';
import { frameworkEnvOf } from '../../source/cluster/frameworks/environment.js';
import {
  elasticRootCause,
  lastFailureOf,
  ncclTimeout,
  peerNamed,
  ranksWaitedFor,
  waitedForTheJob,
  workerFailed,
} from '../../source/cluster/frameworks/failure-lines.js';
import { torchrunFlags } from '../../source/cluster/frameworks/pytorch.js';
import { levelOf } from '../../source/cluster/logs.js';
import { parseTrainingLine, type ProgressReport } from '../../source/cluster/progress.js';
import { TrainingBook, type UsageNow } from '../../source/cluster/training.js';
import { findProblems } from '../../source/cluster/problems.js';
import { probePlan, servesTf } from '../../source/cluster/probe-plan.js';
import { lastWorker, notScalable, resizableJob, tfConfigPlan } from '../../source/cluster/regenerate.js';
import { toNodeView } from '../../source/cluster/role.js';
import { listenProblems, reachProblems } from '../../source/cluster/reach.js';
import { startingUntil } from '../../source/cluster/frameworks/placement.js';
import type { ContainerFacts, NodeView } from '../../source/cluster/types.js';
import { factsFromInspect } from '../../source/engine/containers.js';
import { facts } from '../helpers/facts.js';

const fixture = (path: string): string =>
  readFileSync(new URL(`../fixtures/frameworks/${path}`, import.meta.url), 'utf8');
const inspect = (path: string): ContainerFacts =>
  factsFromInspect((JSON.parse(fixture(path)) as unknown[])[0], { name: 'zz-ddp', id: null });
const env = (vars: Record<string, string>, over: Partial<ContainerFacts> = {}): NodeView =>
  toNodeView(facts({ tfConfigRaw: null, grpcFailFast: null, labels: {}, frameworkEnv: vars, ...over }));
/** A recorded log's lines as the monitor reads them (every \r rewrite a line of its own), up to the first `until` matches. */
const logLines = (path: string, until?: RegExp) => {
  const lines = fixture(path).split(/\r|\n/);
  const end = until ? lines.findIndex((l) => until.test(l)) + 1 : lines.length;
  return lines.slice(0, end).map((text) => ({ text, level: levelOf(text) }));
};
/** The last error of a recorded log, as the monitor finds it. */
const lastError = (path: string, until?: RegExp): string | null => lastFailureOf(logLines(path, until));
const net = { name: 'zz-ddp', id: 'n', driver: 'bridge' };

describe('recognising a framework', () => {
  it('a PyTorch env:// container, from its recorded inspect: rank 0 is the master and serves MASTER_PORT', () => {
    const n = toNodeView(inspect('torch113/inspect-miss-0.json'));
    expect({
      framework: n.framework,
      role: n.role,
      index: n.index,
      roleSource: n.roleSource,
      worldSize: n.worldSize,
      master: n.master,
      port: n.port,
      ranks: n.ranks,
    }).toEqual({
      framework: 'pytorch',
      role: 'master',
      index: 0,
      roleSource: 'env',
      worldSize: 3,
      master: 'zz-miss-0:29500',
      port: 29500,
      ranks: null,
    });
    const w = toNodeView(inspect('torch113/inspect-bad-1.json'));
    expect([w.role, w.index, w.master, w.port]).toEqual(['worker', 1, 'zz-no-such-host:29500', null]);
  });

  it('keeps only the framework variables of an environment', () => {
    expect(frameworkEnvOf(['RANK=1', 'AWS_SECRET_ACCESS_KEY=x', 'MASTER_ADDR=m', 'PATH=/bin', 'WORLD_SIZE'])).toEqual({
      RANK: '1',
      MASTER_ADDR: 'm',
    });
  });

  it('torchrun and python -m torch.distributed.run|launch: node rank, its ranks, the world, the rendezvous', () => {
    const a = env(
      {},
      {
        command: [
          'torchrun',
          '--nnodes=2',
          '--nproc_per_node=4',
          '--node_rank=1',
          '--master_addr=trainer-0',
          '--master_port=29501',
          'train.py',
          '--node_rank',
          '9',
        ],
      },
    );
    expect([a.framework, a.role, a.index, a.ranks, a.worldSize, a.master, a.roleSource]).toEqual([
      'pytorch',
      'worker',
      1,
      [4, 7],
      8,
      'trainer-0:29501',
      'command',
    ]);
    const b = env(
      {},
      {
        command: [
          'python3',
          '-m',
          'torch.distributed.run',
          '--nnodes',
          '1:4',
          '--nproc-per-node',
          '2',
          '--rdzv-backend',
          'c10d',
          '--rdzv-endpoint',
          'head',
          '--rdzv-id',
          'j1',
          'train.py',
        ],
      },
    );
    expect([b.index, b.ranks, b.worldSize, b.master]).toEqual([null, null, 8, 'head:29400']);
    const c = env({}, { command: ['sh', '-c', 'exec torchrun --standalone --nproc_per_node=2 "train.py"'] });
    expect([c.role, c.index, c.ranks, c.master]).toEqual(['master', 0, [0, 1], null]);
    const d = env(
      {},
      {
        command: [
          'python',
          '-m',
          'torch.distributed.launch',
          '--nnodes=2',
          '--node-rank=0',
          '--nproc-per-node=1',
          '--master-addr',
          'm0',
          'x.py',
        ],
      },
    );
    expect([d.role, d.index, d.master, d.port]).toEqual(['master', 0, 'm0:29500', 29500]);
    // Kubeflow's PyTorchJob gives torchrun's flags as PET_* variables.
    const e = env({
      PET_NNODES: '3',
      PET_NPROC_PER_NODE: '1',
      PET_NODE_RANK: '2',
      PET_MASTER_ADDR: 'job-master-0',
      PET_MASTER_PORT: '23456',
    });
    expect([e.framework, e.index, e.worldSize, e.master]).toEqual(['pytorch', 2, 3, 'job-master-0:23456']);
    expect(torchrunFlags(['python', 'train.py', '--nnodes=2'])).toBe(null);
  });

  it('Horovod, JAX and Keras 3 from their variables; tfmon labels win; none of them: unknown', () => {
    const h = env({
      HOROVOD_RANK: '2',
      HOROVOD_SIZE: '4',
      HOROVOD_GLOO_RENDEZVOUS_ADDR: 'launcher',
      HOROVOD_GLOO_RENDEZVOUS_PORT: '4000',
    });
    expect([h.framework, h.role, h.index, h.worldSize, h.master, h.port]).toEqual([
      'horovod',
      'worker',
      2,
      4,
      'launcher:4000',
      null,
    ]);
    expect(env({ OMPI_COMM_WORLD_RANK: '0', OMPI_COMM_WORLD_SIZE: '2' }).role).toBe('master');
    const j = env({ JAX_COORDINATOR_ADDRESS: 'jax-0:1234', JAX_PROCESS_ID: '0', JAX_NUM_PROCESSES: '2' });
    expect([j.framework, j.role, j.worldSize, j.master, j.port]).toEqual(['jax', 'master', 2, 'jax-0:1234', 1234]);
    const k = env({ KERAS_DISTRIBUTION_JOB_ADDRESSES: 'k-0:1234,k-1:1234', KERAS_DISTRIBUTION_PROCESS_ID: '1' });
    expect([k.framework, k.role, k.index, k.worldSize, k.master]).toEqual(['keras', 'worker', 1, 2, 'k-0:1234']);
    const labelled = env(
      { RANK: '3', WORLD_SIZE: '4', MASTER_ADDR: 'm', MASTER_PORT: '1' },
      { labels: { 'tfmon.role': 'worker', 'tfmon.index': '7' } },
    );
    expect([labelled.framework, labelled.index, labelled.roleSource]).toEqual(['pytorch', 7, 'label']);
    const none = env({}, { name: 'notebook' });
    expect([none.framework, none.role]).toEqual([null, 'unknown']);
    // TensorFlow by name, as before.
    expect(env({}, { name: 'tf-worker-3' })).toMatchObject({ framework: 'tensorflow', role: 'worker', index: 3 });
  });
});

describe('failure lines', () => {
  it('the peer a rank lost, from gloo (torch 1.13 here and 2.11 on the GPU box) and from the store client', () => {
    expect(peerNamed(lastError('torch113/killed.rank0.log'))).toEqual({ host: '192.168.128.4', port: 33162 });
    expect(peerNamed(lastError('killed.rank1.log'))).toEqual({ host: '127.0.0.1', port: expect.any(Number) });
    expect(peerNamed(lastError('torch113/bad-1.log'))).toEqual({ host: 'zz-no-such-host', port: 29500 });
    expect(peerNamed(lastError('badmaster.rank1.log'))).toEqual({ host: 'no-such-host-zz', port: 29511 });
    expect(lastError('torch113/killed.rank2.log')).toBe(null);
  });

  it('a rank that gave up waiting for the others', () => {
    expect(ranksWaitedFor(lastError('missing.rank0.log'))).toEqual({ joined: 2, total: 3 });
    expect(waitedForTheJob(lastError('torch113/miss-0.log'))).toBe(true);
    expect(waitedForTheJob(lastError('torch113/bad-0.log'))).toBe(true);
    expect(waitedForTheJob(lastError('torch113/killed.rank0.log'))).toBe(false);
  });
});

/** The ranks of a job as the monitor sees them after the recorded failure. */
function ranks(
  specs: {
    rank: number;
    world?: number;
    master?: string;
    state?: 'running' | 'exited';
    exit?: number;
    log?: string;
    ip?: string;
    finishedAt?: string;
  }[],
): NodeView[] {
  return specs.map((s) =>
    toNodeView(
      facts({
        // A stopped container has given its address back: inspect says none.
        id: `id-${s.rank}`,
        name: `ddp-${s.rank}`,
        ip: s.state === 'exited' ? null : (s.ip ?? `192.168.128.${s.rank + 2}`),
        tfConfigRaw: null,
        grpcFailFast: null,
        labels: {},
        frameworkEnv: {
          RANK: String(s.rank),
          WORLD_SIZE: String(s.world ?? 3),
          MASTER_ADDR: s.master ?? 'ddp-0',
          MASTER_PORT: '29500',
        },
        state: s.state ?? 'running',
        exitCode: s.state === 'exited' ? (s.exit ?? 1) : null,
        finishedAt: s.finishedAt ?? null,
      }),
      s.log ? lastError(s.log) : null,
    ),
  );
}
const roots = (nodes: NodeView[]) => explain(findProblems(net, nodes), nodes).filter((p) => !p.causedBy);
const followers = (nodes: NodeView[]) =>
  explain(findProblems(net, nodes), nodes)
    .filter((p) => p.causedBy)
    .map((p) => `${p.node}:${p.code} <- ${p.causedBy!.node}:${p.causedBy!.code}`);

describe("a job's faults, one root each, on the rank where the fix goes", () => {
  it('a rank killed mid-training: its exit is the root; the ranks that lost it follow from it (gloo names its address, which no container has once it stopped)', () => {
    const nodes = ranks([
      { rank: 0, state: 'exited', log: 'torch113/killed.rank0.log' },
      { rank: 1, state: 'exited', log: 'torch113/killed.rank1.log' },
      { rank: 2, state: 'exited', exit: 137, log: 'torch113/killed.rank2.log' },
    ]);
    expect(roots(nodes).map((p) => `${p.node}:${p.code}`)).toEqual(['ddp-2:not_running']);
    expect(followers(nodes)).toEqual([
      'ddp-0:not_running <- ddp-2:not_running',
      'ddp-1:not_running <- ddp-2:not_running',
    ]);
  });

  it('WORLD_SIZE larger than the ranks started: one root naming the missing rank; the waiting ranks follow', () => {
    const nodes = ranks([
      { rank: 0, state: 'exited', log: 'torch113/miss-0.log' },
      { rank: 1, state: 'exited', log: 'torch113/miss-1.log' },
    ]);
    const r = roots(nodes);
    expect(r.map((p) => p.code)).toEqual(['rank_missing']);
    expect(r[0]!.message).toMatch(/^rank 2 of WORLD_SIZE=3 has no container/);
    expect(followers(nodes)).toEqual([
      'ddp-0:not_running <- null:rank_missing',
      'ddp-1:not_running <- null:rank_missing',
    ]);
    // While they still wait (running): the same root, nothing else.
    expect(roots(ranks([{ rank: 0 }, { rank: 1 }])).map((p) => p.code)).toEqual(['rank_missing']);
  });

  it('one rank told another MASTER_ADDR: the root on that rank; the master that waited for it follows', () => {
    const nodes = ranks([
      { rank: 0, world: 2, state: 'exited', log: 'torch113/bad-0.log' },
      { rank: 1, world: 2, master: 'zz-no-such-host', state: 'exited', log: 'torch113/bad-1.log' },
    ]);
    const r = roots(nodes);
    expect(r.map((p) => `${p.node}:${p.code}`)).toEqual(['ddp-1:job_mismatch']);
    expect(r[0]!.message).toBe(
      'MASTER_ADDR:MASTER_PORT is zz-no-such-host:29500 here, ddp-0:29500 on the other ranks: this rank looks for the job elsewhere and waits in init_process_group',
    );
    expect(followers(nodes).sort()).toEqual([
      'ddp-0:not_running <- ddp-1:job_mismatch',
      'ddp-1:not_running <- ddp-1:job_mismatch',
    ]);
  });

  it('two containers with one rank, a rank outside the world, a loopback master', () => {
    expect(
      roots(
        ranks([
          { rank: 0, world: 2 },
          { rank: 1, world: 2 },
          { rank: 1, world: 2, ip: '192.168.128.9' },
        ]),
      ).map((p) => p.code),
    ).toEqual(['duplicate_rank']);
    expect(
      roots(
        ranks([
          { rank: 0, world: 2 },
          { rank: 2, world: 2 },
        ]),
      )
        .map((p) => p.code)
        .sort(),
    ).toEqual(['job_mismatch', 'rank_missing']);
    const loop = roots(
      ranks([
        { rank: 0, world: 2, master: 'localhost' },
        { rank: 1, world: 2, master: 'localhost' },
      ]),
    );
    expect(loop.map((p) => `${p.node}:${p.code}`)).toEqual(['ddp-0:loopback_address', 'ddp-1:loopback_address']);
  });

  it("a healthy job raises nothing, not even TensorFlow's warnings", () => {
    expect(explain(findProblems(net, ranks([{ rank: 0 }, { rank: 1 }, { rank: 2 }])), [])).toEqual([]);
  });
});

describe('the pairs a job dials', () => {
  const pairs = (nodes: NodeView[], scope: 'tf' | 'all') =>
    probePlan(nodes, scope)
      .sources.flatMap((s) => s.targets.map((t) => `${s.node.name}>${t.host}:${t.port}`))
      .sort();
  it("every rank dials the master's store port; collectives use ports no one can probe ahead", () => {
    const nodes = ranks([{ rank: 0 }, { rank: 1 }, { rank: 2 }]);
    expect(pairs(nodes, 'tf')).toEqual(['ddp-1>ddp-0:29500', 'ddp-2>ddp-0:29500']);
    expect(pairs(nodes, 'all')).toEqual(['ddp-1>ddp-0:29500', 'ddp-2>ddp-0:29500']);
    expect(servesTf(nodes[0]!, false)).toBe(true);
    expect(servesTf(nodes[1]!, false)).toBe(false);
  });

  it('a rank told another master dials that one (and the matrix shows it does not resolve)', () => {
    const nodes = ranks([
      { rank: 0, world: 2 },
      { rank: 1, world: 2, master: 'zz-no-such-host' },
    ]);
    expect(pairs(nodes, 'tf')).toEqual(['ddp-1>zz-no-such-host:29500']);
    expect(pairs(nodes, 'all')).toEqual(['ddp-1>ddp-0:29500', 'ddp-1>zz-no-such-host:29500']);
  });
});

describe('PyTorch progress (recorded)', () => {
  const reports = (path: string) =>
    fixture(path)
      .split('\n')
      .flatMap((line) => {
        const e = parseTrainingLine(line);
        return e?.kind === 'progress' ? [e.report] : [];
      });
  it('a tqdm bar rewritten with \\r in one log line (torch 1.13 here): the last rewrite, its count, pace and the loss in its postfix', () => {
    const line = fixture('torch113/killed.rank0.log')
      .split('\n')
      .find((l) => l.includes('it/s'))!;
    const e = parseTrainingLine(line);
    expect(e?.kind).toBe('progress');
    const r = (e as { report: ProgressReport }).report;
    expect(r).toMatchObject({ format: 'tqdm', done: expect.any(Number), loss: expect.any(Number) });
    expect(r.total).toBe(1e9); // recorded with TRAIN_STEPS unset, then a range of 10^9 steps
    expect(r.secondsPerStep).toBeGreaterThan(0);
    // A line still being written: the rewrite before its last (which may be cut) is read.
    expect(parseTrainingLine(line, [], true)?.kind).toBe('progress');
  });

  it('tqdm on the GPU box: a bar with a total and ETA, then the s/it form', () => {
    const r = reports('tqdm.log');
    expect(r.length).toBe(2); // two bars, each one log line of \r rewrites
    expect(r.some((x) => x.total === 120 && x.loss !== undefined)).toBe(true);
    expect(r.some((x) => x.secondsPerStep !== undefined && x.secondsPerStep >= 1)).toBe(true);
  });

  it("Hugging Face's log dicts (values as strings in transformers 5) and its bar; Lightning's rich bar", () => {
    const hf = reports('hf-trainer.log');
    expect(hf.find((x) => x.loss === 0.6924)).toMatchObject({
      metrics: { grad_norm: 0.1618, learning_rate: 4.688e-6, epoch: 1.875 },
    });
    expect(hf.some((x) => x.done === 32 && x.total === 32)).toBe(true);
    const lightning = reports('lightning.log');
    expect(
      lightning.some((x) => x.epoch === 1 && x.epochs === 1 && x.done === 20 && x.total === 20 && x.loss === 2.483),
    ).toBe(true);
  });

  it('lines that only look alike are not progress', () => {
    for (const line of [
      'Downloading: 100%|██████████| 1.2G/1.2G [00:10<00:00, 120MB/s]',
      'copied 3/10 files',
      "{'eval_runtime': '1.0'}",
    ])
      expect(parseTrainingLine(line)).toBe(null);
  });
});

describe('a master that is still starting', () => {
  it('its closed port is no fault for its first 30 s (torch is still importing); a fault after', () => {
    const now = Date.parse('2026-12-04T12:00:00Z');
    const at = (secondsAgo: number): NodeView[] =>
      ranks([
        { rank: 0, world: 2 },
        { rank: 1, world: 2 },
      ]).map((n) => ({ ...n, startedAt: new Date(now - secondsAgo * 1000).toISOString() }));
    const refused = { [ranks([{ rank: 0 }])[0]!.id]: { port: 29500, state: 'refused' as const } };
    const entry = {
      from: 'ddp-1',
      to: 'ddp-0',
      port: 29500,
      dns: 'ok' as const,
      ip: '192.168.128.2',
      tcp: 'refused' as const,
      ms: 1,
      reason: null,
      tools: 'python3+python3',
    };
    expect(listenProblems(refused, at(5), now)).toEqual([]);
    expect(reachProblems([entry], at(5), now)).toEqual([]);
    expect(listenProblems(refused, at(40), now).map((p) => p.code)).toEqual(['not_listening']);
    expect(reachProblems([entry], at(40), now).map((p) => p.code)).toEqual(['port_refused']);
    expect(startingUntil(at(5)[0]!)).toBe(now + 25_000);
  });
});

describe('the slow rank of a synchronous job', () => {
  it('is the one pinned at its --cpus limit while the others wait (their paces are all the same)', () => {
    const nodes = ranks([{ rank: 0 }, { rank: 1 }, { rank: 2 }]).map((n) =>
      n.index === 2 ? { ...n, nanoCpus: 2e8 } : n,
    );
    const book = new TrainingBook();
    const bar = fixture('torch113/killed.rank0.log')
      .split('\n')
      .find((l) => l.includes('it/s'))!;
    book.ingest(nodes[0]!.id, parseTrainingLine(bar)!, 1000);
    const usage =
      (share: number) =>
      (id: string): UsageNow => ({
        cpuPercent: 20,
        cpuOfLimitPercent: id === nodes[2]!.id ? share : null,
        gpuPercent: null,
        netBps: null,
      });
    const judged = (share: number) =>
      [1, 2, 3].map((k) => book.judge(1000 + k * 5000, nodes, usage(share)).filter((p) => p.code === 'straggler'));
    const pinned = judged(98);
    expect(pinned.map((p) => p.length)).toEqual([0, 0, 1]); // three judgments in a row
    expect(pinned[2]![0]).toMatchObject({ node: 'ddp-2', severity: 'warning' });
    expect(pinned[2]![0]!.message).toBe(
      "holds the job back: its CPU is at its limit (98 % of 0.2 CPUs) while the other 2 ranks wait for it; in synchronous training every rank steps at the slowest one's pace",
    );
    // Below the limit: no straggler.
    const fresh = new TrainingBook();
    fresh.ingest(nodes[0]!.id, parseTrainingLine(bar)!, 1000);
    expect(
      [1, 2, 3, 4].flatMap((k) => fresh.judge(1000 + k * 5000, nodes, usage(60))).filter((p) => p.code === 'straggler'),
    ).toEqual([]);
  });
});

describe('keys that change a TensorFlow cluster leave a PyTorch job alone', () => {
  it('+ and - resize an env:// job (it restarts whole), say why not for a torchrun one; c plans no TF_CONFIG for a rank', () => {
    const nodes = ranks([{ rank: 0 }, { rank: 1 }, { rank: 2 }]);
    expect(lastWorker(nodes)).toBe(null);
    expect(resizableJob(nodes)?.ranks.map((n) => n.name)).toEqual(['ddp-0', 'ddp-1', 'ddp-2']);
    expect(notScalable(nodes)).toBe(null);
    const torchrun = env(
      {},
      { command: ['torchrun', '--nnodes=2', '--nproc_per_node=4', '--node_rank=1', '--master_addr=m', 'train.py'] },
    );
    expect(resizableJob([torchrun])).toBe(null);
    expect(notScalable([torchrun])).toBe(
      '+ and - grow and shrink TensorFlow clusters and PyTorch env:// jobs; a torchrun job is not resized by tfmon yet',
    );
    const plan = tfConfigPlan(nodes);
    expect(plan.ok && plan.plans).toEqual([]);
    // A TensorFlow cluster beside it is still grown as before.
    const tf = env({}, { name: 'tf-worker-0', id: 'tf0' });
    expect(lastWorker([...nodes, tf])?.name).toBe('tf-worker-0');
    expect(notScalable([...nodes, tf])).toBe(null);
  });
});

describe("torchrun's failure report (torch 2.11, recorded)", () => {
  it('its root cause as one line: the rank that failed first, its exit code, what its traceback says', () => {
    expect(elasticRootCause(fixture('torchrun-kill.log').split('\n'))).toBe(
      'ChildFailedError: rank 1 (local_rank: 1) failed first, exit code -9: Signal 9 (SIGKILL) received by PID 637',
    );
    expect(elasticRootCause(fixture('torchrun-raise.log').split('\n'))).toBe(
      'ChildFailedError: rank 1 (local_rank: 1) failed first, exit code 1',
    );
    expect(elasticRootCause(fixture('torchrun-ok.log').split('\n'))).toBe(null);
  });
});

describe('torchrun with a c10d rendezvous (torch 1.13 here, recorded)', () => {
  /** A torchrun node from the recorded inspect of one whose endpoint named it (tu-0:29400). */
  const node = (name: string, over: Partial<ContainerFacts> = {}): NodeView =>
    toNodeView({
      ...inspect('torch113/inspect-c10d-unhosted-0.json'),
      id: `id-${name}`,
      name,
      attached: true,
      networks: [net.name],
      ...over,
    });

  it('the node the endpoint names hosts the store only when that name is its host name, as torch decides it', () => {
    const docker = node('tu-0');
    expect(docker.hostname).toBe('d8b45e494ea3'); // Docker's default: the short id
    expect([docker.framework, docker.role, docker.index, docker.worldSize, docker.master, docker.port]).toEqual([
      'pytorch',
      'worker',
      null,
      4,
      'tu-0:29400',
      null,
    ]);
    const named = node('tu-0', { hostname: 'tu-0' });
    expect([named.role, named.port]).toEqual(['master', 29400]);
    const forced = node('tu-0', {
      command: [...docker.command.slice(0, -1), '--rdzv_conf', 'is_host=1', docker.command.at(-1)!],
    });
    expect([forced.role, forced.port]).toEqual(['master', 29400]);
  });

  it('no node hosts it: one root on the node the endpoint names, with the fix; every exit follows', () => {
    const exited = (name: string, log: string): NodeView => ({
      ...node(name, { state: 'exited', exitCode: 1, ip: null }),
      lastError: lastError(log),
    });
    const nodes = [exited('tu-0', 'torch113/c10d-unhosted-0.log'), exited('tu-1', 'torch113/c10d-unhosted-1.log')];
    expect(nodes[1]!.lastError).toMatch(/timed out after 60s while trying to connect to \(tu-0, 29400\)/);
    const r = roots(nodes);
    expect(r.map((p) => `${p.node}:${p.code}`)).toEqual(['tu-0:rendezvous_unhosted']);
    expect(r[0]!.message).toBe(
      "torchrun's c10d rendezvous is tu-0:29400, this container, but its host name is d8b45e494ea3: torchrun hosts the store only where the endpoint names its own host name, so no node hosts it and every node gives up after 60 s",
    );
    expect(fixFor(r[0]!, 'zz')).toBe(
      'recreate tu-0 with --hostname tu-0 (compose: hostname:), or give its torchrun --rdzv_conf is_host=1',
    );
    expect(followers(nodes).sort()).toEqual([
      'tu-0:not_running <- tu-0:rendezvous_unhosted',
      'tu-1:not_running <- tu-0:rendezvous_unhosted',
    ]);
    // Hosted (--hostname tu-0): nothing.
    const up = { state: 'running' as const, exitCode: null };
    expect(
      roots([node('tu-0', { ...up, hostname: 'tu-0', ip: '172.18.0.5' }), node('tu-1', { ...up, ip: '172.18.0.6' })]),
    ).toEqual([]);
  });

  it("a node killed: the survivor's workers fail naming its address while torchrun waits at its exit barrier (running), then its report", () => {
    const path = 'torch113/torchrun-killed-survivor.log';
    const agentLine = /failed \(exitcode: 1\) local_rank: 0/;
    // While it waits: the agent's line is the last error, the worker's line names the peer.
    expect(workerFailed(logLines(path, agentLine).at(-1)!.text)).toEqual({ exitCode: 1, localRank: 0 });
    expect(lastError(path, agentLine)).toBe(
      'RuntimeError: [./gloo/transport/tcp/pair.cc:589] Read error [172.18.0.3]:5838: Connection reset by peer',
    );
    // After 300 s: torch 1.13's report has no traceback; the worker's line before it says who.
    expect(lastError(path)).toBe(
      'ChildFailedError: rank 0 (local_rank: 0) failed first, exit code 1: RuntimeError: [./gloo/transport/tcp/pair.cc:589] Read error [172.18.0.3]:5838: Connection reset by peer',
    );

    const book = new TrainingBook();
    const survivor = {
      ...node('tr-0', {
        hostname: 'tr-0',
        state: 'running',
        exitCode: null,
        startedAt: new Date(0).toISOString(),
        ip: '172.18.0.2',
      }),
      lastError: lastError(path, agentLine),
    };
    const dead = {
      ...node('tr-1', { state: 'exited', exitCode: 137, ip: null, finishedAt: new Date(50_000).toISOString() }),
    };
    logLines(path, agentLine).forEach((l, i) => {
      const e = parseTrainingLine(l.text);
      if (e) book.ingest(survivor.id, e, 1000 + i * 10);
    });
    const judged = book.judge(60_000, [survivor, dead], () => null);
    expect(judged.map((p) => `${p.node}:${p.code}`)).toEqual(['tr-0:ranks_failed']);
    expect(judged[0]!.message).toBe(
      'its training stopped: a worker (local rank 0) exited with code 1, and torchrun waits for the other nodes before it exits (up to 5 minutes)',
    );
    const all = explain([...findProblems(net, [survivor, dead]), ...judged], [survivor, dead]);
    expect(all.filter((p) => !p.causedBy).map((p) => `${p.node}:${p.code}`)).toEqual(['tr-1:not_running']);
    expect(
      all.filter((p) => p.causedBy).map((p) => `${p.node}:${p.code} <- ${p.causedBy!.node}:${p.causedBy!.code}`),
    ).toEqual(['tr-0:ranks_failed <- tr-1:not_running']);
  });
});

describe("NCCL's watchdog (quoted from public logs: no GPU job can time out here)", () => {
  const lines = (path: string): string[] => fixture(`nccl/${path}`).split('\n').filter(Boolean);
  it("reads the rank, the collective and the timeout, alone, inside an aborted communicator and inside the watchdog's terminate line", () => {
    expect(ncclTimeout(lines('watchdog-torch1.log')[0]!)).toEqual({
      rank: 3,
      seq: 56693,
      op: 'BROADCAST',
      timeoutMs: 1_800_000,
    });
    expect(ncclTimeout(lines('watchdog-torch2.log')[0]!)).toEqual({
      rank: 1,
      seq: 808,
      op: 'ALLREDUCE',
      timeoutMs: 600_000,
    });
    expect(ncclTimeout(lines('aborted.log')[0]!)).toEqual({ rank: 2, seq: 10, op: 'BROADCAST', timeoutMs: 1_800_000 });
    expect(ncclTimeout(lines('watchdog-terminate.log')[1]!)).toEqual({
      rank: 6,
      seq: 199,
      op: '_REDUCE_SCATTER_BASE',
      timeoutMs: 600_000,
    });
    expect(lastError('nccl/watchdog-terminate.log')).toMatch(/Watchdog caught collective operation timeout/);
    expect(ncclTimeout(lines('watchdog-torch2.log')[1]!)).toBe(null);
  });

  /** Ranks 1-3 of a 4-rank job, each with its own watchdog line (torch 1.x's log, one line a rank). */
  const job = (rank0: Partial<ContainerFacts>): NodeView[] => [
    { ...ranks([{ rank: 0, world: 4 }])[0]!, ...rank0 } as NodeView,
    ...lines('watchdog-torch1.log').map((line) => {
      const r = ncclTimeout(line)!.rank;
      return { ...ranks([{ rank: r, world: 4, state: 'exited', exit: 134 }])[0]!, lastError: line };
    }),
  ];
  it("the rank that did not time out and still runs is where the job hangs: one root on it; the others' exits follow", () => {
    const nodes = job({});
    const r = roots(nodes);
    expect(r.map((p) => `${p.node}:${p.code}`)).toEqual(['ddp-0:collective_timeout']);
    expect(r[0]!.message).toBe(
      'ddp-3, ddp-2, ddp-1 gave up on NCCL BROADCAST #56693 after 1800 s waiting for it: it never joined that collective — stuck or far slower (its own work, a checkpoint, a data loader, another code path)',
    );
    expect(followers(nodes).sort()).toEqual([1, 2, 3].map((k) => `ddp-${k}:not_running <- ddp-0:collective_timeout`));
  });

  it("the rank that did not time out was killed: the others' exits follow from its exit", () => {
    const nodes = job({ state: 'exited', exitCode: 137, ip: null });
    expect(roots(nodes).map((p) => `${p.node}:${p.code}`)).toEqual(['ddp-0:not_running']);
    expect(followers(nodes).sort()).toEqual([1, 2, 3].map((k) => `ddp-${k}:not_running <- ddp-0:not_running`));
  });
});
