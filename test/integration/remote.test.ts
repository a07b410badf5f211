// Remote engines for real: ssh:// through a real sshd on loopback (keys made for the run) and
// tcp:// with TLS to a real dockerd started with --tlsverify (certificates made for the run). The
// live screen, status --json (usage from the stats API, the matrix through exec sessions), logs,
// actions, doctor, a context, --host twice; the failures a user meets, each one line; and how many
// SSH logins all of it costs.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createTlsServer, type Server } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathWith, startSshd, type Sshd } from '../../bench/sshd.js';
import {
  clearAndStopSecondEngine,
  docker2,
  HOST as SECOND,
  startSecondEngine,
  tlsCerts,
  tlsHost,
} from '../../bench/second-engine.js';
import { freePort } from '../../bench/scrape.js';
import { startDelayRelay } from '../../bench/delay-relay.js';
import { childrenOf } from '../../bench/procs.js';
import { Engine } from '../../source/engine/engine.js';
import { ensureSimImage } from '../../source/engine/sim-image.js';
import { tfConfigPlan } from '../../source/cluster/regenerate.js';
import { applyTfConfig } from '../../source/engine/cluster-actions.js';
import { ClusterMonitor } from '../../source/monitor/cluster-monitor.js';
import { tfmonInPty } from '../helpers/pty.js';
import {
  cleanup,
  docker,
  own,
  requireEngine,
  simImage,
  sleep,
  TEST_LABEL,
  testLabels,
  tfmon,
  waitUntil,
} from './harness.js';

const net = own('ssh');
const prefix = own('s');
const tnet = own('tls');
// Everything the tests write outside the engine (a docker config, keys, wrappers), removed after.
const scratch = mkdtempSync(join(tmpdir(), 'tfmon-remote-'));
const config = join(scratch, 'docker-config');
const tempDir = (name: string): string => mkdtempSync(join(scratch, `${name}-`));
let sshd: Sshd;
let env: NodeJS.ProcessEnv;

interface Status {
  engine: { host: string };
  engines?: { host: string; error: string | null; nodes: number }[];
  usageSource: string;
  nodes: {
    name: string;
    role: string;
    index: number;
    state: string;
    cpuPercent: number | null;
    memBytes: number | null;
    engine?: string;
  }[];
  reachability: { from: string; to: string; dns: string; tcp: string }[];
}

/** A docker context named `name` for `host`, with TLS files when given, as `docker context create` writes it. */
function writeContext(name: string, host: string, tls?: string): void {
  const id = createHash('sha256').update(name).digest('hex');
  mkdirSync(join(config, 'contexts', 'meta', id), { recursive: true });
  writeFileSync(
    join(config, 'contexts', 'meta', id, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
  );
  if (tls) {
    const dir = join(config, 'contexts', 'tls', id, 'docker');
    mkdirSync(dir, { recursive: true });
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), readFileSync(join(tls, f)));
  }
}

beforeAll(async () => {
  requireEngine();
  await simImage();
  sshd = await startSshd();
  // TMPDIR: the logins tfmon keeps between runs (--ssh-persist) put their sockets in the scratch folder.
  env = { PATH: pathWith(sshd), TMPDIR: scratch };
  process.env['PATH'] = pathWith(sshd); // the in-process engines below find the run's ssh too
  process.env['TMPDIR'] = scratch;
}, 60_000);

