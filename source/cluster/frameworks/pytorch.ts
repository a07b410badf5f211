// PyTorch's distributed jobs: one process per container started the env:// way (RANK, WORLD_SIZE,
// MASTER_ADDR, MASTER_PORT), or a torchrun (torch.distributed.run / .launch) per container with its
// flags on the command line (or as Kubeflow's PET_* variables). Pure.
import type { ContainerFacts } from '../types.js';
import { hostPort, intOf, roleOfRank, type Placement, type Recognise } from './placement.js';

/** torchrun's defaults: the static rendezvous port, and c10d's. */
export const TORCH_MASTER_PORT = 29500;
const C10D_PORT = 29400;

/** Splits a shell command as sh would for plain words and quotes (enough for `sh -c "torchrun …"`). */
export function shellWords(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/** The launcher's flags, when the command runs torchrun or `python -m torch.distributed.run|launch`. */
export function torchrunFlags(command: readonly string[]): Map<string, string> | null {
  // `sh -c "…"`, `bash -lc '…'`: the script is one word; look inside it.
  const words = command.flatMap((w) => (/\s/.test(w) ? shellWords(w) : [w]));
  const at = words.findIndex(
    (w, i) =>
      /(^|\/)torchrun$/.test(w) || (w === '-m' && /^torch\.distributed\.(run|launch)$/.test(words[i + 1] ?? '')),
  );
  if (at === -1) return null;
  const flags = new Map<string, string>();
  const rest = words.slice(at + (words[at] === '-m' ? 2 : 1));
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    if (!w.startsWith('--')) break; // the training script: its own flags are not torchrun's
    const eq = w.indexOf('=');
    // --nproc-per-node and --nproc_per_node are the same flag; values are left as written.
    const name = (eq === -1 ? w.slice(2) : w.slice(2, eq)).replace(/-/g, '_');
    const inline = eq === -1 ? undefined : w.slice(eq + 1);
    if (name === 'standalone') flags.set(name, 'true');
    else if (inline !== undefined) flags.set(name, inline);
    else flags.set(name, rest[++i] ?? '');
  }
  return flags;
}

/** Whether torchrun here hosts the c10d rendezvous store at `endpoint`: as torch decides it, when
 * the endpoint is loopback or names this machine's own host name (or `--rdzv_conf is_host=1`). In a
 * container the host name is the short id unless `--hostname` says otherwise, so an endpoint naming
 * the container by its name is not "here" to torch — then no one hosts it. */
export function hostsRendezvous(endpoint: string, hostname: string | null, conf: string | undefined): boolean {
  const isHost = conf ? /(?:^|,)is_host=(\w+)/.exec(conf)?.[1]?.toLowerCase() : undefined;
  if (isHost !== undefined) return ['1', 'true', 'yes', 'y'].includes(isHost);
  const host = hostPort(endpoint).host;
  return /^(localhost|127\.\d+\.\d+\.\d+|::1)$/i.test(host) || (hostname !== null && host === hostname);
}

/** A torchrun container's c10d rendezvous endpoint (host:port), or null (env://, static, standalone). */
export function c10dEndpointOf(n: Pick<ContainerFacts, 'command' | 'frameworkEnv'>): string | null {
  const flags = torchrunFlags(n.command);
  const get = (name: string): string | undefined => flags?.get(name) ?? n.frameworkEnv[`PET_${name.toUpperCase()}`];
  const endpoint = get('rdzv_endpoint');
  if (!endpoint || flags?.get('standalone') === 'true' || (get('rdzv_backend') ?? 'c10d') !== 'c10d') return null;
  return hostPort(endpoint).port === null ? `${endpoint}:${C10D_PORT}` : endpoint;
}

export const pytorch: Recognise = ({ frameworkEnv: env, command, hostname }) => {
  const flags = torchrunFlags(command);
  if (flags || env['PET_NNODES'] !== undefined) {
    const get = (name: string): string | undefined => flags?.get(name) ?? env[`PET_${name.toUpperCase()}`];
    const nodes = intOf(get('nnodes')?.split(':').at(-1));
    const perNode = intOf(get('nproc_per_node'));
    const nodeRank = intOf(get('node_rank'));
    const standalone = flags?.get('standalone') === 'true';
    const backend = get('rdzv_backend') ?? (get('rdzv_endpoint') ? 'c10d' : 'static');
    const endpoint = get('rdzv_endpoint');
    const master = standalone
      ? null
      : backend === 'static' || !endpoint
        ? get('master_addr')
          ? `${get('master_addr')}:${intOf(get('master_port')) ?? TORCH_MASTER_PORT}`
          : null
        : hostPort(endpoint).port === null
          ? `${endpoint}:${C10D_PORT}`
          : endpoint;
    const ranks: [number, number] | null =
      nodeRank !== null && perNode !== null ? [nodeRank * perNode, nodeRank * perNode + perNode - 1] : null;
    // c10d: the store is where torch finds the endpoint to be itself, whatever the node's rank (given
    // at rendezvous when --node_rank is not); static: on node rank 0.
    const c10d = !standalone && backend !== 'static' && master !== null;
    const hosts = c10d ? hostsRendezvous(master, hostname, get('rdzv_conf')) : nodeRank === 0 && master !== null;
    return {
      framework: 'pytorch',
      role: standalone || hosts ? 'master' : 'worker',
      index: standalone ? 0 : nodeRank,
      roleSource: flags ? 'command' : 'env',
      worldSize: nodes !== null && perNode !== null ? nodes * perNode : null,
      master,
      ranks: standalone && perNode !== null ? [0, perNode - 1] : ranks,
      port: hosts && master ? hostPort(master).port : null,
    } satisfies Placement;
  }
  if (env['MASTER_ADDR'] === undefined && env['RANK'] === undefined) return null;
  if (env['WORLD_SIZE'] === undefined && env['MASTER_PORT'] === undefined) return null;
  const rank = intOf(env['RANK']);
  const port = intOf(env['MASTER_PORT']);
  return {
    framework: 'pytorch',
    role: roleOfRank(rank),
    index: rank,
    roleSource: 'env',
    worldSize: intOf(env['WORLD_SIZE']),
    master: env['MASTER_ADDR'] !== undefined ? `${env['MASTER_ADDR']}:${port ?? TORCH_MASTER_PORT}` : null,
    ranks: null,
    // Rank 0 hosts the store on MASTER_PORT; the others dial it, and listen on ports of no fixed number.
    port: rank === 0 ? port : null,
  };
};
