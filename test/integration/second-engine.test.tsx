// On a second engine of the tests' own: docker contexts (tfmon picks the engine as the docker CLI
// does), then Docker Swarm mode (a single-node swarm, left again at the end): up --swarm, status
// over the overlay, + / apply / r / - on services. One file, because both need that engine.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../source/engine/engine.js';
import { ensureSimImage } from '../../source/engine/sim-image.js';
import { render } from 'ink-testing-library';
import type { Snapshot } from '../../source/cluster/types.js';
import { App } from '../../source/ui/App.js';
import { tfConfigPlan } from '../../source/cluster/regenerate.js';
import { applyTfConfig, restartNodes, scaleDown, scaleUp } from '../../source/engine/cluster-actions.js';
import { ClusterMonitor } from '../../source/monitor/cluster-monitor.js';
import { MultiMonitor } from '../../source/monitor/multi.js';
import { fault } from '../faults/ledger.js';
import {
  cleanup,
  createNetwork,
  engineSocket,
  own,
  requireEngine,
  runSim,
  simImage,
  TEST_LABEL,
  testLabels,
  tfmon,
  waitUntil,
} from './harness.js';
import {
  clearAndStopSecondEngine,
  docker2,
  docker2Async,
  HOST,
  startSecondEngine,
  stopSecondEngine,
} from '../../bench/second-engine.js';
import { openSockets } from '../helpers/sockets.js';

const net = own('ctx');
const config = mkdtempSync(join(tmpdir(), 'tfmon-docker-config-'));

/** A docker context named `name` pointing at `host`, written as `docker context create` does. */
function writeContext(name: string, host: string): void {
  const dir = join(config, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
  );
}

beforeAll(async () => {
  requireEngine();
  await startSecondEngine();
  const { ref } = await ensureSimImage(new Engine(HOST));
  docker2('network', 'create', '--label', TEST_LABEL, net);
  docker2('run', '-d', '--name', own('ctx-worker-0'), '--network', net, '--label', TEST_LABEL, ref);
  writeContext('second', HOST);
}, 60_000);

afterAll(async () => {
  cleanup(); // what the tests made on the first engine
  try {
    const services = docker2('service', 'ls', '-q', '--filter', `label=${TEST_LABEL}`).split('\n').filter(Boolean);
    if (services.length) docker2('service', 'rm', ...services);
  } catch {
    // not a swarm (the swarm tests did not get that far)
  }
  try {
    docker2('swarm', 'leave', '--force');
  } catch {
    // not in a swarm
  }
  await clearAndStopSecondEngine(TEST_LABEL);
}, 60_000);

const names = (stdout: string): string[] =>
  (JSON.parse(stdout) as { nodes: { name: string }[] }).nodes.map((n) => n.name);
const args = ['status', '--json', '--no-usage', '--no-probe', '--network', net, '--label', TEST_LABEL];

describe('choosing the engine', () => {
  it('--context names a context; its endpoint is used', async () => {
    const r = await tfmon([...args, '--context', 'second'], { DOCKER_CONFIG: config });
    expect(r.stderr).toBe('');
    expect(names(r.stdout)).toEqual([own('ctx-worker-0')]);
    expect((JSON.parse(r.stdout) as { engine: { host: string } }).engine.host).toBe(HOST);
  });

  it('the current context of config.json, and DOCKER_CONTEXT, are honoured; DOCKER_HOST wins over both', async () => {
    writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'second' }));
    expect(names((await tfmon(args, { DOCKER_CONFIG: config })).stdout)).toEqual([own('ctx-worker-0')]);
    writeFileSync(join(config, 'config.json'), JSON.stringify({}));
    expect(names((await tfmon(args, { DOCKER_CONFIG: config, DOCKER_CONTEXT: 'second' })).stdout)).toEqual([
      own('ctx-worker-0'),
    ]);
    // The first engine has no such network: DOCKER_HOST pointing at it wins, and says so.
    const first = await tfmon(args, {
      DOCKER_CONFIG: config,
      DOCKER_CONTEXT: 'second',
      DOCKER_HOST: `unix://${engineSocket()}`,
    });
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(new RegExp(`network "${net}" not found`));
  });

  it('an unknown context is one line and exit 1', async () => {
    const r = await tfmon([...args, '--context', 'nope'], { DOCKER_CONFIG: config });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tfmon: docker context "nope" not found .*\n$/);
  });
});

