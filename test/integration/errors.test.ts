// Bad input and unreachable engines: one clear line on stderr, a non-zero exit, never a stack trace.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPackedTarball, type Installed } from '../helpers/installed.js';
import { own, requireEngine, ROOT, tfmon } from './harness.js';

beforeAll(() => requireEngine());

function expectOneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack frames
  return lines[0] ?? '';
}

describe('errors', () => {
  it('network not found lists the networks that exist and suggests --network', async () => {
    const r = await tfmon(['status', '--network', own('missing')]);
    expect(r.code).toBe(1);
    const line = expectOneLine(r.stderr);
    expect(line).toMatch(
      new RegExp(
        `^tfmon: network "${own('missing')}" not found; networks on this engine: .*bridge.*Use --network NAME`,
      ),
    );
  });

  it('a missing socket says to start dockerd or set DOCKER_HOST', async () => {
    const r = await tfmon(['status'], { DOCKER_HOST: `unix:///tmp/${own('nosock')}.sock` });
    expect(r.code).toBe(1);
    expect(expectOneLine(r.stderr)).toMatch(/no Docker engine at unix:\/\/\/tmp\/.*does not exist\. Start dockerd/);
  });

  it('a DOCKER_HOST that refuses says so', async () => {
    const r = await tfmon(['status', '--json'], { DOCKER_HOST: 'tcp://127.0.0.1:1' });
    expect(r.code).toBe(1);
    expect(expectOneLine(r.stderr)).toMatch(/refused the connection: is it running, and is DOCKER_HOST right\?/);
    expect(r.stdout).toBe('');
  });

  describe('as a user outside the docker group', () => {
    // nobody runs tfmon as installed from the packed tarball: the checkout itself may sit in a
    // folder only its owner can enter (/root, a mode-700 home), which is not what this tests.
    let installed: Installed | null = null;
    beforeAll(() => {
      if (process.getuid?.() !== 0) {
        throw new Error('this test drops to user nobody and so must run as root (CI does)');
      }
      installed = installPackedTarball(ROOT);
    }, 240_000);
    afterAll(() => installed?.remove());

    it('permission denied on the socket gives the docker-group hint', () => {
      const r = spawnSync(
        'setpriv',
        ['--reuid=nobody', '--regid=nogroup', '--clear-groups', installed!.node, installed!.cli, 'status'],
        { encoding: 'utf8', cwd: '/' },
      );
      expect(r.status).toBe(1);
      expect(expectOneLine(r.stderr)).toMatch(
        /permission denied on \/var\/run\/docker\.sock: add your user to the docker group/,
      );
    });
  });

  it.each([
    [['up', '--workers', 'two'], /^tfmon: --workers must be a whole number from 1 to 64, got "two"$/],
    [['up', '--memory', 'lots', '--dry-run'], /^tfmon: --memory must look like 512m or 8g/],
    [['up', '--command', 'python train.py', '--dry-run'], /^tfmon: --command must be a JSON array/],
    [['status', '--network', 'bad/name'], /^tfmon: --network "bad\/name" is not a valid Docker name$/],
    [['frobnicate'], /^tfmon: unknown command "frobnicate"/],
  ])('bad input %j exits 2 with one line', async (args, message) => {
    const r = await tfmon(args);
    expect(r.code).toBe(2);
    expect(expectOneLine(r.stderr)).toMatch(message);
  });

  it('an unknown flag exits 2 naming it', async () => {
    const r = await tfmon(['status', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown flag');
    expect(r.stderr).toContain('--frobnicate');
  });

  it('--help and --version', async () => {
    const help = await tfmon(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage');
    expect(help.stdout).toContain('--network NAME');
    const version = await tfmon(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('up --dry-run prints the plan and creates nothing', async () => {
    const r = await tfmon([
      'up',
      '--dry-run',
      '--network',
      own('dry'),
      '--image',
      'tensorflow/tensorflow:2.9.0',
      '--chief',
      '--gpus',
      'all',
    ]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { containers: { name: string; command: string[] | null; gpus: unknown }[] };
    expect(plan.containers.map((c) => c.name)).toEqual(['tf-chief', 'tf-ps-0', 'tf-worker-0', 'tf-worker-1']);
    expect(plan.containers[1]?.command?.[0]).toBe('python3');
    expect(plan.containers[0]?.command).toBe(null);
    expect(plan.containers[0]?.gpus).toEqual({ count: -1, deviceIds: null });
    const check = await tfmon(['status', '--network', own('dry')]);
    expect(check.code).toBe(1);
  });
});
