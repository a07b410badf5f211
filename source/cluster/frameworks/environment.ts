// The environment variables that say a container's place in a training job, for every framework
// tfmon knows. Only these are kept from a container's environment (the rest may hold secrets).
/** PyTorch's: what places a rank or a torchrun node (and what an operator sets for it). */
export const PYTORCH_VARIABLES = [
  // env:// (torch.distributed) and what torchrun sets in its workers
  'RANK',
  'WORLD_SIZE',
  'LOCAL_RANK',
  'LOCAL_WORLD_SIZE',
  'GROUP_RANK',
  'NODE_RANK',
  'MASTER_ADDR',
  'MASTER_PORT',
  'TORCHELASTIC_RUN_ID',
  'TORCHELASTIC_RESTART_COUNT',
  'TORCHELASTIC_MAX_RESTARTS',
  // Kubeflow's PyTorchJob passes torchrun's flags as PET_* variables
  'PET_NNODES',
  'PET_NPROC_PER_NODE',
  'PET_NODE_RANK',
  'PET_MASTER_ADDR',
  'PET_MASTER_PORT',
  'PET_RDZV_ENDPOINT',
  'PET_RDZV_BACKEND',
] as const;

export const FRAMEWORK_VARIABLES = [
  ...PYTORCH_VARIABLES,
  // Horovod (gloo rendezvous, or Open MPI's own)
  'HOROVOD_RANK',
  'HOROVOD_SIZE',
  'HOROVOD_LOCAL_RANK',
  'HOROVOD_GLOO_RENDEZVOUS_ADDR',
  'HOROVOD_GLOO_RENDEZVOUS_PORT',
  'OMPI_COMM_WORLD_RANK',
  'OMPI_COMM_WORLD_SIZE',
  // JAX: jax.distributed.initialize() reads these when called without arguments
  'JAX_COORDINATOR_ADDRESS',
  'JAX_COORDINATOR_PORT',
  'JAX_NUM_PROCESSES',
  'JAX_PROCESS_ID',
  // Keras 3's distribution API (keras.distribution.initialize)
  'KERAS_DISTRIBUTION_JOB_ADDRESSES',
  'KERAS_DISTRIBUTION_NUM_PROCESSES',
  'KERAS_DISTRIBUTION_PROCESS_ID',
] as const;

const KEPT: ReadonlySet<string> = new Set(FRAMEWORK_VARIABLES);

/** An engine's `Env` list (`KEY=value` strings) as a map. */
export function envOf(env: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(env)) return out;
  for (const entry of env) {
    if (typeof entry !== 'string') continue;
    const eq = entry.indexOf('=');
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

/** The framework variables of an engine's `Env` list; the others are dropped. */
export function frameworkEnvOf(env: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(envOf(env)).filter(([k]) => KEPT.has(k)));
}
