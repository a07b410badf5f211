// Swarm keeps the containers of a service's old tasks (task history) on the network, stopped: the
// cluster is each service slot's current task. Pure.
import type { NodeView } from './types.js';

/** "tf-worker-1.1.<task id>" → "tf-worker-1.1": the service and its slot. */
const slotOf = (n: NodeView): string => (n.service ? n.name.replace(/\.[a-z0-9]{20,}$/, '') : n.id);

/** One node per swarm slot: the running task, else the most recently started one. Plain
 * containers pass through untouched. */
export function currentTasks(nodes: readonly NodeView[]): NodeView[] {
  const best = new Map<string, NodeView>();
  const rank = (n: NodeView): [number, string] => [n.state === 'running' ? 1 : 0, n.startedAt ?? ''];
  for (const n of nodes) {
    const key = slotOf(n);
    const cur = best.get(key);
    if (!cur) {
      best.set(key, n);
      continue;
    }
    const [a, b] = [rank(n), rank(cur)];
    if (a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])) best.set(key, n);
  }
  const keep = new Set([...best.values()].map((n) => n.id));
  return nodes.filter((n) => keep.has(n.id));
}
