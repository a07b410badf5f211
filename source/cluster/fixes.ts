// One line per problem code saying what to do about it (`tfmon doctor`). Pure.
import type { Problem } from './types.js';

const FIXES: Record<Problem['code'], (p: Problem, network: string) => string> = {
  default_bridge_network: () =>
    'docker network create tf-network, then attach the tasks to it (docker network connect) and use --network tf-network',
  tf_config_invalid: (p) =>
    `fix the JSON of ${p.node}'s TF_CONFIG (tfmon tf-config --node ${p.node} prints a correct one); the container must be recreated to change it`,
  tf_config_missing: (p) =>
    `give ${p.node} a TF_CONFIG (tfmon tf-config --node ${p.node} prints it; c then a in tfmon recreates the node with it)`,
  tf_config_stale: () =>
    'regenerate and apply: c then a in tfmon, or tfmon tf-config --apply (recreates only the nodes that differ, one at a time)',
  topology_invalid: () => 'keep one chief and one evaluator at most: remove or rename the others',
  index_gap: () =>
    'renumber so that each job counts 0, 1, 2… (recreate with the right tfmon.index or name), or add the missing task',
  duplicate_task: () => 'give one of them another index (recreate it with its own TF_CONFIG), or remove it',
  unknown_host: () =>
    'start the container it names (on this network), or regenerate and apply the TF_CONFIG without it: c then a in tfmon, or tfmon tf-config --apply',
  engine_unreachable: () =>
    'check that the box is up and its engine answers (docker -H HOST info); tfmon keeps showing the other engines and retries',
  host_partition: () =>
    "the network between the two hosts: their link, a switch, a firewall between them (the swarm needs 2377/tcp, 7946/tcp+udp and 4789/udp); once it is back the swarm's tasks meet again",
  overlay_data_path: () =>
    "VXLAN (4789/udp) is dropped between the hosts while the swarm's control plane gets through: open 4789/udp both ways in their firewalls (and check the MTU)",
  cross_engine_without_overlay: () =>
    'nodes on different hosts reach each other only over an overlay network: tfmon up --swarm, or docker network create -d overlay --attachable',
  role_unknown: (p) =>
    `label it (--label tfmon.role=worker --label tfmon.index=N) or name it like tf-worker-N; or ignore ${p.node} if it is not part of the training job`,
  not_running: (p) => `tfmon logs ${p.node} --errors shows why; r in tfmon (or docker start ${p.node}) starts it again`,
  crash_loop: (p) => `tfmon logs ${p.node} --errors shows the cause; a peer it cannot reach shows in the matrix (m)`,
  oom_killed: (p) => `give ${p.node} more memory (--memory), or a smaller batch / model shard`,
  not_attached: (p, network) => `docker network connect ${network} ${p.node}`,
  peer_unresolvable: () =>
    'the name must be a container on the network: start it, attach it, or regenerate TF_CONFIG if it is gone (g)',
  not_listening: (p) =>
    `start the TensorFlow server in ${p.node} (tf.distribute.Server) on the port its TF_CONFIG names, or correct that port; tfmon logs ${p.node} --errors may say why it is not up`,
  port_refused: () =>
    'nothing listens there: start the TensorFlow server (tf.distribute.Server) on that port, or correct the port in TF_CONFIG',
  port_timeout: () =>
    'the peer does not answer: check it is running and not paused, and that no firewall sits between the nodes',
  ip_mismatch: () => 'two things answer to one name: remove the stale container or alias that holds it',
  loopback_address: () =>
    "use each task's container name (name:port) in the cluster spec (tfmon tf-config prints one), or the master container's name as MASTER_ADDR",
  grpc_fail_fast_unset: () => 'set GRPC_FAIL_FAST=use_caller in every task (tfmon up does)',
  tf_port_public: () =>
    'publish it on 127.0.0.1 only (-p 127.0.0.1:PORT:PORT) or not at all: nodes reach each other on the Docker network',
  jupyter_public: () => 'publish Jupyter on 127.0.0.1 (-p 127.0.0.1:8888:8888) and tunnel over SSH, or keep its token',
  no_nodes: (_p, network) =>
    `start the cluster (tfmon up --network ${network} makes the demo one), or point --network at the one it runs on (docker network ls)`,
  straggler: (p) =>
    `compare ${p.node} with its peers (CPU, GPU, memory, its host's other load, its input shard): a slow worker holds back synchronous training and slows the shared step in asynchronous; tfmon logs ${p.node} shows its pace`,
  stalled: (p) =>
    `tfmon logs ${p.node} shows what it last did; the matrix (m) shows a peer it cannot reach; r in tfmon restarts it when it is stuck`,
  session_waiting: (p) =>
    `${p.node ? `start ${p.node} and its TensorFlow server` : 'start the task it names'} (or correct the address in the reporters' TF_CONFIG); the matrix (m) shows whether it resolves and listens`,
  worker_failed: (p) =>
    `tfmon logs ${p.node ?? 'the task'} --errors shows why it failed; TensorFlow's coordinator retries the task once it is back`,
  ps_failed: (p) =>
    `tfmon logs ${p.node ?? 'the ps task'} --errors shows why; a parameter server failure stops training until the coordinator recovers from a checkpoint`,
  grpc_message_too_large: () =>
    'raise the limit (grpc.max_receive_message_length / max_send_message_length in the server and channel options) or shard the large tensor over more ps tasks',
  metrics_public: () =>
    'serve on loopback (tfmon serve --metrics 127.0.0.1:10922) and let Prometheus scrape it on the host, or restrict the port with a firewall',
  no_chief: () =>
    'run the coordinator as task type chief (tfmon up --chief), or ignore this if it runs outside the containers',
  rank_missing: () =>
    'start a container for each missing rank (RANK=N, the same WORLD_SIZE and MASTER_ADDR/MASTER_PORT), or restart the job with the WORLD_SIZE it has',
  duplicate_rank: () =>
    "give each container its own RANK (0 … WORLD_SIZE-1) and recreate the one that repeats another's",
  rendezvous_unhosted: (p) =>
    `recreate ${p.node ?? 'the container the endpoint names'} with --hostname ${p.node ?? 'its name'} (compose: hostname:), or give its torchrun --rdzv_conf is_host=1`,
  collective_timeout: (p) =>
    `tfmon logs ${p.node ?? 'each rank that did not time out'} shows where it is (py-spy dump --pid 1 in the container prints its Python stack); every rank must call the same collectives in the same order — a rank-0-only checkpoint or evaluation inside the step loop is the usual cause; raise the timeout of init_process_group only for a slow step`,
  ranks_failed: (p) =>
    `tfmon logs ${p.node ?? 'it'} --errors shows why its worker failed (a peer it lost is named there); restart the job once the cause is fixed`,
  job_mismatch: (p) =>
    `recreate ${p.node ?? 'that rank'} with the WORLD_SIZE and MASTER_ADDR/MASTER_PORT the other ranks have (a container's environment is fixed at creation)`,
};

export function fixFor(problem: Problem, network: string): string {
  return FIXES[problem.code](problem, network);
}

export const KNOWN_CODES = Object.keys(FIXES);
