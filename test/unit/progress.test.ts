// The progress reader on the lines TensorFlow and Keras print, verbatim (their formats are quoted in
// docs/training.md with where they come from), and on lines that must not be taken for progress.
import { describe, expect, it } from 'vitest';
import {
  compileProgressRegex,
  lastRewrite,
  parseTrainingLine,
  type CustomFormat,
  type TrainingEvent,
} from '../../source/cluster/progress.js';
import { LogDecoder } from '../../source/engine/log-decoder.js';

const report = (line: string, custom: CustomFormat[] = [], partial = false): unknown => {
  const e = parseTrainingLine(line, custom, partial);
  return e?.kind === 'progress' ? e.report : e;
};

describe('Estimator / MonitoredTrainingSession hooks', () => {
  it('reads the logging hook and the step counter, with tf_logging and absl prefixes', () => {
    expect(report('INFO:tensorflow:loss = 96.96749, step = 0')).toEqual({
      format: 'estimator',
      step: 0,
      loss: 96.96749,
    });
    expect(report('INFO:tensorflow:global_step/sec: 0.803899')).toEqual({
      format: 'estimator',
      globalStepsPerSecond: 0.803899,
    });
    expect(report('INFO:tensorflow:loss = 4.264659, step = 100 (124.394 sec)')).toEqual({
      format: 'estimator',
      step: 100,
      loss: 4.264659,
      secondsPerReport: 124.394,
    });
    expect(
      report(
        'I0407 22:52:49.771748 139827692275520 basic_session_run_hooks.py:260] loss = 4.264659, step = 100 (124.394 sec)',
      ),
    ).toEqual({ format: 'estimator', step: 100, loss: 4.264659, secondsPerReport: 124.394 });
    expect(
      report('I0407 22:52:49.771748 139827692275520 basic_session_run_hooks.py:702] global_step/sec: 41.9021'),
    ).toEqual({ format: 'estimator', globalStepsPerSecond: 41.9021 });
    // A hook logging more tensors: the others become metrics.
    expect(report('INFO:tensorflow:loss = 0.5, step = 200, accuracy = 0.91 (1.250 sec)')).toEqual({
      format: 'estimator',
      step: 200,
      loss: 0.5,
      metrics: { accuracy: 0.91 },
      secondsPerReport: 1.25,
    });
  });

  it("knows TensorFlow's own stall warning", () => {
    const e = parseTrainingLine(
      'WARNING:tensorflow:It seems that global step (tf.train.get_global_step) has not been increased. Current value (could be stable): 0 vs previous value: 0. You could increase the global step by passing tf.train.get_global_step() to Optimizer.apply_gradients or Optimizer.minimize.',
    );
    expect(e?.kind).toBe('stall_warning');
  });
});

