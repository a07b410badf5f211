// `tfmon export FORMAT [-o FILE]`: the cluster as a Compose file or a Kubernetes manifest (TFJob,
// PyTorchJob, JobSet, TrainJob), from the engine or from a recording (--at TIME FILE). What the
// format cannot carry is one line each on stderr, and in the file's opening comment.
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { exportClusterOf, type ExportCluster } from '../cluster/export/task.js';
import { exportAs } from '../cluster/export/export.js';
import { ExportError } from '../cluster/export/kubeflow.js';
import type { ExportFormat } from '../cluster/export/output.js';
import { EngineError } from '../engine/errors.js';
import { openRecordingFile, snapshotAtTime } from '../record/read.js';
import { ClusterMonitor } from '../monitor/cluster-monitor.js';
import { engineOf, monitorOf, type CommonOptions, type Io } from './context.js';
import { UsageError } from './flags.js';

export interface ExportFlags {
  format: ExportFormat;
  output: string | null;
  /** The Kubernetes object's name (default: the network's). */
  name: string | null;
  /** Replace an existing output file. */
  yes: boolean;
}

/** The cluster from the engine: what tfmon sees of each node, with its container's and image's
 * configuration (one inspect each, read once). */
async function liveCluster(common: CommonOptions): Promise<ExportCluster> {
  const several = (common.hosts?.length ?? 0) > 1;
  // One engine: the monitor's own, which the inspects below use too (one connection, one login).
  const engine = several ? null : engineOf(common);
  const options = { network: common.network, labels: common.labels };
  const monitor = engine ? new ClusterMonitor(engine, options) : monitorOf(common, options);
  let snapshot: Awaited<ReturnType<typeof monitor.load>>;
  try {
    snapshot = await monitor.load();
  } finally {
    monitor.stop();
  }
  if (snapshot.engineError) throw new EngineError(snapshot.engineError);
  const source = `network ${snapshot.network.name} on ${snapshot.engine.host}`;
  if (!engine)
    return exportClusterOf(
      snapshot.nodes,
      snapshot.problems,
      snapshot.network,
      null,
      source,
      "several engines: only TF_CONFIG and the job's variables of each environment are carried",
    );
  const local = snapshot.nodes.filter((n) => !n.remote);
  const inspects = new Map(await Promise.all(local.map(async (n) => [n.id, await engine.inspectDoc(n.id)] as const)));
  const images = new Map(
    await Promise.all([...new Set(local.map((n) => n.image))].map(async (i) => [i, await engine.imageDoc(i)] as const)),
  );
  const { labels } = await engine.findNetwork(snapshot.network.name);
  return exportClusterOf(
    snapshot.nodes,
    snapshot.problems,
    snapshot.network,
    { inspects, images },
    source,
    null,
    labels,
  );
}

function recordedCluster(file: string, at: string, io: Io): ExportCluster {
  const rec = openRecordingFile(file);
  const { t, snapshot, warnings } = snapshotAtTime(rec, at);
  for (const w of warnings) io.err(`tfmon: ${file}: ${w}`);
  return exportClusterOf(
    snapshot.nodes,
    snapshot.problems,
    snapshot.network,
    null,
    `${file} at ${new Date(t).toISOString()}`,
    "a recording keeps no environment beyond TF_CONFIG and the job's variables: the rest is not in this file",
  );
}

export async function runExport(
  common: CommonOptions,
  flags: ExportFlags,
  recording: { file: string; at: string } | null,
  io: Io,
): Promise<number> {
  if (flags.output && existsSync(flags.output) && !flags.yes)
    throw new UsageError(`${flags.output} exists: give --yes to replace it, or another -o`);
  const cluster = recording ? recordedCluster(recording.file, recording.at, io) : await liveCluster(common);
  if (cluster.tasks.length === 0) throw new EngineError(`nothing to export: no task with a role on ${cluster.source}`);
  let out: ReturnType<typeof exportAs>;
  try {
    out = exportAs(flags.format, cluster, flags.name);
  } catch (error) {
    if (error instanceof ExportError) throw new EngineError(error.message);
    throw error;
  }
  for (const w of out.warnings) io.err(`tfmon: export ${flags.format}: ${w}`);
  if (!flags.output) {
    io.out(out.text.replace(/\n$/, ''));
    return 0;
  }
  // Written whole or not at all: a reader never sees half a file.
  const temp = `${flags.output}.tfmon-${process.pid}`;
  writeFileSync(temp, out.text);
  renameSync(temp, flags.output);
  io.err(`tfmon: wrote ${flags.output} (${cluster.tasks.length} tasks, ${flags.format})`);
  return 0;
}
