// Containers changed on the engine's side: created (from a plan or a rebuilt inspect), started,
// stopped, restarted, renamed, removed, waited for. Only actions use this; nothing is ever pulled.
import type Docker from 'dockerode';
import type { EngineCalls } from './connection.js';
import type { CreateSpec, InspectDoc } from './engine.js';
import { EngineError, isNotFound, statusOf } from './errors.js';

export class ContainerWrites {
  constructor(private readonly c: EngineCalls & { inspectDoc(idOrName: string): Promise<InspectDoc | null> }) {}

  /** Labels and run state of the container with this name; null when no such container exists. */
  async containerByName(name: string): Promise<{ labels: Record<string, string>; running: boolean } | null> {
    const raw = await this.c.inspectDoc(name);
    return raw ? { labels: raw.Config?.Labels ?? {}, running: raw.State?.Running === true } : null;
  }

  async createAndStart(spec: CreateSpec): Promise<string> {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp?: string; HostPort: string }[]> = {};
    for (const p of spec.ports) {
      const key = `${p.containerPort}/${p.protocol ?? 'tcp'}`;
      exposed[key] = {};
      (bindings[key] ??= []).push({ ...(p.hostIp ? { HostIp: p.hostIp } : {}), HostPort: String(p.hostPort) });
    }
    const docker = await this.c.api();
    const container = await this.c.call(() =>
      docker.createContainer({
        name: spec.name,
        Image: spec.image,
        ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
        ...(spec.command ? { Cmd: spec.command } : {}),
        ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
        ...(spec.user ? { User: spec.user } : {}),
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        Labels: spec.labels,
        Hostname: spec.hostname ?? spec.name,
        ExposedPorts: exposed,
        HostConfig: {
          NetworkMode: spec.network,
          PortBindings: bindings,
          ...(spec.nanoCpus ? { NanoCpus: spec.nanoCpus } : {}),
          ...(spec.memoryBytes ? { Memory: spec.memoryBytes } : {}),
          ...(spec.restart
            ? { RestartPolicy: { Name: spec.restart.name, MaximumRetryCount: spec.restart.maxRetries } }
            : {}),
          ...(spec.binds?.length ? { Binds: spec.binds } : {}),
          ...(spec.shmBytes ? { ShmSize: spec.shmBytes } : {}),
          ...(spec.gpus
            ? {
                DeviceRequests: [
                  {
                    Driver: '',
                    Count: spec.gpus.deviceIds ? 0 : spec.gpus.count,
                    DeviceIDs: spec.gpus.deviceIds,
                    Capabilities: [['gpu']],
                    Options: {},
                  },
                ],
              }
            : {}),
        },
        NetworkingConfig: { EndpointsConfig: { [spec.network]: { Aliases: [spec.name, ...(spec.aliases ?? [])] } } },
      } as Docker.ContainerCreateOptions),
    );
    try {
      await this.c.call(() => container.start());
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw error;
    }
    return container.id;
  }

  async start(name: string): Promise<void> {
    const docker = await this.c.api();
    try {
      await this.c.call(() => docker.getContainer(name).start());
    } catch (error) {
      if (statusOf(error) !== 304) throw error; // already running
    }
  }

  /** The whole inspect document: for rebuilding a container (cluster/clone.ts). */
  async inspectRaw(id: string): Promise<unknown> {
    const raw = await this.c.inspectDoc(id);
    if (!raw) throw new EngineError(`no such container: ${id}`);
    return raw;
  }

  /** POST /containers/create with a prepared body; returns the new id. Nothing is pulled. */
  async createRaw(name: string, body: Record<string, unknown>): Promise<string> {
    const docker = await this.c.api();
    const c = await this.c.call(() => docker.createContainer({ ...body, name } as Docker.ContainerCreateOptions));
    return c.id;
  }

  async restart(id: string, graceS = 10): Promise<void> {
    const docker = await this.c.api();
    await this.c.call(() => docker.getContainer(id).restart({ t: graceS }));
  }

  async stop(id: string, graceS = 10): Promise<void> {
    const docker = await this.c.api();
    try {
      await this.c.call(() => docker.getContainer(id).stop({ t: graceS }));
    } catch (error) {
      if (statusOf(error) !== 304) throw error; // already stopped
    }
  }

  async rename(id: string, name: string): Promise<void> {
    const docker = await this.c.api();
    await this.c.call(() => docker.getContainer(id).rename({ name }));
  }

  async remove(id: string): Promise<void> {
    const docker = await this.c.api();
    try {
      await this.c.call(() => docker.getContainer(id).remove({ force: true }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Host ports any container publishes (running or not): a new binding must avoid them. */
  async publishedHostPorts(): Promise<Set<number>> {
    const list = await this.c.call(() =>
      this.c.get<{ Ports?: { PublicPort?: number }[]; HostConfig?: unknown }[]>('/containers/json', { all: true }),
    );
    const out = new Set<number>();
    for (const c of list) for (const p of c.Ports ?? []) if (p.PublicPort) out.add(p.PublicPort);
    return out;
  }

  /** State of one container, for waiting on it. */
  async stateOf(id: string): Promise<{ status: string; running: boolean; restarts: number } | null> {
    const raw = await this.c.inspectDoc(id);
    return raw
      ? {
          status: raw.State?.Status ?? 'unknown',
          running: raw.State?.Running === true,
          restarts: raw.RestartCount ?? 0,
        }
      : null;
  }

  /** Graceful stop (SIGTERM, then SIGKILL after `graceS`), then remove. Gone already is fine. */
  async stopAndRemove(id: string, graceS = 5): Promise<void> {
    try {
      await this.stop(id, graceS);
    } catch (error) {
      const code = statusOf(error);
      if (code === 404) return;
      if (code !== 409) throw error; // 409: being removed already; remove says the last word
    }
    await this.remove(id);
  }
}
