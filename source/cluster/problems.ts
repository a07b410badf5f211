// Diagnostics over a whole cluster view, as one table of named check rules: each says which problem
// codes it raises, and raises them. A framework's own checks are rules of the table too (registry.ts).
// Pure: the same input always gives the same problems. What follows from what is causes.ts's.
import { FRAMEWORKS } from './frameworks/registry.js';
import type { NetworkInfo, NodeView, Problem, ProblemCode } from './types.js';

/** One check of the nodes: the codes it can raise, and the problems it finds. */
export interface CheckRule {
  name: string;
  raises: readonly ProblemCode[];
  check(nodes: readonly NodeView[], network: NetworkInfo): Problem[];
}

const problem = (severity: Problem['severity'], node: string | null, code: ProblemCode, message: string): Problem => ({
  severity,
  node,
  code,
  message,
});
/** A rule that looks at each node alone. */
const eachNode =
  (find: (node: NodeView, network: NetworkInfo) => Problem | null): CheckRule['check'] =>
  (nodes, network) =>
    nodes.flatMap((n) => find(n, network) ?? []);
const lastErrorSuffix = (node: NodeView): string => (node.lastError ? `; last error: ${node.lastError}` : '');

const CONTAINER_RULES: readonly CheckRule[] = [
  {
    name: 'user-network',
    raises: ['default_bridge_network'],
    check: (_, network) =>
      network.name === 'bridge'
        ? [
            problem(
              'error',
              null,
              'default_bridge_network',
              'the default "bridge" network does not resolve container names: create a user-defined one (docker network create tf-network) and use --network',
            ),
          ]
        : [],
  },
  {
    // An empty network is a finding, not a clean bill: nothing runs, or tfmon looks at the wrong network.
    name: 'empty-network',
    raises: ['no_nodes'],
    check: (nodes, network) =>
      nodes.length === 0 && network.id !== null
        ? [
            problem(
              'warning',
              null,
              'no_nodes',
              `no containers on ${network.name}: nothing runs there, or the cluster is on another network`,
            ),
          ]
        : [],
  },
  {
    name: 'tf-config-parses',
    raises: ['tf_config_invalid'],
    check: eachNode((n) => (n.tfConfigError ? problem('error', n.name, 'tf_config_invalid', n.tfConfigError) : null)),
  },
  {
    name: 'role-known',
    raises: ['role_unknown'],
    check: eachNode((n) =>
      n.role === 'unknown'
        ? problem(
            'warning',
            n.name,
            'role_unknown',
            'role unknown: no TF_CONFIG task, no RANK/WORLD_SIZE or torchrun (PyTorch), Horovod, JAX or Keras variables, no tfmon.role label, and the name has no role',
          )
        : null,
    ),
  },
  {
    name: 'attached',
    raises: ['not_attached'],
    check: eachNode((n, network) =>
      n.attached
        ? null
        : problem(
            'error',
            n.name,
            'not_attached',
            `not attached to ${network.name}: no peer can resolve it (docker network connect ${network.name} ${n.name})`,
          ),
    ),
  },
  {
    name: 'oom-killed',
    raises: ['oom_killed'],
    check: eachNode((n) =>
      n.oomKilled
        ? problem(
            'error',
            n.name,
            'oom_killed',
            `killed for lack of memory (OOM)${n.memoryLimitBytes ? ' at its --memory limit' : ''}${lastErrorSuffix(n)}`,
          )
        : null,
    ),
  },
  {
    // A restart policy hides a crash: the restart count is what tells.
    name: 'running',
    raises: ['crash_loop', 'not_running'],
    check: eachNode((n) => {
      if (n.state === 'restarting' || n.restarts >= 3) {
        return problem(
          'error',
          n.name,
          'crash_loop',
          `crash loop: restarted ${n.restarts} time${n.restarts === 1 ? '' : 's'}${lastErrorSuffix(n)}`,
        );
      }
      if (n.state === 'running') return null;
      const ended = n.state === 'exited' || n.state === 'dead';
      const why = ended ? `${n.state}${n.exitCode !== null ? ` (code ${n.exitCode})` : ''}` : n.state;
      return problem(
        ended ? 'error' : 'warning',
        n.name,
        'not_running',
        `not running: ${why}${n.oomKilled ? '' : lastErrorSuffix(n)}`,
      );
    }),
  },
  {
    name: 'published-ports',
    raises: ['tf_port_public', 'jupyter_public'],
    check: (nodes) =>
      nodes.flatMap((node) =>
        node.ports.flatMap((p) => {
          const everywhere = p.hostIp === '' || p.hostIp === '0.0.0.0' || p.hostIp === '::';
          if (!everywhere) return [];
          if (node.port !== null && p.containerPort === node.port) {
            return [
              problem(
                'warning',
                node.name,
                'tf_port_public',
                `its TensorFlow port ${p.containerPort} is published on all host interfaces (host port ${p.hostPort}): TF servers have no authentication`,
              ),
            ];
          }
          if (p.containerPort === 8888) {
            return [
              problem(
                'warning',
                node.name,
                'jupyter_public',
                `Jupyter's port 8888 is published on all host interfaces (host port ${p.hostPort}): keep its token, or publish on 127.0.0.1`,
              ),
            ];
          }
          return [];
        }),
      ),
  },
];

/** Every check of the nodes: the containers' own, then each framework's over the job its nodes form. */
export const CHECK_RULES: readonly CheckRule[] = [
  ...CONTAINER_RULES,
  ...FRAMEWORKS.map(
    (f): CheckRule => ({
      name: `${f.name}-job`,
      raises: f.raises,
      check: (nodes) => {
        const members = nodes.filter((n) => n.framework === f.name);
        return members.length ? f.checks(members, nodes) : [];
      },
    }),
  ),
];

export function findProblems(network: NetworkInfo, nodes: readonly NodeView[]): Problem[] {
  // Errors first (stable), so the header's one-line summary shows the worst.
  return CHECK_RULES.flatMap((r) => r.check(nodes, network)).sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1,
  );
}

/** Exit code for `doctor`-style commands: 1 with any root error (a consequence is counted in its
 * cause), else 0. */
export const exitCodeFor = (problems: readonly Problem[]): number =>
  problems.some((p) => p.severity === 'error' && !p.causedBy) ? 1 : 0;
