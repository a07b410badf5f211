// A second Docker engine on this machine, for the tests and the bench of contexts, swarm, several
// engines and TLS: its own socket, data root, exec root, pid file, bridge and network namespace (a
// second daemon in the host's namespace deleted the first one's docker0), and an address pool of its
// own. It also listens with --tlsverify on 127.0.0.1:2376 inside its namespace, with certificates
// made at its start; socat carries that port to a loopback port here (TLS_HOST) through a socket
// file, so TLS runs end to end between tfmon and dockerd. Started by what needs it, stopped after.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { makeCerts, type CertFiles } from './tls-certs.js';
import { freePort } from './scrape.js';

export const SOCKET = '/var/run/tfmon-test-docker2.sock';
export const HOST = `unix://${SOCKET}`;
const ROOT = '/var/lib/tfmon-test-docker2';
const EXEC = '/var/run/tfmon-test-docker2';
const PID = '/var/run/tfmon-test-docker2.pid';
const BRIDGE = 'tfmon-br2';
const BRIDGE_CIDR = '10.214.0.1/24';
/** Where its TLS certificates are made, and the socket file and host port that carry its TLS port. */
export const TLS_DIR = '/var/lib/tfmon-test-docker2-tls';
const RELAY = '/var/run/tfmon-test-docker2-tls.sock';
const RELAY_PID = '/var/run/tfmon-test-docker2-relay.pid';
const INNER_PID = '/var/run/tfmon-test-docker2-inner-relay.pid';
const TLS_PORT_FILE = '/var/run/tfmon-test-docker2-tls.port';

/** tcp://127.0.0.1:PORT of its TLS listener, once started. */
export const tlsHost = (): string => `tcp://127.0.0.1:${readFileSync(TLS_PORT_FILE, 'utf8').trim()}`;
export const tlsCerts = (): CertFiles => makeCerts(TLS_DIR);
const tlsCarried = (): boolean =>
  existsSync(TLS_PORT_FILE) &&
  existsSync(RELAY_PID) &&
  existsSync(`/proc/${readFileSync(RELAY_PID, 'utf8').trim()}`) &&
  existsSync(RELAY);

const answers = (): boolean =>
  spawnSync('docker', ['-H', HOST, 'info'], { stdio: 'ignore', timeout: 5000 }).status === 0;

let child: ChildProcess | null = null;

