// `tfmon export` on the real engine: a cluster made by `tfmon up` (limits, a published port) exported
// as Compose and brought up again by Debian's docker-compose 1.29 as a project of its own, then by
// `tfmon up --from`: tfmon's `status --json` of each says what it said of the original (names,
// roles, indexes, TF_CONFIG, ports, limits, problems; ids, IPs and times aside). The Kubernetes
// formats of the same cluster validate against their published schemas; a recording exports too.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from '../../bench/scrape.js';
import { schemaErrors } from '../helpers/schemas.js';
import {
  CLI,
  cleanup,
  docker,
  own,
  requireEngine,
  runId,
  simImage,
  sleep,
  TEST_LABEL,
  tfmon,
  waitUntil,
} from './harness.js';

const net = own('expnet');
const prefix = own('x');
const project = `tft${runId}proj`;
const dir = mkdtempSync(join(tmpdir(), 'tfmon-export-'));
const file = join(dir, 'cluster.yml');
const scope = ['--network', net, '--label', TEST_LABEL];
let hostPort = 0;

const compose = (...args: string[]) =>
  spawnSync('docker-compose', ['-p', project, '-f', file, ...args], { encoding: 'utf8', timeout: 120_000 });

beforeAll(async () => {
  requireEngine();
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status !== 0)
    throw new Error('docker-compose is missing: run the tests with `npm test` (scripts/engine.sh installs it)');
  await simImage();
  hostPort = await freePort();
  const up = await tfmon([
    'up',
    ...scope,
    '--prefix',
    prefix,
    '--ps',
    '1',
    '--workers',
    '2',
    '--cpus',
    '0.5',
    '--memory',
    '96m',
    '--publish',
    `${hostPort}:8888`,
  ]);
  expect(up.code, up.stderr).toBe(0);
}, 120_000);
afterAll(() => {
  if (existsSync(file)) compose('down', '--timeout', '1');
  cleanup();
  rmSync(dir, { recursive: true, force: true });
});

