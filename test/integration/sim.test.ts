// The simulated TF node does what the tests and the demo rely on.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../source/engine/engine.js';
import { ensureSimImage } from '../../source/engine/sim-image.js';
import { cleanup, createNetwork, docker, own, requireEngine, runSim, simImage, sleep } from './harness.js';

const net = own('simnet');
let image = '';
const tfConfig = (type: string, index: number, port = 2222): string =>
  JSON.stringify({ cluster: { ps: [`${own('ps')}:${port}`], worker: [`${own('w0')}:2222`] }, task: { type, index } });

beforeAll(async () => {
  requireEngine();
  image = await simImage();
  createNetwork(net);
});
afterAll(() => cleanup());

/** A container's stdout and stderr, apart. */
const logsOf = (name: string): { stdout: string; stderr: string } => {
  const r = spawnSync('docker', ['logs', name], { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr };
};

/** Exit code of a TCP connect from one container to another, through Docker's DNS. */
const connect = (from: string, to: string, port: number): string =>
  docker('exec', from, 'sh', '-c', `echo | nc -w 2 "$1" "$2" >/dev/null 2>&1; echo $?`, 'sh', to, String(port));

describe('the sim image', () => {
  it('is built once: a second ensure finds it', async () => {
    const again = await ensureSimImage(new Engine());
    expect(again).toEqual({ ref: image, built: false });
    expect(docker('image', 'inspect', image, '--format', '{{index .Config.Labels "tfmon.sim"}}')).toBe('1');
  });

  it('listens on its task port from TF_CONFIG, resolvable by name; SIM_NO_LISTEN closes it', async () => {
    runSim(image, own('ps'), net, { env: { TF_CONFIG: tfConfig('ps', 0, 2345) } });
    runSim(image, own('w0'), net, { env: { TF_CONFIG: tfConfig('worker', 0), SIM_NO_LISTEN: '1' } });
    await sleep(800);
    expect(connect(own('w0'), own('ps'), 2345)).toBe('0');
    expect(connect(own('ps'), own('w0'), 2222)).not.toBe('0');
    const logs = docker('logs', own('w0'));
    expect(logs).toContain('task worker:0 starting, TF_CONFIG present');
  });

  it("prints TensorFlow's own progress lines: Estimator hooks by default, Keras on request; slows, stalls and waits when told", async () => {
    runSim(image, own('chatty'), net, { env: { SIM_STEP_S: '0.05' } });
    runSim(image, own('plain'), net, { env: { SIM_STEP_S: '0.05', SIM_FORMAT: 'plain' } });
    runSim(image, own('keras'), net, { env: { SIM_STEP_S: '0.1', SIM_FORMAT: 'keras', SIM_EPOCHS: '2' } });
    runSim(image, own('stall'), net, { env: { SIM_STEP_S: '0.05', SIM_STALL_AFTER: '2' } });
    runSim(image, own('wait'), net, { env: { SIM_WAIT_FOR: '/job:worker/replica:0/task:1', SIM_WAIT_S: '0.2' } });
    await sleep(2500);
    const chatty = logsOf(own('chatty'));
    // tf_logging writes to stderr.
    expect(chatty.stderr).toMatch(/^INFO:tensorflow:loss = 2\.5000, step = 0$/m);
    expect(chatty.stderr).toMatch(
      /^INFO:tensorflow:global_step\/sec: [\d.]+\nINFO:tensorflow:loss = \d+\.\d{6}, step = 100 \(0\.0\d\d sec\)$/m,
    );
    expect(chatty.stderr).toMatch(/W tfsim: step 2000: input pipeline stalled/);
    expect(logsOf(own('plain')).stdout).toMatch(/I tfsim: step \d+ loss \d+\.\d{4} examples\/sec \d+\.\d/);
    expect(logsOf(own('keras')).stdout).toMatch(
      /^Epoch 1\/2\n20\/20 - 0s - loss: [\d.]+ - accuracy: [\d.]+ - 0s\/epoch - 5ms\/step\nEpoch 2\/2\n/m,
    );
    expect(logsOf(own('stall')).stderr.match(/\(\d+\.\d+ sec\)/g)).toHaveLength(2);
    expect(logsOf(own('wait')).stderr).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000000: I tensorflow\/core\/distributed_runtime\/master\.cc:267\] CreateSession still waiting for response from worker: \/job:worker\/replica:0\/task:1$/m,
    );
  });

  it('exits with SIM_EXIT after SIM_EXIT_AFTER, with a traceback-like line', async () => {
    runSim(image, own('crash'), net, { env: { SIM_EXIT: '3', SIM_EXIT_AFTER: '0' } });
    await sleep(1000);
    expect(docker('inspect', own('crash'), '--format', '{{.State.Status}} {{.State.ExitCode}}')).toBe('exited 3');
    expect(logsOf(own('crash')).stderr).toContain('Traceback (most recent call last)');
  });

  it('holds SIM_ALLOC_MB of memory and burns CPU with SIM_BURN_CPU', async () => {
    runSim(image, own('hog'), net, { env: { SIM_ALLOC_MB: '64', SIM_BURN_CPU: '1' } });
    await sleep(2500);
    const [cpu = '', mem = ''] = docker(
      'stats',
      '--no-stream',
      '--format',
      '{{.CPUPerc}} {{.MemUsage}}',
      own('hog'),
    ).split(' ');
    expect(parseFloat(cpu)).toBeGreaterThan(50);
    expect(mem).toMatch(/MiB|GiB/);
    expect(parseFloat(mem)).toBeGreaterThanOrEqual(60);
  });
});
