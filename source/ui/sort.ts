// Table orders the `s` key cycles through. Pure.
import { compareNodes } from '../cluster/role.js';
import type { NodeUsage, NodeView } from '../cluster/types.js';
import { compareText } from '../cluster/order.js';

export const SORTS = ['role', 'cpu', 'mem', 'name'] as const;
export type SortKey = (typeof SORTS)[number];

export const nextSort = (s: SortKey): SortKey => SORTS[(SORTS.indexOf(s) + 1) % SORTS.length] ?? 'role';

/** Sorted copy; busiest first for cpu and mem, nodes without a figure last, ties in role order. */
export function sortNodes(
  nodes: readonly NodeView[],
  usage: Readonly<Record<string, NodeUsage>>,
  key: SortKey,
): NodeView[] {
  if (key === 'role') return [...nodes];
  if (key === 'name') return [...nodes].sort((a, b) => compareText(a.name, b.name));
  const value = (n: NodeView): number => {
    const u = usage[n.id];
    const v = key === 'cpu' ? u?.cpuPercent : u?.memBytes;
    return v === null || v === undefined ? -1 : v;
  };
  return [...nodes].sort((a, b) => value(b) - value(a) || compareNodes(a, b));
}
