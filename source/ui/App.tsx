// The live screen: a view of the screen's state (screen-state.ts, which the keys drive through
// useScreen) and of the monitor's latest snapshot. It holds no Docker calls.
import { Box, Text } from 'ink';
import type React from 'react';
import { useMemo, useRef, useSyncExternalStore } from 'react';
import { hostJupyterUrl } from '../cluster/logs.js';
import type { NodeView, Snapshot } from '../cluster/types.js';
import { Details, detailsOf } from './Details.js';
import { buildMatrix, failuresOf } from './matrix-model.js';
import { MatrixPane } from './Matrix.js';
import { Header } from './Header.js';
import { Footer, Help } from './Help.js';
import { areas, MIN_COLUMNS, MIN_ROWS, scrollTop, shareDetails, tableColumns } from './layout.js';
import { LogTail, LogView, NO_LOGS, viewLines, type LogSource } from './LogPanes.js';
import { NodeTable, type Flag } from './NodeTable.js';
import { TfConfigPane } from './TfConfigPane.js';
import { tint } from './theme.js';
import { sanitize } from '../text/sanitize.js';
import { truncate } from '../text/width.js';
import { sortNodes } from './sort.js';
import { useTerminalSize, type Size } from './terminal.js';
import type { Theme } from './theme.js';
import {
  helpShown,
  type KeyContext,
  logsShown,
  paneOf,
  type ScreenState,
  screenViewOf,
  selectedRow,
} from './screen-state.js';
import { useScreen, type ScreenActions } from './use-screen.js';
import { TimeBar, type TimelineSource } from './TimeBar.js';
import type { Mode } from './keys.js';
import { useMonitorFocus, useShownLogs, useUptimeClock, useUsageAge } from './use-feeds.js';

export type { ScreenActions } from './use-screen.js';

export interface SnapshotSource {
  subscribe(listener: () => void): () => void;
  getSnapshot(): Snapshot;
}

export interface AppProps {
  store: SnapshotSource;
  theme: Theme;
  /** Fixed size for tests; live terminal size otherwise. */
  size?: Size;
  /** Clock for uptimes; tests pass a fixed one. */
  clock?: () => number;
  /** What keys can ask of the monitor and the engine (never a Docker call from a render). */
  actions?: ScreenActions;
  /** Log lines of the nodes on screen; streams open for what the screen says it shows. */
  logs?: LogSource;
  /** Lines kept per node (--log-buffer), for the log view's status line. */
  logCapacity?: number;
  /** Terminal supports OSC 8 hyperlinks (the Jupyter URL becomes clickable). */
  hyperlinks?: boolean;
  /** `tfmon replay`: the recording's clock, drawn as a time bar on the last row. */
  timeline?: TimelineSource;
}

const NO_SUBSCRIPTION = (): (() => void) => () => undefined;

/** The table's margin: the worst severity of the root problems each node is involved in; a node
 * touched only by consequences (a peer it cannot reach because that peer is down) is 'affected'. */
function flaggedOf(problems: Snapshot['problems']): Map<string, Flag> {
  const out = new Map<string, Flag>();
  for (const p of problems) {
    if (p.causedBy) continue;
    for (const n of p.nodes ?? (p.node ? [p.node] : [])) if (out.get(n) !== 'error') out.set(n, p.severity);
  }
  for (const p of problems) if (p.causedBy && p.node && !out.has(p.node)) out.set(p.node, 'affected');
  return out;
}

