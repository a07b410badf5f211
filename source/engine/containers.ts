// Container inspect JSON → ContainerFacts. Pure (fed recorded inspect output in tests).
import { frameworkEnvOf } from '../cluster/frameworks/environment.js';
import { arr, num, obj, str, type Json } from '../cluster/json.js';
import type { ContainerFacts, ContainerState, MountInfo, PublishedPort } from '../cluster/types.js';
import { LABEL_CLUSTER } from '../cluster/role.js';

const STATES: readonly ContainerState[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];

/** Docker reports "never" as year 1. */
const time = (v: unknown): string | null => {
  const s = str(v);
  return s && !s.startsWith('0001-') ? s : null;
};

function gpuRequestOf(hostConfig: Json): string | null {
  for (const raw of arr(hostConfig['DeviceRequests'])) {
    const req = obj(raw);
    const caps = arr(req['Capabilities'])
      .flatMap((c) => arr(c))
      .map(String);
    if (!caps.includes('gpu') && req['Driver'] !== 'nvidia') continue;
    const ids = arr(req['DeviceIDs']).map(String);
    if (ids.length > 0) return `device=${ids.join(',')}`;
    const count = num(req['Count']);
    return count === -1 ? 'all' : String(count ?? 0);
  }
  return null;
}

function portsOf(networkSettings: Json): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(obj(networkSettings['Ports']))) {
    const [port, protocol = 'tcp'] = key.split('/');
    for (const b of arr(bindings)) {
      const binding = obj(b);
      const hostPort = Number(binding['HostPort']);
      if (!Number.isInteger(hostPort) || hostPort <= 0) continue;
      out.push({ containerPort: Number(port), protocol, hostIp: str(binding['HostIp']) ?? '', hostPort });
    }
  }
  return out.sort((a, b) => a.hostPort - b.hostPort);
}

/** The value of one variable in a Docker Env list ("KEY=value"). */
export function envValue(env: unknown, key: string): string | null {
  for (const entry of arr(env)) {
    if (typeof entry === 'string' && entry.startsWith(`${key}=`)) return entry.slice(key.length + 1);
  }
  return null;
}

/** The container's attachment to `network` (by name or id), if any. */
export function attachmentOf(inspect: unknown, network: { name: string; id: string | null }): Json | null {
  const networks = obj(obj(obj(inspect)['NetworkSettings'])['Networks']);
  if (network.name in networks) return obj(networks[network.name]);
  for (const value of Object.values(networks)) {
    if (network.id && obj(value)['NetworkID'] === network.id) return obj(value);
  }
  return null;
}

/** A container tfmon made for this cluster (label tfmon.cluster=<network>), attached or not. */
export const isMemberOf = (inspect: unknown, network: string): boolean =>
  obj(obj(obj(inspect)['Config'])['Labels'])[LABEL_CLUSTER] === network;

export function factsFromInspect(inspect: unknown, network: { name: string; id: string | null }): ContainerFacts {
  const c = obj(inspect);
  const state = obj(c['State']);
  const config = obj(c['Config']);
  const hostConfig = obj(c['HostConfig']);
  const networkSettings = obj(c['NetworkSettings']);
  const attachment = attachmentOf(inspect, network);
  const rawState = str(state['Status']) ?? 'created';
  const restartPolicy = obj(hostConfig['RestartPolicy']);
  const policyName = str(restartPolicy['Name']);
  const mounts: MountInfo[] = arr(c['Mounts']).map((m) => {
    const mount = obj(m);
    const name = str(mount['Name']);
    return {
      type: str(mount['Type']) ?? 'bind',
      source: str(mount['Source']) ?? name ?? '',
      ...(name ? { name } : {}),
      destination: str(mount['Destination']) ?? '',
      readOnly: mount['RW'] === false,
    };
  });
  const path = str(c['Path']);
  const args = arr(c['Args']).map(String);
  return {
    id: str(c['Id']) ?? '',
    name: (str(c['Name']) ?? '').replace(/^\//, ''),
    image: str(config['Image']) ?? str(c['Image']) ?? '',
    command: path ? [path, ...args] : args,
    state: (STATES as readonly string[]).includes(rawState) ? (rawState as ContainerState) : 'dead',
    exitCode: rawState === 'exited' || rawState === 'dead' ? num(state['ExitCode']) : null,
    oomKilled: state['OOMKilled'] === true,
    health: str(obj(state['Health'])['Status']),
    restarts: num(c['RestartCount']) ?? 0,
    startedAt: time(state['StartedAt']),
    finishedAt: time(state['FinishedAt']),
    ip: attachment ? str(attachment['IPAddress']) || null : null,
    attached: attachment !== null,
    networks: Object.keys(obj(networkSettings['Networks'])).sort(),
    labels: Object.fromEntries(Object.entries(obj(config['Labels'])).map(([k, v]) => [k, String(v)])),
    tfConfigRaw: envValue(config['Env'], 'TF_CONFIG'),
    grpcFailFast: envValue(config['Env'], 'GRPC_FAIL_FAST'),
    frameworkEnv: frameworkEnvOf(config['Env']),
    hostname: str(config['Hostname']),
    ports: portsOf(networkSettings),
    mounts,
    nanoCpus: num(hostConfig['NanoCpus']) || null,
    memoryLimitBytes: num(hostConfig['Memory']) || null,
    gpuRequest: gpuRequestOf(hostConfig),
    restartPolicy: policyName && policyName !== 'no' ? policyName : null,
    pid: num(state['Pid']) || null,
    tty: config['Tty'] === true,
    service: str(obj(config['Labels'])['com.docker.swarm.service.name']),
    swarmNodeId: str(obj(config['Labels'])['com.docker.swarm.node.id']),
  };
}
