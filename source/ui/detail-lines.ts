// The details pane's content as lines, so it can be cut to the rows available. Pure.
import { isJobRank } from '../cluster/frameworks/placement.js';
import type { NodeView } from '../cluster/types.js';
import { formatBytes, frameworkName } from '../text/format.js';
import { sanitize } from '../text/sanitize.js';

export interface DetailLine {
  label: string;
  value: string;
  tone?: 'error' | 'dim';
  /** A URL the value opens (OSC 8), where the terminal supports links. */
  link?: string;
}

export function detailLines(node: NodeView, ascii = false): DetailLine[] {
  const arrow = ascii ? '->' : '→';
  const lines: DetailLine[] = [];
  const add = (label: string, value: string, tone?: DetailLine['tone']): void => {
    lines.push(tone ? { label, value, tone } : { label, value });
  };
  if (node.remote) {
    add(
      'swarm',
      sanitize(
        `service ${node.service ?? '?'}, a task on another swarm node${node.swarmNode ? ` (${node.swarmNode})` : ''}: usage, logs and probes need --host for that node`,
      ),
      'dim',
    );
  } else if (node.service) {
    add(
      'swarm',
      sanitize(
        `service ${node.service}, task container ${node.name}${node.swarmNode ? `, on node ${node.swarmNode}` : ''}`,
      ),
    );
  }
  add('image', sanitize(node.image));
  add(
    'command',
    node.command.length ? sanitize(node.command.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')) : '-',
  );
  const from =
    node.roleSource === 'tf_config'
      ? 'TF_CONFIG'
      : node.roleSource === 'env'
        ? 'its environment'
        : node.roleSource === 'command'
          ? 'its torchrun command'
          : node.roleSource;
  if (isJobRank(node)) {
    // A rank of a job: which of how many, and where the job meets.
    const rank = node.ranks
      ? `node ${node.index ?? '?'}, ranks ${node.ranks[0]}-${node.ranks[1]}`
      : `rank ${node.index ?? '?'}`;
    add(
      'role',
      `${frameworkName(node.framework)} ${node.role}, ${rank}${node.worldSize === null ? '' : ` of ${node.worldSize}`} (from ${from})`,
    );
    add('master', node.master === null ? 'not said' : sanitize(node.master), node.master === null ? 'dim' : undefined);
  } else {
    add('role', `${node.role}${node.index === null ? '' : ` ${node.index}`} (from ${from})`);
  }
  if (node.ports.length) {
    add(
      'ports',
      node.ports
        .map(
          (p) =>
            `${p.hostIp && p.hostIp !== '0.0.0.0' ? `${p.hostIp}:` : ''}${p.hostPort}${arrow}${p.containerPort}/${p.protocol}`,
        )
        .join(', '),
    );
  }
  const limits: string[] = [];
  if (node.nanoCpus) limits.push(`${node.nanoCpus / 1e9} CPUs`);
  if (node.memoryLimitBytes) limits.push(`${formatBytes(node.memoryLimitBytes)} memory`);
  add('limits', limits.length ? limits.join(', ') : 'none');
  add('gpus', node.gpuRequest ?? 'none requested');
  if (node.restartPolicy) add('restart', `${node.restartPolicy}, ${node.restarts} so far`);
  for (const m of node.mounts)
    add('mount', sanitize(`${m.source} ${arrow} ${m.destination}${m.readOnly ? ' (ro)' : ''}`));
  if (node.tfConfigError) add('TF_CONFIG', `invalid: ${sanitize(node.tfConfigError)}`, 'error');
  if (node.tfConfigRaw === null) {
    // A rank of another framework has no use for one.
    if (!isJobRank(node)) add('TF_CONFIG', 'not set', 'dim');
  } else if (node.tfConfigParsed) {
    // Compact: the task, then one line per job. Narrow panes show it whole; JSON would need 15 lines.
    const { task, cluster } = node.tfConfigParsed;
    add('TF_CONFIG', task ? `task ${task.type} ${task.index}` : 'no task');
    for (const [job, tasks] of Object.entries(cluster)) {
      add('', sanitize(`${job.padEnd(9)} ${tasks.map((t) => t.address).join(', ')}`));
    }
  } else {
    add('', sanitize(node.tfConfigRaw.slice(0, 500)), 'dim');
  }
  return lines;
}
