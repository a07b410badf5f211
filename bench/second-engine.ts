// A second Docker engine on this machine, for the tests and the bench of contexts, swarm and several
// engines: its own socket, data root, exec root, pid file and default bridge (not docker0: a daemon
// started with --bridge none deletes docker0 from under the first engine), and an address pool that
// cannot collide with the first engine's networks. Started by what needs it, stopped after.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

export const SOCKET = '/var/run/tfmon-test-docker2.sock';
export const HOST = `unix://${SOCKET}`;
const ROOT = '/var/lib/tfmon-test-docker2';
const EXEC = '/var/run/tfmon-test-docker2';
const PID = '/var/run/tfmon-test-docker2.pid';
const BRIDGE = 'tfmon-br2';
const BRIDGE_CIDR = '10.214.0.1/24';

/** The second engine's own default bridge, made once. */
function ensureBridge(): void {
  if (spawnSync('ip', ['link', 'show', BRIDGE], { stdio: 'ignore' }).status === 0) return;
  for (const args of [['link', 'add', BRIDGE, 'type', 'bridge'], ['addr', 'add', BRIDGE_CIDR, 'dev', BRIDGE], ['link', 'set', BRIDGE, 'up']]) {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  }
}

const answers = (): boolean => spawnSync('docker', ['-H', HOST, 'info'], { stdio: 'ignore', timeout: 5000 }).status === 0;

let child: ChildProcess | null = null;

/** Starts it (or fails with the reason: tests never skip silently). */
export async function startSecondEngine(): Promise<void> {
  if (answers()) return;
  if (process.getuid?.() !== 0) throw new Error('the second-engine tests start a dockerd of their own and need root: run them as root (npm test does in CI)');
  // A pid file of a dead daemon stops a new one from starting.
  if (existsSync(PID)) rmSync(PID);
  // Its network store goes: one written under other bridge settings makes the daemon delete that
  // bridge at start, and an old store may name docker0.
  rmSync(`${ROOT}/network`, { recursive: true, force: true });
  ensureBridge();
  child = spawn('dockerd', [
    '-H', HOST, '--data-root', ROOT, '--exec-root', EXEC, '--pidfile', PID,
    '--bridge', BRIDGE, '--iptables=false', '--ip-masq=false',
    '--default-address-pool', 'base=10.213.0.0/16,size=24',
  ], { stdio: ['ignore', 'ignore', 'ignore'], detached: true });
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
