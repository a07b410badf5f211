// Parsers for flag values. Each returns the value or throws a UsageError with a one-line message.
import { type GpuRequest, parseGpuRequest, type PublishSpec } from '../cluster/up-plan.js';
import { compileProgressRegex, type CustomFormat } from '../cluster/progress.js';
import { sizeBytes, spanMs } from '../text/units.js';

export class UsageError extends Error {}

export function parseCount(flag: string, value: unknown, min: number, max = 64): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got "${String(value)}"`);
  return n;
}

export function parsePort(flag: string, value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError(`--${flag} must be a port from 1 to 65535, got "${String(value)}"`);
  return n;
}

export function parseCpus(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1024)
    throw new UsageError(`--cpus must be a positive number like 1.5, got "${value}"`);
  return n;
}

/** `docker run --memory` style: 512m, 8g, 1073741824. */
export function parseMemory(value: string): number {
  const bytes = sizeBytes(value);
  if (bytes === null) throw new UsageError(`--memory must look like 512m or 8g, got "${value}"`);
  if (bytes < 6 * 1024 * 1024) throw new UsageError(`--memory must be at least 6m (Docker's minimum), got "${value}"`);
  return bytes;
}

/** `docker run --gpus` style: all, 2, device=0,1 (also "device=0,1" with quotes). */
export function parseGpus(value: string): GpuRequest {
  const request = parseGpuRequest(value);
  if (!request) throw new UsageError(`--gpus must be all, a count, or device=0,1; got "${value}"`);
  return request;
}

/** `[HOSTBASE:]CONTAINER` — e.g. 8888 publishes worker i's 8888 on host 8888+i. */
export function parsePublish(value: string): PublishSpec {
  const m = /^(?:(\d+):)?(\d+)$/.exec(value.trim());
  if (!m || m[2] === undefined) throw new UsageError(`--publish must be PORT or HOSTPORT:PORT, got "${value}"`);
  const containerPort = parsePort('publish', m[2]);
  const hostBase = m[1] === undefined ? containerPort : parsePort('publish', m[1]);
  return { hostBase, containerPort };
}

/** `key=value` labels; a bare key means an empty value. */
export function parseLabels(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const key = eq === -1 ? v : v.slice(0, eq);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(key))
      throw new UsageError(`--label must be key=value with a plain key, got "${v}"`);
    out[key] = eq === -1 ? '' : v.slice(eq + 1);
  }
  return out;
}

/** A Docker network or container name, as Docker accepts them. */
export function parseName(flag: string, value: string): string {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(value))
    throw new UsageError(`--${flag} "${value}" is not a valid Docker name`);
  return value;
}

/** --interval in seconds (0.25 to 60), returned in milliseconds. */
export function parseInterval(value: string, flag = 'interval'): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.25 || n > 60)
    throw new UsageError(`--${flag} must be seconds from 0.25 to 60, got "${value}"`);
  return Math.round(n * 1000);
}

export function parseUsageSource(value: string): 'auto' | 'cgroup' | 'api' {
  if (value === 'auto' || value === 'cgroup' || value === 'api') return value;
  throw new UsageError(`--usage-source must be auto, cgroup or api, got "${value}"`);
}

/** An image reference: name[:tag][@digest], as Docker accepts them (no spaces, no leading dash). */
export function parseImage(flag: string, value: string): string {
  if (!/^[a-z0-9][a-z0-9._/:@-]{0,254}$/i.test(value))
    throw new UsageError(`--${flag} "${value}" is not an image reference`);
  return value;
}

/** --tail: a count of lines (0 to 100,000), or "all". */
export function parseTail(value: string): number | 'all' {
  if (value === 'all') return 'all';
  if (!/^\d+$/.test(value) || Number(value) > 100_000)
    throw new UsageError(`--tail must be a number of lines or "all", got "${value}"`);
  return Number(value);
}

/** A span like 72h, 30m, 90s or 2d, in ms (at least a minute). */
export function parseDuration(flag: string, value: string): number {
  const ms = spanMs(value.trim());
  if (ms === null || ms < 60_000)
    throw new UsageError(`--${flag} must be a span like 72h, 30m or 2d (at least 1m), got "${value}"`);
  return ms;
}

/** A size like 500m, 2g or 1048576 (bytes), at least 1 MiB. */
export function parseSize(flag: string, value: string): number {
  const bytes = sizeBytes(value);
  if (bytes === null || bytes < 1024 ** 2)
    throw new UsageError(`--${flag} must be a size like 500m or 2g (at least 1m), got "${value}"`);
  return bytes;
}

/** A number of seconds within [min, max]. */
export function parseSeconds(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n < min || n > max)
    throw new UsageError(`--${flag} must be seconds from ${min} to ${max}, got "${value}"`);
  return n;
}

/** --progress-regex: a regular expression with named groups tfmon knows. */
export function parseProgressRegex(value: string): CustomFormat {
  const compiled = compileProgressRegex(value);
  if (typeof compiled === 'string') throw new UsageError(compiled);
  return compiled;
}
