// Swarm tasks that run on other nodes: a manager knows them (GET /tasks) but has no container for
// them. They join the cluster view from the task document, marked remote: no usage, logs or probes
// from here (those need that node's engine: --host for it), everything else as for local nodes.
import { frameworkEnvOf } from '../cluster/frameworks/environment.js';
import { arr, num, obj, str } from '../cluster/json.js';
import type { ContainerFacts, ContainerState } from '../cluster/types.js';
import { envValue } from './containers.js';

/** Task states → container states: what the table says of a task it cannot inspect. */
function stateOf(task: string): ContainerState {
  if (task === 'running') return 'running';
  if (['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting'].includes(task)) return 'created';
  if (task === 'shutdown' || task === 'complete' || task === 'orphaned' || task === 'remove') return 'exited';
  return 'dead'; // failed, rejected
}

/** Facts of a task on the given overlay network, from the manager's task document. */
export function factsFromTask(
  task: unknown,
  service: string,
  network: { name: string; id: string | null },
): ContainerFacts | null {
  const t = obj(task);
  const spec = obj(obj(t['Spec'])['ContainerSpec']);
  const status = obj(t['Status']);
  const attachment = arr(t['NetworksAttachments'])
    .map(obj)
    .find((a) => {
      const n = obj(a['Network']);
      return str(n['ID']) === network.id || str(obj(n['Spec'])['Name']) === network.name;
    });
  if (!attachment) return null;
  const address = str(arr(attachment['Addresses'])[0]);
  const id = str(t['ID']) ?? '';
  const slot = num(t['Slot']);
  const state = stateOf(str(status['State']) ?? 'new');
  const labels = Object.fromEntries(Object.entries(obj(spec['Labels'])).map(([k, v]) => [k, String(v)]));
  return {
    // Not a container id: a task id, marked, so that nothing mistakes one for the other.
    id: `task:${id}`,
    name: `${service}.${slot ?? 1}.${id}`,
    image: (str(spec['Image']) ?? '').replace(/@sha256:[0-9a-f]+$/, ''),
    command: arr(spec['Args']).map(String),
    state,
    exitCode: num(obj(status['ContainerStatus'])['ExitCode']),
    oomKilled: false,
    health: null,
    restarts: 0,
    startedAt: state === 'running' ? str(status['Timestamp']) : null,
    finishedAt: null,
    ip: address ? address.replace(/\/\d+$/, '') : null,
    attached: true,
    networks: [network.name],
    labels,
    tfConfigRaw: envValue(spec['Env'], 'TF_CONFIG'),
    grpcFailFast: envValue(spec['Env'], 'GRPC_FAIL_FAST'),
    frameworkEnv: frameworkEnvOf(spec['Env']),
    hostname: str(spec['Hostname']),
    ports: [],
    mounts: [],
    nanoCpus: num(obj(obj(obj(t['Spec'])['Resources'])['Limits'])['NanoCPUs']),
    memoryLimitBytes: num(obj(obj(obj(t['Spec'])['Resources'])['Limits'])['MemoryBytes']),
    gpuRequest: null,
    restartPolicy: null,
    pid: null,
    tty: spec['TTY'] === true,
    service,
    swarmNodeId: str(t['NodeID']),
    remote: true,
  };
}

/** The container id a task runs as (on its own node), to skip tasks that are local containers. */
export const containerIdOf = (task: unknown): string | null =>
  str(obj(obj(obj(task)['Status'])['ContainerStatus'])['ContainerID']);
