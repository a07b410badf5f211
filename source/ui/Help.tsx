import { Box, Text } from 'ink';
import React from 'react';
import { KEYMAP } from './keys.js';
import { tint, type Theme } from './theme.js';

/** Generated from the key map, so it cannot drift from what the keys do. */
export function Help({ rows, theme, notes = [] }: { rows: number; theme: Theme; notes?: readonly string[] }): React.JSX.Element {
  const lines = KEYMAP.filter((b) => b.label).map((b) => ({ keys: theme.ascii ? b.label.replace('↑', 'Up').replace('↓', 'Down').replace('←', 'Left').replace('→', 'Right') : b.label, help: b.help }));
  return (
    <Box flexDirection="column">
      <Text bold>keys</Text>
      {lines.slice(0, Math.max(0, rows - 1 - notes.length)).map((l) => (
        <Text key={l.keys} wrap="truncate">
          <Text color={tint(theme, 'cyan')}>{l.keys.padEnd(10)}</Text>
          {l.help}
        </Text>
      ))}
      {notes.map((n) => (
        <Text key={n} wrap="truncate" color={tint(theme, 'yellow')}>
          {n}
        </Text>
      ))}
    </Box>
  );
}

export function Footer({ theme }: { theme: Theme }): React.JSX.Element {
  return (
    <Text wrap="truncate" color={tint(theme, 'gray')}>
      {theme.ascii ? 'Up/Down select  m matrix  p probe  ? help  q quit' : '↑/↓ select  m matrix  p probe  ? help  q quit'}
    </Text>
  );
}
