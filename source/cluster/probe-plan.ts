// Which pairs a reachability round probes, and who resolves names for whom. Pure.
//
// Steady state ('tf' scope): the pairs each node's framework dials (frameworks/: TensorFlow's by role
// — with ps tasks workers dial only the ps, never each other, although every TF_CONFIG lists them
// all —, a rank its job's master). Whether
// every task listens on its port is checked from tfmon's host where it can reach the nodes
// (listen-check.ts); where it cannot, a task no pair dials is dialed by one peer (`ring`: one connect
// each per round). Names in a TF_CONFIG that no pair covers are looked up, once per group of nodes on
// the same networks.
// The full N×(N−1) ('all' scope) runs while the matrix is on screen, on `p`, or with --probe-all.
//
// DNS is the same for every node on the same set of networks (Docker's embedded DNS answers per
// network): one node of each such group resolves the group's names; the others connect by address.
import { splitAddress } from './tf-config.js';
import { DEFAULT_TF_PORT, targetsOf, type Target } from './reach.js';
import type { NodeView } from './types.js';
import { compareText } from './order.js';
import { isJobRank } from './frameworks/placement.js';
import { frameworkOf, masterTarget } from './frameworks/registry.js';

export type ProbeScope = 'tf' | 'all';

export interface ProbeSource {
  node: NodeView;
  targets: Target[];
}

export interface ResolverGroup {
  /** The networks its members share, as a key. */
  key: string;
  /** The member that resolves the group's names; null when none can (all cut off the network). */
  resolver: NodeView | null;
  /** Members that may resolve instead, in order, when the resolver cannot be probed. */
  fallbacks: NodeView[];
  /** Names to resolve (targets that are not literal addresses), each once. */
  names: string[];
  /** Ids of the sources in the group. */
  members: string[];
  /** TF_CONFIG addresses of the group's nodes that no pair covers: their names are resolved (by
   * the resolver, with the others), not connected to. */
  dnsOnly: Target[];
}

export interface ProbePlan {
  sources: ProbeSource[];
  groups: ResolverGroup[];
}

const isLiteralAddress = (host: string): boolean => /^[0-9.]+$/.test(host) || host.includes(':');
const groupKey = (n: NodeView): string => n.networks.join(',');

/** The peers `node`'s framework connects to in steady state (frameworks/*: TensorFlow's by role,
 * a rank's to its master). */
export function tfTargetsOf(node: NodeView, nodes: readonly NodeView[], hasPs: boolean): Target[] {
  return frameworkOf(node)?.dials(node, { nodes, hasPs }) ?? [];
}

/** The matrix's pairs from a node: every peer that serves a known port, and a rank's master (which
 * may name no container). */
function everyTarget(node: NodeView, nodes: readonly NodeView[]): Target[] {
  const peers = targetsOf(
    node,
    nodes.filter((n) => !isJobRank(n) || n.port !== null),
  );
  const extra = isJobRank(node)
    ? masterTarget(node).filter((m) => !peers.some((t) => t.host === m.host && t.port === m.port))
    : [];
  return [...extra, ...peers];
}

/** A node that runs a server others dial, as its framework says (a TensorFlow task but an evaluator or
 * the coordinator of parameter-server training; a job's master on its port). */
export const servesTf = (n: NodeView, hasPs: boolean): boolean => frameworkOf(n)?.serves(n, { hasPs }) ?? false;

export const clusterHasPs = (nodes: readonly NodeView[]): boolean =>
  nodes.some((n) => n.role === 'ps' || (n.tfConfigParsed?.cluster['ps']?.length ?? 0) > 0);

/** Every address any node's TF_CONFIG names, per group of the nodes whose TF_CONFIG says it. */
function tfConfigAddresses(n: NodeView): Target[] {
  const out: Target[] = [];
  for (const tasks of Object.values(n.tfConfigParsed?.cluster ?? {})) {
    for (const t of tasks) {
      const a = splitAddress(t.address);
      if (a) out.push(a);
    }
  }
  return out;
}

/** Tasks of the group whose TF port no pair dials: each is dialed by the one before it (sorted by
 * name, in a ring), so every task's listener is checked once a round at one connect per node. */
function ringCheck(
  members: readonly NodeView[],
  sources: Map<string, ProbeSource>,
  keep: (from: NodeView, t: Target) => boolean,
  hasPs: boolean,
): void {
  const dialed = new Set([...sources.values()].flatMap((s) => s.targets.map((t) => `${t.host}:${t.port}`)));
  const tasks = members.filter((m) => m.attached && servesTf(m, hasPs)).sort((a, b) => compareText(a.name, b.name));
  const undialed = tasks.filter((m) => !dialed.has(`${m.dnsName}:${m.port ?? DEFAULT_TF_PORT}`));
  for (const node of undialed) {
    // The task before it in the ring of undialed tasks that can probe (a task on another host is a
    // target only), or any other task that can when it is alone.
    const i = undialed.indexOf(node);
    let from: NodeView | undefined;
    for (let k = 1; k < undialed.length && !from; k++) {
      const before = undialed[(i + undialed.length - k) % undialed.length]!;
      if (!before.remote) from = before;
    }
    from ??= tasks.find((t) => t.id !== node.id && !t.remote);
    if (!from) continue;
    const target = { host: node.dnsName, port: node.port ?? DEFAULT_TF_PORT };
    if (!keep(from, target)) continue;
    const source = sources.get(from.id) ?? { node: from, targets: [] };
    source.targets.push(target);
    sources.set(from.id, source);
  }
}