afterAll(async () => {
  cleanup();
  await sshd?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('ssh:// through a real sshd', () => {
  const common = () => ['--host', sshd.url, '--network', net, '--label', TEST_LABEL];

  it('up over ssh makes the seed cluster, in one login', async () => {
    const before = sshd.logins();
    const r = await tfmon(['up', ...common(), '--prefix', prefix], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(docker('ps', '--filter', `label=tfmon.cluster=${net}`, '--format', '{{.Names}}').split('\n').sort()).toEqual(
      [`${prefix}-ps-0`, `${prefix}-worker-0`, `${prefix}-worker-1`],
    );
    expect(sshd.logins() - before).toBe(1);
  }, 60_000);

  it('status --json: roles, usage from the stats API, the matrix through exec sessions; no login: the one up kept', async () => {
    await sleep(3000); // the sims listen
    const before = sshd.logins();
    const started = Date.now();
    const r = await tfmon(['status', '--json', ...common()], env);
    const ms = Date.now() - started;
    expect(r.stderr).toBe('');
    const s = JSON.parse(r.stdout) as Status;
    expect(s.engine.host).toBe(sshd.url);
    expect(s.usageSource).toBe('api'); // the cgroup files are the remote host's
    expect(s.nodes.map((n) => `${n.role}:${n.index}`)).toEqual(['ps:0', 'worker:0', 'worker:1']);
    for (const n of s.nodes) {
      expect(n.cpuPercent).not.toBeNull();
      expect(n.memBytes).toBeGreaterThan(0);
    }
    const ok = s.reachability.filter((e) => e.dns === 'ok' && e.tcp === 'ok');
    expect(ok.length).toBeGreaterThanOrEqual(4);
    // up's login was kept (ControlPersist, 60 s by default): this run logged in not at all.
    expect(sshd.logins() - before).toBe(0);
    console.log(`ssh: status --json of 3 nodes with usage and probes: ${ms} ms, no login (kept)`);
  }, 60_000);

  it('--ssh-persist: 0 logs in and out with the run; a kept login ends once idle for its time', async () => {
    const status = (extra: string[], host = sshd.url) =>
      tfmon(
        [
          'status',
          '--json',
          '--no-usage',
          '--no-probe',
          ...extra,
          '--host',
          host,
          '--network',
          net,
          '--label',
          TEST_LABEL,
        ],
        env,
      );
    let before = sshd.logins();
    expect((await status(['--ssh-persist', '0'])).code).toBe(0);
    expect(sshd.logins() - before).toBe(1); // its own login, not the kept one
    // Another destination (the same sshd through a relay: another port), kept 2 s.
    const relay = await startDelayRelay(sshd.port, 0);
    try {
      const other = sshd.via(relay.port);
      before = sshd.logins();
      expect((await status(['--ssh-persist', '2'], other)).code).toBe(0);
      expect((await status(['--ssh-persist', '2'], other)).code).toBe(0);
      expect(sshd.logins() - before).toBe(1); // the second run used the first's login
      await sleep(4000); // idle past its 2 s: ssh ended it
      expect((await status(['--ssh-persist', '2'], other)).code).toBe(0);
      expect(sshd.logins() - before).toBe(2);
      const bad = await status(['--ssh-persist', 'soon'], other);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim()).toBe('tfmon: --ssh-persist must be seconds from 0 to 86400, got "soon"');
    } finally {
      await relay.close();
    }
  }, 60_000);

  it('the live screen over ssh: nodes, logs, matrix; + adds a worker, r restarts one; on the kept login', async () => {
    const before = sshd.logins();
    const pty = tfmonInPty(common(), { columns: 140, rows: 40 }, env);
    try {
      await pty.waitFor(`${prefix}-worker-1`, 30_000);
      await pty.waitFor(/\d+\.\d+%/, 15_000); // usage shows
      pty.child.stdin.write('l');
      await pty.waitFor(/tfsim: task ps:0 starting/, 15_000); // the selected node's log lines
      pty.child.stdin.write('\u001b'); // back
      await sleep(300);
      pty.child.stdin.write('+');
      await waitUntil(
        () => spawnSync('docker', ['inspect', `${prefix}-worker-2`], { stdio: 'ignore' }).status === 0,
        30_000,
        200,
      );
      await pty.waitFor(`${prefix}-worker-2`, 15_000);
      const startedAt = docker('inspect', '--format', '{{.State.StartedAt}}', `${prefix}-ps-0`);
      pty.child.stdin.write('r');
      await pty.waitFor(/restart .*\?|\(y\/n\)|y\/N/i, 10_000);
      pty.child.stdin.write('y');
      await waitUntil(
        () => docker('inspect', '--format', '{{.State.StartedAt}}', `${prefix}-ps-0`) !== startedAt,
        30_000,
        200,
      );
      await sleep(2000);
      pty.child.stdin.write('q');
      expect(await pty.exited).toBe(0);
    } finally {
      pty.kill();
    }
    expect(sshd.logins() - before).toBe(0);
  }, 120_000);

  it('apply TF_CONFIG over ssh (actions through the tunnel, in process)', async () => {
    const engine = new Engine(sshd.url);
    const monitor = new ClusterMonitor(engine, { network: net, labels: testLabels });
    await monitor.start();
    try {
      const s = monitor.getSnapshot();
      const plan = tfConfigPlan(s.nodes);
      if (!plan.ok) throw new Error(plan.error);
      expect(plan.plans.filter((p) => p.diff.length > 0).length).toBeGreaterThan(0); // worker-2 was added after the others
      const { recreated } = await applyTfConfig(engine, s.nodes, plan.plans, net, () => undefined);
      expect(recreated.length).toBeGreaterThan(0);
    } finally {
      monitor.stop();
      engine.close();
    }
    const r = await tfmon(['status', '--json', '--no-probe', ...common()], env);
    expect((JSON.parse(r.stdout) as Status).nodes).toHaveLength(4);
  }, 120_000);

  it('doctor over ssh, and a docker context naming the ssh host', async () => {
    const d = await tfmon(['doctor', ...common()], env);
    expect(d.stderr).toBe('');
    expect(d.stdout).toContain('no_chief');
    writeContext('box', sshd.url);
    const r = await tfmon(
      ['status', '--json', '--no-probe', '--no-usage', '--context', 'box', '--network', net, '--label', TEST_LABEL],
      { ...env, DOCKER_CONFIG: config },
    );
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as Status).engine.host).toBe(sshd.url);
  }, 60_000);

  it('where the host forwards no sockets: dial-stdio sessions through the one master (a login per 8 sessions)', async () => {
    const strict = await startSshd({ forwarding: false });
    try {
      const r = await tfmon(['status', '--json', '--host', strict.url, '--network', net, '--label', TEST_LABEL], {
        PATH: pathWith(strict),
      });
      expect(r.stderr).toBe('');
      expect((JSON.parse(r.stdout) as Status).nodes).toHaveLength(4);
      expect(strict.logins()).toBeGreaterThanOrEqual(1);
      expect(strict.logins()).toBeLessThanOrEqual(4);
      console.log(`ssh without socket forwarding: status --json of 4 nodes in ${strict.logins()} logins`);
    } finally {
      await strict.stop();
    }
  }, 60_000);
});

