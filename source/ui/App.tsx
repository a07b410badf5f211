// The live screen: renders store snapshots, holds no Docker calls. One stable key handler.
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import React, { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { hostJupyterUrl } from '../cluster/logs.js';
import { lastWorker } from '../cluster/regenerate.js';
import type { NodeView, Snapshot } from '../cluster/types.js';
import { Details } from './Details.js';
import { buildMatrix, failuresOf } from './matrix-model.js';
import { MatrixPane, targetColumn } from './Matrix.js';
import { Header } from './Header.js';
import { Footer, Help } from './Help.js';
import { actionFor, type Action, type Screen } from './keys.js';
import { areas, MIN_COLUMNS, MIN_ROWS, scrollTop, tableColumns } from './layout.js';
import { LogTail, LogView, NO_LOGS, viewLines, type LogSource } from './LogPanes.js';
import { FOLLOWING, moveLog, type LogMove, type LogWindowState } from './log-window.js';
import { NodeTable } from './NodeTable.js';
import { TfConfigPane } from './TfConfigPane.js';
import { tint } from './theme.js';
import { sanitize } from '../text/sanitize.js';
import { truncate } from '../text/width.js';
import { nextSort, sortNodes, type SortKey } from './sort.js';
import { useTerminalSize, type Size } from './terminal.js';
import { formatDuration } from '../text/format.js';
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
  /** What keys can ask of the monitor and the engine (never a Docker call from a render). */
  actions?: ClusterActions;
  /** Log lines of the nodes on screen; streams open for what the screen says it shows. */
  logs?: LogSource;
  /** Lines kept per node (--log-buffer), for the log view's status line. */
  logCapacity?: number;
  /** Terminal supports OSC 8 hyperlinks (the Jupyter URL becomes clickable). */
  hyperlinks?: boolean;
}

type InkKey = Parameters<Parameters<typeof useInput>[0]>[1];

/** Actions the keys start; run-tui.tsx binds them to the engine, tests to the real one or fakes. */
export interface ClusterActions {
  /** `p`: one round over every pair now. */
  probe(): void;
  /** The matrix is on screen (every pair probed) or no longer (TensorFlow's pairs). */
  matrixShown?(on: boolean): void;
  /** The nodes whose usage is on screen (read every interval; the rest less often); null: all. */
  usageFocus?(ids: ReadonlySet<string> | null): void;
  /** --read-only: every change refused. */
  readOnly?: boolean;
  /** Where `w` in the TF_CONFIG pane writes (--tf-config-dir), or null. */
  tfConfigDir?: string | null;
  scaleUp?(progress: (line: string) => void): Promise<void>;
  scaleDown?(id: string, progress: (line: string) => void): Promise<void>;
  restart?(ids: string[], progress: (line: string) => void): Promise<void>;
  applyTfConfig?(progress: (line: string) => void): Promise<void>;
  writeTfConfig?(): string[];
}

type Dialog = { question: string; run: () => Promise<void> } | null;
interface Notice {
  text: string;
  tone: 'info' | 'ok' | 'error';
}

/** The worst severity of each node's own problems, for the table's margin. */
function flaggedOf(problems: Snapshot['problems']): Map<string, 'error' | 'warning'> {
  const out = new Map<string, 'error' | 'warning'>();
  for (const p of problems) if (p.node && out.get(p.node) !== 'error') out.set(p.node, p.severity);
  return out;
}

/** Where the selected node's log tail goes: half the lower pane, when it has room for it. */
const tailRowsFor = (detailRows: number): number => (detailRows >= 8 ? Math.floor(detailRows / 2) : 0);

