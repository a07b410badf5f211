// `tfmon up` as data: which containers, with which names, TF_CONFIG, labels, command and limits.
// Pure, so --dry-run prints exactly what would be created and tests check it without an engine.
import { LABEL_CLUSTER, LABEL_INDEX, LABEL_PORT, LABEL_ROLE } from './role.js';
import { tfConfigFor, type TaskSpec } from './tf-config.js';
import type { TaskType } from './types.js';

export interface UpOptions {
  /** tensorflow: ps, workers, chief, evaluator with TF_CONFIGs; pytorch: `workers` ranks of an env://
   * DDP job (RANK, WORLD_SIZE, MASTER_ADDR = rank 0, MASTER_PORT = port). */
  framework: 'tensorflow' | 'pytorch';
  network: string;
  /** Container names are <prefix>-ps-0, <prefix>-worker-1, <prefix>-chief (default prefix "tf"). */
  prefix: string;
  ps: number;
  workers: number;
  chief: boolean;
  evaluator: boolean;
  image: string;
  /** true when image is tfmon's simulated node (it reads TF_CONFIG itself). */
  simImage: boolean;
  port: number;
  cpus: number | null;
  memoryBytes: number | null;
  gpus: GpuRequest | null;
  /** Published ports on workers: host port = hostBase + worker index. */
  publish: PublishSpec[];
  command: string[] | null;
  /** Extra labels put on everything created (and a filter for discovery). */
  labels: Record<string, string>;
  env: Record<string, string>;
}

export interface PublishSpec {
  hostBase: number;
  containerPort: number;
}

export interface GpuRequest {
  /** -1: all; 0 with deviceIds: those. */
  count: number;
  deviceIds: string[] | null;
}

/** GPUs as `docker run --gpus` says them ("all", "2", "device=0,1", also quoted): what --gpus takes
 * and what a container's request reads as (ContainerFacts.gpuRequest); null for anything else. */
export function parseGpuRequest(text: string): GpuRequest | null {
  const v = text.trim().replace(/^"(.*)"$/, '$1');
  if (v === 'all') return { count: -1, deviceIds: null };
  if (/^\d+$/.test(v) && Number(v) > 0) return { count: Number(v), deviceIds: null };
  const m = /^device=([\w-]+(?:,[\w-]+)*)$/.exec(v);
  return m?.[1] ? { count: 0, deviceIds: m[1].split(',') } : null;
}

/** What a Compose file can say of a container beyond what `tfmon up`'s flags do (tfmon up --from). */
export interface ContainerExtras {
  /** null or absent: the image's. */
  entrypoint?: string[] | null;
  /** Absent: the container's name. */
  hostname?: string;
  /** More names on the network (a Compose service's key, when its container is named otherwise). */
  aliases?: string[];
  restart?: { name: string; maxRetries: number };
  /** `src:dst[:ro]`: host paths and named volumes, as `docker run -v` takes them. */
  binds?: string[];
  shmBytes?: number;
  workingDir?: string;
  user?: string;
}

export interface PlannedContainer extends ContainerExtras {
  name: string;
  type: TaskType | 'master';
  index: number;
  image: string;
  command: string[] | null;
  env: Record<string, string>;
  labels: Record<string, string>;
  nanoCpus: number | null;
  memoryBytes: number | null;
  gpus: GpuRequest | null;
  ports: PlannedPort[];
}

export interface PlannedPort {
  hostPort: number;
  containerPort: number;
  /** Absent: every address, tcp. */
  hostIp?: string;
  protocol?: string;
}

export interface UpPlan {
  network: string;
  networkLabels: Record<string, string>;
  containers: PlannedContainer[];
}

export const LABEL_CREATED_BY = 'tfmon.created-by';

