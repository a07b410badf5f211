// `+` and `-` on a PyTorch job started the env:// way: a static DDP job cannot take or lose one rank
// while it runs, so it restarts whole with the new WORLD_SIZE: every rank recreated with it (its
// RANK and MASTER_* kept), the new rank a copy of the highest one, or the highest one removed.
// `a` after `c`: the job restarts whole with the variables its live ranks call for.
import { cloneBody, nextName } from '../cluster/clone.js';
import { jobRanks, jobVariablesPlan } from '../cluster/regenerate.js';
import type { NodeView } from '../cluster/types.js';
import { logAction } from './action-log.js';
import { recreate, type Progress } from './cluster-actions.js';
import type { Engine } from './engine.js';
import { EngineError, engineMessage } from './errors.js';

export async function resizeJob(
  engine: Engine,
  nodes: readonly NodeView[],
  network: string,
  delta: 1 | -1,
  progress: Progress,
): Promise<{ worldSize: number; ms: number }> {
  const started = Date.now();
  const ranks = jobRanks(nodes);
  const last = ranks.at(-1);
  if (!last)
    throw new EngineError('no PyTorch rank (RANK, WORLD_SIZE, MASTER_ADDR in its environment) to resize the job from');
  if (ranks.some((r, i) => r.index !== i))
    throw new EngineError(
      `the ranks are ${ranks.map((r) => r.index).join(', ')}, not 0 to ${ranks.length - 1}: fix the job first (doctor says how)`,
    );
  const worldSize = ranks.length + delta;
  if (worldSize < 1) throw new EngineError('refused: - would leave the job no rank');
  const keep = delta === -1 ? ranks.slice(0, -1) : ranks;
  // The new rank is a copy of the highest one as it is now (recreating it gives it a new id).
  const template = delta === 1 ? await engine.containers.inspectRaw(last.id) : null;
  if (delta === -1) {
    progress(`stopping ${last.name} (rank ${last.index})`);
    try {
      await engine.containers.stopAndRemove(last.id, 10);
    } catch (error) {
      logAction({ action: 'job-shrink', target: last.name, result: 'failed', error: engineMessage(error) });
      throw error;
    }
    logAction({ action: 'job-shrink', target: last.name, result: 'ok' });
  }
  await restartRanks(
    engine,
    keep.map((node) => ({ node, env: { WORLD_SIZE: String(worldSize) } })),
    network,
    'job-resize',
    progress,
  );
  if (delta === 1) {
    const index = last.index! + 1;
    const name = nextName(last.name, last.index, index);
    if (await engine.containers.containerByName(name))
      throw new EngineError(`the name ${name} is taken: remove that container first`);
    progress(`creating ${name} (rank ${index}, a copy of ${last.name})`);
    const body = cloneBody(template, {
      name,
      network,
      env: { RANK: String(index), WORLD_SIZE: String(worldSize) },
      index,
      hostPort: (p) => p,
      keepAddress: false,
    });
    let id: string | null = null;
    try {
      id = await engine.containers.createRaw(name, body);
      await engine.containers.start(id);
    } catch (error) {
      if (id) await engine.containers.remove(id).catch(() => undefined);
      logAction({ action: 'job-grow', target: name, result: 'failed', error: engineMessage(error) });
      throw new EngineError(
        `adding ${name} failed: ${error instanceof EngineError ? error.message : engineMessage(error)}`,
      );
    }
    logAction({ action: 'job-grow', target: name, result: 'ok' });
  }
  progress(`the job restarted with WORLD_SIZE=${worldSize}`);
  return { worldSize, ms: Date.now() - started };
}

/** Every rank recreated with these variables (a static job restarts whole), one at a time: each new
 * process waits in init_process_group until all have joined. The rest of each container is kept. */
async function restartRanks(
  engine: Engine,
  ranks: readonly { node: NodeView; env: Record<string, string> }[],
  network: string,
  action: string,
  progress: Progress,
): Promise<void> {
  for (const [i, { node, env }] of ranks.entries()) {
    progress(
      `recreating ${node.name} with ${Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')} (${i + 1} of ${ranks.length})`,
    );
    const body = cloneBody(await engine.containers.inspectRaw(node.id), {
      name: node.name,
      network,
      env,
      index: node.index!,
      hostPort: (p) => p,
      keepAddress: true,
    });
    await recreate(engine, node, body, action, `the job was left with ${i} of ${ranks.length} ranks recreated`);
  }
}

/** `a` on a PyTorch env:// job: when any rank's WORLD_SIZE or MASTER_* differs from what the live
 * ranks call for, every rank is recreated with them. Returns the ranks that differed. */
export async function applyJobVariables(
  engine: Engine,
  nodes: readonly NodeView[],
  network: string,
  progress: Progress,
): Promise<{ changed: string[]; ms: number }> {
  const started = Date.now();
  const plan = jobVariablesPlan(nodes);
  if (!plan)
    throw new EngineError('no PyTorch env:// job (RANK, WORLD_SIZE, MASTER_ADDR in its environment) on the network');
  if (!plan.ok) throw new EngineError(plan.error);
  const changed = plan.plans.filter((p) => p.diff.length > 0).map((p) => p.node.name);
  if (changed.length === 0) return { changed, ms: Date.now() - started };
  await restartRanks(
    engine,
    plan.plans.map((p) => ({ node: p.node, env: p.env })),
    network,
    'job-variables',
    progress,
  );
  progress(
    `the job restarted with WORLD_SIZE=${plan.plans.length}, master ${plan.plans[0]!.env.MASTER_ADDR}:${plan.plans[0]!.env.MASTER_PORT}`,
  );
  return { changed, ms: Date.now() - started };
}
