// What the Kubernetes formats share: a task as a container and pod spec (image, command, environment,
// ports, requests and limits with nvidia.com/gpu, /dev/shm), names Kubernetes accepts, restart
// policies, and one warning line for each thing a pod cannot carry. Pure.
import { exactBytes } from '../../text/units.js';
import type { ExportCluster, ExportTask } from './task.js';

export type EnvVar = { name: string; value: string } | { name: string; valueFrom: Record<string, unknown> };

/** A DNS-1123 label: lowercase letters, digits and '-', at most `max` long. */
export function k8sName(text: string, max = 63): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return s || 'tfmon';
}

export function cpuQuantity(nanoCpus: number): string {
  const milli = Math.max(1, Math.round(nanoCpus / 1e6));
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

export const memoryQuantity = (bytes: number): string => exactBytes(bytes, ['Gi', 'Mi', 'Ki']);

/** A Kubernetes label value (63 characters, alphanumerics and -_. inside). */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export interface ContainerOptions {
  /** The container's name: the operators look for theirs (tensorflow, pytorch). */
  name: string;
  /** Variables the target sets itself (TF_CONFIG, RANK…): left out. */
  drop: ReadonlySet<string>;
  /** Variables the target needs set its way, first (later ones may refer to them as $(NAME)). */
  env?: EnvVar[];
  /** The task's own port, named as its operator wants. */
  port: { name?: string; containerPort: number } | null;
}

export function containerOf(t: ExportTask, o: ContainerOptions, warn: (line: string) => void): Record<string, unknown> {
  const c: Record<string, unknown> = { name: o.name, image: t.image };
  if (t.entrypoint) c['command'] = t.entrypoint;
  if (t.command) c['args'] = t.command;
  if (t.workingDir) c['workingDir'] = t.workingDir;
  const env: EnvVar[] = [...(o.env ?? [])];
  const set = new Set(env.map((e) => e.name));
  for (const [name, value] of Object.entries(t.env)) {
    if (!o.drop.has(name) && !set.has(name)) env.push({ name, value });
  }
  if (env.length) c['env'] = env;
  const ports: Record<string, unknown>[] = [];
  if (o.port) ports.push({ ...(o.port.name ? { name: o.port.name } : {}), containerPort: o.port.containerPort });
  for (const p of t.ports) {
    warn(
      `${t.name}: published port ${p.hostPort} → ${p.containerPort} not carried as a host port: reach it through a Service`,
    );
    if (!ports.some((q) => q['containerPort'] === p.containerPort))
      ports.push({ containerPort: p.containerPort, ...(p.protocol === 'udp' ? { protocol: 'UDP' } : {}) });
  }
  if (ports.length) c['ports'] = ports;
  const limits: Record<string, string> = {};
  if (t.nanoCpus) limits['cpu'] = cpuQuantity(t.nanoCpus);
  if (t.memoryBytes) limits['memory'] = memoryQuantity(t.memoryBytes);
  if (t.gpus) {
    let count = t.gpus.deviceIds?.length ?? t.gpus.count;
    if (count === -1) {
      warn(`${t.name}: --gpus all has no count in Kubernetes: nvidia.com/gpu 1 written, set yours`);
      count = 1;
    } else if (t.gpus.deviceIds) {
      warn(`${t.name}: GPUs ${t.gpus.deviceIds.join(',')} by id not carried: the scheduler picks ${count}`);
    }
    limits['nvidia.com/gpu'] = String(count);
  }
  // Requests as the limits: the scheduler places by requests, and a GPU's must equal its limit.
  if (Object.keys(limits).length) c['resources'] = { requests: { ...limits }, limits };
  if (t.shmBytes) c['volumeMounts'] = [{ name: 'dshm', mountPath: '/dev/shm' }];
  if (t.privileged) c['securityContext'] = { privileged: true };
  return c;
}

/** The pod spec around a task's container, and what it could not carry, as warnings. */
export function podSpecOf(
  t: ExportTask,
  container: Record<string, unknown>,
  warn: (line: string) => void,
  restartPolicy?: string,
): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (restartPolicy) spec['restartPolicy'] = restartPolicy;
  spec['containers'] = [container];
  if (t.shmBytes)
    spec['volumes'] = [{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: memoryQuantity(t.shmBytes) } }];
  for (const m of t.mounts) {
    warn(
      m.type === 'bind'
        ? `${t.name}: bind mount ${m.source} → ${m.destination} names a path on this box: not carried (give the pod a volume)`
        : `${t.name}: ${m.type} ${m.name ?? m.source} at ${m.destination} not carried (give the pod a volume: a PersistentVolumeClaim)`,
    );
  }
  if (t.networkMode) warn(`${t.name}: network mode ${t.networkMode} not carried (a pod has its own network)`);
  for (const d of t.devices) warn(`${t.name}: device ${d} not carried (only GPUs are, as nvidia.com/gpu)`);
  if (t.ipcHost) warn(`${t.name}: --ipc host not carried (/dev/shm is an emptyDir when --shm-size was set)`);
  return spec;
}

