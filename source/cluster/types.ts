// Shapes shared by every layer. Plain data: no Docker types leak past source/engine.
import type { ContainerGpu, GpuStat } from './gpu.js';
import type { ListenerView, ReachEntry } from './reach.js';
import type { ClusterTraining, NodeTraining } from './training.js';
import type { Counters, Usage } from './usage.js';

export interface NodeUsage extends Usage {
  /** Last samples (up to 60), oldest first. */
  cpuHistory: number[];
  memHistory: number[];
  /** Where the numbers come from: the kernel's files or the engine's stats API. */
  source: 'cgroup' | 'api';
  /** The last raw counters (cumulative CPU time, bytes…): what the metrics endpoint exports. */
  counters?: Counters;
}

export const TASK_TYPES = ['chief', 'worker', 'ps', 'evaluator'] as const;
export type TaskType = (typeof TASK_TYPES)[number];
/** TensorFlow's task types; `master` is rank 0 of a PyTorch, Horovod, JAX or Keras job (it hosts
 * the rendezvous), `worker` its other ranks. */
export type Role = TaskType | 'master' | 'unknown';
/** Where a role came from: TF_CONFIG, tfmon's labels, the name, the environment (RANK…), a launcher's
 * command line (torchrun), or nowhere. */
export type RoleSource = 'tf_config' | 'label' | 'name' | 'env' | 'command' | 'unknown';

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface PublishedPort {
  containerPort: number;
  protocol: string;
  hostIp: string;
  hostPort: number;
}

export interface MountInfo {
  type: string;
  /** The host path (a volume's too: where the engine keeps it). */
  source: string;
  /** A named volume's name. */
  name?: string;
  destination: string;
  readOnly: boolean;
}

/** What the engine says about one container, reduced to what tfmon uses. */
export interface ContainerFacts {
  id: string;
  name: string;
  image: string;
  command: string[];
  state: ContainerState;
  exitCode: number | null;
  oomKilled: boolean;
  health: string | null;
  restarts: number;
  startedAt: string | null;
  finishedAt: string | null;
  /** Address on the cluster's network; null when not attached or not running. */
  ip: string | null;
  /** false for a member (tfmon.cluster label) that was disconnected from the cluster's network. */
  attached: boolean;
  /** Names of every network it is attached to, sorted: nodes on the same set resolve names alike. */
  networks: string[];
  labels: Record<string, string>;
  /** The raw TF_CONFIG value, or null when the variable is absent. Other env is not kept (secrets). */
  tfConfigRaw: string | null;
  /** GRPC_FAIL_FAST, the one other variable tfmon reads (TensorFlow's PS training wants use_caller). */
  grpcFailFast: string | null;
  /** The variables that place it in a job of another framework (RANK, WORLD_SIZE, MASTER_ADDR…;
   * frameworks/environment.ts lists them); nothing else of the environment is kept. */
  frameworkEnv: Record<string, string>;
  /** The host name the container sees as its own (`--hostname`; Docker's default is the short id):
   * torchrun's c10d rendezvous hosts its store only where the endpoint names it. */
  hostname: string | null;
  ports: PublishedPort[];
  mounts: MountInfo[];
  nanoCpus: number | null;
  memoryLimitBytes: number | null;
  /** Requested GPUs as `docker run --gpus` would say them: "all", "2", "device=0,1". */
  gpuRequest: string | null;
  restartPolicy: string | null;
  /** Host PID of the container's init process (0/null when not running): for /proc reads. */
  pid: number | null;
  /** Started with a TTY: its logs are raw bytes, not stdout/stderr frames. */
  tty: boolean;
  /** Swarm mode: the service this task belongs to (its name is what peers resolve), and the
   * swarm node that runs it; null for plain containers. */
  service: string | null;
  swarmNodeId: string | null;
  /** A swarm task on another node, known from the manager only: no usage, logs or probes from here. */
  remote?: boolean;
}

export interface TaskAddress {
  index: number;
  address: string;
}

/** TF_CONFIG normalized: every job as a list of (index, address) sorted by index. */
export interface TfConfig {
  cluster: Record<string, TaskAddress[]>;
  task: { type: string; index: number } | null;
}

/** The training frameworks tfmon recognises a container of. */
export type FrameworkName = 'tensorflow' | 'pytorch' | 'horovod' | 'jax' | 'keras';

export interface NodeView extends ContainerFacts {
  /** The framework of the job it belongs to; null when none is recognised (role unknown). */
  framework: FrameworkName | null;
  role: Role;
  /** TensorFlow: the task index; other frameworks: the global rank of a one-process container, the
   * node rank of a torchrun container (with its `ranks`). */
  index: number | null;
  roleSource: RoleSource;
  /** Processes in the job (WORLD_SIZE, HOROVOD_SIZE…), as this container was told; null if unsaid. */
  worldSize: number | null;
  /** Where the job meets: MASTER_ADDR:MASTER_PORT, the rendezvous endpoint, the coordinator. */
  master: string | null;
  /** A torchrun container runs several ranks: the first and the last; null for one process. */
  ranks: [number, number] | null;
  port: number | null;
  tfConfig: unknown;
  tfConfigParsed: TfConfig | null;
  tfConfigError: string | null;
  /** The last error line of its logs, when tfmon has read them (shown, exited, or `status`). */
  lastError: string | null;
  /** Restarts by hand (docker restart, r) seen while tfmon watched; `restarts` is the policy's. */
  manualRestarts: number;
  /** The name peers reach it by: its service's in swarm mode (dnsrr), else the container's. */
  dnsName: string;
  /** Swarm mode: the host name of the swarm node running it, when known. */
  swarmNode: string | null;
  /** Several engines (--host repeated): the engine it runs on; absent with one engine. */
  engineHost?: string;
  /** A swarm task: how many tasks of its slot ran before it (Swarm replaced them), and the host
   * the last one ran on when that was another; absent when it is the slot's first. */
  earlierTasks?: number;
  movedFrom?: string;
}