interface StatusNode {
  name: string;
  role: string;
  index: number | null;
  port: number | null;
  state: string;
  tfConfig: unknown;
  published: { hostPort: number; containerPort: number }[];
  limits: unknown;
}
/** What an exported cluster must have as the original had it. */
async function shape(): Promise<unknown> {
  const r = await tfmon(['status', '--json', '--no-usage', '--no-probe', ...scope]);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as { nodes: StatusNode[]; problems: { code: string; node: string | null }[] };
  return {
    nodes: doc.nodes
      .map((n) => ({
        name: n.name,
        role: n.role,
        index: n.index,
        port: n.port,
        state: n.state,
        tfConfig: n.tfConfig,
        published: [...new Set(n.published.map((p) => `${p.hostPort}:${p.containerPort}`))],
        limits: n.limits,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    problems: doc.problems.map((p) => [p.node, p.code]).sort(),
  };
}

describe('tfmon export on a live cluster', () => {
  let original: unknown;

  it('compose: written whole, bind mounts and the like said on stderr, valid Compose', async () => {
    original = await shape();
    expect((original as { nodes: unknown[] }).nodes).toHaveLength(3);
    const r = await tfmon(['export', 'compose', '-o', file, ...scope]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote .*cluster\.yml \(3 tasks, compose\)/);
    const doc = parse(readFileSync(file, 'utf8'), { version: '1.1' });
    expect(schemaErrors('compose', doc)).toEqual([]);
    expect(Object.keys(doc.services).sort()).toEqual([`${prefix}-ps-0`, `${prefix}-worker-0`, `${prefix}-worker-1`]);
    expect(doc.services[`${prefix}-worker-1`].ports).toEqual([`${hostPort + 1}:8888`]);
    // An existing file is not replaced without --yes.
    const again = await tfmon(['export', 'compose', '-o', file, ...scope]);
    expect([again.code, again.stderr.trim()]).toEqual([
      2,
      `tfmon: ${file} exists: give --yes to replace it, or another -o`,
    ]);
  }, 60_000);

  it('the Kubernetes formats of the same cluster validate against their CRDs', async () => {
    for (const format of ['tfjob', 'jobset', 'trainjob'] as const) {
      const r = await tfmon(['export', format, ...scope]);
      expect(r.code, r.stderr).toBe(0);
      expect(schemaErrors(format, parse(r.stdout, { version: '1.1' }))).toEqual([]);
      // The published port is said once, as what a pod cannot carry.
      expect(r.stderr).toContain(
        `tfmon: export ${format}: ${prefix}-worker-0: published port ${hostPort} → 8888 not carried`,
      );
    }
    const torch = await tfmon(['export', 'pytorchjob', ...scope]);
    expect([torch.code, torch.stderr.trim()]).toEqual([
      1,
      'tfmon: pytorchjob carries a PyTorch job; this cluster has none (its tasks: tensorflow)',
    ]);
  }, 60_000);

  it('from a recording: the cluster as recorded, and one line saying the environment is not all there', async () => {
    const rec = join(dir, 'short.tfrec');
    const child = spawn(process.execPath, [CLI, 'record', '-o', rec, '--no-probe', ...scope], { stdio: 'ignore' });
    await waitUntil(() => existsSync(rec) && readFileSync(rec).length > 2000, 20_000);
    await sleep(1500);
    child.kill('SIGINT');
    await new Promise((r) => child.on('close', r));
    const r = await tfmon(['export', 'compose', '--at', '-1s', rec]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      "tfmon: export compose: a recording keeps no environment beyond TF_CONFIG and the job's variables",
    );
    const doc = parse(r.stdout, { version: '1.1' });
    const live = parse(readFileSync(file, 'utf8'), { version: '1.1' });
    expect(Object.keys(doc.services)).toEqual(Object.keys(live.services));
    for (const [name, s] of Object.entries(
      doc.services as Record<string, { environment: Record<string, string>; deploy: unknown }>,
    )) {
      expect(s['environment']['TF_CONFIG']).toBe(live.services[name].environment.TF_CONFIG);
      expect(s['deploy']).toEqual(live.services[name].deploy);
    }
  }, 60_000);

  it("docker-compose brings the file up as a new project: tfmon's status of it is the original's", async () => {
    const down = await tfmon(['down', '--yes', ...scope]);
    expect(down.code, down.stderr).toBe(0);
    await waitUntil(() => docker('ps', '-aq', '--filter', `label=${TEST_LABEL}`) === '', 30_000);
    const up = compose('up', '-d');
    expect(up.status, up.stderr).toBe(0);
    // Compose made them: its project label is on every container.
    const labels = docker(
      'ps',
      '-a',
      '--filter',
      `label=${TEST_LABEL}`,
      '--format',
      '{{.Label "com.docker.compose.project"}}',
    );
    expect(labels.split('\n')).toEqual([project, project, project]);
    expect(await shape()).toEqual(original);
    const gone = compose('down', '--timeout', '1');
    expect(gone.status, gone.stderr).toBe(0);
  }, 180_000);

  it('tfmon up --from the same file: the same cluster again', async () => {
    const r = await tfmon(['up', '--from', file, '--label', TEST_LABEL]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`cluster ${net} is up: 3 started`);
    expect(await shape()).toEqual(original);
  }, 120_000);

  it('up --from: a file it cannot read, or that is not Compose, is one line and exit 2', async () => {
    const missing = await tfmon(['up', '--from', join(dir, 'none.yml')]);
    expect([missing.code, missing.stderr.trim()]).toEqual([
      2,
      `tfmon: cannot read ${join(dir, 'none.yml')}: no such file`,
    ]);
    const other = join(dir, 'other.yml');
    writeFileSync(other, 'hello: [1, 2\n');
    const bad = await tfmon(['up', '--from', other]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^tfmon: .*other\.yml: not YAML: .*\n$/);
    const none = await tfmon(['export']);
    expect([none.code, none.stderr.trim()]).toEqual([
      2,
      'tfmon: export needs a format: tfmon export compose|tfjob|pytorchjob|jobset|trainjob [-o FILE]',
    ]);
  }, 60_000);
});
