// Diagnostics over a whole cluster view. Pure: the same input always gives the same problems.
import type { NetworkInfo, NodeView, Problem } from './types.js';
import { FRAMEWORKS } from './frameworks/registry.js';

export function findProblems(network: NetworkInfo, nodes: readonly NodeView[]): Problem[] {
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

  if (network.name === 'bridge') {
    add(
      'error',
      null,
      'default_bridge_network',
      'the default "bridge" network does not resolve container names: create a user-defined one (docker network create tf-network) and use --network',
    );
  }

  // An empty network is a finding, not a clean bill: nothing runs, or tfmon looks at the wrong network.
  if (nodes.length === 0 && network.id !== null) {
    add(
      'warning',
      null,
      'no_nodes',
      `no containers on ${network.name}: nothing runs there, or the cluster is on another network`,
    );
  }

  for (const node of nodes) {
    if (node.tfConfigError) add('error', node.name, 'tf_config_invalid', node.tfConfigError);
    if (node.role === 'unknown') {
      add(
        'warning',
        node.name,
        'role_unknown',
        'role unknown: no TF_CONFIG task, no RANK/WORLD_SIZE or torchrun (PyTorch), Horovod, JAX or Keras variables, no tfmon.role label, and the name has no role',
      );
    }
    if (!node.attached) {
      add(
        'error',
        node.name,
        'not_attached',
        `not attached to ${network.name}: no peer can resolve it (docker network connect ${network.name} ${node.name})`,
      );
    }
    const last = node.lastError ? `; last error: ${node.lastError}` : '';
    if (node.oomKilled) {
      add(
        'error',
        node.name,
        'oom_killed',
        `killed for lack of memory (OOM)${node.memoryLimitBytes ? ' at its --memory limit' : ''}${last}`,
      );
    }
    // A restart policy hides a crash: the restart count is what tells.
    if (node.state === 'restarting' || node.restarts >= 3) {
      add(
        'error',
        node.name,
        'crash_loop',
        `crash loop: restarted ${node.restarts} time${node.restarts === 1 ? '' : 's'}${last}`,
      );
    } else if (node.state !== 'running') {
      const why =
        node.state === 'exited' || node.state === 'dead'
          ? `${node.state}${node.exitCode !== null ? ` (code ${node.exitCode})` : ''}`
          : node.state;
      add(
        node.state === 'exited' || node.state === 'dead' ? 'error' : 'warning',
        node.name,
        'not_running',
        `not running: ${why}${node.oomKilled ? '' : last}`,
      );
    }
  }

  for (const node of nodes) {
    for (const p of node.ports) {
      const everywhere = p.hostIp === '' || p.hostIp === '0.0.0.0' || p.hostIp === '::';
      if (!everywhere) continue;
      if (node.port !== null && p.containerPort === node.port) {
        add(
          'warning',
          node.name,
          'tf_port_public',
          `its TensorFlow port ${p.containerPort} is published on all host interfaces (host port ${p.hostPort}): TF servers have no authentication`,
        );
      } else if (p.containerPort === 8888) {
        add(
          'warning',
          node.name,
          'jupyter_public',
          `Jupyter's port 8888 is published on all host interfaces (host port ${p.hostPort}): keep its token, or publish on 127.0.0.1`,
        );
      }
    }
  }
  // Each framework's own checks of the job its nodes form (TensorFlow's cluster spec, a job's ranks).
  for (const f of FRAMEWORKS) {
    const members = nodes.filter((n) => n.framework === f.name);
    if (members.length) problems.push(...f.checks(members, nodes));
  }

  // Errors first (stable), so the header's one-line summary shows the worst.
  return problems.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}

/** Exit code for `doctor`-style commands: 1 with any root error (a consequence is counted in its
 * cause), else 0. */
export const exitCodeFor = (problems: readonly Problem[]): number =>
  problems.some((p) => p.severity === 'error' && !p.causedBy) ? 1 : 0;