describe('ssh:// when the link drops or slows', () => {
  const common = () => ['--network', net, '--label', TEST_LABEL];

  it('a dropped SSH connection: "engine unreachable — retrying", then back on one new login', async () => {
    const engine = new Engine(sshd.url);
    const monitor = new ClusterMonitor(engine, {
      network: net,
      labels: testLabels,
      usage: { intervalMs: 1000, mode: 'auto' },
    });
    try {
      await monitor.start();
      await monitor.waitFor((x) => Object.keys(x.usage).length === 4, 15_000);
      const before = sshd.logins();
      // sshd's processes for accepted connections: ending them drops tfmon's login, not the listener.
      for (const pid of childrenOf(sshd.pid)) process.kill(pid, 'SIGKILL');
      await monitor.waitFor((x) => /engine unreachable — retrying/.test(x.engineError ?? ''), 20_000);
      const s = await monitor.waitFor(
        (x) => x.engineError === null && x.nodes.filter((n) => n.state === 'running').length === 4,
        30_000,
      );
      expect(s.nodes).toHaveLength(4);
      await waitUntil(() => monitor.sampler!.openStreams === 4, 15_000);
      expect(sshd.logins() - before).toBe(1);
    } finally {
      monitor.stop();
      engine.close();
    }
  }, 90_000);

  it('a slow link (+100 ms each way): status --json, a key draws on the live screen; stalled, the figures say their age', async () => {
    const relay = await startDelayRelay(sshd.port, 100);
    const url = sshd.via(relay.port);
    try {
      const r = await tfmon(['status', '--json', '--host', url, ...common()], env);
      expect(r.stderr).toBe('');
      expect((JSON.parse(r.stdout) as Status).nodes).toHaveLength(4);
      const pty = tfmonInPty(['--host', url, ...common()], { columns: 140, rows: 40 }, env);
      try {
        await pty.waitFor(`${prefix}-ps-0`, 30_000);
        await pty.waitFor(/\d+\.\d+%/, 15_000); // figures arrived
        pty.child.stdin.write('?');
        await pty.waitFor('select the node above', 2000);
        pty.child.stdin.write('\u001b');
        relay.pause(); // the link stalls: nothing arrives, nothing is refused
        // Ink rewrites only what changed on a line: after the header's "usage from stats API", the
        // age arrives as ", 5s old", then "6s old"…
        const mark = pty.text().length;
        await waitUntil(() => /, \d+s old/.test(pty.text().slice(mark)), 20_000, 100);
        relay.resume();
        pty.child.stdin.write('q');
        expect(await pty.exited).toBe(0);
      } finally {
        pty.kill();
      }
    } finally {
      relay.resume();
      await relay.close();
    }
  }, 120_000);
});

