// What `tfmon export` writes a task from: the node as tfmon sees it (role, index, the name peers use)
// and, live, the container's own configuration less what its image already says. From a recording
// only what the snapshot kept is known (no environment beyond TF_CONFIG and the job's variables), and
// `complete` says so. Pure.
import { envOf } from '../frameworks/environment.js';
import { arr, num, obj, str } from '../json.js';
import { type GpuRequest, parseGpuRequest } from '../up-plan.js';
import type {
  FrameworkName,
  MountInfo,
  NetworkInfo,
  NodeView,
  Problem,
  ProblemCode,
  PublishedPort,
  Role,
} from '../types.js';

export type RestartName = 'no' | 'always' | 'unless-stopped' | 'on-failure';

export interface ExportTask {
  /** The container's name. */
  name: string;
  /** The name peers reach it by (what its TF_CONFIG or MASTER_ADDR says): a Compose service's name. */
  dnsName: string;
  framework: FrameworkName | null;
  role: Role;
  index: number | null;
  port: number | null;
  /** A torchrun container's ranks (first, last); null for one process. */
  ranks: [number, number] | null;
  image: string;
  /** null: the image's own. */
  entrypoint: string[] | null;
  command: string[] | null;
  workingDir: string | null;
  user: string | null;
  /** The container's environment less the image's own values (TF_CONFIG and the job's variables in it). */
  env: Record<string, string>;
  /** The host name it was given (null: Docker's default, its short id). */
  hostname: string | null;
  ports: PublishedPort[];
  restart: { name: RestartName; maxRetries: number };
  nanoCpus: number | null;
  memoryBytes: number | null;
  gpus: GpuRequest | null;
  mounts: MountInfo[];
  /** The user's labels (Docker's, Compose's and Swarm's own left out). */
  labels: Record<string, string>;
  /** Bytes of /dev/shm when set (PyTorch's data loaders need more than Docker's 64 MB). */
  shmBytes: number | null;
  ipcHost: boolean;
  /** What a target may not carry: host networking, devices that are not GPUs, privileged mode. */
  networkMode: string | null;
  devices: string[];
  privileged: boolean;
}

export interface ExportCluster {
  network: NetworkInfo;
  /** The network's own labels (the engine's aside), live only. */
  networkLabels: Record<string, string>;
  tasks: ExportTask[];
  /** Problems of TF_CONFIG or of the job's variables open now: the file carries them as they are. */
  configProblems: Problem[];
  /** Why the environment beyond TF_CONFIG and the job's variables is not known (a recording keeps
   * no more); null when it is. */
  incomplete: string | null;
  /** Where it was read: the engine, or a recording at a time. */
  source: string;
}

/** Labels that the engine, Compose or Swarm put on by themselves. */
const ownLabel = (k: string): boolean =>
  k.startsWith('com.docker.') || k.startsWith('org.opencontainers.') || k === 'maintainer';

const RESTARTS: readonly RestartName[] = ['no', 'always', 'unless-stopped', 'on-failure'];

/** Docker lists a port published on every address twice (0.0.0.0 and ::): one, with no address. */
function distinctPorts(ports: readonly PublishedPort[]): PublishedPort[] {
  const seen = new Map<string, PublishedPort>();
  for (const p of ports) {
    const hostIp = p.hostIp === '0.0.0.0' || p.hostIp === '::' ? '' : p.hostIp;
    const key = `${hostIp}|${p.hostPort}|${p.containerPort}|${p.protocol}`;
    if (!seen.has(key)) seen.set(key, { ...p, hostIp });
  }
  return [...seen.values()];
}

function bindingsOf(bindings: unknown): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const [key, list] of Object.entries(obj(bindings))) {
    const [port, protocol = 'tcp'] = key.split('/');
    for (const b of arr(list)) {
      const hostPort = Number(obj(b)['HostPort']);
      if (Number.isInteger(hostPort) && hostPort > 0)
        out.push({ containerPort: Number(port), protocol, hostIp: str(obj(b)['HostIp']) ?? '', hostPort });
    }
  }
  return out.sort((a, b) => a.hostPort - b.hostPort);
}

const sameList = (a: unknown, b: unknown): boolean => JSON.stringify(arr(a)) === JSON.stringify(arr(b));
const strings = (v: unknown): string[] | null => (Array.isArray(v) ? v.map(String) : null);

/** One task from the node as tfmon sees it, the container's inspect (live; null from a recording)
 * and its image's inspect (null when unknown: then nothing is taken as the image's own). */
