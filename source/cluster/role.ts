// Role and index of a container: TF_CONFIG task, else tfmon labels, else the name, else unknown.
import { parseTfConfig, ownAddress, splitAddress } from './tf-config.js';
import { TASK_TYPES, type ContainerFacts, type NodeView, type Role, type RoleSource, type TfConfig } from './types.js';
import { compareText } from './order.js';
import type { Placement } from './frameworks/placement.js';
import { RECOGNISERS } from './frameworks/registry.js';

export const LABEL_CLUSTER = 'tfmon.cluster';
export const LABEL_ROLE = 'tfmon.role';
export const LABEL_INDEX = 'tfmon.index';
export const LABEL_PORT = 'tfmon.port';

const isTaskType = (v: string): v is Exclude<Role, 'unknown'> => (TASK_TYPES as readonly string[]).includes(v);

/** Role from a container name: `tf-worker-3`, `job_ps_0`, `chief`, `myrun-evaluator`. */
export function roleFromName(name: string): { role: Role; index: number | null } | null {
  const m = /(?:^|[-_.])(chief|worker|ps|evaluator)(?:[-_.]?(\d+))?$/.exec(name.toLowerCase());
  if (!m || m[1] === undefined || !isTaskType(m[1])) return null;
  const index = m[2] === undefined ? (m[1] === 'chief' || m[1] === 'evaluator' ? 0 : null) : Number(m[2]);
  return { role: m[1], index };
}

function roleFromLabels(labels: Record<string, string>): { role: Role; index: number | null } | null {
  const role = labels[LABEL_ROLE];
  if (!role || !(isTaskType(role) || role === 'master')) return null;
  const rawIndex = labels[LABEL_INDEX];
  const index = rawIndex !== undefined && /^\d+$/.test(rawIndex) ? Number(rawIndex) : null;
  return { role, index };
}

/** Enrich engine facts with role, index, port and the TF_CONFIG verdict. */
export function toNodeView(facts: ContainerFacts, lastError: string | null = null): NodeView {
  let tfConfig: unknown = null;
  let tfConfigParsed: TfConfig | null = null;
  let tfConfigError: string | null = null;
  if (facts.tfConfigRaw !== null) {
    const parsed = parseTfConfig(facts.tfConfigRaw);
    tfConfig = parsed.raw;
    if (parsed.ok) tfConfigParsed = parsed.config;
    else tfConfigError = parsed.error;
  }

  let role: Role = 'unknown';
  let index: number | null = null;
  let roleSource: RoleSource = 'unknown';
  let placement: Placement | null = null;
  const task = tfConfigParsed?.task;
  const fromLabels = roleFromLabels(facts.labels);
  if (!task) for (const recognise of RECOGNISERS) if ((placement = recognise(facts))) break;
  const fromName = placement ? null : roleFromName(facts.service ?? facts.name);
  if (task && isTaskType(task.type)) {
    [role, index, roleSource] = [task.type, task.index, 'tf_config'];
  } else if (fromLabels) {
    // tfmon's labels win over what the environment says.
    [role, index, roleSource] = [fromLabels.role, fromLabels.index, 'label'];
  } else if (placement) {
    [role, index, roleSource] = [placement.role, placement.index, placement.roleSource];
  } else if (fromName) {
    [role, index, roleSource] = [fromName.role, fromName.index, 'name'];
  }
  const framework = placement?.framework ?? (role === 'unknown' ? null : 'tensorflow');

  let port: number | null = placement?.port ?? null;
  const own = tfConfigParsed ? ownAddress(tfConfigParsed) : null;
  if (own) port = splitAddress(own)?.port ?? null;
  const labelPort = facts.labels[LABEL_PORT];
  if (port === null && labelPort !== undefined && /^\d{1,5}$/.test(labelPort)) port = Number(labelPort);

  const job = {
    framework,
    worldSize: placement?.worldSize ?? null,
    master: placement?.master ?? null,
    ranks: placement?.ranks ?? null,
  };
  return {
    ...facts,
    ...job,
    role,
    index,
    roleSource,
    port,
    tfConfig,
    tfConfigParsed,
    tfConfigError,
    lastError,
    manualRestarts: 0,
    dnsName: facts.service ?? facts.name,
    swarmNode: null,
  };
}

const ROLE_ORDER: Record<Role, number> = { chief: 0, master: 0, ps: 1, worker: 2, evaluator: 3, unknown: 4 };

/** Table order: chief (or a job's master), ps, workers, evaluator, unknown; by index, then name. */
export function compareNodes(a: NodeView, b: NodeView): number {
  return (
    ROLE_ORDER[a.role] - ROLE_ORDER[b.role] ||
    (a.index ?? Number.MAX_SAFE_INTEGER) - (b.index ?? Number.MAX_SAFE_INTEGER) ||
    compareText(a.name, b.name)
  );
}