/** Starts it (or fails with the reason: tests never skip silently). */
export async function startSecondEngine(): Promise<void> {
  if (answers() && tlsCarried()) return;
  // One started without the TLS listener (or whose carrier died) is started again with it.
  if (answers()) await stopSecondEngine();
  if (process.getuid?.() !== 0)
    throw new Error(
      'the second-engine tests start a dockerd of their own and need root: run them as root (npm test does in CI)',
    );
  // A pid file of a dead daemon stops a new one from starting.
  if (existsSync(PID)) rmSync(PID);
  // A network store written under other bridge settings makes the daemon delete that bridge at
  // start, and an old one may name docker0: it goes unless this data root was made with ours.
  const marker = `${ROOT}/.tfmon-bridge`;
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== `netns:${BRIDGE}`) {
    rmSync(`${ROOT}/network`, { recursive: true, force: true });
    mkdirSync(ROOT, { recursive: true });
    writeFileSync(marker, `netns:${BRIDGE}`);
  }
  // In a network namespace of its own: whatever its bridge driver does to interfaces (a second
  // daemon on the host's namespace deleted the first one's docker0) stays in there. Its socket is a
  // file, reachable from here; its containers reach each other, not the host's.
  // Made once a day, not at every start: openssl's keys take seconds on a busy machine, and the
  // restart test's outage must stay the daemon's own.
  const made = `${TLS_DIR}/done`;
  if (existsSync(made) && Date.now() - statSync(made).mtimeMs > 86_400_000)
    rmSync(TLS_DIR, { recursive: true, force: true });
  mkdirSync(TLS_DIR, { recursive: true });
  const certs = makeCerts(TLS_DIR);
  const dockerd = [
    'dockerd',
    '-H',
    HOST,
    '-H',
    'tcp://127.0.0.1:2376',
    '--tlsverify',
    '--tlscacert',
    certs.ca,
    '--tlscert',
    certs.serverCert,
    '--tlskey',
    certs.serverKey,
    '--data-root',
    ROOT,
    '--exec-root',
    EXEC,
    '--pidfile',
    PID,
    '--bridge',
    BRIDGE,
    '--iptables=false',
    '--ip-masq=false',
    '--default-address-pool',
    'base=10.213.0.0/16,size=24',
  ].join(' ');
  // Inside: the socket file's connections go to the namespace's 127.0.0.1:2376 (socat, ended with it).
  // (In braces: a bare `&` would send the whole && chain, bridge set-up included, to the background.)
  const carry = `{ socat UNIX-LISTEN:${RELAY},fork,unlink-early,mode=600 TCP:127.0.0.1:2376 & echo $! > ${INNER_PID}; }`;
  const inside = `ip link set lo up && ip link add ${BRIDGE} type bridge && ip addr add ${BRIDGE_CIDR} dev ${BRIDGE} && ip link set ${BRIDGE} up && ${carry} && exec ${dockerd}`;
  child = spawn('unshare', ['--net', 'sh', '-c', inside], { stdio: ['ignore', 'ignore', 'ignore'], detached: true });
  child.unref();
  for (let i = 0; i < 60; i++) {
    if (answers()) {
      await carryTls();
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the second dockerd did not answer within 30 s');
}

/** Here: a loopback port whose connections go to the socket file (socat, its pid in a file). */
async function carryTls(): Promise<void> {
  const port = await freePort();
  const relay = spawn('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr`, `UNIX-CONNECT:${RELAY}`], {
    stdio: 'ignore',
    detached: true,
  });
  relay.unref();
  writeFileSync(RELAY_PID, String(relay.pid));
  writeFileSync(TLS_PORT_FILE, String(port));
  const listening = (): Promise<boolean> =>
    new Promise((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      }).on('error', () => resolve(false));
    });
  for (let i = 0; i < 100 && !(await listening()); i++) await new Promise((r) => setTimeout(r, 50));
}

/** Stops it, whoever started it (its pid file says which process it is). */
export async function stopSecondEngine(): Promise<void> {
  // Both carriers of the TLS port: here, and inside the namespace (it outlives dockerd otherwise).
  for (const file of [RELAY_PID, INNER_PID]) {
    if (!existsSync(file)) continue;
    try {
      process.kill(Number(readFileSync(file, 'utf8').trim()), 'SIGTERM');
    } catch {
      // gone already
    }
    rmSync(file, { force: true });
  }
  rmSync(TLS_PORT_FILE, { force: true });
  const pid = child?.pid ?? (existsSync(PID) ? Number(readFileSync(PID, 'utf8').trim()) : 0);
  if (!pid) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // gone already
  }
  for (let i = 0; i < 40 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 250));
  child = null;
}

export const docker2 = (...args: string[]): string => {
  const r = spawnSync('docker', ['-H', HOST, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker -H ${HOST} ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout.trim();
};

/** docker2 without blocking this process: for calls inside a timed window, where a synchronous
 * call would freeze the monitor being timed. */
export function docker2Async(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', ['-H', HOST, ...args], { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`docker -H ${HOST} ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout.trim());
    });
  });
}

/** Removes what carries `label` (containers, then networks) from it, then stops it, even when the
 * removal fails. */
export async function clearAndStopSecondEngine(label: string): Promise<void> {
  try {
    const ids = docker2('ps', '-aq', '--filter', `label=${label}`).split('\n').filter(Boolean);
    if (ids.length) docker2('rm', '-f', ...ids);
    for (const n of docker2('network', 'ls', '-q', '--filter', `label=${label}`).split('\n').filter(Boolean))
      docker2('network', 'rm', n);
  } finally {
    await stopSecondEngine();
  }
}
