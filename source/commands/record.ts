// `tfmon record [-o FILE]`: no screen; the monitor runs until SIGTERM or SIGINT and every second
// what it holds goes into a recording (docs/record.md, recorder.ts), every node's log followed.
// `tfmon record cut`: a stretch of one as a file of its own. Read back with `tfmon replay` and --at.
import { existsSync } from 'node:fs';
import { parseAt } from '../record/at.js';
import { cutRecording } from '../record/cut.js';
import { RecordingError } from '../record/errors.js';
import { openRecordingFile } from '../record/read.js';
import { monitorOf, monitorOptions, type CommonOptions, type Io } from './context.js';
import { type RecordBounds, Recorder } from './recorder.js';

/** The default file: the network and the UTC start, in the current directory. */
export const defaultRecordFile = (network: string, now = new Date()): string =>
  `tfmon-${network}-${now.toISOString().slice(0, 19).replaceAll(':', '')}Z.tfrec`;

export async function runRecord(
  options: CommonOptions,
  file: string,
  io: Io,
  bounds: RecordBounds = {},
): Promise<number> {
  // A small ring per node (the lines are taken as they come); the tail at start is a few lines of
  // context, not the screen's 200.
  const monitor = monitorOf(options, { ...monitorOptions(options), logs: { tail: 20, capacity: 200 } });
  await monitor.start();
  let recorder: Recorder;
  try {
    recorder = new Recorder(monitor, file, options.network, bounds, true);
  } catch (e) {
    monitor.stop();
    throw e;
  }
  io.err(
    `tfmon record: ${options.network} on ${monitor.getSnapshot().engine.host} into ${file} (SIGINT or SIGTERM ends it)`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const { seconds, bytes } = await recorder.stop();
  monitor.stop();
  io.err(`tfmon record: ${seconds} s, ${(bytes / 1024).toFixed(0)} KiB in ${file}`);
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
