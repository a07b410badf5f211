// `tfmon export trainjob`: Kubeflow Trainer v2 (trainer.kubeflow.org/v1alpha1). A TrainJob names a
// runtime and says what differs: image, command, environment, nodes, processes per node, resources
// per node. Trainer ships PyTorch runtimes (torch-distributed) and no TensorFlow one: a TensorFlow
// job's file names one the user has to write, and says so. Pure.
import { containerOf, jobNameOf, podSpecOf, templateTask } from './k8s.js';
import { PYTORCH_SET, tasksOf } from './kubeflow.js';
import type { Exported } from './output.js';
import type { ExportCluster, ExportTask } from './task.js';
import { moveTaskCommand, runsTorchrun } from './torchrun-args.js';

/** The runtime a TensorFlow TrainJob names: Trainer has none; docs/export.md shows one to write. */
export const TF_RUNTIME = 'tensorflow-distributed';

function trainer(
  t: ExportTask,
  nodes: number,
  drop: ReadonlySet<string>,
  warn: (l: string) => void,
): Record<string, unknown> {
  const c = containerOf(t, { name: 'node', drop, port: null }, warn);
  podSpecOf(t, c, warn);
  if (t.shmBytes) warn(`${t.name}: --shm-size not carried (a TrainJob sets it through its runtime's pod template)`);
  const out: Record<string, unknown> = { image: t.image };
  for (const k of ['command', 'args', 'env'] as const) if (c[k]) out[k] = c[k];
  out['numNodes'] = nodes;
  if (t.ranks) out['numProcPerNode'] = t.ranks[1] - t.ranks[0] + 1;
  if (c['resources']) out['resourcesPerNode'] = c['resources'];
  return out;
}

export function toTrainJob(cluster: ExportCluster, name: string | null): Exported {
  const warnings: string[] = [];
  const warn = (l: string): void => {
    warnings.push(l);
  };
  const tf = cluster.tasks.some((t) => t.framework === 'tensorflow');
  const meta = { name: jobNameOf(cluster, name) };
  if (tf) {
    const tasks = tasksOf(cluster, 'tensorflow', 'trainjob', warn);
    // A TrainJob's nodes are alike: the training tasks (chief and workers) are; ps and evaluator are not.
    const nodes = tasks.filter((t) => t.role === 'worker' || t.role === 'chief');
    const left = tasks.filter((t) => !nodes.includes(t));
    if (left.length)
      warn(
        `${left.map((t) => t.name).join(', ')}: ${[...new Set(left.map((t) => t.role))].join(' and ')} tasks not carried (a TrainJob's nodes are alike)`,
      );
    if (nodes.length === 0) warn('no chief or worker task: numNodes 1 written');
    const t = templateTask(nodes.length ? nodes : tasks, 'node', warn);
    warn(
      `Kubeflow Trainer ships no TensorFlow runtime: this TrainJob names ${TF_RUNTIME}, a ClusterTrainingRuntime to write (docs/export.md)`,
    );
    return {
      doc: {
        apiVersion: 'trainer.kubeflow.org/v1alpha1',
        kind: 'TrainJob',
        metadata: meta,
        spec: {
          runtimeRef: { name: TF_RUNTIME },
          trainer: trainer(t, Math.max(1, nodes.length), new Set(['TF_CONFIG']), warn),
        },
      },
      warnings,
      notes: [
        `Kubeflow Trainer v2 (trainer.kubeflow.org/v1alpha1) ships no TensorFlow runtime: ${TF_RUNTIME} must be a ClusterTrainingRuntime you write, one that sets each node's TF_CONFIG.`,
        'Or export tfjob (Training Operator v1) or jobset, which carry TensorFlow as it is.',
      ],
    };
  }
  const tasks = tasksOf(cluster, 'pytorch', 'trainjob', warn).map((t) => moveTaskCommand(t, { kind: 'operator' }));
  const t = templateTask(
    [...tasks].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)),
    'node',
    warn,
  );
  if (!runsTorchrun([...(t.entrypoint ?? []), ...(t.command ?? [])]))
    warn(
      `${t.name}: started without torchrun (RANK, WORLD_SIZE): torch-distributed passes the job to torchrun's PET_* variables: start the script with torchrun`,
    );
  return {
    doc: {
      apiVersion: 'trainer.kubeflow.org/v1alpha1',
      kind: 'TrainJob',
      metadata: meta,
      spec: { runtimeRef: { name: 'torch-distributed' }, trainer: trainer(t, tasks.length, PYTORCH_SET, warn) },
    },
    warnings,
    notes: [
      "Kubeflow Trainer v2 (trainer.kubeflow.org/v1alpha1), runtime torch-distributed: it sets torchrun's PET_NNODES, PET_NPROC_PER_NODE, PET_NODE_RANK and PET_MASTER_* in every node.",
      'kubectl apply -f FILE',
    ],
  };
}
