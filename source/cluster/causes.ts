// Root causes, not symptoms: which problems follow from which, so that each fault is reported once,
// on the node where the fix goes, with its consequences folded under it. Pure.
//
// The rules are CAUSE_RULES below, run in order, each with what it reads and concludes (each
// consequence names its cause in causedBy); a framework's own checks raise the roots they place.
import { ncclTimeout, peerNamed, waitedForTheJob } from './frameworks/failure-lines.js';
import { isJobRank } from './frameworks/placement.js';
import { HOST_LINK_CODES, hostOf } from './hosts.js';
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

/** What the cause rules share while they work: the roots so far, the consequences found, the pairs'
 * problems still to place, the nodes by name and address. */
export interface Working {
  roots: Problem[];
  consequences: Problem[];
  /** Pair problems (two ends named) not placed yet: the pair rule places each. */
  pairs: Problem[];
  nodes: readonly NodeView[];
  byName: ReadonlyMap<string, NodeView>;
  /** The unknown_host root made for an address no container has. */
  unknownRoot: Map<string, Problem>;
}

/** One rule of the diagnosis: which problems it reads, what it concludes, and how. Run in order. */
export interface CauseRule {
  name: string;
  reads: readonly ProblemCode[];
  /** Roots it makes of several problems (most rules only place problems under others). */
  raises?: readonly ProblemCode[];
  concludes: string;
  apply(w: Working): void;
}

const rootOn = (w: Working, node: string, codes: readonly ProblemCode[]): Problem | undefined =>
  codes.map((c) => w.roots.find((r) => r.node === node && r.code === c)).find(Boolean);

/** A rank told another master than the others: its pair to that master follows from the mismatch. */
function misdirected(w: Working, from: string, target: string): Problem | undefined {
  const n = w.byName.get(from);
  return n?.master?.startsWith(`${target}:`) ? rootOn(w, from, ['job_mismatch']) : undefined;
}

const keyOf = (c: Problem): string => `${c.node}\t${c.code}\t${c.message}`;

