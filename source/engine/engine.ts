// Typed access to one Docker engine. Everything above this layer sees plain data, never dockerode.
import type Docker from 'dockerode';
import type { ContainerFacts, EngineInfo, NetworkInfo } from '../cluster/types.js';
import { dockerFor, resolveHost } from './connect.js';
import { factsFromInspect, attachmentOf } from './containers.js';
import { EngineError, describeConnectError, engineMessage, isNotFound, statusOf } from './errors.js';
import { followEvents, type EventsCallbacks } from './events.js';

export interface CreateSpec {
  name: string;
  image: string;
  command: string[] | null;
  env: Record<string, string>;
  labels: Record<string, string>;
  network: string;
  nanoCpus: number | null;
  memoryBytes: number | null;
  gpus: { count: number; deviceIds: string[] | null } | null;
  ports: { hostPort: number; containerPort: number }[];
}

const labelFilters = (labels: Record<string, string>): string[] =>
  Object.entries(labels).map(([k, v]) => (v === '' ? k : `${k}=${v}`));

export class Engine {
  readonly host: string;
  private readonly docker: Docker;

  constructor(hostFlag?: string) {
    this.host = resolveHost(hostFlag);
    this.docker = dockerFor(this.host);
  }

  /** Wraps a call so that connection failures become one actionable line. */
  private async call<T>(what: () => Promise<T>): Promise<T> {
    try {
      return await what();
    } catch (error) {
      if (statusOf(error) !== null) throw error;
      throw new EngineError(describeConnectError(error, this.host));
    }
  }

  async hello(): Promise<EngineInfo> {
    const [version, info] = await this.call(() => Promise.all([this.docker.version(), this.docker.info()]));
    const swarm = (info as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } }).Swarm;
    return {
      host: this.host,
      version: version.Version ?? null,
      apiVersion: version.ApiVersion ?? null,
      swarm: swarm?.LocalNodeState === 'active',
    };
  }

  async networkNames(): Promise<string[]> {
    const list = await this.call(() => this.docker.listNetworks());
    return list.map((n) => n.Name).sort();
  }

  /** The network, or an EngineError listing the ones that exist. */
  async findNetwork(name: string): Promise<NetworkInfo & { labels: Record<string, string> }> {
    try {
      const n = (await this.call(() => this.docker.getNetwork(name).inspect())) as {
        Id: string; Name: string; Driver: string; Labels?: Record<string, string> | null;
      };
      return { name: n.Name, id: n.Id, driver: n.Driver, labels: n.Labels ?? {} };
    } catch (error) {
      if (!isNotFound(error)) throw error instanceof EngineError ? error : new EngineError(engineMessage(error));
      const names = await this.networkNames();
      throw new EngineError(
        `network "${name}" not found; networks on this engine: ${names.join(', ') || 'none'}. Use --network NAME (or tfmon up to create ${name})`,
        404,
      );
    }
  }

  async networkExists(name: string): Promise<boolean> {
    try {
      await this.call(() => this.docker.getNetwork(name).inspect());
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Ids of containers (running or not) attached to the network, narrowed by labels. */
  async clusterContainerIds(network: string, labels: Record<string, string>): Promise<string[]> {
    const filters: Record<string, string[]> = { network: [network] };
    const label = labelFilters(labels);
    if (label.length > 0) filters['label'] = label;
    const list = await this.call(() => this.docker.listContainers({ all: true, filters }));
    return list.map((c) => c.Id);
  }

  /** Ids of containers carrying all these labels, wherever they are attached. */
  async containerIdsWithLabels(labels: Record<string, string>): Promise<string[]> {
    const list = await this.call(() => this.docker.listContainers({ all: true, filters: { label: labelFilters(labels) } }));
    return list.map((c) => c.Id);
  }

  /** Facts about one container as seen from `network`; null when it is gone or not on that network. */
  async inspect(id: string, network: NetworkInfo): Promise<ContainerFacts | null> {
    try {
      const raw = await this.call(() => this.docker.getContainer(id).inspect());
      if (!attachmentOf(raw, network)) return null;
      return factsFromInspect(raw, network);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** Labels of the container with this name; null when no such container exists. */
  async labelsOfContainer(name: string): Promise<Record<string, string> | null> {
    try {
      const raw = await this.call(() => this.docker.getContainer(name).inspect());
      return raw.Config.Labels ?? {};
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  followEvents(callbacks: EventsCallbacks): { close(): void } {
    return followEvents(
      (signal) => this.docker.getEvents({ filters: { type: ['container', 'network'] }, abortSignal: signal } as Docker.GetEventsOptions),
      callbacks,
    );
  }

  async imageExists(ref: string): Promise<boolean> {
    try {
      await this.call(() => this.docker.getImage(ref).inspect());
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** `docker import` of a root filesystem tarball; `changes` are Dockerfile lines (CMD, LABEL…). */
  async importImage(tar: Buffer, ref: string, changes: string[]): Promise<void> {
    const { Readable } = await import('node:stream');
    const [repo, tag = 'latest'] = ref.split(':');
    const stream = await this.call(() => this.docker.importImage(Readable.from([tar]), { repo, tag, changes }));
    const output = await new Promise<string>((resolve, reject) => {
      let text = '';
      stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
      stream.on('end', () => resolve(text));
      stream.on('error', reject);
    });
    if (/"error"/.test(output)) throw new EngineError(`docker import failed: ${output.trim().slice(0, 300)}`);
  }

  async createNetwork(name: string, labels: Record<string, string>): Promise<void> {
    await this.call(() => this.docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: labels }));
  }

  async removeNetwork(name: string): Promise<void> {
    await this.call(() => this.docker.getNetwork(name).remove());
  }

  async createAndStart(spec: CreateSpec): Promise<string> {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostPort: string }[]> = {};
    for (const p of spec.ports) {
      exposed[`${p.containerPort}/tcp`] = {};
      bindings[`${p.containerPort}/tcp`] = [{ HostPort: String(p.hostPort) }];
    }
    const container = await this.call(() =>
      this.docker.createContainer({
        name: spec.name,
        Image: spec.image,
        ...(spec.command ? { Cmd: spec.command } : {}),
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        Labels: spec.labels,
        Hostname: spec.name,
        ExposedPorts: exposed,
        HostConfig: {
          NetworkMode: spec.network,
          PortBindings: bindings,
          ...(spec.nanoCpus ? { NanoCpus: spec.nanoCpus } : {}),
          ...(spec.memoryBytes ? { Memory: spec.memoryBytes } : {}),
          ...(spec.gpus
            ? {
                DeviceRequests: [{
                  Driver: '',
                  Count: spec.gpus.deviceIds ? 0 : spec.gpus.count,
                  DeviceIDs: spec.gpus.deviceIds,
                  Capabilities: [['gpu']],
                  Options: {},
                }],
              }
            : {}),
        },
        NetworkingConfig: { EndpointsConfig: { [spec.network]: { Aliases: [spec.name] } } },
      } as Docker.ContainerCreateOptions),
    );
    try {
      await this.call(() => container.start());
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw error;
    }
    return container.id;
  }

  /** Graceful stop (SIGTERM, then SIGKILL after `graceS`), then remove. Gone already is fine. */
  async stopAndRemove(id: string, graceS = 5): Promise<void> {
    const c = this.docker.getContainer(id);
    try {
      await this.call(() => c.stop({ t: graceS }));
    } catch (error) {
      const code = statusOf(error);
      if (code === 404) return;
      if (code !== 304 && code !== 409) throw error;
    }
    try {
      await this.call(() => c.remove({ force: true }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