describe('the engine restarts under a running tfmon', () => {
  const rnet = own('restart');

  it('a real dockerd stopped and started: banner, then events, stats, logs and probes back within 5 s; no line lost, no socket left', async () => {
    await fault('the watched engine (a real dockerd) restarted', async (data) => {
      const image = (await ensureSimImage(new Engine(HOST))).ref;
      docker2('network', 'create', '--label', TEST_LABEL, rnet);
      // restart=always: the daemon starts them again when it comes back, as on a real GPU box.
      for (const [name, step] of [
        ['r-ps-0', '0.2'],
        ['r-worker-0', '2'],
      ] as const) {
        docker2(
          'run',
          '-d',
          '--restart',
          'always',
          '--name',
          own(name),
          '--network',
          rnet,
          '--label',
          TEST_LABEL,
          '--env',
          `SIM_STEP_S=${step}`,
          image,
        );
      }
      const baseline = openSockets();
      const engine = new Engine(HOST);
      const monitor = new ClusterMonitor(engine, {
        network: rnet,
        labels: testLabels,
        usage: { intervalMs: 1000, mode: 'api' },
        probe: { intervalMs: 1000 },
      });
      await monitor.start();
      const ui = render(
        <App
          store={monitor}
          logs={monitor.logs}
          theme={{ color: false, ascii: false }}
          size={{ columns: 120, rows: 30 }}
        />,
      );
      const since: Record<string, number> = {};
      try {
        const ps = monitor.getSnapshot().nodes.find((n) => n.name === own('r-ps-0'))!;
        monitor.logs.show([ps]);
        await waitUntil(() => monitor.logs.lines(ps.id).length > 5 && monitor.sampler!.openStreams === 2, 10_000, 50);
        await stopSecondEngine();
        await monitor.waitFor((x) => /engine unreachable — retrying/.test(x.engineError ?? ''), 10_000);
        await waitUntil(() => (ui.lastFrame() ?? '').includes('engine unreachable — retrying'), 2000, 50);
        await startSecondEngine();
        const back = Date.now();
        const seen = (what: string) => (since[what] ??= Date.now() - back);
        // Each stream on its own: events (the engine answers again and a container started after
        // the return shows up), stats (one per running node), logs (new lines after the return), probes.
        await monitor.waitFor((x) => x.engineError === null, 10_000);
        // Asynchronous: a synchronous docker call here would freeze the monitor being timed.
        await docker2Async('run', '-d', '--name', own('r-worker-1'), '--network', rnet, '--label', TEST_LABEL, image);
        await monitor.waitFor(
          (x) => x.nodes.some((n) => n.name === own('r-worker-1') && n.state === 'running'),
          10_000,
        );
        seen('events');
        await waitUntil(() => monitor.sampler!.openStreams === 3, 10_000, 50);
        seen('stats');
        const ps2 = monitor.getSnapshot().nodes.find((n) => n.name === own('r-ps-0'))!;
        await waitUntil(
          () => monitor.logs.openStreams === 1 && monitor.logs.lines(ps2.id).some((l) => l.time > back),
          10_000,
          50,
        );
        seen('logs');
        // Probes: the ps reaches both workers' ports (the matrix's every pair, as on screen).
        const psReachesBoth = (x: Snapshot): boolean =>
          x.reachability.filter((e) => e.from === own('r-ps-0') && e.tcp === 'ok').length === 2;
        void monitor.probeNow('all');
        await monitor.waitFor(psReachesBoth, 10_000);
        seen('probes');
        console.log(`engine restart: back after ${JSON.stringify(since)} ms`);
        expect(Math.max(...Object.values(since))).toBeLessThan(5000);
        const reach = monitor.getSnapshot().reachability;
        expect(
          reach
            .filter((e) => e.from === own('r-ps-0') && e.tcp === 'ok')
            .map((e) => e.to)
            .sort(),
        ).toEqual([own('r-worker-0'), own('r-worker-1')]);
        // Every line the engine kept for the node, from the first one shown to the last, is on screen.
        const ours = new Set(monitor.logs.lines(ps2.id).map((l) => l.ts));
        const kept = docker2('logs', '-t', own('r-ps-0'))
          .split('\n')
          .map((l) => l.split(' ')[0]!)
          .filter(Boolean);
        const first = monitor.logs.lines(ps2.id)[0]!.ts!;
        const last = monitor.logs.lines(ps2.id).at(-1)!.ts!;
        const expected = kept.filter((ts) => ts >= first && ts <= last);
        const lost = expected.filter((ts) => !ours.has(ts)).length;
        data.count(expected.length, lost);
        expect(lost).toBe(0);
      } finally {
        ui.unmount();
        monitor.stop();
        engine.close();
        await waitUntil(() => openSockets() <= baseline, 5000, 100).catch(() => undefined);
        expect(openSockets()).toBeLessThanOrEqual(baseline);
      }
    });
  }, 120_000);
});

