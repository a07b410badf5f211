// Root causes, not symptoms: which problems follow from which, so that each fault is reported once,
// on the node where the fix goes, with its consequences folded under it. Pure.
//
// Rules (each consequence names its cause in causedBy):
// - a peer that does not resolve, refuses or times out because it is not running (exited, crash
//   loop, OOM kill) or not attached to the network: caused by that, on the peer;
// - a node cut off the network cannot reach anyone: its own pairs follow from its not_attached;
// - refusals on a node's TF port that tfmon's host also finds closed: caused by its not_listening;
//   refusals from two or more peers where the host cannot check: one not_listening root is made;
// - a TF_CONFIG address that no container has: one unknown_host root on the nodes whose TF_CONFIG
//   names it (their stale TF_CONFIG, when it is that), the unresolvable pairs its consequences;
// - on one node, what one fault also raises there (an OOM kill is also "not running"; a TF_CONFIG that
//   names a wrong host is also stale) follows from it; an index gap left by a duplicate follows from it;
// - the same warning on several nodes (GRPC_FAIL_FAST unset, no TF_CONFIG) is one finding;
// - a task TensorFlow says it waits for or lost (session_waiting, worker_failed, ps_failed): caused by
//   that task's node not running, not listening, or by the reporter's failing pair to it;
// - a node whose training stalled while one of its pairs fails: caused by what that pair follows from;
// - a rank (PyTorch, Horovod…) that died naming a peer it lost (gloo's "Connection closed by peer
//   [IP]:port") when that peer is down too: caused by the peer's fault, or by the fault of whichever
//   rank that peer names in turn (a chain ends at the rank that named no one, a circle at the one
//   that stopped first); a rank that died waiting for the others (the store's "2/3 clients joined",
//   a master it could not reach) while the job lacks a rank or a rank is misdirected: caused by that.
import { ncclTimeout, peerNamed, waitedForTheJob } from './frameworks/failure-lines.js';
import { isJobRank } from './frameworks/placement.js';
import type { Cause, NodeView, Problem, ProblemCode } from './types.js';

const REACH: ReadonlySet<ProblemCode> = new Set(['peer_unresolvable', 'port_refused', 'port_timeout']);
/** Warnings that read as one finding when several nodes have them. */
const MERGED: ReadonlySet<ProblemCode> = new Set(['grpc_fail_fast_unset', 'tf_config_missing']);
/** What keeps a node from being reached, most telling first. */
const DOWN: readonly ProblemCode[] = ['not_attached', 'oom_killed', 'crash_loop', 'not_running'];
/** Problems TensorFlow's messages put on the task they name: nodes = [that task's node, reporters…]. */
const TASK_REPORTS: ReadonlySet<ProblemCode> = new Set(['session_waiting', 'worker_failed', 'ps_failed']);

/** On one node, a problem that follows from another there (a stale TF_CONFIG from the wrong host it
 * names, an OOM-killed node that is therefore not running…). */
const SAME_NODE: readonly [ProblemCode, readonly ProblemCode[]][] = [
  ['not_running', ['oom_killed']],
  ['not_listening', ['oom_killed', 'crash_loop', 'not_running']],
  ['tf_config_stale', ['unknown_host', 'loopback_address']],
  ['not_running', ['job_mismatch', 'loopback_address', 'rendezvous_unhosted']],
  ['stalled', ['ranks_failed']],
];
/** A job's own faults that keep the other ranks waiting. */
const JOB_FAULTS: readonly ProblemCode[] = [
  'rank_missing',
  'job_mismatch',
  'duplicate_rank',
  'loopback_address',
  'rendezvous_unhosted',
  'collective_timeout',
];

/** A TF_CONFIG address on the node itself (loopback_address's finding, not a missing host). */
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1|0\.0\.0\.0)$/i;

const severityRank = (p: Problem): number => (p.severity === 'error' ? 0 : 1);