export const CAUSE_RULES: readonly CauseRule[] = [
  {
    name: 'refused-by-many',
    reads: ['port_refused', 'not_listening', 'rendezvous_unhosted'],
    raises: ['not_listening'],
    concludes:
      'a running node two or more peers were refused by, where the host could not look, does not listen: one not_listening root',
    apply(w) {
      const refusedBy = new Map<string, string[]>();
      for (const p of w.pairs)
        if (p.code === 'port_refused') refusedBy.set(p.nodes![1]!, [...(refusedBy.get(p.nodes![1]!) ?? []), p.node!]);
      for (const [target, from] of refusedBy) {
        const t = w.byName.get(target);
        if (t?.state !== 'running' || from.length < 2 || rootOn(w, t.name, ['not_listening', 'rendezvous_unhosted']))
          continue;
        w.roots.push({
          severity: 'error',
          node: t.name,
          code: 'not_listening',
          nodes: [t.name],
          causedBy: null,
          message: `${t.name} does not listen on ${t.port ?? 'its TF port'}, its TF port: ${from.length} peers were refused`,
        });
      }
    },
  },
  {
    name: 'unknown-host',
    reads: ['peer_unresolvable', 'job_mismatch'],
    raises: ['unknown_host'],
    concludes:
      'an address no container has: one unknown_host root on the nodes whose TF_CONFIG (or master variable) names it',
    apply(w) {
      const unknownHosts = new Map<string, Set<string>>();
      for (const p of w.pairs) {
        const target = p.nodes![1]!;
        if (
          p.code === 'peer_unresolvable' &&
          !w.byName.has(target) &&
          !LOOPBACK.test(target) &&
          !misdirected(w, p.node!, target)
        )
          unknownHosts.set(target, new Set([...(unknownHosts.get(target) ?? []), p.node!]));
      }
      for (const [host, named] of unknownHosts) {
        const by = w.nodes
          .filter((n) => named.has(n.name) || JSON.stringify(n.tfConfigParsed?.cluster ?? {}).includes(`"${host}:`))
          .map((n) => n.name);
        const list = by.length ? by : [...named];
        const asMaster = list.every((name) => w.byName.get(name)?.master?.startsWith(`${host}:`));
        const root: Problem = {
          severity: 'error',
          node: list.length === 1 ? list[0]! : null,
          code: 'unknown_host',
          nodes: list,
          causedBy: null,
          message: `${host} is named ${asMaster ? 'as the master (MASTER_ADDR) by' : 'in the TF_CONFIG of'} ${list.length === w.nodes.length ? 'every node' : list.join(', ')}, but no container on the network is ${host}`,
        };
        w.unknownRoot.set(host, root);
        w.roots.push(root);
      }
    },
  },
  {
    name: 'same-node',
    reads: [...new Set(SAME_NODE.flatMap(([code, by]) => [code, ...by]))],
    concludes: 'on one node, what one fault also raises there follows from it (an OOM kill is also "not running")',
    apply(w) {
      for (const [code, by] of SAME_NODE) {
        for (const p of w.roots.filter((r) => r.code === code && r.node)) {
          const cause = rootOn(w, p.node!, by);
          if (cause) w.consequences.push({ ...p, causedBy: { node: cause.node, code: cause.code } });
        }
      }
    },
  },
  {
    name: 'gap-from-duplicate',
    reads: ['index_gap', 'duplicate_task'],
    concludes: 'a node claiming another task leaves its own slot empty: that gap follows from the duplicate',
    apply(w) {
      for (const gap of w.roots.filter((r) => r.code === 'index_gap')) {
        const m = /^(\w+) indexes [\d, ]+: ([\d, ]+) missing/.exec(gap.message);
        if (!m) continue;
        const missing = new Set(m[2]!.split(', ').map(Number));
        const dup = w.roots.find(
          (r) =>
            r.code === 'duplicate_task' &&
            r.message.includes(`claim task ${m[1]}:`) &&
            (r.nodes ?? []).some((name) => missing.has(Number(/(\d+)$/.exec(name)?.[1] ?? NaN))),
        );
        if (dup) w.consequences.push({ ...gap, causedBy: { node: dup.node, code: dup.code } });
      }
    },
  },
  {
    name: 'rank-failures',
    reads: [...DOWN, 'ranks_failed', ...JOB_FAULTS],
    concludes:
      "a rank that died of another's fault (the peer its last error names, the end of a chain of them, the rank NCCL waited for, the job's own fault it waited on) follows from that fault; then every root found to follow from another leaves the roots",
    apply(w) {
      const already = new Set(w.consequences.map(keyOf));
      w.consequences.push(...rankFailures(w.roots, w.nodes, w.byName).filter((c) => !already.has(keyOf(c))));
      const folded = new Set(w.consequences.map(keyOf));
      for (let i = w.roots.length - 1; i >= 0; i--) if (folded.has(keyOf(w.roots[i]!))) w.roots.splice(i, 1);
    },
  },
  {
    name: 'pair-across-link',
    reads: [...REACH, 'ip_mismatch', 'host_partition', 'overlay_data_path', 'engine_unreachable'],
    concludes:
      "a pair between two hosts whose link is down (a partition, the overlay's data path) follows from that link; a pair to a node of an engine that does not answer follows from that engine",
    apply(w) {
      const links = w.roots.filter((r) => HOST_LINK_CODES.includes(r.code));
      const lost = w.roots.filter((r) => r.code === 'engine_unreachable' && r.nodes?.length);
      if (links.length === 0 && lost.length === 0) return;
      // During a partition Swarm moves the cut-off host's tasks: pairs on one host that still dial
      // their old addresses follow from it too; the overlay's data path concerns pairs across only.
      const causeOf = (p: Problem): Problem | undefined => {
        const from = w.byName.get(p.node!);
        const to = w.byName.get(p.nodes![1]!);
        if (!from || !to) return undefined;
        return (
          lost.find((r) => r.nodes!.includes(to.name) || r.nodes!.includes(from.name)) ??
          links.find(
            (r) =>
              (r.code === 'host_partition' || hostOf(from) !== hostOf(to)) &&
              r.nodes!.includes(from.name) &&
              r.nodes!.includes(to.name),
          )
        );
      };
      const place = (p: Problem): boolean => {
        const cause = causeOf(p);
        if (cause) w.consequences.push({ ...p, causedBy: { node: cause.node, code: cause.code } });
        return !cause;
      };
      w.pairs = w.pairs.filter(place);
      w.roots = w.roots.filter((p) => p.code !== 'ip_mismatch' || !p.nodes || p.nodes.length !== 2 || place(p));
    },
  },
  {
    name: 'pair-from-peer',
    reads: [
      ...REACH,
      'not_attached',
      'loopback_address',
      'job_mismatch',
      ...DOWN,
      'not_listening',
      'rendezvous_unhosted',
      'unknown_host',
    ],
    concludes:
      'a pair that fails because its own node is cut off, dials loopback or a wrong master, or because its peer is down, does not listen or is no container: follows from that; else it is a root',
    apply(w) {
      for (const p of w.pairs) {
        const [from, target] = [p.node!, p.nodes![1]!];
        const t = w.byName.get(target);
        const cause =
          rootOn(w, from, ['not_attached']) ??
          (LOOPBACK.test(target) ? rootOn(w, from, ['loopback_address']) : undefined) ??
          misdirected(w, from, target) ??
          (t
            ? (rootOn(w, t.name, DOWN) ??
              (p.code !== 'peer_unresolvable'
                ? rootOn(w, t.name, ['not_listening', 'rendezvous_unhosted'])
                : undefined))
            : w.unknownRoot.get(target));
        if (cause) w.consequences.push({ ...p, causedBy: { node: cause.node, code: cause.code } });
        else w.roots.push(p);
      }
      w.pairs = [];
    },
  },
  {
    name: 'task-report',
    reads: [...TASK_REPORTS, ...DOWN, 'not_listening', ...REACH],
    concludes:
      "a task TensorFlow says it waits for or lost follows from that task's node being down or not listening, or from the reporter's failing pair to it",
    apply(w) {
      explainRoots(w, (p, failing) => {
        if (!TASK_REPORTS.has(p.code) || !p.node) return undefined;
        const t = w.byName.get(p.node);
        const reporters = (p.nodes ?? []).slice(1);
        const pair = failing.find(
          (q) => reporters.includes(q.node!) && t && (q.nodes![1] === t.dnsName || q.nodes![1] === t.name),
        );
        const down = rootOn(w, p.node, DOWN) ?? rootOn(w, p.node, ['not_listening']);
        return down ? { node: down.node, code: down.code } : pair ? causeOfPair(pair) : undefined;
      });
    },
  },
  {
    name: 'stall-from-pair',
    reads: ['stalled', ...REACH],
    concludes: 'a node whose training stalled while one of its pairs fails follows from what that pair follows from',
    apply(w) {
      explainRoots(w, (p, failing) => {
        if (p.code !== 'stalled' || !p.node) return undefined;
        const pair = failing.find((q) => q.node === p.node);
        return pair ? causeOfPair(pair) : undefined;
      });
    },
  },
];

