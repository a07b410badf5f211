// Diagnostics over a whole cluster view. Pure: the same input always gives the same problems.
import { liveTopology, specDiff } from './regenerate.js';
import { clusterSpecOf, splitAddress } from './tf-config.js';
import type { NetworkInfo, NodeView, Problem } from './types.js';
import { jobProblems } from './frameworks/job-checks.js';


export function findProblems(network: NetworkInfo, nodes: readonly NodeView[]): Problem[] {
  const problems: Problem[] = [];
  const add = (severity: Problem['severity'], node: string | null, code: Problem['code'], message: string, nodes?: string[]): void => {
    problems.push({ severity, node, code, message, ...(nodes ? { nodes } : {}) });
  };

  if (network.name === 'bridge') {
    add('error', null, 'default_bridge_network',
      'the default "bridge" network does not resolve container names: create a user-defined one (docker network create tf-network) and use --network');
  }

  // An empty network is a finding, not a clean bill: nothing runs, or tfmon looks at the wrong network.
  if (nodes.length === 0 && network.id !== null) {
    add('warning', null, 'no_nodes', `no containers on ${network.name}: nothing runs there, or the cluster is on another network`);
  }

  for (const node of nodes) {
    if (node.tfConfigError) add('error', node.name, 'tf_config_invalid', node.tfConfigError);
    else if (node.tfConfigRaw === null && node.framework === 'tensorflow') {
      add('warning', node.name, 'tf_config_missing', 'no TF_CONFIG in the environment: TensorFlow will not know the cluster');
    }
    if (node.role === 'unknown') {
      add('warning', node.name, 'role_unknown', 'role unknown: no TF_CONFIG task, no RANK/WORLD_SIZE or torchrun (PyTorch), Horovod, JAX or Keras variables, no tfmon.role label, and the name has no role');
    }
    if (!node.attached) {
      add('error', node.name, 'not_attached',
        `not attached to ${network.name}: no peer can resolve it (docker network connect ${network.name} ${node.name})`);
    }
    const last = node.lastError ? `; last error: ${node.lastError}` : '';
    if (node.oomKilled) {
      add('error', node.name, 'oom_killed', `killed for lack of memory (OOM)${node.memoryLimitBytes ? ' at its --memory limit' : ''}${last}`);
    }
    // A restart policy hides a crash: the restart count is what tells.
    if (node.state === 'restarting' || node.restarts >= 3) {
      add('error', node.name, 'crash_loop', `crash loop: restarted ${node.restarts} time${node.restarts === 1 ? '' : 's'}${last}`);
    } else if (node.state !== 'running') {
      const why = node.state === 'exited' || node.state === 'dead'
        ? `${node.state}${node.exitCode !== null ? ` (code ${node.exitCode})` : ''}`
        : node.state;
      add(node.state === 'exited' || node.state === 'dead' ? 'error' : 'warning',
        node.name, 'not_running', `not running: ${why}${node.oomKilled ? '' : last}`);
    }
  }

  // TensorFlow does not check that two tasks claim the same slot: the job hangs instead.
  const tf = nodes.filter((n) => n.framework === 'tensorflow');
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
      if (diff.length) add('error', node.name, 'tf_config_stale', `TF_CONFIG differs from the live topology: ${diff.join('; ')}`);
    }
  } else if (/more than one/.test(topology.error)) {
    add('error', null, 'topology_invalid', topology.error);
  }
  // TensorFlow numbers a job's tasks by their position in the list: a missing index shifts the rest.
  for (const role of ['chief', 'worker', 'ps', 'evaluator'] as const) {
    const indexes = [...new Set(tf.filter((n) => n.role === role && n.index !== null).map((n) => n.index as number))].sort((a, b) => a - b);
    const missing = indexes.length ? Array.from({ length: indexes.at(-1)! + 1 }, (_, i) => i).filter((i) => !indexes.includes(i)) : [];
    if (missing.length) {
      add('error', null, 'index_gap', `${role} indexes ${indexes.join(', ')}: ${missing.join(', ')} missing (TensorFlow numbers tasks by their position in the list)`);
    }
  }

  const taskCount = topology.ok ? topology.tasks.length : tf.length;
  for (const node of nodes) {
    for (const [job, tasks] of Object.entries(node.tfConfigParsed?.cluster ?? {})) {
      for (const t of tasks) {
        const host = splitAddress(t.address)?.host ?? '';
        if (taskCount > 1 && /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)$/i.test(host)) {
          add('error', node.name, 'loopback_address', `TF_CONFIG lists ${job} ${t.index} at ${t.address}: in a multi-node cluster each task must be reached by its name`);
        }
      }
    }
    if (node.role !== 'unknown' && node.grpcFailFast === null && node.tfConfigRaw !== null) {
      add('warning', node.name, 'grpc_fail_fast_unset', 'GRPC_FAIL_FAST is not set: TensorFlow parameter-server training expects use_caller (a lost peer fails fast instead of hanging)');
    }
    for (const p of node.ports) {
      const everywhere = p.hostIp === '' || p.hostIp === '0.0.0.0' || p.hostIp === '::';
      if (!everywhere) continue;
      if (node.port !== null && p.containerPort === node.port) {
        add('warning', node.name, 'tf_port_public', `its TensorFlow port ${p.containerPort} is published on all host interfaces (host port ${p.hostPort}): TF servers have no authentication`);
      } else if (p.containerPort === 8888) {
        add('warning', node.name, 'jupyter_public', `Jupyter's port 8888 is published on all host interfaces (host port ${p.hostPort}): keep its token, or publish on 127.0.0.1`);
      }
    }
  }
  const roles = new Set(nodes.map((n) => n.role));
  if (roles.has('ps') && !roles.has('chief')) {
    add('warning', null, 'no_chief', 'the cluster has ps tasks but no chief: TF2 ParameterServerStrategy needs a coordinator of task type chief');
  }

  // PyTorch, Horovod, JAX and Keras jobs: every rank once, all told the same world and master.
  problems.push(...jobProblems(nodes));

  // Errors first (stable), so the header's one-line summary shows the worst.
  return problems.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}

/** Exit code for `doctor`-style commands: 1 with any root error (a consequence is counted in its
 * cause), else 0. */
export const exitCodeFor = (problems: readonly Problem[]): number => (problems.some((p) => p.severity === 'error' && !p.causedBy) ? 1 : 0);
