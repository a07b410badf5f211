// What the training is doing, per node and for the cluster, from the events of progress.ts: a book
// kept per node (fed lines in their order, with their times) and the judgments made from it —
// stragglers, stalls, and the tasks TensorFlow's messages name. Pure: no clock of its own (every call
// says the time), no I/O; the monitor owns one and feeds it.
import { isJobRank } from './frameworks/placement.js';
import { splitAddress } from './tf-config.js';
import type { NodeView, Problem } from './types.js';
import type { ProgressFormat, ProgressReport, TaskReportCode, TrainingEvent } from './progress.js';

/** A node's training as status --json and the screen show it (docs/status-json.md). */
export interface NodeTraining {
  format: ProgressFormat;
  step: number | null;
  loss: number | null;
  metrics: Record<string, number>;
  epoch: number | null;
  epochs: number | null;
  /** Steps done in the current epoch, and the epoch's steps. */
  done: number | null;
  total: number | null;
  /** This node's pace as it prints it (Keras per-step time inverted; a --progress-regex rate);
   * for the Estimator, the global rate it prints. */
  stepsPerSecond: number | null;
  secondsPerStep: number | null;
  /** The Estimator's "(N sec)": this node's own time for its last report's iterations. */
  secondsPerReport: number | null;
  globalStepsPerSecond: number | null;
  /** When its progress last moved (ms since the epoch), by the log's timestamps. */
  lastProgressAt: number | null;
  /** Up to 60 losses, oldest first. */
  lossHistory: number[];
  /** Its pace now against its last reports: faster, slower, about the same; null before two. */
  trend: 'up' | 'down' | 'flat' | null;
}

export interface ClusterTraining {
  /** TensorFlow's global step rate where a node prints one; else the chief's (or the workers'
   * median) own pace. */
  globalStepsPerSecond: number | null;
  /** Seconds until the last epoch ends, where epochs and steps per epoch are known. */
  eta: number | null;
}

export interface TrainingOptions {
  /** The least time without progress before `stalled` (ms); the node's own 3× interval when longer. */
  stallAfterMs: number;
}

/** The problems the training judgments make (the monitor of several engines carries them over). */
export const TRAINING_CODES: ReadonlySet<string> = new Set([
  'straggler',
  'stalled',
  'session_waiting',
  'worker_failed',
  'ps_failed',
  'grpc_message_too_large',
  'ranks_failed',
]);

/** A rank using this much of its --cpus limit is throttled by it. */
const THROTTLED_PERCENT = 90;

export const DEFAULT_TRAINING_OPTIONS: TrainingOptions = { stallAfterMs: 120_000 };

/** Usage figures the judgments read (from the snapshot; none is required). */
export interface UsageNow {
  cpuPercent: number | null;
  /** Its share of its --cpus limit (null or absent without one). */
  cpuOfLimitPercent?: number | null;
  gpuPercent: number | null;
  netBps: number | null;
}

interface TaskNote {
  code: TaskReportCode;
  job: string;
  index: number;
  text: string;
  at: number;
}

interface NodeHistory {
  t: NodeTraining;
  /** One pace figure per report (higher is faster), up to 60: Keras's steps/s, the Estimator's
   * reports/s — compared only with peers of the same format. */
  paces: number[];
  /** Times between progress moves (ms), the last 10. */
  intervals: number[];
  stallWarningAt: number | null;
  notes: TaskNote[];
  recoveredAt: number | null;
  tooLarge: { received: number; max: number; text: string; at: number } | null;
  /** torchrun's agent said a worker here failed (the last time). */
  workersFailed: { exitCode: number; localRank: number; text: string; at: number } | null;
}

const HISTORY = 60;
const STRAGGLER_RATIO = 0.7;
const STRAGGLER_REPORTS = 3;
/** master.cc repeats "still waiting" every 10 s: three missed repeats and it is over. */
const WAITING_FRESH_MS = 30_000;
const FAILURE_FRESH_MS = 300_000;

const push = <T>(list: T[], value: T, max: number): void => {
  list.push(value);
  if (list.length > max) list.splice(0, list.length - max);
};