const causeOfPair = (q: Problem): Cause => q.causedBy ?? { node: q.node, code: q.code };

/** Moves the roots `causeOf` finds a cause for to the consequences; it is given the failing pairs. */
function explainRoots(w: Working, causeOf: (p: Problem, failing: readonly Problem[]) => Cause | undefined): void {
  const failing = [...w.roots, ...w.consequences].filter((q) => REACH.has(q.code) && q.nodes?.length === 2);
  for (let i = w.roots.length - 1; i >= 0; i--) {
    const p = w.roots[i]!;
    const cause = causeOf(p, failing);
    if (!cause) continue;
    w.consequences.push({ ...p, causedBy: cause });
    w.roots.splice(i, 1);
  }
}

/** The problems with causedBy and nodes set: roots first (errors, then warnings; the same warning on
 * several nodes as one finding), then consequences. The rules above, in order. */
export function explain(problems: readonly Problem[], nodes: readonly NodeView[]): Problem[] {
  const byName = new Map<string, NodeView>();
  for (const n of nodes) {
    byName.set(n.dnsName, n);
    byName.set(n.name, n);
  }
  const w: Working = { roots: [], consequences: [], pairs: [], nodes, byName, unknownRoot: new Map() };
  // A pair's problem names both ends (reachProblems sets them); one that does not is taken as it is.
  for (const p of problems)
    (REACH.has(p.code) && p.nodes?.length === 2 && p.node ? w.pairs : w.roots).push(withNodes(p, nodes));
  for (const rule of CAUSE_RULES) rule.apply(w);
  return [...merge(w.roots, nodes)].sort((a, b) => severityRank(a) - severityRank(b)).concat(w.consequences);
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
    if (peer && peer.id !== n.id) return downOf(peer) ? peer : undefined;
    // An address no container has now: a container that stops gives its address back, so the peer is
    // one of the job's stopped ranks — the one that died without naming anyone (killed, OOM, its own
    // crash), not one that lost a peer or waited for the job itself. Its own address (a torchrun
    // node's local rank, ended by its agent once another node's rank failed) says no more than that.
    if (!peer && !/^[\d.:a-f]+$/i.test(named.host)) return undefined;
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