/** The problems with causedBy and nodes set: roots first (errors, then warnings), then consequences. */
export function explain(problems: readonly Problem[], nodes: readonly NodeView[]): Problem[] {
  const byName = new Map<string, NodeView>();
  for (const n of nodes) {
    byName.set(n.dnsName, n);
    byName.set(n.name, n);
  }
  const roots: Problem[] = [];
  const rest: Problem[] = [];
  // A pair's problem names both ends (reachProblems sets them); one that does not is taken as it is.
  for (const p of problems)
    (REACH.has(p.code) && p.nodes?.length === 2 && p.node ? rest : roots).push(withNodes(p, nodes));
  const rootOn = (node: string, codes: readonly ProblemCode[]): Problem | undefined =>
    codes.map((c) => roots.find((r) => r.node === node && r.code === c)).find(Boolean);

  // Refusals where the host could not check: two or more peers refused → the node does not listen.
  const refusedBy = new Map<string, string[]>();
  for (const p of rest)
    if (p.code === 'port_refused') refusedBy.set(p.nodes![1]!, [...(refusedBy.get(p.nodes![1]!) ?? []), p.node!]);
  for (const [target, from] of refusedBy) {
    const t = byName.get(target);
    if (t?.state !== 'running' || from.length < 2 || rootOn(t.name, ['not_listening', 'rendezvous_unhosted'])) continue;
    roots.push({
      severity: 'error',
      node: t.name,
      code: 'not_listening',
      nodes: [t.name],
      causedBy: null,
      message: `${t.name} does not listen on ${t.port ?? 'its TF port'}, its TF port: ${from.length} peers were refused`,
    });
  }
  // A rank told another master than the others: its pair to that master follows from the mismatch.
  const misdirected = (from: string, target: string): Problem | undefined => {
    const n = byName.get(from);
    return n?.master?.startsWith(`${target}:`) ? rootOn(from, ['job_mismatch']) : undefined;
  };
  // Addresses no container has, per TF_CONFIG (or master variable) that names them.
  const unknownHosts = new Map<string, Set<string>>();
  for (const p of rest) {
    const target = p.nodes![1]!;
    if (
      p.code === 'peer_unresolvable' &&
      !byName.has(target) &&
      !LOOPBACK.test(target) &&
      !misdirected(p.node!, target)
    )
      unknownHosts.set(target, new Set([...(unknownHosts.get(target) ?? []), p.node!]));
  }
  const unknownRoot = new Map<string, Problem>();
  for (const [host, named] of unknownHosts) {
    const by = nodes
      .filter((n) => named.has(n.name) || JSON.stringify(n.tfConfigParsed?.cluster ?? {}).includes(`"${host}:`))
      .map((n) => n.name);
    const list = by.length ? by : [...named];
    const asMaster = list.every((name) => byName.get(name)?.master?.startsWith(`${host}:`));
    const root: Problem = {
      severity: 'error',
      node: list.length === 1 ? list[0]! : null,
      code: 'unknown_host',
      nodes: list,
      causedBy: null,
      message: `${host} is named ${asMaster ? 'as the master (MASTER_ADDR) by' : 'in the TF_CONFIG of'} ${list.length === nodes.length ? 'every node' : list.join(', ')}, but no container on the network is ${host}`,
    };
    unknownRoot.set(host, root);
    roots.push(root);
  }

  const consequences: Problem[] = [];
  // One fault, one root, on the same node: what else it raises there follows from it.
  for (const [code, by] of SAME_NODE) {
    for (const p of roots.filter((r) => r.code === code && r.node)) {
      const cause = rootOn(p.node!, by);
      if (cause) consequences.push({ ...p, causedBy: { node: cause.node, code: cause.code } });
    }
  }
  // A node claiming another's task leaves its own slot empty (tf-worker-3 claiming worker 4: no
  // worker 3): that gap follows from the duplicate.
  for (const gap of roots.filter((r) => r.code === 'index_gap')) {
    const m = /^(\w+) indexes [\d, ]+: ([\d, ]+) missing/.exec(gap.message);
    if (!m) continue;
    const missing = new Set(m[2]!.split(', ').map(Number));
    const dup = roots.find(
      (r) =>
        r.code === 'duplicate_task' &&
        r.message.includes(`claim task ${m[1]}:`) &&
        (r.nodes ?? []).some((name) => missing.has(Number(/(\d+)$/.exec(name)?.[1] ?? NaN))),
    );
    if (dup) consequences.push({ ...gap, causedBy: { node: dup.node, code: dup.code } });
  }
  const keyOf = (c: Problem): string => `${c.node}\t${c.code}\t${c.message}`;
  const already = new Set(consequences.map(keyOf));
  consequences.push(...rankFailures(roots, nodes, byName).filter((c) => !already.has(keyOf(c))));
  const folded = new Set(consequences.map(keyOf));
  for (let i = roots.length - 1; i >= 0; i--)
    if (folded.has(`${roots[i]!.node}\t${roots[i]!.code}\t${roots[i]!.message}`)) roots.splice(i, 1);

  for (const p of rest) {
    const [from, target] = [p.node!, p.nodes![1]!];
    const t = byName.get(target);
    const cause =
      rootOn(from, ['not_attached']) ??
      (LOOPBACK.test(target) ? rootOn(from, ['loopback_address']) : undefined) ??
      misdirected(from, target) ??
      (t
        ? (rootOn(t.name, DOWN) ??
          (p.code !== 'peer_unresolvable' ? rootOn(t.name, ['not_listening', 'rendezvous_unhosted']) : undefined))
        : unknownRoot.get(target));
    if (cause) consequences.push({ ...p, causedBy: { node: cause.node, code: cause.code } });
    else roots.push(p);
  }
  // What TensorFlow says about a task, explained by what tfmon sees of it.
  const pairs = [...roots, ...consequences].filter((q) => REACH.has(q.code) && q.nodes?.length === 2);
  const causeOfPair = (q: Problem): Cause => q.causedBy ?? { node: q.node, code: q.code };
  for (let i = roots.length - 1; i >= 0; i--) {
    const p = roots[i]!;
    let cause: Cause | undefined;
    if (TASK_REPORTS.has(p.code) && p.node) {
      const t = byName.get(p.node);
      const reporters = (p.nodes ?? []).slice(1);
      const pair = pairs.find(
        (q) => reporters.includes(q.node!) && t && (q.nodes![1] === t.dnsName || q.nodes![1] === t.name),
      );
      const down = rootOn(p.node, DOWN) ?? rootOn(p.node, ['not_listening']);
      cause = down ? { node: down.node, code: down.code } : pair ? causeOfPair(pair) : undefined;
    } else if (p.code === 'stalled' && p.node) {
      const pair = pairs.find((q) => q.node === p.node);
      if (pair) cause = causeOfPair(pair);
    }
    if (!cause) continue;
    consequences.push({ ...p, causedBy: cause });
    roots.splice(i, 1);
  }
  return [...merge(roots, nodes)].sort((a, b) => severityRank(a) - severityRank(b)).concat(consequences);
}