export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const empty = (format: ProgressFormat): NodeTraining => ({
  format,
  step: null,
  loss: null,
  metrics: {},
  epoch: null,
  epochs: null,
  done: null,
  total: null,
  stepsPerSecond: null,
  secondsPerStep: null,
  secondsPerReport: null,
  globalStepsPerSecond: null,
  lastProgressAt: null,
  lossHistory: [],
  trend: null,
});

function paceOf(r: ProgressReport): number | null {
  if (r.secondsPerStep && r.secondsPerStep > 0) return 1 / r.secondsPerStep;
  if (r.stepsPerSecond && r.stepsPerSecond > 0) return r.stepsPerSecond;
  if (r.secondsPerReport && r.secondsPerReport > 0) return 1 / r.secondsPerReport;
  return null;
}

function trendOf(paces: readonly number[]): NodeTraining['trend'] {
  if (paces.length < 2) return null;
  const before = median(paces.slice(-6, -1))!;
  const now = paces.at(-1)!;
  return now > before * 1.1 ? 'up' : now < before * 0.9 ? 'down' : 'flat';
}

/** Every node's training book. Feed it each node's lines in order (`ingest`); read it with `nodes`,
 * `cluster` and `judge`. `version` changes with every change a reader could see. */
export class TrainingBook {
  private readonly books = new Map<string, NodeHistory>();
  private readonly fallbackStreaks = new Map<string, number>();
  private views: Record<string, NodeTraining> = {};
  private viewsVersion = -1;
  /** Nodes whose book changed since the views were made: only theirs are copied again. */
  private readonly dirty = new Set<string>();
  version = 0;

  constructor(private readonly options: TrainingOptions = DEFAULT_TRAINING_OPTIONS) {}

  /** One event of node `id` at time `at` (ms; the line's timestamp). */
  ingest(id: string, event: TrainingEvent, at: number): void {
    let b = this.books.get(id);
    if (!b) {
      b = {
        t: empty(event.kind === 'progress' ? event.report.format : 'estimator'),
        paces: [],
        intervals: [],
        stallWarningAt: null,
        notes: [],
        recoveredAt: null,
        tooLarge: null,
        workersFailed: null,
      };
      this.books.set(id, b);
    }
    this.version++;
    this.dirty.add(id);
    switch (event.kind) {
      case 'progress':
        this.progress(b, event.report, at);
        return;
      case 'stall_warning':
        b.stallWarningAt = at;
        return;
      case 'recovered':
        b.recoveredAt = at;
        return;
      case 'message_too_large':
        b.tooLarge = { received: event.received, max: event.max, text: event.text, at };
        return;
      case 'workers_failed':
        b.workersFailed = { exitCode: event.exitCode, localRank: event.localRank, text: event.text, at };
        return;
      case 'task': {
        const i = b.notes.findIndex((n) => n.code === event.code && n.job === event.job && n.index === event.index);
        if (i >= 0) b.notes.splice(i, 1);
        push(b.notes, { code: event.code, job: event.job, index: event.index, text: event.text, at }, 20);
      }
    }
  }

  private progress(b: NodeHistory, r: ProgressReport, at: number): void {
    const t = b.t;
    t.format = r.format;
    let moved = false;
    if (r.step !== undefined && r.step !== t.step) {
      moved = t.step === null || r.step > t.step;
      t.step = r.step;
    }
    if (r.epoch !== undefined) {
      if (r.epoch !== t.epoch) {
        moved ||= t.epoch !== null;
        t.done = 0;
      }
      t.epoch = r.epoch;
    }
    if (r.epochs !== undefined) t.epochs = r.epochs;
    if (r.done !== undefined) {
      moved ||= t.done === null || r.done > t.done;
      t.done = r.done;
    }
    if (r.total !== undefined) t.total = r.total;
    if (r.loss !== undefined) {
      t.loss = r.loss;
      if (Number.isFinite(r.loss)) push(t.lossHistory, r.loss, HISTORY);
    }
    if (r.metrics) t.metrics = { ...t.metrics, ...r.metrics };
    if (r.secondsPerStep !== undefined) {
      t.secondsPerStep = r.secondsPerStep;
      t.stepsPerSecond = r.secondsPerStep > 0 ? 1 / r.secondsPerStep : null;
    }
    if (r.stepsPerSecond !== undefined) t.stepsPerSecond = r.stepsPerSecond;
    if (r.secondsPerReport !== undefined) t.secondsPerReport = r.secondsPerReport;
    if (r.globalStepsPerSecond !== undefined) {
      t.globalStepsPerSecond = r.globalStepsPerSecond;
      if (t.format === 'estimator') t.stepsPerSecond = r.globalStepsPerSecond;
    }
    const pace = paceOf(r);
    if (pace !== null) {
      push(b.paces, pace, HISTORY);
      t.trend = trendOf(b.paces);
    }
    if (moved) {
      if (t.lastProgressAt !== null && at > t.lastProgressAt) push(b.intervals, at - t.lastProgressAt, 10);
      t.lastProgressAt = Math.max(at, t.lastProgressAt ?? 0);
    }
  }

