import { Box, Text } from 'ink';
import type React from 'react';
import type { ContainerGpu } from '../cluster/gpu.js';
import type { NodeUsage, NodeView, Problem } from '../cluster/types.js';
import { formatBytes, formatPercent, formatRate } from '../text/format.js';
import { sparkline } from '../text/spark.js';
import { sanitize } from '../text/sanitize.js';
import { truncate } from '../text/width.js';
import { detailLines, type DetailLine } from './detail-lines.js';
import type { PeerCounts } from './matrix-model.js';
import { REACH_CODES } from '../cluster/reach.js';
import { glyphs, roleColor, tint, type Theme } from './theme.js';
import type { NodeTraining } from '../cluster/training.js';
import { trainLines } from './train-text.js';

/** What the details pane says of a node: the lines are made by detailsOf (the screen needs their
 * count to share its rows with the log tail), drawn by Details. */
export interface DetailsInput {
  node: NodeView;
  usage?: NodeUsage | undefined;
  /** GPUs its processes use; undefined when there are no GPU figures. */
  gpus?: readonly ContainerGpu[] | undefined;
  problems: readonly Problem[];
  /** Failing pairs from and to this node in the last reachability round. */
  peers?: PeerCounts | undefined;
  probing?: boolean;
  /** A Jupyter URL its logs printed: as reachable from the host (null when the port is not
   * published), and as printed. */
  jupyter?: { url: string | null; inside: string } | null;
  hyperlinks?: boolean;
  /** Its training (what its log says), and whether the cluster trains at all. */
  training?: NodeTraining | undefined;
  clusterTrains?: boolean;
  now?: number;
  width: number;
  ascii: boolean;
}

function jupyterLine(j: { url: string | null; inside: string }): DetailLine {
  return j.url
    ? { label: 'jupyter', value: j.url, link: j.url }
    : { label: 'jupyter', value: `${j.inside} (port not published: reachable inside the network only)`, tone: 'dim' };
}

/** Sparklines of the last 60 samples, then block I/O and pids. */
function usageLines(u: NodeUsage, width: number, ascii: boolean): DetailLine[] {
  const w = Math.max(10, Math.min(60, width - 11 - 22));
  const memTop = u.memLimitBytes && u.memLimitBytes < 8 * Math.max(...u.memHistory, 1) ? u.memLimitBytes : undefined;
  return [
    {
      label: 'cpu',
      value: `${sparkline(u.cpuHistory, w, ascii, Math.max(100, ...u.cpuHistory))} ${formatPercent(u.cpuPercent)}`,
    },
    {
      label: 'memory',
      value: `${sparkline(u.memHistory, w, ascii, memTop)} ${u.memBytes === null ? '-' : formatBytes(u.memBytes)}`,
    },
    {
      label: 'io',
      value: `net ${formatRate(u.netRxBps)} in, ${formatRate(u.netTxBps)} out; disk ${formatRate(u.blkReadBps)} read, ${formatRate(u.blkWriteBps)} write; ${u.pids ?? '-'} pids`,
    },
  ];
}

function gpuLine(gpus: readonly ContainerGpu[]): DetailLine {
  if (gpus.length === 0) return { label: 'gpu use', value: 'no GPU processes', tone: 'dim' };
  return {
    label: 'gpu use',
    value: gpus
      .map(
        (g) =>
          `GPU${g.index} ${g.utilPercent === null ? 'util n/a' : `${g.utilPercent}%`}, ${g.memUsedBytes === null ? '?' : formatBytes(g.memUsedBytes)}${g.memTotalBytes ? ` of ${formatBytes(g.memTotalBytes)}` : ''}`,
      )
      .join('; '),
  };
}

/** One line on the node's reachability, pointing at the matrix when something fails. */
function peersLine(p: PeerCounts, running: boolean): DetailLine | null {
  if (!running) return null;
  // A node that dials no one in TensorFlow's pattern (a ps) is still checked: its peers dial it.
  if (p.peers === 0 && p.in === 0 && p.reachedBy > 0)
    return {
      label: 'peers',
      value: `reached from ${p.reachedBy} peer${p.reachedBy === 1 ? '' : 's'}; it dials none (m: every pair)`,
    };
  if (p.peers === 0 && p.in === 0) return { label: 'peers', value: 'not probed yet', tone: 'dim' };
  if (p.out === 0 && p.in === 0)
    return { label: 'peers', value: `all ${p.peers} reachable: names resolve, ports answer (m: matrix)` };
  const parts: string[] = [];
  if (p.out) parts.push(`${p.out} of ${p.peers} peers fail from here`);
  if (p.in) parts.push(`${p.in} fail${p.in === 1 ? 's' : ''} to reach it`);
  return { label: 'peers', value: `${parts.join(', ')} (m: matrix)`, tone: 'error' };
}

