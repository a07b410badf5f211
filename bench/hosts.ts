// The two-host bench (bench/two-hosts.ts: two dockerds in namespaces of their own, one veth, a
// two-node swarm): 10 tasks spread over both hosts by tfmon up --swarm. status --json of them with
// both engines (-H A -H B), with the manager alone, and of 10 nodes on one host; then `tfmon serve`
// watching both at its default cadence: how long until a partition (the wire cut) and a host loss
// (B's dockerd stopped) show in its /status, and its own CPU over a minute of watching.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Engine } from '../source/engine/engine.js';
import { ensureSimImage } from '../source/engine/sim-image.js';
import { cpuSeconds } from './procs.js';
import { freePort } from './scrape.js';
import {
  cutWire,
  dockerOn,
  HOST_A,
  HOST_B,
  removeTwoHosts,
  startEngine,
  startTwoHosts,
  stopEngine,
} from './two-hosts.js';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

export interface HostsFigures {
  bothMs: number[];
  managerMs: number[];
  oneHostMs: number[];
  /** From the cut (the stop) to the first /status naming it: ms. */
  partitionShownMs: number;
  partitionNamedMs: number;
  hostLossShownMs: number;
  /** tfmon serve's own CPU watching both, percent of a core over `cpuSeconds`. */
  serveCpuPercent: number;
  cpuWindowS: number;
  placement: Record<string, number>;
}

function timed(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tfmon ${args.join(' ')}: ${r.stderr.trim()}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface StatusDoc {
  nodes: { state: string }[];
  problems: { code: string; severity: string; causedBy?: unknown }[];
}
const roots = (d: StatusDoc): string[] =>
  d.problems.filter((p) => p.severity === 'error' && !p.causedBy).map((p) => p.code);

async function statusOf(port: number): Promise<StatusDoc | null> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/status`);
    return r.ok ? ((await r.json()) as StatusDoc) : null;
  } catch {
    return null;
  }
}

/** Polls /status every 200 ms until `ok`; the ms it took (Infinity past `timeoutMs`). */
async function shownAfter(port: number, ok: (d: StatusDoc) => boolean, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const d = await statusOf(port);
    if (d && ok(d)) return Date.now() - t0;
    await sleep(200);
  }
  const last = await statusOf(port);
  process.stderr.write(
    `bench: two hosts: not shown in ${timeoutMs} ms; roots then: ${last ? roots(last).join(', ') : 'no /status'}\n`,
  );
  return Number.POSITIVE_INFINITY;
}

export async function hostsBench(
  prefix: string,
  labelKV: string,
  runs: number,
  cpuWindowS = 60,
): Promise<HostsFigures> {
  const { ref } = await ensureSimImage(new Engine());
  await startTwoHosts([ref]);
  const net = `${prefix}-hosts`;
  const one = `${prefix}-onehost`;
  const both = ['-H', HOST_A.url, '-H', HOST_B.url, '--network', net];
  let serve: ReturnType<typeof spawn> | null = null;
  try {
    const up = spawnSync(
      process.execPath,
      [CLI, 'up', '--swarm', '-H', HOST_A.url, '--network', net, '--ps', '2', '--workers', '8', '--label', labelKV],
      { encoding: 'utf8' },
    );
    if (up.status !== 0) throw new Error(`up --swarm: ${up.stderr.trim()}`);
    spawnSync(
      process.execPath,
      [CLI, 'up', '--network', one, '--ps', '2', '--workers', '8', '--label', labelKV, '--prefix', `${prefix}o`],
      { stdio: 'ignore' },
    );
    const placement: Record<string, number> = {};
    for (let i = 0; i < 120; i++) {
      const lines = dockerOn(
        HOST_A,
        'service',
        'ps',
        ...dockerOn(HOST_A, 'service', 'ls', '-q').split('\n'),
        '--filter',
        'desired-state=running',
        '--format',
        '{{.Node}} {{.CurrentState}}',
      ).split('\n');
      if (lines.filter((l) => l.includes('Running')).length === 10) {
        for (const l of lines) placement[l.split(' ')[0] ?? '?'] = (placement[l.split(' ')[0] ?? '?'] ?? 0) + 1;
        break;
      }
      await sleep(500);
    }
    await sleep(3000);
    const status = (args: string[]) => timed(['status', '--json', '--no-usage', ...args]);
    const bothMs = Array.from({ length: runs }, () => status(both));
    const managerMs = Array.from({ length: runs }, () => status(['-H', HOST_A.url, '--network', net]));
    const oneHostMs = Array.from({ length: runs }, () => status(['--network', one]));

    const port = await freePort();
    serve = spawn(process.execPath, [CLI, 'serve', ...both, '--metrics', `127.0.0.1:${port}`], { stdio: 'ignore' });
    await shownAfter(port, (d) => d.nodes.length === 10 && roots(d).length === 0, 60_000);
    await sleep(5000);
    const cpu0 = cpuSeconds(serve.pid!);
    await sleep(cpuWindowS * 1000);
    const serveCpuPercent = ((cpuSeconds(serve.pid!) - cpu0) / cpuWindowS) * 100;

    // A partition: first shown (as a link), then named a partition once the swarm marks B down.
    const cut = Date.now();
    cutWire(true);
    const partitionShownMs = await shownAfter(
      port,
      (d) => roots(d).some((c) => c === 'overlay_data_path' || c === 'host_partition'),
      60_000,
    );
    const named = await shownAfter(port, (d) => roots(d).includes('host_partition'), 60_000);
    const partitionNamedMs = Number.isFinite(named) ? Date.now() - cut : named;
    cutWire(false);
    await shownAfter(port, (d) => roots(d).length === 0, 90_000);
    // Tasks back on B (Swarm spread them to A while B was away).
    for (const s of dockerOn(HOST_A, 'service', 'ls', '--format', '{{.Name}}')
      .split('\n')
      .filter((n) => n.includes('worker'))
      .slice(0, 4))
      dockerOn(HOST_A, 'service', 'update', '-q', '--force', s);
    await shownAfter(port, (d) => d.nodes.length === 10 && roots(d).length === 0, 90_000);
    await sleep(3000);
    const stopped = Date.now();
    await stopEngine(HOST_B);
    const lossMs = await shownAfter(port, (d) => roots(d).includes('engine_unreachable'), 60_000);
    // From the stop asked (dockerd takes its containers down first) to the root shown.
    const hostLossShownMs = Number.isFinite(lossMs) ? Date.now() - stopped : lossMs;
    await startEngine(HOST_B);
    return {
      bothMs,
      managerMs,
      oneHostMs,
      partitionShownMs,
      partitionNamedMs,
      hostLossShownMs,
      serveCpuPercent,
      cpuWindowS,
      placement,
    };
  } finally {
    serve?.kill('SIGTERM');
    cutWire(false);
    spawnSync(process.execPath, [CLI, 'down', '--yes', '--network', one], { stdio: 'ignore' });
    await removeTwoHosts();
  }
}
