// The reachability matrix as data: rows = from, columns = to, one mark per pair, plus the compact
// list of failing pairs for clusters too big to draw. Pure: tested without rendering.
import type { ReachEntry } from '../cluster/reach.js';
import type { NodeView } from '../cluster/types.js';

export type Mark = 'ok' | 'dns' | 'refused' | 'timeout' | 'mismatch' | 'error' | 'unprobed' | 'self' | 'none';

export interface MatrixColumn {
  /** Host name as probed (a node's name, or a host only some TF_CONFIG names). */
  host: string;
  /** Short header: role initial + index ("p0", "w1"), else "#3"; "x1"… for hosts that are not nodes. */
  label: string;
  /** false for an address only a TF_CONFIG names (no node of that name on the network). */
  isNode: boolean;
}

export interface Matrix {
  columns: MatrixColumn[];
  /** marks[row][col], rows in the order of the nodes given. */
  marks: Mark[][];
  /** The entry behind each cell, or null (self, pair not probed, node not running). */
  entries: (ReachEntry | null)[][];
}

const ROLE_INITIAL: Record<string, string> = { chief: 'c', worker: 'w', ps: 'p', evaluator: 'e' };

/** What a cell shows. DNS first: a name that does not resolve cannot be connected to. */
export function markOf(e: ReachEntry | undefined, expectedIp: string | null): Mark {
  if (!e) return 'none';
  if (e.dns === 'unprobed' || e.tcp === 'unprobed') return 'unprobed';
  if (e.dns === 'nxdomain') return 'dns';
  if (e.dns === 'error') return 'error';
  if (e.tcp === 'refused') return 'refused';
  if (e.tcp === 'timeout') return 'timeout';
  if (e.tcp === 'error') return 'error';
  if (expectedIp && e.ip && e.ip !== expectedIp) return 'mismatch';
  return 'ok';
}

const isFailure = (m: Mark): boolean =>
  m === 'dns' || m === 'refused' || m === 'timeout' || m === 'mismatch' || m === 'error';

function labelsFor(nodes: readonly NodeView[]): string[] {
  const wanted = nodes.map((n) =>
    n.role in ROLE_INITIAL && n.index !== null && n.index < 100 ? `${ROLE_INITIAL[n.role]}${n.index}` : null,
  );
  const count = new Map<string, number>();
  for (const w of wanted) if (w) count.set(w, (count.get(w) ?? 0) + 1);
  // Duplicates (two "w1": a wrong task index) fall back to the row number, so no header is ambiguous.
  return wanted.map((w, i) => (w && count.get(w) === 1 ? w : `#${i + 1}`));
}

/** The matrix for nodes in display order. Hosts that only TF_CONFIG names become extra columns. */
export function buildMatrix(nodes: readonly NodeView[], entries: readonly ReachEntry[]): Matrix {
  const labels = labelsFor(nodes);
  const columns: MatrixColumn[] = nodes.map((n, i) => ({
    host: n.dnsName,
    label: labels[i] ?? `#${i + 1}`,
    isNode: true,
  }));
  const names = new Set(nodes.map((n) => n.dnsName));
  const extra = [...new Set(entries.map((e) => e.to).filter((h) => !names.has(h)))].sort();
  for (const [i, host] of extra.entries()) columns.push({ host, label: `x${i + 1}`, isNode: false });

  const byPair = new Map<string, ReachEntry>();
  for (const e of entries) byPair.set(`${e.from}\n${e.to}`, e);
  const ipOf = new Map(nodes.map((n) => [n.dnsName, n.ip]));
  const marks: Mark[][] = [];
  const cells: (ReachEntry | null)[][] = [];
  for (const n of nodes) {
    const row: Mark[] = [];
    const rowEntries: (ReachEntry | null)[] = [];
    for (const c of columns) {
      if (c.host === n.dnsName) {
        row.push('self');
        rowEntries.push(null);
        continue;
      }
      const e = byPair.get(`${n.name}\n${c.host}`);
      row.push(markOf(e, ipOf.get(c.host) ?? null));
      rowEntries.push(e ?? null);
    }
    marks.push(row);
    cells.push(rowEntries);
  }
  return { columns, marks, entries: cells };
}

export interface PeerCounts {
  /** Pairs from this node that were probed (its row, less itself). */
  peers: number;
  /** Failing pairs from this node (its row) and towards it (its column). */
  out: number;
  in: number;
  /** Pairs towards it that were probed (its column, less itself). */
  reachedBy: number;
}

export function failuresOf(m: Matrix, row: number, nodeHost: string): PeerCounts {
  const marks = m.marks[row] ?? [];
  const out = marks.filter(isFailure).length;
  const peers = marks.filter((k) => k !== 'self' && k !== 'none' && k !== 'unprobed').length;
  const col = m.columns.findIndex((c) => c.host === nodeHost);
  const inbound = col < 0 ? 0 : m.marks.filter((r) => isFailure(r[col] ?? 'none')).length;
  const reachedBy =
    col < 0 ? 0 : m.marks.filter((r) => !['self', 'none', 'unprobed'].includes(r[col] ?? 'none')).length;
  return { peers, out, in: inbound, reachedBy };
}

