// The fault suite: what breaks around tfmon while it runs, each fault counted (ledger.ts): the
// engine going away and coming back, a slow engine, a paused node, a node gone mid-round,
// hostile and oversized input, churn (terminal.test.tsx and security.test.tsx hold the rest).
// `npm run test:faults` runs them and prints the counts.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../source/engine/engine.js';
import { ClusterMonitor } from '../../source/monitor/cluster-monitor.js';
import { ProbeSampler } from '../../source/monitor/probe-sampler.js';
import { App } from '../../source/ui/App.js';
import {
  cleanup,
  createNetwork,
  docker,
  own,
  requireEngine,
  runSim,
  simImage,
  TEST_LABEL,
  testLabels,
  tfmon,
  waitUntil,
} from '../integration/harness.js';
import { SocketProxy } from '../helpers/socket-proxy.js';
import { fault } from './ledger.js';
import { rssBytes } from '../../bench/procs.js';
import { tfmonInPty } from '../helpers/pty.js';
import { openSockets } from '../helpers/sockets.js';

const net = own('faults');
let image = '';
const proxy = new SocketProxy(`/tmp/${own('fproxy')}.sock`);

beforeAll(async () => {
  requireEngine();
  image = await simImage();
  createNetwork(net);
  await proxy.listen();
  runSim(image, own('f-ps-0'), net, { env: { SIM_STEP_S: '0.2', SIM_FORMAT: 'plain' } });
  runSim(image, own('f-worker-0'), net);
}, 60_000);
afterAll(async () => {
  await proxy.cut();
  rmSync(proxy.path, { force: true });
  cleanup();
});