export function App({
  store,
  theme,
  size: fixedSize,
  clock = Date.now,
  actions,
  logs = NO_LOGS,
  logCapacity = 5000,
  hyperlinks = false,
  timeline,
}: AppProps): React.JSX.Element {
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
  useSyncExternalStore(logs.subscribe, logs.getVersion);
  const time = useSyncExternalStore(timeline?.subscribe ?? NO_SUBSCRIPTION, () => timeline?.getTimeline() ?? null);
  const mode: Mode = time ? 'replay' : 'live';
  const terminal = useTerminalSize(fixedSize);
  // Replay: the time bar takes the last row; the views are drawn in the rest.
  const size = useMemo(
    () => (mode === 'replay' ? { columns: terminal.columns, rows: Math.max(1, terminal.rows - 1) } : terminal),
    [mode, terminal],
  );
  const frame = useRef<KeyContext | null>(null);
  const state = useScreen(actions, () => frame.current!);
  const logScreen = logsShown(state);
  const readOnly = actions?.readOnly ?? false;

  const nodes = useSortedNodes(snapshot, state.sort);
  const selected = selectedRow(state, nodes);
  const selectedNode = nodes[selected];
  const now = useUptimeClock(snapshot.nodes, snapshot.updatedAt, clock);
  const usageAge = useUsageAge(snapshot.usage, snapshot.usageSource !== null && snapshot.engineError === null, clock);
  // The matrix is built once per frame: the table's failing-peer marks and the pane share it.
  const matrix = useMemo(() => buildMatrix(nodes, snapshot.reachability), [nodes, snapshot.reachability]);
  const failing = useMemo(() => nodes.map((n, i) => failuresOf(matrix, i, n.dnsName)), [nodes, matrix]);
  const layout = useMainLayout({ snapshot, nodes, selected, failing, logs, state, size, now, theme });
  const logNode = state.logScope === 'node' ? (selectedNode ?? null) : null;
  // The log view: its title and status line, then the footer; the rest is log lines.
  const logRows = Math.max(1, size.rows - 3);

  useShownLogs(
    logs,
    logScreen
      ? state.logScope === 'all'
        ? nodes
        : selectedNode
          ? [selectedNode]
          : []
      : layout.tailRows > 0 && selectedNode
        ? [selectedNode]
        : [],
  );
  // Usage every interval for the rows on screen (all of them when sorted by a figure).
  useMonitorFocus(
    actions,
    state.sort === 'cpu' || state.sort === 'mem'
      ? null
      : !logScreen
        ? nodes.slice(layout.top, layout.top + layout.tableRows)
        : selectedNode
          ? [selectedNode]
          : [],
    paneOf(state) === 'matrix' && !logScreen,
  );
  // What the next key lands on (read by the key handler, which is subscribed once).
  frame.current = {
    nodes,
    pageRows: layout.tableRows,
    matrix,
    logLines: () => viewLines(logs, logNode),
    logRows,
    readOnly,
    canChange: actions?.changes !== undefined,
    tfConfigDir: actions?.tfConfigDir ?? null,
    replay: mode === 'replay',
  };

  const view = (): React.JSX.Element => {
    if (size.columns < MIN_COLUMNS || size.rows < MIN_ROWS) return <TooSmall size={size} />;
    if (logScreen) {
      return (
        <LogScreen
          state={state}
          node={logNode}
          nodes={nodes}
          logs={logs}
          size={size}
          theme={theme}
          capacity={logCapacity}
          mode={mode}
        />
      );
    }
    return (
      <MainView
        snapshot={snapshot}
        state={state}
        nodes={nodes}
        selected={selected}
        matrix={matrix}
        failing={failing}
        layout={layout}
        logs={logs}
        size={size}
        now={now}
        usageAge={usageAge}
        theme={theme}
        readOnly={readOnly}
        tfConfigDir={actions?.tfConfigDir ?? null}
        hyperlinks={hyperlinks}
        mode={mode}
      />
    );
  };
  if (!time) return view();
  return (
    <Box flexDirection="column" width={terminal.columns} height={terminal.rows}>
      {view()}
      <TimeBar timeline={time} draft={state.timeDraft} width={terminal.columns} theme={theme} />
    </Box>
  );
}

/** Log lines re-render the screen up to ten times a second without a new snapshot, and usage
 * changes every second while the order rarely does: the same array while the order holds keeps the
 * matrix (n² pairs) and the table's memos from being rebuilt at every frame. */
function useSortedNodes(snapshot: Snapshot, sort: ScreenState['sort']): NodeView[] {
  const sortedRef = useRef<NodeView[]>([]);
  return useMemo(() => {
    const next = sortNodes(snapshot.nodes, snapshot.usage, sort);
    const prev = sortedRef.current;
    if (next.length === prev.length && next.every((n, i) => n === prev[i])) return prev;
    sortedRef.current = next;
    return next;
  }, [snapshot.nodes, snapshot.usage, sort]);
}

interface MainLayout {
  tableRows: number;
  detailRows: number;
  /** The table's first row on screen. */
  top: number;
  detailLines: ReturnType<typeof detailsOf>;
  /** Rows of the details pane (with its title) and of the log tail under it. */
  detailsRows: number;
  tailRows: number;
}

