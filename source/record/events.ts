// What happened between two recorded seconds, in words: the marks replay's `[`/`]` jump between
// and its time bar names. Told from the snapshots themselves (what tfmon saw), not from Docker's
// event stream: a root problem opened or closed, a node that exited (or was OOM-killed), restarted,
// started, appeared or went, the engine lost or back. Pure.
import type { NodeView, Problem, Snapshot } from '../cluster/types.js';

export type EventKind = 'problem' | 'resolved' | 'exit' | 'oom' | 'restart' | 'start' | 'new' | 'gone' | 'engine';

export interface RecordedEvent {
  /** ms since the epoch: the second it was recorded in. */
  t: number;
  kind: EventKind;
  /** The node it is about (its name); null for the cluster or the engine. */
  node: string | null;
  text: string;
}

type Seen = Pick<Snapshot, 'nodes' | 'problems' | 'engineError'>;

/** A root problem is the same one while its code and node are (its message may carry figures). */
const problemKey = (p: Problem): string => `${p.code}\u0000${p.node ?? ''}`;
const roots = (s: Seen): Map<string, Problem> =>
  new Map(s.problems.filter((p) => !p.causedBy).map((p) => [problemKey(p), p]));
const where = (p: Problem): string => p.node ?? 'the cluster';

function nodeEvents(before: NodeView | undefined, after: NodeView | undefined): Omit<RecordedEvent, 't'>[] {
  if (!before && after)
    return [{ kind: 'new', node: after.name, text: `${after.name} appeared (${after.role}, ${after.state})` }];
  if (before && !after) return [{ kind: 'gone', node: before.name, text: `${before.name} was removed` }];
  if (!before || !after) return [];
  const name = after.name;
  const wasUp = before.state === 'running' || before.state === 'restarting';
  const isUp = after.state === 'running' || after.state === 'restarting';
  if (wasUp && !isUp) {
    if (after.oomKilled)
      return [{ kind: 'oom', node: name, text: `${name} was OOM-killed (exit ${after.exitCode ?? '?'})` }];
    return [
      {
        kind: 'exit',
        node: name,
        text: `${name} exited${after.exitCode !== null ? ` with code ${after.exitCode}` : ''}`,
      },
    ];
  }
  if (
    after.restarts > before.restarts ||
    (isUp && wasUp && after.pid !== null && before.pid !== null && after.pid !== before.pid)
  )
    return [
      {
        kind: 'restart',
        node: name,
        text: `${name} restarted (${after.restarts} restart${after.restarts === 1 ? '' : 's'})`,
      },
    ];
  if (!wasUp && isUp) return [{ kind: 'start', node: name, text: `${name} started` }];
  return [];
}

/** The events from `before` to `after`; from nothing (a session's first second): the problems open then. */
export function eventsBetween(before: Seen | undefined, after: Seen): Omit<RecordedEvent, 't'>[] {
  const out: Omit<RecordedEvent, 't'>[] = [];
  if (before) {
    const was = new Map(before.nodes.map((n) => [n.name, n]));
    const is = new Map(after.nodes.map((n) => [n.name, n]));
    for (const n of after.nodes) out.push(...nodeEvents(was.get(n.name), n));
    for (const n of before.nodes) if (!is.has(n.name)) out.push(...nodeEvents(n, undefined));
    if (before.engineError === null && after.engineError !== null)
      out.push({ kind: 'engine', node: null, text: `engine unreachable: ${after.engineError}` });
    if (before.engineError !== null && after.engineError === null)
      out.push({ kind: 'engine', node: null, text: 'engine reachable again' });
  }
  const open = before ? roots(before) : new Map<string, Problem>();
  const now = roots(after);
  for (const [k, p] of now)
    if (!open.has(k))
      out.push({ kind: 'problem', node: p.node, text: `${p.severity} ${p.code} on ${where(p)}: ${p.message}` });
  for (const [k, p] of open)
    if (!now.has(k)) out.push({ kind: 'resolved', node: p.node, text: `${p.code} on ${where(p)} cleared` });
  return out;
}