describe('swarm mode', () => {
  const snet = own('swarm');
  const prefix = own('s');
  const common = ['-H', HOST, '--network', snet, '--label', TEST_LABEL];
  let engine: Engine;
  let monitor: ClusterMonitor;
  const byService = (s: Snapshot, name: string) => s.nodes.find((n) => n.service === name);

  beforeAll(async () => {
    // This engine is the tests' own: a swarm left from an interrupted run is left first.
    try {
      docker2('swarm', 'leave', '--force');
    } catch {
      // not in a swarm
    }
    docker2('swarm', 'init', '--advertise-addr', '127.0.0.1');
    engine = new Engine(HOST);
  }, 30_000);
  afterAll(() => monitor?.stop());

  it('up --swarm creates one service per task on an attachable overlay network; status lists the tasks', async () => {
    const up = await tfmon(['up', '--swarm', ...common, '--prefix', prefix]);
    expect(up.stderr).toBe('');
    expect(up.stdout).toContain(`created overlay network ${snet} (attachable)`);
    expect(docker2('network', 'inspect', snet, '--format', '{{.Driver}} {{.Attachable}}')).toBe('overlay true');
    expect(docker2('service', 'inspect', `${prefix}-worker-1`, '--format', '{{.Spec.EndpointSpec.Mode}}')).toBe(
      'dnsrr',
    );
    monitor = new ClusterMonitor(engine, { network: snet, labels: testLabels, probe: { intervalMs: 60_000 } });
    await monitor.start();
    await monitor.waitFor((s) => s.nodes.length === 3 && s.nodes.every((n) => n.state === 'running'), 30_000);
    const r = await tfmon(['status', '--json', '--no-usage', '--probe-all', ...common]);
    const s = JSON.parse(r.stdout) as {
      nodes: { name: string; service: string; role: string; index: number; ip: string; swarmNode: string }[];
      reachability: { tcp: string }[];
    };
    const host = docker2('info', '--format', '{{.Name}}');
    expect(s.nodes.map((n) => [n.service, n.role, n.index, n.swarmNode])).toEqual([
      [`${prefix}-ps-0`, 'ps', 0, host],
      [`${prefix}-worker-0`, 'worker', 0, host],
      [`${prefix}-worker-1`, 'worker', 1, host],
    ]);
    expect(s.nodes.every((n) => /^10\.0\./.test(n.ip))).toBe(true);
    // Over the overlay, every task reaches every other by its service name.
    expect(s.reachability).toHaveLength(6);
    expect(s.reachability.every((e) => e.tcp === 'ok')).toBe(true);
    // On screen: tasks by service name, with the swarm node they run on.
    const r2 = render(<App store={monitor} theme={{ color: false, ascii: false }} size={{ columns: 140, rows: 30 }} />);
    try {
      const f = r2.lastFrame() ?? '';
      expect(f).toContain('SWARM NODE');
      expect(f).toMatch(new RegExp(`worker +1 +${prefix}-worker-1 +running .* ${host}`));
    } finally {
      r2.unmount();
    }
  }, 60_000);

  it('+ adds a worker service; apply updates the others; r replaces a task; - removes a service', async () => {
    await scaleUp(engine, monitor.getSnapshot().nodes, snet, () => undefined);
    let s = await monitor.waitFor((x) => byService(x, `${prefix}-worker-2`)?.state === 'running', 30_000);
    expect(byService(s, `${prefix}-worker-2`)?.tfConfigParsed?.task).toEqual({ type: 'worker', index: 2 });
    expect(s.problems.filter((p) => p.code === 'tf_config_stale')).toHaveLength(3);
    const plan = tfConfigPlan(s.nodes);
    if (!plan.ok) throw new Error(plan.error);
    await applyTfConfig(engine, s.nodes, plan.plans, snet, () => undefined);
    s = await monitor.waitFor(
      (x) =>
        x.nodes.length === 4 &&
        x.nodes.every((n) => n.state === 'running') &&
        !x.problems.some((p) => p.code === 'tf_config_stale'),
      60_000,
    );
    const before = byService(s, `${prefix}-ps-0`)!.id;
    await restartNodes(engine, s.nodes, [before], () => undefined);
    s = await monitor.waitFor(
      (x) => byService(x, `${prefix}-ps-0`)?.id !== before && byService(x, `${prefix}-ps-0`)?.state === 'running',
      30_000,
    );
    const last = s.nodes.find((n) => n.service === `${prefix}-worker-2`)!;
    await scaleDown(engine, s.nodes, last.id, () => undefined);
    expect(
      docker2('service', 'ls', '--format', '{{.Name}}', '--filter', `label=${TEST_LABEL}`).split('\n').sort(),
    ).toEqual([`${prefix}-ps-0`, `${prefix}-worker-0`, `${prefix}-worker-1`]);
  }, 120_000);

  it('a task on another swarm node (no container here) is listed from the manager, marked remote', async () => {
    // One swarm node on one machine: a task placed on a node that does not exist stays pending, as
    // the manager's task with its overlay address and no container here — the remote case.
    const tfConfig = JSON.stringify({
      cluster: {
        ps: [`${prefix}-ps-0:2222`],
        worker: [`${prefix}-worker-0:2222`, `${prefix}-worker-1:2222`, `${prefix}-far-worker-2:2222`],
      },
      task: { type: 'worker', index: 2 },
    });
    docker2(
      'service',
      'create',
      '--detach',
      '--name',
      `${prefix}-far-worker-2`,
      '--network',
      snet,
      '--endpoint-mode',
      'dnsrr',
      '--constraint',
      'node.hostname==gpu-box-far',
      '--label',
      TEST_LABEL,
      '--container-label',
      TEST_LABEL,
      '--env',
      `TF_CONFIG=${tfConfig}`,
      '--no-resolve-image',
      (await ensureSimImage(engine)).ref,
    );
    await new Promise((r) => setTimeout(r, 1500));
    const s = JSON.parse((await tfmon(['status', '--json', '--no-usage', '--no-probe', ...common])).stdout) as {
      nodes: { service: string; state: string; ip: string | null; role: string; index: number }[];
    };
    expect(s.nodes.find((n) => n.service === `${prefix}-far-worker-2`)).toMatchObject({
      state: 'created',
      role: 'worker',
      index: 2,
    });
    const far = new ClusterMonitor(engine, { network: snet, labels: testLabels });
    await far.start();
    const ui = render(
      <App store={far} logs={far.logs} theme={{ color: false, ascii: false }} size={{ columns: 140, rows: 40 }} />,
    );
    try {
      const node = far.getSnapshot().nodes.find((n) => n.service === `${prefix}-far-worker-2`)!;
      expect(node.remote).toBe(true);
      expect(ui.lastFrame()).toMatch(new RegExp(`${prefix}-far-worker-2 +created`));
      for (let i = 0; i < far.getSnapshot().nodes.indexOf(node); i++) ui.stdin.write('j');
      // Its details and its log pane say why there is nothing from it here.
      await waitUntil(() => (ui.lastFrame() ?? '').includes('runs on another swarm node'), 3000, 50);
      expect(ui.lastFrame()).toMatch(/swarm +service .*far-worker-2, a task on another swarm node/);
    } finally {
      ui.unmount();
      far.stop();
      docker2('service', 'rm', `${prefix}-far-worker-2`);
    }
  }, 30_000);

  it('down removes the services and the network', async () => {
    monitor.stop();
    const r = await tfmon(['down', '--yes', ...common]);
    expect(r.stdout).toContain('removed 3 services');
    expect(docker2('service', 'ls', '-q', '--filter', `label=${TEST_LABEL}`)).toBe('');
  }, 30_000);
});

