// Logs on the real engine: streams for what is shown only, order and stderr kept, TTY containers,
// a node that exits, the interleaved view, and `tfmon logs`.
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../source/cluster/types.js';
import { Engine } from '../../source/engine/engine.js';
import { ClusterMonitor } from '../../source/monitor/cluster-monitor.js';
import { App } from '../../source/ui/App.js';
import {
  cleanup,
  createNetwork,
  docker,
  own,
  requireEngine,
  simImage,
  TEST_LABEL,
  testLabels,
  tfmon,
  waitUntil,
} from './harness.js';

const net = own('logs');
let monitor: ClusterMonitor;
let image = '';

/** A sim-image container running a shell script instead of the sim. */
function runScript(name: string, script: string, extra: string[] = []): void {
  docker('run', '-d', '--name', name, '--network', net, '--label', TEST_LABEL, ...extra, image, 'sh', '-c', script);
}

const SEQUENCE =
  'for i in 1 2 3 4 5; do echo "seq out $i"; echo "seq err $i" >&2; done; echo "E tensorflow: Check failed: seq"; sleep 3600';

beforeAll(async () => {
  requireEngine();
  image = await simImage();
  createNetwork(net);
  runScript(own('seq-worker-0'), SEQUENCE);
  runScript(own('tty-worker-1'), 'echo "tty line one"; echo "tty line two" >&2; sleep 3600', ['-t']);
  // As Python prints a traceback: all of it on stderr (order across stdout and stderr is not kept).
  runScript(
    own('crash-worker-2'),
    'echo "starting"; echo "Traceback (most recent call last):" >&2; echo "ResourceExhaustedError: OOM when allocating tensor" >&2; exit 3',
  );
  monitor = new ClusterMonitor(new Engine(), { network: net, labels: testLabels });
  await monitor.start();
});
afterAll(() => {
  monitor?.stop();
  cleanup();
});

const frameOf = (r: ReturnType<typeof render>): string => r.lastFrame() ?? '';
async function waitFrame(r: ReturnType<typeof render>, test: (f: string) => boolean, ms = 8000): Promise<string> {
  await waitUntil(() => test(frameOf(r)), ms, 50);
  return frameOf(r);
}
const nodeIndex = (s: Snapshot, name: string): number => s.nodes.findIndex((n) => n.name === name);

