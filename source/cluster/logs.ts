// Log lines as data: classification, search, the last error, Jupyter URLs. Pure.
import { spanMs } from '../text/units.js';
import type { PublishedPort } from './types.js';

export type LogStream = 'stdout' | 'stderr';
export type LogLevel = 'error' | 'warning' | null;

export interface LogLine {
  /** Increasing per follower: the view anchors to it while new lines arrive. */
  seq: number;
  /** Container id of the node that printed it. */
  node: string;
  stream: LogStream;
  /** Docker's timestamp (RFC 3339 with nanoseconds), or null when not asked for. */
  ts: string | null;
  /** The timestamp in ms since the epoch (0 without one): the interleaved view merges by it. */
  time: number;
  /** Already sanitized and cut: safe to print. */
  text: string;
  level: LogLevel;
}

// TensorFlow's C++ log prefix is "E1128 11:40:00.123456 …" / "F…" / "W…" (glog), its Python one
// "ERROR:tensorflow:" / "WARNING:tensorflow:"; the rest are the failures the users grep for.
// Python's own last line of a traceback, the one that says what failed ("RuntimeError: …",
// "torch.distributed.DistStoreError: …", torch 2.x's "[rank0]: RuntimeError: …"), is an error line too.
// torch's C++ lines: glog's `[E ProcessGroupNCCL.cpp:737]`, 2.x's `[rank0]:[E626 06:24:44…`, and an
// uncaught C++ exception's `terminate called…` / `  what():`.
const ERROR =
  /\bERROR\b|^E\d{4} \d|^(?:\[rank\d+\]:)?\[E(?:\d{4} \d| )|^terminate called after throwing|^\s*what\(\):|\bE tensorflow|^F\d{4} \d|\bF tensorflow|Traceback \(most recent call last\)|\bTraceback\b|ResourceExhausted|\bOOM\b|Out of memory|UnavailableError|failed to connect to all addresses|Check failed|^(?:\[rank\d+\]:\s*)?(?:[a-z_]\w*\.)*[A-Z]\w*(?:Error|Exception)(?::|$)/;
const WARNING = /\bWARNING\b|^W\d{4} \d|\bW tensorflow/;

export function levelOf(text: string): LogLevel {
  if (ERROR.test(text)) return 'error';
  if (WARNING.test(text)) return 'warning';
  return null;
}

/** "2026-11-28T11:40:00.123456789Z rest" → [ts, rest]; a line without one is returned whole. */
export function splitTimestamp(line: string): [string | null, string] {
  const space = line.indexOf(' ');
  if (
    space > 0 &&
    space <= 40 &&
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(line.slice(0, space))
  ) {
    return [line.slice(0, space), line.slice(space + 1)];
  }
  return [null, line];
}

/** "11:40:00.123" from Docker's timestamp, for the screen. */
export const shortTime = (ts: string | null): string => (ts ? ts.slice(11, 23).padEnd(12, '0') : ''.padEnd(12));

/** A search as typed after `/`: a substring (case-insensitive), or a regular expression between
 * slashes. An invalid expression is an error to show, not a crash. */
export function compileSearch(typed: string): { test(text: string): boolean; error: string | null } {
  const m = /^\/(.*)\/([imsu]*)$/.exec(typed);
  if (m) {
    try {
      const re = new RegExp(m[1] ?? '', m[2]);
      return { test: (t) => re.test(t), error: null };
    } catch (error) {
      return { test: () => false, error: `not a regular expression: ${(error as Error).message}` };
    }
  }
  const needle = typed.toLowerCase();
  return { test: (t) => t.toLowerCase().includes(needle), error: null };
}

export function lastErrorOf(lines: readonly Pick<LogLine, 'text' | 'level'>[]): string | null {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]?.level === 'error') return lines[i]!.text;
  return null;
}

// Only URL characters: the match becomes a terminal hyperlink, so nothing else may ride along.
const JUPYTER = /\bhttps?:\/\/[A-Za-z0-9.\-[\]:]+:(\d+)\/[A-Za-z0-9/._~%?&=+#-]*?[?&]token=[A-Za-z0-9]+/;

/** A Jupyter URL with its token, as the notebook server prints it; null when the line has none. */
export function jupyterUrlOf(text: string): { url: string; port: number } | null {
  const m = JUPYTER.exec(text);
  return m ? { url: m[0], port: Number(m[1]) } : null;
}

/** The URL as reachable from the host: the container port replaced by the one published for it
 * (8888 → 8889 for the second worker), the host by where it is published. null when the port is not
 * published (then the URL only works from inside the network). */
export function hostJupyterUrl(found: { url: string; port: number }, ports: readonly PublishedPort[]): string | null {
  const p = ports.find((x) => x.containerPort === found.port && x.protocol === 'tcp');
  if (!p) return null;
  const host =
    !p.hostIp || p.hostIp === '0.0.0.0' || p.hostIp === '::'
      ? '127.0.0.1'
      : p.hostIp.includes(':')
        ? `[${p.hostIp}]`
        : p.hostIp;
  return found.url.replace(/^(https?:\/\/)[A-Za-z0-9.\-[\]:]+:\d+/, `$1${host}:${p.hostPort}`);
}

/** "--since 5m" → seconds since the epoch; also "30s", "2h", "1d" and RFC 3339 times. */
export function parseSince(value: string, now = Date.now()): number | null {
  const back = spanMs(value);
  if (back !== null) return Math.floor((now - back) / 1000);
  const t = Date.parse(value);
  return Number.isFinite(t) && /^\d{4}-\d\d-\d\d/.test(value) ? Math.floor(t / 1000) : null;
}
