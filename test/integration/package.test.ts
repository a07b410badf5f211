// The package a user installs: npm pack holds only what runs, and the tarball installed into a
// prefix of its own gives a tfmon that works against the engine.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, createNetwork, own, requireEngine, ROOT, runSim, simImage, TEST_LABEL } from './harness.js';

const work = mkdtempSync(join(tmpdir(), 'tfmon-pack-'));
const prefix = join(work, 'prefix');
const net = own('pkg');
let tarball = '';
const bin = (): string => join(prefix, 'bin', 'tfmon');

beforeAll(async () => {
  requireEngine();
  createNetwork(net);
  runSim(await simImage(), own('pkg-worker-0'), net);
  // --ignore-scripts: the build is there already (npm test built it); pack must not run tsc again.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--json'], { cwd: ROOT, encoding: 'utf8' });
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info!.filename);
  // From npm's cache when it holds the dependencies (after npm ci); from the registry otherwise.
  const r = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm install -g of the tarball failed: ${r.stderr.slice(-800)}`);
}, 240_000);
afterAll(() => cleanup());

describe('the packed tarball', () => {
  it('holds only what runs: the build, the sim recipe, README, LICENSE', () => {
    const out = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(out).toContain('package/dist/cli.js');
    expect(out).toContain('package/sim/tfsim.sh');
    expect(out).toContain('package/LICENSE');
    expect(out).toContain('package/README.md');
    expect(out.filter((f) => /\/(test|bench|source)\/|\.tsx?$|tsconfig|vitest/.test(f.replace(/^package\/dist\/source\//, 'package/dist/')))).toEqual([]);
  });

  it('installs into a prefix; tfmon --version, --help and status --json work from there', () => {
    expect(readdirSync(join(prefix, 'bin'))).toContain('tfmon');
    const version = spawnSync(bin(), ['--version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).toBe('0.1.0');
    const help = spawnSync(bin(), ['--help'], { encoding: 'utf8' });
    expect(help.stdout).toContain('Usage');
    expect(help.stdout).toContain('tf-config');
    const status = spawnSync(bin(), ['status', '--json', '--no-usage', '--network', net, '--label', TEST_LABEL], { encoding: 'utf8' });
    expect(status.stderr).toBe('');
    expect((JSON.parse(status.stdout) as { nodes: { name: string }[] }).nodes.map((n) => n.name)).toEqual([own('pkg-worker-0')]);
  });
});
