// `tfmon up --from FILE`: a Compose file (as `tfmon export compose` writes one, or a person) as the
// plan `tfmon up` carries out. One container per service, named its container_name or its key (the
// key is also its name on the network, as Compose makes it); the network is the file's, by its
// `name` (no project prefix: tfmon finds the cluster by it). What tfmon does not read is one warning
// each; what it cannot read at all is a ComposeError (one line). Pure.
import { parse } from 'yaml';
import { sizeBytes } from '../text/units.js';
import { isRecord, type Json } from './json.js';
import { LABEL_CLUSTER, LABEL_INDEX, LABEL_ROLE } from './role.js';
import { parseTfConfig } from './tf-config.js';
import { TASK_TYPES, type TaskType } from './types.js';
import { LABEL_CREATED_BY, type PlannedContainer, type PlannedPort, type UpPlan } from './up-plan.js';

export class ComposeError extends Error {}

/** The service keys tfmon reads; any other (x-… aside) is a warning. */
const READ = new Set([
  'image',
  'container_name',
  'hostname',
  'entrypoint',
  'command',
  'working_dir',
  'user',
  'environment',
  'ports',
  'restart',
  'labels',
  'volumes',
  'deploy',
  'networks',
  'shm_size',
  'cpus',
  'mem_limit',
]);

const RESTARTS = ['no', 'always', 'unless-stopped', 'on-failure'];

/** Compose's string form of a command: words split as a POSIX shell would (quotes kept together). */
export function shellWords(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1]?.replace(/\\(.)/g, '$1') ?? m[2] ?? m[3] ?? '');
  return out;
}

function words(v: unknown, what: string): string[] | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return shellWords(v);
  if (Array.isArray(v)) return v.map(String);
  throw new ComposeError(`${what} must be a list or a string`);
}

/** environment / labels: a mapping, or a list of KEY=VALUE. */
function keyValues(v: unknown, what: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (Array.isArray(v)) {
    const out: Record<string, string> = {};
    for (const e of v.map(String)) {
      const eq = e.indexOf('=');
      out[eq < 0 ? e : e.slice(0, eq)] = eq < 0 ? '' : e.slice(eq + 1);
    }
    return out;
  }
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null ? '' : String(x)]));
  throw new ComposeError(`${what} must be a mapping or a list of KEY=VALUE`);
}

function portOf(v: unknown, where: string, warn: (l: string) => void): PlannedPort | null {
  if (isRecord(v)) {
    const target = Number(v['target']);
    const published = Number(v['published']);
    if (!Number.isInteger(target) || !Number.isInteger(published)) {
      warn(`${where}: port ${JSON.stringify(v)} without a fixed published port not read`);
      return null;
    }
    return {
      hostPort: published,
      containerPort: target,
      ...(typeof v['host_ip'] === 'string' ? { hostIp: v['host_ip'] } : {}),
      ...(v['protocol'] === 'udp' ? { protocol: 'udp' } : {}),
    };
  }
  const m = /^(?:(\[[^\]]+\]|[\d.]+):)?(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(String(v));
  if (!m) {
    warn(`${where}: port "${String(v)}" not read (tfmon reads [IP:]HOST:CONTAINER[/tcp|udp])`);
    return null;
  }
  return {
    hostPort: Number(m[2]),
    containerPort: Number(m[3]),
    ...(m[1] ? { hostIp: m[1].replace(/^\[|\]$/g, '') } : {}),
    ...(m[4] === 'udp' ? { protocol: 'udp' } : {}),
  };
}

function bindOf(v: unknown, where: string, warn: (l: string) => void): string | null {
  if (typeof v === 'string') {
    if (v.split(':').length >= 2) return v;
    warn(`${where}: anonymous volume ${v} not read`);
    return null;
  }
  if (isRecord(v) && (v['type'] === 'bind' || v['type'] === 'volume') && v['source'] && v['target'])
    return `${String(v['source'])}:${String(v['target'])}${v['read_only'] === true ? ':ro' : ''}`;
  warn(`${where}: volume ${JSON.stringify(v)} not read`);
  return null;
}

