// `tfmon export jobset` (jobset.x-k8s.io/v1alpha2): one replicated job per role, its pods Indexed and
// named by JobSet's DNS host names (<jobset>-<job>-0-<i>.<jobset>, network.enableDNSHostnames). No
// operator writes TF_CONFIG or MASTER_ADDR here: they are built from those names, the task index
// coming from the pod's completion index (Kubernetes expands $(TASK_INDEX) in later variables). Pure.
import { clusterSpecOf } from '../tf-config.js';
import type { TaskType } from '../types.js';
import {
  type EnvVar,
  backoffOf,
  containerOf,
  inIndexOrder,
  jobNameOf,
  jobRestart,
  podSpecOf,
  templateOf,
  templateTask,
} from './k8s.js';
import { PYTORCH_SET, tasksOf } from './kubeflow.js';
import type { Exported } from './output.js';
import type { ExportCluster, ExportTask } from './task.js';
import { moveTaskCommand } from './torchrun-args.js';

const TASK_INDEX: EnvVar = {
  name: 'TASK_INDEX',
  valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
};

/** JobSet names a pod <jobset>-<job>-<job index>-<pod index>: 63 characters at most in all. */
const NAME_MAX = 40;

const hostOf = (js: string, job: string, i: number): string => `${js}-${job}-0-${i}.${js}`;

function replicatedJob(
  job: string,
  tasks: ExportTask[],
  container: Record<string, unknown>,
  t: ExportTask,
  warn: (l: string) => void,
): Record<string, unknown> {
  const spec = podSpecOf(t, container, warn, jobRestart(t, warn));
  return {
    name: job,
    replicas: 1,
    template: {
      spec: {
        parallelism: tasks.length,
        completions: tasks.length,
        completionMode: 'Indexed',
        backoffLimit: 0,
        template: templateOf(t, spec, warn),
      },
    },
  };
}

export function toJobSet(cluster: ExportCluster, name: string | null): Exported {
  const warnings: string[] = [];
  const warn = (l: string): void => {
    warnings.push(l);
  };
  const js = jobNameOf(cluster, name, NAME_MAX);
  const tf = cluster.tasks.some((t) => t.framework === 'tensorflow');
  const jobs = tf ? tensorflowJobs(cluster, js, warn) : pytorchJobs(cluster, js, warn);
  const backoff = backoffOf(cluster.tasks);
  const spec: Record<string, unknown> = {
    network: { enableDNSHostnames: true },
    ...(backoff ? { failurePolicy: { maxRestarts: backoff } } : {}),
    replicatedJobs: jobs,
  };
  return {
    doc: { apiVersion: 'jobset.x-k8s.io/v1alpha2', kind: 'JobSet', metadata: { name: js }, spec },
    warnings,
    notes: [
      `JobSet (jobset.x-k8s.io/v1alpha2): pods reach each other as ${js}-<job>-0-<index>.${js}; ${
        tf ? 'TF_CONFIG' : 'RANK and MASTER_ADDR'
      } built from those names and the pod's completion index.`,
      'kubectl apply -f FILE',
    ],
  };
}

function tensorflowJobs(cluster: ExportCluster, js: string, warn: (l: string) => void): Record<string, unknown>[] {
  const tasks = tasksOf(cluster, 'tensorflow', 'jobset', warn);
  const types = (['chief', 'ps', 'worker', 'evaluator'] as const).filter((type) => tasks.some((t) => t.role === type));
  const groups = new Map(
    types.map((type) => [
      type,
      inIndexOrder(
        tasks.filter((t) => t.role === type),
        type,
        warn,
      ),
    ]),
  );
  const port = (t: ExportTask): number => t.port ?? 2222;
  const spec = clusterSpecOf(
    types.flatMap((type) =>
      (groups.get(type) ?? []).map((t, i) => ({
        type: type as TaskType,
        index: i,
        host: hostOf(js, type, i),
        port: port(t),
      })),
    ),
  );
  return types.map((type) => {
    const group = groups.get(type) ?? [];
    const t = templateTask(group, type, warn);
    const tfConfig = JSON.stringify({ cluster: spec, task: { type, index: '$(TASK_INDEX)' } }).replace(
      '"$(TASK_INDEX)"',
      '$(TASK_INDEX)',
    );
    const container = containerOf(
      t,
      {
        name: 'tensorflow',
        drop: new Set(['TF_CONFIG']),
        env: [TASK_INDEX, { name: 'TF_CONFIG', value: tfConfig }],
        port: { containerPort: port(t) },
      },
      warn,
    );
    return replicatedJob(type, group, container, t, warn);
  });
}

function pytorchJobs(cluster: ExportCluster, js: string, warn: (l: string) => void): Record<string, unknown>[] {
  const ordered = inIndexOrder(tasksOf(cluster, 'pytorch', 'jobset', warn), 'node', warn);
  const master = hostOf(js, 'node', 0);
  const first = ordered[0] as ExportTask;
  const port = first.port ?? (Number(first.env['MASTER_PORT']) || 29500);
  // torchrun's flags: the node rank from the pod's index, the master rank 0's pod (before comparing
  // the nodes: their ranks are all that told their command lines apart).
  const tasks = ordered.map((x) => moveTaskCommand(x, { kind: 'jobset', nodeRank: '$(TASK_INDEX)', master, port }));
  const t = templateTask(tasks, 'node', warn);
  const had = (k: string): boolean => k in t.env;
  const env: EnvVar[] = [TASK_INDEX];
  // The variables the job was started with, each set the JobSet way; the others as they were.
  for (const k of ['RANK', 'NODE_RANK', 'GROUP_RANK', 'PET_NODE_RANK'])
    if (had(k)) env.push({ name: k, value: '$(TASK_INDEX)' });
  for (const k of ['MASTER_ADDR', 'PET_MASTER_ADDR']) if (had(k)) env.push({ name: k, value: master });
  if (had('PET_RDZV_ENDPOINT')) env.push({ name: 'PET_RDZV_ENDPOINT', value: `${master}:${port}` });
  for (const k of PYTORCH_SET)
    if (had(k) && !env.some((e) => e.name === k)) env.push({ name: k, value: t.env[k] as string });
  const container = containerOf(t, { name: 'pytorch', drop: PYTORCH_SET, env, port: { containerPort: port } }, warn);
  return [replicatedJob('node', tasks, container, t, warn)];
}
