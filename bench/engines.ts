// The beyond-one-host bench: status --json of a 1 ps + 4 worker swarm cluster (services on a
// single-node swarm of a second engine), and of one cluster over two engines with 5 nodes each.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Engine } from '../source/engine/engine.js';
import { ensureSimImage } from '../source/engine/sim-image.js';
import { docker2, HOST, startSecondEngine, stopSecondEngine } from './second-engine.js';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

function timed(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tfmon ${args.join(' ')}: ${r.stderr.trim()}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export interface EngineFigures {
  swarmMs: number[];
  twoEnginesMs: number[];
}

export async function enginesBench(prefix: string, labelKV: string, runs: number): Promise<EngineFigures> {
  await startSecondEngine();
  const swarmNet = `${prefix}-swarm`;
  const multiNet = `${prefix}-multi`;
  try {
    const { ref } = await ensureSimImage(new Engine(HOST));
    await ensureSimImage(new Engine());
    try {
      docker2('swarm', 'leave', '--force');
    } catch {
      // not in a swarm
    }
    docker2('swarm', 'init', '--advertise-addr', '127.0.0.1');
    spawnSync(
      process.execPath,
      [
        CLI,
        'up',
        '--swarm',
        '-H',
        HOST,
        '--network',
        swarmNet,
        '--label',
        labelKV,
        '--prefix',
        `${prefix}s`,
        '--workers',
        '4',
      ],
      { stdio: 'ignore' },
    );
    // Both engines hold 5 nodes of one cluster on a network of the same name.
    spawnSync(
      process.execPath,
      [CLI, 'up', '--network', multiNet, '--label', labelKV, '--prefix', `${prefix}m`, '--workers', '4'],
      { stdio: 'ignore' },
    );
    docker2('network', 'create', '--label', labelKV, multiNet);
    for (let i = 0; i < 5; i++)
      docker2(
        'run',
        '-d',
        '--name',
        `${prefix}m-worker-${10 + i}`,
        '--network',
        multiNet,
        '--label',
        labelKV,
        '--env',
        'SIM_STEP_S=30',
        ref,
      );
    for (
      let wait = 0;
      wait < 50 && docker2('ps', '-q', '--filter', `label=${labelKV}`).split('\n').filter(Boolean).length < 10;
      wait++
    )
      await new Promise((r) => setTimeout(r, 200));
    const swarmMs: number[] = [];
    const twoEnginesMs: number[] = [];
    const fast = ['--json', '--no-usage', '--no-probe', '--label', labelKV];
    for (let i = 0; i < runs; i++) {
      swarmMs.push(timed(['status', ...fast, '-H', HOST, '--network', swarmNet]));
      twoEnginesMs.push(
        timed(['status', ...fast, '-H', 'unix:///var/run/docker.sock', '-H', HOST, '--network', multiNet]),
      );
    }
    return { swarmMs, twoEnginesMs };
  } finally {
    spawnSync(process.execPath, [CLI, 'down', '--yes', '-H', HOST, '--network', swarmNet, '--label', labelKV], {
      stdio: 'ignore',
    });
    spawnSync(process.execPath, [CLI, 'down', '--yes', '--network', multiNet, '--label', labelKV], { stdio: 'ignore' });
    try {
      const ids = docker2('ps', '-aq', '--filter', `label=${labelKV}`).split('\n').filter(Boolean);
      if (ids.length) docker2('rm', '-f', ...ids);
      docker2('network', 'rm', multiNet);
      docker2('swarm', 'leave', '--force');
    } catch {
      // best effort: the engine is ours and stops next
    }
    await stopSecondEngine();
  }
}