describe('faults', () => {
  it('the engine goes away and comes back: banner, every stream back within 5 s, no line lost, no socket leaked', async () => {
    await fault('engine unreachable for 3 s, then back', async (data) => {
      const baseline = openSockets();
      const engine = new Engine(`unix://${proxy.path}`);
      // Training on, as the live screen runs: the worker's stream is followed for its progress too.
      const monitor = new ClusterMonitor(engine, {
        network: net,
        labels: testLabels,
        usage: { intervalMs: 1000, mode: 'api' },
        probe: { intervalMs: 1000 },
        training: { stallAfterMs: 120_000, custom: [] },
      });
      let missing = 1;
      let checked = 0;
      try {
        await monitor.start();
        const ps = monitor.getSnapshot().nodes.find((n) => n.name === own('f-ps-0'))!;
        monitor.logs.show([ps]);
        await waitUntil(
          () =>
            monitor.logs.lines(ps.id).length > 5 &&
            monitor.sampler!.openStreams === 2 &&
            monitor.logs.openStreams === 2,
          8000,
          50,
        );
        const worker = monitor.getSnapshot().nodes.find((n) => n.name === own('f-worker-0'))!;
        const stepBefore = monitor.getSnapshot().training[worker.id]?.step ?? -1;
        await proxy.cut();
        await monitor.waitFor((s) => s.engineError !== null && /unreachable/.test(s.engineError), 5000);
        await new Promise((r) => setTimeout(r, 3000));
        await proxy.listen();
        const back = Date.now();
        await monitor.waitFor((s) => s.engineError === null, 8000);
        await waitUntil(() => monitor.sampler!.openStreams === 2 && monitor.logs.openStreams === 2, 8000, 50);
        await monitor.probeNow(); // a round begun during the outage ends first
        await monitor.probeNow();
        expect(Date.now() - back).toBeLessThan(5000);
        // The worker dials the ps (the pair TensorFlow uses); both ports answer tfmon's host.
        expect(monitor.getSnapshot().reachability.map((e) => `${e.tcp} ${e.reason ?? ''}`)).toEqual(['ok ']);
        expect(Object.values(monitor.getSnapshot().listeners).map((l) => l.state)).toEqual(['ok', 'ok']);
        // The sim printed a step every 0.2 s throughout: the reopened stream starts where it stopped.
        await new Promise((r) => setTimeout(r, 1000));
        const steps = monitor.logs
          .lines(ps.id)
          .map((l) => /step (\d+) /.exec(l.text)?.[1])
          .filter(Boolean)
          .map(Number);
        checked = steps.length ? steps.at(-1)! - steps[0]! + 1 : 1;
        missing = steps.length ? checked - new Set(steps).size : 1;
        // The worker's training stream came back too: its step moves on past the outage.
        await monitor.waitFor((x) => (x.training[worker.id]?.step ?? -1) > stepBefore, 5000);
      } finally {
        // Streams and sessions end with the monitor; idle keep-alive connections with the engine.
        monitor.stop();
        engine.close();
      }
      // Closing is asynchronous on both ends (the proxy lives in this process too): give it time.
      await waitUntil(() => openSockets() <= baseline, 5000, 100).catch(() => undefined);
      // Which side holds a socket left over: tfmon (the proxy still has its half) or the proxy alone.
      expect(openSockets(), `the proxy holds ${proxy.openSockets} sockets`).toBeLessThanOrEqual(baseline);
      data.count(checked, missing);
      expect(missing).toBe(0);
    });
  }, 60_000);

  it('a slow engine (every answer 400 ms late) leaves the keys as quick as ever', async () => {
    await fault('engine answering 400 ms late', async () => {
      proxy.delayMs = 400;
      const monitor = new ClusterMonitor(new Engine(`unix://${proxy.path}`), { network: net, labels: testLabels });
      try {
        await monitor.start();
        const r = render(
          <App store={monitor} theme={{ color: false, ascii: false }} size={{ columns: 100, rows: 30 }} />,
        );
        try {
          const before = r.frames.length;
          const t0 = Date.now();
          r.stdin.write('j');
          await waitUntil(() => r.frames.length > before, 1000, 5);
          expect(Date.now() - t0).toBeLessThan(200);
          expect(r.lastFrame()).toMatch(/›.worker/);
        } finally {
          r.unmount();
        }
      } finally {
        monitor.stop();
        proxy.delayMs = 0;
      }
    });
  }, 30_000);

  it('a node paused mid-probe: the exec the engine refuses (409) becomes a reason on its pairs; the screen says paused', async () => {
    await fault('node paused mid-probe', async () => {
      const engine = new Engine();
      const monitor = new ClusterMonitor(engine, {
        network: net,
        labels: testLabels,
        usage: { intervalMs: 1000, mode: 'api' },
        probe: { intervalMs: 60_000 },
      });
      await monitor.start();
      try {
        await monitor.probeNow('all');
        // The round's view from before the pause: the plan still has the node running, as a round
        // planned a moment before `docker pause` has.
        const before = monitor.getSnapshot().nodes;
        docker('pause', own('f-worker-0'));
        const stale = new ProbeSampler(
          engine,
          () => before,
          () => undefined,
          {},
          () => false,
        );
        try {
          await stale.round('all');
          const rows = stale.reachability.filter((e) => e.from === own('f-worker-0'));
          expect(rows.length).toBeGreaterThan(0);
          for (const e of rows) {
            expect(e.tcp).toBe('unprobed');
            expect(e.reason).toMatch(new RegExp(`^cannot run the probe in ${own('f-worker-0')}: .*paused`));
          }
        } finally {
          stale.stop();
        }
        await monitor.waitFor((s) => s.nodes.some((n) => n.name === own('f-worker-0') && n.state === 'paused'), 5000);
        await monitor.probeNow();
        const s = monitor.getSnapshot();
        expect(s.engineError).toBeNull();
        expect(
          s.problems.filter((p) => p.node === own('f-worker-0') && p.code === 'not_running').map((p) => p.severity),
        ).toEqual(['warning']);
        const r = render(
          <App store={monitor} theme={{ color: false, ascii: false }} size={{ columns: 160, rows: 30 }} />,
        );
        const row = (r.lastFrame() ?? '').split('\n').find((l) => l.includes(own('f-worker-0'))) ?? '';
        r.unmount();
        expect(row).toMatch(/paused/);
      } finally {
        docker('unpause', own('f-worker-0'));
        monitor.stop();
        engine.close();
      }
    });
  }, 30_000);

  it('a node removed in the middle of a probe round (404 mid-exec) leaves no error behind', async () => {
    await fault('container removed during a probe round', async () => {
      runSim(image, own('gone-worker-9'), net);
      const monitor = new ClusterMonitor(new Engine(), {
        network: net,
        labels: testLabels,
        probe: { intervalMs: 60_000 },
      });
      await monitor.start();
      try {
        await monitor.probeNow();
        const round = monitor.probeNow();
        docker('rm', '-f', own('gone-worker-9'));
        await round;
        const s = await monitor.waitFor((x) => !x.nodes.some((n) => n.name === own('gone-worker-9')), 5000);
        expect(s.engineError).toBeNull();
        await monitor.probeNow();
        expect(monitor.getSnapshot().reachability.some((e) => e.from === own('gone-worker-9'))).toBe(false);
      } finally {
        monitor.stop();
      }
    });
  }, 30_000);

  it('oversized, mistyped and hostile TF_CONFIGs and names are reported, never crash', async () => {
    await fault('1 MB TF_CONFIG, wrong types, ../ in a host name, escapes in a label', async () => {
      // Created, not started: an environment variable this long could not even reach a process.
      // The engine itself refuses 1 MB (the CLI: E2BIG; the API: 431): 300 kB, over tfmon's own
      // 256 kB limit, is the largest that gets in (the 1 MB string is a unit test of the parser).
      await new Engine().containers.createRaw(own('big-worker-1'), {
        Image: image,
        Env: [`TF_CONFIG=${'{"cluster":{}}'.padEnd(300 * 1024, ' ')}`],
        Labels: testLabels,
        HostConfig: { NetworkMode: net },
      });
      docker(
        'create',
        '--name',
        own('typed-worker-2'),
        '--network',
        net,
        '--label',
        TEST_LABEL,
        '--env',
        'TF_CONFIG={"cluster":{"worker":[1,2]},"task":{"type":7}}',
        image,
      );
      docker(
        'create',
        '--name',
        own('evil-worker-3'),
        '--network',
        net,
        '--label',
        TEST_LABEL,
        '--label',
        'note=\u001b]52;c;cm0gLXJm\u0007\u001b[2J',
        '--env',
        'TF_CONFIG={"cluster":{"worker":["../../etc:2222"]},"task":{"type":"worker","index":0}}',
        image,
      );
      const r = await tfmon(['status', '--json', '--no-usage', '--no-probe', '--network', net, '--label', TEST_LABEL]);
      expect(r.code).toBe(0);
      const s = JSON.parse(r.stdout) as { problems: { node: string; code: string; message: string }[] };
      const invalid = (name: string) =>
        s.problems.find((p) => p.node === own(name) && p.code === 'tf_config_invalid')?.message;
      expect(invalid('big-worker-1')).toMatch(/TF_CONFIG is \d+ characters long/);
      expect(invalid('typed-worker-2')).toMatch(/is not a string/);
      expect(invalid('evil-worker-3')).toMatch(/is not host:port/);
      const table = await tfmon(['status', '--no-usage', '--no-probe', '--network', net, '--label', TEST_LABEL]);
      expect(table.stdout).not.toMatch(/\u001b|\u0007/);
      docker('rm', '-f', own('big-worker-1'), own('typed-worker-2'), own('evil-worker-3'));
    });
  }, 30_000);

  it('churn: 50 containers come and go for 2 minutes under a live tfmon; it ends right, memory back, no stream left', async () => {
    const seconds = Number(process.env['FAULTS_CHURN_S'] ?? 120);
    const size = Number(process.env['FAULTS_CHURN_N'] ?? 50);
    await fault(`churn: ${size} containers created and removed for ${seconds} s`, async (data) => {
      // Two watchers: this process's monitor (its streams can be counted) and tfmon itself in a
      // terminal, as a user runs it (its memory is its own, not vitest's).
      const monitor = new ClusterMonitor(new Engine(), {
        network: net,
        labels: testLabels,
        usage: { intervalMs: 1000, mode: 'api' },
        probe: { intervalMs: 5000 },
      });
      await monitor.start();
      const r = render(
        <App
          store={monitor}
          logs={monitor.logs}
          theme={{ color: false, ascii: false }}
          size={{ columns: 120, rows: 40 }}
        />,
      );
      // NODE_ENV=development as a developer's shell may have it: React's development build leaked
      // a performance measure per frame until tfmon forced production for its screen. Its heap is
      // capped at 64 MB (it holds ~26 MB at 50 nodes): a leak ends it with "heap out of memory".
      const tui = tfmonInPty(
        ['--network', net, '--label', TEST_LABEL],
        { columns: 120, rows: 40 },
        { NODE_ENV: 'development', NODE_OPTIONS: '--max-old-space-size=64' },
      );
      const rss: number[] = [];
      let made = 0;
      const MiB = 1024 * 1024;
      try {
        await tui.waitFor('2 nodes');
        await new Promise((res) => setTimeout(res, 3000));
        const rss0 = rssBytes(tui.pid());
        // The terminal's output is kept in this process too (for the checks below): not counted.
        // So are the test renderer's frames (it keeps every one): emptied before each count.
        r.frames.splice(0);
        const heap0 = heapAfterGc() - tui.output().length;
        const sampler = setInterval(() => rss.push(rssBytes(tui.pid())), 1000);
        const until = Date.now() + seconds * 1000;
        try {
          while (Date.now() < until) {
            const batch = Array.from({ length: size }, (_, i) => own(`churn-${made + i}`));
            made += size;
            await inParallel(batch, 6, (name) =>
              dockerAsync(
                'run',
                '-d',
                '--name',
                name,
                '--network',
                net,
                '--label',
                TEST_LABEL,
                '--env',
                'SIM_STEP_S=1',
                image,
              ),
            );
            await inParallel(batch, 6, (name) => dockerAsync('rm', '-f', name));
          }
        } finally {
          clearInterval(sampler);
        }
        const s = await monitor
          .waitFor((x) => !x.nodes.some((n) => n.name.includes('-churn-')), 15_000)
          .catch(() => {
            const left = monitor
              .getSnapshot()
              .nodes.filter((n) => n.name.includes('-churn-'))
              .map((n) => `${n.name} ${n.state}`);
            throw new Error(
              `still listed after the churn: ${left.length} (${left.slice(0, 5).join(', ')}); the engine has ${docker('ps', '-aq', '--filter', 'name=churn').split('\n').filter(Boolean).length}`,
            );
          });
        expect(s.nodes.map((n) => n.name).sort()).toEqual([own('f-ps-0'), own('f-worker-0')]);
        await monitor.probeNow(); // sessions of nodes gone are closed at the next round
        // One probe session: the worker's (it dials the ps; a ps dials nobody); none for a node gone.
        await waitUntil(() => monitor.sampler!.openStreams === 2 && monitor.probe!.openSessions === 1, 15_000, 100);
        expect(monitor.logs.openStreams).toBeLessThanOrEqual(1);
        expect(r.lastFrame()).not.toContain('-churn-');
        // This process's monitor and screen hold what they held before, once garbage is collected.
        r.frames.splice(0);
        const heapEnd = heapAfterGc() - tui.output().length;
        // The live tfmon: its last header counts the two nodes left, it printed no error, it lived
        // through the churn under its heap cap, and its resident memory came back near its start.
        // V8 gives pages back when its memory reducer runs, tens of seconds after the load drops.
        await waitUntil(() => [...tui.text().matchAll(/(\d+) nodes:/g)].at(-1)?.[1] === '2', 15_000, 200);
        const quiet = Date.now();
        await waitUntil(() => rssBytes(tui.pid()) - rss0 < 40 * MiB, 60_000, 1000).catch(() => undefined);
        const rssEnd = rssBytes(tui.pid());
        console.log(
          `churn: ${made} containers in ${seconds} s; this process's heap after GC ${(heap0 / MiB).toFixed(1)} -> ${(heapEnd / MiB).toFixed(1)} MiB; ` +
            `tfmon RSS ${(rss0 / MiB).toFixed(0)} MiB at start, ${(Math.max(...rss) / MiB).toFixed(0)} MiB at most, ${(rssEnd / MiB).toFixed(0)} MiB ${((Date.now() - quiet) / 1000).toFixed(0)} s after the churn`,
        );
        expect(heapEnd - heap0).toBeLessThan(10 * MiB);
        expect(tui.text()).not.toMatch(/Error|at .*\.js:\d+|unexpected|heap out of memory/);
        // Bounded by the heap cap: more than this would be memory outside the JavaScript heap.
        expect(rssEnd - rss0).toBeLessThan(64 * MiB);
        tui.child.stdin.write('q');
        expect(await tui.exited).toBe(0);
        data.count(2, Math.max(0, 2 - s.nodes.length));
      } finally {
        tui.kill();
        r.unmount();
        monitor.stop();
      }
    });
  }, 600_000);
});

/** This process's JavaScript heap after a full collection (gc exposed at run time, for this count). */
function heapAfterGc(): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** `docker …` without blocking the event loop (the monitors in this process keep running). */
function dockerAsync(...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('docker', args, (error) => (error ? reject(error) : resolve()));
  });
}

async function inParallel<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
    }),
  );
}
