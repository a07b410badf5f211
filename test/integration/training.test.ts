// Training awareness on the real engine: sims printing TensorFlow's and Keras's own lines — a normal
// worker, one three times slower, one that stalls, a worker whose session waits for a stopped task,
// a Keras chief, a Keras bar long enough for Docker to split it — watched by a monitor as the live
// screen runs it, and read once by `status --json`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tfConfigFor, type TaskSpec } from '../../source/cluster/tf-config.js';
import type { Problem, Snapshot } from '../../source/cluster/types.js';
import { Engine } from '../../source/engine/engine.js';
import { ClusterMonitor } from '../../source/monitor/cluster-monitor.js';
import {
  cleanup,
  createNetwork,
  docker,
  own,
  requireEngine,
  runSim,
  simImage,
  TEST_LABEL,
  testLabels,
  tfmon,
} from './harness.js';

const net = own('train');
const name = (task: string): string => own(`t-${task}`);
const tasks: TaskSpec[] = [
  { type: 'chief', index: 0, host: name('chief-0'), port: 2222 },
  { type: 'ps', index: 0, host: name('ps-0'), port: 2222 },
  ...Array.from(
    { length: 5 },
    (_, i): TaskSpec => ({ type: 'worker', index: i, host: name(`worker-${i}`), port: 2222 }),
  ),
  { type: 'evaluator', index: 0, host: name('evaluator-0'), port: 2222 },
];
const STALL_AFTER_MS = 10_000;
let monitor: ClusterMonitor;

beforeAll(async () => {
  requireEngine();
  const image = await simImage();
  createNetwork(net);
  const run = (host: string, env: Record<string, string>): void => {
    const task = tasks.find((t) => t.host === host)!;
    runSim(image, host, net, { env: { TF_CONFIG: tfConfigFor(tasks, task), SIM_STEP_S: '1', ...env } });
  };
  run(name('ps-0'), {});
  run(name('worker-0'), {}); // normal: a report a second
  run(name('worker-1'), { SIM_SLOW: '3' }); // a report every 3 s
  run(name('worker-2'), { SIM_STALL_AFTER: '3' }); // three reports, then alive and quiet
  run(name('worker-3'), { SIM_WAIT_FOR: '/job:worker/replica:0/task:4', SIM_WAIT_S: '2' });
  run(name('worker-4'), {});
  docker('stop', '-t', '0', name('worker-4')); // the task worker-3 waits for
  run(name('chief-0'), { SIM_FORMAT: 'keras', SIM_EPOCHS: '50', SIM_STEPS: '100' });
  // 400 steps an epoch, each rewrite ~170 bytes without a newline: Docker splits it every 16 KiB.
  run(name('evaluator-0'), { SIM_FORMAT: 'keras-bar', SIM_EPOCHS: '50', SIM_STEPS: '400', SIM_STEP_S: '8' });
  monitor = new ClusterMonitor(new Engine(), {
    network: net,
    labels: testLabels,
    usage: { intervalMs: 1000, mode: 'auto' },
    training: { stallAfterMs: STALL_AFTER_MS, custom: [] },
  });
  await monitor.start();
}, 60_000);
afterAll(() => {
  monitor?.stop();
  cleanup();
});

const idOf = (s: Snapshot, task: string): string => s.nodes.find((n) => n.name === name(task))!.id;
const problemsOn = (s: Snapshot, code: string): Problem[] => s.problems.filter((p) => p.code === code);

