// `tfmon up` as data: which containers, with which names, TF_CONFIG, labels, command and limits.
// Pure, so --dry-run prints exactly what would be created and tests check it without an engine.
import { LABEL_CLUSTER, LABEL_INDEX, LABEL_PORT, LABEL_ROLE } from './role.js';
import { tfConfigFor, type TaskSpec } from './tf-config.js';
import type { TaskType } from './types.js';

export interface UpOptions {
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
  count: number;
  deviceIds: string[] | null;
}

export interface PlannedContainer {
  name: string;
  type: TaskType;
  index: number;
  image: string;
  command: string[] | null;
  env: Record<string, string>;
  labels: Record<string, string>;
  nanoCpus: number | null;
  memoryBytes: number | null;
  gpus: GpuRequest | null;
  ports: { hostPort: number; containerPort: number }[];
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
  const tasks: TaskSpec[] = [];
  const add = (type: TaskType, count: number): void => {
    for (let index = 0; index < count; index++) tasks.push({ type, index, host: containerName(o.prefix, type, index), port: o.port });
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
      ports: task.type === 'worker'
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
