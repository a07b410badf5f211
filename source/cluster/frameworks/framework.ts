// One training framework as tfmon reads it, behind one small interface: how a container says its
// place in a job, the pairs its processes dial, its own checks of the job its containers form, and
// what `c` regenerates. The layers above ask a node's framework (registry.ts) instead of testing
// names. Pure.
import type { Target } from '../reach.js';
import type { FrameworkName, NodeView, Problem, ProblemCode } from '../types.js';
import type { Recognise } from './placement.js';

/** What a framework's pairs depend on beyond the node itself. */
export interface ClusterShape {
  nodes: readonly NodeView[];
  /** TensorFlow: parameter-server training (its pairs differ from all-reduce's). */
  hasPs: boolean;
}

export interface Framework {
  readonly name: FrameworkName;
  /** As the header and the details say it. */
  readonly label: string;
  /** Its reading of a container's environment and command line; null when not one of its jobs.
   * TensorFlow's is not here: TF_CONFIG is read before every other framework, a name like
   * `tf-worker-3` after them (role.ts). */
  readonly recognise: Recognise | null;
  /** The peers a node of it connects to in steady state (what the round probes). */
  dials(node: NodeView, cluster: ClusterShape): Target[];
  /** Whether the node serves a port its peers dial (checked from tfmon's host, or by a peer). */
  serves(node: NodeView, cluster: Pick<ClusterShape, 'hasPs'>): boolean;
  /** The problem codes its checks raise. */
  readonly raises: readonly ProblemCode[];
  /** Its own checks of the job its members form (`all`: every node on the network). */
  checks(members: readonly NodeView[], all: readonly NodeView[]): Problem[];
  /** What `c` regenerates for it: TensorFlow's TF_CONFIG, a job's variables, or nothing yet. */
  readonly regenerates: 'tf_config' | 'job_variables' | null;
}
