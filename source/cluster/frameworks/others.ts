// Horovod, JAX and Keras 3 jobs from their environment: the rank, the job's size and where it meets.
// No runtime of theirs installs on the test machines: these are read from inspect documents only.
import { hostPort, intOf, roleOfRank, type Recognise } from './placement.js';

export const horovod: Recognise = ({ frameworkEnv: env }) => {
  const rank = intOf(env['HOROVOD_RANK'] ?? env['OMPI_COMM_WORLD_RANK']);
  if (rank === null) return null;
  const addr = env['HOROVOD_GLOO_RENDEZVOUS_ADDR'];
  const port = intOf(env['HOROVOD_GLOO_RENDEZVOUS_PORT']);
  return {
    framework: 'horovod',
    role: roleOfRank(rank),
    index: rank,
    roleSource: 'env',
    worldSize: intOf(env['HOROVOD_SIZE'] ?? env['OMPI_COMM_WORLD_SIZE']),
    // horovodrun's rendezvous server runs in the launcher, not in rank 0: no rank serves it.
    master: addr ? `${addr}${port === null ? '' : `:${port}`}` : null,
    ranks: null,
    port: null,
  };
};

export const jax: Recognise = ({ frameworkEnv: env }) => {
  const coordinator = env['JAX_COORDINATOR_ADDRESS'];
  if (coordinator === undefined) return null;
  const id = intOf(env['JAX_PROCESS_ID']);
  const { host, port } = hostPort(coordinator);
  const at = port ?? intOf(env['JAX_COORDINATOR_PORT']);
  return {
    framework: 'jax',
    role: roleOfRank(id),
    index: id,
    roleSource: 'env',
    worldSize: intOf(env['JAX_NUM_PROCESSES']),
    master: at === null ? host : `${host}:${at}`,
    ranks: null,
    // Process 0 runs the coordination service.
    port: id === 0 ? at : null,
  };
};

export const keras: Recognise = ({ frameworkEnv: env }) => {
  const addresses = env['KERAS_DISTRIBUTION_JOB_ADDRESSES'];
  if (addresses === undefined) return null;
  const list = addresses
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const id = intOf(env['KERAS_DISTRIBUTION_PROCESS_ID']);
  const first = list[0] ?? null;
  return {
    framework: 'keras',
    role: roleOfRank(id),
    index: id,
    roleSource: 'env',
    worldSize: intOf(env['KERAS_DISTRIBUTION_NUM_PROCESSES']) ?? (list.length || null),
    // The first address is the coordinator's (process 0).
    master: first,
    ranks: null,
    port: id === 0 && first ? hostPort(first).port : null,
  };
};
