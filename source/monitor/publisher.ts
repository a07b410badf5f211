// Who hears of a new snapshot, and when: every listener once per burst of changes (the changes of
// one event, one inspect and one probe round land in the same tick), after the burst, in a microtask.
export class Publisher {
  private readonly listeners = new Set<() => void>();
  private queued = false;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Tells every listener once, after the changes made in this tick. */
  notify(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      for (const listener of this.listeners) listener();
    });
  }

  clear(): void {
    this.listeners.clear();
  }
}