  /** A node gone from the cluster. */
  forget(id: string): void {
    if (this.books.delete(id)) {
      this.version++;
      this.dirty.add(id);
    }
    this.fallbackStreaks.delete(id);
  }

  /** Each node that printed progress, by id; the same object until something changed. */
  nodes(): Record<string, NodeTraining> {
    if (this.viewsVersion !== this.version) {
      const out: Record<string, NodeTraining> = {};
      for (const [id, b] of this.books) {
        if (b.t.lastProgressAt === null && b.t.loss === null && b.t.globalStepsPerSecond === null && b.t.epoch === null)
          continue;
        out[id] =
          this.dirty.has(id) || !this.views[id]
            ? { ...b.t, metrics: { ...b.t.metrics }, lossHistory: [...b.t.lossHistory] }
            : this.views[id];
      }
      this.dirty.clear();
      this.views = out;
      this.viewsVersion = this.version;
    }
    return this.views;
  }

  /** The cluster's pace and ETA; null when no node printed progress. */
  cluster(nodes: readonly NodeView[]): ClusterTraining | null {
    const withProgress = nodes.filter((n) => this.books.get(n.id)?.t.lastProgressAt != null);
    if (!withProgress.length) return null;
    const t = (n: NodeView): NodeTraining => this.books.get(n.id)!.t;
    const printed = withProgress.map((n) => t(n).globalStepsPerSecond).filter((x): x is number => x !== null);
    // The chief's pace, or a synchronous job's master's (every rank steps at the pace of the slowest).
    const lead = (n: NodeView): boolean => n.role === 'chief' || n.role === 'master';
    const chief = withProgress.find((n) => lead(n) && t(n).stepsPerSecond !== null);
    const own = withProgress
      .filter((n) => n.role === 'worker')
      .map((n) => t(n).stepsPerSecond)
      .filter((x): x is number => x !== null);
    const global = printed.length ? Math.max(...printed) : chief ? t(chief).stepsPerSecond : median(own);
    // The ETA of the training (the chief's where it prints one, else the worker furthest from the
    // end; an evaluator's own epochs are not the training's): epochs left × steps × time per step.
    let eta: number | null = null;
    const knows = (n: NodeView): boolean => t(n).epochs !== null && t(n).total !== null;
    const chiefEta = withProgress.filter((n) => lead(n) && knows(n));
    for (const n of chiefEta.length ? chiefEta : withProgress.filter((x) => x.role === 'worker')) {
      const x = t(n);
      if (x.epochs === null || x.epoch === null || x.total === null) continue;
      const perStep = x.secondsPerStep ?? (x.stepsPerSecond ? 1 / x.stepsPerSecond : null);
      if (perStep === null) continue;
      const left = (x.epochs - x.epoch) * x.total + (x.total - (x.done ?? 0));
      eta = Math.max(eta ?? 0, left * perStep);
    }
    return { globalStepsPerSecond: global, eta };
  }