/** Ranks that died of another rank's fault (see the rules above): their down problem as a
 * consequence of that fault. */
function rankFailures(
  roots: readonly Problem[],
  nodes: readonly NodeView[],
  byName: ReadonlyMap<string, NodeView>,
): Problem[] {
  const byIp = new Map(nodes.filter((n) => n.ip).map((n) => [n.ip!, n]));
  // A torchrun node whose workers failed is down for the job though its container still runs.
  const downOf = (n: NodeView): Problem | undefined =>
    [...DOWN, 'ranks_failed' as const].map((c) => roots.find((r) => r.node === n.name && r.code === c)).find(Boolean);
  const ranks = nodes.filter(isJobRank);
  const stoppedFirst = (a: NodeView, b: NodeView): number =>
    (a.finishedAt ?? '').localeCompare(b.finishedAt ?? '') || a.name.localeCompare(b.name);
  /** The down peer a down rank names, if any. */
  const lost = (n: NodeView): NodeView | undefined => {
    const named = peerNamed(n.lastError);
    // NCCL's watchdog names no peer: the one it waited for is a rank of the job that stopped
    // without timing out itself (killed, crashed), the first to stop.
    if (!named && ncclTimeout(n.lastError)) {
      return ranks
        .filter(
          (r) =>
            r.id !== n.id &&
            r.framework === n.framework &&
            downOf(r) &&
            !ncclTimeout(r.lastError) &&
            !peerNamed(r.lastError) &&
            !waitedForTheJob(r.lastError),
        )
        .sort(stoppedFirst)[0];
    }
    if (!named) return undefined;
    const peer = byIp.get(named.host) ?? byName.get(named.host);
    if (peer) return peer.id !== n.id && downOf(peer) ? peer : undefined;
    // An address no container has now: a container that stops gives its address back, so the peer is
    // one of the job's stopped ranks — the one that died without naming anyone (killed, OOM, its own
    // crash), not one that lost a peer or waited for the job itself.
    if (!/^[\d.:a-f]+$/i.test(named.host)) return undefined;
    return ranks
      .filter(
        (r) =>
          r.id !== n.id &&
          r.framework === n.framework &&
          !r.ip &&
          downOf(r) &&
          !peerNamed(r.lastError) &&
          !waitedForTheJob(r.lastError),
      )
      .sort(stoppedFirst)[0];
  };
  const out: Problem[] = [];
  for (const n of ranks) {
    const own = downOf(n);
    if (!own) continue;
    // Follow who names whom: the end of the chain is where the fault is.
    const seen: NodeView[] = [n];
    let at = lost(n);
    while (at && !seen.includes(at)) {
      seen.push(at);
      at = lost(at);
    }
    let root: NodeView | undefined = seen.length > 1 ? seen.at(-1) : undefined;
    if (at && seen.includes(at)) {
      // A circle: the one that stopped first.
      const circle = seen.slice(seen.indexOf(at));
      root = [...circle].sort(stoppedFirst)[0];
    }
    if (root && root.id !== n.id) {
      // Its own fault, where its stop follows from one (a rendezvous it could not host…).
      const cause =
        JOB_FAULTS.map((c) => roots.find((r) => r.node === root.name && r.code === c)).find(Boolean) ?? downOf(root)!;
      out.push({ ...own, causedBy: { node: cause.node, code: cause.code } });
      continue;
    }
    // Waiting for ranks that never came, or for a master it could not reach: the job's own fault.
    if (waitedForTheJob(n.lastError) || peerNamed(n.lastError) || ncclTimeout(n.lastError)) {
      const ofThisJob = (r: Problem): boolean =>
        r.node !== n.name &&
        ((r.nodes ?? []).includes(n.name) || (r.node !== null && byName.get(r.node)?.framework === n.framework));
      const fault = JOB_FAULTS.map((c) => roots.find((r) => r.code === c && ofThisJob(r))).find(Boolean);
      if (fault) out.push({ ...own, causedBy: { node: fault.node, code: fault.code } });
    }
  }
  return out;
}

