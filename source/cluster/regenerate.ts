// TF_CONFIG from the live topology: the spec every node should have, and how each node's differs.
// Pure: the same nodes always give the same plan.
import { clusterSpecOf, tfConfigFor, type TaskSpec } from './tf-config.js';
import { TASK_TYPES, type NodeView, type TfConfig } from './types.js';
import { isJobRank } from './frameworks/placement.js';

export const DEFAULT_TF_PORT = 2222;

export interface NodePlan {
  node: NodeView;
  /** The TF_CONFIG it should have (JSON text). */
  desired: string;
  /** What differs from its current one, in words; empty when it already matches. */
  diff: string[];
}

export type TopologyResult = { ok: true; tasks: TaskSpec[] } | { ok: false; error: string };

/** The tasks on the network, by role and index. Refused when they cannot make a cluster TensorFlow
 * accepts: two nodes in one slot, a gap in a job's indexes, more than one chief or evaluator. */
export function liveTopology(nodes: readonly NodeView[]): TopologyResult {
  const tasks: TaskSpec[] = [];
  for (const n of nodes) {
    // TensorFlow's tasks only: a PyTorch rank has no place in a TF_CONFIG.
    if (n.framework !== 'tensorflow' || n.role === 'unknown' || n.role === 'master' || n.index === null) continue;
    tasks.push({ type: n.role, index: n.index, host: n.dnsName, port: n.port ?? DEFAULT_TF_PORT });
  }
  for (const type of TASK_TYPES) {
    const indexes = tasks
      .filter((t) => t.type === type)
      .map((t) => t.index)
      .sort((a, b) => a - b);
    const twice = indexes.find((i, k) => indexes[k + 1] === i);
    if (twice !== undefined)
      return { ok: false, error: `two nodes claim ${type} ${twice}: rename or remove one first` };
    const gap = indexes.findIndex((i, k) => i !== k);
    if (gap >= 0)
      return {
        ok: false,
        error: `${type} indexes ${indexes.join(', ')} have a gap at ${gap}: TensorFlow numbers tasks by position`,
      };
    if ((type === 'chief' || type === 'evaluator') && indexes.length > 1)
      return { ok: false, error: `more than one ${type}` };
  }
  return { ok: true, tasks };
}

/** The spec as job → addresses, for comparing: TF_CONFIG's list and {index: address} forms alike. */
function addressesOf(config: TfConfig | null): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [job, tasks] of Object.entries(config?.cluster ?? {})) {
    if (job === 'evaluator') continue;
    out[job] = [...tasks].sort((a, b) => a.index - b.index).map((t) => t.address);
  }
  return out;
}

/** What a node's cluster spec lacks and has in excess against the live one, in words. */
export function specDiff(current: TfConfig | null, live: Record<string, string[]>): string[] {
  const have = addressesOf(current);
  const out: string[] = [];
  for (const job of new Set([...Object.keys(live), ...Object.keys(have)])) {
    const want = live[job] ?? [];
    const got = have[job] ?? [];
    for (const a of want) if (!got.includes(a)) out.push(`${job}: + ${a}`);
    for (const a of got) if (!want.includes(a)) out.push(`${job}: - ${a}`);
    if (!out.some((l) => l.startsWith(`${job}:`)) && want.join() !== got.join())
      out.push(`${job}: order ${got.join(', ')} → ${want.join(', ')}`);
  }
  return out;
}

/** Every node's desired TF_CONFIG and its difference from the current one. */
export function tfConfigPlan(
  nodes: readonly NodeView[],
): { ok: true; plans: NodePlan[]; spec: Record<string, string[]> } | { ok: false; error: string } {
  const topology = liveTopology(nodes);
  if (!topology.ok) return topology;
  const spec = clusterSpecOf(topology.tasks);
  const plans: NodePlan[] = [];
  for (const node of nodes) {
    // TensorFlow's tasks only: a PyTorch rank keeps its RANK/WORLD_SIZE/MASTER_* (and gets no TF_CONFIG).
    if (node.framework !== 'tensorflow' || node.role === 'unknown' || node.role === 'master' || node.index === null)
      continue;
    const self = { type: node.role, index: node.index };
    const desired = tfConfigFor(topology.tasks, self);
    const diff =
      node.tfConfigParsed === null
        ? [node.tfConfigRaw === null ? 'TF_CONFIG: not set' : 'TF_CONFIG: invalid']
        : specDiff(node.tfConfigParsed, spec);
    const task = node.tfConfigParsed?.task;
    if (node.tfConfigParsed && (!task || task.type !== self.type || task.index !== self.index)) {
      diff.push(`task: ${task ? `${task.type} ${task.index}` : 'none'} → ${self.type} ${self.index}`);
    }
    plans.push({ node, desired, diff });
  }
  return { ok: true, plans, spec };
}

