// A recording made beside whatever watches the cluster: `tfmon record`, or the live screen and
// `serve` with --record FILE. Every second, on the clock: the monitor's snapshot, and the log lines
// its followed nodes printed in that second (at most LOG_CAP a node, the rest counted).
import type { LogLine } from '../cluster/logs.js';
import type { NodeView } from '../cluster/types.js';
import type { Monitor } from '../monitor/monitor.js';
import { RecordingError } from '../record/errors.js';
import { LineAllowance } from '../record/line-allowance.js';
import type { Json } from '../record/patch.js';
import { TFMON_VERSION } from '../record/version.js';
import { RecordWriter, type WriterOptions } from '../record/writer.js';

/** Log lines kept per node and second, on average: a node printing more (a progress bar redrawn, a
 * flood) has the rest counted in the file, not kept — what bounds a recording's size whatever the job
 * prints. A node that was quiet may print LOG_BURST at once (a traceback is kept whole). */
export const LOG_CAP = 5;
export const LOG_BURST = 50;

export type RecordBounds = Pick<WriterOptions, 'retainMs' | 'maxBytes'>;

export class Recorder {
  private readonly writer: RecordWriter;
  private readonly timer: NodeJS.Timeout;
  private readonly untap: () => void;
  /** This second's lines, as they came (the allowance bounds how many). */
  private lines: LogLine[] = [];
  private dropped = new Map<string, number>();
  private readonly allowance = new LineAllowance(LOG_CAP, LOG_BURST);
  private readonly started = Date.now();
  /** The nodes whose logs were last asked to be followed (tfmon record). */
  private followed: readonly NodeView[] | null = null;

  /** Opens (or appends to) the file and starts; `followAll`: every node's log is followed (tfmon
   * record), else the lines of the nodes the monitor follows anyway (its training, the screen's). */
  constructor(
    private readonly monitor: Monitor,
    readonly file: string,
    network: string,
    bounds: RecordBounds = {},
    private readonly followAll = false,
  ) {
    const first = monitor.getSnapshot();
    try {
      this.writer = new RecordWriter(
        file,
        {
          tfmon: TFMON_VERSION,
          engine: first.engine.host,
          network,
          // Who was who when recording started: each node's image, role, and the topology it was given.
          nodes: first.nodes.map((n) => ({
            name: n.name,
            image: n.image,
            role: n.role,
            index: n.index,
            tfConfig: n.tfConfigRaw,
            env: n.frameworkEnv,
          })) as Json,
          logCap: LOG_CAP,
          logBurst: LOG_BURST,
        },
        bounds,
      );
    } catch (e) {
      throw e instanceof RecordingError ? e : new RecordingError((e as Error).message);
    }
    this.untap = monitor.logs.tap((line) => this.line(line));
    if (followAll) {
      this.followed = first.nodes;
      monitor.logs.show(first.nodes);
    }
    void this.writer.add(Date.now(), first);
    this.timer = setInterval(() => this.second(), 1000);
  }

  private line(line: LogLine): void {
    if (!this.allowance.take(line.node)) {
      this.dropped.set(line.node, (this.dropped.get(line.node) ?? 0) + 1);
      return;
    }
    this.lines.push(line);
  }

  private second(): void {
    const snapshot = this.monitor.getSnapshot();
    // Nodes that came since are followed too (the monitor's node list is a new array only when the
    // nodes changed).
    if (this.followAll && snapshot.nodes !== this.followed) {
      this.followed = snapshot.nodes;
      this.monitor.logs.show(snapshot.nodes);
    }
    // In time order across nodes (the interleaved log view reads them so); a stable sort keeps a
    // node's lines of the same millisecond in the order they came.
    const lines = this.lines.sort((a, b) => a.time - b.time);
    const dropped = Object.fromEntries(this.dropped);
    this.lines = [];
    this.dropped = new Map();
    this.allowance.tick();
    void this.writer.add(Date.now(), snapshot, lines, dropped);
  }

  /** Writes what is pending and closes the file: seconds recorded and bytes written. */
  async stop(): Promise<{ seconds: number; bytes: number }> {
    clearInterval(this.timer);
    this.untap();
    await this.writer.close();
    return { seconds: Math.round((Date.now() - this.started) / 1000), bytes: this.writer.bytesWritten };
  }
}
