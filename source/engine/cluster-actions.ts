// What the keys (+ - r R g) and `tfmon tf-config` do to a running cluster. Every action names its
// targets from the cluster's own nodes and refuses anything else; a failure leaves nothing half-made.
import { constants, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve, sep } from 'node:path';
import { cloneBody, hostPortsOf, nextName } from '../cluster/clone.js';
import { lastWorker, liveTopology, type NodePlan } from '../cluster/regenerate.js';
import { tfConfigFor } from '../cluster/tf-config.js';
import type { NodeView } from '../cluster/types.js';
import { logAction } from './action-log.js';
import { cloneServiceSpec, forced, updateServiceWith, waitService, withTfConfig } from './swarm-actions.js';
import type { Engine } from './engine.js';
import { EngineError, engineMessage } from './errors.js';

export type Progress = (line: string) => void;

const RUNNING_WAIT_MS = 30_000;

/** The cluster's own node with this id, or an error: actions never reach past the cluster. */
export function member(nodes: readonly NodeView[], id: string): NodeView {
  const node = nodes.find((n) => n.id === id);
  if (!node) throw new EngineError('refused: that container is not part of this cluster');
  return node;
}

async function waitRunning(engine: Engine, id: string, name: string): Promise<void> {
  const until = Date.now() + RUNNING_WAIT_MS;
  for (;;) {
    const s = await engine.containers.stateOf(id);
    if (s?.running) return;
    if (s && (s.status === 'exited' || s.status === 'dead'))
      throw new EngineError(`${name} exited right after it started (see tfmon logs ${name})`);
    if (Date.now() > until) throw new EngineError(`${name} was not running after ${RUNNING_WAIT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A host port is free when no container publishes it and (local engine) nothing listens on it. */
async function bindable(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const server = createServer();
    server.once('error', () => ok(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => ok(true)));
  });
}

/** `+`: a new worker, cloned from the highest-index one, with the TF_CONFIG of the grown cluster.
 * Published ports move by the index difference (the `up --publish` rule), then up to the next free. */
export async function scaleUp(
  engine: Engine,
  nodes: readonly NodeView[],
  network: string,
  progress: Progress,
): Promise<{ name: string; ms: number }> {
  const started = Date.now();
  const source = lastWorker(nodes);
  if (!source) throw new EngineError('no worker to clone: + copies the highest-index worker');
  const topology = liveTopology(nodes);
  if (!topology.ok) throw new EngineError(`cannot add a worker: ${topology.error}`);
  const index = (source.index ?? 0) + 1;
  const port = source.port ?? 2222;
  // Swarm tasks are known by their service's name; plain containers by their own.
  const name = nextName(source.service ?? source.name, source.index, index);
  const tasks = [...topology.tasks, { type: 'worker' as const, index, host: name, port }];
  if (source.service) {
    // Swarm: a new service, a copy of the source task's service.
    progress(`creating service ${name} (a copy of ${source.service})`);
    const src = await engine.services.inspectService(source.service);
    const spec = cloneServiceSpec(src.spec, {
      name,
      tfConfig: tfConfigFor(tasks, { type: 'worker', index }),
      index,
      portShift: index - (source.index ?? 0),
    });
    let id: string | null = null;
    try {
      id = await engine.services.createService(spec);
      await waitService(engine, name);
    } catch (error) {
      if (id) await engine.services.removeService(id).catch(() => undefined);
      logAction({ action: 'scale-up', target: name, result: 'failed', error: engineMessage(error) });
      throw new EngineError(
        `adding service ${name} failed, nothing was left behind: ${error instanceof EngineError ? error.message : engineMessage(error)}`,
      );
    }
    logAction({ action: 'scale-up', target: name, result: 'ok' });
    progress(`${name} is running; the other nodes' TF_CONFIG is now stale (c shows the new one, then a applies it)`);
    return { name, ms: Date.now() - started };
  }
  if (await engine.containers.containerByName(name))
    throw new EngineError(`the name ${name} is taken: remove that container first`);
  const raw = await engine.containers.inspectRaw(source.id);
  const taken = await engine.containers.publishedHostPorts();
  const shift = new Map<number, number>();
  for (const hp of hostPortsOf(raw)) {
    let p = hp + (index - (source.index ?? 0));
    while (taken.has(p) || (engine.local && !(await bindable(p)))) p++;
    taken.add(p);
    shift.set(hp, p);
  }
  const body = cloneBody(raw, {
    name,
    network,
    env: { TF_CONFIG: tfConfigFor(tasks, { type: 'worker', index }) },
    index,
    hostPort: (p) => shift.get(p) ?? p,
    keepAddress: false,
  });
  progress(`creating ${name} (a copy of ${source.name})`);
  let id: string | null = null;
  try {
    id = await engine.containers.createRaw(name, body);
    await engine.containers.start(id);
    await waitRunning(engine, id, name);
  } catch (error) {
    if (id) await engine.containers.remove(id).catch(() => undefined);
    logAction({ action: 'scale-up', target: name, result: 'failed', error: engineMessage(error) });
    throw new EngineError(
      `adding ${name} failed, nothing was left behind: ${error instanceof EngineError ? error.message : engineMessage(error)}`,
    );
  }
  logAction({ action: 'scale-up', target: name, result: 'ok' });
  const ms = Date.now() - started;
  progress(
    `${name} is running${nodes.some((n) => n.role === 'chief') ? '; the chief only sees new workers after it restarts (r on the chief)' : ''}; the other nodes' TF_CONFIG is now stale (c shows the new one, then a applies it)`,
  );
  return { name, ms };
}

/** `-`: the highest-index worker stopped gracefully (10 s), then removed. */
export async function scaleDown(
  engine: Engine,
  nodes: readonly NodeView[],
  id: string,
  progress: Progress,
): Promise<void> {
  const node = member(nodes, id);
  if (lastWorker(nodes)?.id !== id)
    throw new EngineError(`refused: - removes only the highest-index worker, not ${node.name}`);
  progress(`stopping ${node.dnsName}`);
  try {
    if (node.service) await engine.services.removeService(node.service);
    else await engine.containers.stopAndRemove(id, 10);
  } catch (error) {
    logAction({ action: 'scale-down', target: node.name, result: 'failed', error: engineMessage(error) });
    throw error;
  }
  logAction({ action: 'scale-down', target: node.name, result: 'ok' });
  progress(`removed ${node.name}`);
}

/** `r` / `R`: restart nodes of the cluster (10 s grace), one after the other. */
export async function restartNodes(
  engine: Engine,
  nodes: readonly NodeView[],
  ids: readonly string[],
  progress: Progress,
): Promise<void> {
  const targets = ids.map((id) => member(nodes, id));
  for (const node of targets) {
    progress(`restarting ${node.dnsName}`);
    try {
      // A swarm task is restarted by forcing its service to update (a new task).
      if (node.service) await updateServiceWith(engine, node.service, forced);
      else await engine.containers.restart(node.id, 10);
    } catch (error) {
      logAction({ action: 'restart', target: node.name, result: 'failed', error: engineMessage(error) });
      throw error;
    }
    logAction({ action: 'restart', target: node.name, result: 'ok' });
  }
  progress(`restarted ${targets.map((n) => n.name).join(', ')}`);
}

/** Apply regenerated TF_CONFIGs: only the nodes whose TF_CONFIG changes are recreated, one at a
 * time, each running again before the next; every other part of their configuration is kept. A
 * failed node is put back as it was and the rollout stops there. */
export async function applyTfConfig(
  engine: Engine,
  nodes: readonly NodeView[],
  plans: readonly NodePlan[],
  network: string,
  progress: Progress,
): Promise<{ recreated: string[]; ms: number }> {
  const started = Date.now();
  const recreated: string[] = [];
  for (const plan of plans.filter((p) => p.diff.length > 0)) {
    const node = member(nodes, plan.node.id);
    progress(
      `recreating ${node.dnsName} with its new TF_CONFIG (${recreated.length + 1} of ${plans.filter((p) => p.diff.length).length})`,
    );
    if (node.service) {
      // Swarm: the service's environment changes and swarm replaces the task (its own rollback
      // stops a failing one).
      try {
        await updateServiceWith(engine, node.service, (spec) => withTfConfig(spec, plan.desired));
      } catch (error) {
        logAction({ action: 'apply-tf-config', target: node.service, result: 'failed', error: engineMessage(error) });
        throw new EngineError(
          `updating service ${node.service} failed; the rollout stopped (${recreated.length} done): ${error instanceof EngineError ? error.message : engineMessage(error)}`,
        );
      }
      logAction({ action: 'apply-tf-config', target: node.service, result: 'ok' });
      recreated.push(node.service);
      continue;
    }
    const raw = await engine.containers.inspectRaw(node.id);
    const body = cloneBody(raw, {
      name: node.name,
      network,
      env: { TF_CONFIG: plan.desired },
      index: node.index ?? 0,
      hostPort: (p) => p,
      keepAddress: true,
    });
    await recreate(engine, node, body, 'apply-tf-config', `the rollout stopped (${recreated.length} done)`);
    recreated.push(node.name);
  }
  progress(
    recreated.length ? `recreated ${recreated.join(', ')}` : 'every TF_CONFIG already matches the live topology',
  );
  return { recreated, ms: Date.now() - started };
}

/** A container replaced by one made from `body` under its name: the old one stopped (10 s grace) and
 * kept aside until the new one runs; on a failure the new one is removed and the old one is back under
 * its name and running, and the error says `stopped` (what was not done). */
export async function recreate(
  engine: Engine,
  node: NodeView,
  body: Record<string, unknown>,
  action: string,
  stopped: string,
): Promise<void> {
  const aside = `${node.name}-tfmon-old`;
  let created: string | null = null;
  try {
    await engine.containers.stop(node.id, 10);
    await engine.containers.rename(node.id, aside);
    created = await engine.containers.createRaw(node.name, body);
    await engine.containers.start(created);
    await waitRunning(engine, created, node.name);
    await engine.containers.remove(node.id);
  } catch (error) {
    // Back as it was: the new one gone, the old one under its name and running.
    if (created) await engine.containers.remove(created).catch(() => undefined);
    await engine.containers.rename(node.id, node.name).catch(() => undefined);
    await engine.containers.start(node.id).catch(() => undefined);
    logAction({ action, target: node.name, result: 'failed', error: engineMessage(error) });
    throw new EngineError(
      `recreating ${node.name} failed; it was put back as it was and ${stopped}: ${error instanceof EngineError ? error.message : engineMessage(error)}`,
    );
  }
  logAction({ action, target: node.name, result: 'ok' });
}

const SAFE_FILE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$/;

/** Writes <dir>/<node>.json per node, atomically (a temporary file renamed over), the previous one
 * kept as .bak. A name that is not a plain file name, or that would land outside dir, is refused. */
export function writeTfConfigFiles(dir: string, plans: readonly NodePlan[]): string[] {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  const written: string[] = [];
  for (const plan of plans) {
    const file = `${plan.node.name}.json`;
    const path = resolve(join(root, file));
    if (!SAFE_FILE.test(file) || !path.startsWith(root + sep))
      throw new EngineError(`refused to write a TF_CONFIG for "${plan.node.name}": not a plain file name`);
    // Every file lands by rename, and temporaries are created exclusively: a symbolic link planted
    // in the directory (as <node>.json.bak or a temporary) is replaced, never written through.
    const tmp = `${path}.tmp-${process.pid}`;
    if (existsSync(path)) {
      rmSync(tmp, { force: true });
      copyFileSync(path, tmp, constants.COPYFILE_EXCL);
      renameSync(tmp, `${path}.bak`);
    }
    rmSync(tmp, { force: true });
    writeFileSync(tmp, `${JSON.stringify(JSON.parse(plan.desired), null, 2)}\n`, { mode: 0o644, flag: 'wx' });
    renameSync(tmp, path);
    written.push(path);
  }
  logAction({ action: 'write-tf-config', target: root, result: 'ok' });
  return written;
}