describe('logs', () => {
  it('the selected node is followed in order, stderr marked, and only it has a stream', async () => {
    const r = render(
      <App
        store={monitor}
        logs={monitor.logs}
        theme={{ color: false, ascii: false }}
        size={{ columns: 100, rows: 40 }}
      />,
    );
    try {
      const s = monitor.getSnapshot();
      for (let i = 0; i < nodeIndex(s, own('seq-worker-0')); i++) r.stdin.write('j');
      const f = await waitFrame(r, (x) => x.includes('Check failed: seq'));
      const lines = f.split('\n');
      const at = (text: string): number => lines.findIndex((l) => l.endsWith(text));
      // stdout lines in order; each stderr line marked in the gutter.
      expect(at('seq out 1')).toBeLessThan(at('seq out 5'));
      expect(lines[at('seq err 3')]).toMatch(/^┃ seq err 3$/);
      expect(lines[at('seq out 3')]).toMatch(/^ {2}seq out 3$/);
      expect(monitor.logs.openStreams).toBe(1);
      r.stdin.write('l');
      await waitFrame(r, (x) => x.includes(`── logs ${own('seq-worker-0')} ──`));
      r.stdin.write('L');
      // Every node's lines in one view (interleaved by time), one stream per node.
      const all = await waitFrame(
        r,
        (x) => x.includes('tty line one') && x.includes('seq out 5') && x.includes('ResourceExhaustedError'),
      );
      expect(all).toMatch(/worker-0 \| .*seq out 1/);
      expect(monitor.logs.openStreams).toBeGreaterThanOrEqual(2);
      r.stdin.write('\u001b');
      await waitUntil(() => monitor.logs.openStreams === 1, 3000, 50);
    } finally {
      r.unmount();
    }
    await waitUntil(() => monitor.logs.openStreams === 0, 3000, 50);
  });

  it('a TTY container renders (raw stream, no frames)', async () => {
    const r = render(
      <App
        store={monitor}
        logs={monitor.logs}
        theme={{ color: false, ascii: false }}
        size={{ columns: 100, rows: 40 }}
      />,
    );
    try {
      const s = monitor.getSnapshot();
      for (let i = 0; i < nodeIndex(s, own('tty-worker-1')); i++) r.stdin.write('j');
      // (The command line in the details holds the same words: look at log rows only.)
      const f = await waitFrame(r, (x) => /^ {2}tty line two$/m.test(x));
      expect(f).toMatch(/^ {2}tty line one$/m);
    } finally {
      r.unmount();
    }
  });

  it('a node that exits shows its exit code and last error in the table, and as a problem', async () => {
    const s = await monitor.waitFor(
      (x) => x.nodes.some((n) => n.name === own('crash-worker-2') && n.state === 'exited' && n.lastError !== null),
      10_000,
    );
    const node = s.nodes.find((n) => n.name === own('crash-worker-2'))!;
    expect(node.exitCode).toBe(3);
    expect(node.lastError).toBe('ResourceExhaustedError: OOM when allocating tensor');
    expect(s.problems).toContainEqual(
      expect.objectContaining({
        node: node.name,
        code: 'not_running',
        message: 'not running: exited (code 3); last error: ResourceExhaustedError: OOM when allocating tensor',
      }),
    );
    const r = render(
      <App
        store={monitor}
        logs={monitor.logs}
        theme={{ color: false, ascii: false }}
        size={{ columns: 120, rows: 30 }}
      />,
    );
    try {
      const f = await waitFrame(r, (x) => x.includes('exited (3)'));
      expect(f).toMatch(
        new RegExp(`${own('crash-worker-2')}\\s+exited \\(3\\)\\s+ResourceExhaustedError: OOM when allocating tensor`),
      );
    } finally {
      r.unmount();
    }
  });

  it('a crash loop (restart count rising) and an OOM kill are problems with their last error line', async () => {
    runScript(own('loop-worker-3'), 'echo "UnavailableError: failed to connect to all addresses" >&2; exit 1', [
      '--restart',
      'always',
    ]);
    // The container's main process asks for 64 MiB against a 16 MiB limit: the kernel kills it.
    runScript(
      own('oom-worker-4'),
      'echo "allocating"; exec awk \'BEGIN { s = sprintf("%67108864s", ""); gsub(/ /, "x", s); print "done" }\'',
      ['--memory', '16m', '--memory-swap', '16m'],
    );
    const s = await monitor
      .waitFor(
        (x) =>
          x.problems.some(
            (p) => p.code === 'crash_loop' && p.node === own('loop-worker-3') && p.message.includes('last error'),
          ) && x.problems.some((p) => p.code === 'oom_killed' && p.node === own('oom-worker-4')),
        30_000,
      )
      .catch((e: unknown) => {
        // Say which half was missing, and what the engine itself reports of both.
        const seen = monitor
          .getSnapshot()
          .problems.filter((p) => p.node === own('loop-worker-3') || p.node === own('oom-worker-4'));
        const engine = docker(
          'inspect',
          '--format',
          '{{.Name}} {{.State.Status}} restarts={{.RestartCount}} oom={{.State.OOMKilled}} exit={{.State.ExitCode}}',
          own('loop-worker-3'),
          own('oom-worker-4'),
        );
        throw new Error(`${String(e)}; problems: ${JSON.stringify(seen)}; engine: ${engine.replace(/\n/g, '; ')}`);
      });
    const loop = s.problems.find((p) => p.code === 'crash_loop')!;
    expect(loop.message).toMatch(
      /^crash loop: restarted \d+ times; last error: UnavailableError: failed to connect to all addresses$/,
    );
    expect(s.problems.find((p) => p.code === 'oom_killed')?.message).toMatch(
      /^killed for lack of memory \(OOM\) at its --memory limit/,
    );
    docker('rm', '-f', own('loop-worker-3'), own('oom-worker-4'));
  }, 40_000);

  it('a Jupyter URL in the logs is shown rewritten to the published host port', async () => {
    // Published on loopback only, on a port the engine picks.
    runScript(own('nb-worker-5'), 'echo "    http://127.0.0.1:8888/lab?token=0123abcd4567ef"; sleep 3600', [
      '-p',
      '127.0.0.1::8888',
    ]);
    const hostPort = await (async () => {
      await waitUntil(() => docker('port', own('nb-worker-5'), '8888/tcp') !== '', 5000);
      return docker('port', own('nb-worker-5'), '8888/tcp').split(':').at(-1);
    })();
    await monitor.waitFor((x) => x.nodes.some((n) => n.name === own('nb-worker-5') && n.ports.length > 0), 5000);
    const r = render(
      <App
        store={monitor}
        logs={monitor.logs}
        theme={{ color: false, ascii: false }}
        size={{ columns: 120, rows: 40 }}
      />,
    );
    try {
      const s = monitor.getSnapshot();
      for (let i = 0; i < nodeIndex(s, own('nb-worker-5')); i++) r.stdin.write('j');
      const f = await waitFrame(r, (x) => x.includes('jupyter '));
      expect(f).toMatch(new RegExp(`jupyter +http://127\\.0\\.0\\.1:${hostPort}/lab\\?token=0123abcd4567ef`));
    } finally {
      r.unmount();
      docker('rm', '-f', own('nb-worker-5'));
    }
  });

  it('a log driver that cannot be read says so instead of an empty pane', async () => {
    runScript(own('nolog-worker-6'), 'echo hidden; sleep 3600', ['--log-driver', 'none']);
    await monitor.waitFor((x) => x.nodes.some((n) => n.name === own('nolog-worker-6')), 5000);
    const r = render(
      <App
        store={monitor}
        logs={monitor.logs}
        theme={{ color: false, ascii: false }}
        size={{ columns: 160, rows: 40 }}
      />,
    );
    try {
      const s = monitor.getSnapshot();
      for (let i = 0; i < nodeIndex(s, own('nolog-worker-6')); i++) r.stdin.write('j');
      const f = await waitFrame(r, (x) => x.includes('the engine gives no log'));
      expect(f).toMatch(/the engine gives no log: .*(does not support reading|logging driver)/);
    } finally {
      r.unmount();
      docker('rm', '-f', own('nolog-worker-6'));
    }
  });

  it('status --json has lastError per node', async () => {
    const r = await tfmon(['status', '--json', '--no-usage', '--no-probe', '--network', net, '--label', TEST_LABEL]);
    const s = JSON.parse(r.stdout) as { nodes: { name: string; lastError: string | null }[] };
    expect(s.nodes.find((n) => n.name === own('seq-worker-0'))?.lastError).toBe('E tensorflow: Check failed: seq');
    expect(s.nodes.find((n) => n.name === own('tty-worker-1'))?.lastError).toBeNull();
  });

  it('tfmon logs NODE prints sanitized lines: stdout to stdout, stderr to stderr; --errors and --since filter', async () => {
    const common = ['--network', net, '--label', TEST_LABEL];
    const all = await tfmon(['logs', own('seq-worker-0'), ...common]);
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n').filter(Boolean)).toEqual([
      'seq out 1',
      'seq out 2',
      'seq out 3',
      'seq out 4',
      'seq out 5',
      'E tensorflow: Check failed: seq',
    ]);
    expect(all.stderr.split('\n').filter(Boolean)).toEqual([
      'seq err 1',
      'seq err 2',
      'seq err 3',
      'seq err 4',
      'seq err 5',
    ]);
    const errors = await tfmon(['logs', own('seq-worker-0'), '--errors', ...common]);
    expect(errors.stdout.trim()).toBe('E tensorflow: Check failed: seq');
    const future = await tfmon(['logs', own('seq-worker-0'), '--since', '2099-01-01T00:00:00Z', ...common]);
    expect(future.stdout).toBe('');
  });

  it('tfmon logs refuses a container outside the cluster, and bad flags, with one line', async () => {
    const outside = await tfmon(['logs', 'tf-some-other-node', '--network', net, '--label', TEST_LABEL]);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/^tfmon: no node "tf-some-other-node" in the cluster on .* \(nodes: .*\)\n$/);
    const since = await tfmon(['logs', own('seq-worker-0'), '--since', 'yesterday', '--network', net]);
    expect(since.code).toBe(2);
    expect(since.stderr).toBe('tfmon: --since must be like 30s, 5m, 2h, 1d or 2026-11-28T10:00:00Z, got "yesterday"\n');
    const none = await tfmon(['logs', '--network', net]);
    expect(none.code).toBe(2);
  });
  it('a shown node that restarts gets its stream back, without repeating lines', async () => {
    const node = () => monitor.getSnapshot().nodes.find((n) => n.name === own('seq-worker-0'))!;
    monitor.logs.show([node()]);
    try {
      await waitUntil(() => monitor.logs.lines(node().id).length === 11, 5000, 50);
      docker('restart', '-t', '0', own('seq-worker-0'));
      await waitUntil(() => monitor.logs.lines(node().id).length >= 22, 10_000, 50).catch((e: Error) => {
        throw new Error(
          `${e.message}: ${JSON.stringify(monitor.logs.lines(node().id).map((l) => `${l.ts} ${l.text}`))} ${monitor.logs.lines(node().id).length} lines, ${monitor.logs.openStreams} open, node ${node().state} pid ${node().pid}`,
        );
      });
      await new Promise((r) => setTimeout(r, 500));
      const texts = monitor.logs.lines(node().id).map((l) => l.text);
      expect(texts).toHaveLength(22);
      expect(texts.filter((t) => t === 'seq out 1')).toHaveLength(2);
      expect(monitor.logs.openStreams).toBe(1);
    } finally {
      monitor.logs.show([]);
    }
  });
});
