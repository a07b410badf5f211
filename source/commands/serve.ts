// `tfmon serve`: no screen; the monitor runs until SIGTERM or SIGINT (exit 0) and the metrics endpoint
// answers from what it holds (docs/metrics.md). Where it listens is written down for `tfmon doctor`,
// which warns when it is beyond loopback.
import { formatAddress, isLoopback, type ListenAddress } from '../metrics/address.js';
import { openEndpoint } from '../metrics/server.js';
import { monitorOf, monitorOptions, type CommonOptions, type Io } from './context.js';
import { type RecordBounds, Recorder } from './recorder.js';

export async function runServe(
  options: CommonOptions,
  at: ListenAddress,
  io: Io,
  recording: { file: string; bounds: RecordBounds } | null = null,
): Promise<number> {
  const monitor = monitorOf(options, monitorOptions(options));
  await monitor.start();
  let recorder: Recorder | null = null;
  try {
    recorder = recording ? new Recorder(monitor, recording.file, options.network, recording.bounds) : null;
  } catch (e) {
    monitor.stop();
    throw e;
  }
  const endpoint = await openEndpoint(monitor, at, options.network).catch(async (error: unknown) => {
    await recorder?.stop();
    monitor.stop();
    throw error;
  });
  io.err(
    `tfmon serve: ${options.network} on ${monitor.getSnapshot().engine.host}${recording ? `, recording into ${recording.file}` : ''}; metrics on http://${formatAddress(at)}/metrics, /status, /healthz${isLoopback(at.host) ? '' : ' (beyond loopback: anyone who reaches this host can read it)'}`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await recorder?.stop();
  monitor.stop();
  await endpoint.close();
  return 0;
}
