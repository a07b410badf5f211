// The live screen: renders store snapshots, holds no Docker calls. One stable key handler.
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import React, { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { Snapshot } from '../cluster/types.js';
import { Details } from './Details.js';
import { buildMatrix, failuresOf } from './matrix.js';
import { MatrixPane, targetColumn } from './Matrix.js';
import { Header } from './Header.js';
import { Footer, Help } from './Help.js';
import { actionFor, type Action } from './keys.js';
import { areas, MIN_COLUMNS, MIN_ROWS, scrollTop, tableColumns } from './layout.js';
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
}

export function App({ store, theme, size: fixedSize, clock = Date.now, actions }: AppProps): React.JSX.Element {
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
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

  const { tableRows, detailRows } = areas(size.rows, nodes.length, snapshot.host !== null);
  const top = scrollTop(topRef.current, selected, tableRows, nodes.length);
  topRef.current = top;

  const actionsRef = useRef(actions);
  actionsRef.current = actions;
  // The handler reads the latest state through a ref, so useInput subscribes once (PITFALLS).
  // The matrix is built once per frame: the table's failing-peer marks and the pane share it.
  const matrix = buildMatrix(nodes, snapshot.reachability);
  const state = useRef({ nodes, selected, tableRows, matrix, target });
  state.current = { nodes, selected, tableRows, matrix, target };
  const handler = useRef((input: string, key: Parameters<Parameters<typeof useInput>[0]>[1]): void => {
    const action: Action | undefined = actionFor(input, key);
    if (!action) return;
    const { nodes: list, selected: sel, tableRows: page, matrix: m, target: tgt } = state.current;
    const moveTarget = (delta: number): void => {
      if (m.columns.length === 0) return;
      const from = targetColumn(m, sel, tgt);
      const to = Math.max(0, Math.min(m.columns.length - 1, from + delta));
      state.current.target = m.columns[to]?.host ?? null;
      setTarget(state.current.target);
      setPane('matrix');
    };
    const select = (i: number): void => {
      const to = Math.max(0, Math.min(list.length - 1, i));
      const node = list[to];
      if (!node) return;
      // Keys can arrive faster than renders (key repeat): the next one must see this move.
      state.current.selected = to;
      setSelectedId(node.id);
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
    }
  });
  const stableHandler = useRef((input: string, key: Parameters<Parameters<typeof useInput>[0]>[1]) => handler.current(input, key)).current;
  useInput(stableHandler);

  if (size.columns < MIN_COLUMNS || size.rows < MIN_ROWS) {
    return (
      <Text wrap="truncate">
        {`terminal too small (${size.columns}x${size.rows}); tfmon needs ${MIN_COLUMNS}x${MIN_ROWS}. q quits`}
      </Text>
    );
  }

  const width = size.columns;
  const selectedNode = nodes[selected];
  const longestName = nodes.reduce((m, n) => Math.max(m, n.name.length), 4);
  const failing = nodes.map((n, i) => failuresOf(matrix, i, n.name));
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
          <Details
            node={selectedNode}
            usage={selectedNode ? snapshot.usage[selectedNode.id] : undefined}
            gpus={selectedNode && snapshot.gpus !== null ? (snapshot.gpuByContainer[selectedNode.id] ?? []) : undefined}
            problems={snapshot.problems}
            peers={selectedNode ? failing[selected] : undefined}
            probing={snapshot.probe.on}
            rows={detailRows}
            width={width}
            theme={theme}
          />
          )}
        </>
      )}
      <Footer theme={theme} />
    </Box>
  );
}
