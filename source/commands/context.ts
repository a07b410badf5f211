// What every command gets from the command line, already validated.
import type { LogOptions } from '../monitor/log-follower.js';
import type { ProbeOptions } from '../monitor/probe-sampler.js';
import type { SamplerOptions } from '../monitor/usage-sampler.js';

export interface CommonOptions {
  network: string;
  labels: Record<string, string>;
  host: string | undefined;
  /** Resource usage sampling (interval, source); null with --no-usage. */
  usage: SamplerOptions | null;
  /** Reachability probing; null with --no-probe. */
  probe: ProbeOptions | null;
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