  /** The problems the training shows now: stalls, stragglers, failures TensorFlow reports about a
   * task (on that task's node), messages too large. `usage` by node id. */
  judge(now: number, nodes: readonly NodeView[], usage: (id: string) => UsageNow | null): Problem[] {
    const out: Problem[] = [];
    const stalled = new Set<string>();
    for (const n of nodes) {
      const b = this.books.get(n.id);
      if (!b || n.state !== 'running') continue;
      const p = this.stall(n, b, now, usage(n.id));
      if (p) {
        out.push(p);
        stalled.add(n.id);
      }
    }
    out.push(...this.stragglers(nodes, stalled, usage), ...this.taskReports(nodes, now));
    for (const n of nodes) {
      // A torchrun node whose workers failed while its agent lives on: torch 1.13's agent waits at
      // its exit barrier for the other nodes (5 minutes when one is dead) — the container runs, the
      // job does not. Progress since (a restarted worker group) ends it.
      const b = this.books.get(n.id);
      const f = b?.workersFailed;
      const t = b?.t;
      const started = n.startedAt ? Date.parse(n.startedAt) : 0;
      if (!f || n.state !== 'running' || (t?.lastProgressAt ?? 0) > f.at || started > f.at) continue;
      out.push({
        severity: 'error',
        node: n.name,
        code: 'ranks_failed',
        message: `its training stopped: a worker (local rank ${f.localRank}) exited with code ${f.exitCode}, and torchrun waits for the other nodes before it exits (up to 5 minutes)`,
      });
    }
    for (const n of nodes) {
      const big = this.books.get(n.id)?.tooLarge;
      if (big && now - big.at <= FAILURE_FRESH_MS) {
        out.push({
          severity: 'error',
          node: n.name,
          code: 'grpc_message_too_large',
          message: `a gRPC message of ${big.received.toLocaleString('en-US')} bytes was refused: the limit is ${big.max.toLocaleString('en-US')} (raise grpc.max_receive_message_length, or send smaller tensors)`,
        });
      }
    }
    return out;
  }

  private stall(n: NodeView, b: NodeHistory, now: number, u: UsageNow | null): Problem | null {
    const t = b.t;
    if (t.lastProgressAt === null) return null;
    if (t.epochs !== null && t.epoch !== null && t.epoch >= t.epochs && t.total !== null && t.done === t.total)
      return null; // finished
    const started = n.startedAt ? Date.parse(n.startedAt) : 0;
    const since = Math.max(t.lastProgressAt, Number.isFinite(started) ? started : 0);
    const usual = median(b.intervals);
    const window = Math.max(usual === null ? 0 : 3 * usual, this.options.stallAfterMs);
    const tfSays = b.stallWarningAt !== null && b.stallWarningAt > t.lastProgressAt && now - b.stallWarningAt <= window;
    if (now - since <= window && !tfSays) return null;
    const idle = u !== null && u.cpuPercent !== null && u.cpuPercent < 2 && (u.gpuPercent === null || u.gpuPercent < 5);
    const at =
      t.step !== null
        ? ` at step ${t.step}`
        : t.epoch !== null
          ? ` in epoch ${t.epoch}${t.epochs ? `/${t.epochs}` : ''}`
          : '';
    const usualText = usual !== null ? ` (it moved every ${seconds(usual)} before)` : '';
    const why = tfSays
      ? `TensorFlow says the global step has not increased${at}`
      : `no training progress for ${seconds(now - since)}${at}${usualText}`;
    const load =
      u?.cpuPercent != null
        ? `; CPU ${u.cpuPercent.toFixed(1)} %${u.gpuPercent !== null ? `, GPU ${Math.round(u.gpuPercent)} %` : ''}`
        : '';
    return {
      severity: idle ? 'error' : 'warning',
      node: n.name,
      code: 'stalled',
      message: `${why}${load}${idle ? ': alive but idle, waiting on something (a peer, the input, a lock)' : ''}`,
    };
  }

