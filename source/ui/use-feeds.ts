// What the screen tells the monitor about what it shows, so that the monitor spends only on that:
// log streams for the nodes on screen, usage every interval for the rows on screen, every pair
// probed while the matrix is shown; and the clock that redraws uptimes. No Docker call here either:
// the monitor decides what each wish costs.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { NodeUsage, NodeView } from '../cluster/types.js';
import { formatDuration } from '../text/format.js';
import type { LogSource } from './LogPanes.js';
import type { ScreenActions } from './use-screen.js';

/** Streams only for what is on screen. Settles for a moment first, so that holding ↓ through 50
 * nodes does not open and close 50 streams. */
export function useShownLogs(logs: LogSource, shown: readonly NodeView[]): void {
  const key = shown.map((n) => `${n.id}:${n.state}`).join(',');
  const latest = useRef(shown);
  latest.current = shown;
  // biome-ignore lint/correctness/useExhaustiveDependencies: key is the shown set's identity; the effect reads the set itself through latest
  useEffect(() => {
    const timer = setTimeout(() => logs.show(latest.current), 120);
    return () => clearTimeout(timer);
  }, [key, logs]);
  useEffect(() => () => logs.show([]), [logs]);
}

/** Usage every interval for these nodes (null: all of them); the others every fifth interval.
 * Every pair probed while the matrix is on screen; TensorFlow's pairs otherwise. */
export function useMonitorFocus(
  actions: ScreenActions | undefined,
  focus: readonly NodeView[] | null,
  matrixShown: boolean,
): void {
  const ref = useRef(actions);
  ref.current = actions;
  const focusKey = focus === null ? '*' : focus.map((n) => n.id).join(',');
  useEffect(() => {
    ref.current?.usageFocus?.(focusKey === '*' ? null : new Set(focusKey.split(',').filter(Boolean)));
  }, [focusKey]);
  useEffect(() => {
    ref.current?.matrixShown?.(matrixShown);
  }, [matrixShown]);
  useEffect(
    () => () => {
      ref.current?.usageFocus?.(null);
      ref.current?.matrixShown?.(false);
    },
    [],
  );
}

/** The time uptimes are drawn at: a frame when their text changes (every second for a node up less
 * than a minute, at each minute otherwise), not every second. Never earlier than the snapshot. */
export function useUptimeClock(nodes: readonly NodeView[], updatedAt: number, clock: () => number): number {
  const [now, setNow] = useState(clock);
  // The nodes list keeps its identity across usage samples: parsed when the nodes change, not per frame.
  const starts = useMemo(
    () => nodes.filter((n) => n.state === 'running' && n.startedAt).map((n) => Date.parse(n.startedAt!)),
    [nodes],
  );
  const startsRef = useRef(starts);
  startsRef.current = starts;
  const drawn = Math.max(now, updatedAt);
  const drawnRef = useRef(drawn);
  drawnRef.current = drawn;
  useEffect(() => {
    const timer = setInterval(() => {
      const t = clock();
      // A data frame drawn within the last interval and a half carried the time already (the
      // snapshot's): this tick would be one more frame for the same second.
      if (t - drawnRef.current < 1500) return;
      if (
        startsRef.current.some((started) => formatDuration(t - started) !== formatDuration(drawnRef.current - started))
      )
        setNow(t);
    }, 1000);
    return () => clearInterval(timer);
  }, [clock]);
  return drawn;
}

/** Usage older than this is said with its age: a slow or stalled link shows as such, not as calm. */
export const USAGE_STALE_S = 5;

/** How stale the usage figures are: seconds since the newest sample arrived (or, before any did,
 * since usage was asked for), once that is USAGE_STALE_S or more; null while fresh. `none`: no
 * sample has come yet. Ticks once a second, and redraws only when what it says changes. */
export function useUsageAge(
  usage: Readonly<Record<string, NodeUsage>>,
  on: boolean,
  clock: () => number,
): { seconds: number; none: boolean } | null {
  const newest = useMemo(() => {
    let at = 0;
    for (const u of Object.values(usage)) if (u.counters && u.counters.at > at) at = u.counters.at;
    return at || null;
  }, [usage]);
  // Since when figures were expected: the first draw with usage on (again after an outage).
  const since = useRef<number | null>(null);
  if (!on) since.current = null;
  else since.current ??= clock();
  const ageOf = (t: number): { seconds: number; none: boolean } | null => {
    const from = newest ?? since.current;
    if (!on || from === null) return null;
    const seconds = Math.floor((t - from) / 1000);
    return seconds >= USAGE_STALE_S ? { seconds, none: newest === null } : null;
  };
  // The tick only redraws when the text changes (React skips an equal state); the figure itself is
  // read at each draw, so a new sample makes it fresh at once.
  const [, setText] = useState('');
  const ageRef = useRef(ageOf);
  ageRef.current = ageOf;
  useEffect(() => {
    if (!on) return undefined;
    const timer = setInterval(() => setText(JSON.stringify(ageRef.current(clock()))), 1000);
    return () => clearInterval(timer);
  }, [on, clock]);
  return ageOf(clock());
}
