import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeEvent, type EngineEvent, LineSplitter } from '../../source/engine/events.js';
import { describeConnectError, engineMessage } from '../../source/engine/errors.js';
import { isStaticElf } from '../../source/engine/sim-image.js';
import { tarArchive } from '../../source/engine/tar.js';
import { resolveEndpoint } from '../../source/engine/endpoint.js';

const recorded = readFileSync(new URL('../fixtures/events-up.ndjson', import.meta.url), 'utf8');

describe('events', () => {
  it('decodes the recorded events of `tfmon up`, dropping exec noise', () => {
    const events = recorded
      .split('\n')
      .filter(Boolean)
      .map(decodeEvent)
      .filter((e): e is EngineEvent => e !== null && e.type !== 'node');
    const kinds = events.map((e) => `${e.type}:${e.action}`);
    expect(kinds.filter((k) => k === 'container:create')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'network:connect')).toHaveLength(3);
    expect(kinds.some((k) => k.includes('exec_'))).toBe(false);
    const connect = events.find((e) => e.type === 'network');
    expect(connect?.networkName).toBe('tf-network');
    expect(connect?.containerId).toMatch(/^[0-9a-f]{64}$/);
  });

  it("decodes a manager's node events: a host going down and coming back", () => {
    const lines = readFileSync(new URL('../fixtures/events-node-partition.ndjson', import.meta.url), 'utf8');
    expect(lines.split('\n').filter(Boolean).map(decodeEvent)).toEqual([
      { type: 'node', nodeId: 'l9o4r411nybbhw4jcj6wfuuto', name: 'tfmon-host-b', state: 'down', time: 1796467036 },
      { type: 'node', nodeId: 'l9o4r411nybbhw4jcj6wfuuto', name: 'tfmon-host-b', state: 'ready', time: 1796467054 },
    ]);
  });

  it('splits NDJSON across arbitrary chunk boundaries', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter();
    for (let i = 0; i < recorded.length; i += 7) splitter.push(recorded.slice(i, i + 7), (l) => lines.push(l));
    expect(lines).toEqual(recorded.split('\n').filter(Boolean));
  });

  it('ignores garbage lines', () => expect(decodeEvent('{not json')).toBe(null));
});

describe('connect errors are one actionable line', () => {
  const host = 'unix:///var/run/docker.sock';
  it.each([
    ['ENOENT', /does not exist. Start dockerd/],
    ['EACCES', /permission denied .* docker group/],
    ['ECONNREFUSED', /refuses connections/],
  ])('%s', (code, message) => {
    const line = describeConnectError(Object.assign(new Error('x'), { code }), host);
    expect(line).toMatch(message);
    expect(line).not.toContain('\n');
  });
  it('tcp refused names DOCKER_HOST', () =>
    expect(describeConnectError({ code: 'ECONNREFUSED' }, 'tcp://127.0.0.1:1')).toMatch(/DOCKER_HOST/));
  it('engine messages lose the HTTP prefix', () =>
    expect(
      engineMessage({
        message: '(HTTP code 404) no such container - No such container: x',
        json: { message: 'No such container: x' },
      }),
    ).toBe('No such container: x'));
  it('resolves hosts like the docker CLI', () => {
    const none = { DOCKER_CONFIG: '/nonexistent-docker-config' };
    expect(resolveEndpoint({}, none).host).toBe('unix:///var/run/docker.sock');
    expect(resolveEndpoint({}, { ...none, DOCKER_HOST: 'tcp://h:2375' }).host).toBe('tcp://h:2375');
    expect(resolveEndpoint({ host: '/tmp/d.sock' }, { ...none, DOCKER_HOST: 'tcp://h:2375' }).host).toBe(
      'unix:///tmp/d.sock',
    );
  });
});

describe('sim image pieces', () => {
  it('writes a tar whose headers checksum', () => {
    const tar = tarArchive([
      { type: 'dir', path: 'bin' },
      { type: 'file', path: 'bin/x', data: Buffer.from('hi') },
      { type: 'symlink', path: 'bin/sh', target: 'busybox' },
    ]);
    expect(tar.length % 512).toBe(0);
    for (const at of [0, 512, 1536]) {
      const h = Buffer.from(tar.subarray(at, at + 512));
      const stored = parseInt(h.subarray(148, 154).toString('ascii'), 8);
      h.fill(0x20, 148, 156);
      expect(h.reduce((a, b) => a + b, 0)).toBe(stored);
    }
    expect(tar.subarray(1024, 1026).toString()).toBe('hi');
  });
  it('tells static from dynamic executables', () => {
    expect(isStaticElf(readFileSync(process.execPath))).toBe(false);
    expect(isStaticElf(Buffer.from('#!/bin/sh\n'))).toBe(false);
  });
});
