// Cluster-changing operations: up (create network + containers from a plan) and down.
// Nothing half-made is left behind: a failed up removes what that run created.
import { LABEL_CLUSTER } from '../cluster/role.js';
import { LABEL_CREATED_BY, type UpPlan } from '../cluster/up-plan.js';
import { serviceSpec } from '../cluster/service-spec.js';
import type { Engine } from './engine.js';
import { EngineError, engineMessage, statusOf } from './errors.js';

export type Progress = (line: string) => void;

export interface UpResult {
  networkCreated: boolean;
  created: string[];
  existing: string[];
}

export async function upCluster(engine: Engine, plan: UpPlan, progress: Progress): Promise<UpResult> {
  // Every name is checked before anything is made, so a collision changes nothing.
  const existing: string[] = [];
  const stopped: string[] = [];
  for (const c of plan.containers) {
    const found = await engine.containers.containerByName(c.name);
    if (found === null) continue;
    if (found.labels[LABEL_CLUSTER] !== plan.network) {
      throw new EngineError(
        `the name "${c.name}" is taken by a container outside this cluster (it has no ${LABEL_CLUSTER}=${plan.network} label): remove or rename it, or choose another --network`,
        409,
      );
    }
    existing.push(c.name);
    if (!found.running) stopped.push(c.name);
  }

  let networkCreated = false;
  const created: string[] = [];
  try {
    if (!(await engine.networkExists(plan.network))) {
      await engine.createNetwork(plan.network, plan.networkLabels);
      networkCreated = true;
      progress(`created network ${plan.network}`);
    }
    for (const c of plan.containers) {
      if (existing.includes(c.name)) {
        if (stopped.includes(c.name)) {
          await engine.containers.start(c.name);
          progress(`started ${c.name} again (it was stopped)`);
        } else {
          progress(`kept ${c.name} (already running)`);
        }
        continue;
      }
      await engine.containers.createAndStart({ ...c, network: plan.network });
      created.push(c.name);
      progress(`started ${c.name} (${c.type} ${c.index})`);
    }
  } catch (error) {
    const why = error instanceof EngineError ? error.message : engineMessage(error);
    for (const name of created.reverse()) await engine.containers.stopAndRemove(name, 0).catch(() => undefined);
    if (networkCreated) await engine.removeNetwork(plan.network).catch(() => undefined);
    throw new EngineError(`tfmon up failed, nothing was left behind: ${why}`, statusOf(error));
  }
  return { networkCreated, created, existing };
}

/** `up --swarm`: an attachable overlay network and one service per task (dnsrr, so the task's name
 * resolves to its own address, as TensorFlow expects). Each service is waited for until its task
 * runs; a failure removes what this run created. */
export async function upSwarm(
  engine: Engine,
  plan: UpPlan,
  constraints: readonly string[],
  progress: Progress,
): Promise<UpResult> {
  const info = await engine.hello();
  if (!info.swarm) {
    throw new EngineError(
      '--swarm needs a swarm manager: docker swarm init (or run tfmon on a manager, or --host one)',
    );
  }
  const existing = new Set(
    (await engine.services.servicesWithLabels({ [LABEL_CLUSTER]: plan.network })).map((s) => s.name),
  );
  let networkCreated = false;
  const created: string[] = [];
  const createdIds: string[] = [];
  try {
    if (!(await engine.networkExists(plan.network))) {
      await engine.services.createOverlayNetwork(plan.network, plan.networkLabels);
      networkCreated = true;
      progress(`created overlay network ${plan.network} (attachable)`);
    }
    for (const c of plan.containers) {
      if (existing.has(c.name)) {
        progress(`kept service ${c.name} (already there)`);
        continue;
      }
      if (await engine.containers.containerByName(c.name))
        throw new EngineError(
          `the name "${c.name}" is taken by a container: remove it or choose another --prefix`,
          409,
        );
      createdIds.push(await engine.services.createService(serviceSpec(c, plan.network, constraints)));
      created.push(c.name);
      progress(`created service ${c.name} (${c.type} ${c.index})`);
    }
  } catch (error) {
    const why = error instanceof EngineError ? error.message : engineMessage(error);
    for (const id of createdIds.reverse()) await engine.services.removeService(id).catch(() => undefined);
    if (networkCreated) await engine.removeNetwork(plan.network).catch(() => undefined);
    throw new EngineError(`tfmon up --swarm failed, nothing was left behind: ${why}`, statusOf(error));
  }
  return { networkCreated, created, existing: [...existing] };
}

export interface DownResult {
  removed: number;
  networkRemoved: boolean;
  networkNote: string | null;
}

/** The tasks of removed services leave on their own: wait (15 s at most) before the network goes. */
async function waitGone(engine: Engine, labels: Record<string, string>): Promise<void> {
  for (let i = 0; i < 75 && (await engine.containerIdsWithLabels(labels)).length > 0; i++)
    await new Promise((r) => setTimeout(r, 200));
}

/** Removes only containers labelled as this cluster's, and the network if tfmon created it. */
export async function downCluster(
  engine: Engine,
  network: string,
  labels: Record<string, string>,
  progress: Progress,
): Promise<DownResult> {
  // Swarm services first (their tasks go with them), then plain containers.
  const info = await engine.hello();
  const services = info.swarm ? await engine.services.servicesWithLabels({ ...labels, [LABEL_CLUSTER]: network }) : [];
  await Promise.all(services.map((s) => engine.services.removeService(s.id)));
  if (services.length > 0) progress(`removed ${services.length} service${services.length === 1 ? '' : 's'}`);
  if (services.length > 0) await waitGone(engine, { ...labels, [LABEL_CLUSTER]: network });
  const ids = await engine.containerIdsWithLabels({ ...labels, [LABEL_CLUSTER]: network });
  await Promise.all(ids.map((id) => engine.containers.stopAndRemove(id)));
  if (ids.length > 0) progress(`removed ${ids.length} container${ids.length === 1 ? '' : 's'}`);

  let networkRemoved = false;
  let networkNote: string | null = null;
  if (await engine.networkExists(network)) {
    const info = await engine.findNetwork(network);
    const ours =
      info.labels[LABEL_CREATED_BY] === 'tfmon' &&
      info.labels[LABEL_CLUSTER] === network &&
      Object.entries(labels).every(([k, v]) => info.labels[k] === v);
    if (!ours) {
      networkNote = `kept network ${network}: tfmon did not create it`;
    } else {
      try {
        await engine.removeNetwork(network);
        networkRemoved = true;
        progress(`removed network ${network}`);
      } catch (error) {
        networkNote = `kept network ${network}: ${engineMessage(error)}`;
      }
    }
  }
  if (networkNote) progress(networkNote);
  return { removed: ids.length, networkRemoved, networkNote };
}