describe('ssh:// failures: one line naming the host, exit 1, no hang', () => {
  const status = (host: string, extraEnv: NodeJS.ProcessEnv) =>
    tfmon(['status', '--json', '--no-probe', '--host', host, '--network', net, '--label', TEST_LABEL], extraEnv);
  const oneLine = (stderr: string): string => {
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
    return stderr.trim();
  };

  it('an unknown host key', async () => {
    const dir = tempDir('nokey');
    writeFileSync(join(dir, 'known_hosts'), '');
    writeFileSync(
      join(dir, 'ssh'),
      `#!/bin/sh\nexec /usr/bin/ssh -o UserKnownHostsFile=${dir}/known_hosts -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -i ${sshd.clientKey} -o IdentitiesOnly=yes "$@"\n`,
      { mode: 0o755 },
    );
    const before = Date.now();
    const r = await status(sshd.url, { PATH: `${dir}:${process.env['PATH']}` });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`${sshd.url}: Host key verification failed: its host key is unknown`));
    expect(Date.now() - before).toBeLessThan(15_000);
  });

  it('a key the host does not accept', async () => {
    const dir = tempDir('wrongkey');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'other')]);
    writeFileSync(
      join(dir, 'ssh'),
      `#!/bin/sh\nexec /usr/bin/ssh -o UserKnownHostsFile=${sshd.knownHosts} -o GlobalKnownHostsFile=/dev/null -o IdentityAgent=none -i ${dir}/other -o IdentitiesOnly=yes "$@"\n`,
      { mode: 0o755 },
    );
    const r = await status(sshd.url, { PATH: `${dir}:${process.env['PATH']}` });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(
      new RegExp(`${sshd.url}: .*Permission denied \\(publickey\\).*no key it accepts`),
    );
  });

  it('a refused connection, in a command and for the live screen: one line naming the host, exit 1', async () => {
    const port = await freePort();
    const url = `ssh://root@127.0.0.1:${port}`;
    const r = await status(url, env);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`${url}: .*Connection refused: nothing listens for SSH there`));
    const pty = tfmonInPty(['--host', url, '--network', net, '--label', TEST_LABEL], { columns: 120, rows: 30 }, env);
    try {
      // An engine that never answered: the screen does not open; one line, exit 1, as a command.
      expect(await pty.exited).toBe(1);
      expect(pty.text().trim()).toMatch(
        new RegExp(`^tfmon: ${url}: .*Connection refused: nothing listens for SSH there$`),
      );
    } finally {
      pty.kill();
    }
  }, 60_000);
});

