// `tfmon record [-o FILE]`: no screen; the monitor runs until SIGTERM or SIGINT and every second
// what it holds goes into a recording (docs/record.md): read back with `tfmon status --at`.
import { RecordingError } from '../record/errors.js';
import type { Json } from '../record/patch.js';
import { TFMON_VERSION } from '../record/version.js';
import { RecordWriter } from '../record/writer.js';
import { monitorOf, monitorOptions, type CommonOptions, type Io } from './context.js';

/** The default file: the network and the UTC start, in the current directory. */
export const defaultRecordFile = (network: string, now = new Date()): string =>
  `tfmon-${network}-${now.toISOString().slice(0, 19).replaceAll(':', '')}Z.tfrec`;

export async function runRecord(options: CommonOptions, file: string, io: Io): Promise<number> {
  const monitor = monitorOf(options, monitorOptions(options));
  await monitor.start();
  const first = monitor.getSnapshot();
  let writer: RecordWriter;
  try {
    writer = new RecordWriter(file, {
      tfmon: TFMON_VERSION,
      engine: first.engine.host,
      network: options.network,
      nodes: first.nodes.map((n) => ({ name: n.name, image: n.image, role: n.role, index: n.index })) as Json,
    });
  } catch (e) {
    monitor.stop();
    throw e instanceof RecordingError ? e : new RecordingError((e as Error).message);
  }
  io.err(`tfmon record: ${options.network} on ${first.engine.host} into ${file} (SIGINT or SIGTERM ends it)`);
  const started = Date.now();
  // A snapshot a second, taken on the clock, not per change.
  const timer = setInterval(() => void writer.add(Date.now(), monitor.getSnapshot()), 1000);
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
