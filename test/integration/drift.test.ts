// Misconfigurations tfmon finds without any key, on clusters built by hand with the docker CLI
// (what tfmon up would never make), read back through tfmon status --json and tfmon doctor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, createNetwork, own, requireEngine, runSim, simImage, TEST_LABEL, tfmon } from './harness.js';

const broken = own('drift1');
const stale = own('drift2');
const n = (what: string): string => own(what);
const cfg = (cluster: Record<string, string[]>, type: string, index: number): string =>
  JSON.stringify({ cluster, task: { type, index } });

interface Status {
  problems: { severity: string; node: string | null; code: string; message: string; nodes?: string[] }[];
}
const statusOf = async (net: string): Promise<Status> =>
  JSON.parse(
    (await tfmon(['status', '--json', '--no-usage', '--network', net, '--label', TEST_LABEL])).stdout,
  ) as Status;
const codes = (s: Status): string[] =>
  s.problems.map((p) => `${p.node === null ? '-' : p.node.replace(own(''), '')}:${p.code}`).sort();

beforeAll(async () => {
  requireEngine();
  const image = await simImage();
  const ff = { GRPC_FAIL_FAST: 'use_caller' };
  // Cluster 1: a task index out of range, a task type its own cluster lacks, two nodes claiming
  // worker 0, a gap in the worker indexes.
  createNetwork(broken);
  const w = [`${n('b-worker-0')}:2222`];
  runSim(image, n('b-ps-0'), broken, {
    env: { ...ff, TF_CONFIG: cfg({ ps: [`${n('b-ps-0')}:2222`], worker: w }, 'ps', 0) },
  });
  runSim(image, n('b-worker-0'), broken, {
    env: { ...ff, TF_CONFIG: cfg({ ps: [`${n('b-ps-0')}:2222`], worker: w }, 'worker', 5) },
  });
  runSim(image, n('b-worker-1'), broken, {
    env: { ...ff, TF_CONFIG: cfg({ ps: [`${n('b-ps-0')}:2222`] }, 'worker', 1) },
  });
  runSim(image, n('b-dup-worker-0'), broken, { env: ff });
  runSim(image, n('b-worker-3'), broken, { env: ff });
  // Cluster 2: a stale spec (worker 2 added by hand), a loopback address, no GRPC_FAIL_FAST, the TF
  // port and Jupyter published on every interface, a port nobody listens on, ps without a chief.
  createNetwork(stale);
  const spec = { ps: [`${n('s-ps-0')}:2222`], worker: [`${n('s-worker-0')}:2222`, `${n('s-worker-1')}:2222`] };
  runSim(image, n('s-ps-0'), stale, { env: { ...ff, TF_CONFIG: cfg(spec, 'ps', 0) }, args: ['-p', '2222'] });
  runSim(image, n('s-worker-0'), stale, { env: { TF_CONFIG: cfg(spec, 'worker', 0) } });
  runSim(image, n('s-worker-1'), stale, {
    env: { ...ff, TF_CONFIG: cfg({ ps: ['localhost:2222'], worker: spec.worker }, 'worker', 1), SIM_NO_LISTEN: '1' },
    args: ['-p', '8888'],
  });
  runSim(image, n('s-worker-2'), stale, {
    env: { ...ff, TF_CONFIG: cfg({ ...spec, worker: [...spec.worker, `${n('s-worker-2')}:2222`] }, 'worker', 2) },
  });
});
afterAll(() => cleanup());

describe('misconfigurations found on hand-built clusters', () => {
  it('index out of range, task type absent from its cluster, duplicate index, gap', async () => {
    const s = await statusOf(broken);
    expect(codes(s)).toEqual(
      expect.arrayContaining(['b-worker-0:tf_config_invalid', 'b-worker-1:tf_config_invalid', '-:index_gap']),
    );
    // The duplicate is on both claimants, and goes on the one whose name says another index.
    const dup = s.problems.find((p) => p.code === 'duplicate_task');
    expect(dup?.nodes?.sort()).toEqual([n('b-dup-worker-0'), n('b-worker-0')].sort());
    const msg = (node: string): string | undefined =>
      s.problems.find((p) => p.node === n(node) && p.code === 'tf_config_invalid')?.message;
    expect(msg('b-worker-0')).toBe('task worker:5 is not in the cluster (it has 1 worker task)');
    expect(msg('b-worker-1')).toBe('task.type "worker" is not in the cluster');
    expect(s.problems.find((p) => p.code === 'index_gap')?.message).toBe(
      'worker indexes 0, 1, 3: 2 missing (TensorFlow numbers tasks by their position in the list)',
    );
  });

  it('stale spec, loopback, GRPC_FAIL_FAST, public TF and Jupyter ports, no listener, no chief', async () => {
    const s = await statusOf(stale);
    expect(codes(s)).toEqual(
      expect.arrayContaining([
        's-ps-0:tf_config_stale',
        's-worker-0:tf_config_stale',
        's-worker-1:tf_config_stale',
        's-worker-1:loopback_address',
        's-worker-0:grpc_fail_fast_unset',
        's-ps-0:tf_port_public',
        's-worker-1:jupyter_public',
        's-worker-1:not_listening',
        '-:no_chief',
      ]),
    );
    expect(codes(s)).not.toContain('s-worker-2:tf_config_stale');
    expect(s.problems.find((p) => p.node === n('s-ps-0') && p.code === 'tf_config_stale')?.message).toBe(
      `TF_CONFIG differs from the live topology: worker: + ${n('s-worker-2')}:2222`,
    );
  });

  it('doctor groups them by node with a fix each, and exits 1', async () => {
    const r = await tfmon(['doctor', '--network', stale, '--label', TEST_LABEL]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^${n('s-worker-1')}$`, 'm'));
    expect(r.stdout).toMatch(/ {2}error {3}loopback_address: .*\n {10}fix: use each task's container name/);
    const json = JSON.parse((await tfmon(['doctor', '--json', '--network', stale, '--label', TEST_LABEL])).stdout) as {
      problems: { code: string; fix: string }[];
    };
    expect(json.problems.every((p) => p.fix.length > 10 && p.fix !== 'see the message')).toBe(true);
  });
});