/** `nodes` for every problem: the nodes it names (a pair's two ends, a duplicate's claimants), or the
 * one it is on. */
function withNodes(p: Problem, nodes: readonly NodeView[]): Problem {
  if (p.code === 'duplicate_task' && p.nodes) {
    // The fix goes on the claimant whose name says another index (tf-worker-3 claiming worker 4);
    // failing that, on the last by name (usually the newcomer).
    const claimants = nodes.filter((n) => p.nodes!.includes(n.name));
    const misnamed = claimants.find((n) => {
      const named = /(\d+)$/.exec(n.name);
      return named !== null && Number(named[1]) !== n.index;
    });
    return { ...p, node: (misnamed ?? claimants.at(-1))?.name ?? null, causedBy: null };
  }
  if (p.nodes) return { ...p, causedBy: p.causedBy ?? null };
  return { ...p, nodes: p.node ? [p.node] : [], causedBy: null };
}

/** The same warning on several nodes as one finding naming them all. */
function merge(problems: Problem[], nodes: readonly NodeView[]): Problem[] {
  const out: Problem[] = [];
  const groups = new Map<string, Problem[]>();
  for (const p of problems) {
    if (!MERGED.has(p.code) || p.node === null) {
      out.push(p);
      continue;
    }
    const key = `${p.code}\t${p.message}`;
    const g = groups.get(key);
    if (g) g.push(p);
    else {
      groups.set(key, [p]);
      out.push(p); // its place in the order; replaced below when others join it
    }
  }
  return out.map((p) => {
    const g = groups.get(`${p.code}\t${p.message}`);
    if (!g || g.length < 2 || g[0] !== p) return p;
    const names = g.map((x) => x.node!);
    const shown = names.length > 4 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
    return {
      ...p,
      node: null,
      nodes: names,
      message: `${p.message} (on ${names.length} of ${nodes.length} nodes: ${shown})`,
    };
  });
}

/** Roots only. */
export const rootsOf = (problems: readonly Problem[]): Problem[] => problems.filter((p) => !p.causedBy);
