// The reachability pane: the matrix while it fits the width, else the failing pairs grouped.
import { Box, Text } from 'ink';
import type React from 'react';
import type { ReachEntry } from '../cluster/reach.js';
import type { NodeView } from '../cluster/types.js';
import { sanitize } from '../text/sanitize.js';
import { fit, truncate } from '../text/width.js';
import {
  groupFailures,
  kindsOf,
  pairDetail,
  tally,
  targetColumn,
  type Mark,
  type Matrix as MatrixData,
} from './matrix-model.js';
import { glyphs, tint, type Theme } from './theme.js';

interface Props {
  nodes: readonly NodeView[];
  entries: readonly ReachEntry[];
  /** buildMatrix(nodes, entries): the screen builds it once for the table's marks and this pane. */
  matrix: MatrixData;
  selected: number;
  /** The column under the cursor (a host name), or null for the row's first failing pair. */
  target: string | null;
  /** Milliseconds the last round took; null before the first. */
  roundMs: number | null;
  probing: boolean;
  rows: number;
  width: number;
  theme: Theme;
}

const CELL = 4;
const MIN_NAME = 10;

const UNICODE_MARKS: Record<Mark, string> = {
  ok: '✓',
  dns: 'N',
  refused: 'R',
  timeout: 'T',
  mismatch: '!',
  error: 'E',
  unprobed: '?',
  self: '·',
  none: '-',
};
const ASCII_MARKS: Record<Mark, string> = { ...UNICODE_MARKS, ok: '+', self: '.' };
const MARK_COLORS: Record<Mark, string> = {
  ok: 'green',
  dns: 'red',
  refused: 'red',
  timeout: 'yellow',
  mismatch: 'magenta',
  error: 'red',
  unprobed: 'gray',
  self: 'gray',
  none: 'gray',
};
const LEGEND: [Mark, string][] = [
  ['ok', 'ok'],
  ['dns', 'no DNS'],
  ['refused', 'refused'],
  ['timeout', 'timeout'],
  ['mismatch', 'wrong IP'],
  ['error', 'error'],
  ['unprobed', 'unprobed'],
];

const markGlyph = (mark: Mark, ascii: boolean): string => (ascii ? ASCII_MARKS : UNICODE_MARKS)[mark];

/** The matrix fits when every column and a name of MIN_NAME cells fit on one line. */
const matrixFits = (columns: number, width: number): boolean => 4 + MIN_NAME + columns * CELL <= width - 1;

function summaryLine(
  entries: readonly ReachEntry[],
  nodes: readonly NodeView[],
  roundMs: number | null,
  probing: boolean,
  sep: string,
): string {
  if (entries.length === 0) return probing ? 'first round running' : 'probing is off (--no-probe)';
  const t = tally(entries, nodes);
  const bad = t.pairs - t.ok - t.unprobed;
  const parts = [`${t.pairs} pairs`, `${t.ok} ok`];
  if (bad) parts.push(`${bad} failing`);
  if (t.unprobed) parts.push(`${t.unprobed} unprobed`);
  if (roundMs !== null) parts.push(`round ${roundMs} ms`);
  return parts.join(sep);
}

export function MatrixPane({
  nodes,
  entries,
  matrix,
  selected,
  target,
  roundMs,
  probing,
  rows,
  width,
  theme,
}: Props): React.JSX.Element | null {
  if (rows <= 0) return null;
  const g = glyphs(theme);
  const arrow = theme.ascii ? '->' : '→';
  const m = matrix;
  const title = ` reachability${g.sep}${summaryLine(entries, nodes, roundMs, probing, g.sep)} `;
  const head = (
    <Text wrap="truncate" color={tint(theme, 'cyan')}>
      {truncate(
        `${g.rule.repeat(2)}${title}${g.rule.repeat(Math.max(0, width - title.length - 3))}`,
        width - 1,
        theme.ascii,
      )}
    </Text>
  );
  const body = matrixFits(m.columns.length, width) ? (
    <Grid
      m={m}
      nodes={nodes}
      selected={selected}
      target={target}
      rows={rows - 1}
      width={width}
      theme={theme}
      arrow={arrow}
    />
  ) : (
    <Compact
      entries={entries}
      nodes={nodes}
      selected={selected}
      rows={rows - 1}
      width={width}
      theme={theme}
      arrow={arrow}
    />
  );
  return (
    <Box flexDirection="column">
      {head}
      {body}
    </Box>
  );
}

interface GridProps {
  m: MatrixData;
  nodes: readonly NodeView[];
  selected: number;
  target: string | null;
  rows: number;
  width: number;
  theme: Theme;
  arrow: string;
}

