// `tfmon export tfjob` and `pytorchjob`: Kubeflow's Training Operator v1 (kubeflow.org/v1; on its
// release branch now). One replica spec per role, the operator's container name and port name; the
// operator writes TF_CONFIG, and RANK, WORLD_SIZE and MASTER_* itself, so those are left out. Pure.
import {
  backoffOf,
  containerOf,
  inIndexOrder,
  jobNameOf,
  podSpecOf,
  replicaRestart,
  templateOf,
  templateTask,
} from './k8s.js';
import { PYTORCH_VARIABLES } from '../frameworks/environment.js';
import type { Exported } from './output.js';
import type { ExportCluster, ExportTask } from './task.js';
import { moveTaskCommand } from './torchrun-args.js';

/** TensorFlow task types as TFJob's replica types. */
const TF_REPLICAS = [
  ['chief', 'Chief'],
  ['ps', 'PS'],
  ['worker', 'Worker'],
  ['evaluator', 'Evaluator'],
] as const;

/** What the PyTorchJob operator, Trainer's torch runtime and JobSet's variables set: a rank's place. */
export const PYTORCH_SET: ReadonlySet<string> = new Set(PYTORCH_VARIABLES);

export class ExportError extends Error {}

/** The tasks of one framework; the others are named in one warning. */
export function tasksOf(
  cluster: ExportCluster,
  framework: 'tensorflow' | 'pytorch',
  format: string,
  warn: (l: string) => void,
): ExportTask[] {
  const mine = cluster.tasks.filter((t) => t.framework === framework);
  const others = cluster.tasks.filter((t) => t.framework !== framework);
  if (mine.length === 0) {
    const seen = [...new Set(cluster.tasks.map((t) => t.framework ?? 'unknown'))].join(', ') || 'none';
    throw new ExportError(
      `${format} carries a ${framework === 'tensorflow' ? 'TensorFlow' : 'PyTorch'} job; this cluster has none (its tasks: ${seen})`,
    );
  }
  if (others.length) warn(`${others.map((t) => t.name).join(', ')}: not ${framework} tasks: not carried`);
  return mine;
}

function runPolicy(tasks: readonly ExportTask[]): Record<string, unknown> {
  const backoff = backoffOf(tasks);
  return { cleanPodPolicy: 'None', ...(backoff ? { backoffLimit: backoff } : {}) };
}

function replica(
  tasks: ExportTask[],
  group: string,
  container: { name: string; drop: ReadonlySet<string>; port: { name: string; containerPort: number } },
  warn: (l: string) => void,
): Record<string, unknown> {
  const ordered = inIndexOrder(tasks, group, warn);
  const t = templateTask(ordered, group, warn);
  const spec = podSpecOf(t, containerOf(t, container, warn), warn);
  return { replicas: ordered.length, restartPolicy: replicaRestart(t), template: templateOf(t, spec, warn) };
}

export function toTfJob(cluster: ExportCluster, name: string | null): Exported {
  const warnings: string[] = [];
  const warn = (l: string): void => {
    warnings.push(l);
  };
  const tasks = tasksOf(cluster, 'tensorflow', 'tfjob', warn);
  const ports = [...new Set(tasks.map((t) => t.port ?? 2222))];
  if (ports.length > 1) warn(`tasks listen on ports ${ports.join(', ')}: one tfjob-port, ${ports[0]}`);
  const port = { name: 'tfjob-port', containerPort: ports[0] ?? 2222 };
  const specs: Record<string, unknown> = {};
  for (const [type, key] of TF_REPLICAS) {
    const group = tasks.filter((t) => t.role === type);
    if (group.length)
      specs[key] = replica(group, type, { name: 'tensorflow', drop: new Set(['TF_CONFIG']), port }, warn);
  }
  return {
    doc: {
      apiVersion: 'kubeflow.org/v1',
      kind: 'TFJob',
      metadata: { name: jobNameOf(cluster, name) },
      spec: { runPolicy: runPolicy(tasks), tfReplicaSpecs: specs },
    },
    warnings,
    notes: [
      "Kubeflow Training Operator v1 (kubeflow.org/v1): it writes each pod's TF_CONFIG from the replica specs.",
      'kubectl apply -f FILE',
    ],
  };
}

export function toPyTorchJob(cluster: ExportCluster, name: string | null): Exported {
  const warnings: string[] = [];
  const warn = (l: string): void => {
    warnings.push(l);
  };
  // torchrun's own job flags would beat the PET_* variables the operator sets in each pod.
  const tasks = tasksOf(cluster, 'pytorch', 'pytorchjob', warn).map((t) => moveTaskCommand(t, { kind: 'operator' }));
  const master = tasks.filter((t) => t.role === 'master');
  const workers = tasks.filter((t) => t.role !== 'master');
  if (master.length !== 1)
    throw new ExportError(`pytorchjob needs one rank-0 node (the master); this job has ${master.length}`);
  const m = master[0] as ExportTask;
  const port = { name: 'pytorchjob-port', containerPort: m.port ?? (Number(m.env['MASTER_PORT']) || 23456) };
  const container = { name: 'pytorch', drop: PYTORCH_SET, port };
  const specs: Record<string, unknown> = { Master: replica(master, 'master', container, warn) };
  // Workers' ranks follow the master's: index i of the replica spec is node rank i + 1.
  if (workers.length)
    specs['Worker'] = replica(
      workers.map((w) => ({ ...w, index: (w.index ?? 1) - 1 })),
      'worker (rank - 1)',
      container,
      warn,
    );
  const spec: Record<string, unknown> = { runPolicy: runPolicy(tasks), pytorchReplicaSpecs: specs };
  if (m.ranks) spec['nprocPerNode'] = String(m.ranks[1] - m.ranks[0] + 1);
  return {
    doc: { apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name: jobNameOf(cluster, name) }, spec },
    warnings,
    notes: [
      "Kubeflow Training Operator v1 (kubeflow.org/v1): it sets RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT (and torchrun's PET_* variables) in every pod.",
      'kubectl apply -f FILE',
    ],
  };
}
