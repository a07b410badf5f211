// `tfmon serve`: no screen; the monitor runs until SIGTERM or SIGINT (exit 0) and the metrics endpoint
// answers from what it holds (docs/metrics.md). Where it listens is written down for `tfmon doctor`,
// which warns when it is beyond loopback.
import { formatAddress, isLoopback, type ListenAddress } from '../metrics/address.js';
import { openEndpoint } from '../metrics/server.js';
import { monitorOf, monitorOptions, type CommonOptions, type Io } from './context.js';

export async function runServe(options: CommonOptions, at: ListenAddress, io: Io): Promise<number> {
  const monitor = monitorOf(options, monitorOptions(options));
  await monitor.start();
  const endpoint = await openEndpoint(monitor, at, options.network).catch((error: unknown) => {
    monitor.stop();
    throw error;
  });
  io.err(
    `tfmon serve: ${options.network} on ${monitor.getSnapshot().engine.host}; metrics on http://${formatAddress(at)}/metrics, /status, /healthz${isLoopback(at.host) ? '' : ' (beyond loopback: anyone who reaches this host can read it)'}`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  monitor.stop();
  await endpoint.close();
  return 0;
}
