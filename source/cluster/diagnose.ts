// Every problem of a cluster from what was observed of it, with each consequence under its root: the
// one diagnosis both the monitor of one engine and that of several make. Pure.
import { explain } from './causes.js';
import { findProblems } from './problems.js';
import { type ListenerView, listenProblems, type ReachEntry, reachProblems } from './reach.js';
import type { NetworkInfo, NodeView, Problem } from './types.js';

export interface Observations {
  network: NetworkInfo;
  nodes: readonly NodeView[];
  /** What the checks of the nodes found (findProblems), where the caller keeps it between probe
   * rounds; worked out here otherwise. */
  found?: readonly Problem[];
  listeners?: Readonly<Record<string, ListenerView>>;
  reachability?: readonly ReachEntry[];
  /** The training's judgments (stalls, stragglers, what a framework says of a peer). */
  training?: readonly Problem[];
  /** The engines' own: one that does not answer, a cluster across engines without an overlay. */
  engines?: readonly Problem[];
  now?: number;
}

export function diagnose(o: Observations): Problem[] {
  const now = o.now ?? Date.now();
  return explain(
    [
      ...(o.engines ?? []),
      ...(o.found ?? findProblems(o.network, o.nodes)),
      ...(o.listeners ? listenProblems(o.listeners, o.nodes, now) : []),
      ...(o.reachability ? reachProblems(o.reachability, o.nodes, now) : []),
      ...(o.training ?? []),
    ],
    o.nodes,
  );
}
