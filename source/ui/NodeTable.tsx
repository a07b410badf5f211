import { Box, Text } from 'ink';
import { memo } from 'react';
import type React from 'react';
import type { ContainerGpu } from '../cluster/gpu.js';
import type { NodeUsage, NodeView } from '../cluster/types.js';
import {
  endpointOf,
  engineLabel,
  formatBytes,
  formatPercent,
  formatRate,
  indexLabel,
  stateLabel,
  uptimeOf,
} from '../text/format.js';
import { bar } from '../text/spark.js';
import { sanitize } from '../text/sanitize.js';
import { fit } from '../text/width.js';
import type { Column } from './layout.js';
import type { PeerCounts } from './matrix-model.js';
import { glyphs, roleColor, stateColor, tint, type Theme } from './theme.js';
import type { NodeTraining } from '../cluster/training.js';
import { trainCell } from '../text/train-format.js';

interface Props {
  nodes: readonly NodeView[];
  usage: Readonly<Record<string, NodeUsage>>;
  gpus?: Readonly<Record<string, ContainerGpu[]>>;
  columns: readonly Column[];
  selected: number;
  top: number;
  rows: number;
  now: number;
  theme: Theme;
  /** Failing reachability pairs per row (same order as nodes): a marked gutter when any. */
  failing?: readonly PeerCounts[];
  /** Worst problem severity per node name (errors and warnings of its own). */
  flagged?: ReadonlyMap<string, Flag>;
  /** Each node's training, by id (the TRAIN column). */
  training?: Readonly<Record<string, NodeTraining>>;
}

/** "95.0% (63%)": CPU, and in brackets its share of the --cpus limit when one is set. */
function cpuCell(u: NodeUsage | undefined): string {
  if (!u || u.cpuPercent === null) return '-';
  return u.cpuOfLimitPercent === null
    ? formatPercent(u.cpuPercent)
    : `${formatPercent(u.cpuPercent)} (${Math.round(u.cpuOfLimitPercent)}%)`;
}

const BAR = 5;
const short = (b: number): string => formatBytes(b).replace(/iB$/, '');

/** "64M/256M": used over limit (the bar beside it is drawn by MemBar). */
function memCell(u: NodeUsage | undefined): string {
  if (!u || u.memBytes === null) return '-';
  if (!u.memLimitBytes) return short(u.memBytes);
  return `${short(u.memBytes)}/${short(u.memLimitBytes)}`;
}

/** What the memory bar draws for a share of the limit: its filled cells (of BAR), red past 90 %. */
interface BarCells {
  filled: number;
  red: boolean;
}
const barCells = (fraction: number): BarCells => ({
  filled: Math.round(Math.min(Math.max(fraction, 0), 1) * BAR),
  red: fraction > 0.9,
});

/** The memory bar. In color it is made of background-colored spaces: plain ASCII keeps Ink's
 * width measurement on its fast path (block characters cost a Unicode segmentation per row). */
function MemBar({ cells, theme }: { cells: BarCells; theme: Theme }): React.JSX.Element {
  if (!theme.color) return <Text>{bar(cells.filled / BAR, BAR, true)}</Text>;
  return (
    <Text>
      <Text backgroundColor={cells.red ? 'red' : 'green'}>{' '.repeat(cells.filled)}</Text>
      <Text backgroundColor="gray">{' '.repeat(BAR - cells.filled)}</Text>
    </Text>
  );
}

/** "87% 16.6G", "2× 87% 30G"; utilization "-" where the GPU cannot say (MIG). */
export function gpuCell(gpus: readonly ContainerGpu[] | undefined): string {
  if (!gpus || gpus.length === 0) return '-';
  const utils = gpus.map((g) => g.utilPercent).filter((u): u is number => u !== null);
  const util = utils.length ? `${Math.round(Math.max(...utils))}%` : '-';
  const mem = gpus.reduce((a, g) => a + (g.memUsedBytes ?? 0), 0);
  return `${gpus.length > 1 ? `${gpus.length}× ` : ''}${util} ${formatBytes(mem).replace(/iB$/, '')}`;
}