/**
 * The round's plan. `touched`: ids of nodes that just changed (started, stopped, attached or
 * detached): only the pairs from or to them, for a round right after the event.
 */
export function probePlan(
  nodes: readonly NodeView[],
  scope: ProbeScope,
  touched: ReadonlySet<string> | null = null,
  ring = true,
): ProbePlan {
  const probeable = nodes.filter((n) => n.state === 'running' && !n.remote);
  const hasPs = clusterHasPs(nodes);
  const touchedNames = new Set(nodes.filter((n) => touched?.has(n.id)).map((n) => n.dnsName));
  const keep = (from: NodeView, t: Target): boolean => !touched || touched.has(from.id) || touchedNames.has(t.host);

  const sources = new Map<string, ProbeSource>();
  for (const node of probeable) {
    const all = scope === 'all' ? everyTarget(node, nodes) : tfTargetsOf(node, nodes, hasPs);
    const targets = all.filter((t) => keep(node, t));
    if (targets.length) sources.set(node.id, { node, targets });
  }

  // Groups of nodes on the same networks; in 'tf' scope, the TF_CONFIG names no pair covers are
  // checked from one member of the group of a node that lists them.
  const byKey = new Map<string, NodeView[]>();
  for (const n of probeable) byKey.set(groupKey(n), [...(byKey.get(groupKey(n)) ?? []), n]);
  // The ring takes in the tasks of other hosts too (a swarm manager's remote tasks, another
  // engine's nodes): dialed over the overlay from this host's, every cross-host link is checked.
  const ringKey = new Map<string, NodeView[]>();
  for (const n of nodes.filter((x) => x.state === 'running'))
    ringKey.set(groupKey(n), [...(ringKey.get(groupKey(n)) ?? []), n]);
  if (scope === 'tf' && ring) for (const members of ringKey.values()) ringCheck(members, sources, keep, hasPs);
  const groups: ResolverGroup[] = [];
  const covered = new Set([...sources.values()].flatMap((src) => src.targets.map((t) => `${t.host}:${t.port}`)));
  for (const [key, members] of byKey) {
    const attached = members.filter((m) => m.attached).sort((a, b) => compareText(a.name, b.name));
    // Prefer a node that probes anyway (its session is open); else any attached member.
    const resolver = attached.find((m) => sources.has(m.id)) ?? attached[0] ?? null;
    const dnsOnly: Target[] = [];
    if (scope === 'tf' && resolver) {
      const seen = new Set<string>();
      for (const t of members.flatMap(tfConfigAddresses)) {
        const k = `${t.host}:${t.port}`;
        if (
          covered.has(k) ||
          seen.has(k) ||
          isLiteralAddress(t.host) ||
          t.host === resolver.dnsName ||
          !keep(resolver, t)
        )
          continue;
        seen.add(k);
        dnsOnly.push(t);
      }
    }
    const ids = members.filter((m) => sources.has(m.id)).map((m) => m.id);
    if (ids.length === 0 && dnsOnly.length === 0) continue;
    const hosts = [...ids.flatMap((id) => sources.get(id)!.targets.map((t) => t.host)), ...dnsOnly.map((t) => t.host)];
    const names = [...new Set(hosts.filter((h) => !isLiteralAddress(h)))].sort();
    const fallbacks = [...attached.filter((m) => sources.has(m.id)), ...attached.filter((m) => !sources.has(m.id))]
      .filter((m) => m !== resolver)
      .slice(0, 2);
    groups.push({ key, resolver, fallbacks, names, members: ids, dnsOnly });
  }
  return { sources: [...sources.values()], groups };
}

/** A steady round's plan with each source's pairs capped at `perSource`: in an all-to-all cluster
 * (no ps: every worker dials every worker) a round would otherwise connect N×(N−1) times (39,800
 * at 200 workers). The window moves every round, so every pair is still checked once every
 * ⌈(N−1)/perSource⌉ rounds; `planned` holds every pair of the uncapped plan (the results of pairs
 * not probed this round stay until their turn comes). Plans within the cap are returned as they are. */
export function capPairs(
  plan: ProbePlan,
  round: number,
  perSource: number,
): ProbePlan & { planned: Set<string> | null } {
  if (plan.sources.every((s) => s.targets.length <= perSource)) return { ...plan, planned: null };
  const planned = new Set(plan.sources.flatMap((s) => s.targets.map((t) => pairKey(s.node.name, t))));
  const sources = plan.sources.map((s, i) => {
    if (s.targets.length <= perSource) return s;
    const from = (round * perSource + i) % s.targets.length;
    const targets = Array.from({ length: perSource }, (_, k) => s.targets[(from + k) % s.targets.length]!);
    return { node: s.node, targets };
  });
  return { sources, groups: plan.groups, planned };
}

/** The key of a pair, as the sampler keeps its results: from a node's name to a host and port. */
export const pairKey = (from: string, t: Target): string => `${from}\t${t.host}:${t.port}`;
