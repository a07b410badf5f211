// The plain `tfmon status` table: what a script or a non-TTY gets. Pure.
import type { Snapshot } from '../cluster/types.js';
import { hostOf } from '../cluster/hosts.js';
import {
  countsOf,
  frameworksOf,
  endpointOf,
  formatBytes,
  formatMem,
  formatPercent,
  formatRate,
  indexLabel,
  stateLabel,
  uptimeOf,
} from '../text/format.js';
import { sanitize } from '../text/sanitize.js';
import { fit, textWidth } from '../text/width.js';
import { clusterTrainText, trainCell } from '../text/train-format.js';

export function statusTable(s: Snapshot, now: number, width: number, ascii: boolean): string {
  const lines: string[] = [];
  const { roles, states } = countsOf(s.nodes);
  const frameworks = frameworksOf(s.nodes);
  lines.push(
    `network ${sanitize(s.network.name)} on ${s.engine.host} (Docker ${s.engine.version ?? '?'})` +
      (s.nodes.length ? `: ${frameworks ? `${frameworks}: ` : ''}${roles}; ${states}` : ': no containers'),
  );
  if (s.host) {
    const h = s.host;
    lines.push(
      `host: CPU ${formatPercent(h.cpuPercent)}, memory ${h.memUsedBytes === null ? '-' : formatBytes(h.memUsedBytes)}/${h.memTotalBytes === null ? '-' : formatBytes(h.memTotalBytes)}, load ${h.load.map((l) => l.toFixed(2)).join(' ')}`,
    );
  }
  const withUsage = s.usageSource !== null;
  const withTraining = Object.keys(s.training).length > 0;
  const train = clusterTrainText(s.clusterTraining);
  if (train) lines.push(train);
  if (s.nodes.length > 0) {
    // Several engines or a swarm's nodes: the host each task runs on (its swarm node, else its engine).
    const hosts = s.engines !== undefined || s.nodes.some((n) => n.swarmNode !== null);
    const rows = s.nodes.map((n) => [
      n.role,
      indexLabel(n),
      sanitize(n.dnsName),
      stateLabel(n, ascii ? 'restarts ' : '↻'),
      ...(hosts ? [sanitize(hostOf(n) ?? '-')] : []),
      endpointOf(n),
      uptimeOf(n, now),
      ...(withUsage
        ? [
            formatPercent(s.usage[n.id]?.cpuPercent),
            formatMem(s.usage[n.id]?.memBytes, s.usage[n.id]?.memLimitBytes),
            `${formatRate(s.usage[n.id]?.netRxBps)} ${formatRate(s.usage[n.id]?.netTxBps)}`,
          ]
        : []),
      ...(withTraining ? [n.state === 'running' ? trainCell(s.training[n.id], ascii) : '-'] : []),
      sanitize(n.image),
    ]);
    const head = [
      'ROLE',
      'IDX',
      'NAME',
      'STATE',
      ...(hosts ? ['HOST'] : []),
      'IP:PORT',
      'UPTIME',
      ...(withUsage ? ['CPU', 'MEM', 'NET RX TX'] : []),
      ...(withTraining ? ['TRAIN'] : []),
      'IMAGE',
    ];
    const widths = head.map((h, i) => Math.max(textWidth(h), ...rows.map((r) => textWidth(r[i] ?? ''))));
    // Shrink the widest flexible columns (name, image) until the table fits the width.
    const flexible = [head.length - 1, 2, 3];
    let total = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
    for (const col of flexible) {
      const current = widths[col] ?? 0;
      if (total <= width) break;
      const cut = Math.min(total - width, Math.max(0, current - 8));
      widths[col] = current - cut;
      total -= cut;
    }
    const render = (cells: string[]): string =>
      cells
        .map((c, i) => fit(c, widths[i] ?? 0, ascii))
        .join('  ')
        .trimEnd();
    lines.push(render(head), ...rows.map(render));
  }
  // Root problems, each once; what follows from them is a count (doctor --all lists it).
  const roots = s.problems.filter((p) => !p.causedBy);
  if (roots.length > 0) {
    const follow = s.problems.length - roots.length;
    lines.push('', `problems:${follow ? ` (${follow} more follow from these: tfmon doctor --all)` : ''}`);
    for (const p of roots) {
      const where = p.node ? `${sanitize(p.node)}: ` : '';
      lines.push(`  ${p.severity === 'error' ? 'error  ' : 'warning'} ${where}${sanitize(p.message)}`);
    }
  }
  return lines.join('\n');
}
