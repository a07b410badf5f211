// The package a user installs: npm pack holds only what runs, and the tarball installed into a
// prefix of its own gives a tfmon that works against the engine.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPackedTarball, type Installed } from '../helpers/installed.js';
import { cleanup, createNetwork, own, requireEngine, ROOT, runSim, simImage, TEST_LABEL } from './harness.js';

const net = own('pkg');
let installed: Installed | null = null;
const bin = (): string => installed!.bin;

beforeAll(async () => {
  requireEngine();
  createNetwork(net);
  runSim(await simImage(), own('pkg-worker-0'), net);
  installed = installPackedTarball(ROOT);
}, 240_000);
afterAll(() => {
  cleanup();
  installed?.remove();
});

describe('the packed tarball', () => {
  it('holds only what runs: the build, the sim recipe, README, LICENSE', () => {
    const out = execFileSync('tar', ['-tzf', installed!.tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(out).toContain('package/dist/cli.js');
    expect(out).toContain('package/sim/tfsim.sh');
    expect(out).toContain('package/LICENSE');
    expect(out).toContain('package/README.md');
    expect(
      out.filter((f) =>
        /\/(test|bench|source)\/|\.tsx?$|tsconfig|vitest/.test(f.replace(/^package\/dist\/source\//, 'package/dist/')),
      ),
    ).toEqual([]);
  });

  it('installs into a prefix; tfmon --version, --help and status --json work from there', () => {
    expect(readdirSync(dirname(bin()))).toContain('tfmon');
    const version = spawnSync(bin(), ['--version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).toBe('0.1.0');
    const help = spawnSync(bin(), ['--help'], { encoding: 'utf8' });
    expect(help.stdout).toContain('Usage');
    expect(help.stdout).toContain('tf-config');
    const status = spawnSync(bin(), ['status', '--json', '--no-usage', '--network', net, '--label', TEST_LABEL], {
      encoding: 'utf8',
    });
    expect(status.stderr).toBe('');
    expect((JSON.parse(status.stdout) as { nodes: { name: string }[] }).nodes.map((n) => n.name)).toEqual([
      own('pkg-worker-0'),
    ]);
  });
});
