import { Box, Text } from 'ink';
import React from 'react';
import type { ContainerGpu } from '../cluster/gpu.js';
import type { NodeUsage, NodeView } from '../cluster/types.js';
import { endpointOf, formatBytes, formatPercent, formatRate, indexLabel, stateLabel, uptimeOf } from '../text/format.js';
import { bar } from '../text/spark.js';
import { sanitize } from '../text/sanitize.js';
import { fit } from '../text/width.js';
import type { Column } from './layout.js';
import { glyphs, roleColor, stateColor, tint, type Theme } from './theme.js';

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
}

/** "95.0% (63%)": CPU, and in brackets its share of the --cpus limit when one is set. */
function cpuCell(u: NodeUsage | undefined): string {
  if (!u || u.cpuPercent === null) return '-';
  return u.cpuOfLimitPercent === null ? formatPercent(u.cpuPercent) : `${formatPercent(u.cpuPercent)} (${Math.round(u.cpuOfLimitPercent)}%)`;
}

/** "64M/256M ███░░": used over limit, and a bar of the share. */
function memCell(u: NodeUsage | undefined, theme: Theme): string {
  if (!u || u.memBytes === null) return '-';
  const short = (b: number): string => formatBytes(b).replace(/iB$/, '');
  if (!u.memLimitBytes) return short(u.memBytes);
  return `${`${short(u.memBytes)}/${short(u.memLimitBytes)}`.padEnd(13)} ${bar(u.memBytes / u.memLimitBytes, 5, theme.ascii)}`;
}

/** "87% 16.6G", "2× 87% 30G"; utilization "-" where the GPU cannot say (MIG). */
export function gpuCell(gpus: readonly ContainerGpu[] | undefined): string {
  if (!gpus || gpus.length === 0) return '-';
  const utils = gpus.map((g) => g.utilPercent).filter((u): u is number => u !== null);
  const util = utils.length ? `${Math.round(Math.max(...utils))}%` : '-';
  const mem = gpus.reduce((a, g) => a + (g.memUsedBytes ?? 0), 0);
  return `${gpus.length > 1 ? `${gpus.length}× ` : ''}${util} ${formatBytes(mem).replace(/iB$/, '')}`;
}

function cell(node: NodeView, u: NodeUsage | undefined, key: Column['key'], now: number, theme: Theme, gpus?: readonly ContainerGpu[]): string {
  switch (key) {
    case 'role': return node.role;
    case 'index': return indexLabel(node);
    case 'name': return sanitize(node.name);
    case 'state': return stateLabel(node).replace('↻', glyphs(theme).restart);
    case 'endpoint': return endpointOf(node);
    case 'uptime': return uptimeOf(node, now);
    case 'image': return sanitize(node.image);
    case 'cpu': return node.state === 'running' ? cpuCell(u) : '-';
    case 'mem': return node.state === 'running' ? memCell(u, theme) : '-';
    case 'net': return u && node.state === 'running' ? `${formatRate(u.netRxBps)} ${formatRate(u.netTxBps)}` : '-';
    case 'gpu': return gpuCell(gpus);
  }
}

function colorOf(node: NodeView, u: NodeUsage | undefined, key: Column['key'], theme: Theme): string | undefined {
  if (key === 'role' || key === 'name') return roleColor(theme, node.role);
  if (key === 'mem' && u?.memBytes && u.memLimitBytes && u.memBytes / u.memLimitBytes > 0.9) return tint(theme, 'red');
  if (key === 'cpu' && (u?.cpuOfLimitPercent ?? 0) > 90) return tint(theme, 'yellow');
  if (key === 'state') return node.health === 'unhealthy' ? tint(theme, 'red') : stateColor(theme, node.state);
  if (key === 'image' || key === 'uptime') return tint(theme, 'gray');
  return undefined;
}

export function NodeTable({ nodes, usage, gpus = {}, columns, selected, top, rows, now, theme }: Props): React.JSX.Element {
  const g = glyphs(theme);
  const visible = nodes.slice(top, top + rows);
  const head = columns.map((c) => fit(c.title, c.width, theme.ascii)).join(' ');
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">{`  ${head}`}</Text>
      {nodes.length === 0 ? (
        <Text color={tint(theme, 'gray')} wrap="truncate">  no containers on this network yet — start some, or run tfmon up</Text>
      ) : null}
      {visible.map((node, i) => {
        const isSelected = top + i === selected;
        return (
          <Text key={node.id} wrap="truncate" inverse={isSelected}>
            {isSelected ? `${g.pointer} ` : '  '}
            {columns.map((c, ci) => (
              <Text key={c.key} color={colorOf(node, usage[node.id], c.key, theme)}>
                {fit(cell(node, usage[node.id], c.key, now, theme, gpus[node.id]), c.width, theme.ascii, c.key === 'uptime' ? 'right' : 'left')}
                {ci < columns.length - 1 ? ' ' : ''}
              </Text>
            ))}
          </Text>
        );
      })}
    </Box>
  );
}
