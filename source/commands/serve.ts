// `tfmon serve`: no screen; the monitor runs until SIGTERM or SIGINT (exit 0) and the metrics endpoint
// answers from what it holds (docs/metrics.md). Where it listens is written down for `tfmon doctor`,
// which warns when it is beyond loopback.
import { formatAddress, isLoopback, type ListenAddress } from '../metrics/address.js';
import { forgetServing, noteServing } from '../metrics/serving-note.js';
import { serveMetrics } from '../metrics/server.js';
import { EngineError } from '../engine/errors.js';
import { monitorOf, type CommonOptions, type Io } from './context.js';

export async function runServe(options: CommonOptions, at: ListenAddress, io: Io): Promise<number> {
  const { usage, probe, training, ...rest } = options;
  const monitor = monitorOf(options, { ...rest, ...(usage ? { usage } : {}), ...(probe ? { probe } : {}), ...(training ? { training } : {}) });
  await monitor.start();
  const server = await serveMetrics(monitor, at).catch((error: NodeJS.ErrnoException) => {
    monitor.stop();
    throw new EngineError(`cannot listen on ${formatAddress(at)}: ${error.code === 'EADDRINUSE' ? 'the address is in use (another tfmon serve?)' : error.message}`);
  });
  const where = formatAddress(at);
  noteServing(at, options.network);
  io.err(`tfmon serve: ${options.network} on ${monitor.getSnapshot().engine.host}; metrics on http://${where}/metrics, /status, /healthz${isLoopback(at.host) ? '' : ' (beyond loopback: anyone who reaches this host can read it)'}`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  forgetServing();
  monitor.stop();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return 0;
}
