// Swarm services (one per TF task with `up --swarm`) and the attachable overlay network they share.
import type Docker from 'dockerode';
import { isNotFound } from './errors.js';
import { enc, labelFilters, type EngineCalls } from './connection.js';

export class SwarmServices {
  constructor(private readonly c: EngineCalls) {}

  /** An attachable overlay network (swarm mode): services and plain containers can join it. */
  async createOverlayNetwork(name: string, labels: Record<string, string>): Promise<void> {
    const docker = await this.c.api();
    await this.c.call(() =>
      docker.createNetwork({ Name: name, Driver: 'overlay', Attachable: true, CheckDuplicate: true, Labels: labels }),
    );
  }

  async createService(spec: Record<string, unknown>): Promise<string> {
    const docker = await this.c.api();
    const s = (await this.c.call(() => docker.createService(spec as Docker.CreateServiceOptions))) as unknown as {
      id?: string;
      ID?: string;
    };
    return s.id ?? s.ID ?? '';
  }

  /** Services carrying all these labels: id and name. */
  async servicesWithLabels(labels: Record<string, string>): Promise<{ id: string; name: string }[]> {
    const list = await this.c.call(() =>
      this.c.get<{ ID: string; Spec?: { Name?: string } }[]>('/services', { filters: { label: labelFilters(labels) } }),
    );
    return list.map((s) => ({ id: s.ID, name: s.Spec?.Name ?? s.ID }));
  }

  /** A service's ID, version and spec (by id or name). */
  async inspectService(
    idOrName: string,
  ): Promise<{ id: string; version: number; spec: Record<string, unknown>; updateState: string | null }> {
    const raw = await this.c.call(() =>
      this.c.get<{
        ID: string;
        Version?: { Index?: number };
        Spec?: Record<string, unknown>;
        UpdateStatus?: { State?: string };
      }>(`/services/${enc(idOrName)}`),
    );
    return {
      id: raw.ID,
      version: raw.Version?.Index ?? 0,
      spec: raw.Spec ?? {},
      updateState: raw.UpdateStatus?.State ?? null,
    };
  }

  /** Replaces a service's spec (the version guards against a concurrent change). */
  async updateService(id: string, version: number, spec: Record<string, unknown>): Promise<void> {
    const docker = await this.c.api();
    await this.c.call(() =>
      docker.getService(id).update({ version, ...spec } as unknown as Docker.ServiceSpec & { version: number }),
    );
  }

  /** Whether a task of the service runs (any node), and since when the newest one does. */
  async serviceTaskRunning(name: string): Promise<{ running: boolean; failed: string | null }> {
    const tasks = await this.c.call(() =>
      this.c.get<{ DesiredState?: string; Status?: { State?: string; Err?: string } }[]>('/tasks', {
        filters: { service: [name] },
      }),
    );
    const running = tasks.some((t) => t.DesiredState === 'running' && t.Status?.State === 'running');
    const failed =
      tasks.find((t) => t.Status?.State === 'failed' || t.Status?.State === 'rejected')?.Status?.Err ?? null;
    return { running, failed };
  }

  async removeService(id: string): Promise<void> {
    const docker = await this.c.api();
    try {
      await this.c.call(() => docker.getService(id).remove());
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
