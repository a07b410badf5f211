// Checks of a PyTorch, Horovod, JAX or Keras job as its containers describe it: every rank of the
// world present once, and every rank told the same world and the same meeting point. What a missing
// or misdirected rank does at run time is a silent wait in rendezvous, not an error line. Pure.
import type { FrameworkName, NodeView, Problem, ProblemCode } from '../types.js';
import { hostPort } from './placement.js';
import { ncclTimeout } from './failure-lines.js';
import { c10dEndpointOf } from './pytorch.js';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|0\.0\.0\.0)$/i;
const WORDS: Record<Exclude<FrameworkName, 'tensorflow'>, { size: string; master: string; init: string }> = {
  pytorch: { size: 'WORLD_SIZE', master: 'MASTER_ADDR:MASTER_PORT', init: 'init_process_group' },
  horovod: { size: 'HOROVOD_SIZE', master: 'the rendezvous address', init: 'hvd.init()' },
  jax: { size: 'JAX_NUM_PROCESSES', master: 'JAX_COORDINATOR_ADDRESS', init: 'jax.distributed.initialize' },
  keras: {
    size: 'KERAS_DISTRIBUTION_NUM_PROCESSES',
    master: 'the first of KERAS_DISTRIBUTION_JOB_ADDRESSES',
    init: 'keras.distribution.initialize',
  },
};

/** The ranks a container runs: its rank, or a torchrun container's range. */
const ranksOf = (n: NodeView): number[] =>
  n.ranks
    ? Array.from({ length: n.ranks[1] - n.ranks[0] + 1 }, (_, i) => n.ranks![0] + i)
    : n.index === null
      ? []
      : [n.index];

/** The value most members have (ties: the one rank 0 has), and who differs from it. */
function majority<T>(
  members: readonly NodeView[],
  value: (n: NodeView) => T | null,
): { value: T | null; odd: NodeView[] } {
  const counts = new Map<string, { v: T; n: number; master: boolean }>();
  for (const m of members) {
    const v = value(m);
    if (v === null) continue;
    const k = JSON.stringify(v);
    const c = counts.get(k) ?? { v, n: 0, master: false };
    c.n++;
    c.master ||= m.role === 'master';
    counts.set(k, c);
  }
  const best = [...counts.values()].sort((a, b) => b.n - a.n || Number(b.master) - Number(a.master))[0];
  if (!best) return { value: null, odd: [] };
  const key = JSON.stringify(best.v);
  return { value: best.v, odd: members.filter((m) => value(m) !== null && JSON.stringify(value(m)) !== key) };
}

/** The codes jobChecks raises. */
export const JOB_CHECKS: readonly ProblemCode[] = [
  'job_mismatch',
  'loopback_address',
  'collective_timeout',
  'duplicate_rank',
  'rank_missing',
];