  private stragglers(
    nodes: readonly NodeView[],
    stalled: ReadonlySet<string>,
    usage: (id: string) => UsageNow | null,
  ): Problem[] {
    const out: Problem[] = [];
    const workers = nodes.filter((n) => n.role === 'worker' && n.state === 'running');
    const printing = workers.filter((n) => (this.books.get(n.id)?.paces.length ?? 0) > 0);
    if (printing.length >= 2) {
      // Each worker's recent pace once, sorted per format: a peer median is then the median of that
      // list without the worker's own value (no list made per worker: 200 workers are 200 lookups).
      const latest = new Map(
        printing.map((n) => [n.id, median(this.books.get(n.id)!.paces.slice(-STRAGGLER_REPORTS))!]),
      );
      const byFormat = new Map<ProgressFormat, number[]>();
      for (const n of printing) {
        const f = this.books.get(n.id)!.t.format;
        byFormat.set(f, [...(byFormat.get(f) ?? []), latest.get(n.id)!]);
      }
      for (const list of byFormat.values()) list.sort((a, b) => a - b);
      for (const n of printing) {
        const b = this.books.get(n.id)!;
        if (stalled.has(n.id) || b.paces.length < STRAGGLER_REPORTS) continue;
        const m = medianWithout(byFormat.get(b.t.format)!, latest.get(n.id)!);
        const last = b.paces.slice(-STRAGGLER_REPORTS);
        if (m === null || !last.every((x) => x < STRAGGLER_RATIO * m)) continue;
        out.push({
          severity: 'warning',
          node: n.name,
          code: 'straggler',
          message: `slower than its peers for its last ${STRAGGLER_REPORTS} reports: ${paceText(b.t.format, last.at(-1)!)} against the peers' median ${paceText(b.t.format, m)} (${(last.at(-1)! / m).toFixed(2)}×)`,
        });
      }
      return out;
    }
    out.push(...this.throttledRanks(nodes, stalled, usage));
    // TensorFlow workers that print no progress (ParameterServerStrategy: only the coordinator does):
    // judged by what they use against their peers, while the cluster trains.
    const tfWorkers = workers.filter((n) => n.framework === 'tensorflow');
    if (tfWorkers.length < 2 || printing.length > 0) return out;
    const figures = tfWorkers.map((n) => ({ n, u: usage(n.id) }));
    const measures: { key: keyof UsageNow; name: string; fmt: (v: number) => string }[] = [
      { key: 'cpuPercent', name: 'CPU', fmt: (v) => `${v.toFixed(1)} %` },
      { key: 'gpuPercent', name: 'GPU', fmt: (v) => `${Math.round(v)} %` },
      { key: 'netBps', name: 'network', fmt: (v) => `${Math.round(v / 1000)} kB/s` },
    ];
    const medians = new Map(
      measures.map((m) => [m.key, median(figures.map((f) => f.u?.[m.key]).filter((x): x is number => x != null))]),
    );
    const training = (medians.get('cpuPercent') ?? 0) >= 5 || (medians.get('gpuPercent') ?? 0) >= 5;
    for (const { n, u } of figures) {
      const used = measures.filter((m) => u?.[m.key] != null && (medians.get(m.key) ?? 0) > 0);
      const slow = training && used.length > 0 && used.every((m) => u![m.key]! < STRAGGLER_RATIO * medians.get(m.key)!);
      const streak = slow ? (this.fallbackStreaks.get(n.id) ?? 0) + 1 : 0;
      this.fallbackStreaks.set(n.id, streak);
      if (streak < STRAGGLER_REPORTS) continue;
      const said = used.map((m) => `${m.name} ${m.fmt(u![m.key]!)} against ${m.fmt(medians.get(m.key)!)}`).join(', ');
      out.push({
        severity: 'warning',
        node: n.name,
        code: 'straggler',
        message: `uses less than its peers: ${said} (the workers' medians; they print no progress, so this is judged by ${used.map((m) => m.name).join(', ')})`,
      });
    }
    return out;
  }

  /** Synchronous jobs (PyTorch DDP, Horovod, JAX): every rank steps at the slowest rank's pace, so
   * paces do not tell the slow rank (and usually only rank 0 prints one). What does: its CPU pinned
   * at its --cpus limit while the other ranks, not at theirs, wait for it in the collective. Judged
   * while the job makes progress, 3 judgments in a row (15 s). */
  private throttledRanks(
    nodes: readonly NodeView[],
    stalled: ReadonlySet<string>,
    usage: (id: string) => UsageNow | null,
  ): Problem[] {
    const out: Problem[] = [];
    const jobs = new Map<string, NodeView[]>();
    for (const n of nodes) {
      if (n.state !== 'running' || !isJobRank(n)) continue;
      jobs.set(n.framework, [...(jobs.get(n.framework) ?? []), n]);
    }
    for (const ranks of jobs.values()) {
      const moving = ranks.some((n) => (this.books.get(n.id)?.paces.length ?? 0) > 0 && !stalled.has(n.id));
      const share = new Map(ranks.map((n) => [n.id, usage(n.id)?.cpuOfLimitPercent ?? null] as const));
      for (const n of ranks) {
        const mine = share.get(n.id) ?? null;
        const others = ranks.filter((o) => o.id !== n.id);
        // The others are not held back by a limit of their own: none of them is near one.
        const othersFree = others.length > 0 && others.every((o) => (share.get(o.id) ?? 0) < THROTTLED_PERCENT * 0.6);
        const pinned = moving && mine !== null && mine >= THROTTLED_PERCENT && othersFree;
        const streak = pinned ? (this.fallbackStreaks.get(n.id) ?? 0) + 1 : 0;
        this.fallbackStreaks.set(n.id, streak);
        if (streak < STRAGGLER_REPORTS) continue;
        const cpus = n.nanoCpus ? `${n.nanoCpus / 1e9} CPUs` : 'its CPU limit';
        out.push({
          severity: 'warning',
          node: n.name,
          code: 'straggler',
          message: `holds the job back: its CPU is at its limit (${mine!.toFixed(0)} % of ${cpus}) while the other ${others.length} ranks wait for it; in synchronous training every rank steps at the slowest one's pace`,
        });
      }
    }
    return out;
  }

