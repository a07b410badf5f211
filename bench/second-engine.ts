// A second Docker engine on this machine, for the tests and the bench of contexts, swarm and several
// engines: its own socket, data root, exec root, pid file, bridge and network namespace (a second
// daemon in the host's namespace deleted the first one's docker0), and an address pool of its own.
// Started by what needs it, stopped after.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export const SOCKET = '/var/run/tfmon-test-docker2.sock';
export const HOST = `unix://${SOCKET}`;
const ROOT = '/var/lib/tfmon-test-docker2';
const EXEC = '/var/run/tfmon-test-docker2';
const PID = '/var/run/tfmon-test-docker2.pid';
const BRIDGE = 'tfmon-br2';
const BRIDGE_CIDR = '10.214.0.1/24';

const answers = (): boolean => spawnSync('docker', ['-H', HOST, 'info'], { stdio: 'ignore', timeout: 5000 }).status === 0;

let child: ChildProcess | null = null;

/** Starts it (or fails with the reason: tests never skip silently). */
export async function startSecondEngine(): Promise<void> {
  if (answers()) return;
  if (process.getuid?.() !== 0) throw new Error('the second-engine tests start a dockerd of their own and need root: run them as root (npm test does in CI)');
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
  const dockerd = [
    'dockerd', '-H', HOST, '--data-root', ROOT, '--exec-root', EXEC, '--pidfile', PID,
    '--bridge', BRIDGE, '--iptables=false', '--ip-masq=false',
    '--default-address-pool', 'base=10.213.0.0/16,size=24',
  ].join(' ');
  const inside = `ip link set lo up && ip link add ${BRIDGE} type bridge && ip addr add ${BRIDGE_CIDR} dev ${BRIDGE} && ip link set ${BRIDGE} up && exec ${dockerd}`;
  child = spawn('unshare', ['--net', 'sh', '-c', inside], { stdio: ['ignore', 'ignore', 'ignore'], detached: true });
  child.unref();
  for (let i = 0; i < 60; i++) {
    if (answers()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the second dockerd did not answer within 30 s');
}

/** Stops it, whoever started it (its pid file says which process it is). */
export async function stopSecondEngine(): Promise<void> {
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
