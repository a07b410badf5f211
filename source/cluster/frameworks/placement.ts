// A container's place in a training job, as a framework module reads it from what the engine says
// (environment, command line). Pure.
import type { ContainerFacts, FrameworkName, NodeView, Role } from '../types.js';

/** A container's place in its job, as a framework module reads it: the NodeView fields it sets;
 * `port` is the one it serves that its peers dial (the master's store), or null. */
export type Placement = Pick<NodeView, 'role' | 'index' | 'roleSource' | 'worldSize' | 'master' | 'ranks' | 'port'> & {
  framework: FrameworkName;
};

/** One framework's reading of a container; null when it is not one of its jobs. */
export type Recognise = (
  facts: Pick<ContainerFacts, 'frameworkEnv' | 'command' | 'name' | 'hostname'>,
) => Placement | null;

export const intOf = (v: string | undefined): number | null =>
  v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : null;

/** "host:port" split; IPv6 in brackets. */
export function hostPort(address: string): { host: string; port: number | null } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(address) ?? /^([^:]+)(?::(\d+))?$/.exec(address);
  return m ? { host: m[1]!, port: intOf(m[2]) } : { host: address, port: null };
}

/** A rank of a PyTorch, Horovod, JAX or Keras job (not a TensorFlow task, nor an unknown container). */
export const isJobRank = <T extends Pick<NodeView, 'framework'>>(
  n: T,
): n is T & { framework: Exclude<FrameworkName, 'tensorflow'> } => n.framework !== null && n.framework !== 'tensorflow';

/** Rank 0 hosts the meeting point in every framework tfmon reads besides TensorFlow. */
export const roleOfRank = (rank: number | null): Role => (rank === 0 ? 'master' : 'worker');

/** How long a job's master may take to open its port after its container starts: the Python
 * process imports torch (or jax…) and builds its model before the rendezvous store listens, seconds
 * to tens of seconds; meanwhile a closed port is expected, not a fault. TensorFlow's servers are
 * judged at once, as before. */
export const STARTING_MS = 30_000;

/** Until when `n` is still starting by that rule (0: it is not, or never was given the time). */
export function startingUntil(n: Pick<NodeView, 'framework' | 'state' | 'startedAt'>): number {
  if (!isJobRank(n) || n.state !== 'running' || !n.startedAt) return 0;
  const at = Date.parse(n.startedAt);
  return Number.isFinite(at) ? at + STARTING_MS : 0;
}
