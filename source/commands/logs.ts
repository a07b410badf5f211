// `tfmon logs NODE [--since 5m] [--errors] [--follow]`: a node's logs, sanitized, without the screen.
// stdout lines go to stdout and stderr lines to stderr, as `docker logs` does.
import { toLogLine } from '../monitor/log-follower.js';
import type { NodeView } from '../cluster/types.js';
import { ClusterMonitor } from '../monitor/cluster-monitor.js';
import { sanitize } from '../text/sanitize.js';
import { engineOf, type CommonOptions, type Io } from './context.js';
import { UsageError } from './flags.js';

export interface LogsOptions {
  node: string;
  tail: number | 'all';
  /** Seconds since the epoch, or undefined for no lower bound. */
  since: number | undefined;
  errors: boolean;
  follow: boolean;
  timestamps: boolean;
}

/** A node by its container name, or by "role-index" ("worker-1", "ps-0", "chief"). */
export function findNode(nodes: readonly NodeView[], wanted: string): NodeView | undefined {
  return (
    nodes.find((n) => n.name === wanted) ??
    nodes.find(
      (n) =>
        `${n.role}-${n.index ?? 0}` === wanted ||
        (n.role === wanted && nodes.filter((m) => m.role === wanted).length === 1),
    )
  );
}

export async function runLogs(
  common: CommonOptions,
  options: LogsOptions,
  io: Io & { errOut?(line: string): void },
): Promise<number> {
  const engine = engineOf(common);
  const monitor = new ClusterMonitor(engine, { network: common.network, labels: common.labels });
  const snapshot = await monitor.load();
  monitor.stop();
  // Only the cluster's own containers: a name outside it is refused, never read.
  const node = findNode(snapshot.nodes, options.node);
  if (!node) {
    const names = snapshot.nodes.map((n) => n.name).join(', ') || 'none';
    throw new UsageError(`no node "${sanitize(options.node)}" in the cluster on ${common.network} (nodes: ${names})`);
  }
  const toStderr = io.errOut ?? io.err;
  await new Promise<void>((resolve, reject) => {
    const handle = engine.followLogs(
      node.id,
      {
        tty: node.tty,
        follow: options.follow,
        tail: options.tail,
        ...(options.since !== undefined ? { since: options.since } : {}),
      },
      (stream, raw) => {
        const { ts, text, level } = toLogLine(0, node.id, stream, raw);
        if (options.errors && level !== 'error') return;
        const line = options.timestamps && ts ? `${ts} ${text}` : text;
        if (stream === 'stderr') toStderr(line);
        else io.out(line);
      },
      (error) => (error ? reject(error) : resolve()),
    );
    const stop = (): void => {
      handle.close();
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
