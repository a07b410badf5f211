// Snapshots for UI tests: built from the recorded inspect, run through the same pure layers as live.
import { findProblems } from '../../source/cluster/problems.js';
import { compareNodes, toNodeView } from '../../source/cluster/role.js';
import { tfConfigFor, type TaskSpec } from '../../source/cluster/tf-config.js';
import type { ContainerFacts, Snapshot } from '../../source/cluster/types.js';
import type { SnapshotSource } from '../../source/ui/App.js';
import { facts } from './facts.js';

export const seedTasks: TaskSpec[] = [
  { type: 'ps', index: 0, host: 'tf-ps-0', port: 2222 },
  { type: 'worker', index: 0, host: 'tf-worker-0', port: 2222 },
  { type: 'worker', index: 1, host: 'tf-worker-1', port: 2222 },
];

export function seedFacts(tasks: TaskSpec[] = seedTasks): ContainerFacts[] {
  return tasks.map((t, i) =>
    facts({
      id: `id-${t.host}`,
      name: t.host,
      ip: `172.18.0.${i + 2}`,
      tfConfigRaw: tfConfigFor(tasks, t),
      labels: {},
      startedAt: '2026-01-01T00:00:00Z',
    }),
  );
}

export function snapshotOf(list: ContainerFacts[], network = 'tf-network', usage: Snapshot['usage'] = {}): Snapshot {
  const nodes = list.map((f) => toNodeView(f)).sort(compareNodes);
  const net = { name: network, id: 'n', driver: 'bridge' };
  return {
    engine: { host: 'unix:///var/run/docker.sock', version: '20.10.24', swarm: false },
    engineError: null,
    network: net,
    nodes,
    problems: findProblems(net, nodes),
    usage,
    usageSource: Object.keys(usage).length ? 'cgroup' : null,
    host: null,
    gpus: null,
    gpuByContainer: {},
    gpuNote: null,
    reachability: [],
    listeners: {},
    probe: { on: false },
    training: {},
    clusterTraining: null,
    ready: true,
    updatedAt: 0,
  };
}

/** A store that tests push snapshots into, exactly as ClusterMonitor notifies the UI. */
export class TestStore implements SnapshotSource {
  private listeners = new Set<() => void>();
  constructor(private snapshot: Snapshot) {}
  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  getSnapshot = (): Snapshot => this.snapshot;
  set(snapshot: Snapshot): void {
    this.snapshot = snapshot;
    for (const l of this.listeners) l();
  }
}