function bytes(v: unknown, what: string): number {
  const n = typeof v === 'number' ? v : sizeBytes(String(v));
  if (n === null || !(n > 0))
    throw new ComposeError(`${what} must be a size like 512M or 8G, got ${JSON.stringify(v)}`);
  return n;
}

function cpus(v: unknown, what: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new ComposeError(`${what} must be a number of CPUs like 1.5, got ${JSON.stringify(v)}`);
  return Math.round(n * 1e9);
}

function gpusOf(reservations: Json, where: string, warn: (l: string) => void): PlannedContainer['gpus'] {
  const devices = Array.isArray(reservations['devices']) ? reservations['devices'] : [];
  for (const d of devices) {
    if (!isRecord(d)) continue;
    const caps = Array.isArray(d['capabilities']) ? d['capabilities'].map(String) : [];
    if (!caps.includes('gpu')) {
      warn(`${where}: device reservation ${JSON.stringify(d)} not read (only GPUs are)`);
      continue;
    }
    if (Array.isArray(d['device_ids'])) return { count: 0, deviceIds: d['device_ids'].map(String) };
    if (d['count'] === 'all' || d['count'] === undefined) return { count: -1, deviceIds: null };
    const n = Number(d['count']);
    if (Number.isInteger(n) && n > 0) return { count: n, deviceIds: null };
    throw new ComposeError(`${where}: GPU count must be all or a number, got ${JSON.stringify(d['count'])}`);
  }
  return null;
}

/** The task type and index its TF_CONFIG, RANK or tfmon's labels give (for the progress lines). */
function placeOf(
  env: Record<string, string>,
  labels: Record<string, string>,
): { type: TaskType | 'master'; index: number } {
  const tf = env['TF_CONFIG'] ? parseTfConfig(env['TF_CONFIG']) : null;
  const task = tf?.ok ? tf.config.task : null;
  if (task && (TASK_TYPES as readonly string[]).includes(task.type))
    return { type: task.type as TaskType, index: task.index };
  if (env['RANK'] !== undefined) {
    const rank = Number(env['RANK']) || 0;
    return { type: rank === 0 ? 'master' : 'worker', index: rank };
  }
  const role = labels[LABEL_ROLE];
  const index = Number(labels[LABEL_INDEX]) || 0;
  return { type: role && (TASK_TYPES as readonly string[]).includes(role) ? (role as TaskType) : 'worker', index };
}

/** The network the services join: the one the file declares (by its `name`, else its key). */
function networkOf(doc: Json, warn: (l: string) => void): { key: string | null; name: string } {
  const networks = isRecord(doc['networks']) ? doc['networks'] : {};
  const keys = Object.keys(networks);
  if (keys.length === 0)
    throw new ComposeError('the file declares no network: tfmon up --from needs the one its tasks share');
  if (keys.length > 1) warn(`networks ${keys.slice(1).join(', ')}: only the first, ${keys[0]}, is joined`);
  const key = keys[0] as string;
  const n = isRecord(networks[key]) ? networks[key] : {};
  if (n['driver'] !== undefined && n['driver'] !== 'bridge')
    warn(
      `network ${key}: driver ${String(n['driver'])} not read (tfmon up --from makes a bridge; tfmon up --swarm an overlay)`,
    );
  return { key, name: typeof n['name'] === 'string' && n['name'] ? n['name'] : key };
}

