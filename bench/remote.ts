// The remote-engine bench: tfmon's live screen over ssh:// (a real sshd on loopback) watching a
// 20-node cluster — SSH logins sshd accepted, CPU on both ends (tfmon and its ssh here; sshd's
// session processes there), a key's time to draw and a new container's time to show — beside the
// docker CLI's `docker stats` over the same ssh://; then a slow link (a delaying relay on loopback,
// 50 and 100 ms each way): status --json's time and the live screen's key and event times.
// BENCH_REMOTE_CLI runs another build of tfmon through the same harness (how "before" was measured).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startDelayRelay } from './delay-relay.js';
import { childrenOf, cpuSeconds, pidsOf, tfmonPidUnder } from './procs.js';
import { pathWith, startSshd, type Sshd } from './sshd.js';

const CLI = process.env['BENCH_REMOTE_CLI'] ?? fileURLToPath(new URL('../cli.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const max = (xs: number[]): number => Math.max(...xs);

/** The processes of a tree, root included. */
function tree(root: number): number[] {
  const all = [root];
  for (let i = 0; i < all.length; i++) all.push(...childrenOf(all[i]!));
  return all;
}
const cpuOf = (pids: number[]): number => pids.reduce((a, p) => a + cpuSeconds(p), 0);

interface Screen {
  child: ChildProcess;
  /** Output since `from` (a byte offset), CSI sequences removed. */
  since(from: number): string;
  length(): number;
  pid(): number;
  stop(): Promise<void>;
}

function screen(args: string[], env: NodeJS.ProcessEnv): Screen {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn(
    'script',
    ['-qfec', `stty cols 160 rows 60; exec ${process.execPath} ${CLI} ${quoted}`, '/dev/null'],
    {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8', ...env },
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('latin1')));
  let pid = 0;
  return {
    child,
    since: (from) =>
      Buffer.from(out.slice(from), 'latin1')
        .toString('utf8')
        .replace(/\u001b\[[0-9;?]*[A-Za-z]/g, ''),
    length: () => out.length,
    pid: () => (pid ||= tfmonPidUnder(child.pid ?? 0)),
    stop: async () => {
      child.stdin!.write('q');
      await Promise.race([new Promise((r) => child.once('exit', r)), sleep(5000)]);
      child.kill('SIGKILL');
    },
  };
}

/** Waits until the screen shows `what` in output written after `from`; the ms it took, or null. */
async function until(s: Screen, from: number, what: RegExp | string, timeoutMs: number): Promise<number | null> {
  const t0 = performance.now();
  for (;;) {
    const text = s.since(from);
    if (typeof what === 'string' ? text.includes(what) : what.test(text)) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) return null;
    await sleep(5);
  }
}

/** `?` opens the help (its text drawn), Esc closes it: the time to the help's first line, n times. */
async function keyTimes(s: Screen, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const from = s.length();
    s.child.stdin!.write('?');
    const ms = await until(s, from, 'select the node above', 3000);
    if (ms !== null) times.push(ms);
    s.child.stdin!.write('\u001b');
    await sleep(400);
  }
  return times;
}

/** A container started on the network: ms from `docker run` returning to its name on screen. */
async function eventTime(
  s: Screen,
  image: string,
  network: string,
  labelKV: string,
  name: string,
): Promise<number | null> {
  // Not spawnSync: a relay in this process must keep forwarding while docker runs.
  const code = await new Promise<number | null>((resolve) =>
    spawn(
      'docker',
      ['run', '-d', '--name', name, '--network', network, '--label', labelKV, '--env', 'SIM_STEP_S=30', image],
      { stdio: 'ignore' },
    ).on('exit', resolve),
  );
  if (code !== 0) throw new Error(`docker run ${name} failed`);
  return until(s, 0, name, 15_000);
}

export interface RemoteFigures {
  nodes: number;
  seconds: number;
  logins: number;
  /** tfmon's own process; its ssh (the master, and dial-stdio sessions where used); the same screen
   * on the local socket with --usage-source api, for what the transport adds. */
  clientCpuPct: number;
  sshCpuPct: number;
  localCpuPct: number;
  localSeconds: number;
  serverCpuPct: number;
  keyMs: number[];
  eventMs: number | null;
  dockerStatsLogins: number;
  dockerStatsSeconds: number;
  slow: {
    oneWayMs: number;
    statusMs: number[];
    statusFastMs: number[];
    keyMs: number[];
    eventMs: number | null;
    logins: number;
  }[];
}

/** sshd's processes for accepted connections (the listener's children), as it runs them now. */
const sessionPids = (sshd: Sshd): number[] => tree(sshd.pid).filter((p) => p !== sshd.pid);

export async function remoteBench(
  image: string,
  prefix: string,
  labelKV: string,
  nodes: number,
  seconds: number,
  slowSeconds: number,
): Promise<RemoteFigures> {
  const network = `${prefix}-remote`;
  const sshd = await startSshd();
  const env = { PATH: pathWith(sshd) };
  try {
    spawnSync('docker', ['network', 'create', '--label', labelKV, network], { stdio: 'ignore' });
    for (let i = 0; i < nodes; i++) {
      const name = i === 0 ? `${prefix}-r-ps-0` : `${prefix}-r-worker-${i - 1}`;
      const r = spawnSync(
        'docker',
        ['run', '-d', '--name', name, '--network', network, '--label', labelKV, '--env', 'SIM_STEP_S=30', image],
        { stdio: 'ignore' },
      );
      if (r.status !== 0) throw new Error(`docker run ${name} failed`);
    }
    await sleep(3000);
    const args = (url: string): string[] => ['--host', url, '--network', network, '--label', labelKV];

    // The live screen over ssh:// for `seconds`.
    const logins0 = sshd.logins();
    const s = screen(args(sshd.url), env);
    await until(s, 0, `${prefix}-r-ps-0`, 30_000);
    await sleep(5000);
    const p = s.pid();
    // Its ssh: the children (dial-stdio sessions) and the login it keeps, which ssh runs in the
    // background outside tfmon's tree (ControlPersist).
    const ssh = [...tree(p).filter((x) => x !== p), ...pidsOf(`ControlPersist=[0-9]+s -p ${sshd.port} `, false)];
    const c0 = cpuSeconds(p);
    const ssh0 = cpuOf(ssh);
    const srv0 = cpuOf(sessionPids(sshd));
    const t0 = Date.now();
    await sleep(seconds * 1000);
    const elapsed = (Date.now() - t0) / 1000;
    const clientCpu = cpuSeconds(p) - c0;
    const sshCpu = cpuOf(ssh) - ssh0;
    const serverCpu = cpuOf(sessionPids(sshd)) - srv0;
    const keyMs = await keyTimes(s, 10);
    const eventMs = await eventTime(s, image, network, labelKV, `${prefix}-r-extra-0`);
    await s.stop();
    const logins = sshd.logins() - logins0;

    // The same screen on the local socket with usage from the stats API too: what the transport adds.
    const localSeconds = Math.min(60, seconds);
    const ls = screen(['--usage-source', 'api', ...args('unix:///var/run/docker.sock')], {});
    await until(ls, 0, `${prefix}-r-ps-0`, 30_000);
    await sleep(5000);
    const lp = ls.pid();
    const l0 = cpuSeconds(lp);
    await sleep(localSeconds * 1000);
    const localCpuPct = ((cpuSeconds(lp) - l0) / localSeconds) * 100;
    await ls.stop();

    // docker stats over the same ssh:// (the docker CLI's own transport), for a minute.
    const names = Array.from({ length: nodes }, (_, i) =>
      i === 0 ? `${prefix}-r-ps-0` : `${prefix}-r-worker-${i - 1}`,
    );
    const d0 = sshd.logins();
    const ds = spawn('docker', ['-H', sshd.url, 'stats', ...names], {
      stdio: ['ignore', 'ignore', 'ignore'],
      env: { ...process.env, ...env },
    });
    const dockerStatsSeconds = Math.min(60, seconds);
    await sleep(dockerStatsSeconds * 1000);
    ds.kill();
    await sleep(500);
    const dockerStatsLogins = sshd.logins() - d0;

    // A slow link: the same over a relay that holds each chunk 50 ms, then 100 ms, each way.
    const slow: RemoteFigures['slow'] = [];
    for (const oneWayMs of [50, 100]) {
      const relay = await startDelayRelay(sshd.port, oneWayMs);
      const url = sshd.via(relay.port);
      const l0 = sshd.logins();
      try {
        // Asynchronously: the relay runs in this process and must keep forwarding meanwhile.
        const timed = (extra: string[]): Promise<number> =>
          new Promise((resolve, reject) => {
            const t = performance.now();
            const child = spawn(process.execPath, [CLI, 'status', '--json', ...extra, ...args(url)], {
              env: { ...process.env, ...env },
              stdio: ['ignore', 'ignore', 'pipe'],
            });
            let err = '';
            child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
            child.on('exit', (code) =>
              code === 0
                ? resolve(performance.now() - t)
                : reject(new Error(`status over the slow link: ${err.trim()}`)),
            );
          });
        const statusMs: number[] = [];
        const statusFastMs: number[] = [];
        for (let i = 0; i < 3; i++) statusMs.push(await timed([]));
        for (let i = 0; i < 3; i++) statusFastMs.push(await timed(['--no-usage', '--no-probe']));
        const ss = screen(args(url), env);
        await until(ss, 0, `${prefix}-r-ps-0`, 60_000);
        await sleep(slowSeconds * 1000);
        const keys = await keyTimes(ss, 10);
        const ev = await eventTime(ss, image, network, labelKV, `${prefix}-r-extra-${oneWayMs}`);
        await ss.stop();
        slow.push({ oneWayMs, statusMs, statusFastMs, keyMs: keys, eventMs: ev, logins: sshd.logins() - l0 });
      } finally {
        await relay.close();
      }
    }
    return {
      nodes,
      seconds: elapsed,
      logins,
      clientCpuPct: (clientCpu / elapsed) * 100,
      sshCpuPct: (sshCpu / elapsed) * 100,
      localCpuPct,
      localSeconds,
      serverCpuPct: (serverCpu / elapsed) * 100,
      keyMs,
      eventMs,
      dockerStatsLogins,
      dockerStatsSeconds,
      slow,
    };
  } finally {
    const ids = spawnSync('docker', ['ps', '-aq', '--filter', `network=${network}`], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean);
    if (ids.length) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
    spawnSync('docker', ['network', 'rm', network], { stdio: 'ignore' });
    await sshd.stop();
  }
}

/** The figures as the bench's table rows. */
export function remoteRows(f: RemoteFigures): string[][] {
  const ms = (xs: number[]): string =>
    xs.length ? `${median(xs).toFixed(0)} ms (max ${max(xs).toFixed(0)})` : 'not drawn';
  const rows = [
    [
      `live screen over ssh://, ${f.nodes} nodes, ${Math.round(f.seconds)} s: SSH logins sshd accepted`,
      String(f.logins),
      'one or a handful',
      f.logins <= 3 ? 'met' : 'NOT met',
    ],
    [`docker stats over the same ssh://, ${f.dockerStatsSeconds} s: SSH logins`, String(f.dockerStatsLogins), '-', '-'],
    [
      "CPU here: tfmon's process / its ssh (% of a core)",
      `${f.clientCpuPct.toFixed(1)} % / ${f.sshCpuPct.toFixed(1)} %`,
      '-',
      '-',
    ],
    [
      `the same screen on the local socket, --usage-source api, ${f.localSeconds} s: tfmon's CPU`,
      `${f.localCpuPct.toFixed(1)} %`,
      '-',
      '-',
    ],
    ["CPU there: sshd's session processes (% of a core)", `${f.serverCpuPct.toFixed(1)} %`, '-', '-'],
    [
      'a key to its frame (? opens the help), 10 presses',
      ms(f.keyMs),
      '<= 100 ms',
      f.keyMs.length && median(f.keyMs) <= 100 ? 'met' : 'NOT met',
    ],
    [
      'a new container to the screen (docker run returned → its name drawn)',
      f.eventMs === null ? 'not seen in 15 s' : `${f.eventMs.toFixed(0)} ms`,
      '-',
      '-',
    ],
  ];
  for (const s of f.slow) {
    const tag = `slow link +${s.oneWayMs} ms each way (RTT +${2 * s.oneWayMs} ms)`;
    rows.push(
      [
        `${tag}: status --json (default flags), 3 runs`,
        ms(s.statusMs),
        `<= 2000 ms (${f.nodes} nodes)`,
        median(s.statusMs) <= 2000 ? 'met' : 'NOT met',
      ],
      [`${tag}: status --json --no-usage --no-probe, 3 runs`, ms(s.statusFastMs), '-', '-'],
      [
        `${tag}: a key to its frame, 10 presses`,
        ms(s.keyMs),
        '<= 100 ms',
        s.keyMs.length && median(s.keyMs) <= 100 ? 'met' : 'NOT met',
      ],
      [
        `${tag}: a new container to the screen`,
        s.eventMs === null ? 'not seen in 15 s' : `${s.eventMs.toFixed(0)} ms`,
        '-',
        '-',
      ],
      [`${tag}: SSH logins for the 6 status runs and the screen`, String(s.logins), '-', '-'],
    );
  }
  return rows;
}