  private taskReports(nodes: readonly NodeView[], now: number): Problem[] {
    const grouped = new Map<
      string,
      { target: NodeView | null; task: string; code: TaskReportCode; reporters: string[]; text: string }
    >();
    for (const reporter of nodes) {
      const b = this.books.get(reporter.id);
      if (!b) continue;
      for (const note of b.notes) {
        const fresh =
          note.code === 'session_waiting' ? now - note.at <= WAITING_FRESH_MS : now - note.at <= FAILURE_FRESH_MS;
        const recovered = note.code !== 'session_waiting' && b.recoveredAt !== null && b.recoveredAt > note.at;
        const movedSince =
          note.code === 'session_waiting' && b.t.lastProgressAt !== null && b.t.lastProgressAt > note.at;
        if (!fresh || recovered || movedSince) continue;
        const target = taskNode(reporter, note.job, note.index, nodes);
        const key = `${note.code}\t${target?.id ?? `${note.job}:${note.index}`}`;
        const g = grouped.get(key);
        if (g) g.reporters.push(reporter.name);
        else
          grouped.set(key, {
            target,
            task: `${note.job}:${note.index}`,
            code: note.code,
            reporters: [reporter.name],
            text: note.text,
          });
      }
    }
    return [...grouped.values()].map((g): Problem => {
      const what =
        g.code === 'session_waiting'
          ? `${g.reporters.join(', ')} ${g.reporters.length > 1 ? 'are' : 'is'} waiting for it to answer`
          : `${g.reporters.join(', ')} reported it failed`;
      const who = g.target ? `${g.target.name} (task ${g.task})` : `task ${g.task} (no container is that task)`;
      return {
        severity: 'error',
        node: g.target?.name ?? null,
        code: g.code,
        nodes: [...(g.target ? [g.target.name] : []), ...g.reporters],
        message: `${who}: ${what}: "${g.text.replace(/^.*?(?=CreateSession|Worker |Remote function|Parameter server)/, '')}"`,
      };
    });
  }
}

/** The median of a sorted list with one occurrence of `value` left out; null when nothing is left. */
export function medianWithout(sorted: readonly number[], value: number): number | null {
  const n = sorted.length - 1;
  if (n <= 0) return null;
  let skip = sorted.indexOf(value);
  if (skip < 0) skip = n;
  const at = (i: number): number => sorted[i < skip ? i : i + 1]!;
  const mid = n >> 1;
  return n % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/** The container that is task job:index in the reporter's cluster spec (by the address there), else
 * the node whose role and index are that task. */
export function taskNode(reporter: NodeView, job: string, index: number, nodes: readonly NodeView[]): NodeView | null {
  const address = reporter.tfConfigParsed?.cluster[job]?.find((a) => a.index === index)?.address;
  const host = address ? splitAddress(address)?.host : undefined;
  const byAddress = host ? nodes.find((n) => n.dnsName === host || n.name === host) : undefined;
  return byAddress ?? nodes.find((n) => n.role === job && n.index === index) ?? null;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 120) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** A pace figure as its format measures it. */
export function paceText(format: ProgressFormat, pace: number): string {
  if (format === 'estimator') return `${(1 / pace).toFixed(1)} s per report`;
  return pace >= 1 ? `${pace.toFixed(1)} steps/s` : `${(1 / pace).toFixed(1)} s/step`;
}