/** The pod template: the task's own labels (tfmon's left out: they are for Docker). */
export function templateOf(
  t: ExportTask,
  spec: Record<string, unknown>,
  warn: (line: string) => void,
): Record<string, unknown> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(t.labels)) {
    if (k.startsWith('tfmon.')) continue;
    if (LABEL_NAME.test(k) && k.length <= 316 && LABEL_VALUE.test(v) && v.length <= 63) labels[k] = v;
    else warn(`${t.name}: label ${k}=${v} not carried (not a valid Kubernetes label)`);
  }
  return Object.keys(labels).length ? { metadata: { labels }, spec } : { spec };
}

/** Docker's restart policy as Kubeflow's replica policy. */
export function replicaRestart(t: ExportTask): string {
  switch (t.restart.name) {
    case 'no':
      return 'Never';
    case 'on-failure':
      return 'OnFailure';
    default:
      return 'Always';
  }
}

/** As a Job's pod policy: a Job's pods cannot restart always. */
export function jobRestart(t: ExportTask, warn: (line: string) => void): 'Never' | 'OnFailure' {
  if (t.restart.name === 'no') return 'Never';
  if (t.restart.name !== 'on-failure')
    warn(`${t.name}: restart ${t.restart.name} written as OnFailure (a Job's pods restart only on failure)`);
  return 'OnFailure';
}

/** The highest on-failure retry count: the job's backoff limit. */
export const backoffOf = (tasks: readonly ExportTask[]): number | null => {
  const n = Math.max(0, ...tasks.map((t) => (t.restart.name === 'on-failure' ? t.restart.maxRetries : 0)));
  return n > 0 ? n : null;
};

/** One template for a group of tasks (a role): the first one's; what another does differently is a
 * warning, for it is not carried. The keys compared are what a template holds. */
export function templateTask(tasks: readonly ExportTask[], group: string, warn: (line: string) => void): ExportTask {
  const first = tasks[0] as ExportTask;
  const shape = (t: ExportTask, key: keyof ExportTask): string => JSON.stringify(t[key]);
  const keys: (keyof ExportTask)[] = ['image', 'entrypoint', 'command', 'nanoCpus', 'memoryBytes', 'gpus', 'shmBytes'];
  for (const t of tasks.slice(1)) {
    const differs = keys.filter((k) => shape(t, k) !== shape(first, k));
    if (differs.length)
      warn(
        `${t.name}: its ${differs.join(', ')} differ from ${first.name}'s: one template per ${group} (${first.name}'s)`,
      );
  }
  return first;
}

/** The object's name: --name, else the network's. */
export const jobNameOf = (cluster: ExportCluster, name: string | null, max = 63): string =>
  k8sName(name ?? cluster.network.name, max);

/** Tasks of a group in index order, with a warning where the indexes do not run 0, 1, 2… */
export function inIndexOrder(tasks: ExportTask[], group: string, warn: (line: string) => void): ExportTask[] {
  const sorted = [...tasks].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  if (sorted.some((t, i) => t.index !== i))
    warn(`${group}: indexes ${sorted.map((t) => t.index ?? '?').join(', ')} written as 0…${sorted.length - 1}`);
  return sorted;
}
