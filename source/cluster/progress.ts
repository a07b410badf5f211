// TensorFlow's and Keras's own progress lines → what they say: step, loss, epoch, items in the epoch,
// pace; TensorFlow's cluster errors → the task they name. Pure and cheap: every line of every training
// node passes here, so a line with none of the words these formats share is dismissed by one test.
//
// Formats (docs/training.md lists them with examples):
// - Estimator / MonitoredTrainingSession hooks, with the `INFO:tensorflow:` prefix or absl's
//   `I0407 22:52:49.771748 139827692275520 basic_session_run_hooks.py:260] `:
//   `loss = 4.264659, step = 100 (124.394 sec)`, `global_step/sec: 0.803899`, and the step counter's
//   "global step … has not been increased" warning;
// - Keras `fit`: `Epoch 3/10`; verbose=2 end-of-epoch lines (Keras 2.x, tf-keras, Keras 3); the
//   verbose=1 bar (`[====>...]` or `━━━`), rewritten in place with `\b` and `\r`, coloured by Keras 3;
// - the user's own expressions (--progress-regex) with named groups;
// - master.cc's and the coordinator's messages naming a task (`/job:worker/replica:0/task:2`).

import { workerFailed } from './frameworks/failure-lines.js';
import { barLine } from './progress-bars.js';
import { sanitize } from '../text/sanitize.js';

/** estimator and keras: TensorFlow's; tqdm: tqdm's bars and what PyTorch trainers print alike
 * (progress-bars.ts); custom: --progress-regex. */
export type ProgressFormat = 'estimator' | 'keras' | 'tqdm' | 'custom';

/** One progress line, as printed: only what it says is set. */
export interface ProgressReport {
  format: ProgressFormat;
  step?: number;
  loss?: number;
  /** Other named figures (accuracy, val_loss…). */
  metrics?: Record<string, number>;
  epoch?: number;
  epochs?: number;
  /** Steps done in the epoch and the epoch's steps (Keras's `423/788`). */
  done?: number;
  total?: number;
  /** Keras's `18ms/step`: the time one step took on this node. */
  secondsPerStep?: number;
  /** The Estimator's `(124.394 sec)`: this node's time for its last report's iterations. */
  secondsPerReport?: number;
  /** The Estimator's `global_step/sec`: the shared global step's rate as this node sees it. */
  globalStepsPerSecond?: number;
  /** A user's `rate` group: steps per second. */
  stepsPerSecond?: number;
  /** Keras's ETA mid-epoch, and the epoch's duration at its end. */
  etaSeconds?: number;
  epochSeconds?: number;
}

export type TaskReportCode = 'session_waiting' | 'worker_failed' | 'ps_failed';

export type TrainingEvent =
  | { kind: 'progress'; report: ProgressReport }
  /** TensorFlow's own stall warning (the global step did not move). */
  | { kind: 'stall_warning'; text: string }
  /** A message naming another task: the problem belongs to that task's container. */
  | { kind: 'task'; code: TaskReportCode; job: string; index: number; text: string }
  | { kind: 'recovered'; text: string }
  /** torchrun's agent: a worker of this node failed (the node may still run: it waits for its peers). */
  | { kind: 'workers_failed'; exitCode: number; localRank: number; text: string }
  | { kind: 'message_too_large'; received: number; max: number; text: string };

// Words every recognized line has one of: a line without any is not parsed further.
const KEYWORDS = /loss|step|Epoch|ETA|job:|PS task|larger than max|recovered|it\/s|s\/it|exitcode/;