export type Severity = 'error' | 'warning';

/** Every problem tfmon reports (docs/status-json.md says what each means). */
export type ProblemCode =
  | 'default_bridge_network'
  | 'tf_config_invalid'
  | 'tf_config_stale'
  | 'tf_config_missing'
  | 'duplicate_task'
  | 'index_gap'
  | 'topology_invalid'
  | 'loopback_address'
  | 'grpc_fail_fast_unset'
  | 'tf_port_public'
  | 'jupyter_public'
  | 'no_chief'
  | 'no_nodes'
  | 'not_running'
  | 'role_unknown'
  | 'crash_loop'
  | 'oom_killed'
  | 'not_attached'
  | 'peer_unresolvable'
  | 'not_listening'
  | 'port_refused'
  | 'port_timeout'
  | 'ip_mismatch'
  | 'engine_unreachable'
  | 'cross_engine_without_overlay'
  | 'host_partition'
  | 'overlay_data_path'
  | 'unknown_host'
  | 'straggler'
  | 'stalled'
  | 'session_waiting'
  | 'worker_failed'
  | 'ps_failed'
  | 'grpc_message_too_large'
  | 'metrics_public'
  | 'rank_missing'
  | 'duplicate_rank'
  | 'job_mismatch'
  | 'rendezvous_unhosted'
  | 'ranks_failed'
  | 'collective_timeout';

/** The problem another one follows from: on which node (null: the cluster), which code. */
export interface Cause {
  node: string | null;
  code: ProblemCode;
}

export interface Problem {
  severity: Severity;
  /** Where the fix goes; null when no one node is the place (the cluster, the network). */
  node: string | null;
  code: ProblemCode;
  message: string;
  /** Every node it involves (the one where the fix goes among them); set by explain(). */
  nodes?: string[];
  /** Set when it is a consequence of another problem (a root has null); set by explain(). */
  causedBy?: Cause | null;
}

/** A swarm node as its manager says: host name and state (ready, down, unknown, disconnected). */
export interface SwarmNodeInfo {
  name: string;
  state: string;
}

export interface EngineInfo {
  host: string;
  version: string | null;
  swarm: boolean;
}

export interface NetworkInfo {
  name: string;
  id: string | null;
  driver: string | null;
}

export interface HostUsage {
  cpuPercent: number | null;
  memUsedBytes: number | null;
  memTotalBytes: number | null;
  load: [number, number, number];
}

export interface Snapshot {
  engine: EngineInfo;
  /** Usage per container id (running containers with at least one sample). */
  usage: Record<string, NodeUsage>;
  /** How usage is read: the kernel's cgroup files, the engine's stats API, or not at all. */
  usageSource: 'cgroup' | 'api' | null;
  /** The host's own CPU, memory and load; null until measured or when usage is off. */
  host: HostUsage | null;
  /** The host's GPUs; null when there are no GPU figures (gpuNote says why, unless usage is off). */
  gpus: GpuStat[] | null;
  /** GPUs each container's processes use, by container id. */
  gpuByContainer: Record<string, ContainerGpu[]>;
  gpuNote: string | null;
  /** The last reachability round (empty until one ran, or with probing off). */
  reachability: ReachEntry[];
  /** Each task's TF port as tfmon's host found it, by node id (a local engine's bridge network only). */
  listeners: Readonly<Record<string, ListenerView>>;
  /** Probing state: off (--no-probe), or on with how long the last round took (null before one). */
  probe: { on: false } | { on: true; lastRoundMs: number | null };
  /** null while connected; the one-line reason while the engine cannot be reached. */
  engineError: string | null;
  network: NetworkInfo;
  nodes: NodeView[];
  problems: Problem[];
  /** What each node's own log says of the training, by container id (nodes that printed progress). */
  training: Readonly<Record<string, NodeTraining>>;
  /** The cluster's pace and ETA; null while no node printed progress (or with --no-training). */
  clusterTraining: ClusterTraining | null;
  /** Several engines: each one's host, why it cannot be reached (or null) and its node count. */
  engines?: { host: string; error: string | null; nodes: number }[];
  /** Swarm mode on a manager: every swarm node by id, with its state (down: the manager no longer
   * hears it); absent elsewhere. */
  swarmNodes?: Record<string, SwarmNodeInfo>;
  /** false until the first full listing arrived. */
  ready: boolean;
  updatedAt: number;
}