/** The worker `-` removes and `+` copies: the highest index of TensorFlow's workers (a PyTorch job
 * is not grown or shrunk one rank at a time: it restarts whole with a new WORLD_SIZE). */
export function lastWorker(nodes: readonly NodeView[]): NodeView | null {
  return (
    nodes
      .filter((n) => n.framework === 'tensorflow' && n.role === 'worker' && n.index !== null)
      .sort((a, b) => (b.index ?? 0) - (a.index ?? 0))[0] ?? null
  );
}

/** A PyTorch job `+` and `-` can restart with one rank more or less: one process per container
 * (env://), when the network holds no TensorFlow worker; null otherwise. */
export function resizableJob(nodes: readonly NodeView[]): { ranks: NodeView[] } | null {
  if (lastWorker(nodes)) return null;
  const ranks = jobRanks(nodes);
  return ranks.length ? { ranks } : null;
}

/** A PyTorch env:// job's ranks, by rank: one-process containers (a torchrun container has `ranks`). */
export function jobRanks(nodes: readonly NodeView[]): NodeView[] {
  return nodes
    .filter((n) => n.framework === 'pytorch' && n.ranks === null && n.index !== null)
    .sort((a, b) => a.index! - b.index!);
}

/** Why + and - do nothing for this cluster, when it is a job they cannot resize; else null. */
export function notScalable(nodes: readonly NodeView[]): string | null {
  if (lastWorker(nodes) || resizableJob(nodes)) return null;
  const job = nodes.find(isJobRank);
  return job
    ? `+ and - grow and shrink TensorFlow clusters and PyTorch env:// jobs; a ${job.framework === 'pytorch' ? 'torchrun' : job.framework} job is not resized by tfmon yet`
    : null;
}

/** One rank's variables as `c` would set them, and what differs from what it has. */
export interface JobVariablesPlan {
  node: NodeView;
  env: { RANK: string; WORLD_SIZE: string; MASTER_ADDR: string; MASTER_PORT: string };
  diff: string[];
}

/** A PyTorch env:// job's variables from its live ranks: WORLD_SIZE = the ranks there, the master =
 * rank 0's container (by the name its peers resolve) and its MASTER_PORT. null when the network holds
 * no such job; an error when the ranks are not 0 … n-1 once each (a rank to start or renumber first). */
export function jobVariablesPlan(
  nodes: readonly NodeView[],
): { ok: true; plans: JobVariablesPlan[] } | { ok: false; error: string } | null {
  const ranks = jobRanks(nodes);
  if (ranks.length === 0) return null;
  const indexes = ranks.map((r) => r.index!);
  if (indexes.some((r, i) => r !== i)) {
    return {
      ok: false,
      error: `the ranks are ${indexes.join(', ')}, not 0 to ${ranks.length - 1} once each: start the missing rank or give the repeated one another RANK first`,
    };
  }
  const master = ranks[0]!;
  const port = master.frameworkEnv['MASTER_PORT'] ?? String(master.port ?? 29500);
  const plans = ranks.map((node): JobVariablesPlan => {
    const env = {
      RANK: String(node.index),
      WORLD_SIZE: String(ranks.length),
      MASTER_ADDR: master.dnsName,
      MASTER_PORT: port,
    };
    const diff = (['WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'] as const)
      .filter((k) => node.frameworkEnv[k] !== env[k])
      .map((k) => `${k}: ${node.frameworkEnv[k] ?? 'not set'} → ${env[k]}`);
    return { node, env, diff };
  });
  return { ok: true, plans };
}
