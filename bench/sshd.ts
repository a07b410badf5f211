// A real OpenSSH server on loopback for the tests and the bench of ssh:// engines: keys made for the
// run (host and client), its own config, log and port, root's logins by key only. The "remote" box
// is this machine: sshd's sessions reach the engine at /var/run/docker.sock. Clients find it
// through a wrapper `ssh` first on PATH that names the run's client config (known_hosts, key), as a
// user's ~/.ssh/config would; removed, keys and all, by stop().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childrenOf } from './procs.js';
import { freePort } from './scrape.js';

export const SSHD = '/usr/sbin/sshd';

export interface SshdOptions {
  /** AllowStreamLocalForwarding (default yes): `no` makes clients fall back to dial-stdio. */
  forwarding?: boolean;
  /** A fixed port (default: a free one). */
  port?: number;
}

export interface Sshd {
  port: number;
  /** The listener's process (its children are the accepted connections' processes). */
  pid: number;
  /** ssh://root@127.0.0.1:PORT */
  url: string;
  /** A directory holding the wrapper `ssh`: put it first on PATH. */
  bin: string;
  dir: string;
  /** The client's private key and the known_hosts file the wrapper uses. */
  clientKey: string;
  knownHosts: string;
  /** Logins sshd accepted so far (its log's "Accepted publickey" lines). */
  logins(): number;
  /** ssh://root@127.0.0.1:PORT for another port that leads to this sshd (a relay): its key trusted there too. */
  via(port: number): string;
  /** Ends sshd (waiting for it to go, so that nothing it writes races the removal) and removes its files. */
  stop(): Promise<void>;
}

/** Why this machine cannot run the SSH tests, or null when it can. */
export function sshdMissing(): string | null {
  if (!existsSync(SSHD)) return `${SSHD} is missing: install openssh-server (scripts/engine.sh does with the engine)`;
  if (spawnSync('docker', ['system', 'dial-stdio', '--help'], { stdio: 'ignore' }).status !== 0)
    return "the docker CLI has no `docker system dial-stdio` (what Docker's ssh transport runs on the remote host)";
  if (process.getuid?.() !== 0)
    return 'the SSH tests run sshd and log in as root: run them as root (npm test does in CI)';
  return null;
}

const run = (cmd: string, args: string[]): void => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim()}`);
};

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const missing = sshdMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'tfmon-sshd-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  mkdirSync('/run/sshd', { recursive: true }); // its privilege-separation directory
  const hostKey = join(dir, 'host_key');
  const clientKey = join(dir, 'client_key');
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'tfmon-test-host', '-f', hostKey]);
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'tfmon-test-client', '-f', clientKey]);
  const port = options.port ?? (await freePort());
  const log = join(dir, 'sshd.log');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`));
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      `AllowStreamLocalForwarding ${options.forwarding === false ? 'no' : 'yes'}`,
      'LogLevel INFO',
      '',
    ].join('\n'),
  );
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(
    knownHosts,
    `${port === 22 ? '127.0.0.1' : `[127.0.0.1]:${port}`} ${readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`,
  );
  writeFileSync(
    join(dir, 'ssh_config'),
    [
      'Host *',
      `  IdentityFile ${clientKey}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${knownHosts}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '',
    ].join('\n'),
  );
  const wrapper = join(bin, 'ssh');
  writeFileSync(wrapper, `#!/bin/sh\nexec /usr/bin/ssh -F ${join(dir, 'ssh_config')} "$@"\n`);
  chmodSync(wrapper, 0o755);

  const child: ChildProcess = spawn(SSHD, ['-D', '-f', join(dir, 'sshd_config'), '-E', log], { stdio: 'ignore' });
  const until = Date.now() + 10_000;
  while (!existsSync(log) || !readFileSync(log, 'utf8').includes('Server listening')) {
    if (child.exitCode !== null || Date.now() > until) {
      const said = existsSync(log) ? readFileSync(log, 'utf8').trim() : '';
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`sshd did not start on 127.0.0.1:${port}: ${said || `exit ${child.exitCode}`}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    pid: child.pid ?? 0,
    url: port === 22 ? 'ssh://root@127.0.0.1' : `ssh://root@127.0.0.1:${port}`,
    bin,
    dir,
    clientKey,
    knownHosts,
    logins: () => (readFileSync(log, 'utf8').match(/Accepted publickey/g) ?? []).length,
    via: (other) => {
      appendFileSync(
        knownHosts,
        `[127.0.0.1]:${other} ${readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`,
      );
      return `ssh://root@127.0.0.1:${other}`;
    },
    stop: async () => {
      // The accepted connections first: a client's kept login (ControlPersist) ends with its session.
      for (const pid of child.pid ? childrenOf(child.pid) : []) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill();
        await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      }
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/** PATH with the run's wrapper ssh first. */
export const pathWith = (sshd: Sshd, path = process.env['PATH'] ?? ''): string => `${sshd.bin}:${path}`;
