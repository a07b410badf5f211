// What watching costs while the nodes train: 50 sim nodes each printing a progress line every
// `stepS` seconds (what training nodes do: tfmon follows every running node's log for progress),
// watched with nothing, tfmon (default flags, 160x60) and docker stats in turn, alternating.
import { spawnSync } from 'node:child_process';
import { observerWindow, type ObserverWindow, type Watcher } from './observer.js';
import { profileWindow, type ProfileFigures } from './profile.js';
import { runSimNodes } from './sim-nodes.js';

export interface TrainingBench {
  nodes: number;
  stepS: number;
  windows: ObserverWindow[];
  /** One more tfmon window under the CPU profiler (where the time goes); null when not asked. */
  profile: ProfileFigures | null;
}

export async function trainingBench(
  image: string,
  prefix: string,
  label: string,
  nodes: number,
  stepS: number,
  seconds: number,
  progress: (line: string) => void,
  profiled = false,
): Promise<TrainingBench> {
  const net = `${prefix}-train`;
  spawnSync('docker', ['network', 'create', '--label', label, net], { stdio: 'ignore' });
  const names = Array.from({ length: nodes }, (_, i) => `${prefix}-train-worker-${i}`);
  try {
    progress(`training nodes: ${nodes} sim nodes printing a progress line every ${stepS} s`);
    await runSimNodes(image, names, net, label, stepS);
    const inspected = spawnSync('docker', ['inspect', '--format', '{{.Id}} {{.State.Pid}}', ...names], {
      encoding: 'utf8',
    });
    const running = inspected.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => ({ id: l.split(' ')[0]!, pid: Number(l.split(' ')[1]) }));
    const windows: ObserverWindow[] = [];
    const order: Watcher[] = ['nothing', 'tfmon', 'docker stats', 'docker stats', 'tfmon', 'nothing'];
    for (const watcher of order) {
      progress(`training nodes (a line every ${stepS} s): ${watcher} for ${seconds} s`);
      windows.push(await observerWindow(watcher, net, label, running, 20, seconds));
    }
    let profile: ProfileFigures | null = null;
    if (profiled) {
      progress(`training nodes (a line every ${stepS} s): tfmon under the CPU profiler for ${seconds} s`);
      profile = await profileWindow(net, label, 20, seconds);
    }
    return { nodes, stepS, windows, profile };
  } finally {
    spawnSync('docker', ['rm', '-f', ...names], { stdio: 'ignore' });
    spawnSync('docker', ['network', 'rm', net], { stdio: 'ignore' });
  }
}