function Grid({ m, nodes, selected, target, rows, width, theme, arrow }: GridProps): React.JSX.Element {
  const col = targetColumn(m, selected, target);
  const extras = m.columns.filter((c) => !c.isNode);
  // Fixed lines: column header, legend, the selected pair, one line per host only TF_CONFIG names.
  const fixed = 3 + extras.length;
  const window = Math.max(1, rows - fixed);
  const top = Math.max(0, Math.min(selected - Math.floor(window / 2), nodes.length - window));
  const visible = nodes.slice(top, top + window);
  const longest = nodes.reduce((a, n) => Math.max(a, n.dnsName.length), 4);
  const nameWidth = Math.max(MIN_NAME, Math.min(longest, 28, width - 1 - 4 - m.columns.length * CELL));
  const rowLabel = 4 + nameWidth;
  const selectedNode = nodes[selected];
  const column = m.columns[col];
  const mark = m.marks[selected]?.[col] ?? 'none';
  const detail =
    selectedNode && column
      ? pairDetail(selectedNode.name, m.entries[selected]?.[col] ?? null, column, mark, arrow)
      : '';
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text color={tint(theme, 'gray')}>{fit(`from ${arrow} to`, rowLabel, theme.ascii)}</Text>
        {m.columns.map((c, i) => (
          <Text key={c.host} inverse={i === col} bold={i === col} color={c.isNode ? undefined : tint(theme, 'gray')}>
            {fit(c.label, CELL, theme.ascii, 'right')}
          </Text>
        ))}
      </Text>
      {visible.map((n, vi) => {
        const r = top + vi;
        const isRow = r === selected;
        return (
          <Text key={n.id} wrap="truncate">
            <Text
              inverse={isRow}
              bold={isRow}
            >{`${fit(m.columns[r]?.label ?? '', 3, theme.ascii, 'right')} ${fit(sanitize(n.dnsName), nameWidth, theme.ascii)}`}</Text>
            {(m.marks[r] ?? []).map((k, ci) => {
              const cross = isRow && ci === col;
              const lit = isRow || ci === col;
              return (
                <Text key={ci} color={cross ? undefined : tint(theme, MARK_COLORS[k])} inverse={cross} bold={lit}>
                  {`   ${markGlyph(k, theme.ascii)}`}
                </Text>
              );
            })}
          </Text>
        );
      })}
      {extras.map((c) => (
        <Text key={c.host} wrap="truncate" color={tint(theme, 'gray')}>
          {truncate(
            `${c.label.padStart(3)} ${sanitize(c.host)}: named in a TF_CONFIG, no such node on the network`,
            width - 1,
            theme.ascii,
          )}
        </Text>
      ))}
      <Text wrap="truncate">
        {LEGEND.map(([k, word]) => (
          <Text key={k}>
            <Text color={tint(theme, MARK_COLORS[k])} bold>
              {markGlyph(k, theme.ascii)}
            </Text>
            <Text color={tint(theme, 'gray')}>{` ${word}  `}</Text>
          </Text>
        ))}
      </Text>
      <Text
        wrap="truncate"
        color={tint(
          theme,
          mark === 'ok'
            ? 'green'
            : mark === 'self' || mark === 'none' || mark === 'unprobed'
              ? 'gray'
              : MARK_COLORS[mark],
        )}
      >
        {truncate(sanitize(detail), width - 1, theme.ascii)}
      </Text>
    </Box>
  );
}

interface CompactProps {
  entries: readonly ReachEntry[];
  nodes: readonly NodeView[];
  selected: number;
  rows: number;
  width: number;
  theme: Theme;
  arrow: string;
}

/** Too many nodes for a grid: only failing pairs, grouped by the node that explains most of them. */
function Compact({ entries, nodes, selected, rows, width, theme, arrow }: CompactProps): React.JSX.Element {
  const groups = groupFailures(entries, nodes);
  const name = nodes[selected]?.name;
  // The selected node's groups first: that is what the user is looking at.
  const ordered = [
    ...groups.filter((gr) => gr.entries.some((e) => e.from === name || e.to === name)),
    ...groups.filter((gr) => !gr.entries.some((e) => e.from === name || e.to === name)),
  ];
  const lines = ordered.map((gr) => {
    const kinds = kindsOf(gr.entries, nodes);
    const first = gr.entries[0]!;
    if (gr.kind === 'pair')
      return `${first.from} ${arrow} ${first.to}:${first.port}  ${kinds}${first.reason ? ` — ${first.reason}` : ''}`;
    const others = gr.entries.map((e) => (gr.kind === 'from' ? e.to : e.from));
    const list = others.slice(0, 3).join(', ') + (others.length > 3 ? `, +${others.length - 3}` : '');
    return gr.kind === 'from'
      ? `${gr.host} ${arrow} ${gr.entries.length} peers  ${kinds}  (${list})`
      : `${gr.entries.length} nodes ${arrow} ${gr.host}  ${kinds}  (${list})`;
  });
  const room = Math.max(1, rows);
  const shown = lines.length > room ? lines.slice(0, room - 1) : lines;
  return (
    <Box flexDirection="column">
      {lines.length === 0 ? (
        <Text color={tint(theme, entries.length ? 'green' : 'gray')} wrap="truncate">
          {entries.length
            ? `every pair resolves and connects (${nodes.length} nodes: too many for the grid at this width)`
            : 'no round yet'}
        </Text>
      ) : null}
      {shown.map((l, i) => (
        <Text key={i} wrap="truncate" color={tint(theme, 'red')}>
          {truncate(sanitize(l), width - 1, theme.ascii)}
        </Text>
      ))}
      {shown.length < lines.length ? (
        <Text
          color={tint(theme, 'gray')}
        >{`${lines.length - shown.length} more groups (a taller terminal shows them)`}</Text>
      ) : null}
    </Box>
  );
}
