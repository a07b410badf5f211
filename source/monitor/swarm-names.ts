// Swarm node ids → host names, for the SWARM NODE column. Read from a manager when a task runs on a
// node not named yet; not a manager (an empty answer): asked once, not at every change.
import type { ContainerFacts } from '../cluster/types.js';
import type { ClusterReader } from '../engine/needs.js';

export class SwarmNames {
  private names = new Map<string, string>();
  private loading = false;
  private unavailable = false;

  constructor(
    private readonly engine: Pick<ClusterReader, 'swarmNodes'>,
    private readonly onChange: () => void,
  ) {}

  get(nodeId: string | null): string | null {
    return nodeId ? (this.names.get(nodeId) ?? null) : null;
  }

  /** Reads the names again when one of these tasks runs on a node not named yet. */
  load(facts: Iterable<ContainerFacts>): Promise<void> {
    const unknown = [...facts].some((f) => f.swarmNodeId && !this.names.has(f.swarmNodeId));
    if (!unknown || this.loading || this.unavailable) return Promise.resolve();
    this.loading = true;
    return this.engine.swarmNodes().then((names) => {
      this.loading = false;
      if (names.size === 0) {
        this.unavailable = true;
        return;
      }
      this.names = names;
      this.onChange();
    });
  }
}
