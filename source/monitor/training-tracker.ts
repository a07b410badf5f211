// The training as the monitor follows it: every followed node's lines go through the progress reader
// into one TrainingBook; what they change is told at most every 2 s (the monitor folds it into its
// next usage snapshot: progress alone never asks for a frame of its own), and the judgments (stalls,
// stragglers, tasks TensorFlow names) are made then and every 5 s, since a stall is the absence of
// lines and shows only with time.
import { parseTrainingLine, type CustomFormat } from '../cluster/progress.js';
import {
  TrainingBook,
  type ClusterTraining,
  type NodeTraining,
  type TrainingOptions,
  type UsageNow,
} from '../cluster/training.js';
import type { NodeView, Problem } from '../cluster/types.js';

export interface TrainingWatchOptions extends TrainingOptions {
  /** --progress-regex, compiled. */
  custom: CustomFormat[];
}

const NOTIFY_MS = 2000;
const JUDGE_MS = 5000;

export class TrainingTracker {
  private readonly book: TrainingBook;
  private problems: Problem[] = [];
  private problemsKey = '';
  private clusterCache: { version: number; views: unknown; value: ClusterTraining | null } | null = null;
  private notifyTimer: NodeJS.Timeout | null = null;
  private judgeTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: TrainingWatchOptions,
    private readonly changed: () => void,
    private readonly nodes: () => readonly NodeView[],
    private readonly usage: (id: string) => UsageNow | null,
  ) {
    this.book = new TrainingBook(options);
  }

  /** One line of a followed node (see LogFollower); `ts` its Docker timestamp (null: now). */
  line = (id: string, text: string, ts: string | null, partial: boolean): void => {
    const event = parseTrainingLine(text, this.options.custom, partial);
    if (!event) return;
    this.book.ingest(id, event, (ts && Date.parse(ts)) || Date.now());
    this.notifyTimer ??= setTimeout(() => {
      this.notifyTimer = null;
      this.judge();
      this.changed();
    }, NOTIFY_MS);
  };

  start(): void {
    this.judgeTimer ??= setInterval(() => {
      if (this.judge()) this.changed();
    }, JUDGE_MS);
  }

  /** Judges now; true when the problems changed. */
  judge(now = Date.now()): boolean {
    const problems = this.book.judge(now, this.nodes(), this.usage);
    // Stall messages count seconds: compared without figures, so a stall is one change, not one a tick.
    const key = problems
      .map((p) => `${p.node}\t${p.code}\t${p.severity}\t${p.code === 'stalled' ? '' : p.message}`)
      .join('\n');
    const same = key === this.problemsKey;
    this.problemsKey = key;
    if (!same || problems.some((p) => p.code === 'stalled')) this.problems = problems;
    return !same;
  }

  get current(): Problem[] {
    return this.problems;
  }

  get version(): number {
    return this.book.version;
  }

  byNode(): Readonly<Record<string, NodeTraining>> {
    return this.book.nodes();
  }

  cluster(views: readonly NodeView[]): ClusterTraining | null {
    if (this.clusterCache?.version !== this.book.version || this.clusterCache.views !== views) {
      this.clusterCache = { version: this.book.version, views, value: this.book.cluster(views) };
    }
    return this.clusterCache.value;
  }

  forget(id: string): void {
    this.book.forget(id);
  }

  stop(): void {
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    if (this.judgeTimer) clearInterval(this.judgeTimer);
    this.notifyTimer = null;
    this.judgeTimer = null;
  }
}
