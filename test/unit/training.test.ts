// The training book: what a node's progress says, and the judgments made from it.
import { describe, expect, it } from 'vitest';
import { explain } from '../../source/cluster/causes.js';
import { parseTrainingLine } from '../../source/cluster/progress.js';
import { findProblems } from '../../source/cluster/problems.js';
import { toNodeView } from '../../source/cluster/role.js';
import { tfConfigFor, type TaskSpec } from '../../source/cluster/tf-config.js';
import { median, medianWithout, TrainingBook, type UsageNow } from '../../source/cluster/training.js';
import type { NodeView, Problem } from '../../source/cluster/types.js';
import { seedFacts } from '../helpers/snapshot.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const tasks: TaskSpec[] = [
  { type: 'ps', index: 0, host: 'tf-ps-0', port: 2222 },
  ...[0, 1, 2].map((i): TaskSpec => ({ type: 'worker', index: i, host: `tf-worker-${i}`, port: 2222 })),
];
const nodes = (over: Record<string, Partial<NodeView>> = {}): NodeView[] =>
  seedFacts(tasks).map((f) => ({ ...toNodeView(f), startedAt: '2026-12-01T09:00:00Z', ...over[f.name] }));
const idOf = (name: string): string => `id-${name}`;
const feed = (book: TrainingBook, name: string, line: string, at: number): void => {
  const e = parseTrainingLine(line);
  if (!e) throw new Error(`not recognized: ${line}`);
  book.ingest(idOf(name), e, at);
};
/** Estimator reports every `seconds` from T0, `count` of them. */
function estimator(book: TrainingBook, name: string, seconds: number, count: number, from = T0): void {
  for (let k = 1; k <= count; k++) {
    feed(book, name, `INFO:tensorflow:global_step/sec: ${(100 / seconds).toFixed(3)}`, from + k * seconds * 1000);
    feed(
      book,
      name,
      `INFO:tensorflow:loss = ${(2 / k).toFixed(4)}, step = ${k * 100} (${seconds.toFixed(3)} sec)`,
      from + k * seconds * 1000,
    );
  }
}
const noUsage = (): UsageNow | null => null;
const brief = (ps: Problem[]): string[] =>
  ps.map((p) => `${p.node}:${p.code}:${p.severity}${p.causedBy ? `<-${p.causedBy.node}:${p.causedBy.code}` : ''}`);

describe("a node's training", () => {
  it("step, loss and its history, pace, last progress; the cluster's global rate", () => {
    const book = new TrainingBook();
    estimator(book, 'tf-worker-0', 2, 5);
    const t = book.nodes()[idOf('tf-worker-0')]!;
    expect(t).toMatchObject({
      format: 'estimator',
      step: 500,
      loss: 0.4,
      secondsPerReport: 2,
      globalStepsPerSecond: 50,
      stepsPerSecond: 50,
      lastProgressAt: T0 + 10_000,
      trend: 'flat',
    });
    expect(t.lossHistory).toEqual([2, 1, 0.6667, 0.5, 0.4]);
    expect(book.cluster(nodes())).toEqual({ globalStepsPerSecond: 50, eta: null });
    // The same object until something changes (the screen's memos).
    expect(book.nodes()).toBe(book.nodes());
  });

  it("Keras: epoch, steps in the epoch, and the ETA of the last epoch's end", () => {
    const book = new TrainingBook();
    feed(book, 'tf-worker-0', 'Epoch 3/10', T0);
    feed(book, 'tf-worker-0', ' 50/100 ━━━━━━━━━━━━━━━━━━━━ 1s 18ms/step - accuracy: 0.9000 - loss: 0.3000', T0 + 1000);
    expect(book.nodes()[idOf('tf-worker-0')]).toMatchObject({
      format: 'keras',
      epoch: 3,
      epochs: 10,
      done: 50,
      total: 100,
      loss: 0.3,
      secondsPerStep: 0.018,
    });
    // (10 - 3) epochs × 100 steps + 50 left in this one, 18 ms each.
    expect(book.cluster(nodes())!.eta).toBeCloseTo(13.5, 5);
  });
});

