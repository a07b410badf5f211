import { Box, Text } from 'ink';
import React from 'react';
import type { NodeView, Problem } from '../cluster/types.js';
import { sanitize } from '../text/sanitize.js';
import { truncate } from '../text/width.js';
import { detailLines } from './details.js';
import { glyphs, roleColor, tint, type Theme } from './theme.js';

interface Props {
  node: NodeView | undefined;
  problems: readonly Problem[];
  rows: number;
  width: number;
  theme: Theme;
}

export function Details({ node, problems, rows, width, theme }: Props): React.JSX.Element | null {
  if (rows <= 0) return null;
  const g = glyphs(theme);
  if (!node) return <Text color={tint(theme, 'gray')}>{g.rule.repeat(Math.max(0, width - 1))}</Text>;
  const own = problems.filter((p) => p.node === node.name);
  const lines = [
    ...own.map((p) => ({ label: p.severity, value: sanitize(p.message), tone: 'error' as const })),
    ...detailLines(node, theme.ascii),
  ];
  const overflow = lines.length > rows;
  const shown = overflow ? lines.slice(0, Math.max(0, rows - 1)) : lines;
  const title = ` ${sanitize(node.name)} `;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate" color={roleColor(theme, node.role)}>
        {truncate(`${g.rule.repeat(2)}${title}${g.rule.repeat(Math.max(0, width - title.length - 3))}`, width - 1, theme.ascii)}
      </Text>
      {shown.map((line, i) => (
        <Text key={i} wrap="truncate" color={line.tone === 'error' ? tint(theme, 'red') : line.tone === 'dim' ? tint(theme, 'gray') : undefined}>
          <Text color={tint(theme, 'gray')}>{line.label.padEnd(10)}</Text>
          {truncate(line.value, Math.max(1, width - 11), theme.ascii)}
        </Text>
      ))}
      {overflow ? (
        <Text color={tint(theme, 'gray')}>{`${' '.repeat(10)}${g.ellipsis} ${lines.length - shown.length} more lines (a taller terminal shows them)`}</Text>
      ) : null}
    </Box>
  );
}
