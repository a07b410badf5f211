// The `tfmon status --json` contract (documented in docs/status-json.md). Add fields, never rename.
import type { ContainerGpu } from './gpu.js';
import { hostOf } from './hosts.js';
import type { NodeUsage, NodeView, PublishedPort, Snapshot } from './types.js';
import type { Usage } from './usage.js';
import type { NodeTraining } from './training.js';

/** One node of the contract: its facts, then the Usage fields (same names, rounded). */
export interface StatusNode extends Usage {
  name: string;
  id: string;
  /** tensorflow, pytorch, horovod, jax, keras; null when none is recognised. */
  framework: NodeView['framework'];
  role: NodeView['role'];
  /** TensorFlow: the task index; other frameworks: the global rank (a torchrun container: its node rank). */
  index: number | null;
  roleSource: NodeView['roleSource'];
  /** Processes in the job as this container was told (WORLD_SIZE…), or null. */
  worldSize: number | null;
  /** Where the job meets (MASTER_ADDR:MASTER_PORT, the rendezvous endpoint, the coordinator), or null. */
  master: string | null;
  /** A torchrun container's first and last rank; null for one process. */
  ranks: [number, number] | null;
  state: NodeView['state'];
  exitCode: number | null;
  oomKilled: boolean;
  health: string | null;
  restarts: number;
  startedAt: string | null;
  ip: string | null;
  /** false for a member (label tfmon.cluster) cut off the network: still listed, ip null. */
  attached: boolean;
  /** Swarm mode: the task's service (the name peers resolve) and the swarm node running it. */
  service: string | null;
  swarmNode: string | null;
  /** Several engines: the engine it runs on (null with one). */
  engineHost: string | null;
  /** The host it runs on: its swarm node's name, else its engine's (null: one plain engine). */
  host: string | null;
  /** A swarm task: the tasks of its slot Swarm ran before it (0: the first), and the host the last
   * one ran on when it was another (a task moved after its host was lost). */
  earlierTasks: number;
  movedFrom: string | null;
  port: number | null;
  /** Its TF port as tfmon's host found it: ok, refused, timeout, error; null where not checked
   * (probing off, a remote engine, an overlay network, a task that serves nothing). */
  listening: 'ok' | 'refused' | 'timeout' | 'error' | null;
  image: string;
  /** Ports published on the host, as the engine reports them. */
  published: PublishedPort[];
  /** What it was given: --cpus, --memory (bytes), --gpus as said to docker run; null where unset. */
  limits: { cpus: number | null; memoryBytes: number | null; gpus: string | null };
  gpus: ContainerGpu[] | null;
  tfConfig: unknown;
  tfConfigError: string | null;
  /** The last error line of its logs (sanitized), or null. */
  lastError: string | null;
  /** What its own progress lines say; null when it printed none (or with --no-training). */
  training: StatusTraining | null;
}

/** A node's training in the contract: every field null where its log does not say it. */
export interface StatusTraining {
  step: number | null;
  loss: number | null;
  epoch: number | null;
  epochs: number | null;
  stepsPerSecond: number | null;
  secondsPerReport: number | null;
  /** ISO 8601: when its progress last moved (by the log's timestamps). */
  lastProgressAt: string | null;
  format: NodeTraining['format'];
}

const finite = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : v);

function trainingJson(t: NodeTraining | undefined): StatusTraining | null {
  if (!t) return null;
  return {
    step: t.step,
    loss: finite(t.loss),
    epoch: t.epoch,
    epochs: t.epochs,
    stepsPerSecond: t.stepsPerSecond === null ? null : round(t.stepsPerSecond, 4),
    secondsPerReport: t.secondsPerReport,
    lastProgressAt: t.lastProgressAt === null ? null : new Date(t.lastProgressAt).toISOString(),
    format: t.format,
  };
}

const round = (v: number | null | undefined, digits = 1): number | null =>
  v === null || v === undefined ? null : Math.round(v * 10 ** digits) / 10 ** digits;

function nodeJson(
  n: NodeView,
  u: NodeUsage | undefined,
  gpus: ContainerGpu[] | null,
  listening: StatusNode['listening'],
  t: NodeTraining | undefined,
): StatusNode {
  return {
    name: n.name,
    id: n.id,
    framework: n.framework,
    role: n.role,
    index: n.index,
    roleSource: n.roleSource,
    worldSize: n.worldSize,
    master: n.master,
    ranks: n.ranks,
    state: n.state,
    exitCode: n.exitCode,
    oomKilled: n.oomKilled,
    health: n.health,
    restarts: n.restarts,
    startedAt: n.startedAt,
    ip: n.ip,
    attached: n.attached,
    engineHost: n.engineHost ?? null,
    host: hostOf(n),
    earlierTasks: n.earlierTasks ?? 0,
    movedFrom: n.movedFrom ?? null,
    service: n.service,
    swarmNode: n.swarmNode,
    port: n.port,
    listening,
    image: n.image,
    published: n.ports,
    limits: {
      cpus: n.nanoCpus === null ? null : n.nanoCpus / 1e9,
      memoryBytes: n.memoryLimitBytes,
      gpus: n.gpuRequest,
    },
    cpuPercent: round(u?.cpuPercent, 2),
    cpuOfLimitPercent: round(u?.cpuOfLimitPercent, 2),
    memBytes: u?.memBytes ?? null,
    memLimitBytes: u?.memLimitBytes ?? n.memoryLimitBytes,
    netRxBps: round(u?.netRxBps),
    netTxBps: round(u?.netTxBps),
    blkReadBps: round(u?.blkReadBps),
    blkWriteBps: round(u?.blkWriteBps),
    pids: u?.pids ?? null,
    gpus,
    tfConfig: n.tfConfig,
    tfConfigError: n.tfConfigError,
    lastError: n.lastError,
    training: trainingJson(t),
  };
}

export function statusJson(s: Snapshot): object {
  const host = s.host;
  return {
    network: s.network.name,
    engine: { host: s.engine.host, version: s.engine.version, swarm: s.engine.swarm },
    ...(s.engines ? { engines: s.engines } : {}),
    // The swarm's own view of its hosts (a manager's: docker node ls), where tfmon watches one.
    ...(s.swarmNodes ? { swarmNodes: Object.values(s.swarmNodes).sort((a, b) => a.name.localeCompare(b.name)) } : {}),
    usageSource: s.usageSource,
    host: host
      ? {
          cpuPercent: round(host.cpuPercent, 2),
          memUsedBytes: host.memUsedBytes,
          memTotalBytes: host.memTotalBytes,
          load: host.load.map((l) => round(l, 2)),
          gpus: s.gpus,
          gpuNote: s.gpuNote,
        }
      : null,
    // Per node: the GPUs its processes use ([] for none); null when there are no GPU figures at all.
    nodes: s.nodes.map((n) =>
      nodeJson(
        n,
        s.usage[n.id],
        s.gpus === null ? null : (s.gpuByContainer[n.id] ?? []),
        s.listeners[n.id]?.state ?? null,
        s.training[n.id],
      ),
    ),
    // The cluster's pace (TensorFlow's global step rate where printed) and ETA in seconds; null
    // while no node printed progress.
    training: s.clusterTraining
      ? {
          globalStepsPerSecond:
            s.clusterTraining.globalStepsPerSecond === null ? null : round(s.clusterTraining.globalStepsPerSecond, 4),
          eta: s.clusterTraining.eta === null ? null : Math.round(s.clusterTraining.eta),
        }
      : null,
    reachability: s.reachability,
    problems: s.problems,
  };
}
