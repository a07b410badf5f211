// What each part of the monitor needs of an engine, and no more: the samplers depend on these, so
// their unit tests pass small fakes and the real Engine fits each of them as it is.
import type { Engine } from './engine.js';

/** The per-container stats stream (remote engines; cgroup files are read for local ones). */
export type StatsSource = Pick<Engine, 'local' | 'followStats'>;
/** Log streams of the nodes on screen. */
export type LogStreams = Pick<Engine, 'followLogs'>;
/** Long-lived processes in nodes (probe sessions) and the images a helper may use. */
export type ExecSource = Pick<Engine, 'openSession' | 'openHelperSession' | 'images'>;
/** What the cluster is: the engine, the network, the containers, their events and last logs. */
export type ClusterReader = Pick<
  Engine,
  | 'host'
  | 'local'
  | 'hello'
  | 'findNetwork'
  | 'clusterContainerIds'
  | 'inspect'
  | 'followEvents'
  | 'readLogs'
  | 'swarmNodes'
  | 'swarmTasks'
>;
