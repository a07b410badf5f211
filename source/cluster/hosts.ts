// A cluster across hosts (a swarm's nodes, several engines): which host each task runs on, and the
// faults of the link between two hosts, told from the pairs that cross it. When every probed pair
// between host X and host Y fails while the tasks on both run, the fault is the link, not N×M
// pairs: a partition when the swarm's manager no longer hears one of them, the overlay's data path
// (VXLAN, 4789/udp) when it still hears both (names resolve from the swarm's own records, the ports
// time out). One root each, the pairs its consequences (causes.ts). Pure.
import type { ReachEntry } from './reach.js';
import type { NodeView, Problem, ProblemCode, SwarmNodeInfo } from './types.js';
import { engineLabel } from '../text/format.js';

export const HOST_LINK_CODES: readonly ProblemCode[] = ['host_partition', 'overlay_data_path'];

/** The host a node runs on: its swarm node's name, else its engine's; null with one plain engine. */
export const hostOf = (n: Pick<NodeView, 'swarmNode' | 'engineHost'>): string | null =>
  n.swarmNode ?? (n.engineHost ? engineLabel(n.engineHost) : null);

const FAILED = new Set(['timeout', 'refused', 'error']);

/** One direction of a link: pairs from host a to host b. */
const linkKey = (a: string, b: string): string => `${a}\t${b}`;

export function hostLinkProblems(
  nodes: readonly NodeView[],
  reachability: readonly ReachEntry[],
  swarmNodes: Readonly<Record<string, SwarmNodeInfo>> | undefined,
  /** Engines that do not answer: a link to a host whose engine is lost is that engine's problem. */
  lostEngines: ReadonlySet<string> = new Set(),
  /** Hosts whose own engine answers (several engines): one the swarm says is down is cut off. */
  answering: ReadonlySet<string> = new Set(),
): Problem[] {
  const byName = new Map<string, NodeView>();
  for (const n of nodes) {
    byName.set(n.dnsName, n);
    byName.set(n.name, n);
  }
  const links = new Map<string, { failed: number; ok: number; targets: Set<string> }>();
  for (const e of reachability) {
    const from = byName.get(e.from);
    const to = byName.get(e.to);
    if (!from || !to || to.state !== 'running' || from.state !== 'running') continue;
    const [a, b] = [hostOf(from), hostOf(to)];
    if (!a || !b || a === b) continue;
    const failed = FAILED.has(e.tcp) || e.dns === 'nxdomain' || e.dns === 'error';
    if (!failed && e.tcp !== 'ok') continue; // skipped, unprobed: says nothing of the link
    const link = links.get(linkKey(a, b)) ?? { failed: 0, ok: 0, targets: new Set<string>() };
    if (failed) {
      link.failed++;
      link.targets.add(to.name);
    } else link.ok++;
    links.set(linkKey(a, b), link);
  }
  const state = new Map(Object.values(swarmNodes ?? {}).map((s) => [s.name, s.state]));
  const lostHost = (h: string): boolean =>
    nodes.some((n) => hostOf(n) === h && n.engineHost !== undefined && lostEngines.has(n.engineHost));
  // One root per pair of hosts (one way failing is enough: each engine probes at its own time,
  // so the other way's results may be a round older).
  const roots = new Map<string, { hosts: [string, string]; problem: Problem }>();
  for (const [key, link] of links) {
    // Every pair one way across it failed, to more than one task: the link, not a task.
    if (link.ok > 0 || link.failed < 2 || link.targets.size < 2) continue;
    const [a, b] = (key.split('\t') as [string, string]).sort() as [string, string];
    if (lostHost(a) || lostHost(b) || roots.has(linkKey(a, b))) continue;
    const failed = (links.get(linkKey(a, b))?.failed ?? 0) + (links.get(linkKey(b, a))?.failed ?? 0);
    const on = nodes.filter((n) => hostOf(n) === a || hostOf(n) === b).map((n) => n.name);
    const down = [a, b].filter((h) => state.has(h) && state.get(h) !== 'ready');
    const code: ProblemCode = down.length > 0 || state.size === 0 ? 'host_partition' : 'overlay_data_path';
    const message =
      code === 'overlay_data_path'
        ? `the overlay between ${a} and ${b} carries nothing: ${failed} pairs across it fail while the swarm still hears both hosts (names resolve, ports time out): its data path, VXLAN on 4789/udp, is blocked between them (should the swarm mark one of them down in the next seconds, its heartbeat lost too, it is a partition)`
        : `${a} and ${b} cannot reach each other: ${failed} pairs across fail${
            down.length ? `; the swarm says ${down.map((h) => `${h} is ${state.get(h)}`).join(', ')}` : ''
          } (a partition: the network between the hosts)`;
    roots.set(linkKey(a, b), {
      hosts: [a, b],
      problem: { severity: 'error', node: null, code, nodes: on, causedBy: null, message },
    });
  }
  // The swarm no longer hears a host whose own engine answers: the network to it is cut, whatever
  // the pairs say (Swarm may have moved every task off it already). That is the root for its links.
  for (const [name, st] of state) {
    if (st === 'ready' || !answering.has(name)) continue;
    for (const [key, r] of roots) if (r.hosts.includes(name)) roots.delete(key);
    const others = [...new Set(nodes.map(hostOf).filter((h): h is string => h !== null && h !== name))];
    roots.set(name, {
      hosts: [name, name],
      problem: {
        severity: 'error',
        node: null,
        code: 'host_partition',
        nodes: nodes.map((n) => n.name),
        causedBy: null,
        message: `the swarm says ${name} is ${st} while its engine answers: the network between ${name} and ${others.join(', ') || 'the manager'} is cut (a partition; Swarm starts its tasks elsewhere)`,
      },
    });
  }
  const out = [...roots.values()].map((r) => r.problem);
  return out;
}
