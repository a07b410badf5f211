// Swarm keeps the containers of a service's old tasks (task history) on the network, stopped: the
// cluster is each service slot's current task. Pure.
import type { NodeView, SwarmNodeInfo } from './types.js';

/** "tf-worker-1.1.<task id>" → "tf-worker-1.1": the service and its slot. */
export const slotOf = (n: NodeView): string => (n.service ? n.name.replace(/\.[a-z0-9]{20,}$/, '') : n.id);

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

/** Swarm's task id of a node: its container's label, or the manager's task (id `task:…`). */
const taskIdOf = (n: NodeView): string => n.labels['com.docker.swarm.task.id'] ?? n.id.replace(/^task:/, '');

/** Several engines' views of one swarm (a manager's and its workers', `--host` repeated): a task the
 * manager knows only as remote (a task id, no container here) and that a worker's engine runs as a
 * container is that container, once; a worker's containers get their swarm node's name from the
 * manager's list; each slot keeps its current task (a task rescheduled to another host replaces the
 * one that ran there). */
export function mergeSwarmViews(
  nodes: readonly NodeView[],
  swarmNodes: Readonly<Record<string, SwarmNodeInfo>>,
): { all: NodeView[]; current: NodeView[] } {
  const containers = new Set(nodes.filter((n) => !n.remote).map(taskIdOf));
  const once = nodes.filter((n) => !(n.remote && containers.has(taskIdOf(n))));
  const named = once.map((n) =>
    n.swarmNode === null && n.swarmNodeId && swarmNodes[n.swarmNodeId]
      ? { ...n, swarmNode: swarmNodes[n.swarmNodeId]!.name }
      : n,
  );
  return { all: named, current: currentTasks(named) };
}

/** A swarm slot's tasks as seen over time: a task Swarm replaced (on this host or another, after a
 * crash or a host lost) keeps its history on the task that replaced it. Kept by the monitor; the
 * engine forgets an old task's container once its node cleans up. */
export class SlotHistory {
  /** Per slot: how many tasks it has had, and the last few (their ids and hosts): a slot whose tasks
   * crash for days keeps a count, not every id. */
  private readonly slots = new Map<string, { total: number; last: { id: string; host: string | null }[] }>();

  /** Notes every task of `all` (current and old), then tells each current node its history. */
  apply(all: readonly NodeView[], current: readonly NodeView[], hostOf: (n: NodeView) => string | null): NodeView[] {
    for (const n of all) {
      if (!n.service) continue;
      const id = taskIdOf(n);
      const slot = this.slots.get(slotOf(n)) ?? { total: 0, last: [] };
      const known = slot.last.find((t) => t.id === id);
      // A host named later (the manager's node names are read once a task needs them) is kept.
      if (known) known.host ??= hostOf(n);
      else {
        slot.total++;
        slot.last.push({ id, host: hostOf(n) });
        // The manager keeps 5 tasks a slot by default: more than that is enough to tell new from seen.
        if (slot.last.length > 16) slot.last.shift();
      }
      this.slots.set(slotOf(n), slot);
    }
    return current.map((n) => {
      const slot = n.service ? this.slots.get(slotOf(n)) : undefined;
      if (!slot || slot.total < 2) return n;
      const id = taskIdOf(n);
      const last = slot.last.filter((t) => t.id !== id).at(-1);
      const host = hostOf(n);
      return {
        ...n,
        earlierTasks: slot.total - 1,
        ...(last?.host && host && last.host !== host ? { movedFrom: last.host } : {}),
      };
    });
  }
}
