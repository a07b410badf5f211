// What every command gets from the command line, already validated.
import { Engine } from '../engine/engine.js';
import { resolveEndpoint } from '../engine/endpoint.js';
import type { LogOptions } from '../monitor/log-follower.js';
import { MultiMonitor } from '../monitor/multi.js';
import { ClusterMonitor, type MonitorOptions } from '../monitor/cluster-monitor.js';
import type { Monitor } from '../monitor/monitor.js';
import type { ProbeOptions } from '../monitor/probe-sampler.js';
import type { SamplerOptions } from '../monitor/usage-sampler.js';
import type { TrainingWatchOptions } from '../monitor/training-tracker.js';

/** The engine the flags name: --host, else --context, else the docker CLI's own choice. */
export const engineOf = (c: Pick<CommonOptions, 'host' | 'context' | 'sshPersistS'>): Engine =>
  new Engine(resolveEndpoint({ host: c.host, context: c.context }), { sshPersistS: c.sshPersistS });

/** One monitor for one engine; with --host repeated, one over all of them (merged). */
export function monitorOf(
  c: Pick<CommonOptions, 'host' | 'hosts' | 'context' | 'sshPersistS'>,
  options: MonitorOptions,
): Monitor {
  const hosts = c.hosts ?? [];
  if (hosts.length > 1)
    return new MultiMonitor(
      hosts.map((h) => new Engine(resolveEndpoint({ host: h }), { sshPersistS: c.sshPersistS })),
      options,
    );
  return new ClusterMonitor(engineOf(c), options);
}

/** The monitor's options from the command line: each part there only when it is on (`usage: false`:
 * left out whatever the flags say, for commands that do not show it). */
export function monitorOptions(c: CommonOptions, parts: { usage?: boolean } = {}): MonitorOptions {
  return {
    network: c.network,
    labels: c.labels,
    ...(c.logs ? { logs: c.logs } : {}),
    ...(c.usage && parts.usage !== false ? { usage: c.usage } : {}),
    ...(c.probe ? { probe: c.probe } : {}),
    ...(c.training ? { training: c.training } : {}),
  };
}

export interface CommonOptions {
  network: string;
  labels: Record<string, string>;
  host: string | undefined;
  /** Every --host given (several: one cluster over several engines). */
  hosts?: string[];
  /** --context NAME (a docker context). */
  context?: string | undefined;
  /** --ssh-persist: seconds an ssh:// login is kept for the next run (0: none; default 60). */
  sshPersistS?: number | undefined;
  /** Resource usage sampling (interval, source); null with --no-usage. */
  usage: SamplerOptions | null;
  /** Reachability probing; null with --no-probe. */
  probe: ProbeOptions | null;
  /** Training from the nodes' progress lines; null with --no-training. */
  training?: TrainingWatchOptions | null;
  /** --tail and --log-buffer. */
  logs?: LogOptions;
  /** --read-only: every change refused. */
  readOnly?: boolean;
  /** --tf-config-dir: where the live screen's `w` writes TF_CONFIG files. */
  tfConfigDir?: string | null;
}

/** Where command output goes; tests pass their own. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
