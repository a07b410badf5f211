// `tfmon tf-config [--node NAME] [--write DIR] [--apply] [--yes]`: the TF_CONFIG each node should
// have (from the live topology), printed, written to files, or applied by recreating the nodes that
// differ, one at a time. On a network of PyTorch env:// ranks: the job's WORLD_SIZE and MASTER_*
// as its live ranks call for them, and --apply restarts the job whole with them.
import { isJobRank } from '../cluster/frameworks/placement.js';
import { regeneratesJob } from '../cluster/frameworks/registry.js';
import { jobVariablesPlan, tfConfigPlan } from '../cluster/regenerate.js';
import { applyJobVariables } from '../engine/job-actions.js';
import { applyTfConfig, writeTfConfigFiles } from '../engine/cluster-actions.js';
import { logAction } from '../engine/action-log.js';
import { EngineError } from '../engine/errors.js';
import { ClusterMonitor } from '../monitor/cluster-monitor.js';
import { sanitize } from '../text/sanitize.js';
import type { NodeView } from '../cluster/types.js';
import { confirm } from './confirm.js';
import { engineOf, type CommonOptions, type Io } from './context.js';
import { UsageError } from './flags.js';
import { findNode } from './logs.js';

export interface TfConfigOptions {
  node: string | undefined;
  write: string | undefined;
  apply: boolean;
  yes: boolean;
  readOnly: boolean;
}

export async function runTfConfig(common: CommonOptions, o: TfConfigOptions, io: Io): Promise<number> {
  const engine = engineOf(common);
  const monitor = new ClusterMonitor(engine, { network: common.network, labels: common.labels });
  const snapshot = await monitor.load();
  monitor.stop();
  if (regeneratesJob(snapshot.nodes) && o.node === undefined && o.write === undefined)
    return jobVariables(engine, snapshot.nodes, common, o, io);
  const result = tfConfigPlan(snapshot.nodes);
  if (!result.ok) throw new EngineError(`cannot regenerate TF_CONFIG: ${result.error}`);
  let plans = result.plans;
  if (o.node !== undefined) {
    const node = findNode(snapshot.nodes, o.node);
    if (!node) throw new UsageError(`no node "${sanitize(o.node)}" in the cluster on ${common.network}`);
    if (isJobRank(node))
      throw new UsageError(
        `${sanitize(node.name)} is a ${node.framework} rank, not a TensorFlow task: it has no TF_CONFIG (its job is set by RANK, WORLD_SIZE and MASTER_*)`,
      );
    plans = plans.filter((p) => p.node.id === node.id);
  }
  const others = snapshot.nodes.filter(isJobRank);
  if (plans.length === 0 && others.length > 0) {
    io.out(
      `no TensorFlow task on ${common.network}: its ${others.length} ${others[0]!.framework} rank${others.length === 1 ? '' : 's'} take no TF_CONFIG`,
    );
    return 0;
  }
  if (o.write === undefined && !o.apply) {
    for (const p of plans) {
      if (o.node !== undefined) {
        io.out(p.desired);
        continue;
      }
      io.out(`${p.node.name}: ${p.diff.length ? p.diff.join('; ') : 'up to date'}`);
      io.out(`  TF_CONFIG=${p.desired}`);
    }
    return 0;
  }
  if (o.write !== undefined) {
    for (const path of writeTfConfigFiles(o.write, plans)) io.out(`wrote ${path}`);
  }
  if (o.apply) {
    const changed = plans.filter((p) => p.diff.length > 0);
    if (changed.length === 0) {
      io.out('every TF_CONFIG already matches the live topology');
      return 0;
    }
    if (o.readOnly) {
      logAction({ action: 'apply-tf-config', target: common.network, result: 'refused', error: '--read-only' });
      throw new UsageError('--read-only: tfmon changes nothing (drop --read-only to apply)');
    }
    if (!o.yes) {
      if (!process.stdin.isTTY)
        throw new UsageError('--apply recreates containers: pass --yes to confirm (stdin is not a terminal)');
      for (const p of changed) io.err(`${p.node.name}: ${p.diff.join('; ')}`);
      if (
        !(await confirm(
          `Recreate ${changed.map((p) => p.node.name).join(', ')} with the new TF_CONFIG, one at a time? [y/N] `,
        ))
      ) {
        io.err('nothing changed');
        return 1;
      }
    }
    const { recreated, ms } = await applyTfConfig(engine, snapshot.nodes, plans, snapshot.network.name, io.out);
    io.out(
      `done in ${(ms / 1000).toFixed(1)} s: ${recreated.length} node${recreated.length === 1 ? '' : 's'} recreated`,
    );
  }
  return 0;
}

/** The PyTorch side of tf-config: each rank's WORLD_SIZE and MASTER_* as the live ranks call for. */
async function jobVariables(
  engine: ReturnType<typeof engineOf>,
  nodes: readonly NodeView[],
  common: CommonOptions,
  o: TfConfigOptions,
  io: Io,
): Promise<number> {
  const plan = jobVariablesPlan(nodes);
  if (!plan) return 0;
  if (!plan.ok) throw new EngineError(`cannot regenerate the job's variables: ${plan.error}`);
  const changed = plan.plans.filter((p) => p.diff.length > 0);
  if (!o.apply) {
    for (const p of plan.plans) io.out(`${p.node.name}: ${p.diff.length ? p.diff.join('; ') : 'up to date'}`);
    const env = plan.plans[0]!.env;
    io.out(
      `  WORLD_SIZE=${env.WORLD_SIZE} MASTER_ADDR=${env.MASTER_ADDR} MASTER_PORT=${env.MASTER_PORT} (RANK each its own)`,
    );
    return 0;
  }
  if (changed.length === 0) {
    io.out('every rank already has the variables its live ranks call for');
    return 0;
  }
  if (o.readOnly) {
    logAction({ action: 'job-variables', target: common.network, result: 'refused', error: '--read-only' });
    throw new UsageError('--read-only: tfmon changes nothing (drop --read-only to apply)');
  }
  if (!o.yes) {
    if (!process.stdin.isTTY)
      throw new UsageError('--apply restarts the job: pass --yes to confirm (stdin is not a terminal)');
    for (const p of changed) io.err(`${p.node.name}: ${p.diff.join('; ')}`);
    if (
      !(await confirm(
        `A static DDP job restarts whole: recreate its ${plan.plans.length} ranks, one at a time? [y/N] `,
      ))
    ) {
      io.err('nothing changed');
      return 1;
    }
  }
  const { ms } = await applyJobVariables(engine, nodes, common.network, io.out);
  io.out(`done in ${(ms / 1000).toFixed(1)} s: ${plan.plans.length} ranks recreated`);
  return 0;
}
