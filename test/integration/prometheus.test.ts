// `tfmon serve` scraped by a real Prometheus (Debian's package, installed by the test script) on a
// real cluster: a burning worker's CPU rate, the tf_role labels, a cut link at 0; promtool on the
// exposition, the example alert rules and scrape config; the dashboard's queries; the endpoint's paths;
// and that scrapes make no Docker call and nothing on the endpoint writes to the engine.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SocketProxy } from '../helpers/socket-proxy.js';
import { tfmonInPty } from '../helpers/pty.js';
import { freePort, untilHealthy } from '../../bench/scrape.js';
import { tfConfigFor, type TaskSpec } from '../../source/cluster/tf-config.js';
import {
  CLI,
  cleanup,
  createNetwork,
  docker,
  own,
  requireEngine,
  ROOT,
  runSim,
  simImage,
  sleep,
  TEST_LABEL,
  tfmon,
} from './harness.js';

const net = own('prom');
const burn = own('p-worker-1');
const cut = own('p-worker-2');
const dir = mkdtempSync(join(tmpdir(), 'tfmon-prom-'));
const children: ChildProcess[] = [];
let tfmonPort = 0;
let promPort = 0;
/** When Prometheus had its first sample of tfmon. */
let scrapedSince = 0;

function start(cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  child.on('exit', (code) => {
    if (code !== null && code !== 0) console.error(`${cmd} exited ${code}: ${err}`);
  });
  children.push(child);
  return child;
}

const get = async (port: number, path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`http://127.0.0.1:${port}${path}`, init);

interface PromResult {
  metric: Record<string, string>;
  value: [number, string];
}
async function query(expr: string): Promise<PromResult[]> {
  const r = await get(promPort, `/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await r.json()) as { status: string; error?: string; data: { result: PromResult[] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}

beforeAll(async () => {
  requireEngine();
  if (spawnSync('prometheus', ['--version']).status !== 0)
    throw new Error(
      "prometheus is not installed: run the tests with `npm test` (it installs Debian's prometheus package)",
    );
  const image = await simImage();
  createNetwork(net);
  // TF_CONFIGs that name each other: the node cut off the network stays a member of the cluster.
  const tasks: TaskSpec[] = [
    { type: 'ps', index: 0, host: own('p-ps-0'), port: 2222 },
    ...[0, 1, 2].map((i): TaskSpec => ({ type: 'worker', index: i, host: own(`p-worker-${i}`), port: 2222 })),
  ];
  const env = (t: TaskSpec, more: Record<string, string> = {}): { env: Record<string, string> } => ({
    env: { TF_CONFIG: tfConfigFor(tasks, t), ...more },
  });
  runSim(image, own('p-ps-0'), net, env(tasks[0]!));
  runSim(image, own('p-worker-0'), net, env(tasks[1]!));
  runSim(image, burn, net, env(tasks[2]!, { SIM_BURN_CPU: '1' }));
  runSim(image, cut, net, env(tasks[3]!));
  [tfmonPort, promPort] = [await freePort(), await freePort()];
  start(process.execPath, [
    CLI,
    'serve',
    '--network',
    net,
    '--label',
    TEST_LABEL,
    '--metrics',
    `127.0.0.1:${tfmonPort}`,
    '--interval',
    '1',
    '--probe-interval',
    '1',
  ]);
  await untilHealthy(tfmonPort, 20_000);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(join(ROOT, 'examples/prometheus/tfmon-alerts.yml'))}]`,
      'scrape_configs:',
      '  - job_name: tfmon',
      `    static_configs: [{ targets: ['127.0.0.1:${tfmonPort}'] }]`,
    ].join('\n'),
  );
  start('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    '--log.level=warn',
  ]);
  const ready = Date.now() + 30_000;
  while ((await query('up{job="tfmon"} == 1').catch(() => [])).length === 0) {
    if (Date.now() > ready) throw new Error('Prometheus did not scrape tfmon within 30 s');
    await sleep(500);
  }
  scrapedSince = Date.now();
  docker('network', 'disconnect', net, cut);
}, 90_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  await sleep(500);
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  cleanup();
});