function cell(
  node: NodeView,
  u: NodeUsage | undefined,
  key: Column['key'],
  now: number,
  theme: Theme,
  gpus?: readonly ContainerGpu[],
  t?: NodeTraining,
): string {
  switch (key) {
    case 'role':
      return node.role;
    case 'index':
      return indexLabel(node);
    // A swarm task is known by its service's name (the container's adds the slot and task id).
    case 'name':
      return sanitize(node.dnsName);
    case 'state':
      return stateLabel(node, glyphs(theme).restart);
    case 'endpoint':
      return endpointOf(node);
    case 'node':
      return node.swarmNode === null ? '-' : sanitize(node.swarmNode);
    case 'host':
      return node.engineHost ? engineLabel(node.engineHost) : '-';
    case 'uptime':
      return uptimeOf(node, now);
    case 'image':
      return sanitize(node.image);
    case 'cpu':
      return node.remote ? 'remote node' : node.state === 'running' ? cpuCell(u) : '-';
    case 'mem':
      return node.state === 'running' ? memCell(u) : '-';
    case 'net':
      return u && node.state === 'running' ? `${formatRate(u.netRxBps)} ${formatRate(u.netTxBps)}` : '-';
    case 'gpu':
      return gpuCell(gpus);
    case 'train':
      return node.state === 'running' ? trainCell(t, theme.ascii) : '-';
  }
}

function colorOf(node: NodeView, u: NodeUsage | undefined, key: Column['key'], theme: Theme): string | undefined {
  if (key === 'role' || key === 'name') return roleColor(theme, node.role);
  if (key === 'mem' && u?.memBytes && u.memLimitBytes && u.memBytes / u.memLimitBytes > 0.9) return tint(theme, 'red');
  if (key === 'cpu' && (u?.cpuOfLimitPercent ?? 0) > 90) return tint(theme, 'yellow');
  if (key === 'state') return node.health === 'unhealthy' ? tint(theme, 'red') : stateColor(theme, node.state);
  return undefined;
}

interface Segment {
  text: string;
  color?: string | undefined;
  bar?: BarCells;
}

/** One row as few styled pieces as possible: neighbouring cells of the same color are merged, the
 * last cell is not padded. Ink tokenizes every character of every piece on every frame, so fewer
 * pieces and characters make a cheaper frame. */
function segments(
  node: NodeView,
  u: NodeUsage | undefined,
  gpus: readonly ContainerGpu[] | undefined,
  columns: readonly Column[],
  now: number,
  theme: Theme,
  t?: NodeTraining,
): Segment[] {
  const out: Segment[] = [];
  const push = (text: string, color: string | undefined): void => {
    const last = out.at(-1);
    if (last && last.bar === undefined && last.color === color) last.text += text;
    else out.push({ text, color });
  };
  // A node that is down says why in the rest of its row: the last error line of its logs.
  const stateAt = columns.findIndex((c) => c.key === 'state');
  const why =
    (node.state === 'exited' || node.state === 'dead' || node.state === 'restarting') &&
    node.lastError &&
    stateAt >= 0 &&
    stateAt < columns.length - 1
      ? sanitize(node.lastError)
      : null;
  columns.forEach((c, ci) => {
    if (why !== null && ci > stateAt) {
      if (ci === stateAt + 1)
        push(
          fit(
            why,
            columns.slice(ci).reduce((a, x) => a + x.width + 1, -1),
            theme.ascii,
          ).trimEnd(),
          tint(theme, 'red'),
        );
      return;
    }
    const lastColumn = ci === columns.length - 1;
    const withBar = c.key === 'mem' && node.state === 'running' && !!u?.memBytes && !!u.memLimitBytes;
    const width = withBar ? c.width - BAR - 1 : c.width;
    let text = fit(
      cell(node, u, c.key, now, theme, gpus, t),
      width,
      theme.ascii,
      c.key === 'uptime' ? 'right' : 'left',
    );
    if (lastColumn && !withBar) text = text.trimEnd();
    push(text, colorOf(node, u, c.key, theme));
    if (withBar) {
      push(' ', undefined);
      out.push({ text: '', bar: barCells(u.memBytes! / u.memLimitBytes!) });
    }
    if (!lastColumn) push(' ', undefined);
  });
  return out;
}

