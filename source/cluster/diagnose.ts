// Every problem of a cluster from what was observed of it, with each consequence under its root: the
// one diagnosis both the monitor of one engine and that of several make. Pure.
import { explain } from './causes.js';
import { findProblems } from './problems.js';
import { type ListenerView, listenProblems, type ReachEntry, reachProblems } from './reach.js';
import { hostLinkProblems } from './hosts.js';
import type { NetworkInfo, NodeView, Problem, ProblemCode, SwarmNodeInfo } from './types.js';

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
  /** A swarm manager's nodes and their states: whether a host the pairs cannot reach is down. */
  swarmNodes?: Readonly<Record<string, SwarmNodeInfo>>;
  /** Engines that do not answer (--host repeated). */
  lostEngines?: ReadonlySet<string>;
  /** Hosts whose own engine answers (--host repeated). */
  answering?: ReadonlySet<string>;
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
      ...(o.reachability ? hostLinkProblems(o.nodes, o.reachability, o.swarmNodes, o.lostEngines, o.answering) : []),
      ...(o.training ?? []),
    ],
    o.nodes,
  );
}

/** The codes engineProblems raises. */
export const ENGINE_CODES: readonly ProblemCode[] = ['engine_unreachable', 'cross_engine_without_overlay'];

/** The engines' own problems, for a cluster watched on several: one that does not answer; nodes on
 * several engines on a network that is not an overlay (a bridge of one host cannot reach another's). */
export function engineProblems(
  engines: readonly { host: string; error: string | null; driver: string | null | undefined }[],
  nodes: readonly Pick<NodeView, 'engineHost' | 'name'>[],
): Problem[] {
  // Its nodes are named: they keep their last state, and the pairs to them follow from it.
  const out: Problem[] = engines.flatMap((e): Problem[] => {
    if (!e.error) return [];
    const on = nodes.filter((n) => n.engineHost === e.host).map((n) => n.name);
    return [
      {
        severity: 'error',
        node: null,
        code: 'engine_unreachable',
        message: `${e.host}: ${e.error}`,
        ...(on.length ? { nodes: on } : {}),
      },
    ];
  });
  const hosts = new Set(nodes.map((n) => n.engineHost));
  // The network as the engines that answered say it (driver undefined: no answer).
  const live = engines.filter((e) => e.driver !== undefined);
  if (hosts.size > 1 && !live.every((e) => e.driver === 'overlay')) {
    out.push({
      severity: 'error',
      node: null,
      code: 'cross_engine_without_overlay',
      message: `the cluster spans ${hosts.size} engines on a ${live[0]?.driver ?? 'local'} network: nodes on different hosts cannot reach each other (use a swarm overlay network: tfmon up --swarm)`,
    });
  }
  return out;
}
