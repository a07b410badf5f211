// The actions on swarm tasks: the unit is the service, not the container. + creates a service
// cloned from the highest-index worker's, - removes one, r forces an update (a new task), applying a
// TF_CONFIG updates the service's environment (swarm replaces the task).
import { withEnv } from '../cluster/clone.js';
import { arr, obj } from '../cluster/json.js';
import { LABEL_INDEX } from '../cluster/role.js';
import type { Engine } from './engine.js';
import { EngineError } from './errors.js';

const WAIT_MS = 60_000;

/** Waits until the service has a running task (its update finished, when there was one). */
export async function waitService(engine: Engine, name: string): Promise<void> {
  const until = Date.now() + WAIT_MS;
  await new Promise((r) => setTimeout(r, 300));
  for (;;) {
    const s = await engine.services.inspectService(name);
    const t = await engine.services.serviceTaskRunning(name);
    const updating = s.updateState === 'updating' || s.updateState === 'rollback_started';
    if (t.running && !updating) return;
    if (s.updateState === 'paused' || s.updateState === 'rollback_completed')
      throw new EngineError(
        `the update of service ${name} stopped (${s.updateState})${t.failed ? `: ${t.failed}` : ''}`,
      );
    if (Date.now() > until)
      throw new EngineError(
        `service ${name} has no running task after ${WAIT_MS / 1000} s${t.failed ? ` (${t.failed})` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A copy of a service's spec for another task: name, TF_CONFIG, tfmon.index, alias, host-mode ports. */
export function cloneServiceSpec(
  spec: Record<string, unknown>,
  o: { name: string; tfConfig: string; index: number; portShift: number },
): Record<string, unknown> {
  const template = obj(spec['TaskTemplate']);
  const container = obj(template['ContainerSpec']);
  const relabel = (labels: unknown): Record<string, string> => {
    const out = Object.fromEntries(Object.entries(obj(labels)).map(([k, v]) => [k, String(v)]));
    if (LABEL_INDEX in out) out[LABEL_INDEX] = String(o.index);
    return out;
  };
  const oldName = String(spec['Name'] ?? '');
  const networks = arr(template['Networks']).map((n) => {
    const net = obj(n);
    const aliases = arr(net['Aliases'])
      .map(String)
      .map((a) => (a === oldName ? o.name : a));
    return { ...net, Aliases: aliases };
  });
  const endpoint = obj(spec['EndpointSpec']);
  const ports = arr(endpoint['Ports']).map((p) => {
    const port = obj(p);
    return typeof port['PublishedPort'] === 'number'
      ? { ...port, PublishedPort: (port['PublishedPort'] as number) + o.portShift }
      : port;
  });
  return {
    ...spec,
    Name: o.name,
    Labels: relabel(spec['Labels']),
    TaskTemplate: {
      ...template,
      ContainerSpec: {
        ...container,
        Env: withEnv(arr(container['Env']), 'TF_CONFIG', o.tfConfig),
        Labels: relabel(container['Labels']),
        Hostname: o.name,
      },
      Networks: networks,
    },
    EndpointSpec: { ...endpoint, Ports: ports },
  };
}

/** The same spec with a new TF_CONFIG: swarm rolls the task. */
export function withTfConfig(spec: Record<string, unknown>, tfConfig: string): Record<string, unknown> {
  const template = obj(spec['TaskTemplate']);
  const container = obj(template['ContainerSpec']);
  return {
    ...spec,
    TaskTemplate: {
      ...template,
      ContainerSpec: { ...container, Env: withEnv(arr(container['Env']), 'TF_CONFIG', tfConfig) },
    },
  };
}

/** The same spec with ForceUpdate raised: swarm replaces the task (a restart). */
export function forced(spec: Record<string, unknown>): Record<string, unknown> {
  const template = obj(spec['TaskTemplate']);
  const n = typeof template['ForceUpdate'] === 'number' ? template['ForceUpdate'] : 0;
  return { ...spec, TaskTemplate: { ...template, ForceUpdate: n + 1 } };
}

export async function updateServiceWith(
  engine: Engine,
  name: string,
  change: (spec: Record<string, unknown>) => Record<string, unknown>,
): Promise<void> {
  const s = await engine.services.inspectService(name);
  await engine.services.updateService(s.id, s.version, change(s.spec));
  await waitService(engine, name);
}
