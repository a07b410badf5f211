// Integration harness: the real engine, everything labelled tfmon.test=<run id> and removed after,
// names and networks of the test's own so a developer's real cluster is never touched.
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../source/engine/engine.js';
import { ensureSimImage } from '../../source/engine/sim-image.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = `${ROOT}dist/cli.js`;

export const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
// Actions a test takes are logged to a file of the run's own, never the developer's state directory.
process.env['TFMON_ACTION_LOG'] ??= `/tmp/tfmon-test-${runId}-actions.log`;
export const TEST_LABEL = `tfmon.test=${runId}`;
export const testLabels = { 'tfmon.test': runId };

/** A name of this run's own: tft<runid>-<what>. */
export const own = (what: string): string => `tft${runId}-${what}`;

export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function dockerOk(...args: string[]): boolean {
  return spawnSync('docker', args, { stdio: 'ignore' }).status === 0;
}

/** Fails loudly (never skips) when no engine answers: the README's test command starts one. */
export function requireEngine(): void {
  if (!dockerOk('info')) {
    throw new Error('no Docker engine answers: run the tests with `npm test` (it starts one), or start dockerd');
  }
}

let simRef: string | null = null;
export async function simImage(): Promise<string> {
  simRef ??= (await ensureSimImage(new Engine())).ref;
  return simRef;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would (stdout a pipe, so no TTY). */
export function tfmon(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Removes every container and network this run labelled. Safe to call twice. */
export function cleanup(): void {
  const ids = docker('ps', '-aq', '--filter', `label=${TEST_LABEL}`).split('\n').filter(Boolean);
  if (ids.length) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
  const nets = docker('network', 'ls', '-q', '--filter', `label=${TEST_LABEL}`).split('\n').filter(Boolean);
  if (nets.length) spawnSync('docker', ['network', 'rm', ...nets], { stdio: 'ignore' });
}

export function createNetwork(name: string): void {
  docker('network', 'create', '--label', TEST_LABEL, name);
}

/** `docker run -d` of the sim image on a network, labelled for cleanup. */
type SimOptions = { env?: Record<string, string>; labels?: Record<string, string>; args?: string[] };
function simArgs(image: string, name: string, network: string, opts: SimOptions): string[] {
  const args = ['run', '-d', '--name', name, '--network', network, '--label', TEST_LABEL, ...(opts.args ?? [])];
  for (const [k, v] of Object.entries(opts.labels ?? {})) args.push('--label', `${k}=${v}`);
  for (const [k, v] of Object.entries(opts.env ?? {})) args.push('--env', `${k}=${v}`);
  return [...args, image];
}

export function runSim(image: string, name: string, network: string, opts: SimOptions = {}): string {
  return docker(...simArgs(image, name, network, opts));
}

/** runSim without blocking this process (inside a timed window). */
export function runSimAsync(image: string, name: string, network: string, opts: SimOptions = {}): Promise<string> {
  return dockerAsync(...simArgs(image, name, network, opts));
}

/** The local engine's socket the tests talk to: DOCKER_HOST's when it names a unix socket (as tfmon
 * and the docker CLI honour it), else Docker's default. */
export const engineSocket = (): string => {
  const host = process.env['DOCKER_HOST'] ?? '';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
};

/** docker without blocking this process: for calls inside a timed window, where a synchronous call
 * would freeze the monitor being timed in this same process. */
export function dockerAsync(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`docker ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout.trim());
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until the condition holds; throws after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, everyMs = 200): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** The real PyTorch image (Debian's torch 1.13 + sim/ddp_train.py), made by scripts/torch-image.sh
 * when missing: minutes the first time on a machine, then cached. Fails loudly, never skips. */
let torchRef: string | null = null;
export function torchImage(): string {
  torchRef ??= execFileSync('bash', [`${ROOT}scripts/torch-image.sh`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 900_000,
  }).trim();
  return torchRef;
}