describe('Keras fit', () => {
  it('reads the epoch header and verbose=2 lines of Keras 2.x, tf-keras and Keras 3', () => {
    expect(report('Epoch 3/10')).toEqual({ format: 'keras', epoch: 3, epochs: 10 });
    expect(report('710/710 - 0s - loss: 0.3377 - val_loss: 0.5081')).toEqual({
      format: 'keras',
      done: 710,
      total: 710,
      loss: 0.3377,
      metrics: { val_loss: 0.5081 },
      epochSeconds: 0,
    });
    expect(report('937/937 - 10s - loss: 0.2852 - accuracy: 0.9196 - 10s/epoch - 10ms/step')).toEqual({
      format: 'keras',
      done: 937,
      total: 937,
      loss: 0.2852,
      metrics: { accuracy: 0.9196 },
      epochSeconds: 10,
      secondsPerStep: 0.01,
    });
    expect(report('5000/5000 - 12s - 2ms/step - loss: 20443820.0000 - mae: 1786.9036')).toEqual({
      format: 'keras',
      done: 5000,
      total: 5000,
      loss: 20443820,
      metrics: { mae: 1786.9036 },
      epochSeconds: 12,
      secondsPerStep: 0.002,
    });
  });

  it('reads verbose=1 bars, Keras 2 and Keras 3 (with its colour codes), at the end of an epoch and in its middle', () => {
    expect(report('423/423 [==============================] - 192s 454ms/step - loss: 1.8386 - acc: 0.6136')).toEqual({
      format: 'keras',
      done: 423,
      total: 423,
      loss: 1.8386,
      metrics: { acc: 0.6136 },
      epochSeconds: 192,
      secondsPerStep: 0.454,
    });
    expect(report('788/788 ━━━━━━━━━━━━━━━━━━━━ 14s 18ms/step - accuracy: 0.9866 - loss: 0.0570')).toEqual({
      format: 'keras',
      done: 788,
      total: 788,
      loss: 0.057,
      metrics: { accuracy: 0.9866 },
      epochSeconds: 14,
      secondsPerStep: 0.018,
    });
    // Keras 3 as it writes it: bold count, green and white bar, bold time.
    const coloured =
      '\u001b[1m 12/788\u001b[0m \u001b[32m━\u001b[0m\u001b[37m━━━━━━━━━━━━━━━━━━━\u001b[0m \u001b[1m1:23\u001b[0m 106ms/step - accuracy: 0.4216 - loss: 1.6733';
    expect(report(coloured)).toEqual({
      format: 'keras',
      done: 12,
      total: 788,
      loss: 1.6733,
      metrics: { accuracy: 0.4216 },
      etaSeconds: 83,
      secondsPerStep: 0.106,
    });
    expect(report('  12/423 [>.............................] - ETA: 3:12 - loss: 2.3012 - acc: 0.1000')).toEqual({
      format: 'keras',
      done: 12,
      total: 423,
      loss: 2.3012,
      metrics: { acc: 0.1 },
      etaSeconds: 192,
    });
  });

  it('takes what a bar rewritten in place says last (backspaces, then a carriage return)', () => {
    const rewrite = (a: string, b: string): string => `${a}${'\b'.repeat(a.length)}\r${b}`;
    const line = rewrite(
      ' 1/20 [>.............................] - ETA: 19s - loss: 2.5000',
      ' 2/20 [==>...........................] - ETA: 18s - loss: 2.4000',
    );
    expect(report(line)).toMatchObject({ done: 2, total: 20, loss: 2.4 });
    // Still being written: its last piece may be cut, so the one before it counts.
    expect(report(`${line}${'\b'.repeat(60)}\r 3/20 [===>.........`, [], true)).toMatchObject({ done: 2, loss: 2.4 });
  });

  it('reads a line Docker split at 16 KiB and the reader joined again (a timestamp inside it)', () => {
    const pieces = Array.from(
      { length: 200 },
      (_, i) => `${String(i + 1).padStart(3)}/300 [=====>........................] - ETA: 10s - loss: 1.${i}`,
    );
    const joined = `${pieces.slice(0, 120).join(`${'\b'.repeat(70)}\r`)}2026-12-01T10:00:01.000000002Z ${'\b'.repeat(70)}\r${pieces.slice(120).join(`${'\b'.repeat(70)}\r`)}`;
    expect(lastRewrite(joined)).toBe(pieces.at(-1));
    expect(report(joined)).toMatchObject({ done: 200, total: 300, loss: 1.199 });
  });
});

describe('lines that are not progress', () => {
  it.each([
    'I tfsim: step 3 loss 0.2000 examples/sec 1200.0',
    'I flood 123 loss 0.1234 examples/sec 1234.5',
    'step = 5 is deprecated: use steps_per_execution',
    'INFO:tensorflow:Loss for final step: 0.31.',
    'INFO:tensorflow:Saving checkpoints for 100 into /tmp/model/model.ckpt.',
    '3/10 files copied',
    'copied 3/10 in 5s',
    'Epoch 3 of 10',
    '2026/12 report - loss: high',
    'I tensorflow/core/distributed_runtime/rpc/grpc_server_lib.cc:438] Started server with target: grpc://localhost:2222 /job:worker/replica:0/task:0',
  ])('%s', (line) => {
    expect(parseTrainingLine(line)).toBeNull();
  });
});