export function App({ store, theme, size: fixedSize, clock = Date.now, actions, logs = NO_LOGS, logCapacity = 5000, hyperlinks = false }: AppProps): React.JSX.Element {
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
  useSyncExternalStore(logs.subscribe, logs.getVersion);
  const { stdout } = useStdout();
  const { exit } = useApp();
  const size = useTerminalSize(fixedSize);
  const [now, setNow] = useState(clock);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const [sort, setSort] = useState<SortKey>('role');
  const [pane, setPane] = useState<'details' | 'matrix' | 'tfconfig'>('details');
  // The matrix column under the cursor, by host name; null: the selected row's first failure.
  const [target, setTarget] = useState<string | null>(null);
  const [screen, setScreen] = useState<Screen>('main');
  const [logScope, setLogScope] = useState<'node' | 'all'>('node');
  const [logState, setLogState] = useState<LogWindowState>(FOLLOWING);
  const [draft, setDraft] = useState<string | null>(null);
  const [timestamps, setTimestamps] = useState(false);
  // A question waiting for y (anything else is no), and the last word from an action.
  const [dialog, setDialog] = useState<Dialog>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const busy = useRef(false);
  // A result stays a few seconds, then the key hints come back; errors stay until Esc or the next word.
  useEffect(() => {
    if (!notice || notice.tone !== 'ok') return;
    const timer = setTimeout(() => setNotice(null), 8000);
    return () => clearTimeout(timer);
  }, [notice]);
  const topRef = useRef(0);

  // Uptimes: a frame when their text changes (every second for a node up less than a minute, at
  // each minute otherwise), not every second; a render never asks the engine anything.
  // The nodes list keeps its identity across usage samples: parsed when the nodes change, not per frame.
  const starts = useMemo(() => snapshot.nodes.filter((n) => n.state === 'running' && n.startedAt).map((n) => Date.parse(n.startedAt!)), [snapshot.nodes]);
  const startsRef = useRef<number[]>(starts);
  startsRef.current = starts;
  const nowRef = useRef(now);
  nowRef.current = Math.max(now, snapshot.updatedAt);
  useEffect(() => {
    const timer = setInterval(() => {
      const t = clock();
      if (startsRef.current.some((started) => formatDuration(t - started) !== formatDuration(nowRef.current - started))) setNow(t);
    }, 1000);
    return () => clearInterval(timer);
  }, [clock]);
  const renderNow = Math.max(now, snapshot.updatedAt);

  // Log lines re-render the screen up to ten times a second without a new snapshot, and usage
  // changes every second while the order rarely does: the same array while the order holds keeps
  // the matrix (n² pairs) and the table's memos from being rebuilt at every frame.
  const sortedRef = useRef<NodeView[]>([]);
  const nodes = useMemo(() => {
    const next = sortNodes(snapshot.nodes, snapshot.usage, sort);
    const prev = sortedRef.current;
    if (next.length === prev.length && next.every((n, i) => n === prev[i])) return prev;
    sortedRef.current = next;
    return next;
  }, [snapshot.nodes, snapshot.usage, sort]);
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
  // Usage every interval for the rows on screen (all of them when sorted by a figure); the others
  // every fifth interval.
  const onScreen = screen === 'main' ? nodes.slice(top, top + tableRows) : selectedNode ? [selectedNode] : [];
  const focusKey = sort === 'cpu' || sort === 'mem' ? '*' : onScreen.map((n) => n.id).join(',');
  useEffect(() => {
    actionsRef.current?.usageFocus?.(focusKey === '*' ? null : new Set(focusKey.split(',').filter(Boolean)));
  }, [focusKey]);
  useEffect(() => () => actionsRef.current?.usageFocus?.(null), []);
  // Every pair is probed while the matrix is on screen; TensorFlow's pairs otherwise.
  const matrixShown = pane === 'matrix' && screen === 'main';
  useEffect(() => {
    actionsRef.current?.matrixShown?.(matrixShown);
  }, [matrixShown]);
  useEffect(() => () => actionsRef.current?.matrixShown?.(false), []);
  // The matrix is built once per frame: the table's failing-peer marks and the pane share it.
  const matrix = useMemo(() => buildMatrix(nodes, snapshot.reachability), [nodes, snapshot.reachability]);
  const failing = useMemo(() => nodes.map((n, i) => failuresOf(matrix, i, n.dnsName)), [nodes, matrix]);
  const flagged = useMemo(() => flaggedOf(snapshot.problems), [snapshot.problems]);
  // The handler reads the latest state through a ref, so useInput subscribes once (a new handler
  // each render would make Ink re-subscribe to stdin at every frame).
  const state = useRef({ nodes, selected, tableRows, matrix, target, screen, draft, logState, logNode, logRows, dialog, pane });
  state.current = { nodes, selected, tableRows, matrix, target, screen, draft, logState, logNode, logRows, dialog, pane };
  const handler = useRef((input: string, key: InkKey): void => {
    const cur = state.current;
    if (cur.dialog) {
      // Destructive questions default to no: only y (or Y) goes ahead.
      const d = cur.dialog;
      state.current.dialog = null;
      setDialog(null);
      if (input === 'y' || input === 'Y') void runAction(d.run);
      else setNotice({ text: 'cancelled: nothing changed', tone: 'info' });
      return;
    }
    if (cur.draft !== null) return typeSearch(input, key);
    if (cur.pane === 'tfconfig' && cur.screen === 'main' && (input === 'a' || input === 'w')) return tfConfigKey(input);
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
      case 'scaleUp':
      case 'scaleDown':
      case 'restart':
      case 'restartRole':
        return clusterAction(action, list, list[sel]);
      case 'regenerate': return setPane((p) => (p === 'tfconfig' ? 'details' : 'tfconfig'));
      case 'sort': return setSort(nextSort);
      case 'probe':
        actionsRef.current?.probe();
        return;
      case 'help': return setHelp((h) => !h);
      case 'close':
        setHelp(false);
        setPane('details');
        setNotice(null);
        return;
      case 'quit':
        exit();
        return;
      default:
    }
  });

  /** Runs an action, one at a time, its progress and result in the notice line. */
  async function runAction(run: () => Promise<void>): Promise<void> {
    if (busy.current) {
      setNotice({ text: 'busy: the last action has not finished', tone: 'error' });
      return;
    }
    busy.current = true;
    try {
      await run();
    } catch (error) {
      setNotice({ text: error instanceof Error ? error.message : String(error), tone: 'error' });
    } finally {
      busy.current = false;
    }
  }

  function ask(question: string, run: () => Promise<void>): void {
    const d = { question: `${question} [y/N]`, run };
    state.current.dialog = d;
    setDialog(d);
  }

  /** + - r R: refused with --read-only; the destructive ones ask first, naming their targets. */
  function clusterAction(action: Action, list: readonly NodeView[], node: NodeView | undefined): void {
    const a = actionsRef.current;
    if (a?.readOnly) {
      setNotice({ text: 'read-only: tfmon changes nothing here (started with --read-only)', tone: 'error' });
      return;
    }
    const progress = (text: string): void => setNotice({ text, tone: 'info' });
    const done = (text: string) => () => setNotice({ text, tone: 'ok' });
    if (action === 'scaleUp' && a?.scaleUp) {
      // The coordinator counts workers once: with a chief, offer to restart it right away.
      const chief = list.find((n) => n.role === 'chief');
      void runAction(() => a.scaleUp!(progress)).then(() => {
        if (chief && a.restart && !busy.current) {
          ask(`The chief only sees new workers after it restarts: restart ${chief.name} now?`, () => a.restart!([chief.id], progress).then(done(`restarted ${chief.name}`)));
        }
      });
    } else if (action === 'scaleDown' && a?.scaleDown) {
      const last = lastWorker(list);
      if (!last) return setNotice({ text: 'no worker to remove', tone: 'error' });
      ask(`Remove ${last.dnsName} (worker ${last.index}, the highest index): stop it, then delete ${last.service ? "the service" : "the container"}?`, () => a.scaleDown!(last.id, progress).then(done(`removed ${last.dnsName}`)));
    } else if (action === 'restart' && a?.restart && node) {
      ask(`Restart ${node.dnsName}?`, () => a.restart!([node.id], progress).then(done(`restarted ${node.dnsName}`)));
    } else if (action === 'restartRole' && a?.restart && node) {
      const same = list.filter((n) => n.role === node.role);
      ask(`Restart all ${same.length} ${node.role} node${same.length === 1 ? '' : 's'} (${same.map((n) => n.name).join(', ')}), one after the other?`,
        () => a.restart!(same.map((n) => n.id), progress).then(done(`restarted ${same.length} ${node.role} node${same.length === 1 ? '' : 's'}`)));
    }
  }

  /** In the TF_CONFIG pane: a applies (asks first), w writes the files. */
  function tfConfigKey(input: string): void {
    const a = actionsRef.current;
    if (input === 'w') {
      if (!a?.writeTfConfig || !a.tfConfigDir) return setNotice({ text: 'start tfmon with --tf-config-dir DIR to write TF_CONFIG files', tone: 'error' });
      try {
        const files = a.writeTfConfig();
        setNotice({ text: `wrote ${files.length} file${files.length === 1 ? '' : 's'} in ${a.tfConfigDir}`, tone: 'ok' });
      } catch (error) {
        setNotice({ text: error instanceof Error ? error.message : String(error), tone: 'error' });
      }
      return;
    }
    if (a?.readOnly) return setNotice({ text: 'read-only: tfmon changes nothing here (started with --read-only)', tone: 'error' });
    if (!a?.applyTfConfig) return;
    ask('Recreate the nodes whose TF_CONFIG differs, one at a time (each keeps the rest of its configuration)?',
      () => a.applyTfConfig!((text) => setNotice({ text, tone: 'info' })).then(() => setPane('details')));
  }

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
    // Short lines, each cut to the width: the note must be readable in the very terminal it is about.
    const note = ['terminal too small', `(${size.columns}x${size.rows}); tfmon needs ${MIN_COLUMNS}x${MIN_ROWS}`, 'q quits'];
    return (
      <Box flexDirection="column" width={size.columns}>
        {note.slice(0, Math.max(1, size.rows)).map((line) => <Text key={line} wrap="truncate">{line}</Text>)}
      </Box>
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

  const longestName = nodes.reduce((m, n) => Math.max(m, n.dnsName.length), 4);
  const jupyter = selectedNode ? logs.jupyterOf(selectedNode.id) : null;
  return (
    <Box flexDirection="column" width={width}>
      <Header snapshot={snapshot} width={width} theme={theme} sort={sort} />
      {help ? (
        <Help rows={tableRows + detailRows + 2} theme={theme} notes={snapshot.gpuNote ? [snapshot.gpuNote] : []} readOnly={actions?.readOnly ?? false} />
      ) : (
        <>
          <NodeTable
            nodes={nodes}
            usage={snapshot.usage}
            gpus={snapshot.gpuByContainer}
            columns={tableColumns(width, { longestName, usage: snapshot.usageSource !== null, gpu: snapshot.gpus !== null, swarm: nodes.some((n) => n.service !== null), engines: snapshot.engines !== undefined })}
            selected={selected}
            top={top}
            rows={tableRows}
            now={renderNow}
            theme={theme}
            failing={failing}
            flagged={flagged}
          />
          {pane === 'matrix' ? (
            <MatrixPane
              nodes={nodes}
              entries={snapshot.reachability}
              matrix={matrix}
              selected={selected}
              target={target}
              roundMs={snapshot.probe.on ? snapshot.probe.lastRoundMs : null}
              probing={snapshot.probe.on}
              rows={detailRows + 1}
              width={width}
              theme={theme}
            />
          ) : pane === 'tfconfig' ? (
            <TfConfigPane nodes={nodes} rows={detailRows + 1} width={width} theme={theme} readOnly={actions?.readOnly ?? false} dir={actions?.tfConfigDir ?? null} />
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
      {dialog ? (
        <Text wrap="truncate" bold color={tint(theme, 'yellow')}>{truncate(sanitize(dialog.question), width - 1, theme.ascii)}</Text>
      ) : notice ? (
        <Text wrap="truncate" color={tint(theme, notice.tone === 'error' ? 'red' : notice.tone === 'ok' ? 'green' : 'cyan')}>{truncate(sanitize(notice.text), width - 1, theme.ascii)}</Text>
      ) : (
        <Footer theme={theme} width={width} />
      )}
    </Box>
  );
}
