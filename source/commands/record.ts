// `tfmon record [-o FILE]`: no screen; the monitor runs until SIGTERM or SIGINT and every second
// what it holds goes into a recording (docs/record.md): the snapshot, what happened, and the nodes'
// log lines (at most LOG_CAP a node and second). Read back with `tfmon replay` and `status --at`.
import type { LogLine } from '../cluster/logs.js';
import { existsSync } from 'node:fs';
import { parseAt } from '../record/at.js';
import { cutRecording } from '../record/cut.js';
import { RecordingError } from '../record/errors.js';
import { openRecordingFile } from '../record/read.js';
import type { Json } from '../record/patch.js';
import { TFMON_VERSION } from '../record/version.js';
import { RecordWriter, type WriterOptions } from '../record/writer.js';
import { monitorOf, monitorOptions, type CommonOptions, type Io } from './context.js';
import type { Monitor } from '../monitor/monitor.js';

/** Log lines kept per node and second: a node printing more (a progress bar redrawn, a flood) has
 * the rest counted in the file, not kept — what bounds a recording's size whatever the job prints. */
export const LOG_CAP = 5;

/** The default file: the network and the UTC start, in the current directory. */
export const defaultRecordFile = (network: string, now = new Date()): string =>
  `tfmon-${network}-${now.toISOString().slice(0, 19).replaceAll(':', '')}Z.tfrec`;

/** Every node's new lines since the last call, at most `cap` each; the rest counted. */
export function newLines(
  monitor: Monitor,
  lastSeq: Map<string, number>,
  cap: number,
): { lines: LogLine[]; dropped: Record<string, number> } {
  const lines: LogLine[] = [];
  const dropped: Record<string, number> = {};
  for (const n of monitor.getSnapshot().nodes) {
    const all = monitor.logs.lines(n.id);
    const from = lastSeq.get(n.id) ?? 0;
    const fresh = all.filter((l) => l.seq > from);
    if (fresh.length === 0) continue;
    lastSeq.set(n.id, (fresh[fresh.length - 1] as LogLine).seq);
    lines.push(...fresh.slice(0, cap));
    if (fresh.length > cap) dropped[n.id] = fresh.length - cap;
  }
  return { lines, dropped };
}

export async function runRecord(
  options: CommonOptions,
  file: string,
  io: Io,
  bounds: Pick<WriterOptions, 'retainMs' | 'maxBytes'> = {},
): Promise<number> {
  // A small ring per node: a second's lines are taken each second. The tail at start is a few
  // lines of context, not the screen's 200.
  const monitor = monitorOf(options, { ...monitorOptions(options), logs: { tail: 20, capacity: 200 } });
  await monitor.start();
  const first = monitor.getSnapshot();
  let writer: RecordWriter;
  try {
    writer = new RecordWriter(
      file,
      {
        tfmon: TFMON_VERSION,
        engine: first.engine.host,
        network: options.network,
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
      },
      bounds,
    );
  } catch (e) {
    monitor.stop();
    throw e instanceof RecordingError ? e : new RecordingError((e as Error).message);
  }
  io.err(`tfmon record: ${options.network} on ${first.engine.host} into ${file} (SIGINT or SIGTERM ends it)`);
  const started = Date.now();
  const lastSeq = new Map<string, number>();
  // A snapshot a second, taken on the clock, not per change. Every node's log is followed (the
  // nodes that come later too).
  const second = (): void => {
    const snapshot = monitor.getSnapshot();
    monitor.logs.show(snapshot.nodes);
    const { lines, dropped } = newLines(monitor, lastSeq, LOG_CAP);
    void writer.add(Date.now(), snapshot, lines, dropped);
  };
  monitor.logs.show(first.nodes);
  const timer = setInterval(second, 1000);
  void writer.add(Date.now(), first);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  clearInterval(timer);
  await writer.close();
  monitor.stop();
  io.err(
    `tfmon record: ${Math.round((Date.now() - started) / 1000)} s, ${(writer.bytesWritten / 1024).toFixed(0)} KiB in ${file}`,
  );
  return 0;
}

/** `tfmon record cut FILE [--from T1] [--to T2] -o OUT`: the stretch as a recording of its own. */
export async function runRecordCut(
  file: string,
  range: { from: string | undefined; to: string | undefined },
  out: string | undefined,
  io: Io,
): Promise<number> {
  if (!out) throw new RecordingError('record cut writes a new file: give it with -o OUT');
  if (existsSync(out)) throw new RecordingError(`${out} exists: record cut writes a new file`);
  const rec = openRecordingFile(file);
  for (const w of rec.warnings) io.err(`tfmon: ${file}: ${w}`);
  const timeOf = (value: string | undefined, fallback: number, flag: string): number => {
    if (value === undefined) return fallback;
    const t = parseAt(value, rec.start, rec.end);
    if (typeof t === 'string') throw new RecordingError(t.replace(/^--at/, flag));
    return t;
  };
  const from = timeOf(range.from, rec.start, '--from');
  const to = timeOf(range.to, rec.end, '--to');
  if (to < from) throw new RecordingError('--to is before --from');
  const { seconds, bytes } = await cutRecording(rec, from, to, out);
  io.err(
    `tfmon record cut: ${seconds} s from ${new Date(from).toISOString()}, ${(bytes / 1024).toFixed(0)} KiB in ${out}`,
  );
  return 0;
}