/** OSC 8: the terminal shows `text` and opens `url` on click. Only where the terminal supports it. */
const link = (url: string, text: string): string => `\u001b]8;;${url}\u0007${text}\u001b]8;;\u0007`;

/** The pane's lines for one node: its own problems, what it suffers from, training, usage, GPU,
 * then what it is (image, command, ports, limits, TF_CONFIG). */
export function detailsOf({
  node,
  usage,
  gpus,
  problems,
  peers,
  probing = false,
  jupyter = null,
  training,
  clusterTrains = false,
  now = Date.now(),
  width,
  ascii,
}: DetailsInput): DetailLine[] {
  // Reachability problems are summed up in the peers line; the matrix shows them one by one.
  // Its own roots first (those on it, or naming it); then the faults elsewhere it suffers from.
  const own = problems.filter(
    (p) =>
      !p.causedBy &&
      !REACH_CODES.has(p.code) &&
      (p.node === node.name || (p.node === null && p.nodes?.includes(node.name))),
  );
  const causes = [
    ...new Map(
      problems
        .filter(
          (p) => p.causedBy && p.causedBy.node !== node.name && (p.node === node.name || p.nodes?.includes(node.name)),
        )
        .map((p) => [`${p.causedBy!.node}:${p.causedBy!.code}`, p.causedBy!] as const),
    ).values(),
  ];
  const peerLine = probing && peers ? peersLine(peers, node.state === 'running') : null;
  return [
    ...(jupyter ? [jupyterLine(jupyter)] : []),
    ...(peerLine ? [peerLine] : []),
    ...own.map((p): DetailLine => ({ label: p.severity, value: sanitize(p.message), tone: 'error' })),
    ...causes.map(
      (c): DetailLine => ({
        label: 'affected',
        value: `by ${c.code.replace(/_/g, ' ')} on ${sanitize(c.node ?? 'the cluster')}`,
        tone: 'dim',
      }),
    ),
    ...(node.state === 'running' ? trainLines(training, now, width, ascii, clusterTrains) : []),
    ...(usage && node.state === 'running' ? usageLines(usage, width, ascii) : []),
    ...(gpus && node.state === 'running' ? [gpuLine(gpus)] : []),
    ...detailLines(node, ascii),
  ];
}

/** The pane: a title and `rows` lines at most (the last saying how many more there are). */
export function Details({
  node,
  lines,
  hyperlinks = false,
  rows,
  width,
  theme,
}: {
  node: NodeView | undefined;
  lines: readonly DetailLine[];
  hyperlinks?: boolean;
  rows: number;
  width: number;
  theme: Theme;
}): React.JSX.Element | null {
  if (rows <= 0) return null;
  const g = glyphs(theme);
  if (!node) return <Text color={tint(theme, 'gray')}>{g.rule.repeat(Math.max(0, width - 1))}</Text>;
  const overflow = lines.length > rows;
  const shown = overflow ? lines.slice(0, Math.max(0, rows - 1)) : lines;
  const title = ` ${sanitize(node.name)} `;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate" color={roleColor(theme, node.role)}>
        {truncate(
          `${g.rule.repeat(2)}${title}${g.rule.repeat(Math.max(0, width - title.length - 3))}`,
          width - 1,
          theme.ascii,
        )}
      </Text>
      {shown.map((line, i) => (
        <Text
          key={i}
          wrap="truncate"
          color={line.tone === 'error' ? tint(theme, 'red') : line.tone === 'dim' ? tint(theme, 'gray') : undefined}
        >
          <Text color={tint(theme, 'gray')}>{line.label.padEnd(10)}</Text>
          {line.link && hyperlinks && line.value.length <= width - 11
            ? link(line.link, line.value)
            : truncate(line.value, Math.max(1, width - 11), theme.ascii)}
        </Text>
      ))}
      {overflow ? (
        <Text
          color={tint(theme, 'gray')}
        >{`${' '.repeat(10)}${g.ellipsis} ${lines.length - shown.length} more lines (a taller terminal shows them)`}</Text>
      ) : null}
    </Box>
  );
}