// absl's prefix (`I0407 22:52:49.771748 139827692275520 file.py:260] `) or tf_logging's.
const PREFIX = String.raw`(?:INFO:tensorflow:|WARNING:tensorflow:|[IW]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ [\w.]+:\d+\] )`;
const NUM = String.raw`-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|-?nan|-?inf`;
const ESTIMATOR_TENSORS = new RegExp(
  String.raw`^${PREFIX}((?:[\w/.]+ = [^,()]+?)(?:, [\w/.]+ = [^,()]+?)*)(?: \((\d+(?:\.\d+)?) sec\))?\s*$`,
);
const A_NUMBER = new RegExp(`^(?:${NUM})$`);
const GLOBAL_RATE = new RegExp(String.raw`^${PREFIX}global_step/sec: (${NUM})\s*$`);
const STALL = /It seems that global step \(tf\.train\.get_global_step\) has not been increased/;
const EPOCH = /^Epoch (\d+)\/(\d+)\s*$/;
// `  12/423 [====>...] …`, `788/788 ━━━ …`, `710/710 - 0s - …`, `   1200/Unknown …`.
const KERAS = /^\s*(\d+)\/(\d+|Unknown)((?: \[[=>.]*\]| [━─╸╺]+)?)( .*)?$/;
const KERAS_ETA = /^ETA: (?:(\d+):)?(?:(\d+):)?(\d+)s?$/;
const KERAS_TIME = /^(\d+(?:\.\d+)?)(us|ms|s)(?:\/(step|sample|epoch))?$/;
const KERAS_METRIC = new RegExp(String.raw`^([A-Za-z_][\w.]*): (${NUM})$`);
const TASK = /\/job:(\w+)\/replica:\d+\/task:(\d+)/;
const CLUSTER_WORDS = /job:|PS task|larger than max|recovered/;
// Docker's timestamp where a line was split at 16 KiB and the parts joined again.
const EMBEDDED_TS = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z /g;
// Colour and cursor codes (Keras 3 colours its bar) and the backspaces of a rewrite.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]/g;

const num = (s: string): number =>
  /nan/i.test(s) ? NaN : /inf/i.test(s) ? (s.startsWith('-') ? -Infinity : Infinity) : Number(s);

/** The text a terminal would show last: after the last carriage return or run of backspaces (Keras
 * rewrites its bar with both), colours and split-line timestamps out. `partial`: the line is not
 * complete yet, so its last piece may be cut; the one before it is used. */
export function lastRewrite(raw: string, partial = false): string {
  let text = raw.includes('\u001b') ? raw.replace(ANSI, '') : raw;
  if (text.includes('Z ')) text = text.replace(EMBEDDED_TS, '');
  if (!/[\r\b]/.test(text)) return partial ? '' : text.trimEnd();
  const pieces = text.split(/[\r\b]+/).filter((p) => p.trim() !== '');
  const piece = partial ? pieces.at(-2) : pieces.at(-1);
  return (piece ?? '').trimEnd();
}

/** A compiled --progress-regex: a regular expression with at least one known named group. */
export interface CustomFormat {
  re: RegExp;
}

const CUSTOM_GROUPS = ['step', 'loss', 'epoch', 'epochs', 'done', 'total', 'rate', 'seconds'];