describe('a real Prometheus scraping tfmon serve', () => {
  it("finds the burning node's CPU rate near its CPU, the tf_role labels, and the cut link at 0", async () => {
    // Enough samples for a rate over 10 s (12 s of scraping), and a probe round after the cut.
    await sleep(Math.max(0, scrapedSince + 12_000 - Date.now()));
    let rate: PromResult[] = [];
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      rate = await query(`rate(container_cpu_usage_seconds_total{name="${burn}"}[10s])`);
      const cutLink = await query(`tfmon_reachability{from="${cut}"} == 0`);
      if (rate.length && cutLink.length) break;
      await sleep(1000);
    }
    expect(rate).toHaveLength(1);
    const status = (await (await get(tfmonPort, '/status')).json()) as {
      nodes: { name: string; cpuPercent: number | null }[];
    };
    const cpu = status.nodes.find((n) => n.name === burn)!.cpuPercent!;
    // One core burns: about 1 core-second a second, as tfmon's own CPU % says.
    expect(Number(rate[0]!.value[1])).toBeGreaterThan(0.7);
    expect(Math.abs(Number(rate[0]!.value[1]) - cpu / 100)).toBeLessThan(0.3);
    expect(rate[0]!.metric).toMatchObject({
      tf_role: 'worker',
      tf_index: '1',
      tf_cluster: net,
      id: expect.stringMatching(/^\/docker\/[0-9a-f]{64}$/),
    });
    const roles = await query(`count by (tf_role) (tfmon_node_up{tf_cluster="${net}"})`);
    expect(Object.fromEntries(roles.map((r) => [r.metric['tf_role'], r.value[1]]))).toEqual({ ps: '1', worker: '3' });
    const links = await query(`tfmon_reachability{from="${cut}"}`);
    expect(links.map((l) => `${l.metric['to']} ${l.value[1]}`)).toEqual([`${own('p-ps-0')} 0`]);
    expect(
      (await query(`tfmon_reachability{from="${own('p-worker-0')}",to="${own('p-ps-0')}"}`)).map((l) => l.value[1]),
    ).toEqual(['1']);
  }, 60_000);

  it("promtool passes the exposition, the example alert rules and scrape config; the dashboard's queries run", async () => {
    const text = await (await get(tfmonPort, '/metrics')).text();
    const metrics = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${metrics.stdout}${metrics.stderr}`.trim()).toBe('');
    expect(metrics.status).toBe(0);
    const rules = spawnSync('promtool', ['check', 'rules', join(ROOT, 'examples/prometheus/tfmon-alerts.yml')], {
      encoding: 'utf8',
    });
    expect(rules.stdout).toMatch(/SUCCESS: 6 rules found/);
    const config = spawnSync('promtool', ['check', 'config', join(ROOT, 'examples/prometheus/prometheus.yml')], {
      encoding: 'utf8',
    });
    expect(config.status, config.stderr).toBe(0);
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'examples/grafana/tfmon-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    for (const panel of dashboard.panels) {
      for (const t of panel.targets) {
        const expr = t.expr.replaceAll('$cluster', net).replaceAll('$__rate_interval', '30s');
        await expect(query(expr), panel.title).resolves.toBeInstanceOf(Array);
      }
    }
    // The CPU-per-role panel has figures for this cluster.
    const cpuByRole = await query(
      dashboard.panels[0]!.targets[0]!.expr.replaceAll('$cluster', net).replaceAll('$__rate_interval', '10s'),
    );
    expect(cpuByRole.map((r) => r.metric['tf_role']).sort()).toEqual(['ps', 'worker']);
  }, 30_000);

  it('OpenMetrics on request; /status is status --json; /healthz; 404 elsewhere; GET only', async () => {
    const om = await get(tfmonPort, '/metrics', { headers: { accept: 'application/openmetrics-text;version=1.0.0' } });
    expect(om.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect((await om.text()).trimEnd().endsWith('# EOF')).toBe(true);
    const plain = await get(tfmonPort, '/metrics');
    expect(plain.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const status = (await (await get(tfmonPort, '/status')).json()) as {
      network: string;
      nodes: unknown[];
      problems: unknown[];
    };
    expect(status.network).toBe(net);
    expect(status.nodes).toHaveLength(4);
    expect(await (await get(tfmonPort, '/healthz')).text()).toBe('ok\n');
    expect((await get(tfmonPort, '/metrics/../etc/passwd')).status).toBe(404);
    expect((await get(tfmonPort, '/nope')).status).toBe(404);
    expect((await get(tfmonPort, '/metrics', { method: 'POST' })).status).toBe(405);
  });

  it('serve: a bad address and one in use are one line each; doctor warns while an endpoint listens beyond loopback', async () => {
    const bad = await tfmon(['serve', '--network', net, '--metrics', 'http://x:1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^tfmon: --metrics must be PORT, HOST:PORT or \[IPv6\]:PORT .*\n$/);
    const busy = await tfmon([
      'serve',
      '--network',
      net,
      '--label',
      TEST_LABEL,
      '--no-probe',
      '--metrics',
      `127.0.0.1:${tfmonPort}`,
    ]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toBe(
      `tfmon: cannot listen on 127.0.0.1:${tfmonPort}: the address is in use (another tfmon serve?)\n`,
    );
    // Its own state directory, so that a developer's running tfmons are not counted.
    const state = join(dir, 'state');
    const env = { XDG_STATE_HOME: state };
    const clean = await tfmon(['doctor', '--no-probe', '--network', net, '--label', TEST_LABEL], env);
    expect(clean.stdout).not.toContain('metrics_public');
    const port = await freePort();
    const open = spawn(
      process.execPath,
      [CLI, 'serve', '--network', net, '--label', TEST_LABEL, '--no-probe', '--metrics', `0.0.0.0:${port}`],
      { stdio: 'ignore', env: { ...process.env, ...env } },
    );
    children.push(open);
    try {
      await untilHealthy(port, 20_000);
      const warned = await tfmon(['doctor', '--json', '--no-probe', '--network', net, '--label', TEST_LABEL], env);
      const problems = (
        JSON.parse(warned.stdout) as { problems: { code: string; severity: string; message: string }[] }
      ).problems;
      expect(problems.filter((p) => p.code === 'metrics_public')).toEqual([
        expect.objectContaining({
          severity: 'warning',
          message: expect.stringContaining(`serves metrics on 0.0.0.0:${port}, beyond loopback`),
        }),
      ]);
    } finally {
      open.kill('SIGTERM');
      await new Promise((r) => open.once('exit', r));
    }
    // Gone with it: the note is removed on exit.
    const after = await tfmon(['doctor', '--json', '--no-probe', '--network', net, '--label', TEST_LABEL], env);
    expect(after.stdout).not.toContain('metrics_public');
  }, 60_000);

  it('the live screen with --metrics serves the same beside the screen, and stops with it', async () => {
    const port = await freePort();
    const pty = tfmonInPty(['--network', net, '--label', TEST_LABEL, '--no-probe', '--metrics', `127.0.0.1:${port}`], {
      columns: 120,
      rows: 30,
    });
    try {
      await pty.waitFor(own('p-ps-0'), 20_000);
      const text = await (await get(port, '/metrics')).text();
      expect(text).toMatch(new RegExp(`^tfmon_node_up\\{name="${own('p-ps-0')}",`, 'm'));
      pty.child.stdin.write('q');
      expect(await pty.exited).toBe(0);
    } finally {
      pty.kill();
    }
    await expect(get(port, '/healthz')).rejects.toThrow();
  }, 40_000);

  it('a scrape makes no Docker call, and tfmon serve sends the engine nothing but reads', async () => {
    const proxy = new SocketProxy(join(dir, 'engine.sock'));
    await proxy.listen();
    const port = await freePort();
    const child = start(process.execPath, [
      CLI,
      'serve',
      '--host',
      `unix://${proxy.path}`,
      '--network',
      net,
      '--label',
      TEST_LABEL,
      '--metrics',
      `127.0.0.1:${port}`,
      '--no-probe',
      '--interval',
      '1',
    ]);
    try {
      await untilHealthy(port, 20_000);
      await sleep(2000); // its start: listing, inspects, log streams
      const before = proxy.requests.length;
      for (let i = 0; i < 20; i++) expect((await get(port, '/metrics')).status).toBe(200);
      expect((await get(port, '/status')).status).toBe(200);
      expect(proxy.requests.slice(before)).toEqual([]);
      expect(proxy.requests.filter((r) => !/^(GET|HEAD) /.test(r))).toEqual([]);
      expect(proxy.requests.length).toBeGreaterThan(0);
      // The engine goes away: /metrics keeps answering, says so, and presents nothing stale as fresh.
      await proxy.cut();
      let text = '';
      const gone = Date.now() + 10_000;
      while (!/^tfmon_engine_up\{[^}]*\} 0$/m.test(text)) {
        if (Date.now() > gone) throw new Error(`no tfmon_engine_up 0 within 10 s:\n${text.slice(0, 500)}`);
        await sleep(250);
        text = await (await get(port, '/metrics')).text();
      }
      expect(text).not.toMatch(/^(container_|tfmon_node_up|tfmon_training_step)\S*\{/m);
      expect((await get(port, '/healthz')).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await proxy.cut();
    }
    // SIGTERM: exit 0.
    expect(child.exitCode).toBe(0);
  }, 40_000);
});