/** Python run by ps and worker tasks of a real TensorFlow image: a standard tf.distribute.Server. */
export const TF_SERVER_SCRIPT = [
  'import json, os',
  'import tensorflow as tf',
  'c = json.loads(os.environ["TF_CONFIG"])',
  's = tf.distribute.Server(tf.train.ClusterSpec(c["cluster"]), job_name=c["task"]["type"],',
  '                         task_index=c["task"]["index"], protocol="grpc", start=True)',
  's.join()',
].join('\n');

export const tfServerCommand = (): string[] => ['python3', '-c', TF_SERVER_SCRIPT];

export const containerName = (prefix: string, type: TaskType, index: number): string =>
  type === 'chief' || type === 'evaluator' ? `${prefix}-${type}` : `${prefix}-${type}-${index}`;

export function planUp(o: UpOptions): UpPlan {
  if (o.framework === 'pytorch') return planDdp(o);
  const tasks: TaskSpec[] = [];
  const add = (type: TaskType, count: number): void => {
    for (let index = 0; index < count; index++)
      tasks.push({ type, index, host: containerName(o.prefix, type, index), port: o.port });
  };
  if (o.chief) add('chief', 1);
  add('ps', o.ps);
  add('worker', o.workers);
  if (o.evaluator) add('evaluator', 1);

  const containers = tasks.map((task): PlannedContainer => {
    // ps and workers of a real image only serve; chief and evaluator run the image's own program.
    let command: string[] | null = o.command;
    if (!command && !o.simImage && (task.type === 'ps' || task.type === 'worker')) command = tfServerCommand();
    return {
      name: task.host,
      type: task.type,
      index: task.index,
      image: o.image,
      command,
      env: { ...o.env, TF_CONFIG: tfConfigFor(tasks, task), GRPC_FAIL_FAST: 'use_caller' },
      labels: {
        ...o.labels,
        [LABEL_CLUSTER]: o.network,
        [LABEL_ROLE]: task.type,
        [LABEL_INDEX]: String(task.index),
        [LABEL_PORT]: String(o.port),
      },
      nanoCpus: o.cpus === null ? null : Math.round(o.cpus * 1e9),
      memoryBytes: o.memoryBytes,
      gpus: o.gpus,
      ports:
        task.type === 'worker'
          ? o.publish.map((p) => ({ hostPort: p.hostBase + task.index, containerPort: p.containerPort }))
          : [],
    };
  });
  return {
    network: o.network,
    networkLabels: { ...o.labels, [LABEL_CLUSTER]: o.network, [LABEL_CREATED_BY]: 'tfmon' },
    containers,
  };
}

/** A PyTorch DDP job started the env:// way: one rank per container, rank 0 the master hosting the
 * rendezvous store on `port`; the image's own command runs the training (the torch image's: tfmon's
 * sim/ddp_train.py). */
function planDdp(o: UpOptions): UpPlan {
  const master = `${o.prefix}-rank-0`;
  const containers = Array.from(
    { length: o.workers },
    (_, rank): PlannedContainer => ({
      name: `${o.prefix}-rank-${rank}`,
      type: rank === 0 ? 'master' : 'worker',
      index: rank,
      image: o.image,
      command: o.command,
      env: {
        ...o.env,
        RANK: String(rank),
        WORLD_SIZE: String(o.workers),
        MASTER_ADDR: master,
        MASTER_PORT: String(o.port),
      },
      labels: {
        ...o.labels,
        [LABEL_CLUSTER]: o.network,
        [LABEL_ROLE]: rank === 0 ? 'master' : 'worker',
        [LABEL_INDEX]: String(rank),
        ...(rank === 0 ? { [LABEL_PORT]: String(o.port) } : {}),
      },
      nanoCpus: o.cpus === null ? null : Math.round(o.cpus * 1e9),
      memoryBytes: o.memoryBytes,
      gpus: o.gpus,
      ports: o.publish.map((p) => ({ hostPort: p.hostBase + rank, containerPort: p.containerPort })),
    }),
  );
  return {
    network: o.network,
    networkLabels: { ...o.labels, [LABEL_CLUSTER]: o.network, [LABEL_CREATED_BY]: 'tfmon' },
    containers,
  };
}
