// A snapshot as Prometheus metric families: per container, cAdvisor's names and units (with the
// TensorFlow labels cAdvisor cannot know); per GPU, DCGM exporter's; then tfmon's own (state,
// reachability, problems, TF_CONFIG, training). Pure: it reads the snapshot the monitor already holds
// and makes no Docker call; docs/metrics.md says where each name comes from and where tfmon differs.
import type { NodeView, Snapshot } from '../cluster/types.js';
import { rootsOf } from '../cluster/causes.js';
import { sanitize } from '../text/sanitize.js';

export type Labels = Record<string, string>;

// The exposition format would carry control characters in a label value as they are; someone will
// `curl` it in a terminal, so what a container or a TF_CONFIG says is made safe first (one test for
// the usual case, where there is nothing to strip).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const safe = (text: string): string => (CONTROL.test(text) ? sanitize(text) : text);
export interface Sample {
  labels: Labels;
  /** A container's labels, the same object in every family of a scrape (and across scrapes while the
   * container is unchanged): prom-client formats such a set once and reuses the text. */
  sharedLabels?: Labels;
  value: number;
}

const NONE: Labels = {};
export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  values: Sample[];
}

/** cAdvisor's labels (name, id, image) and the cluster's (tf_cluster, tf_role, tf_index, framework,
 * engine). tf_role and tf_index keep their names for every framework (a PyTorch rank: master or
 * worker, and its rank), so existing panels and rules go on working. */
export function containerLabels(n: NodeView, cluster: string, engine: string): Labels {
  return {
    name: safe(n.name),
    // cAdvisor's id is the container's cgroup; with Docker's cgroupfs driver, /docker/<id>.
    id: `/docker/${n.id}`,
    image: safe(n.image),
    tf_cluster: cluster,
    tf_role: n.role,
    tf_index: n.index === null ? '' : String(n.index),
    framework: n.framework ?? '',
    engine: safe(n.engineHost ?? engine),
  };
}

// A node's view keeps its identity until its facts change: its label set (and prom-client's text of
// it) is made once per change, not once per family per scrape (4,000 series at 200 nodes).
const labelCache = new WeakMap<NodeView, { cluster: string; engine: string; labels: Labels }>();
function labelsOf(n: NodeView, cluster: string, engine: string): Labels {
  const hit = labelCache.get(n);
  if (hit && hit.cluster === cluster && hit.engine === engine) return hit.labels;
  const labels = containerLabels(n, cluster, engine);
  labelCache.set(n, { cluster, engine, labels });
  return labels;
}

const family = (name: string, type: Family['type'], help: string): Family => ({ name, help, type, values: [] });

/** What every group of families reads of a scrape. */
interface Scrape {
  s: Snapshot;
  cluster: string;
  /** The nodes whose series are fresh: none while the engine cannot be read (only tfmon's own word then). */
  nodes: readonly NodeView[];
  /** A node's sample maker: its shared labels, and any of the family's own. */
  of(n: NodeView): (value: number, labels?: Labels) => Sample;
}

/** Every family, in a fixed order; a family with no sample still says its HELP and TYPE. */
export function metricFamilies(s: Snapshot): Family[] {
  const cluster = safe(s.network.name);
  const scrape: Scrape = {
    s,
    cluster,
    nodes: s.engineError === null ? s.nodes : [],
    of: (n) => {
      const shared = labelsOf(n, cluster, s.engine.host);
      return (value, labels = NONE) => ({ labels, sharedLabels: shared, value });
    },
  };
  return [
    engineFamily(scrape),
    ...usageFamilies(scrape),
    ...gpuFamilies(scrape),
    ...nodeFamilies(scrape),
    ...reachFamilies(scrape),
    problemFamily(scrape),
    ...trainingFamilies(scrape),
  ];
}

/** tfmon_engine_up: one per engine watched. */
function engineFamily({ s, cluster }: Scrape): Family {
  const engineUp = family(
    'tfmon_engine_up',
    'gauge',
    '1 while tfmon reads the Docker engine, 0 while it cannot (the container series are left out then)',
  );
  const engines = s.engines ?? [{ host: s.engine.host, error: s.engineError, nodes: s.nodes.length }];
  for (const e of engines)
    engineUp.values.push({ labels: { engine: safe(e.host), tf_cluster: cluster }, value: e.error === null ? 1 : 0 });
  return engineUp;
}

