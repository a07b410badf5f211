// Which engine: the docker CLI's rules, contexts included, on a fake ~/.docker.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveEndpoint, type Files } from '../../source/engine/endpoint.js';

const sha = (name: string): string => createHash('sha256').update(name).digest('hex');

/** A fake filesystem holding a docker config directory. */
function fakeFiles(entries: Record<string, string>): Files {
  return { exists: (p) => p in entries, read: (p) => Buffer.from(entries[p] ?? '') };
}
const meta = (name: string, host: string, skip = false) =>
  JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: skip } } });

const cfg = '/home/u/.docker';
const files = fakeFiles({
  [`${cfg}/config.json`]: JSON.stringify({ currentContext: 'second' }),
  [`${cfg}/contexts/meta/${sha('second')}/meta.json`]: meta('second', 'unix:///var/run/docker2.sock'),
  [`${cfg}/contexts/meta/${sha('prod')}/meta.json`]: meta('prod', 'tcp://gpu-box:2376'),
  [`${cfg}/contexts/tls/${sha('prod')}/docker/ca.pem`]: 'CA',
  [`${cfg}/contexts/tls/${sha('prod')}/docker/cert.pem`]: 'CERT',
  [`${cfg}/contexts/tls/${sha('prod')}/docker/key.pem`]: 'KEY',
  '/certs/ca.pem': 'ENVCA',
});
const env = { DOCKER_CONFIG: cfg };

describe('resolveEndpoint', () => {
  it('follows the CLI: --host, --context, DOCKER_HOST, DOCKER_CONTEXT, currentContext, default', () => {
    expect(resolveEndpoint({ host: '/tmp/d.sock' }, { ...env, DOCKER_HOST: 'tcp://h:2375' }, files)).toMatchObject({
      host: 'unix:///tmp/d.sock',
      source: '--host',
    });
    expect(resolveEndpoint({ context: 'prod' }, { ...env, DOCKER_HOST: 'tcp://h:2375' }, files)).toMatchObject({
      host: 'tcp://gpu-box:2376',
      source: 'context prod',
    });
    expect(resolveEndpoint({}, { ...env, DOCKER_HOST: 'tcp://h:2375', DOCKER_CONTEXT: 'prod' }, files)).toMatchObject({
      host: 'tcp://h:2375',
      source: 'DOCKER_HOST',
    });
    expect(resolveEndpoint({}, { ...env, DOCKER_CONTEXT: 'prod' }, files)).toMatchObject({
      host: 'tcp://gpu-box:2376',
    });
    expect(resolveEndpoint({}, env, files)).toMatchObject({
      host: 'unix:///var/run/docker2.sock',
      source: 'context second',
    });
    expect(resolveEndpoint({}, { DOCKER_CONFIG: '/nowhere' }, files)).toMatchObject({
      host: 'unix:///var/run/docker.sock',
      source: 'default',
    });
    expect(resolveEndpoint({ context: 'default' }, { ...env, DOCKER_HOST: 'tcp://h:2375' }, files).host).toBe(
      'tcp://h:2375',
    );
  });

  it("reads a context's TLS files; DOCKER_TLS_VERIFY and DOCKER_CERT_PATH for a tcp host", () => {
    const tls = resolveEndpoint({ context: 'prod' }, env, files).tls;
    expect([tls?.ca?.toString(), tls?.cert?.toString(), tls?.key?.toString(), tls?.verify]).toEqual([
      'CA',
      'CERT',
      'KEY',
      true,
    ]);
    expect(
      resolveEndpoint(
        { host: 'tcp://h:2376' },
        { ...env, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' },
        files,
      ).tls?.ca?.toString(),
    ).toBe('ENVCA');
    expect(resolveEndpoint({ host: 'tcp://h:2375' }, env, files).tls).toBeNull();
  });

  it('says in one line what is wrong', () => {
    expect(() => resolveEndpoint({ context: 'nope' }, env, files)).toThrow(
      /docker context "nope" not found .*docker context ls/,
    );
    expect(() => resolveEndpoint({ host: 'unix:///x', context: 'prod' }, env, files)).toThrow(
      '--host and --context name the engine twice: give one',
    );
  });
});