/** What a row shows, as one string: equal keys draw equal rows. */
const rowKey = (segs: readonly Segment[]): string =>
  segs
    .map((s) =>
      s.bar === undefined ? `${s.color ?? ''}\u0000${s.text}` : `\u0001${s.bar.filled}${s.bar.red ? 'r' : ''}`,
    )
    .join('\u0002');

interface RowProps {
  selected: boolean;
  pointer: string;
  mark: string;
  markColor: string | undefined;
  markBold: boolean;
  segments: readonly Segment[];
  /** rowKey(segments): compared instead of the segments, which are made anew each frame. */
  drawn: string;
  theme: Theme;
}

/** One node's row, drawn again only when what it shows changed: on a data frame most rows keep
 * their text (a node's figures change, the others' do not), and React then leaves them alone. */
const Row = memo(
  function Row({ selected, pointer, mark, markColor, markBold, segments: segs, theme }: RowProps): React.JSX.Element {
    return (
      <Text wrap="truncate" inverse={selected}>
        {pointer}
        <Text color={markColor} bold={markBold}>
          {mark}
        </Text>
        {segs.map((seg, si) =>
          seg.bar === undefined ? (
            <Text key={si} color={seg.color}>
              {seg.text}
            </Text>
          ) : (
            <MemBar key={si} cells={seg.bar} theme={theme} />
          ),
        )}
      </Text>
    );
  },
  (a, b) =>
    a.drawn === b.drawn &&
    a.selected === b.selected &&
    a.pointer === b.pointer &&
    a.mark === b.mark &&
    a.markColor === b.markColor &&
    a.markBold === b.markBold &&
    a.theme === b.theme,
);

/** The margin's mark: a root problem's severity, or 'affected' by another node's. */
export type Flag = 'error' | 'warning' | 'affected';

export function NodeTable({
  nodes,
  usage,
  gpus = {},
  columns,
  selected,
  top,
  rows,
  now,
  theme,
  failing = [],
  flagged = new Map(),
  training = {},
}: Props): React.JSX.Element {
  const g = glyphs(theme);
  const visible = nodes.slice(top, top + rows);
  const head = columns.map((c) => fit(c.title, c.width, theme.ascii)).join(' ');
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">{`  ${head}`}</Text>
      {nodes.length === 0 ? (
        <Text color={tint(theme, 'gray')} wrap="truncate">
          {' '}
          no containers on this network yet — start some, or run tfmon up
        </Text>
      ) : null}
      {visible.map((node, i) => {
        const isSelected = top + i === selected;
        const f = failing[top + i];
        // The gutter's second cell marks a node with failing peers (from it or towards it), else one
        // with a problem of its own (a stale TF_CONFIG, a crash): red for errors, yellow for warnings.
        // A root problem of its own: ! (red, yellow for warnings); failing peers (✗) or problems
        // that follow from another node's fault only: the same marks, dimmed.
        const flag = flagged.get(node.name);
        const root = flag === 'error' || flag === 'warning';
        const mark = root ? '!' : f && (f.out || f.in) ? g.failing : flag === 'affected' ? '!' : ' ';
        const color = root ? (flag === 'warning' ? 'yellow' : 'red') : flag === 'affected' ? 'gray' : 'red';
        const segs = segments(node, usage[node.id], gpus[node.id], columns, now, theme, training[node.id]);
        return (
          <Row
            key={node.id}
            selected={isSelected}
            pointer={isSelected ? g.pointer : ' '}
            mark={mark}
            markColor={tint(theme, color)}
            markBold={color !== 'gray'}
            segments={segs}
            drawn={rowKey(segs)}
            theme={theme}
          />
        );
      })}
    </Box>
  );
}
