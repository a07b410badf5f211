import { Box, Text } from 'ink';
import React from 'react';
import type { NodeView } from '../cluster/types.js';
import { endpointOf, indexLabel, stateLabel, uptimeOf } from '../text/format.js';
import { sanitize } from '../text/sanitize.js';
import { fit } from '../text/width.js';
import type { Column } from './layout.js';
import { glyphs, roleColor, stateColor, tint, type Theme } from './theme.js';

interface Props {
  nodes: readonly NodeView[];
  columns: readonly Column[];
  selected: number;
  top: number;
  rows: number;
  now: number;
  theme: Theme;
}

function cell(node: NodeView, key: Column['key'], now: number, theme: Theme): string {
  switch (key) {
    case 'role': return node.role;
    case 'index': return indexLabel(node);
    case 'name': return sanitize(node.name);
    case 'state': return stateLabel(node).replace('↻', glyphs(theme).restart);
    case 'endpoint': return endpointOf(node);
    case 'uptime': return uptimeOf(node, now);
    case 'image': return sanitize(node.image);
  }
}

function colorOf(node: NodeView, key: Column['key'], theme: Theme): string | undefined {
  if (key === 'role' || key === 'name') return roleColor(theme, node.role);
  if (key === 'state') return node.health === 'unhealthy' ? tint(theme, 'red') : stateColor(theme, node.state);
  if (key === 'image' || key === 'uptime') return tint(theme, 'gray');
  return undefined;
}

export function NodeTable({ nodes, columns, selected, top, rows, now, theme }: Props): React.JSX.Element {
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
              <Text key={c.key} color={colorOf(node, c.key, theme)}>
                {fit(cell(node, c.key, now, theme), c.width, theme.ascii, c.key === 'uptime' ? 'right' : 'left')}
                {ci < columns.length - 1 ? ' ' : ''}
              </Text>
            ))}
          </Text>
        );
      })}
    </Box>
  );
}