export interface Tally {
  pairs: number;
  ok: number;
  dns: number;
  refused: number;
  timeout: number;
  mismatch: number;
  error: number;
  unprobed: number;
}

export function tally(entries: readonly ReachEntry[], nodes: readonly NodeView[]): Tally {
  const ipOf = new Map(nodes.map((n) => [n.dnsName, n.ip]));
  const t: Tally = { pairs: entries.length, ok: 0, dns: 0, refused: 0, timeout: 0, mismatch: 0, error: 0, unprobed: 0 };
  for (const e of entries) {
    const mark = markOf(e, ipOf.get(e.to) ?? null);
    if (mark !== 'self' && mark !== 'none') t[mark]++;
  }
  return t;
}

export interface FailureGroup {
  /** 'from': one source failing towards many targets; 'to': many sources failing towards one
   * target; 'pair': a single failing pair. */
  kind: 'from' | 'to' | 'pair';
  host: string;
  entries: ReachEntry[];
}

/** Failing pairs grouped for the compact view. Greedy: the node that explains the most remaining
 * failures (as source or as target) comes first, so one disconnected worker is one or two lines
 * instead of forty. Groups of one become plain pairs. */
export function groupFailures(entries: readonly ReachEntry[], nodes: readonly NodeView[]): FailureGroup[] {
  const ipOf = new Map(nodes.map((n) => [n.dnsName, n.ip]));
  let left = entries.filter((e) => isFailure(markOf(e, ipOf.get(e.to) ?? null)));
  const groups: FailureGroup[] = [];
  while (left.length) {
    const counts = new Map<string, number>();
    for (const e of left) {
      counts.set(`from\n${e.from}`, (counts.get(`from\n${e.from}`) ?? 0) + 1);
      counts.set(`to\n${e.to}`, (counts.get(`to\n${e.to}`) ?? 0) + 1);
    }
    let best = '';
    let bestCount = 0;
    for (const [k, c] of counts) {
      if (c > bestCount || (c === bestCount && k < best)) {
        best = k;
        bestCount = c;
      }
    }
    const [kind, host] = best.split('\n') as ['from' | 'to', string];
    const taken = left.filter((e) => (kind === 'from' ? e.from : e.to) === host);
    left = left.filter((e) => (kind === 'from' ? e.from : e.to) !== host);
    groups.push(taken.length === 1 ? { kind: 'pair', host, entries: taken } : { kind, host, entries: taken });
  }
  return groups;
}

/** "2 DNS, 1 refused": what went wrong in a set of pairs, most common first. */
export function kindsOf(entries: readonly ReachEntry[], nodes: readonly NodeView[]): string {
  const ipOf = new Map(nodes.map((n) => [n.dnsName, n.ip]));
  const words: Partial<Record<Mark, string>> = {
    dns: 'DNS',
    refused: 'refused',
    timeout: 'timeout',
    mismatch: 'IP mismatch',
    error: 'error',
  };
  const count = new Map<string, number>();
  for (const e of entries) {
    const w = words[markOf(e, ipOf.get(e.to) ?? null)];
    if (w) count.set(w, (count.get(w) ?? 0) + 1);
  }
  return [...count]
    .sort((a, b) => b[1] - a[1])
    .map(([w, c]) => `${c} ${w}`)
    .join(', ');
}

/** One sentence on a pair, for the line under the matrix. */
export function pairDetail(from: string, e: ReachEntry | null, to: MatrixColumn, mark: Mark, arrow = '→'): string {
  if (mark === 'self') return `${from}: itself`;
  if (!e) return `${from} ${arrow} ${to.host}: not probed (${from} is not running, or no round has reached it yet)`;
  const head = `${e.from} ${arrow} ${e.to}:${e.port}`;
  if (mark === 'ok') return `${head}: resolves to ${e.ip ?? '?'}, connects in ${e.ms ?? '?'} ms`;
  if (mark === 'mismatch') return `${head}: resolves to ${e.ip ?? '?'}, not to its address on the network`;
  return `${head}: ${e.reason ?? mark}${e.ip ? ` (resolves to ${e.ip})` : ''}`;
}

/** The column the cursor is on: the one asked for, else the row's first failure, else its first peer. */
export function targetColumn(m: Matrix, row: number, target: string | null): number {
  const asked = target === null ? -1 : m.columns.findIndex((c) => c.host === target);
  if (asked >= 0) return asked;
  const marks = m.marks[row] ?? [];
  const failing = marks.findIndex((k) => k !== 'ok' && k !== 'self' && k !== 'none');
  if (failing >= 0) return failing;
  return Math.max(
    0,
    marks.findIndex((k) => k !== 'self'),
  );
}