/** The main view's rows: the table's (scrolled to the selection), the details' and the log tail's. */
function useMainLayout(o: {
  snapshot: Snapshot;
  nodes: readonly NodeView[];
  selected: number;
  failing: ReturnType<typeof failuresOf>[];
  logs: LogSource;
  state: ScreenState;
  size: Size;
  now: number;
  theme: Theme;
}): MainLayout {
  const { snapshot, nodes, selected, failing, logs, state, size, now, theme } = o;
  const selectedNode = nodes[selected];
  const { tableRows, detailRows } = areas(
    size.rows,
    nodes.length,
    snapshot.host !== null || snapshot.usageSource !== null,
  );
  // Scrolling follows the selection with the least movement: a view concern, kept across frames.
  const topRef = useRef(0);
  const top = scrollTop(topRef.current, selected, tableRows, nodes.length);
  topRef.current = top;
  const jupyter = selectedNode ? logs.jupyterOf(selectedNode.id) : null;
  const detailsShown = paneOf(state) === 'details' && !helpShown(state) && !logsShown(state);
  const detailLines = useMemo(
    () =>
      selectedNode && detailsShown
        ? detailsOf({
            node: selectedNode,
            usage: snapshot.usage[selectedNode.id],
            gpus: snapshot.gpus !== null ? (snapshot.gpuByContainer[selectedNode.id] ?? []) : undefined,
            problems: snapshot.problems,
            peers: failing[selected],
            probing: snapshot.probe.on,
            jupyter: jupyter ? { url: hostJupyterUrl(jupyter, selectedNode.ports), inside: jupyter.url } : null,
            training: snapshot.training[selectedNode.id],
            clusterTrains: snapshot.clusterTraining !== null,
            now,
            width: size.columns,
            ascii: theme.ascii,
          })
        : [],
    [selectedNode, detailsShown, snapshot, failing, selected, jupyter, now, size.columns, theme.ascii],
  );
  // Under the table: the details (title + lines) and the log tail (title + its lines, or one line
  // saying there is none), sharing the rows by what each has to show.
  const tailWanted = detailsShown && selectedNode ? 1 + Math.max(1, logs.tail(selectedNode.id, detailRows).length) : 0;
  const share = shareDetails(detailRows + 1, 1 + detailLines.length, tailWanted);
  return { tableRows, detailRows, top, detailLines, detailsRows: share.details, tailRows: share.tail };
}

function TooSmall({ size }: { size: Size }): React.JSX.Element {
  // Short lines, each cut to the width: the note must be readable in the very terminal it is about.
  const note = [
    'terminal too small',
    `(${size.columns}x${size.rows}); tfmon needs ${MIN_COLUMNS}x${MIN_ROWS}`,
    'q quits',
  ];
  return (
    <Box flexDirection="column" width={size.columns}>
      {note.slice(0, Math.max(1, size.rows)).map((line) => (
        <Text key={line} wrap="truncate">
          {line}
        </Text>
      ))}
    </Box>
  );
}

/** The log view, full screen: one node's lines or every node's, and the footer. */
function LogScreen(p: {
  state: ScreenState;
  node: NodeView | null;
  nodes: readonly NodeView[];
  logs: LogSource;
  size: Size;
  theme: Theme;
  capacity: number;
  mode: Mode;
}): React.JSX.Element {
  const { state, size, theme } = p;
  return (
    <Box flexDirection="column" width={size.columns} height={size.rows}>
      <Box flexDirection="column" flexGrow={1} overflowY="hidden">
        {helpShown(state) ? (
          <Help rows={size.rows - 1} theme={theme} view="logs" mode={p.mode} />
        ) : (
          <LogView
            node={p.node}
            nodes={p.nodes}
            logs={p.logs}
            state={state.log}
            draft={state.draft}
            rows={size.rows - 1}
            width={size.columns}
            theme={theme}
            timestamps={state.timestamps}
            capacity={p.capacity}
          />
        )}
      </Box>
      <Footer theme={theme} view="logs" width={size.columns} mode={p.mode} />
    </Box>
  );
}

/** The main view: the header, the table, the pane under it (details and log tail, the matrix, or the
 * TF_CONFIG pane) or the help, and the bottom line (a question, a notice, or the footer). As tall as
 * the terminal: the footer on its last row whatever the view holds (Ink draws a frame of the
 * terminal's height in place on the alternate screen); what does not fit is cut, never the header or
 * the footer. */