/** --progress-regex as typed → the expression, or a one-line reason it cannot be used. */
export function compileProgressRegex(source: string): CustomFormat | string {
  let re: RegExp;
  try {
    re = new RegExp(source);
  } catch (error) {
    return `--progress-regex ${JSON.stringify(source)} is not a regular expression: ${(error as Error).message}`;
  }
  const groups = [...source.matchAll(/\(\?<([A-Za-z_]\w*)>/g)].map((m) => m[1]!);
  if (!groups.some((g) => CUSTOM_GROUPS.includes(g))) {
    return `--progress-regex ${JSON.stringify(source)} has no named group tfmon knows: use (?<step>…), (?<loss>…), (?<epoch>…), (?<epochs>…), (?<done>…), (?<total>…), (?<rate>…) or (?<seconds>…)`;
  }
  return { re };
}

function customReport(text: string, formats: readonly CustomFormat[]): ProgressReport | null {
  for (const { re } of formats) {
    const m = re.exec(text);
    if (!m?.groups) continue;
    const r: ProgressReport = { format: 'custom' };
    const metrics: Record<string, number> = {};
    for (const [name, value] of Object.entries(m.groups)) {
      if (value === undefined) continue;
      const v = num(value.trim());
      if (Number.isNaN(v) && !/nan/i.test(value)) continue;
      if (name === 'step') r.step = v;
      else if (name === 'loss') r.loss = v;
      else if (name === 'epoch') r.epoch = v;
      else if (name === 'epochs') r.epochs = v;
      else if (name === 'done') r.done = v;
      else if (name === 'total') r.total = v;
      else if (name === 'rate') r.stepsPerSecond = v;
      else if (name === 'seconds') r.secondsPerStep = v;
      else metrics[name] = v;
    }
    if (Object.keys(metrics).length) r.metrics = metrics;
    if (Object.keys(r).length > 1) return r;
  }
  return null;
}

function estimatorTensors(text: string): ProgressReport | null {
  const m = ESTIMATOR_TENSORS.exec(text);
  if (!m) return null;
  const values = new Map<string, string>();
  for (const pair of m[1]!.split(', ')) {
    const at = pair.indexOf(' = ');
    values.set(pair.slice(0, at), pair.slice(at + 3).trim());
  }
  const step = values.get('step') ?? values.get('global_step');
  if (step === undefined || !/^\d+$/.test(step)) return null;
  const r: ProgressReport = { format: 'estimator', step: Number(step) };
  const metrics: Record<string, number> = {};
  for (const [k, v] of values) {
    if (k === 'step' || k === 'global_step' || !A_NUMBER.test(v)) continue;
    if (k === 'loss') r.loss = num(v);
    else metrics[k] = num(v);
  }
  if (Object.keys(metrics).length) r.metrics = metrics;
  if (m[2] !== undefined) r.secondsPerReport = Number(m[2]);
  return r;
}

const seconds = (value: number, unit: string): number =>
  unit === 'us' ? value / 1e6 : unit === 'ms' ? value / 1e3 : value;

function kerasLine(text: string): ProgressReport | null {
  const m = KERAS.exec(text);
  if (!m) return null;
  const done = Number(m[1]);
  const total = m[2] === 'Unknown' ? undefined : Number(m[2]);
  if (total !== undefined && (total === 0 || done > total)) return null;
  const bar = m[3] !== '';
  const r: ProgressReport = { format: 'keras', done, ...(total !== undefined ? { total } : {}) };
  const metrics: Record<string, number> = {};
  // After the count: " - "-separated items; a bar's time and per-step time come space-separated.
  const items = (m[4] ?? '').split(' - ').flatMap((part) => (part.trim() === '' ? [] : [part.trim()]));
  let elapsed: number | undefined;
  let recognized = 0;
  for (const item of items) {
    const eta = KERAS_ETA.exec(item);
    if (eta && item.startsWith('ETA')) {
      const parts = [eta[1], eta[2], eta[3]].filter((x): x is string => x !== undefined).map(Number);
      r.etaSeconds = parts.reduce((a, x) => a * 60 + x, 0);
      recognized++;
      continue;
    }
    const metric = KERAS_METRIC.exec(item);
    if (metric) {
      if (metric[1] === 'loss') r.loss = num(metric[2]!);
      else metrics[metric[1]!] = num(metric[2]!);
      recognized++;
      continue;
    }
    // "192s 454ms/step", "12s", "2ms/step", "10s/epoch"; Keras 3's ETA mid-epoch as "1:23".
    for (const word of item.split(' ')) {
      const clock = /^(\d+):(\d\d)(?::(\d\d))?$/.exec(word);
      if (clock && total !== undefined && done < total) {
        r.etaSeconds = [clock[1], clock[2], clock[3]]
          .filter((x): x is string => x !== undefined)
          .map(Number)
          .reduce((a, x) => a * 60 + x, 0);
        recognized++;
        continue;
      }
      const t = KERAS_TIME.exec(word);
      if (!t) continue;
      const s = seconds(Number(t[1]), t[2]!);
      if (t[3] === 'step') r.secondsPerStep = s;
      else if (t[3] === 'epoch') r.epochSeconds = s;
      else if (t[3] === undefined) elapsed = s;
      recognized++;
    }
  }
  // "3/10 files copied" is not Keras: it needs a bar, or figures after the count.
  if (!bar && recognized === 0) return null;
  if (
    !bar &&
    !items.some((i) => KERAS_METRIC.test(i) || /\/step$|\/epoch$/.test(i) || /^\d+(?:\.\d+)?(?:us|ms|s)$/.test(i))
  )
    return null;
  if (elapsed !== undefined) {
    // Keras 3's bar shows the ETA mid-epoch (without "ETA:") and the epoch's time at its end.
    if (total !== undefined && done < total) r.etaSeconds ??= elapsed;
    else r.epochSeconds ??= elapsed;
  }
  if (Object.keys(metrics).length) r.metrics = metrics;
  return r;
}

/** What one log line says about training, or null (most lines). `partial`: the line is not complete
 * yet (a bar rewritten in place, or the head of a line Docker split). */
export function parseTrainingLine(
  raw: string,
  custom: readonly CustomFormat[] = [],
  partial = false,
): TrainingEvent | null {
  if (custom.length) {
    const text = lastRewrite(raw, partial);
    const r = text ? customReport(text, custom) : null;
    if (r) return { kind: 'progress', report: r };
  }
  if (!KEYWORDS.test(raw)) return null;
  const text = lastRewrite(raw, partial);
  if (!text) return null;
  if (text.includes(' = ')) {
    const r = estimatorTensors(text);
    if (r) return { kind: 'progress', report: r };
  }
  if (text.includes('global_step/sec')) {
    const g = GLOBAL_RATE.exec(text);
    if (g) return { kind: 'progress', report: { format: 'estimator', globalStepsPerSecond: num(g[1]!) } };
  }
  if (/it\/s|s\/it|^\{'/.test(text)) {
    const r = barLine(text);
    if (r) return { kind: 'progress', report: r };
  }
  const epoch = EPOCH.exec(text);
  if (epoch)
    return { kind: 'progress', report: { format: 'keras', epoch: Number(epoch[1]), epochs: Number(epoch[2]) } };
  if (/^\s*\d+\//.test(text)) {
    const r = kerasLine(text);
    if (r) return { kind: 'progress', report: r };
  }
  if (text.includes('global step') && STALL.test(text)) return { kind: 'stall_warning', text: clip(text) };
  const failed = text.includes('exitcode') ? workerFailed(text) : null;
  if (failed) return { kind: 'workers_failed', ...failed, text: clip(text) };
  // Most lines that got this far ("loss" in a sentence) name no task: four words decide first.
  if (!CLUSTER_WORDS.test(text)) return null;
  return clusterMessage(text);
}

// A container's words go into problem messages: made safe to print here, once.
const clip = (text: string): string => {
  const safe = sanitize(text);
  return safe.length > 300 ? `${safe.slice(0, 299)}…` : safe;
};

function clusterMessage(text: string): TrainingEvent | null {
  const big = /Received message larger than max \((\d+) vs\. (\d+)\)/.exec(text);
  if (big) return { kind: 'message_too_large', received: Number(big[1]), max: Number(big[2]), text: clip(text) };
  if (/Cluster (?:successfully recovered|now being recovered)/.test(text))
    return { kind: 'recovered', text: clip(text) };
  const ps = /Parameter server failure detected at PS task (\d+)/.exec(text);
  if (ps) return { kind: 'task', code: 'ps_failed', job: 'ps', index: Number(ps[1]), text: clip(text) };
  const task = TASK.exec(text);
  if (!task) return null;
  const [job, index] = [task[1]!, Number(task[2])];
  if (/CreateSession still waiting for response from worker/.test(text))
    return { kind: 'task', code: 'session_waiting', job, index, text: clip(text) };
  if (/CreateSession failed because worker|\b[Ww]orker \/job:\w+\/replica:\d+\/task:\d+ failed with/.test(text)) {
    return { kind: 'task', code: job === 'ps' ? 'ps_failed' : 'worker_failed', job, index, text: clip(text) };
  }
  return null;
}