/** cAdvisor's container usage families, from each running node's last counters. */
function usageFamilies({ s, nodes, of }: Scrape): Family[] {
  const cpu = family('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.');
  const workingSet = family('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.');
  const memUsage = family(
    'container_memory_usage_bytes',
    'gauge',
    'Current memory usage in bytes, including all memory regardless of when it was accessed',
  );
  const memLimit = family('container_spec_memory_limit_bytes', 'gauge', 'Memory limit for the container.');
  const rx = family('container_network_receive_bytes_total', 'counter', 'Cumulative count of bytes received');
  const tx = family('container_network_transmit_bytes_total', 'counter', 'Cumulative count of bytes transmitted');
  const reads = family('container_fs_reads_bytes_total', 'counter', 'Cumulative count of bytes read');
  const writes = family('container_fs_writes_bytes_total', 'counter', 'Cumulative count of bytes written');
  const lastSeen = family('container_last_seen', 'gauge', 'Last time a container was seen by the exporter');
  for (const n of nodes) {
    const c = n.state === 'running' ? s.usage[n.id]?.counters : undefined;
    if (!c) continue;
    const sample = of(n);
    if (c.cpuNs !== null) cpu.values.push(sample(c.cpuNs / 1e9));
    const ws = s.usage[n.id]!.memBytes;
    if (ws !== null) workingSet.values.push(sample(ws));
    if (c.memUsage !== null) memUsage.values.push(sample(c.memUsage));
    // cAdvisor says 0 for no limit (tfmon's screen shows the host's memory then).
    memLimit.values.push(sample(n.memoryLimitBytes ?? 0));
    if (c.netRx !== null) rx.values.push(sample(c.netRx));
    if (c.netTx !== null) tx.values.push(sample(c.netTx));
    if (c.blkRead !== null) reads.values.push(sample(c.blkRead));
    if (c.blkWrite !== null) writes.values.push(sample(c.blkWrite));
    lastSeen.values.push(sample(Math.floor(c.at / 1000)));
  }
  return [cpu, workingSet, memUsage, memLimit, rx, tx, reads, writes, lastSeen];
}

/** DCGM exporter's GPU families, per GPU a running node uses. */
function gpuFamilies({ s, nodes, of }: Scrape): Family[] {
  const gpuUtil = family(
    'DCGM_FI_DEV_GPU_UTIL',
    'gauge',
    'GPU utilization (in %) of a GPU the container uses (the whole GPU, as DCGM reports it).',
  );
  const fbUsed = family(
    'DCGM_FI_DEV_FB_USED',
    'gauge',
    "Framebuffer memory used (in MiB) by the container's processes on that GPU.",
  );
  for (const n of nodes) {
    if (n.state !== 'running') continue;
    const sample = of(n);
    for (const g of s.gpuByContainer[n.id] ?? []) {
      const gl = {
        gpu: String(g.index),
        UUID: safe(g.uuid),
        modelName: safe(s.gpus?.find((x) => x.uuid === g.uuid)?.name ?? ''),
      };
      if (g.utilPercent !== null) gpuUtil.values.push(sample(g.utilPercent, gl));
      if (g.memUsedBytes !== null) fbUsed.values.push(sample(Math.round(g.memUsedBytes / 1048576), gl));
    }
  }
  return [gpuUtil, fbUsed];
}

/** tfmon's node families: up, state, restarts, a stale TF_CONFIG. */
function nodeFamilies({ s, nodes, of }: Scrape): Family[] {
  const up = family('tfmon_node_up', 'gauge', '1 when the task container is running, else 0');
  const state = family('tfmon_node_state', 'gauge', "The container's state as Docker says it: 1 for the current one");
  const restarts = family(
    'tfmon_restarts_total',
    'counter',
    'Restarts of the task container: by its restart policy, and by hand while tfmon watched',
  );
  const stale = family(
    'tfmon_tf_config_stale',
    'gauge',
    "1 when the node's TF_CONFIG cluster spec differs from the live topology, else 0",
  );
  const staleNodes = new Set(s.problems.filter((p) => p.code === 'tf_config_stale' && p.node).map((p) => p.node!));
  for (const n of nodes) {
    const sample = of(n);
    up.values.push(sample(n.state === 'running' ? 1 : 0));
    state.values.push(sample(1, { state: n.state }));
    restarts.values.push(sample(n.restarts + n.manualRestarts));
    stale.values.push(sample(staleNodes.has(n.name) ? 1 : 0));
  }
  return [up, state, restarts, stale];
}

