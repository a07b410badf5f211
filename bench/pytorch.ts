// What watching a real PyTorch job costs: a 16-rank CPU-bound DDP job (Debian's torch 1.13, gloo,
// one rank per container) watched in turn by nothing, tfmon with its default flags, and docker stats,
// each window twice (alternating, so drift does not favour one side). The job's own step rate is read
// from rank 0's epoch bars in the window: what tfmon takes from the training it watches.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { observerWindow, type ObserverWindow, type Watcher } from './observer.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/torch-image.sh', import.meta.url));
const STEPS_PER_EPOCH = 5;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8' }).trim();

export interface PytorchWindow {
  window: ObserverWindow;
  /** The job's steps per second in the window (rank 0's finished epochs × steps per epoch). */
  stepsPerSecond: number;
}

/** Steps the job finished between two moments: rank 0's epoch bars that ended then ("100%|"). */
function stepsBetween(container: string, from: Date, to: Date): number {
  const r = spawnSync('docker', ['logs', '--since', from.toISOString(), '--until', to.toISOString(), container], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return `${r.stdout}${r.stderr}`.split('\n').filter((l) => /100%\|/.test(l)).length * STEPS_PER_EPOCH;
}

export async function pytorchBench(
  prefix: string,
  label: string,
  ranks: number,
  seconds: number,
  progress: (line: string) => void,
): Promise<{ image: string; ranks: number; windows: PytorchWindow[] }> {
  const image = execFileSync('bash', [SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const net = `${prefix}-pt`;
  const name = (r: number): string => `${prefix}-rank-${r}`;
  docker('network', 'create', '--label', label, net);
  try {
    for (let r = 0; r < ranks; r++) {
      docker(
        'run',
        '-d',
        '--name',
        name(r),
        '--network',
        net,
        '--label',
        label,
        '--env',
        `RANK=${r}`,
        '--env',
        `WORLD_SIZE=${ranks}`,
        '--env',
        `MASTER_ADDR=${name(0)}`,
        '--env',
        'MASTER_PORT=29500',
        '--env',
        `TRAIN_STEPS_PER_EPOCH=${STEPS_PER_EPOCH}`,
        '--env',
        'TRAIN_WIDTH=512',
        image,
      );
    }
    // Training, not starting: rank 0 has finished a few epochs.
    const start = new Date();
    for (let i = 0; i < 180 && stepsBetween(name(0), start, new Date()) < 3 * STEPS_PER_EPOCH; i++) await sleep(1000);
    const nodes = docker(
      'inspect',
      '--format',
      '{{.Id}} {{.State.Pid}}',
      ...Array.from({ length: ranks }, (_, r) => name(r)),
    )
      .split('\n')
      .map((l) => ({ id: l.split(' ')[0]!, pid: Number(l.split(' ')[1]) }));
    const windows: PytorchWindow[] = [];
    for (const watcher of ['nothing', 'tfmon', 'docker stats', 'docker stats', 'tfmon', 'nothing'] as Watcher[]) {
      progress(`pytorch: ${ranks} ranks, ${watcher} for ${seconds} s`);
      const warmup = 5;
      const t0 = new Date(Date.now() + warmup * 1000);
      const window = await observerWindow(watcher, net, label, nodes, warmup, seconds);
      const t1 = new Date();
      windows.push({ window, stepsPerSecond: stepsBetween(name(0), t0, t1) / ((t1.getTime() - t0.getTime()) / 1000) });
    }
    return { image, ranks, windows };
  } finally {
    const left = docker('ps', '-aq', '--filter', `label=${label}`, '--filter', `network=${net}`)
      .split('\n')
      .filter(Boolean);
    if (left.length) spawnSync('docker', ['rm', '-f', ...left], { stdio: 'ignore' });
    spawnSync('docker', ['network', 'rm', net], { stdio: 'ignore' });
  }
}
