// Docker contexts and a second engine: tfmon picks the engine as the docker CLI does.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../source/engine/engine.js';
import { ensureSimImage } from '../../source/engine/sim-image.js';
import { own, requireEngine, TEST_LABEL, tfmon } from './harness.js';
import { docker2, HOST, startSecondEngine, stopSecondEngine } from './second-engine.js';

const net = own('ctx');
const config = mkdtempSync(join(tmpdir(), 'tfmon-docker-config-'));

/** A docker context named `name` pointing at `host`, written as `docker context create` does. */
function writeContext(name: string, host: string): void {
  const dir = join(config, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
}

beforeAll(async () => {
  requireEngine();
  await startSecondEngine();
  const { ref } = await ensureSimImage(new Engine(HOST));
  docker2('network', 'create', '--label', TEST_LABEL, net);
  docker2('run', '-d', '--name', own('ctx-worker-0'), '--network', net, '--label', TEST_LABEL, ref);
  writeContext('second', HOST);
}, 60_000);

afterAll(async () => {
  try {
    const ids = docker2('ps', '-aq', '--filter', `label=${TEST_LABEL}`).split('\n').filter(Boolean);
    if (ids.length) docker2('rm', '-f', ...ids);
    docker2('network', 'rm', net);
  } finally {
    await stopSecondEngine();
  }
});

const names = (stdout: string): string[] => (JSON.parse(stdout) as { nodes: { name: string }[] }).nodes.map((n) => n.name);
const args = ['status', '--json', '--no-usage', '--no-probe', '--network', net, '--label', TEST_LABEL];

describe('choosing the engine', () => {
  it('--context names a context; its endpoint is used', async () => {
    const r = await tfmon([...args, '--context', 'second'], { DOCKER_CONFIG: config });
    expect(r.stderr).toBe('');
    expect(names(r.stdout)).toEqual([own('ctx-worker-0')]);
    expect((JSON.parse(r.stdout) as { engine: { host: string } }).engine.host).toBe(HOST);
  });

  it('the current context of config.json, and DOCKER_CONTEXT, are honoured; DOCKER_HOST wins over both', async () => {
    writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'second' }));
    expect(names((await tfmon(args, { DOCKER_CONFIG: config })).stdout)).toEqual([own('ctx-worker-0')]);
    writeFileSync(join(config, 'config.json'), JSON.stringify({}));
    expect(names((await tfmon(args, { DOCKER_CONFIG: config, DOCKER_CONTEXT: 'second' })).stdout)).toEqual([own('ctx-worker-0')]);
    // The first engine has no such network: DOCKER_HOST pointing at it wins, and says so.
    const first = await tfmon(args, { DOCKER_CONFIG: config, DOCKER_CONTEXT: 'second', DOCKER_HOST: 'unix:///var/run/docker.sock' });
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(new RegExp(`network "${net}" not found`));
  });

  it('an unknown context is one line and exit 1', async () => {
    const r = await tfmon([...args, '--context', 'nope'], { DOCKER_CONFIG: config });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tfmon: docker context "nope" not found .*\n$/);
  });
});