function MainView(p: {
  snapshot: Snapshot;
  state: ScreenState;
  nodes: readonly NodeView[];
  selected: number;
  matrix: ReturnType<typeof buildMatrix>;
  failing: ReturnType<typeof failuresOf>[];
  layout: MainLayout;
  logs: LogSource;
  size: Size;
  now: number;
  usageAge: ReturnType<typeof useUsageAge>;
  theme: Theme;
  readOnly: boolean;
  tfConfigDir: string | null;
  hyperlinks: boolean;
  mode: Mode;
}): React.JSX.Element {
  const { snapshot, state, nodes, selected, layout, theme, readOnly } = p;
  const width = p.size.columns;
  const pane = paneOf(state);
  const keysView = screenViewOf(state);
  const selectedNode = nodes[selected];
  const flagged = useMemo(() => flaggedOf(snapshot.problems), [snapshot.problems]);
  const longestName = nodes.reduce((m, n) => Math.max(m, n.dnsName.length), 4);
  return (
    <Box flexDirection="column" width={width} height={p.size.rows}>
      <Header snapshot={snapshot} width={width} theme={theme} sort={state.sort} usageAge={p.usageAge} />
      <Box flexDirection="column" flexGrow={1} overflowY="hidden">
        {helpShown(state) ? (
          <Help
            rows={layout.tableRows + layout.detailRows + 2}
            theme={theme}
            notes={snapshot.gpuNote ? [snapshot.gpuNote] : []}
            view={keysView}
            readOnly={readOnly}
            mode={p.mode}
          />
        ) : (
          <>
            <NodeTable
              nodes={nodes}
              usage={snapshot.usage}
              gpus={snapshot.gpuByContainer}
              columns={tableColumns(width, {
                longestName,
                usage: snapshot.usageSource !== null,
                gpu: snapshot.gpus !== null,
                swarm: nodes.some((n) => n.service !== null),
                engines: snapshot.engines !== undefined,
                train: Object.keys(snapshot.training).length > 0,
              })}
              selected={selected}
              top={layout.top}
              rows={layout.tableRows}
              now={p.now}
              theme={theme}
              failing={p.failing}
              flagged={flagged}
              training={snapshot.training}
            />
            {pane === 'matrix' ? (
              <MatrixPane
                nodes={nodes}
                entries={snapshot.reachability}
                matrix={p.matrix}
                selected={selected}
                target={state.target}
                roundMs={snapshot.probe.on ? snapshot.probe.lastRoundMs : null}
                probing={snapshot.probe.on}
                rows={layout.detailRows + 1}
                width={width}
                theme={theme}
              />
            ) : pane === 'tfconfig' ? (
              <TfConfigPane
                nodes={nodes}
                rows={layout.detailRows + 1}
                width={width}
                theme={theme}
                readOnly={readOnly}
                dir={p.tfConfigDir}
              />
            ) : (
              <>
                <Details
                  node={selectedNode}
                  lines={layout.detailLines}
                  hyperlinks={p.hyperlinks}
                  rows={layout.detailsRows - 1}
                  width={width}
                  theme={theme}
                />
                <LogTail
                  node={selectedNode}
                  logs={p.logs}
                  rows={layout.tailRows}
                  width={width}
                  theme={theme}
                  timestamps={state.timestamps}
                />
              </>
            )}
          </>
        )}
      </Box>
      <BottomLine state={state} width={width} theme={theme} keysView={keysView} readOnly={readOnly} mode={p.mode} />
    </Box>
  );
}

/** A question asked, else a notice, else the footer's keys. */
function BottomLine(p: {
  state: ScreenState;
  width: number;
  theme: Theme;
  keysView: ReturnType<typeof screenViewOf>;
  readOnly: boolean;
  mode: Mode;
}): React.JSX.Element {
  const { state, width, theme } = p;
  if (state.question) {
    return (
      <Text wrap="truncate" bold color={tint(theme, 'yellow')}>
        {truncate(sanitize(state.question.text), width - 1, theme.ascii)}
      </Text>
    );
  }
  if (state.notice) {
    const tone = state.notice.tone === 'error' ? 'red' : state.notice.tone === 'ok' ? 'green' : 'cyan';
    return (
      <Text wrap="truncate" color={tint(theme, tone)}>
        {truncate(sanitize(state.notice.text), width - 1, theme.ascii)}
      </Text>
    );
  }
  return <Footer theme={theme} view={p.keysView} width={width} readOnly={p.readOnly} mode={p.mode} />;
}
