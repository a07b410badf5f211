// The live screen: renders store snapshots, holds no Docker calls. One stable key handler.
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import React, { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { hostJupyterUrl } from '../cluster/logs.js';
import type { NodeView, Snapshot } from '../cluster/types.js';
import { Details } from './Details.js';
import { buildMatrix, failuresOf } from './matrix.js';
import { MatrixPane, targetColumn } from './Matrix.js';
import { Header } from './Header.js';
import { Footer, Help } from './Help.js';
import { actionFor, type Action, type Screen } from './keys.js';
import { areas, MIN_COLUMNS, MIN_ROWS, scrollTop, tableColumns } from './layout.js';
import { LogTail, LogView, NO_LOGS, viewLines, type LogSource } from './LogPanes.js';
import { FOLLOWING, moveLog, type LogMove, type LogWindowState } from './log-window.js';
import { NodeTable } from './NodeTable.js';
import { nextSort, sortNodes, type SortKey } from './sort.js';
import { useTerminalSize, type Size } from './terminal.js';
import type { Theme } from './theme.js';

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
  /** What keys can ask of the monitor (never a Docker call from a render). */
  actions?: { probe(): void };
  /** Log lines of the nodes on screen; streams open for what the screen says it shows. */
  logs?: LogSource;
  /** Lines kept per node (--log-buffer), for the log view's status line. */
  logCapacity?: number;
  /** Terminal supports OSC 8 hyperlinks (the Jupyter URL becomes clickable). */
  hyperlinks?: boolean;
}

type InkKey = Parameters<Parameters<typeof useInput>[0]>[1];

/** Where the selected node's log tail goes: half the lower pane, when it has room for it. */
const tailRowsFor = (detailRows: number): number => (detailRows >= 8 ? Math.floor(detailRows / 2) : 0);

