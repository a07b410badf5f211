// Which log lines a pane shows: filter, then a window of `rows` lines ending at the anchor (the
// newest line while following). Pure: the keys move the anchor, this says what that means.
import { compileSearch, type LogLine } from '../cluster/logs.js';

export interface LogWindowState {
  /** The typed search ("" for none): substring, or /regex/. */
  filter: string;
  /** seq of the bottom line while paused; null while following the newest. */
  anchor: number | null;
  /** seq of the highlighted line (a match or an error jumped to), or null. */
  mark: number | null;
}

export const FOLLOWING: LogWindowState = { filter: '', anchor: null, mark: null };

export interface LogWindow {
  lines: LogLine[];
  /** Lines after the filter, and how many are below the window (new while paused). */
  matching: number;
  below: number;
  filterError: string | null;
}

function filtered(lines: readonly LogLine[], filter: string): { lines: LogLine[]; error: string | null } {
  if (!filter) return { lines: [...lines], error: null };
  const search = compileSearch(filter);
  return { lines: search.error ? [] : lines.filter((l) => search.test(l.text)), error: search.error };
}

/** Index of the line with this seq; when it is gone (dropped from the ring, filtered out), the
 * newest line older than it. Linear: the interleaved view is in time order, not seq order. */
function indexAt(lines: readonly LogLine[], seq: number): number {
  let older = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    const s = lines[i]!.seq;
    if (s === seq) return i;
    if (older < 0 && s < seq) older = i;
  }
  return older;
}

export function logWindow(all: readonly LogLine[], state: LogWindowState, rows: number): LogWindow {
  const { lines, error } = filtered(all, state.filter);
  const bottom =
    state.anchor === null ? lines.length - 1 : Math.max(indexAt(lines, state.anchor), Math.min(rows, lines.length) - 1);
  const from = Math.max(0, bottom - rows + 1);
  return {
    lines: lines.slice(from, bottom + 1),
    matching: lines.length,
    below: lines.length - 1 - bottom,
    filterError: error,
  };
}

export type LogMove = 'pageUp' | 'pageDown' | 'top' | 'bottom' | 'pause' | 'nextMatch' | 'previousMatch' | 'lastError';

/** A key's effect on the window. Moving up pauses (the view stays put while lines arrive); reaching
 * the bottom follows again. */
export function moveLog(all: readonly LogLine[], state: LogWindowState, rows: number, move: LogMove): LogWindowState {
  const { lines } = filtered(all, state.filter);
  if (lines.length === 0) return state;
  const last = lines.length - 1;
  const bottom = state.anchor === null ? last : Math.max(0, indexAt(lines, state.anchor));
  const at = (i: number): LogWindowState => {
    const to = Math.max(Math.min(rows, lines.length) - 1, Math.min(last, i));
    return { ...state, anchor: to >= last ? null : lines[to]!.seq };
  };
  const markAt = (i: number): LogWindowState => {
    const to = Math.max(0, Math.min(last, i));
    const seq = lines[to]!.seq;
    // Keep the marked line on screen: the window ends at it, or stays when it is already visible.
    const visible = to <= bottom && to > bottom - rows;
    return { ...state, mark: seq, anchor: visible ? (state.anchor ?? lines[bottom]!.seq) : to >= last ? null : seq };
  };
  switch (move) {
    case 'pageUp':
      return at(bottom - rows);
    case 'pageDown':
      return at(bottom + rows);
    case 'top':
      return at(0);
    case 'bottom':
      return { ...state, anchor: null, mark: null };
    case 'pause':
      return state.anchor === null ? { ...state, anchor: lines[last]!.seq } : { ...state, anchor: null };
    case 'previousMatch': {
      const cur = state.mark === null ? bottom + 1 : indexAt(lines, state.mark);
      return markAt(cur - 1);
    }
    case 'nextMatch': {
      const cur = state.mark === null ? bottom : indexAt(lines, state.mark);
      return markAt(cur + 1);
    }
    case 'lastError': {
      // Paused at it, at the bottom of the window: the lines that led to it are above.
      for (let i = last; i >= 0; i--)
        if (lines[i]!.level === 'error')
          return { ...state, mark: lines[i]!.seq, anchor: lines[Math.max(i, Math.min(rows, lines.length) - 1)]!.seq };
      return state;
    }
  }
}
