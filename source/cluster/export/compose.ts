// `tfmon export compose`: one service per task, named as its peers reach it, with its own TF_CONFIG
// (or RANK, WORLD_SIZE, MASTER_*), limits as deploy.resources, GPUs as device reservations. Written
// for the Compose Specification and for docker-compose 1.29 alike (no top-level `name`, no `version`).
// Pure.
import { exactBytes } from '../../text/units.js';
import type { ExportCluster, ExportTask } from './task.js';
import type { Exported } from './output.js';

/** Bytes as Compose writes sizes: "8G", "512M" when exact, else the number. */
export const composeBytes = (bytes: number): string => exactBytes(bytes, ['G', 'M', 'K']);

/** "0.5" for 500000000 nano CPUs: as `docker run --cpus` says it. */
export const cpusText = (nanoCpus: number): string => String(Number((nanoCpus / 1e9).toFixed(3)));

const restartText = (t: ExportTask): string =>
  t.restart.name === 'on-failure' && t.restart.maxRetries > 0 ? `on-failure:${t.restart.maxRetries}` : t.restart.name;

function portText(p: ExportTask['ports'][number]): string {
  const ip =
    p.hostIp && p.hostIp !== '0.0.0.0' && p.hostIp !== '::'
      ? `${p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp}:`
      : '';
  return `${ip}${p.hostPort}:${p.containerPort}${p.protocol && p.protocol !== 'tcp' ? `/${p.protocol}` : ''}`;
}

function service(
  t: ExportTask,
  network: string,
  volumes: Set<string>,
  warn: (line: string) => void,
): Record<string, unknown> {
  const s: Record<string, unknown> = { image: t.image };
  // A swarm task's name is Swarm's; a container's is the one peers and tfmon know it by.
  if (t.dnsName === t.name) s['container_name'] = t.name;
  if (t.hostname) s['hostname'] = t.hostname;
  if (t.entrypoint) s['entrypoint'] = t.entrypoint;
  if (t.command) s['command'] = t.command;
  if (t.workingDir) s['working_dir'] = t.workingDir;
  if (t.user) s['user'] = t.user;
  if (Object.keys(t.env).length) s['environment'] = t.env;
  if (t.ports.length) s['ports'] = t.ports.map(portText);
  if (t.restart.name !== 'no') s['restart'] = restartText(t);
  if (t.shmBytes) s['shm_size'] = composeBytes(t.shmBytes);
  if (t.ipcHost) s['ipc'] = 'host';
  if (t.privileged) s['privileged'] = true;
  if (t.devices.length) s['devices'] = t.devices.map((d) => `${d}:${d}`);
  if (Object.keys(t.labels).length) s['labels'] = t.labels;
  const mounts: string[] = [];
  for (const m of t.mounts) {
    if (m.type === 'bind') {
      warn(`${t.name}: bind mount ${m.source} → ${m.destination} names a path on this box (carried as it is)`);
      mounts.push(`${m.source}:${m.destination}${m.readOnly ? ':ro' : ''}`);
    } else if (m.type === 'volume' && m.name) {
      volumes.add(m.name);
      mounts.push(`${m.name}:${m.destination}${m.readOnly ? ':ro' : ''}`);
    } else {
      warn(`${t.name}: ${m.type} mount at ${m.destination} not carried (only binds and named volumes are)`);
    }
  }
  if (mounts.length) s['volumes'] = mounts;
  const limits: Record<string, string> = {};
  if (t.nanoCpus) limits['cpus'] = cpusText(t.nanoCpus);
  if (t.memoryBytes) limits['memory'] = composeBytes(t.memoryBytes);
  const resources: Record<string, unknown> = {};
  if (Object.keys(limits).length) resources['limits'] = limits;
  if (t.gpus) {
    const device: Record<string, unknown> = { driver: 'nvidia' };
    if (t.gpus.deviceIds) device['device_ids'] = t.gpus.deviceIds;
    else device['count'] = t.gpus.count === -1 ? 'all' : t.gpus.count;
    device['capabilities'] = ['gpu'];
    resources['reservations'] = { devices: [device] };
  }
  if (Object.keys(resources).length) s['deploy'] = { resources };
  if (t.networkMode) s['network_mode'] = t.networkMode;
  else s['networks'] = [network];
  return s;
}

export function toCompose(cluster: ExportCluster): Exported {
  const warnings: string[] = [];
  const volumes = new Set<string>();
  const net = cluster.network;
  const services: Record<string, unknown> = {};
  for (const t of cluster.tasks) {
    if (t.dnsName in services) {
      warnings.push(`${t.name}: a second container named ${t.dnsName} by its peers: not carried`);
      continue;
    }
    services[t.dnsName] = service(t, net.name, volumes, (w) => warnings.push(w));
  }
  // The network keeps its name (tfmon finds the cluster by it); an overlay belongs to the swarm, so
  // the project joins it rather than creating one.
  const overlay = net.driver === 'overlay';
  const doc: Record<string, unknown> = {
    services,
    networks: {
      [net.name]: overlay
        ? { name: net.name, external: true }
        : { name: net.name, ...(Object.keys(cluster.networkLabels).length ? { labels: cluster.networkLabels } : {}) },
    },
  };
  if (volumes.size) doc['volumes'] = Object.fromEntries([...volumes].sort().map((v) => [v, { name: v }]));
  return {
    doc,
    warnings,
    notes: [
      'docker-compose -f FILE up -d (or docker compose) starts it; tfmon up --from FILE too.',
      overlay ? `${net.name} is a swarm overlay: create it (attachable) before starting this file.` : null,
    ],
  };
}