export function App({ store, theme, size: fixedSize, clock = Date.now, actions, logs = NO_LOGS, logCapacity = 5000, hyperlinks = false }: AppProps): React.JSX.Element {
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
  useSyncExternalStore(logs.subscribe, logs.getVersion);
  const { stdout } = useStdout();
  const { exit } = useApp();
  const size = useTerminalSize(stdout, fixedSize);
  const [now, setNow] = useState(clock);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const [sort, setSort] = useState<SortKey>('role');
  const [pane, setPane] = useState<'details' | 'matrix'>('details');
  // The matrix column under the cursor, by host name; null: the selected row's first failure.
  const [target, setTarget] = useState<string | null>(null);
  const [screen, setScreen] = useState<Screen>('main');
  const [logScope, setLogScope] = useState<'node' | 'all'>('node');
  const [logState, setLogState] = useState<LogWindowState>(FOLLOWING);
  const [draft, setDraft] = useState<string | null>(null);
  const [timestamps, setTimestamps] = useState(false);
  const topRef = useRef(0);

  // Uptimes tick once a second; a render never asks the engine anything. Snapshots already arrive
  // about once a second while usage is sampled: the clock only forces a frame when none came.
  const lastSnapshotAt = useRef(0);
  lastSnapshotAt.current = snapshot.updatedAt;
  useEffect(() => {
    const timer = setInterval(() => {
      if (clock() - lastSnapshotAt.current >= 900) setNow(clock());
    }, 1000);
    return () => clearInterval(timer);
  }, [clock]);
  const renderNow = Math.max(now, snapshot.updatedAt);

  const nodes = sortNodes(snapshot.nodes, snapshot.usage, sort);
  // Selection follows the node (by id) when others come and go; falls back to the same row.
  const lastIndexRef = useRef(0);
  let selected = selectedId === null ? 0 : nodes.findIndex((n) => n.id === selectedId);
  if (selected < 0) selected = Math.min(lastIndexRef.current, nodes.length - 1);
  selected = Math.max(0, selected);
  lastIndexRef.current = selected;
  const selectedNode = nodes[selected];

  const { tableRows, detailRows } = areas(size.rows, nodes.length, snapshot.host !== null);
  const top = scrollTop(topRef.current, selected, tableRows, nodes.length);
  topRef.current = top;
  const tailRows = pane === 'details' && !help ? tailRowsFor(detailRows) : 0;
  const logRows = Math.max(1, size.rows - 4);
  const logNode = logScope === 'node' ? (selectedNode ?? null) : null;

  // Streams only for what is on screen: the selected node's tail, the log view's node(s). Settles
  // for a moment first, so holding ↓ through 50 nodes does not open and close 50 streams.
  const shown: readonly NodeView[] = screen === 'logs' ? (logScope === 'all' ? nodes : selectedNode ? [selectedNode] : []) : tailRows > 0 && selectedNode ? [selectedNode] : [];
  const shownKey = shown.map((n) => `${n.id}:${n.state}`).join(',');
  const shownRef = useRef(shown);
  shownRef.current = shown;
  useEffect(() => {
    const timer = setTimeout(() => logs.show(shownRef.current), 120);
    return () => clearTimeout(timer);
  }, [shownKey, logs]);
  useEffect(() => () => logs.show([]), [logs]);

  const actionsRef = useRef(actions);
  actionsRef.current = actions;
  // The matrix is built once per frame: the table's failing-peer marks and the pane share it.
  const matrix = buildMatrix(nodes, snapshot.reachability);
  // The handler reads the latest state through a ref, so useInput subscribes once (PITFALLS).
  const state = useRef({ nodes, selected, tableRows, matrix, target, screen, draft, logState, logNode, logRows });
  state.current = { nodes, selected, tableRows, matrix, target, screen, draft, logState, logNode, logRows };
  const handler = useRef((input: string, key: InkKey): void => {
    const cur = state.current;
    if (cur.draft !== null) return typeSearch(input, key);
    const action: Action | undefined = actionFor(input, key, cur.screen);
    if (!action) return;
    if (cur.screen === 'logs') return logAction(action);
    const { nodes: list, selected: sel, tableRows: page, matrix: m, target: tgt } = cur;
    const select = (i: number): void => {
      const to = Math.max(0, Math.min(list.length - 1, i));
      const node = list[to];
      if (!node) return;
      // Keys can arrive faster than renders (key repeat): the next one must see this move.
      state.current.selected = to;
      setSelectedId(node.id);
    };
    const moveTarget = (delta: number): void => {
      if (m.columns.length === 0) return;
      const from = targetColumn(m, sel, tgt);
      const to = Math.max(0, Math.min(m.columns.length - 1, from + delta));
      state.current.target = m.columns[to]?.host ?? null;
      setTarget(state.current.target);
      setPane('matrix');
    };
    switch (action) {
      case 'up': return select(sel - 1);
      case 'down': return select(sel + 1);
      case 'pageUp': return select(sel - page);
      case 'pageDown': return select(sel + page);
      case 'first': return select(0);
      case 'last': return select(list.length - 1);
      case 'left': return moveTarget(-1);
      case 'right': return moveTarget(1);
      case 'matrix': return setPane((p) => (p === 'matrix' ? 'details' : 'matrix'));
      case 'logs':
      case 'allLogs':
        setLogScope(action === 'logs' ? 'node' : 'all');
        setLogState(FOLLOWING);
        state.current.screen = 'logs';
        setScreen('logs');
        return;
      case 'timestamps': return setTimestamps((t) => !t);
      case 'sort': return setSort(nextSort);
      case 'probe':
        actionsRef.current?.probe();
        return;
      case 'help': return setHelp((h) => !h);
      case 'close':
        setHelp(false);
        setPane('details');
        return;
      case 'quit':
        exit();
        return;
      default:
    }
  });

  /** Keys of the log view: they move the window over the lines it shows. */
  function logAction(action: Action): void {
    const { logState: ls, logNode: ln, logRows: rows } = state.current;
    const lines = viewLines(logs, ln);
    const move = (m: LogMove, by = rows - 3): void => {
      const next = moveLog(lines, ls, by, m);
      state.current.logState = next;
      setLogState(next);
    };
    switch (action) {
      case 'up': return move('pageUp', 1);
      case 'down': return move('pageDown', 1);
      case 'pageUp': return move('pageUp');
      case 'pageDown': return move('pageDown');
      case 'first': return move('top');
      case 'last': return move('bottom');
      case 'pause': return move('pause');
      case 'nextMatch': return move('nextMatch');
      case 'previousMatch': return move('previousMatch');
      case 'lastError': return move('lastError');
      case 'search':
        state.current.draft = ls.filter;
        setDraft(ls.filter);
        return;
      case 'allLogs':
        setLogScope('all');
        setLogState(FOLLOWING);
        return;
      case 'timestamps': return setTimestamps((t) => !t);
      case 'help': return setHelp((h) => !h);
      case 'close':
        if (help) return setHelp(false);
        state.current.screen = 'main';
        setScreen('main');
        return;
      case 'quit':
        exit();
        return;
      default:
    }
  }

  /** Typing a search after `/`: Enter applies it, Esc clears it, Backspace edits. */
  function typeSearch(input: string, key: InkKey): void {
    const d = state.current.draft ?? '';
    let next: string | null = d;
    let apply = false;
    if (key.return) apply = true;
    else if (key.escape) {
      next = '';
      apply = true;
    } else if (key.backspace || key.delete) next = d.slice(0, -1);
    else if (key.ctrl && input === 'c') {
      exit();
      return;
    } else if (input && !key.ctrl && !key.meta) next = d + input.replace(/[\u0000-\u001f\u007f]/g, '');
    if (apply) {
      const ls: LogWindowState = { filter: next, anchor: null, mark: null };
      state.current.logState = ls;
      setLogState(ls);
      next = null;
    }
    state.current.draft = next;
    setDraft(next);
  }

  const stableHandler = useRef((input: string, key: InkKey) => handler.current(input, key)).current;
  useInput(stableHandler);

  if (size.columns < MIN_COLUMNS || size.rows < MIN_ROWS) {
    return (
      <Text wrap="truncate">
        {`terminal too small (${size.columns}x${size.rows}); tfmon needs ${MIN_COLUMNS}x${MIN_ROWS}. q quits`}
      </Text>
    );
  }

  const width = size.columns;
  if (screen === 'logs') {
    return (
      <Box flexDirection="column" width={width}>
        {help ? (
          <Help rows={logRows + 2} theme={theme} screen="logs" />
        ) : (
          <LogView node={logNode} nodes={nodes} logs={logs} state={logState} draft={draft} rows={logRows + 1} width={width} theme={theme} timestamps={timestamps} capacity={logCapacity} />
        )}
        <Footer theme={theme} screen="logs" width={width} />
      </Box>
    );
  }

  const longestName = nodes.reduce((m, n) => Math.max(m, n.name.length), 4);
  const failing = nodes.map((n, i) => failuresOf(matrix, i, n.name));
  const jupyter = selectedNode ? logs.jupyterOf(selectedNode.id) : null;
  return (
    <Box flexDirection="column" width={width}>
      <Header snapshot={snapshot} width={width} theme={theme} sort={sort} />
      {help ? (
        <Help rows={tableRows + detailRows + 2} theme={theme} notes={snapshot.gpuNote ? [snapshot.gpuNote] : []} />
      ) : (
        <>
          <NodeTable
            nodes={nodes}
            usage={snapshot.usage}
            gpus={snapshot.gpuByContainer}
            columns={tableColumns(width, { longestName, usage: snapshot.usageSource !== null, gpu: snapshot.gpus !== null })}
            selected={selected}
            top={top}
            rows={tableRows}
            now={renderNow}
            theme={theme}
            failing={failing}
          />
          {pane === 'matrix' ? (
            <MatrixPane
              nodes={nodes}
              entries={snapshot.reachability}
              selected={selected}
              target={target}
              roundMs={snapshot.probe.on ? snapshot.probe.lastRoundMs : null}
              probing={snapshot.probe.on}
              rows={detailRows + 1}
              width={width}
              theme={theme}
            />
          ) : (
            <>
              <Details
                node={selectedNode}
                usage={selectedNode ? snapshot.usage[selectedNode.id] : undefined}
                gpus={selectedNode && snapshot.gpus !== null ? (snapshot.gpuByContainer[selectedNode.id] ?? []) : undefined}
                problems={snapshot.problems}
                peers={selectedNode ? failing[selected] : undefined}
                probing={snapshot.probe.on}
                jupyter={jupyter && selectedNode ? { url: hostJupyterUrl(jupyter, selectedNode.ports), inside: jupyter.url } : null}
                hyperlinks={hyperlinks}
                rows={detailRows - tailRows}
                width={width}
                theme={theme}
              />
              <LogTail node={selectedNode} logs={logs} rows={tailRows} width={width} theme={theme} timestamps={timestamps} />
            </>
          )}
        </>
      )}
      <Footer theme={theme} width={width} />
    </Box>
  );
}
