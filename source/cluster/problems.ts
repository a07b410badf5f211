// Diagnostics over a whole cluster view. Pure: the same input always gives the same problems.
import type { NetworkInfo, NodeView, Problem } from './types.js';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function findProblems(network: NetworkInfo, nodes: readonly NodeView[]): Problem[] {
  const problems: Problem[] = [];
  const add = (severity: Problem['severity'], node: string | null, code: string, message: string): void => {
    problems.push({ severity, node, code, message });
  };

  if (network.name === 'bridge') {
    add('error', null, 'default_bridge_network',
      'the default "bridge" network does not resolve container names: create a user-defined one (docker network create tf-network) and use --network');
  }

  for (const node of nodes) {
    if (node.tfConfigError) add('error', node.name, 'tf_config_invalid', node.tfConfigError);
    else if (node.tfConfigRaw === null && node.role !== 'unknown') {
      add('warning', node.name, 'tf_config_missing', 'no TF_CONFIG in the environment: TensorFlow will not know the cluster');
    }
    if (node.role === 'unknown') {
      add('warning', node.name, 'role_unknown', 'role unknown: no TF_CONFIG task, no tfmon.role label, and the name has no role');
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
  const bySlot = new Map<string, string[]>();
  for (const node of nodes) {
    if (node.role === 'unknown' || node.index === null) continue;
    const key = `${node.role}:${node.index}`;
    bySlot.set(key, [...(bySlot.get(key) ?? []), node.name]);
  }
  for (const [slot, names] of bySlot) {
    if (names.length > 1) add('error', null, 'duplicate_task', `${names.join(' and ')} both claim task ${slot}`);
  }

  // A TF_CONFIG that lists fewer or more tasks of a role than the network holds went stale.
  const counts = new Map<string, number>();
  for (const node of nodes) if (node.role !== 'unknown') counts.set(node.role, (counts.get(node.role) ?? 0) + 1);
  for (const node of nodes) {
    const cluster = node.tfConfigParsed?.cluster;
    if (!cluster) continue;
    const diffs: string[] = [];
    for (const role of ['chief', 'ps', 'worker'] as const) {
      const listed = cluster[role]?.length ?? 0;
      const present = counts.get(role) ?? 0;
      if (listed !== present) diffs.push(`lists ${plural(listed, role)}, the network has ${present}`);
    }
    if (diffs.length > 0) add('error', node.name, 'tf_config_stale', `TF_CONFIG ${diffs.join('; ')}`);
  }
  // Errors first (stable), so the header's one-line summary shows the worst.
  return problems.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}

/** Exit code for `doctor`-style commands: 1 with any error, else 0. */
export const exitCodeFor = (problems: readonly Problem[]): number => (problems.some((p) => p.severity === 'error') ? 1 : 0);