describe('peer medians', () => {
  it('the median of a sorted list without one value is the median of the others', () => {
    const lists = [[1], [1, 2], [1, 2, 3], [1, 1, 3, 7], [0.3, 1, 1, 1.05, 2, 9]];
    for (const list of lists) {
      for (const v of list) {
        const others = [...list];
        others.splice(others.indexOf(v), 1);
        expect(medianWithout(list, v), `${list} without ${v}`).toBe(median(others));
      }
    }
  });
});

describe('judgments', () => {
  it("straggler: only the worker below 0.7× its peers' median for its last 3 reports, saying both", () => {
    const book = new TrainingBook();
    estimator(book, 'tf-worker-0', 1, 8);
    estimator(book, 'tf-worker-1', 1.05, 8);
    estimator(book, 'tf-worker-2', 3, 3);
    const found = book.judge(T0 + 10_000, nodes(), noUsage);
    expect(brief(found)).toEqual(['tf-worker-2:straggler:warning']);
    expect(found[0]!.message).toMatch(/3\.0 s per report against the peers' median 1\.0 s per report \(0\.3\d×\)/);
    // Two slow reports are not yet three.
    const early = new TrainingBook();
    estimator(early, 'tf-worker-0', 1, 8);
    estimator(early, 'tf-worker-1', 1, 8);
    estimator(early, 'tf-worker-2', 3, 2);
    expect(early.judge(T0 + 7000, nodes(), noUsage)).toEqual([]);
  });

  it("stalled: no progress for max(3× its interval, the floor); an error when it is also idle; TensorFlow's warning counts", () => {
    const book = new TrainingBook({ stallAfterMs: 60_000 });
    estimator(book, 'tf-worker-0', 30, 4); // every 30 s until T0 + 120 s: the window is 3 × 30 s, over the 60 s floor
    const last = T0 + 120_000;
    expect(book.judge(last + 89_000, nodes(), noUsage)).toEqual([]);
    const busy = book.judge(last + 91_000, nodes(), () => ({ cpuPercent: 85, gpuPercent: null, netBps: null }));
    expect(brief(busy)).toEqual(['tf-worker-0:stalled:warning']);
    expect(busy[0]!.message).toMatch(
      /no training progress for 91 s at step 400 \(it moved every 30 s before\); CPU 85\.0 %/,
    );
    const idle = book.judge(last + 91_000, nodes(), () => ({ cpuPercent: 0.1, gpuPercent: 0, netBps: 0 }));
    expect(brief(idle)).toEqual(['tf-worker-0:stalled:error']);
    expect(idle[0]!.message).toMatch(/alive but idle/);
    // A stopped node is not_running, not stalled.
    expect(book.judge(last + 91_000, nodes({ 'tf-worker-0': { state: 'exited' } }), noUsage)).toEqual([]);
    // TensorFlow says so itself, before the window ends.
    feed(
      book,
      'tf-worker-0',
      'WARNING:tensorflow:It seems that global step (tf.train.get_global_step) has not been increased. Current value (could be stable): 400 vs previous value: 400. You could increase the global step by passing tf.train.get_global_step() to Optimizer.apply_gradients or Optimizer.minimize.',
      last + 20_000,
    );
    const said = book.judge(last + 25_000, nodes(), noUsage);
    expect(said.map((p) => p.message)).toEqual([
      expect.stringMatching(/^TensorFlow says the global step has not increased at step 400/),
    ]);
  });

  it('a finished Keras run is not stalled', () => {
    const book = new TrainingBook({ stallAfterMs: 10_000 });
    feed(book, 'tf-worker-0', 'Epoch 2/2', T0);
    feed(book, 'tf-worker-0', '20/20 - 1s - loss: 0.5000 - 1s/epoch - 50ms/step', T0 + 1000);
    expect(book.judge(T0 + 60_000, nodes(), noUsage)).toEqual([]);
  });

  it('workers that print no progress (ParameterServerStrategy): judged by CPU, GPU and network, three times in a row', () => {
    const book = new TrainingBook();
    const usage: Record<string, UsageNow> = {
      [idOf('tf-worker-0')]: { cpuPercent: 80, gpuPercent: null, netBps: 400_000 },
      [idOf('tf-worker-1')]: { cpuPercent: 85, gpuPercent: null, netBps: 420_000 },
      [idOf('tf-worker-2')]: { cpuPercent: 12, gpuPercent: null, netBps: 30_000 },
    };
    const at = (id: string): UsageNow | null => usage[id] ?? null;
    expect(book.judge(T0, nodes(), at)).toEqual([]);
    expect(book.judge(T0 + 5000, nodes(), at)).toEqual([]);
    const found = book.judge(T0 + 10_000, nodes(), at);
    expect(brief(found)).toEqual(['tf-worker-2:straggler:warning']);
    expect(found[0]!.message).toMatch(
      /CPU 12\.0 % against 80\.0 %, network 30 kB\/s against 400 kB\/s .*judged by CPU, network/,
    );
    // Idle workers are not training: no one is judged.
    const idle = new TrainingBook();
    const quiet = (): UsageNow => ({ cpuPercent: 0.5, gpuPercent: null, netBps: 10 });
    for (let k = 0; k < 4; k++) expect(idle.judge(T0 + k * 5000, nodes(), quiet)).toEqual([]);
  });

  it('session_waiting lands on the task TensorFlow names, caused by its not running; gone once the reporter moves on', () => {
    const book = new TrainingBook();
    feed(
      book,
      'tf-worker-0',
      '2026-12-01 10:00:00.000000: I tensorflow/core/distributed_runtime/master.cc:267] CreateSession still waiting for response from worker: /job:worker/replica:0/task:1',
      T0,
    );
    const list = nodes({ 'tf-worker-1': { state: 'exited', exitCode: 1, ip: null } });
    const found = book.judge(T0 + 5000, list, noUsage);
    expect(brief(found)).toEqual(['tf-worker-1:session_waiting:error']);
    expect(found[0]!.nodes).toEqual(['tf-worker-1', 'tf-worker-0']);
    expect(found[0]!.message).toMatch(
      /^tf-worker-1 \(task worker:1\): tf-worker-0 is waiting for it to answer: "CreateSession still waiting/,
    );
    const net = { name: 'tf-network', id: 'n', driver: 'bridge' };
    const explained = explain([...findProblems(net, list), ...found], list);
    expect(brief(explained.filter((p) => p.code === 'session_waiting'))).toEqual([
      'tf-worker-1:session_waiting:error<-tf-worker-1:not_running',
    ]);
    // 30 s without the line again: over.
    expect(book.judge(T0 + 31_000, list, noUsage)).toEqual([]);
  });

  it("the task is found by the address in the reporter's TF_CONFIG, even when names and indexes disagree", () => {
    const book = new TrainingBook();
    // tf-worker-0's cluster spec lists the workers in another order: its task 1 is tf-worker-2.
    const odd = tasks.map((t) =>
      t.index === 1 && t.type === 'worker'
        ? { ...t, host: 'tf-worker-2' }
        : t.index === 2 && t.type === 'worker'
          ? { ...t, host: 'tf-worker-1' }
          : t,
    );
    const list = nodes({
      'tf-worker-0': {
        tfConfigParsed: toNodeView({ ...seedFacts(tasks)[1]!, tfConfigRaw: tfConfigFor(odd, odd[1]!) }).tfConfigParsed,
      },
    });
    feed(
      book,
      'tf-worker-0',
      'WARNING:tensorflow:Worker /job:worker/replica:0/task:1 failed with UnavailableError():failed to connect to all addresses',
      T0,
    );
    expect(brief(book.judge(T0 + 1000, list, noUsage))).toEqual(['tf-worker-2:worker_failed:error']);
    // The coordinator recovered: over.
    feed(book, 'tf-worker-0', 'INFO:tensorflow:Cluster successfully recovered.', T0 + 2000);
    expect(book.judge(T0 + 3000, list, noUsage)).toEqual([]);
  });

  it('a message larger than the limit, with both sizes', () => {
    const book = new TrainingBook();
    feed(
      book,
      'tf-worker-0',
      'E1201 10:00:00.000000 1 grpc.cc:1] Received message larger than max (5242880 vs. 4194304)',
      T0,
    );
    const found = book.judge(T0 + 1000, nodes(), noUsage);
    expect(brief(found)).toEqual(['tf-worker-0:grpc_message_too_large:error']);
    expect(found[0]!.message).toMatch(/5,242,880 bytes was refused: the limit is 4,194,304/);
  });
});
