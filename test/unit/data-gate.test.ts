// The gate between the monitor's notices and the screen: at most one data frame per interval, the
// first at once, a burst as one, nothing lost at the end of an interval.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dataGate, type Source } from '../../source/ui/data-gate.js';

/** A source like the monitor: a value and its listeners. */
function source(): Source<number> & { set(v: number): void } {
  let value = 0;
  const listeners = new Set<() => void>();
  return {
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    read: () => value,
    set(v) {
      value = v;
      for (const l of listeners) l();
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the data gate', () => {
  it('lets the first change through at once, then at most one per interval with the latest values of every source', async () => {
    vi.useFakeTimers();
    const gate = dataGate(500);
    const a = source();
    const b = source();
    const ga = gate.through(a);
    const gb = gate.through(b);
    let frames = 0;
    ga.subscribe(() => frames++);
    gb.subscribe(() => frames++);
    a.set(1);
    a.set(2); // the same tick: one frame
    await vi.advanceTimersByTimeAsync(0);
    expect([frames, ga.read(), gb.read()]).toEqual([2, 2, 0]); // both listeners told once
    for (let i = 3; i <= 12; i++) {
      a.set(i);
      b.set(i * 10);
      await vi.advanceTimersByTimeAsync(40); // 10 changes of each in 400 ms
    }
    expect([frames, ga.read()]).toEqual([2, 2]); // held: the interval is not over
    await vi.advanceTimersByTimeAsync(100);
    expect([frames, ga.read(), gb.read()]).toEqual([4, 12, 120]); // one frame, the latest values
    expect(gate.passed).toBe(2);
    // Quiet for a while: the next change is drawn at once again.
    await vi.advanceTimersByTimeAsync(2000);
    a.set(13);
    await vi.advanceTimersByTimeAsync(0);
    expect([gate.passed, ga.read()]).toEqual([3, 13]);
    gate.stop();
  });

  it('an interval of 0 passes every change (after its tick); stop() lets nothing through after', async () => {
    const gate = dataGate(0);
    const a = source();
    const ga = gate.through(a);
    const seen: number[] = [];
    ga.subscribe(() => seen.push(ga.read()));
    a.set(1);
    await Promise.resolve();
    a.set(2);
    await Promise.resolve();
    expect(seen).toEqual([1, 2]);
    gate.stop();
    a.set(3);
    await Promise.resolve();
    expect(seen).toEqual([1, 2]);
  });
});
