// tfmon on every live LTS line of Node.js, and one clear line on an older one. Each line's binary
// comes from the npm registry's `node` package (as scripts/node.sh brings one), cached in
// .node-lines/ of the checkout, so a second run downloads nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tfmonInPty } from '../helpers/pty.js';
import { CLI, cleanup, createNetwork, own, requireEngine, ROOT, runSim, simImage, TEST_LABEL } from './harness.js';

/** The newest of each line at the time of writing; 26 is also what scripts/node.sh brings. */
const LINES: Record<string, string> = { '20': '20.20.2', '22': '22.23.3', '24': '24.21.0', '26': '26.10.0' };
const net = own('rt');
const common = ['--network', net, '--label', TEST_LABEL];

function nodeBinary(version: string): string {
  const dir = join(ROOT, '.node-lines', version);
  const bin = join(dir, 'node_modules', '.bin', 'node');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
    const r = spawnSync(
      'npm',
      ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `node@${version}`],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`npm install node@${version} failed: ${r.stderr.slice(-500)}`);
  }
  const v = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (v !== `v${version}`) throw new Error(`${bin} says ${v}, not v${version}`);
  return bin;
}

beforeAll(async () => {
  requireEngine();
  const image = await simImage();
  createNetwork(net);
  runSim(image, own('rt-ps-0'), net);
  runSim(image, own('rt-worker-0'), net);
}, 120_000);
afterAll(() => cleanup());

describe('Node.js runtimes', () => {
  it('on Node 20 (past its end of life): one line naming what is needed and what was found, exit 2', () => {
    const node = nodeBinary(LINES['20']!);
    const r = spawnSync(node, [CLI, 'status', ...common], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      `tfmon: needs Node.js 22 or newer; this is Node.js ${LINES['20']} (${node.replace(/\.bin\/node$/, 'node/bin/node')})`,
    ]);
  }, 120_000);

  it.each(['22', '24', '26'])(
    'on Node %s: status --json with default flags (usage, probing), and the live screen',
    async (line) => {
      const node = nodeBinary(LINES[line]!);
      const r = spawnSync(node, [CLI, 'status', '--json', ...common], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const status = JSON.parse(r.stdout) as {
        nodes: { name: string; memBytes: number | null }[];
        reachability: { dns: string; tcp: string }[];
      };
      expect(status.nodes.map((n) => n.name).sort()).toEqual([own('rt-ps-0'), own('rt-worker-0')]);
      expect(status.nodes.every((n) => (n.memBytes ?? 0) > 0)).toBe(true);
      expect(status.reachability.length).toBeGreaterThan(0);
      expect(status.reachability.every((p) => p.dns === 'ok')).toBe(true);

      const binDir = node.slice(0, node.lastIndexOf('/'));
      const pty = tfmonInPty(common, { columns: 100, rows: 30 }, { PATH: `${binDir}:${process.env['PATH'] ?? ''}` });
      await pty.waitFor('2 nodes');
      pty.child.stdin.write('q');
      expect(await pty.exited).toBe(0);
    },
    120_000,
  );
});
