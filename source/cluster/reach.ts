// Who must reach whom, and what a round of probes means. Pure.
import { startingUntil } from './frameworks/placement.js';
import { splitAddress } from './tf-config.js';
import type { NodeView, Problem } from './types.js';
import { isProbeableHost, type ProbeResult } from './probe.js';

export const DEFAULT_TF_PORT = 2222;

export interface ReachEntry {
  from: string;
  to: string;
  port: number;
  dns: ProbeResult['dns'] | 'unprobed';
  ip: string | null;
  tcp: ProbeResult['tcp'] | 'unprobed';
  ms: number | null;
  /** Why a pair is unprobed or failed, in words; null when all is well. */
  reason: string | null;
  /** Resolver+connector the probe used ("getent+python3", "nslookup+nc"); null when not probed. */
  tools: string | null;
}

export interface Target {
  host: string;
  port: number;
}

/** The peers a node reaches: the other nodes on the network (at their TF port) and the addresses of
 * its own TF_CONFIG cluster spec, once each; `roles`: only nodes and jobs of these roles (null: all). */
export function targetsOf(
  node: NodeView,
  nodes: readonly NodeView[],
  roles: readonly string[] | null = null,
): Target[] {
  const out: Target[] = [];
  const seen = new Set<string>();
  const add = (host: string, port: number): void => {
    const key = `${host}:${port}`;
    if (host === node.dnsName || seen.has(key)) return;
    seen.add(key);
    out.push({ host, port });
  };
  for (const peer of nodes)
    if (peer.id !== node.id && (!roles || roles.includes(peer.role))) add(peer.dnsName, peer.port ?? DEFAULT_TF_PORT);
  for (const [job, tasks] of Object.entries(node.tfConfigParsed?.cluster ?? {})) {
    if (roles && !roles.includes(job)) continue;
    for (const t of tasks) {
      const a = splitAddress(t.address);
      if (a) add(a.host, a.port);
    }
  }
  return out;
}

/** Results of one node's round, matched to its targets by order (the probe answers in order). */
export function entriesOf(
  from: string,
  targets: readonly Target[],
  results: readonly (ProbeResult | undefined)[],
): ReachEntry[] {
  return targets.map((t, i): ReachEntry => {
    const r = results[i];
    if (!isProbeableHost(t.host))
      return {
        from,
        to: t.host,
        port: t.port,
        dns: 'error',
        ip: null,
        tcp: 'skipped',
        ms: null,
        reason: 'not a plain host name: not probed',
        tools: null,
      };
    if (!r)
      return {
        from,
        to: t.host,
        port: t.port,
        dns: 'unprobed',
        ip: null,
        tcp: 'unprobed',
        ms: null,
        reason: 'no answer from the probe in this round',
        tools: null,
      };
    const reason =
      r.dns === 'nxdomain'
        ? `${t.host} does not resolve from ${from}`
        : r.dns === 'error'
          ? r.tools === 'none'
            ? `${from} has no getent, nslookup or python3 to resolve names with`
            : `no address for ${t.host} from ${from} (${r.tools}): no running container behind the name, or Docker's DNS did not answer`
          : r.tcp === 'refused'
            ? `${t.host}:${t.port} refused the connection (nothing listens)`
            : r.tcp === 'timeout'
              ? `${t.host}:${t.port} did not answer within 2 s`
              : r.tcp === 'error'
                ? `${t.host}:${t.port}: connect failed (${r.tools})`
                : null;
    return { from, to: t.host, port: t.port, dns: r.dns, ip: r.ip, tcp: r.tcp, ms: r.ms, reason, tools: r.tools };
  });
}

export const unprobed = (from: string, targets: readonly Target[], reason: string): ReachEntry[] =>
  targets.map((t) => ({
    from,
    to: t.host,
    port: t.port,
    dns: 'unprobed',
    ip: null,
    tcp: 'unprobed',
    ms: null,
    reason,
    tools: null,
  }));

/** The codes reachProblems raises (the details pane sums them up in one line). */
export const REACH_CODES: ReadonlySet<string> = new Set([
  'peer_unresolvable',
  'port_refused',
  'port_timeout',
  'ip_mismatch',
]);

/** peer_unresolvable, port_refused, port_timeout, ip_mismatch: each names its source and target. */
export function reachProblems(entries: readonly ReachEntry[], nodes: readonly NodeView[], now = Date.now()): Problem[] {
  const ipOf = new Map(nodes.map((n) => [n.dnsName, n.ip]));
  // A job's master still starting refuses its port: not a fault yet (startingUntil).
  const starting = new Set(nodes.filter((n) => startingUntil(n) > now).map((n) => n.dnsName));
  const problems: Problem[] = [];
  for (const e of entries) {
    const add = (code: Problem['code'], message: string): void => {
      problems.push({ severity: 'error', node: e.from, code, message, nodes: [e.from, e.to] });
    };
    if (e.dns === 'nxdomain') add('peer_unresolvable', `${e.to} does not resolve from ${e.from}`);
    else if (e.dns === 'error' && isProbeableHost(e.to)) {
      add('peer_unresolvable', e.reason ?? `looking up ${e.to} from ${e.from} failed`);
    } else if (e.tcp === 'refused' && starting.has(e.to)) continue;
    else if (e.tcp === 'refused') add('port_refused', `${e.from} → ${e.to}:${e.port}: connection refused`);
    else if (e.tcp === 'timeout') add('port_timeout', `${e.from} → ${e.to}:${e.port}: no answer within 2 s`);
    const expected = ipOf.get(e.to);
    if (e.dns === 'ok' && expected && e.ip && e.ip !== expected) {
      add('ip_mismatch', `${e.to} resolves to ${e.ip} from ${e.from}, but its address on the network is ${expected}`);
    }
  }
  return problems;
}

/** A task's TF port as tfmon's host found it (listen-check.ts), by node id. */
export interface ListenerView {
  port: number;
  state: 'ok' | 'refused' | 'timeout' | 'error';
}

/** not_listening: a task whose TF port nothing accepts, on that task: the fix is there, not on the
 * peers that would dial it. */
export function listenProblems(
  listeners: Readonly<Record<string, ListenerView>>,
  nodes: readonly NodeView[],
  now = Date.now(),
): Problem[] {
  const problems: Problem[] = [];
  for (const n of nodes) {
    const l = listeners[n.id];
    if (!l || l.state === 'ok' || startingUntil(n) > now) continue;
    const why =
      l.state === 'refused'
        ? 'nothing accepts connections there'
        : l.state === 'timeout'
          ? 'a connect got no answer within 2 s'
          : 'a connect failed';
    problems.push({
      severity: 'error',
      node: n.name,
      code: 'not_listening',
      message: `${n.name} does not listen on ${l.port}, its TF port (${why})`,
      nodes: [n.name],
    });
  }
  return problems;
}
