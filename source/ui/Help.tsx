import { Box, Text } from 'ink';
import React from 'react';
import { KEYMAP, type Screen } from './keys.js';
import { tint, type Theme } from './theme.js';
import { truncate } from '../text/width.js';

const asciiLabel = (label: string): string => label.replace('↑', 'Up').replace('↓', 'Down').replace('←', 'Left').replace('→', 'Right');

/** Generated from the key map, so it cannot drift from what the keys do. */
export function Help({ rows, theme, notes = [], screen = 'main', readOnly = false }: { rows: number; theme: Theme; notes?: readonly string[]; screen?: Screen; readOnly?: boolean }): React.JSX.Element {
  const lines = KEYMAP.filter((b) => b.label && b.screens.includes(screen)).map((b) => ({
    keys: theme.ascii ? asciiLabel(b.label) : b.label,
    help: readOnly && b.changes ? `${b.help} — off: --read-only` : b.help,
    off: readOnly && b.changes === true,
  }));
  return (
    <Box flexDirection="column">
      <Text bold>{screen === 'logs' ? 'keys of the log view' : 'keys'}</Text>
      {lines.slice(0, Math.max(0, rows - 1 - notes.length)).map((l) => (
        <Text key={l.keys} wrap="truncate" dimColor={l.off}>
          <Text color={l.off ? tint(theme, 'gray') : tint(theme, 'cyan')}>{l.keys.padEnd(10)}</Text>
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

const FOOTERS: Record<Screen, string> = {
  main: '↑/↓ select  l logs  m matrix  p probe  ? help  q quit',
  logs: '/ filter  n/N match  e error  space pause  PgUp/PgDn g/G  t time  L all  Esc back',
};

export function Footer({ theme, screen = 'main', width = 80 }: { theme: Theme; screen?: Screen; width?: number }): React.JSX.Element {
  return (
    <Text wrap="truncate" color={tint(theme, 'gray')}>
      {truncate(theme.ascii ? asciiLabel(FOOTERS[screen]) : FOOTERS[screen], width - 1, theme.ascii)}
    </Text>
  );
}
