// The `tfmon status --json` contract (documented in the README). Add fields, never rename.
import type { NodeView, Snapshot } from '../cluster/types.js';

export interface StatusNode {
  name: string;
  id: string;
  role: NodeView['role'];
  index: number | null;
  roleSource: NodeView['roleSource'];
  state: NodeView['state'];
  exitCode: number | null;
  oomKilled: boolean;
  health: string | null;
  restarts: number;
  startedAt: string | null;
  ip: string | null;
  port: number | null;
  image: string;
  cpuPercent: number | null;
  memBytes: number | null;
  memLimitBytes: number | null;
  gpus: unknown[] | null;
  tfConfig: unknown;
  tfConfigError: string | null;
}

export function statusJson(s: Snapshot): object {
  const nodes: StatusNode[] = s.nodes.map((n) => ({
    name: n.name,
    id: n.id,
    role: n.role,
    index: n.index,
    roleSource: n.roleSource,
    state: n.state,
    exitCode: n.exitCode,
    oomKilled: n.oomKilled,
    health: n.health,
    restarts: n.restarts,
    startedAt: n.startedAt,
    ip: n.ip,
    port: n.port,
    image: n.image,
    // Filled by the usage sampler (a later layer); null until then.
    cpuPercent: null,
    memBytes: null,
    memLimitBytes: n.memoryLimitBytes,
    gpus: null,
    tfConfig: n.tfConfig,
    tfConfigError: n.tfConfigError,
  }));
  return {
    network: s.network.name,
    engine: { host: s.engine.host, version: s.engine.version, swarm: s.engine.swarm },
    nodes,
    reachability: [],
    problems: s.problems,
  };
}
