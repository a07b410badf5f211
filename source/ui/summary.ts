// The host line of the header, as text. Pure.
import type { Snapshot } from '../cluster/types.js';
import { formatBytes, formatPercent } from '../text/format.js';
import type { Glyphs } from './theme.js';

const bytes = (v: number | null): string => (v === null ? '-' : formatBytes(v));

/** `usageAge`: how stale the usage figures are (a slow or stalled link), else null. A
 * remote engine's host is not measured (tfmon's machine is not it): the line is then the usage
 * source alone. */
export function hostLine(
  s: Snapshot,
  g: Glyphs,
  ascii: boolean,
  usageAge: { seconds: number; none: boolean } | null = null,
): string | null {
  const parts: string[] = [];
  const h = s.host;
  if (h)
    parts.push(
      `host CPU ${formatPercent(h.cpuPercent)}`,
      `memory ${bytes(h.memUsedBytes)}/${bytes(h.memTotalBytes)}`,
      `load ${h.load.map((l) => l.toFixed(2)).join(' ')}`,
    );
  for (const gpu of s.gpus ?? []) {
    const util = gpu.utilPercent === null ? '-' : `${gpu.utilPercent}%`;
    const temp = gpu.temperatureC === null ? '' : ` ${gpu.temperatureC}${ascii ? 'C' : '°C'}`;
    const power = gpu.powerW === null ? '' : ` ${Math.round(gpu.powerW)}W`;
    parts.push(`GPU${gpu.index} ${util} ${bytes(gpu.memUsedBytes)}/${bytes(gpu.memTotalBytes)}${temp}${power}`);
  }
  if (s.usageSource)
    parts.push(
      `usage from ${s.usageSource === 'cgroup' ? 'cgroup files' : 'stats API'}${usageAge === null ? '' : usageAge.none ? `, none for ${usageAge.seconds}s` : `, ${usageAge.seconds}s old`}`,
    );
  return parts.length ? parts.join(g.sep) : null;
}
