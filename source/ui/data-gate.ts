// How often data may redraw the screen. The monitor tells of every change (a usage sample, a probe
// round, a progress line, log lines of the node shown); drawn at once, 50 nodes printing a line a
// second made 96 data frames a minute (measured), and each frame is a render of the whole screen:
// React, Ink's layout and output, and the diff against the last.
// Through the gate, data draws at most once per interval: a change is drawn at once when the last
// data frame is older than that, else at the end of the interval, with everything that came
// meanwhile. Keys are not gated: they redraw at once, with the data as last drawn.

/** Something the screen subscribes to (useSyncExternalStore): its value holds between notices. */
export interface Source<T> {
  subscribe(listener: () => void): () => void;
  read(): T;
}

export interface Gate {
  /** A source seen through the gate: notices at most once per interval, the value as of the last. */
  through<T>(source: Source<T>): Source<T>;
  /** Data-driven notices let through so far (the bench counts them). */
  readonly passed: number;
  stop(): void;
}

export function dataGate(intervalMs: number, now: () => number = Date.now): Gate {
  const held: { refresh: () => void; listeners: Set<() => void> }[] = [];
  let last = -Infinity;
  let timer: NodeJS.Timeout | null = null;
  let pending = false;
  let passed = 0;
  let stopped = false;
  // One gate for every source: a progress line and a usage sample in the same interval are one frame.
  const open = (): void => {
    pending = false;
    timer = null;
    if (stopped) return;
    last = now();
    passed++;
    for (const h of held) h.refresh();
    for (const h of held) for (const l of h.listeners) l();
  };
  const knock = (): void => {
    if (pending || stopped) return;
    pending = true;
    const wait = last + intervalMs - now();
    // Due now: after this tick, so that a burst of notices in it is one frame.
    if (wait <= 0) queueMicrotask(open);
    else timer = setTimeout(open, wait);
  };
  return {
    through<T>(source: Source<T>): Source<T> {
      let value = source.read();
      const listeners = new Set<() => void>();
      held.push({ refresh: () => (value = source.read()), listeners });
      let unsubscribe: (() => void) | null = null;
      return {
        subscribe(listener) {
          listeners.add(listener);
          unsubscribe ??= source.subscribe(knock);
          return () => {
            listeners.delete(listener);
            if (listeners.size === 0 && unsubscribe) {
              unsubscribe();
              unsubscribe = null;
            }
          };
        },
        read: () => value,
      };
    },
    get passed() {
      return passed;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
