// The probe script inside real containers: busybox sim nodes on a network of the test's own.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProbeOutput, PROBE_SCRIPT, probeInput } from '../../source/cluster/probe.js';
import { cleanup, createNetwork, docker, own, requireEngine, runSim, simImage, sleep } from './harness.js';

const net = own('probe');

beforeAll(async () => {
  requireEngine();
  const image = await simImage();
  createNetwork(net);
  runSim(image, own('pr-ps-0'), net);
  runSim(image, own('pr-worker-0'), net);
  runSim(image, own('pr-worker-1'), net, { env: { SIM_NO_LISTEN: '1' } });
  await sleep(800);
});
afterAll(() => cleanup());

function round(from: string, targets: { host: string; port: number }[]) {
  const r = spawnSync('docker', ['exec', '-i', from, 'sh', '-c', PROBE_SCRIPT], {
    input: probeInput(targets, 1),
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return parseProbeOutput(r.stdout, 1);
}

describe('the probe in a busybox node', () => {
  it('resolves peers through Docker’s DNS to their address on the network and connects', () => {
    const { results, complete } = round(own('pr-worker-0'), [{ host: own('pr-ps-0'), port: 2222 }]);
    expect(complete).toBe(true);
    const ip = docker(
      'inspect',
      own('pr-ps-0'),
      '--format',
      `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`,
    );
    expect(results).toEqual([expect.objectContaining({ dns: 'ok', ip, tcp: 'ok' })]);
  });

  it('gives resolves-but-refused for a node with no listener, NXDOMAIN for a missing host', () => {
    const { results } = round(own('pr-ps-0'), [
      { host: own('pr-worker-1'), port: 2222 },
      { host: own('missing-worker-9'), port: 2222 },
    ]);
    expect(results.map((r) => [r.dns, r.tcp])).toEqual([
      ['ok', 'refused'],
      ['nxdomain', 'skipped'],
    ]);
  });

  it('never runs what a name says: a hostile name is refused, not executed', () => {
    const { results } = round(own('pr-ps-0'), [
      { host: '$(touch /tmp/pwned)', port: 1 },
      { host: '-rf', port: 1 },
    ]);
    expect(results.map((r) => [r.host, r.tools])).toEqual([
      ['?', 'refused-name'],
      ['?', 'refused-name'],
    ]);
    expect(spawnSync('docker', ['exec', own('pr-ps-0'), 'test', '-e', '/tmp/pwned']).status).not.toBe(0);
  });
});