/** The last probe of each pair: reachability and connect time. */
function reachFamilies({ s, cluster }: Scrape): Family[] {
  const reach = family(
    'tfmon_reachability',
    'gauge',
    'The last probe from one task to another: 1 when the name resolves and the TF port connects, 0 when it fails',
  );
  const latency = family(
    'tfmon_probe_latency_seconds',
    'gauge',
    'TCP connect time of the last probe from one task to another, in seconds',
  );
  for (const e of s.engineError === null ? s.reachability : []) {
    if (e.tcp === 'unprobed' || e.dns === 'unprobed') continue;
    const labels = { from: safe(e.from), to: safe(e.to), tf_cluster: cluster };
    reach.values.push({ labels, value: e.dns === 'ok' && e.tcp === 'ok' ? 1 : 0 });
    if (e.ms !== null && e.tcp === 'ok') latency.values.push({ labels, value: e.ms / 1000 });
  }
  return [reach, latency];
}

/** Problems: counted per (code, severity, node), roots only; an unreachable engine is one too. */
function problemFamily({ s, cluster }: Scrape): Family {
  const problems = family(
    'tfmon_problems',
    'gauge',
    'Root problems tfmon finds now, by code, severity and node (the ones that follow from them are not counted)',
  );
  const counts = new Map<string, Sample>();
  for (const p of rootsOf(s.problems)) {
    const key = `${p.code}\u0000${p.severity}\u0000${p.node ?? ''}`;
    const sample = counts.get(key);
    if (sample) sample.value++;
    else
      counts.set(key, {
        labels: { code: p.code, severity: p.severity, node: safe(p.node ?? ''), tf_cluster: cluster },
        value: 1,
      });
  }
  problems.values.push(...counts.values());
  return problems;
}

/** Training: each running node's last progress, then the cluster's pace and ETA. */
function trainingFamilies({ s, cluster, nodes, of }: Scrape): Family[] {
  const step = family('tfmon_training_step', 'gauge', "The training step the task's own log last printed");
  const loss = family('tfmon_training_loss', 'gauge', "The loss the task's own log last printed");
  const epoch = family('tfmon_training_epoch', 'gauge', 'The epoch the task is in (Keras)');
  const pace = family(
    'tfmon_training_steps_per_second',
    'gauge',
    "The task's pace as it prints it (Keras: per-step time inverted; Estimator: global_step/sec)",
  );
  const perReport = family(
    'tfmon_training_seconds_per_report',
    'gauge',
    "The Estimator's seconds for the task's last report of iterations: its own pace",
  );
  const lastProgress = family(
    'tfmon_training_last_progress_timestamp_seconds',
    'gauge',
    "When the task's training progress last moved, by its log's timestamps",
  );
  const global = family(
    'tfmon_training_global_steps_per_second',
    'gauge',
    "The cluster's global step rate (TensorFlow's where printed, else the chief's pace)",
  );
  const eta = family(
    'tfmon_training_eta_seconds',
    'gauge',
    'Seconds until the last epoch ends, where epochs and steps per epoch are known',
  );
  for (const n of nodes) {
    const t = s.training[n.id];
    if (!t || n.state !== 'running') continue;
    const sample = of(n);
    if (t.step !== null) step.values.push(sample(t.step));
    if (t.loss !== null && Number.isFinite(t.loss)) loss.values.push(sample(t.loss));
    if (t.epoch !== null) epoch.values.push(sample(t.epoch));
    if (t.stepsPerSecond !== null) pace.values.push(sample(t.stepsPerSecond));
    if (t.secondsPerReport !== null) perReport.values.push(sample(t.secondsPerReport));
    if (t.lastProgressAt !== null) lastProgress.values.push(sample(t.lastProgressAt / 1000));
  }
  if (s.engineError === null) {
    if (s.clusterTraining?.globalStepsPerSecond != null)
      global.values.push({ labels: { tf_cluster: cluster }, value: s.clusterTraining.globalStepsPerSecond });
    if (s.clusterTraining?.eta != null)
      eta.values.push({ labels: { tf_cluster: cluster }, value: s.clusterTraining.eta });
  }
  return [step, loss, epoch, pace, perReport, lastProgress, global, eta];
}
