// TF_CONFIG: parse, validate by TensorFlow's own rules (multi_worker_util._validate_cluster_spec)
// plus what TensorFlow misses, and generate. Pure functions.
import { isRecord } from './json.js';
import { TASK_TYPES, type TaskAddress, type TaskType, type TfConfig } from './types.js';

export type ParseResult = { ok: true; raw: unknown; config: TfConfig } | { ok: false; raw: unknown; error: string };

/** Longer values are refused: TF_CONFIG of a real cluster is a few KB, and 1 MB would stall a render. */
export const MAX_TF_CONFIG_CHARS = 256 * 1024;

function parseJob(name: string, value: unknown): TaskAddress[] | string {
  if (Array.isArray(value)) {
    const out: TaskAddress[] = [];
    for (const [index, address] of value.entries()) {
      if (typeof address !== 'string') return `cluster.${name}[${index}] is not a string`;
      out.push({ index, address });
    }
    return out;
  }
  if (isRecord(value)) {
    const out: TaskAddress[] = [];
    for (const [key, address] of Object.entries(value)) {
      if (!/^\d+$/.test(key)) return `cluster.${name} has a non-numeric task index "${key}"`;
      if (typeof address !== 'string') return `cluster.${name}.${key} is not a string`;
      out.push({ index: Number(key), address });
    }
    return out.sort((a, b) => a.index - b.index);
  }
  return `cluster.${name} must be a list of "host:port" (or an {index: address} map)`;
}

/** Split "host:port"; null when it is not that shape. IPv6 in brackets is allowed. */
export function splitAddress(address: string): { host: string; port: number } | null {
  // A host is a DNS name or an address: nothing a shell, a path or a terminal would read otherwise.
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?):(\d{1,5})$/.exec(address);
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1], port };
}

/** Parse a TF_CONFIG string and check it the way TensorFlow will, plus duplicate addresses. */
export function parseTfConfig(text: string): ParseResult {
  if (text.length > MAX_TF_CONFIG_CHARS) {
    return {
      ok: false,
      raw: null,
      error: `TF_CONFIG is ${text.length} characters long (limit ${MAX_TF_CONFIG_CHARS})`,
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, raw: null, error: `TF_CONFIG is not JSON: ${why}` };
  }
  const fail = (error: string): ParseResult => ({ ok: false, raw, error });
  if (!isRecord(raw)) return fail('TF_CONFIG must be a JSON object');
  const clusterValue = raw['cluster'] ?? {};
  if (!isRecord(clusterValue)) return fail('TF_CONFIG "cluster" must be an object');

  const cluster: Record<string, TaskAddress[]> = {};
  for (const [name, value] of Object.entries(clusterValue)) {
    if (!(TASK_TYPES as readonly string[]).includes(name)) {
      const hint = name === 'master' ? ' ("master" is rejected by TF2: use "chief")' : '';
      return fail(`unknown job "${name}" in cluster${hint}; valid: ${TASK_TYPES.join(', ')}`);
    }
    const job = parseJob(name, value);
    if (typeof job === 'string') return fail(job);
    cluster[name] = job;
  }
  if ((cluster['chief']?.length ?? 0) > 1) return fail('cluster has more than one chief');
  if ((cluster['evaluator']?.length ?? 0) > 1) return fail('cluster has more than one evaluator');

  const seen = new Map<string, string>();
  for (const [name, tasks] of Object.entries(cluster)) {
    for (const { index, address } of tasks) {
      if (!splitAddress(address)) return fail(`cluster.${name}[${index}] "${address}" is not host:port`);
      const where = `${name}:${index}`;
      const other = seen.get(address);
      if (other) return fail(`${address} is listed twice (${other} and ${where})`);
      seen.set(address, where);
    }
  }

  const taskValue = raw['task'];
  if (taskValue === undefined) return { ok: true, raw, config: { cluster, task: null } };
  if (!isRecord(taskValue)) return fail('TF_CONFIG "task" must be an object');
  const type = taskValue['type'];
  const index = taskValue['index'] ?? 0;
  if (typeof type !== 'string') return fail('task.type must be a string');
  if (!(TASK_TYPES as readonly string[]).includes(type)) {
    return fail(`task.type "${type}" is not one of ${TASK_TYPES.join(', ')}`);
  }
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
    return fail('task.index must be a non-negative integer');
  }
  const job = cluster[type];
  if (!job) {
    // TensorFlow lets an evaluator sit outside the cluster spec; every other task must be in it.
    if (type !== 'evaluator') return fail(`task.type "${type}" is not in the cluster`);
    if (index !== 0) return fail('task.index of an evaluator must be 0');
  } else if (!job.some((t) => t.index === index)) {
    return fail(
      `task ${type}:${index} is not in the cluster (it has ${job.length} ${type} task${job.length === 1 ? '' : 's'})`,
    );
  }
  return { ok: true, raw, config: { cluster, task: { type, index } } };
}

/** This task's own address in the cluster spec, if listed. */
export function ownAddress(config: TfConfig): string | null {
  if (!config.task) return null;
  const { type, index } = config.task;
  return config.cluster[type]?.find((t) => t.index === index)?.address ?? null;
}

export interface TaskSpec {
  type: TaskType;
  index: number;
  host: string;
  port: number;
}

/** The cluster spec of a set of tasks: jobs in TensorFlow's order, tasks sorted by index, name:port.
 * The evaluator is left out of the spec: TensorFlow does not need it there and the training tasks
 * must not wait for it. */
export function clusterSpecOf(tasks: readonly TaskSpec[]): Record<string, string[]> {
  const spec: Record<string, string[]> = {};
  for (const type of TASK_TYPES) {
    if (type === 'evaluator') continue;
    const members = tasks.filter((t) => t.type === type).sort((a, b) => a.index - b.index);
    if (members.length > 0) spec[type] = members.map((t) => `${t.host}:${t.port}`);
  }
  return spec;
}

/** A TF_CONFIG string for one task of the cluster. */
export function tfConfigFor(tasks: readonly TaskSpec[], self: { type: TaskType; index: number }): string {
  return JSON.stringify({ cluster: clusterSpecOf(tasks), task: { type: self.type, index: self.index } });
}
