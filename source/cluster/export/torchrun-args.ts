// A torchrun command line (or python -m torch.distributed.run) moved to Kubernetes. Its flags beat
// the environment, so a `--node-rank 0` carried into every pod would make each one node 0: under an
// operator (PyTorchJob, TrainJob), which sets torchrun's PET_* variables, the job's flags go; under
// JobSet, which sets nothing, the node rank becomes $(TASK_INDEX) (Kubernetes expands it in args)
// and the master's name rank 0's pod. Only the launcher's own flags, before the script, are touched.
// Pure.
import type { ExportTask } from './task.js';

/** The flags that place a node in the job (as torchrun spells them, `-` for `_`). */
const JOB_FLAGS = new Set([
  'nnodes',
  'nproc-per-node',
  'node-rank',
  'master-addr',
  'master-port',
  'rdzv-endpoint',
  'rdzv-backend',
  'rdzv-id',
  'standalone',
]);
/** torchrun's flags that take no value. */
const BOOLEAN = new Set(['standalone', 'no-python', 'run-path', 'module', 'm', 'no-python', 'redirects-all']);

export type TorchrunMove = { kind: 'operator' } | { kind: 'jobset'; nodeRank: string; master: string; port: number };

/** Where the launcher's flags start: after `torchrun`, or after `-m torch.distributed.run`; -1 if none. */
function launcherEnd(words: readonly string[]): number {
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === 'torchrun' || w.endsWith('/torchrun')) return i + 1;
    if (w === 'torch.distributed.run' && words[i - 1] === '-m') return i + 1;
  }
  return -1;
}

/** The command line moved, or the same words when it runs no torchrun. */
export function moveTorchrun(words: readonly string[], move: TorchrunMove): string[] {
  const start = launcherEnd(words);
  if (start < 0) return [...words];
  const out = words.slice(0, start);
  let i = start;
  while (i < words.length) {
    const w = words[i] as string;
    if (!w.startsWith('-')) break; // the script: the rest is its own
    const eq = w.indexOf('=');
    const name = (eq < 0 ? w : w.slice(0, eq)).replace(/^--?/, '').replaceAll('_', '-');
    const takesValue = eq < 0 && !BOOLEAN.has(name);
    const value = eq >= 0 ? w.slice(eq + 1) : takesValue ? (words[i + 1] ?? '') : null;
    i += takesValue ? 2 : 1;
    if (!JOB_FLAGS.has(name)) {
      out.push(...(takesValue ? [w, value ?? ''] : [w]));
      continue;
    }
    if (move.kind === 'operator') continue;
    const flag = eq < 0 ? w : w.slice(0, eq);
    const set = (v: string): void => {
      out.push(...(eq < 0 ? [flag, v] : [`${flag}=${v}`]));
    };
    if (name === 'node-rank') set(move.nodeRank);
    else if (name === 'master-addr') set(move.master);
    else if (name === 'rdzv-endpoint') set(`${move.master}:${move.port}`);
    else if (value === null) out.push(w);
    else set(value);
  }
  out.push(...words.slice(i));
  return out;
}

/** Whether a command line runs torchrun. */
export const runsTorchrun = (words: readonly string[]): boolean => launcherEnd(words) >= 0;

/** A task's command line moved (see moveTorchrun): where torchrun is its entrypoint, the whole line
 * becomes the container's command (Kubernetes then runs no image CMD after it). */
export function moveTaskCommand(t: ExportTask, move: TorchrunMove): ExportTask {
  if (t.entrypoint && runsTorchrun(t.entrypoint))
    return { ...t, entrypoint: moveTorchrun([...t.entrypoint, ...(t.command ?? [])], move), command: null };
  if (t.command && runsTorchrun(t.command)) return { ...t, command: moveTorchrun(t.command, move) };
  return t;
}
