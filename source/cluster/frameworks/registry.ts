// The frameworks tfmon reads, in the order a container is tried against them (TensorFlow's TF_CONFIG
// first and its names last: role.ts), and the framework of a node. Pure.
import { jobRanks } from '../regenerate.js';
import { splitAddress } from '../tf-config.js';
import type { Target } from '../reach.js';
import type { FrameworkName, NodeView, ProblemCode } from '../types.js';
import type { Framework } from './framework.js';
import { c10dChecks, JOB_CHECKS, jobChecks } from './job-checks.js';
import { horovod, jax, keras } from './others.js';
import type { Recognise } from './placement.js';
import { pytorch } from './pytorch.js';
import { tensorflow } from './tensorflow.js';

/** A rank's pair: the job's master (its rendezvous store or coordinator), unless it is the master.
 * Only the master's port is known: collectives run on ports each rank picks at start, which no one
 * can probe ahead. */
export function masterTarget(node: NodeView): Target[] {
  const m = node.master ? splitAddress(node.master) : null;
  return m && m.host !== node.dnsName && m.host !== node.name ? [m] : [];
}

/** A job whose ranks meet at one master: PyTorch, Horovod, JAX, Keras 3. */
function rankJob(
  name: Exclude<FrameworkName, 'tensorflow'>,
  label: string,
  recognise: Recognise,
  extra: { raises: readonly ProblemCode[]; checks: Framework['checks'] } = { raises: [], checks: () => [] },
  regenerates: Framework['regenerates'] = null,
): Framework {
  return {
    name,
    label,
    recognise,
    dials: (node) => masterTarget(node),
    serves: (n) => n.role === 'master' && n.port !== null,
    raises: [...JOB_CHECKS, ...extra.raises],
    checks: (members, all) => [...jobChecks(name, members), ...extra.checks(members, all)],
    regenerates,
  };
}

export const FRAMEWORKS: readonly Framework[] = [
  tensorflow,
  rankJob('pytorch', 'PyTorch', pytorch, { raises: ['rendezvous_unhosted'], checks: c10dChecks }, 'job_variables'),
  rankJob('horovod', 'Horovod', horovod),
  rankJob('jax', 'JAX', jax),
  rankJob('keras', 'Keras', keras),
];

const BY_NAME = new Map(FRAMEWORKS.map((f) => [f.name, f]));

/** The framework a node runs, or null (a container no framework recognises). */
export const frameworkOf = (n: Pick<NodeView, 'framework'>): Framework | null =>
  n.framework ? (BY_NAME.get(n.framework) ?? null) : null;

/** A framework by its name (every FrameworkName has one). */
export const frameworkNamed = (name: FrameworkName): Framework => BY_NAME.get(name)!;

/** The readers of containers' environments and command lines, in order. */
export const RECOGNISERS: readonly Recognise[] = FRAMEWORKS.flatMap((f) => (f.recognise ? [f.recognise] : []));

/** What `c` regenerates here: a job's variables when the network holds ranks of a framework that
 * regenerates them (PyTorch env://) and no node of one that regenerates TF_CONFIG; TF_CONFIG otherwise. */
export function regeneratesJob(nodes: readonly NodeView[]): boolean {
  const kinds = new Set(nodes.map((n) => frameworkOf(n)?.regenerates));
  return !kinds.has('tf_config') && kinds.has('job_variables') && jobRanks(nodes).length > 0;
}
