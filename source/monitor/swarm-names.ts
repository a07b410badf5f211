// Swarm node ids → host names and states, for the NODE column and for a host the swarm no longer
// hears. Read from a manager when a task runs on a node not named yet; then kept current by the
// events stream's node events (a manager sends one when a node goes down or comes back). Not a
// manager (an empty answer): asked once, not at every change.
import type { ContainerFacts, SwarmNodeInfo } from '../cluster/types.js';
import type { NodeEvent } from '../engine/events.js';
import type { ClusterReader } from '../engine/needs.js';

export class SwarmNames {
  private nodes = new Map<string, SwarmNodeInfo>();
  private loading = false;
  private unavailable = false;

  constructor(
    private readonly engine: Pick<ClusterReader, 'swarmNodes'>,
    private readonly onChange: () => void,
  ) {}

  get(nodeId: string | null): string | null {
    return nodeId ? (this.nodes.get(nodeId)?.name ?? null) : null;
  }

  /** Every node known, by id (none unless this engine is a manager of a swarm tasks run on). */
  all(): Record<string, SwarmNodeInfo> | undefined {
    return this.nodes.size ? Object.fromEntries(this.nodes) : undefined;
  }

  /** Reads the nodes again when one of these tasks runs on a node not named yet. */
  load(facts: Iterable<ContainerFacts>): Promise<void> {
    const unknown = [...facts].some((f) => f.swarmNodeId && !this.nodes.has(f.swarmNodeId));
    if (!unknown || this.loading || this.unavailable) return Promise.resolve();
    this.loading = true;
    return this.engine.swarmNodes().then((nodes) => {
      this.loading = false;
      if (nodes.size === 0) {
        this.unavailable = true;
        return;
      }
      this.nodes = nodes;
      this.onChange();
    });
  }

  /** A node event: its new state (and name) kept; a node never seen is read with the rest. */
  onEvent(e: NodeEvent): void {
    const known = this.nodes.get(e.nodeId);
    if (!known) return;
    const next = { name: e.name ?? known.name, state: e.state ?? known.state };
    if (next.name === known.name && next.state === known.state) return;
    this.nodes.set(e.nodeId, next);
    this.onChange();
  }
}
