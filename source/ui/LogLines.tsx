// Log lines on screen: one row each, cut to the width with a marker (never wrapped), stderr marked
// in the gutter, errors red and warnings yellow, an optional node prefix and timestamp.
import { Box, Text } from 'ink';
import type React from 'react';
import { shortTime, type LogLine } from '../cluster/logs.js';
import type { Role } from '../cluster/types.js';
import { textWidth, truncate } from '../text/width.js';
import { roleColor, tint, type Theme } from './theme.js';

export interface LinePrefix {
  label: string;
  role: Role;
}

interface Props {
  lines: readonly LogLine[];
  width: number;
  theme: Theme;
  timestamps: boolean;
  /** For the interleaved view: "worker-1 |" per node id. */
  prefixes?: ReadonlyMap<string, LinePrefix>;
  mark?: number | null;
}

/** A terminal that is not UTF-8 would show UTF-8 bytes as garbage: one '?' per character instead. */
const toAscii = (text: string): string => text.replace(/[^\x20-\x7e]/gu, '?');

export function LogLines({ lines, width, theme, timestamps, prefixes, mark = null }: Props): React.JSX.Element {
  const prefixWidth = prefixes ? Math.max(0, ...[...prefixes.values()].map((p) => textWidth(p.label))) : 0;
  return (
    <Box flexDirection="column">
      {lines.map((l) => {
        const prefix = prefixes?.get(l.node);
        const time = timestamps ? `${shortTime(l.ts)} ` : '';
        const gutter = l.stream === 'stderr' ? (theme.ascii ? '!' : '┃') : ' ';
        const used = 2 + (prefix ? prefixWidth + 3 : 0) + time.length;
        const color = l.level === 'error' ? 'red' : l.level === 'warning' ? 'yellow' : undefined;
        return (
          <Text key={l.seq} wrap="truncate" inverse={l.seq === mark}>
            <Text color={tint(theme, 'magenta')}>{gutter} </Text>
            {prefix ? (
              <Text color={roleColor(theme, prefix.role)}>{`${prefix.label.padEnd(prefixWidth)} | `}</Text>
            ) : null}
            {time ? <Text color={tint(theme, 'gray')}>{time}</Text> : null}
            <Text color={color ? tint(theme, color) : undefined}>
              {truncate(theme.ascii ? toAscii(l.text) : l.text, Math.max(1, width - 1 - used), theme.ascii)}
            </Text>
          </Text>
        );
      })}
    </Box>
  );
}
