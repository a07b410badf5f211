// What a monitor offers, whether it watches one engine (ClusterMonitor) or several (MultiMonitor):
// commands and the screen depend on this, never on which one they got.
import type { LogLine } from '../cluster/logs.js';
import type { NodeView, Snapshot } from '../cluster/types.js';
import type { Engine } from '../engine/engine.js';
import type { ProbeScope } from '../cluster/probe-plan.js';

/** The log lines of the nodes on screen; streams open only for the nodes `show` names. */
export interface MonitorLogs {
  subscribe(listener: () => void): () => void;
  getVersion(): number;
  tail(id: string, count: number): LogLine[];
  lines(id: string): readonly LogLine[];
  interleaved(limit?: number): LogLine[];
  jupyterOf(id: string): { url: string; port: number } | null;
  errorOf(id: string): string | null;
  show(nodes: readonly NodeView[]): void;
  /** Every line of every followed node (on screen, or followed for its training), sanitized: what a
   * recording keeps. */
  tap(listener: (line: LogLine) => void): () => void;
}

export interface Monitor {
  subscribe(listener: () => void): () => void;
  getSnapshot(): Snapshot;
  /** One snapshot of the cluster, without following it (status, doctor). */
  load(): Promise<Snapshot>;
  /** Loads, then follows: events, usage, probes, logs for what is shown. */
  start(): Promise<void>;
  stop(): void;
  /** One reachability round now (the steady scope, or every pair), and the listeners checked. */
  probeNow(scope?: ProbeScope): Promise<void>;
  /** The matrix is on screen: every pair probed each round while it is. */
  setMatrixShown(on: boolean): void;
  /** The nodes whose usage is on screen (sampled every interval; the rest less often); null: all. */
  setUsageFocus(ids: ReadonlySet<string> | null): void;
  readLastErrors(ids: readonly string[], tail?: number): Promise<void>;
  swarmNodesNow(): Promise<void>;
  awaitUsage(timeoutMs: number): Promise<Snapshot>;
  waitFor(predicate: (s: Snapshot) => boolean, timeoutMs: number): Promise<Snapshot>;
  readonly logs: MonitorLogs;
  /** The engine a node of the cluster runs on; null for an id that is not one of its nodes. */
  engineOf(id: string): Engine | null;
}
