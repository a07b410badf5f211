// Small formatters shared by the status table and the TUI.
import { frameworkNamed } from '../cluster/frameworks/registry.js';
import type { NodeView } from '../cluster/types.js';

/** "3d4h", "2h05m", "4m", "12s" — compact uptime. Seconds only in the first minute (a restart is
 * what they are for): past it the text changes once a minute, so the screen need not be redrawn
 * every second for the uptimes alone. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m`;
  return `${s}s`;
}

export function uptimeOf(node: NodeView, now: number): string {
  if (node.state !== 'running' || !node.startedAt) return '-';
  const started = Date.parse(node.startedAt);
  return Number.isFinite(started) ? formatDuration(now - started) : '-';
}

/** "running", "running (healthy)", "exited (code 1)", "restarting ×3". */
export function stateLabel(node: NodeView, restartMark = '↻'): string {
  let label: string = node.state;
  if (node.exitCode !== null && (node.state === 'exited' || node.state === 'dead')) label += ` (${node.exitCode})`;
  if (node.oomKilled) label += ' OOM';
  if (node.health) label += ` (${node.health})`;
  const restarts = node.restarts + (node.manualRestarts ?? 0);
  if (restarts > 0) label += ` ${restartMark}${restarts}`;
  return label;
}

export function endpointOf(node: NodeView): string {
  if (!node.ip) return '-';
  return node.port === null ? node.ip : `${node.ip}:${node.port}`;
}

/** A value in the largest unit that keeps it at or above 1: "12MiB", "1.5kB/s". */
function scaled(value: number, base: number, units: readonly string[]): string {
  let v = value;
  let i = 0;
  while (v >= base && i < units.length - 1) {
    v /= base;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)}${units[i]}`;
}

export const formatBytes = (bytes: number): string => scaled(bytes, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB']);

export const indexLabel = (node: NodeView): string => (node.index === null ? '-' : String(node.index));

/** Counts by role ("1 ps, 2 worker") and by state ("3 running"). */
export function countsOf(nodes: readonly NodeView[]): { roles: string; states: string } {
  const count = (key: (n: NodeView) => string): string => {
    const m = new Map<string, number>();
    for (const n of nodes) m.set(key(n), (m.get(key(n)) ?? 0) + 1);
    return [...m].map(([k, v]) => `${v} ${k}`).join(', ');
  };
  return { roles: count((n) => n.role), states: count((n) => n.state) };
}

/** The frameworks the nodes run, as the header says them: "PyTorch", "TensorFlow + PyTorch"; a job's
 * world beside it when its ranks agree on one ("PyTorch, world 4"). Empty when none is known. */
export function frameworksOf(nodes: readonly NodeView[]): string {
  const names = [
    ...new Set(nodes.map((n) => n.framework).filter((f): f is NonNullable<NodeView['framework']> => f !== null)),
  ];
  return names
    .map((f) => {
      const worlds = new Set(nodes.filter((n) => n.framework === f && n.worldSize !== null).map((n) => n.worldSize));
      return `${frameworkNamed(f).label}${worlds.size === 1 ? `, world ${[...worlds][0]}` : ''}`;
    })
    .join(' + ');
}

export const frameworkName = (f: NonNullable<NodeView['framework']>): string => frameworkNamed(f).label;

/** "12.5%", "0.0%", "-" for unknown. */
export const formatPercent = (v: number | null | undefined): string =>
  v === null || v === undefined ? '-' : `${v.toFixed(1)}%`;

/** Rates in decimal units, as docker stats shows network I/O: "0B/s", "12kB/s", "3.4MB/s". */
export const formatRate = (bps: number | null | undefined): string =>
  bps === null || bps === undefined ? '-' : scaled(bps, 1000, ['B/s', 'kB/s', 'MB/s', 'GB/s']);

/** "64MiB/256MiB", or "64MiB" without a limit. */
export function formatMem(used: number | null | undefined, limit: number | null | undefined): string {
  if (used === null || used === undefined) return '-';
  return limit ? `${formatBytes(used)}/${formatBytes(limit)}` : formatBytes(used);
}

/** An engine, short: a socket by its file name, tcp/ssh by host. */
export const engineLabel = (host: string): string =>
  host
    .replace(/^unix:\/\/.*\//, '')
    .replace(/^[a-z]+:\/\/(?:[^@/]*@)?/, '')
    .replace(/\.sock$/, '');
