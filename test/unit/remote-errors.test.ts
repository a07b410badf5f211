// What ssh and TLS failures become: one line naming the host and what to do. The ssh lines are as
// OpenSSH 9.2 printed them here (stderr of `ssh -o BatchMode=yes …`); the TLS codes as Node 26 sets them.
import { describe, expect, it } from 'vitest';
import { parseSshHost, sshFailure } from '../../source/engine/ssh-tunnel.js';
import { describeConnectError } from '../../source/engine/errors.js';

const url = 'ssh://root@127.0.0.1:2222';
const target = parseSshHost(url)!;

describe('ssh:// hosts', () => {
  it('parses user, host and port, brackets for IPv6, and nothing else', () => {
    expect(parseSshHost('ssh://gpu-box')).toEqual({ user: null, host: 'gpu-box', port: null });
    expect(parseSshHost('ssh://me@gpu-box:2200/')).toEqual({ user: 'me', host: 'gpu-box', port: 2200 });
    expect(parseSshHost('ssh://me@[::1]:22')).toEqual({ user: 'me', host: '::1', port: 22 });
    expect(parseSshHost('tcp://gpu-box:2376')).toBeNull();
    expect(parseSshHost('ssh://gpu-box/path')).toBeNull();
  });

  it('names what failed and what to do', () => {
    expect(sshFailure(url, 'Host key verification failed.\r\n', target)).toBe(
      `${url}: Host key verification failed: its host key is unknown or has changed; check it and accept it by connecting once (ssh -p 2222 root@127.0.0.1)`,
    );
    expect(
      sshFailure(
        url,
        "Warning: Permanently added '[127.0.0.1]:2222' (ED25519) to the list of known hosts.\r\nroot@127.0.0.1: Permission denied (publickey).\r\n",
        target,
      ),
    ).toBe(
      `${url}: root@127.0.0.1: Permission denied (publickey): no key it accepts; load one into ssh-agent or name it with IdentityFile in ~/.ssh/config (tfmon never asks for a password)`,
    );
    expect(sshFailure(url, 'ssh: connect to host 127.0.0.1 port 2222: Connection refused\r\n', target)).toBe(
      `${url}: ssh: connect to host 127.0.0.1 port 2222: Connection refused: nothing listens for SSH there`,
    );
    expect(
      sshFailure(
        'ssh://gpu-box',
        'ssh: Could not resolve hostname gpu-box: Name or service not known\r\n',
        parseSshHost('ssh://gpu-box')!,
      ),
    ).toBe('ssh://gpu-box: ssh: Could not resolve hostname gpu-box: Name or service not known');
  });

  it('an SSH failure passes through the engine layer as it is', () => {
    const e = Object.assign(new Error(`${url}: Host key verification failed: …`), { code: 'ESSH' });
    expect(describeConnectError(e, url)).toBe(e.message);
  });
});

describe('TLS failures', () => {
  const host = 'tcp://10.0.0.5:2376';
  const err = (code: string) => Object.assign(new Error('x'), { code });

  it('the engine not signed by the given CA, expired, for another name', () => {
    expect(describeConnectError(err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), host)).toMatch(
      /^the Docker engine at tcp:\/\/10\.0\.0\.5:2376 shows a certificate that tfmon's ca\.pem did not sign/,
    );
    expect(describeConnectError(err('SELF_SIGNED_CERT_IN_CHAIN'), host)).toMatch(/did not sign/);
    expect(describeConnectError(err('CERT_HAS_EXPIRED'), host)).toBe(
      `the Docker engine at ${host} shows an expired certificate: renew the engine's server certificate`,
    );
    expect(describeConnectError(err('ERR_TLS_CERT_ALTNAME_INVALID'), host)).toMatch(/made for another name/);
  });

  it("the engine refusing tfmon's client certificate (OpenSSL 3 and 1.1 codes)", () => {
    expect(describeConnectError(err('ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE'), host)).toMatch(
      /^the Docker engine at .* refused tfmon's client certificate \(bad certificate\): the certificates come from DOCKER_CERT_PATH/,
    );
    expect(describeConnectError(err('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), host)).toMatch(
      /\(certificate required\)/,
    );
  });
});