describe('several engines in one view', () => {
  const mnet = own('multi');
  let multi: MultiMonitor;
  afterAll(() => multi?.stop());

  it('merges both engines with an ENGINE column; a stopped engine is marked unreachable while the other keeps updating', async () => {
    const image = await simImage();
    createNetwork(mnet);
    runSim(image, own('m-ps-0'), mnet);
    docker2('network', 'create', '--label', TEST_LABEL, mnet);
    docker2('run', '-d', '--name', own('m-worker-0'), '--network', mnet, '--label', TEST_LABEL, image);
    const r = await tfmon([
      'status',
      '--json',
      '--no-usage',
      '--no-probe',
      '-H',
      `unix://${engineSocket()}`,
      '-H',
      HOST,
      '--network',
      mnet,
      '--label',
      TEST_LABEL,
    ]);
    const s = JSON.parse(r.stdout) as {
      engines: { host: string; nodes: number }[];
      nodes: { name: string; engineHost: string }[];
      problems: { code: string }[];
    };
    expect(s.nodes.map((n) => [n.name, n.engineHost])).toEqual([
      [own('m-ps-0'), `unix://${engineSocket()}`],
      [own('m-worker-0'), HOST],
    ]);
    expect(s.engines.map((e) => e.nodes)).toEqual([1, 1]);
    expect(s.problems.map((p) => p.code)).toContain('cross_engine_without_overlay');

    multi = new MultiMonitor([new Engine(`unix://${engineSocket()}`), new Engine(HOST)], {
      network: mnet,
      labels: testLabels,
    });
    await multi.start();
    const ui = render(
      <App store={multi} logs={multi.logs} theme={{ color: false, ascii: false }} size={{ columns: 120, rows: 30 }} />,
    );
    try {
      expect(ui.lastFrame()).toMatch(new RegExp(`${own('m-worker-0')} +running +tfmon-test-do`));
      // A fault of the suite's (test/faults/ledger.ts): a real dockerd stopped and started again.
      await fault('a watched engine (a real dockerd) stopped, then started again', async (data) => {
        await stopSecondEngine();
        await multi.waitFor(
          (x) => x.problems.some((p) => p.code === 'engine_unreachable' && p.message.startsWith(HOST)),
          15_000,
        );
        // The first engine still updates: a node started there appears.
        runSim(image, own('m-worker-1'), mnet);
        await multi.waitFor((x) => x.nodes.some((n) => n.name === own('m-worker-1')), 5000);
        await waitUntil(() => (ui.lastFrame() ?? '').includes(HOST), 3000, 50);
        await startSecondEngine();
        const back = Date.now();
        // Its events stream is reopened (backoff at most 4 s) and resynced: the engine is back.
        await multi.waitFor((x) => !x.problems.some((p) => p.code === 'engine_unreachable'), 8000);
        expect(Date.now() - back).toBeLessThan(5000);
        // Its containers stopped with the daemon; started again, the node is back in the view.
        docker2('start', own('m-worker-0'));
        await multi.waitFor((x) => x.nodes.some((n) => n.name === own('m-worker-0') && n.state === 'running'), 8000);
        data.count(3, Math.max(0, 3 - multi.getSnapshot().nodes.length));
      });
    } finally {
      ui.unmount();
      multi.stop();
      // Back up, so that the cleanup can remove what this file made there.
      await startSecondEngine();
    }
  }, 90_000);
});