export function planFromCompose(
  text: string,
  extraLabels: Record<string, string>,
): { plan: UpPlan; warnings: string[] } {
  let doc: unknown;
  try {
    doc = parse(text, { version: '1.1' });
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new ComposeError(`not YAML: ${first}`);
  }
  if (!isRecord(doc) || !isRecord(doc['services'])) throw new ComposeError('not a Compose file: no services mapping');
  const warnings: string[] = [];
  const warn = (l: string): void => {
    warnings.push(l);
  };
  const network = networkOf(doc, warn);
  const containers: PlannedContainer[] = [];
  for (const [key, raw] of Object.entries(doc['services'])) {
    if (!isRecord(raw)) throw new ComposeError(`service ${key} is not a mapping`);
    const s = raw;
    const where = `service ${key}`;
    if (typeof s['image'] !== 'string' || !s['image'])
      throw new ComposeError(`${where} has no image (tfmon up --from does not build)`);
    for (const k of Object.keys(s)) if (!READ.has(k) && !k.startsWith('x-')) warn(`${where}: ${k} not read`);
    const joined = Array.isArray(s['networks'])
      ? s['networks'].map(String)
      : isRecord(s['networks'])
        ? Object.keys(s['networks'])
        : [];
    if (joined.length && network.key && !joined.includes(network.key))
      warn(`${where}: not on ${network.key} in the file: joined to it all the same`);
    const env = keyValues(s['environment'], `${where}: environment`);
    const labels = { ...keyValues(s['labels'], `${where}: labels`), ...extraLabels, [LABEL_CLUSTER]: network.name };
    const name = typeof s['container_name'] === 'string' && s['container_name'] ? s['container_name'] : key;
    const deploy = isRecord(s['deploy']) ? s['deploy'] : {};
    const resources = isRecord(deploy['resources']) ? deploy['resources'] : {};
    const limits = isRecord(resources['limits']) ? resources['limits'] : {};
    for (const k of Object.keys(deploy)) if (k !== 'resources') warn(`${where}: deploy.${k} not read`);
    const cpuValue = limits['cpus'] ?? s['cpus'];
    const memValue = limits['memory'] ?? s['mem_limit'];
    const restart = typeof s['restart'] === 'string' ? s['restart'] : null;
    const [policy = 'no', retries = '0'] = (restart ?? 'no').split(':');
    if (!RESTARTS.includes(policy))
      throw new ComposeError(`${where}: restart must be no, always, unless-stopped or on-failure[:N]`);
    const place = placeOf(env, labels);
    const c: PlannedContainer = {
      name,
      type: place.type,
      index: place.index,
      image: s['image'],
      command: words(s['command'], `${where}: command`),
      env,
      labels,
      nanoCpus: cpuValue === undefined ? null : cpus(cpuValue, `${where}: cpus`),
      memoryBytes: memValue === undefined ? null : bytes(memValue, `${where}: memory`),
      gpus: isRecord(resources['reservations']) ? gpusOf(resources['reservations'], where, warn) : null,
      ports: (Array.isArray(s['ports']) ? s['ports'] : [])
        .map((p) => portOf(p, where, warn))
        .filter((p): p is PlannedPort => p !== null),
    };
    const entrypoint = words(s['entrypoint'], `${where}: entrypoint`);
    if (entrypoint) c.entrypoint = entrypoint;
    if (typeof s['hostname'] === 'string') c.hostname = s['hostname'];
    if (key !== name) c.aliases = [key];
    if (policy !== 'no') c.restart = { name: policy, maxRetries: Number(retries) || 0 };
    const binds = (Array.isArray(s['volumes']) ? s['volumes'] : [])
      .map((v) => bindOf(v, where, warn))
      .filter((b): b is string => b !== null);
    if (binds.length) c.binds = binds;
    if (s['shm_size'] !== undefined) c.shmBytes = bytes(s['shm_size'], `${where}: shm_size`);
    if (typeof s['working_dir'] === 'string') c.workingDir = s['working_dir'];
    if (typeof s['user'] === 'string') c.user = s['user'];
    containers.push(c);
  }
  if (containers.length === 0) throw new ComposeError('the file has no services');
  const names = containers.map((c) => c.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new ComposeError(`two services make a container named ${twice}`);
  return {
    plan: {
      network: network.name,
      networkLabels: { ...extraLabels, [LABEL_CLUSTER]: network.name, [LABEL_CREATED_BY]: 'tfmon' },
      containers,
    },
    warnings,
  };
}
