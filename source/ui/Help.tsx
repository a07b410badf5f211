import { Box, Text } from 'ink';
import type React from 'react';
import { bindingsOf, footerOf, type Mode, type View } from './keys.js';
import { tint, type Theme } from './theme.js';
import { truncate } from '../text/width.js';

const asciiLabel = (label: string): string =>
  label.replace('↑', 'Up').replace('↓', 'Down').replace('←', 'Left').replace('→', 'Right');

/** The keys of the view under the help, generated from the key table, so it cannot drift from what
 * the keys do. With --read-only the changing keys are listed, greyed, as off. */
export function Help({
  rows,
  theme,
  notes = [],
  view = 'main',
  readOnly = false,
  mode = 'live',
}: {
  rows: number;
  theme: Theme;
  notes?: readonly string[];
  view?: View;
  readOnly?: boolean;
  mode?: Mode;
}): React.JSX.Element {
  const lines = bindingsOf(view, false, mode)
    .filter((b) => b.label)
    .map((b) => ({
      keys: theme.ascii ? asciiLabel(b.label) : b.label,
      help: readOnly && b.changes ? `${b.help} — off: --read-only` : b.help,
      off: readOnly && b.changes === true,
    }));
  return (
    <Box flexDirection="column">
      <Text bold>
        {view === 'logs'
          ? 'keys of the log view'
          : view === 'tfconfig'
            ? 'keys (TF_CONFIG pane)'
            : view === 'matrix'
              ? 'keys (matrix)'
              : 'keys'}
      </Text>
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

/** The key hints of a view, generated from the key table. */
export function Footer({
  theme,
  view = 'main',
  width = 80,
  readOnly = false,
  mode = 'live',
}: {
  theme: Theme;
  view?: View;
  width?: number;
  readOnly?: boolean;
  mode?: Mode;
}): React.JSX.Element {
  const text = footerOf(view, readOnly, mode);
  return (
    <Text wrap="truncate" color={tint(theme, 'gray')}>
      {truncate(theme.ascii ? asciiLabel(text) : text, width - 1, theme.ascii)}
    </Text>
  );
}