/** The checks every rank-numbered job shares (PyTorch, Horovod, JAX, Keras), on its members. */
export function jobChecks(framework: Exclude<FrameworkName, 'tensorflow'>, members: readonly NodeView[]): Problem[] {
  if (members.length === 0) return [];
  const problems: Problem[] = [];
  const w = WORDS[framework];
  const names = members.map((m) => m.name);

  // Told another world or meeting point than the rest: that rank waits alone (or joins no one).
  const size = majority(members, (n) => n.worldSize);
  for (const n of size.odd) {
    problems.push({
      severity: 'error',
      node: n.name,
      code: 'job_mismatch',
      nodes: [n.name],
      message: `${w.size} is ${n.worldSize} here, ${size.value} on the other ranks: every rank must be told the same world`,
    });
  }
  const master = majority(members, (n) => n.master);
  for (const n of master.odd) {
    problems.push({
      severity: 'error',
      node: n.name,
      code: 'job_mismatch',
      nodes: [n.name],
      message: `${w.master} is ${n.master} here, ${master.value} on the other ranks: this rank looks for the job elsewhere and waits in ${w.init}`,
    });
  }
  // A loopback master only works when the whole job is one container.
  if (members.length > 1) {
    for (const n of members) {
      const host = n.master ? hostPort(n.master).host : null;
      if (host && LOOPBACK.test(host)) {
        problems.push({
          severity: 'error',
          node: n.name,
          code: 'loopback_address',
          nodes: [n.name],
          message: `${w.master} is ${n.master}: in a job of ${members.length} containers every rank must reach the master by its name`,
        });
      }
    }
  }

  // NCCL's watchdog: ranks that gave up on one collective, waiting for ranks that never joined it.
  // Those that did not time out, still running, are where it hangs (their own work, a checkpoint,
  // a data loader, another code path); one of them that stopped is a plain dead peer (causes.ts).
  const timedOut = members.flatMap((m) => {
    const t = ncclTimeout(m.lastError);
    return t ? [{ m, t }] : [];
  });
  if (timedOut.length) {
    const { t } = timedOut[0]!;
    const waited = timedOut.filter((x) => x.t.seq === t.seq).map((x) => x.m.name);
    const others = members.filter((m) => !ncclTimeout(m.lastError));
    const hung = others.filter((m) => m.state === 'running');
    if (hung.length && hung.length === others.length) {
      const by =
        waited.length > 3 ? `${waited.slice(0, 3).join(', ')} and ${waited.length - 3} more` : waited.join(', ');
      problems.push({
        severity: 'error',
        node: hung.length === 1 ? hung[0]!.name : null,
        code: 'collective_timeout',
        nodes: [...hung.map((m) => m.name), ...waited],
        message: `${by} gave up on NCCL ${t.op} #${t.seq} after ${Math.round(t.timeoutMs / 1000)} s waiting for ${hung.length === 1 ? 'it' : hung.map((m) => m.name).join(', ')}: ${hung.length === 1 ? 'it never joined' : 'they never joined'} that collective — stuck or far slower (its own work, a checkpoint, a data loader, another code path)`,
      });
    }
  }

  // Every rank once.
  const byRank = new Map<number, string[]>();
  for (const m of members) for (const r of ranksOf(m)) byRank.set(r, [...(byRank.get(r) ?? []), m.name]);
  for (const [rank, claimants] of [...byRank].sort((a, b) => a[0] - b[0])) {
    if (claimants.length > 1) {
      problems.push({
        severity: 'error',
        node: null,
        code: 'duplicate_rank',
        nodes: claimants,
        message: `${claimants.join(' and ')} both run rank ${rank}: ${w.init} fails or hangs`,
      });
    }
  }
  const world = size.value;
  // Without every container's ranks (an elastic torchrun gives none) a gap cannot be told.
  if (world !== null && members.every((m) => ranksOf(m).length > 0)) {
    const missing = Array.from({ length: world }, (_, r) => r).filter((r) => !byRank.has(r));
    if (missing.length) {
      const which = missing.length === 1 ? `rank ${missing[0]}` : `ranks ${missing.join(', ')}`;
      problems.push({
        severity: 'error',
        node: null,
        code: 'rank_missing',
        nodes: names,
        message: `${which} of ${w.size}=${world} ${missing.length === 1 ? 'has' : 'have'} no container: the other ranks wait for ${missing.length === 1 ? 'it' : 'them'} in ${w.init} until its timeout`,
      });
    }
    const beyond = [...byRank.keys()].filter((r) => r >= world);
    for (const r of beyond) {
      problems.push({
        severity: 'error',
        node: byRank.get(r)![0]!,
        code: 'job_mismatch',
        nodes: byRank.get(r)!,
        message: `rank ${r} is outside ${w.size}=${world}: ranks go from 0 to ${world - 1}`,
      });
    }
  }
  return problems;
}

/** torchrun's c10d store on no one: the container the endpoint names does not see that name as its
 * own host name. Every node then gives up after 60 s, naming the endpoint. */
export function c10dChecks(members: readonly NodeView[]): Problem[] {
  if (members.some((m) => m.port !== null)) return [];
  const endpoint = members.map(c10dEndpointOf).find((e) => e !== null);
  const host = endpoint ? hostPort(endpoint).host : null;
  const named = host ? members.find((m) => m.name === host || m.dnsName === host) : undefined;
  if (!endpoint || !named) return [];
  return [
    {
      severity: 'error',
      node: named.name,
      code: 'rendezvous_unhosted',
      nodes: [named.name],
      message: `torchrun's c10d rendezvous is ${endpoint}, this container, but its host name is ${named.hostname ?? 'another'}: torchrun hosts the store only where the endpoint names its own host name, so no node hosts it and every node gives up after 60 s`,
    },
  ];
}