describe('training on the real engine', () => {
  it('straggler on the slow worker only, stalled on the stalled one within its window, none on the normal one', async () => {
    const started = Date.now();
    const s = await monitor.waitFor(
      (x) => problemsOn(x, 'straggler').length > 0 && problemsOn(x, 'stalled').length > 0,
      45_000,
    );
    // The stall shows within its window (10 s after the last report, ~3 s in) plus a judgment's period.
    expect(Date.now() - started).toBeLessThan(3000 + STALL_AFTER_MS + 5000 + 10_000);
    expect(problemsOn(s, 'straggler').map((p) => p.node)).toEqual([name('worker-1')]);
    expect(problemsOn(s, 'straggler')[0]!.message).toMatch(
      /[23]\.\d s per report against the peers' median 1\.\d s per report/,
    );
    const stalled = problemsOn(s, 'stalled');
    expect(stalled.map((p) => p.node)).toEqual([name('worker-2')]);
    // Quiet and idle: an error, and it says so.
    expect(stalled[0]).toMatchObject({ severity: 'error' });
    expect(stalled[0]!.message).toMatch(/^no training progress for \d+ s at step 300/);
    expect(s.problems.filter((p) => p.node === name('worker-0') && ['straggler', 'stalled'].includes(p.code))).toEqual(
      [],
    );
    const t = s.training[idOf(s, 'worker-0')]!;
    expect(t).toMatchObject({ format: 'estimator', secondsPerReport: expect.closeTo(1, 0) });
    expect(t.step).toBeGreaterThanOrEqual(500);
    expect(Date.now() - t.lastProgressAt!).toBeLessThan(3000);
    // A ps prints no progress: no training, never a made-up figure.
    expect(s.training[idOf(s, 'ps-0')]).toBeUndefined();
  }, 60_000);

  it('session_waiting on the container that is task worker:4, caused by its not running', async () => {
    const s = await monitor.waitFor((x) => problemsOn(x, 'session_waiting').length > 0, 20_000);
    const [p] = problemsOn(s, 'session_waiting');
    expect(p).toMatchObject({
      node: name('worker-4'),
      nodes: [name('worker-4'), name('worker-3')],
      causedBy: { node: name('worker-4'), code: 'not_running' },
    });
    expect(p!.message).toContain('CreateSession still waiting for response from worker: /job:worker/replica:0/task:4');
  }, 30_000);

  it('a Keras chief: epoch, epochs and the ETA; a split Keras bar read while the epoch runs', async () => {
    const s = await monitor.waitFor((x) => {
      const chief = x.training[idOf(x, 'chief-0')];
      const bar = x.training[idOf(x, 'evaluator-0')];
      return (chief?.epoch ?? 0) >= 2 && bar?.done != null && bar.done > 0 && bar.done < 400;
    }, 30_000);
    const chief = s.training[idOf(s, 'chief-0')]!;
    expect(chief).toMatchObject({ format: 'keras', epochs: 50, total: 100, secondsPerStep: 0.01 });
    expect(s.clusterTraining!.eta).toBeGreaterThan(0);
    // (50 - epoch) epochs of 100 steps at 10 ms, at most one more.
    expect(s.clusterTraining!.eta).toBeLessThanOrEqual((50 - chief.epoch! + 1) * 100 * 0.01 + 1);
    const bar = s.training[idOf(s, 'evaluator-0')]!;
    expect(bar).toMatchObject({ format: 'keras', total: 400, epochs: 50 });
  }, 40_000);

  it('status --json: training per node and for the cluster, as the contract says', async () => {
    const r = await tfmon([
      'status',
      '--json',
      '--no-probe',
      '--stall-after',
      '10',
      '--network',
      net,
      '--label',
      TEST_LABEL,
    ]);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as {
      nodes: { name: string; training: Record<string, unknown> | null }[];
      training: { globalStepsPerSecond: number | null; eta: number | null } | null;
      problems: Problem[];
    };
    const node = (task: string): Record<string, unknown> | null =>
      out.nodes.find((n) => n.name === name(task))!.training;
    expect(node('worker-0')).toEqual({
      step: expect.any(Number),
      loss: expect.any(Number),
      epoch: null,
      epochs: null,
      stepsPerSecond: expect.any(Number),
      secondsPerReport: expect.closeTo(1, 0),
      lastProgressAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      format: 'estimator',
    });
    expect(node('ps-0')).toBeNull();
    expect(node('chief-0')).toMatchObject({ epochs: 50, format: 'keras' });
    expect(out.training).toEqual({ globalStepsPerSecond: expect.any(Number), eta: expect.any(Number) });
    // One look at the last lines finds the stall and the straggler too.
    expect(out.problems.filter((p) => p.code === 'stalled').map((p) => p.node)).toEqual([name('worker-2')]);
    expect(out.problems.filter((p) => p.code === 'straggler').map((p) => p.node)).toEqual([name('worker-1')]);
  }, 30_000);
});