export function exportTaskOf(node: NodeView, inspect: unknown, image: unknown): ExportTask {
  const config = obj(obj(inspect)['Config']);
  const host = obj(obj(inspect)['HostConfig']);
  const imageConfig = obj(obj(image)['Config']);
  const live = inspect !== null && inspect !== undefined;

  let env: Record<string, string>;
  let entrypoint: string[] | null = null;
  let command: string[] | null = null;
  if (live) {
    const own = envOf(imageConfig['Env']);
    env = Object.fromEntries(Object.entries(envOf(config['Env'])).filter(([k, v]) => own[k] !== v));
    // Docker takes an image's Cmd as it is only while the entrypoint is the image's too.
    const entrypointOwn = sameList(config['Entrypoint'], imageConfig['Entrypoint']);
    if (!entrypointOwn) entrypoint = strings(config['Entrypoint']) ?? [];
    if (!entrypointOwn || !sameList(config['Cmd'], imageConfig['Cmd'])) command = strings(config['Cmd']);
  } else {
    env = { ...node.frameworkEnv };
    if (node.tfConfigRaw !== null) env['TF_CONFIG'] = node.tfConfigRaw;
    if (node.grpcFailFast !== null) env['GRPC_FAIL_FAST'] = node.grpcFailFast;
    // What ran, whole: the entrypoint as its first word so that the image's adds nothing.
    if (node.command.length > 0) {
      entrypoint = node.command.slice(0, 1);
      command = node.command.slice(1);
    }
  }

  const policy = obj(host['RestartPolicy']);
  const policyName = (str(policy['Name']) ?? node.restartPolicy ?? 'no') as RestartName;
  const shm = num(host['ShmSize']);
  const networkMode = str(host['NetworkMode']);
  return {
    name: node.name,
    dnsName: node.dnsName,
    framework: node.framework,
    role: node.role,
    index: node.index,
    port: node.port,
    ranks: node.ranks,
    image: node.image,
    entrypoint,
    command,
    workingDir: live && config['WorkingDir'] !== imageConfig['WorkingDir'] ? str(config['WorkingDir']) : null,
    user: live && config['User'] !== imageConfig['User'] ? str(config['User']) : null,
    env,
    // Docker's default host name is the container's short id: not worth carrying.
    hostname: node.hostname && !node.id.startsWith(node.hostname) ? node.hostname : null,
    // Live: the bindings asked for (a stopped container publishes nothing now); recorded: as seen.
    ports: distinctPorts(live ? bindingsOf(host['PortBindings']) : node.ports),
    restart: {
      name: RESTARTS.includes(policyName) ? policyName : 'no',
      maxRetries: num(policy['MaximumRetryCount']) ?? 0,
    },
    nanoCpus: node.nanoCpus,
    memoryBytes: node.memoryLimitBytes,
    gpus: node.gpuRequest ? parseGpuRequest(node.gpuRequest) : null,
    mounts: node.mounts,
    // The image's own labels come back in the container's: they are the image's to say.
    labels: Object.fromEntries(
      Object.entries(node.labels).filter(([k, v]) => !ownLabel(k) && obj(imageConfig['Labels'])[k] !== v),
    ),
    // Docker's default is 64 MiB: only a size the user chose is carried.
    shmBytes: shm !== null && shm !== 64 * 1024 * 1024 ? shm : null,
    ipcHost: str(host['IpcMode']) === 'host',
    networkMode:
      networkMode && ['host', 'none'].includes(networkMode)
        ? networkMode
        : networkMode?.startsWith('container:')
          ? networkMode
          : null,
    devices: arr(host['Devices'])
      .map((d) => str(obj(d)['PathOnHost']) ?? '')
      .filter(Boolean),
    privileged: host['Privileged'] === true,
  };
}

/** The problems of what each task was told (its TF_CONFIG, rank or master): exported as they are. */
const CONFIG_CODES: ReadonlySet<ProblemCode> = new Set<ProblemCode>([
  'tf_config_invalid',
  'tf_config_stale',
  'tf_config_missing',
  'duplicate_task',
  'index_gap',
  'topology_invalid',
  'loopback_address',
  'rank_missing',
  'duplicate_rank',
  'job_mismatch',
]);

/** The cluster to export: nodes with a role, in role and index order. */
export function exportClusterOf(
  nodes: readonly NodeView[],
  problems: readonly Problem[],
  network: NetworkInfo,
  detail: { inspects: ReadonlyMap<string, unknown>; images: ReadonlyMap<string, unknown> } | null,
  source: string,
  incomplete: string | null = null,
  networkLabels: Record<string, string> = {},
): ExportCluster {
  const tasks = nodes
    .filter((n) => n.role !== 'unknown' && n.state !== 'removing')
    .map((n) => exportTaskOf(n, detail?.inspects.get(n.id) ?? null, detail?.images.get(n.image) ?? null));
  return {
    network,
    networkLabels: Object.fromEntries(Object.entries(networkLabels).filter(([k]) => !ownLabel(k))),
    tasks,
    configProblems: problems.filter((p) => CONFIG_CODES.has(p.code)),
    incomplete,
    source,
  };
}
