import { describe, expect, it } from 'vitest';
import { compareNodes, roleFromName, toNodeView } from '../../source/cluster/role.js';
import { factsFromInspect } from '../../source/engine/containers.js';
import { facts, recordedInspect as inspect } from '../helpers/facts.js';

const net = { name: 'tf-network', id: null };

describe('roleFromName', () => {
  it.each([
    ['tf-worker-3', 'worker', 3],
    ['tf-ps-0', 'ps', 0],
    ['job_ps_12', 'ps', 12],
    ['tf-chief', 'chief', 0],
    ['myrun-evaluator', 'evaluator', 0],
    ['worker', 'worker', null],
    ['TF-WORKER-1', 'worker', 1],
  ])('%s → %s %s', (name, role, index) => expect(roleFromName(name)).toEqual({ role, index }));
  it.each(['postgres', 'tf-workers-1', 'coworker-1', 'jupyter'])('%s has no role', (name) =>
    expect(roleFromName(name)).toBe(null),
  );
});

describe('toNodeView', () => {
  it('takes role, index and port from the recorded TF_CONFIG', () => {
    const v = toNodeView(facts());
    expect([v.role, v.index, v.roleSource, v.port]).toEqual(['worker', 0, 'tf_config', 2222]);
    expect(v.tfConfigError).toBe(null);
  });
  it('falls back to labels when TF_CONFIG is invalid, and says why', () => {
    const v = toNodeView(
      facts({
        tfConfigRaw: '{"cluster": [}',
        labels: { 'tfmon.role': 'ps', 'tfmon.index': '2', 'tfmon.port': '3333' },
      }),
    );
    expect([v.role, v.index, v.roleSource, v.port]).toEqual(['ps', 2, 'label', 3333]);
    expect(v.tfConfigError).toMatch(/not JSON/);
  });
  it('falls back to the name, then to unknown', () => {
    expect(toNodeView(facts({ tfConfigRaw: null, labels: {}, name: 'exp-worker-7' }))).toMatchObject({
      role: 'worker',
      index: 7,
      roleSource: 'name',
      port: null,
    });
    expect(toNodeView(facts({ tfConfigRaw: null, labels: {}, name: 'jupyter' }))).toMatchObject({
      role: 'unknown',
      index: null,
      roleSource: 'unknown',
    });
  });
  it('orders chief, ps, workers by index, evaluator, unknown', () => {
    const views = ['jupyter', 'tf-worker-10', 'tf-evaluator', 'tf-worker-2', 'tf-ps-0', 'tf-chief'].map((name) =>
      toNodeView(facts({ name, tfConfigRaw: null, labels: {} })),
    );
    expect(views.sort(compareNodes).map((v) => v.name)).toEqual([
      'tf-chief',
      'tf-ps-0',
      'tf-worker-2',
      'tf-worker-10',
      'tf-evaluator',
      'jupyter',
    ]);
  });
});

describe('factsFromInspect (recorded inspect of a sim worker)', () => {
  it('reads state, IP on the cluster network, labels and the command', () => {
    const f = factsFromInspect(inspect, net);
    expect(f.name).toBe('tf-worker-0');
    expect(f.state).toBe('running');
    expect(f.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(f.labels['tfmon.role']).toBe('worker');
    expect(f.command).toEqual(['/bin/sh', '/tfsim.sh']);
    expect(f.exitCode).toBe(null);
    expect(f.finishedAt).toBe(null);
  });
  it('has no IP when seen from another network', () => {
    expect(factsFromInspect(inspect, { name: 'other', id: 'nope' }).ip).toBe(null);
  });
  it('survives an empty object', () => {
    const f = factsFromInspect({}, net);
    expect(f).toMatchObject({ id: '', name: '', state: 'created', ip: null, tfConfigRaw: null, ports: [], mounts: [] });
  });
  it('reads GPU requests like docker run --gpus', () => {
    const withGpus = (req: object): string | null =>
      factsFromInspect({ HostConfig: { DeviceRequests: [{ Driver: '', Capabilities: [['gpu']], ...req }] } }, net)
        .gpuRequest;
    expect(withGpus({ Count: -1 })).toBe('all');
    expect(withGpus({ Count: 2 })).toBe('2');
    expect(withGpus({ Count: 0, DeviceIDs: ['0', '1'] })).toBe('device=0,1');
  });
});
