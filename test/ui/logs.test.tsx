// The log tail and the log view, rendered from recorded hostile log lines (test/fixtures/logs-hostile.frames).
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { toLogLine } from '../../source/monitor/log-follower.js';
import { App } from '../../source/ui/App.js';
import { FixedLogs, hostileLines } from '../helpers/logs.js';
import { seedFacts, snapshotOf, TestStore } from '../helpers/snapshot.js';

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));
let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

function mount(logs: FixedLogs, columns = 80, rows = 30, theme = { color: false, ascii: false }) {
  const r = render(
    <App
      store={new TestStore(snapshotOf(seedFacts()))}
      logs={logs}
      theme={theme}
      size={{ columns, rows }}
      clock={() => 0}
    />,
  );
  cleanup = r.unmount;
  return r;
}

const seedLogs = (): FixedLogs => {
  const lines = hostileLines();
  const big = toLogLine(
    100,
    'id-tf-ps-0',
    'stdout',
    `2026-11-28T11:45:29.0Z ${'y'.repeat(2048)} [... 1046528 more characters]`,
  );
  const worker = lines
    .slice(0, 3)
    .map((l, i) => ({ ...l, seq: 200 + i, node: 'id-tf-worker-0', text: `worker says ${i}` }));
  return new FixedLogs(
    new Map([
      ['id-tf-ps-0', [...lines.map((l) => ({ ...l, node: 'id-tf-ps-0' })), big]],
      ['id-tf-worker-0', worker],
    ]),
  );
};

const HOSTILE = /\u001b|\u0007|\u009b|\u009d|\r|\u0008|pwned|cm0gLXJmIH4|payload|hidden/;

describe('logs on screen', () => {
  it('the main screen tails the selected node: hostile lines rendered inert, long lines cut to the width', async () => {
    const logs = seedLogs();
    const r = mount(logs);
    await tick(200);
    const f = r.lastFrame() ?? '';
    expect(f).toContain('── logs tf-ps-0 (l full screen, L all nodes)');
    expect(f).toContain('yyyyy');
    expect(f).not.toMatch(HOSTILE);
    expect(f.split('\n').every((l) => l.length <= 80)).toBe(true);
    // Only the selected node's stream is asked for.
    expect(logs.shown.at(-1)).toEqual(['id-tf-ps-0']);
  });

  it('l opens the full-screen view with stderr marked; / filters; e jumps to the error; Esc returns', async () => {
    const logs = seedLogs();
    const r = mount(logs);
    r.stdin.write('l');
    await tick();
    let f = r.lastFrame() ?? '';
    expect(f).toContain('── logs tf-ps-0 ');
    expect(f).toMatch(/┃ ERROR something failed/);
    expect(f).toMatch(/^ {2}plain one$/m);
    expect(f).not.toMatch(HOSTILE);
    r.stdin.write('/');
    await tick();
    for (const c of '/^(title|clip)/') r.stdin.write(c);
    await tick();
    expect(r.lastFrame()).toContain('//^(title|clip)/');
    r.stdin.write('\r');
    await tick();
    f = r.lastFrame() ?? '';
    expect(f).toContain('filter "/^(title|clip)/": 2 matching');
    expect(f).toMatch(/title {2}after\n.*clip {2}after/);
    expect(f).not.toContain('plain one');
    r.stdin.write('/');
    await tick();
    r.stdin.write('\u001b');
    await tick();
    r.stdin.write('e');
    await tick();
    f = r.lastFrame() ?? '';
    expect(f).toMatch(/paused/);
    expect(f.split('\n').filter((l) => l.includes('ERROR something failed'))).toHaveLength(1);
    r.stdin.write('\u001b');
    await tick(200);
    expect(r.lastFrame()).toContain('── logs tf-ps-0 (l full screen');
  });

  it('L interleaves every node with a role-index prefix and asks for every stream', async () => {
    const logs = seedLogs();
    const r = mount(logs, 100, 40);
    r.stdin.write('L');
    await tick(200);
    const f = r.lastFrame() ?? '';
    expect(f).toContain('logs of all 3 nodes');
    expect(f).toMatch(/ps-0 {5}\| .*plain one/);
    expect(f).toMatch(/worker-0 \| worker says 2/);
    expect(logs.shown.at(-1)).toEqual(['id-tf-ps-0', 'id-tf-worker-0', 'id-tf-worker-1']);
  });

  it('a Jupyter URL becomes a hyperlink (OSC 8) where the terminal supports it, plain text elsewhere', async () => {
    const logs = seedLogs();
    logs.jupyterOf = () => ({ url: 'http://127.0.0.1:8888/?token=abc123', port: 8888 });
    const facts = seedFacts().map((f) => ({
      ...f,
      ports: [{ containerPort: 8888, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8889 }],
    }));
    const url = 'http://127.0.0.1:8889/?token=abc123';
    for (const hyperlinks of [true, false]) {
      const r = render(
        <App
          store={new TestStore(snapshotOf(facts))}
          logs={logs}
          theme={{ color: false, ascii: false }}
          size={{ columns: 100, rows: 30 }}
          clock={() => 0}
          hyperlinks={hyperlinks}
        />,
      );
      await tick();
      const f = r.lastFrame() ?? '';
      r.unmount();
      if (hyperlinks) expect(f).toContain(`\u001b]8;;${url}\u0007${url}\u001b]8;;\u0007`);
      else expect(f).toMatch(new RegExp(`jupyter +${url.replace(/[?.]/g, '\\$&')}$`, 'm'));
    }
  });

  it('t shows timestamps; ASCII terminals get an ASCII stderr mark', async () => {
    const logs = seedLogs();
    const r = mount(logs, 80, 30, { color: false, ascii: true });
    r.stdin.write('l');
    await tick();
    r.stdin.write('t');
    await tick();
    const f = r.lastFrame() ?? '';
    expect(f).toMatch(/! \d\d:\d\d:\d\d\.\d{3} ERROR something failed/);
    expect(f.split('\n').filter((l) => /[^\x00-\x7f]/.test(l))).toEqual([]);
  });
});