describe("TensorFlow's messages about other tasks", () => {
  const task = (line: string): TrainingEvent | null => parseTrainingLine(line);
  it('maps each to the task it names', () => {
    expect(
      task(
        '2026-12-01 12:00:00.000000: I tensorflow/core/distributed_runtime/master.cc:267] CreateSession still waiting for response from worker: /job:worker/replica:0/task:2',
      ),
    ).toMatchObject({ kind: 'task', code: 'session_waiting', job: 'worker', index: 2 });
    expect(
      task(
        'CreateSession failed because worker /job:ps/replica:0/task:0 returned error: Unavailable: failed to connect to all addresses',
      ),
    ).toMatchObject({ kind: 'task', code: 'ps_failed', job: 'ps', index: 0 });
    expect(
      task(
        'WARNING:tensorflow:Worker /job:worker/replica:0/task:1 failed with UnavailableError():failed to connect to all addresses',
      ),
    ).toMatchObject({ kind: 'task', code: 'worker_failed', job: 'worker', index: 1 });
    expect(
      task(
        'INFO:tensorflow:Remote function on worker /job:worker/replica:0/task:1 failed with UnavailableError():failed to connect to all addresses',
      ),
    ).toMatchObject({ kind: 'task', code: 'worker_failed', job: 'worker', index: 1 });
    expect(task('WARNING:tensorflow:Parameter server failure detected at PS task 0')).toMatchObject({
      kind: 'task',
      code: 'ps_failed',
      job: 'ps',
      index: 0,
    });
    expect(task('INFO:tensorflow:Cluster successfully recovered.')).toMatchObject({ kind: 'recovered' });
    expect(task('Received message larger than max (5242880 vs. 4194304)')).toMatchObject({
      kind: 'message_too_large',
      received: 5242880,
      max: 4194304,
    });
  });

  it("keeps no terminal control sequence of the container's in the words it quotes", () => {
    const e = task(
      '\u001b]0;owned\u0007CreateSession still waiting for response from worker: /job:worker/replica:0/task:1\u001b]52;c;ZXZpbA==\u0007\u009b2J',
    );
    expect(e).toMatchObject({ kind: 'task', code: 'session_waiting', index: 1 });
    expect(JSON.stringify(e)).not.toMatch(/\\u001b|\\u0007|\\u009b/);
  });
});

describe('--progress-regex', () => {
  it('reads named groups; refuses an expression without one, or an invalid one, in one line', () => {
    const custom = compileProgressRegex(
      String.raw`iter (?<step>\d+)/(?<total>\d+) loss=(?<loss>[\d.]+) lr=(?<lr>[\d.e-]+)`,
    );
    expect(typeof custom).toBe('object');
    expect(report('iter 40/100 loss=0.25 lr=1e-3', [custom as CustomFormat])).toEqual({
      format: 'custom',
      step: 40,
      total: 100,
      loss: 0.25,
      metrics: { lr: 0.001 },
    });
    expect(compileProgressRegex('iter (\\d+)')).toMatch(/no named group tfmon knows/);
    expect(compileProgressRegex('iter (?<step>\\d+')).toMatch(/^--progress-regex .* is not a regular expression/);
  });
});

describe("the log decoder's tail of a long line", () => {
  it("keeps a cut line's end, and tells a reader of progress the line still being written", () => {
    const got: { line: string; tail: string | undefined }[] = [];
    const partial: string[] = [];
    const d = new LogDecoder(
      true,
      (_s, line, tail) => got.push({ line, tail }),
      100,
      (_s, t) => partial.push(t),
    );
    d.push(Buffer.from(`${'x'.repeat(150)}\rDONE 7/7`));
    expect(partial.at(-1)!.endsWith('\rDONE 7/7')).toBe(true);
    expect(partial.at(-1)!.length).toBe(100);
    d.push(Buffer.from(' end\n'));
    expect(got).toHaveLength(1);
    expect(got[0]!.line).toMatch(/^x{100} \[\.\.\. 63 more characters\]$/);
    expect(got[0]!.tail).toBe(`${'x'.repeat(150)}\rDONE 7/7 end`.slice(-100));
  });
});
