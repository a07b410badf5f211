// TensorFlow's tf.distribute as tfmon reads it: tasks placed by TF_CONFIG (or a name like
// tf-worker-3, read by role.ts), the pairs parameter-server or all-reduce training dials, and the
// checks of a cluster spec that TensorFlow itself never makes (it hangs instead). Pure.
import { liveTopology, specDiff } from '../regenerate.js';
import { targetsOf } from '../reach.js';
import { clusterSpecOf, splitAddress } from '../tf-config.js';
import type { NodeView, Problem, Role } from '../types.js';
import type { Framework } from './framework.js';

/** The roles a task of `role` opens connections to, given whether the cluster has ps tasks. With ps
 * every worker, chief and evaluator talks to every ps, and the chief also to every worker; workers
 * never talk to each other. Without ps (MultiWorkerMirroredStrategy) workers and chief talk
 * all-to-all. A ps initiates nothing. */
function talksTo(role: Role, hasPs: boolean): readonly Role[] {
  if (hasPs) {
    if (role === 'chief') return ['ps', 'worker'];
    if (role === 'worker' || role === 'evaluator') return ['ps'];
    return [];
  }
  if (role === 'chief' || role === 'worker') return ['chief', 'worker'];
  return [];
}

function checks(tf: readonly NodeView[], all: readonly NodeView[]): Problem[] {
  const problems: Problem[] = [];
  const add = (
    severity: Problem['severity'],
    node: string | null,
    code: Problem['code'],
    message: string,
    nodes?: string[],
  ): void => {
    problems.push({ severity, node, code, message, ...(nodes ? { nodes } : {}) });
  };
  for (const node of tf) {
    if (node.tfConfigRaw === null)
      add(
        'warning',
        node.name,
        'tf_config_missing',
        'no TF_CONFIG in the environment: TensorFlow will not know the cluster',
      );
  }

  // TensorFlow does not check that two tasks claim the same slot: the job hangs instead.
  const bySlot = new Map<string, string[]>();
  for (const node of tf) {
    if (node.role === 'unknown' || node.index === null) continue;
    const key = `${node.role}:${node.index}`;
    bySlot.set(key, [...(bySlot.get(key) ?? []), node.name]);
  }
  for (const [slot, names] of bySlot) {
    if (names.length > 1) add('error', null, 'duplicate_task', `${names.join(' and ')} both claim task ${slot}`, names);
  }

  // A TF_CONFIG whose cluster spec is not the live topology went stale (a node added, removed or
  // renamed since the containers were created: their environment is fixed at creation).
  const topology = liveTopology(tf);
  if (topology.ok) {
    const spec = clusterSpecOf(topology.tasks);
    for (const node of tf) {
      if (!node.tfConfigParsed || node.role === 'unknown') continue;
      const diff = specDiff(node.tfConfigParsed, spec);
      if (diff.length)
        add('error', node.name, 'tf_config_stale', `TF_CONFIG differs from the live topology: ${diff.join('; ')}`);
    }
  } else if (/more than one/.test(topology.error)) {
    add('error', null, 'topology_invalid', topology.error);
  }
  // TensorFlow numbers a job's tasks by their position in the list: a missing index shifts the rest.
  for (const role of ['chief', 'worker', 'ps', 'evaluator'] as const) {
    const indexes = [
      ...new Set(tf.filter((n) => n.role === role && n.index !== null).map((n) => n.index as number)),
    ].sort((a, b) => a - b);
    const missing = indexes.length
      ? Array.from({ length: indexes.at(-1)! + 1 }, (_, i) => i).filter((i) => !indexes.includes(i))
      : [];
    if (missing.length) {
      add(
        'error',
        null,
        'index_gap',
        `${role} indexes ${indexes.join(', ')}: ${missing.join(', ')} missing (TensorFlow numbers tasks by their position in the list)`,
      );
    }
  }

  // Any node's TF_CONFIG counts here, whatever else it runs: it is TensorFlow's file.
  const taskCount = topology.ok ? topology.tasks.length : tf.length;
  for (const node of all) {
    for (const [job, tasks] of Object.entries(node.tfConfigParsed?.cluster ?? {})) {
      for (const t of tasks) {
        const host = splitAddress(t.address)?.host ?? '';
        if (taskCount > 1 && /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)$/i.test(host)) {
          add(
            'error',
            node.name,
            'loopback_address',
            `TF_CONFIG lists ${job} ${t.index} at ${t.address}: in a multi-node cluster each task must be reached by its name`,
          );
        }
      }
    }
    if (node.role !== 'unknown' && node.grpcFailFast === null && node.tfConfigRaw !== null) {
      add(
        'warning',
        node.name,
        'grpc_fail_fast_unset',
        'GRPC_FAIL_FAST is not set: TensorFlow parameter-server training expects use_caller (a lost peer fails fast instead of hanging)',
      );
    }
  }
  const roles = new Set(all.map((n) => n.role));
  if (roles.has('ps') && !roles.has('chief')) {
    add(
      'warning',
      null,
      'no_chief',
      'the cluster has ps tasks but no chief: TF2 ParameterServerStrategy needs a coordinator of task type chief',
    );
  }
  return problems;
}

export const tensorflow: Framework = {
  name: 'tensorflow',
  label: 'TensorFlow',
  recognise: null,
  // Nodes of the roles it talks to (at their TF port), and those jobs' addresses in its own
  // TF_CONFIG (what TensorFlow actually dials).
  dials: (node, { nodes, hasPs }) => {
    const roles = talksTo(node.role, hasPs);
    return roles.length === 0 ? [] : targetsOf(node, nodes, roles);
  },
  // Every task runs a server but an evaluator (it serves nothing) and the coordinator of
  // parameter-server training (a client).
  serves: (n, { hasPs }) => n.role !== 'unknown' && n.role !== 'evaluator' && !(hasPs && n.role === 'chief'),
  raises: [
    'tf_config_missing',
    'duplicate_task',
    'tf_config_stale',
    'topology_invalid',
    'index_gap',
    'loopback_address',
    'grpc_fail_fast_unset',
    'no_chief',
  ],
  checks,
  regenerates: 'tf_config',
};
