// The log tail under the details pane, and the full-screen log view (one node, or all interleaved).
import { Box, Text } from 'ink';
import type React from 'react';
import type { LogLine } from '../cluster/logs.js';
import type { NodeView } from '../cluster/types.js';
import type { MonitorLogs } from '../monitor/monitor.js';
import { sanitize } from '../text/sanitize.js';
import { truncate } from '../text/width.js';
import { LogLines, type LinePrefix } from './LogLines.js';
import { logWindow, type LogWindowState } from './log-window.js';
import { glyphs, tint, type Theme } from './theme.js';

/** What the screen needs of the monitor's logs (the Monitor's `logs`); tests pass their own, which
 * may leave out why a node's log cannot be read. */
export type LogSource = Omit<MonitorLogs, 'errorOf' | 'tap'> & Partial<Pick<MonitorLogs, 'errorOf'>>;

export const NO_LOGS: LogSource = {
  subscribe: () => () => undefined,
  getVersion: () => 0,
  tail: () => [],
  lines: () => [],
  interleaved: () => [],
  jupyterOf: () => null,
  show: () => undefined,
};

function rule(text: string, width: number, theme: Theme): string {
  const g = glyphs(theme);
  return truncate(
    `${g.rule.repeat(2)} ${text} ${g.rule.repeat(Math.max(0, width - text.length - 5))}`,
    width - 1,
    theme.ascii,
  );
}

export function LogTail({
  node,
  logs,
  rows,
  width,
  theme,
  timestamps,
}: {
  node: NodeView | undefined;
  logs: LogSource;
  rows: number;
  width: number;
  theme: Theme;
  timestamps: boolean;
}): React.JSX.Element | null {
  if (rows <= 1 || !node) return null;
  const lines = logs.tail(node.id, rows - 1);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate" color={tint(theme, 'gray')}>
        {rule(`logs ${sanitize(node.name)} (l full screen, L all nodes)`, width, theme)}
      </Text>
      {lines.length === 0 ? (
        <EmptyLog reason={logs.errorOf?.(node.id) ?? null} width={width} theme={theme} />
      ) : (
        <LogLines lines={lines} width={width} theme={theme} timestamps={timestamps} />
      )}
    </Box>
  );
}

/** No line to show: the engine's reason when it refused the log (log driver none, syslog…). */
function EmptyLog({ reason, width, theme }: { reason: string | null; width: number; theme: Theme }): React.JSX.Element {
  return (
    <Text wrap="truncate" color={tint(theme, reason ? 'yellow' : 'gray')}>
      {truncate(
        reason
          ? `  the engine gives no log: ${reason} (docker inspect --format '{{.HostConfig.LogConfig.Type}}')`
          : '  no output yet',
        width - 1,
        theme.ascii,
      )}
    </Text>
  );
}

export interface LogViewProps {
  /** One node, or null for every node interleaved. */
  node: NodeView | null;
  nodes: readonly NodeView[];
  logs: LogSource;
  state: LogWindowState;
  /** The search being typed after `/`, or null. */
  draft: string | null;
  rows: number;
  width: number;
  theme: Theme;
  timestamps: boolean;
  capacity: number;
}

/** The lines a log view works on (the keys' moves use the same list). */
export const viewLines = (logs: LogSource, node: NodeView | null): readonly LogLine[] =>
  node ? logs.lines(node.id) : logs.interleaved();

export function LogView({
  node,
  nodes,
  logs,
  state,
  draft,
  rows,
  width,
  theme,
  timestamps,
  capacity,
}: LogViewProps): React.JSX.Element {
  const g = glyphs(theme);
  const body = Math.max(1, rows - 2); // under the title, above the status line
  const win = logWindow(viewLines(logs, node), state, body);
  const prefixes = node
    ? undefined
    : new Map<string, LinePrefix>(
        nodes.map((n) => [
          n.id,
          { label: n.role === 'unknown' || n.index === null ? sanitize(n.name) : `${n.role}-${n.index}`, role: n.role },
        ]),
      );
  const title = node ? `logs ${sanitize(node.name)}` : `logs of all ${nodes.length} nodes`;
  const where =
    state.anchor === null ? 'following' : `paused${win.below ? `, ${win.below} newer below` : ''} (space resumes)`;
  const status =
    draft !== null
      ? `/${draft}${theme.ascii ? '_' : '▏'}  Enter applies, Esc clears`
      : [
          state.filter
            ? `filter ${JSON.stringify(state.filter)}: ${win.filterError ?? `${win.matching} matching`}`
            : null,
          where,
          `last ${capacity} lines per node kept`,
        ]
          .filter(Boolean)
          .join(g.sep);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate" bold color={tint(theme, 'cyan')}>
        {rule(title, width, theme)}
      </Text>
      {win.lines.length === 0 ? (
        state.filter ? (
          <Text color={tint(theme, 'gray')}> no line matches</Text>
        ) : (
          <EmptyLog reason={node ? (logs.errorOf?.(node.id) ?? null) : null} width={width} theme={theme} />
        )
      ) : (
        <LogLines
          lines={win.lines}
          width={width}
          theme={theme}
          timestamps={timestamps}
          mark={state.mark}
          {...(prefixes ? { prefixes } : {})}
        />
      )}
      {Array.from({ length: Math.max(0, body - Math.max(1, win.lines.length)) }, (_, i) => (
        <Text key={`pad${i}`}> </Text>
      ))}
      <Text wrap="truncate" color={tint(theme, win.filterError ? 'red' : draft !== null ? 'cyan' : 'gray')}>
        {truncate(status, width - 1, theme.ascii)}
      </Text>
    </Box>
  );
}
