import { describe, expect, it } from 'vitest';
import { parseTfConfig } from '../../source/cluster/tf-config.js';
import { planUp, TF_SERVER_SCRIPT, type UpOptions } from '../../source/cluster/up-plan.js';

const base: UpOptions = {
  framework: 'tensorflow',
  network: 'tf-network',
  prefix: 'tf',
  ps: 1,
  workers: 2,
  chief: false,
  evaluator: false,
  image: 'tfmon-sim:abc',
  simImage: true,
  port: 2222,
  cpus: null,
  memoryBytes: null,
  gpus: null,
  publish: [],
  command: null,
  labels: {},
  env: {},
};

describe('planUp', () => {
  it('makes the seed topology with correct TF_CONFIGs and labels', () => {
    const plan = planUp(base);
    expect(plan.containers.map((c) => c.name)).toEqual(['tf-ps-0', 'tf-worker-0', 'tf-worker-1']);
    const w1 = plan.containers[2]!;
    expect(JSON.parse(w1.env['TF_CONFIG']!)).toEqual({
      cluster: { worker: ['tf-worker-0:2222', 'tf-worker-1:2222'], ps: ['tf-ps-0:2222'] },
      task: { type: 'worker', index: 1 },
    });
    expect(w1.env['GRPC_FAIL_FAST']).toBe('use_caller');
    expect(w1.labels).toEqual({
      'tfmon.cluster': 'tf-network',
      'tfmon.role': 'worker',
      'tfmon.index': '1',
      'tfmon.port': '2222',
    });
    expect(w1.command).toBe(null); // the sim image reads TF_CONFIG itself
    expect(plan.networkLabels['tfmon.created-by']).toBe('tfmon');
    for (const c of plan.containers) expect(parseTfConfig(c.env['TF_CONFIG']!).ok).toBe(true);
  });

  it('runs a tf.distribute.Server on ps and workers of a real image; chief keeps its command', () => {
    const plan = planUp({
      ...base,
      image: 'tensorflow/tensorflow:2.9.0',
      simImage: false,
      chief: true,
      evaluator: true,
    });
    const byName = Object.fromEntries(plan.containers.map((c) => [c.name, c]));
    expect(byName['tf-ps-0']?.command).toEqual(['python3', '-c', TF_SERVER_SCRIPT]);
    expect(byName['tf-worker-1']?.command).toEqual(['python3', '-c', TF_SERVER_SCRIPT]);
    expect(byName['tf-chief']?.command).toBe(null);
    expect(byName['tf-evaluator']?.command).toBe(null);
    expect(TF_SERVER_SCRIPT).toContain(
      'tf.distribute.Server(tf.train.ClusterSpec(c["cluster"]), job_name=c["task"]["type"]',
    );
  });

  it('passes --command, limits, GPUs, prefix and extra labels through', () => {
    const plan = planUp({
      ...base,
      prefix: 'exp',
      command: ['python3', 'serve.py'],
      cpus: 1.5,
      memoryBytes: 1 << 30,
      gpus: { count: -1, deviceIds: null },
      labels: { team: 'vision' },
    });
    const c = plan.containers[0]!;
    expect(c.name).toBe('exp-ps-0');
    expect(c.command).toEqual(['python3', 'serve.py']);
    expect([c.nanoCpus, c.memoryBytes, c.gpus]).toEqual([1_500_000_000, 1 << 30, { count: -1, deviceIds: null }]);
    expect(c.labels['team']).toBe('vision');
    expect(JSON.parse(c.env['TF_CONFIG']!).cluster.ps).toEqual(['exp-ps-0:2222']);
  });

  it('publishes worker ports on consecutive host ports, like the seed (8888, 8889)', () => {
    const plan = planUp({ ...base, publish: [{ hostBase: 8888, containerPort: 8888 }] });
    expect(plan.containers.map((c) => c.ports)).toEqual([
      [],
      [{ hostPort: 8888, containerPort: 8888 }],
      [{ hostPort: 8889, containerPort: 8888 }],
    ]);
  });
});

describe('up --framework pytorch', () => {
  it('one rank per container: RANK, WORLD_SIZE, MASTER_ADDR = rank 0, MASTER_PORT; rank 0 the master, labelled with its port', () => {
    const plan = planUp({
      ...base,
      framework: 'pytorch',
      prefix: 'ddp',
      workers: 3,
      port: 29500,
      image: 'tfmon-torch:x',
      simImage: false,
    });
    expect(
      plan.containers.map((c) => [
        c.name,
        c.type,
        c.index,
        c.env['RANK'],
        c.env['WORLD_SIZE'],
        c.env['MASTER_ADDR'],
        c.env['MASTER_PORT'],
        c.labels['tfmon.port'] ?? null,
      ]),
    ).toEqual([
      ['ddp-rank-0', 'master', 0, '0', '3', 'ddp-rank-0', '29500', '29500'],
      ['ddp-rank-1', 'worker', 1, '1', '3', 'ddp-rank-0', '29500', null],
      ['ddp-rank-2', 'worker', 2, '2', '3', 'ddp-rank-0', '29500', null],
    ]);
    // The image's own command (the training script); no TF_CONFIG.
    expect(plan.containers.every((c) => c.command === null && c.env['TF_CONFIG'] === undefined)).toBe(true);
  });
});
