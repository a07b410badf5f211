import { describe, expect, it } from 'vitest';
import {
  clusterSpecOf,
  ownAddress,
  parseTfConfig,
  splitAddress,
  tfConfigFor,
  type TaskSpec,
} from '../../source/cluster/tf-config.js';

const seed = {
  cluster: { worker: ['tf-worker-0:2222', 'tf-worker-1:2222'], ps: ['tf-ps-0:2222'] },
  task: { type: 'worker', index: 0 },
};

describe('parseTfConfig', () => {
  it('accepts the seed TF_CONFIG and normalizes jobs', () => {
    const r = parseTfConfig(JSON.stringify(seed));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.task).toEqual({ type: 'worker', index: 0 });
    expect(r.config.cluster['worker']).toEqual([
      { index: 0, address: 'tf-worker-0:2222' },
      { index: 1, address: 'tf-worker-1:2222' },
    ]);
    expect(ownAddress(r.config)).toBe('tf-worker-0:2222');
  });

  it('accepts the {index: address} form, sorted by index', () => {
    const r = parseTfConfig(
      JSON.stringify({
        cluster: { worker: { '1': 'b:1', '0': 'a:1' }, ps: ['p:1'] },
        task: { type: 'worker', index: 1 },
      }),
    );
    expect(r.ok && r.config.cluster['worker']).toEqual([
      { index: 0, address: 'a:1' },
      { index: 1, address: 'b:1' },
    ]);
  });

  const bad: [string, string, RegExp][] = [
    ['not JSON', '{cluster:', /not JSON/],
    ['an array', '[]', /must be a JSON object/],
    ['master job', JSON.stringify({ cluster: { master: ['m:1'] } }), /"master" is rejected/],
    ['unknown job', JSON.stringify({ cluster: { trainer: ['m:1'] } }), /unknown job "trainer"/],
    ['two chiefs', JSON.stringify({ cluster: { chief: ['a:1', 'b:1'] } }), /more than one chief/],
    ['two evaluators', JSON.stringify({ cluster: { evaluator: ['a:1', 'b:1'] } }), /more than one evaluator/],
    [
      'index too high',
      JSON.stringify({ ...seed, task: { type: 'worker', index: 2 } }),
      /worker:2 is not in the cluster \(it has 2 worker tasks\)/,
    ],
    ['negative index', JSON.stringify({ ...seed, task: { type: 'worker', index: -1 } }), /non-negative integer/],
    ['string index', JSON.stringify({ ...seed, task: { type: 'worker', index: '0' } }), /non-negative integer/],
    [
      'type not in cluster',
      JSON.stringify({ ...seed, task: { type: 'chief', index: 0 } }),
      /"chief" is not in the cluster/,
    ],
    ['bad task type', JSON.stringify({ ...seed, task: { type: 'master', index: 0 } }), /not one of/],
    ['address without port', JSON.stringify({ cluster: { ps: ['tf-ps-0'] } }), /is not host:port/],
    ['port out of range', JSON.stringify({ cluster: { ps: ['tf-ps-0:70000'] } }), /is not host:port/],
    ['non-string address', JSON.stringify({ cluster: { ps: [2222] } }), /is not a string/],
    [
      'duplicate address',
      JSON.stringify({ cluster: { ps: ['a:1'], worker: ['a:1'] } }),
      /listed twice \(ps:0 and worker:0\)/,
    ],
    ['1 MB long', JSON.stringify({ cluster: { ps: [`${'x'.repeat(1_000_000)}:1`] } }), /characters long/],
  ];
  it.each(bad)('rejects %s', (_name, text, message) => {
    const r = parseTfConfig(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it('lets an evaluator sit outside the cluster spec, as TensorFlow does', () => {
    const r = parseTfConfig(JSON.stringify({ cluster: seed.cluster, task: { type: 'evaluator', index: 0 } }));
    expect(r.ok).toBe(true);
  });

  it('accepts a cluster without a task', () => {
    const r = parseTfConfig(JSON.stringify({ cluster: seed.cluster }));
    expect(r.ok && r.config.task).toBe(null);
  });
});

describe('splitAddress', () => {
  it.each([
    ['tf-ps-0:2222', { host: 'tf-ps-0', port: 2222 }],
    ['[::1]:80', { host: '[::1]', port: 80 }],
    ['10.0.0.1:1', { host: '10.0.0.1', port: 1 }],
  ])('%s', (address, expected) => expect(splitAddress(address)).toEqual(expected));
  it.each(['host', 'host:0', 'host:65536', ':22', 'a b:1', 'host:port'])('rejects %s', (a) =>
    expect(splitAddress(a)).toBe(null),
  );
});

describe('generation', () => {
  const tasks: TaskSpec[] = [
    { type: 'worker', index: 1, host: 'tf-worker-1', port: 2222 },
    { type: 'ps', index: 0, host: 'tf-ps-0', port: 2222 },
    { type: 'worker', index: 0, host: 'tf-worker-0', port: 2222 },
    { type: 'chief', index: 0, host: 'tf-chief', port: 2222 },
    { type: 'evaluator', index: 0, host: 'tf-evaluator', port: 2222 },
  ];
  it('sorts tasks by index and leaves the evaluator out of the spec', () => {
    expect(clusterSpecOf(tasks)).toEqual({
      chief: ['tf-chief:2222'],
      worker: ['tf-worker-0:2222', 'tf-worker-1:2222'],
      ps: ['tf-ps-0:2222'],
    });
  });
  it('round-trips through the validator for every task, the evaluator included', () => {
    for (const t of tasks) {
      const r = parseTfConfig(tfConfigFor(tasks, t));
      expect(r.ok, `${t.type}:${t.index}`).toBe(true);
    }
  });
});