describe('tcp:// with TLS to a real dockerd (--tlsverify)', () => {
  let host = '';
  const certs = () => tlsCerts();

  beforeAll(async () => {
    await startSecondEngine();
    host = tlsHost();
    const { ref } = await ensureSimImage(new Engine(SECOND));
    docker2('network', 'create', '--label', TEST_LABEL, tnet);
    for (const name of ['t-ps-0', 't-worker-0'])
      docker2('run', '-d', '--name', own(name), '--network', tnet, '--label', TEST_LABEL, ref);
  }, 90_000);

  afterAll(() => clearAndStopSecondEngine(TEST_LABEL), 60_000);

  const tlsEnv = (dir: string): NodeJS.ProcessEnv => ({ DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir });
  const args = () => ['--host', host, '--network', tnet, '--label', TEST_LABEL];

  it('status --json with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH: nodes, usage, the matrix', async () => {
    await sleep(2000);
    const r = await tfmon(['status', '--json', ...args()], tlsEnv(certs().clientDir));
    expect(r.stderr).toBe('');
    const s = JSON.parse(r.stdout) as Status;
    expect(s.usageSource).toBe('api');
    expect(s.nodes.map((n) => n.name)).toEqual([own('t-ps-0'), own('t-worker-0')]);
    expect(s.nodes.every((n) => (n.memBytes ?? 0) > 0)).toBe(true);
    expect(s.reachability.filter((e) => e.dns === 'ok' && e.tcp === 'ok').length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('a context with TLS files, the live screen, and --host twice (TLS and ssh)', async () => {
    writeContext('tls-box', host, certs().clientDir);
    const r = await tfmon(
      ['status', '--json', '--no-probe', '--context', 'tls-box', '--network', tnet, '--label', TEST_LABEL],
      { DOCKER_CONFIG: config },
    );
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as Status).nodes).toHaveLength(2);
    const pty = tfmonInPty(args(), { columns: 140, rows: 30 }, tlsEnv(certs().clientDir));
    try {
      await pty.waitFor(/10\.213\.0\.\d+/, 20_000); // the second engine's address pool: its nodes
      await pty.waitFor('usage from stats API', 15_000);
      pty.child.stdin.write('q');
      expect(await pty.exited).toBe(0);
    } finally {
      pty.kill();
    }
    // Two engines, one over TLS and one over ssh, one network name: one cluster over both.
    docker2('network', 'create', '--label', TEST_LABEL, net);
    try {
      const ref = docker2('inspect', '--format', '{{.Config.Image}}', own('t-ps-0'));
      docker2(
        'run',
        '-d',
        '--name',
        own('t-evaluator'),
        '--network',
        net,
        '--label',
        TEST_LABEL,
        '--label',
        'tfmon.role=evaluator',
        ref,
      );
      const both = await tfmon(
        ['status', '--json', '--no-probe', '--host', host, '--host', sshd.url, '--network', net, '--label', TEST_LABEL],
        { ...env, ...tlsEnv(certs().clientDir) },
      );
      expect(both.stderr).toBe('');
      const s = JSON.parse(both.stdout) as Status;
      expect(s.engines?.map((e) => [e.host, e.error])).toEqual([
        [host, null],
        [sshd.url, null],
      ]);
      expect(s.nodes.map((n) => n.name)).toContain(own('t-evaluator'));
      expect(s.nodes.map((n) => n.name)).toContain(`${prefix}-ps-0`);
    } finally {
      docker2('rm', '-f', own('t-evaluator'));
    }
  }, 90_000);

  it('a CA that did not sign the engine, no client certificate, an expired server certificate: one line each', async () => {
    const wrong = await tfmon(['status', '--json', '--no-probe', ...args()], tlsEnv(certs().wrongCaDir));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toMatch(new RegExp(`${host} shows a certificate that tfmon's ca.pem did not sign`));

    const caOnly = tempDir('ca-only');
    writeFileSync(join(caOnly, 'ca.pem'), readFileSync(certs().ca));
    const noCert = await tfmon(['status', '--json', '--no-probe', ...args()], tlsEnv(caOnly));
    expect(noCert.code).toBe(1);
    expect(noCert.stderr.trim().split('\n')).toHaveLength(1);
    expect(noCert.stderr).toMatch(new RegExp(`${host} refused tfmon's client certificate`));

    // An engine whose certificate expired: a TLS listener of the test's with that certificate.
    const server: Server = createTlsServer(
      { cert: readFileSync(certs().expiredCert), key: readFileSync(certs().expiredKey) },
      (s) => s.end(),
    );
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
    try {
      const expired = await tfmon(
        ['status', '--json', '--no-probe', '--host', `tcp://127.0.0.1:${port}`, '--network', tnet],
        tlsEnv(certs().clientDir),
      );
      expect(expired.code).toBe(1);
      expect(expired.stderr.trim()).toBe(
        `tfmon: the Docker engine at tcp://127.0.0.1:${port} shows an expired certificate: renew the engine's server certificate`,
      );
    } finally {
      server.close();
    }
  }, 60_000);
});
