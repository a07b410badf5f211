// Waiting on a store (ClusterMonitor, MultiMonitor) for a snapshot that satisfies a predicate.
import type { Snapshot } from '../cluster/types.js';

export interface SnapshotSource {
  getSnapshot(): Snapshot;
  subscribe(listener: () => void): () => void;
}

/** Resolves once a snapshot satisfies the predicate (used by status and tests); rejects after timeoutMs. */
export function waitForSnapshot(
  store: SnapshotSource,
  predicate: (s: Snapshot) => boolean,
  timeoutMs: number,
): Promise<Snapshot> {
  return new Promise((resolve, reject) => {
    if (predicate(store.getSnapshot())) return resolve(store.getSnapshot());
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = store.subscribe(() => {
      if (!predicate(store.getSnapshot())) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(store.getSnapshot());
    });
  });
}
