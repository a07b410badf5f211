// Faults from hostile or odd input on the real engine, and tfmon's security promises: strings from
// the engine never reach the terminal raw, on any screen or command; containers outside the cluster
// are refused; exec takes data, never shell text; TF_CONFIG files stay in their directory; the
// action log holds no secrets.
import { existsSync, lstatSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_SCRIPT } from '../../source/cluster/probe.js';
import { tfConfigPlan } from '../../source/cluster/regenerate.js';
import { Engine } from '../../source/engine/engine.js';
import {
  applyTfConfig,
  restartNodes,
  scaleDown,
  scaleUp,
  writeTfConfigFiles,
} from '../../source/engine/cluster-actions.js';
import { ClusterMonitor } from '../../source/monitor/cluster-monitor.js';
import { App } from '../../source/ui/App.js';
import { exposition } from '../../source/metrics/exposition.js';
import {
  cleanup,
  createNetwork,
  docker,
  own,
  requireEngine,
  runId,
  runSim,
  simImage,
  TEST_LABEL,
  testLabels,
  tfmon,
  waitUntil,
} from '../integration/harness.js';
import { fault } from './ledger.js';

const net = own('sec');
/** The cluster's flags, which every command takes; --no-probe only where there is probing. */
const scope = ['--network', net, '--label', TEST_LABEL];
const common = ['--no-probe', ...scope];
const SECRET = `hunter2-${runId}`;
// What must never reach a terminal from the engine: C0/C1 controls (newline aside), ESC in any
// sequence that is not tfmon's own coloring, and the bidi overrides that reorder a line.
const RAW = /[\u0000-\u0009\u000b-\u001a\u001c-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\u001b(?!\[[0-9;]*m)/;
const HOSTILE = '\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J\u001b]0;pwned\u0007\u202eevil\u009b31m\r\u0008';
const engine = new Engine();
let image = '';

beforeAll(async () => {
  requireEngine();
  image = await simImage();
  createNetwork(net);
  runSim(image, own('s-ps-0'), net);
  // A worker whose label, env and TF_CONFIG carry terminal sequences, and a secret in its env.
  runSim(image, own('s-worker-0'), net, {
    labels: { note: HOSTILE, 'tfmon.port': `2222${HOSTILE}` },
    env: {
      SECRET_TOKEN: SECRET,
      TF_CONFIG: `{"cluster":{"worker":["x${HOSTILE}:2222"]},"task":{"type":"worker","index":0}}`,
    },
  });
  // Odd but legal names, and a member with no IP (created, never started).
  runSim(image, own('S_Odd.Name--1'), net);
  docker('create', '--name', own('s-noip'), '--network', net, '--label', TEST_LABEL, image);
}, 60_000);
afterAll(() => cleanup());

describe('hostile input and security', () => {
  it('hostile labels, env and TF_CONFIG never reach the terminal raw: every screen, every command', async () => {
    await fault('terminal sequences in labels, env, TF_CONFIG', async () => {
      const monitor = new ClusterMonitor(engine, {
        network: net,
        labels: testLabels,
        usage: { intervalMs: 1000, mode: 'api' },
      });
      await monitor.start();
      const r = render(
        <App
          store={monitor}
          logs={monitor.logs}
          theme={{ color: true, ascii: false }}
          size={{ columns: 140, rows: 40 }}
        />,
      );
      const frames: string[] = [];
      const press = async (keys: string) => {
        for (const k of keys) {
          r.stdin.write(k);
          await new Promise((res) => setTimeout(res, 80));
          frames.push(r.lastFrame() ?? '');
        }
      };
      try {
        await new Promise((res) => setTimeout(res, 1500));
        // Every row's details, the matrix, the TF_CONFIG plan, the help, the logs, the interleaved logs.
        await press('jjjjj');
        await press('kkkkk');
        await press('mjm');
        await press('g\u001b');
        await press('?\u001b');
        await press('l\u001bL\u001b');
        frames.push(...r.frames);
      } finally {
        r.unmount();
        monitor.stop();
      }
      expect(frames.join('\n')).toContain(own('s-worker-0').slice(0, 20));
      // The metrics exposition too: what a curl of /metrics prints in a terminal.
      const metrics = await exposition(monitor.getSnapshot());
      expect(metrics).toContain(own('s-worker-0'));
      expect(metrics.match(RAW)?.[0]).toBeUndefined();
      expect(frames.filter((f) => RAW.test(f)).map((f) => JSON.stringify(f.match(RAW)?.[0]))).toEqual([]);

      const outputs = await Promise.all([
        tfmon(['status', ...common]),
        tfmon(['status', '--json', ...common]),
        tfmon(['doctor', ...common]),
        tfmon(['tf-config', ...scope]),
        tfmon(['logs', own('s-worker-0'), ...scope]),
      ]);
      for (const out of outputs) {
        expect(out.stderr).not.toMatch(RAW);
        expect(out.stdout).not.toMatch(RAW);
      }
      // The problem names what is wrong without echoing the sequence.
      const json = JSON.parse(outputs[1]!.stdout) as { problems: { node: string; code: string; message: string }[] };
      expect(
        json.problems.find((p) => p.node === own('s-worker-0') && p.code === 'tf_config_invalid')?.message,
      ).toBeTruthy();
    });
  }, 60_000);

  it('odd names, a node with no IP and an empty network are shown as such', async () => {
    await fault('odd names, no IP, a network with 0 nodes', async () => {
      const r = await tfmon(['status', '--json', '--no-usage', ...common]);
      expect(r.code).toBe(0);
      const s = JSON.parse(r.stdout) as { nodes: { name: string; ip: string | null; state: string; role: string }[] };
      const byName = new Map(s.nodes.map((n) => [n.name, n]));
      expect(byName.get(own('S_Odd.Name--1'))).toMatchObject({ state: 'running', role: 'unknown' });
      expect(byName.get(own('s-noip'))).toMatchObject({ state: 'created', ip: null });
      const table = await tfmon(['status', '--no-usage', ...common]);
      expect(table.stdout.split('\n').find((l) => l.includes('s-noip'))).toMatch(/created\s+-\s/);

      const empty = own('sec-empty');
      createNetwork(empty);
      const emptyArgs = ['--no-probe', '--network', empty, '--label', TEST_LABEL];
      const status = await tfmon(['status', ...emptyArgs]);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/no containers/);
      const doctor = await tfmon(['doctor', ...emptyArgs]);
      expect(doctor.code).toBe(0);
      expect(doctor.stdout).toContain(`no containers on ${empty}`);
      const monitor = new ClusterMonitor(engine, { network: empty, labels: testLabels });
      await monitor.start();
      const ui = render(
        <App store={monitor} theme={{ color: false, ascii: false }} size={{ columns: 100, rows: 30 }} />,
      );
      await new Promise((res) => setTimeout(res, 300));
      const frame = ui.lastFrame() ?? '';
      ui.unmount();
      monitor.stop();
      expect(frame).toContain('no containers on this network yet');
    });
  }, 60_000);

  it('containers outside the cluster are refused by every action, and left as they were', async () => {
    await fault('actions aimed at a container outside the cluster', async () => {
      const outsider = own('outsider-worker-7');
      docker('run', '-d', '--name', outsider, '--label', TEST_LABEL, image);
      const before = docker(
        'inspect',
        outsider,
        '--format',
        '{{.Id}} {{.RestartCount}} {{.State.StartedAt}} {{.State.Status}}',
      );
      const id = before.split(' ')[0]!;
      const monitor = new ClusterMonitor(engine, { network: net, labels: testLabels });
      await monitor.start();
      try {
        const nodes = monitor.getSnapshot().nodes;
        const refused = /not part of this cluster/;
        await expect(restartNodes(engine, nodes, [id], () => undefined)).rejects.toThrow(refused);
        await expect(scaleDown(engine, nodes, id, () => undefined)).rejects.toThrow(refused);
        const plan = tfConfigPlan(nodes.filter((n) => n.role !== 'unknown'));
        if (!plan.ok) throw new Error(plan.error);
        const forged = { ...plan.plans[0]!, node: { ...plan.plans[0]!.node, id, name: outsider }, diff: ['forged'] };
        await expect(applyTfConfig(engine, nodes, [forged], net, () => undefined)).rejects.toThrow(refused);
      } finally {
        monitor.stop();
      }
      const logs = await tfmon(['logs', outsider, ...scope]);
      expect(logs.code).not.toBe(0);
      const one = await tfmon(['tf-config', '--node', outsider, ...scope]);
      expect(one.code).not.toBe(0);
      expect(
        docker('inspect', outsider, '--format', '{{.Id}} {{.RestartCount}} {{.State.StartedAt}} {{.State.Status}}'),
      ).toBe(before);
    });
  }, 60_000);

  it('probe input is data: lines built to run commands are refused inside the node, nothing runs', async () => {
    await fault('shell text sent to a probe session', async () => {
      const id = docker('inspect', own('s-ps-0'), '--format', '{{.Id}}');
      const session = await engine.openSession(id, ['sh', '-c', PROBE_SCRIPT, 'tfmon-probe']);
      let out = '';
      session.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const hostile = [
        '$(touch /tmp/pwned1) 2222',
        '`touch /tmp/pwned2` 2222',
        ';touch /tmp/pwned3; 2222',
        `${own('s-worker-0')} 2222;touch /tmp/pwned4`,
        '-rf 1',
        '. 1',
      ];
      session.write(`${hostile.join('\n')}\n`);
      await waitUntil(() => out.split('\n').includes('. 1'), 10_000, 50);
      session.close();
      const lines = out.split('\n').filter((l) => l.startsWith('R '));
      expect(lines.slice(0, 3)).toEqual(Array(3).fill('R ? 0 error - skipped - refused-name'));
      expect(lines[3]).toBe(`R ${own('s-worker-0')} 0 error - skipped - bad-port`);
      expect(lines[4]).toBe('R ? 0 error - skipped - refused-name');
      expect(docker('exec', own('s-ps-0'), 'ls', '/tmp')).not.toMatch(/pwned/);
    });
  }, 30_000);

  it('TF_CONFIG files never land outside the chosen directory, whatever links are planted there', async () => {
    await fault('symbolic links planted in the TF_CONFIG directory', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tfmon-sec-'));
      const victim = join(mkdtempSync(join(tmpdir(), 'tfmon-victim-')), 'precious');
      writeFileSync(victim, 'precious\n');
      const ps = join(dir, `${own('s-ps-0')}.json`);
      writeFileSync(ps, '{"old": true}\n');
      symlinkSync(victim, `${ps}.bak`);
      const r = await tfmon(['tf-config', '--write', dir, ...scope]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(readFileSync(victim, 'utf8')).toBe('precious\n');
      expect(lstatSync(`${ps}.bak`).isSymbolicLink()).toBe(false);
      expect(readFileSync(`${ps}.bak`, 'utf8')).toBe('{"old": true}\n');
      // A node name that would climb out is refused before anything is written.
      const monitor = new ClusterMonitor(engine, { network: net, labels: testLabels });
      await monitor.start();
      const plan = tfConfigPlan(monitor.getSnapshot().nodes.filter((n) => n.role !== 'unknown'));
      monitor.stop();
      if (!plan.ok) throw new Error(plan.error);
      const climbing = { ...plan.plans[0]!, node: { ...plan.plans[0]!.node, name: '../../escaped' } };
      expect(() => writeTfConfigFiles(dir, [climbing])).toThrow(/not a plain file name/);
      expect(existsSync(join(dir, '..', '..', 'escaped.json'))).toBe(false);
    });
  }, 30_000);

  it('the action log names what was done, never an environment value', async () => {
    await fault('secrets in the environment of nodes acted on', async () => {
      const monitor = new ClusterMonitor(engine, { network: net, labels: testLabels });
      await monitor.start();
      try {
        const nodes = monitor.getSnapshot().nodes;
        const made = await scaleUp(engine, nodes, net, () => undefined);
        expect(docker('inspect', made.name, '--format', '{{json .Config.Env}}')).toContain(SECRET); // the clone keeps it…
        const worker = nodes.find((n) => n.name === own('s-worker-0'))!;
        await restartNodes(engine, nodes, [worker.id], () => undefined);
      } finally {
        monitor.stop();
      }
      const log = readFileSync(process.env['TFMON_ACTION_LOG']!, 'utf8');
      expect(log).toMatch(/"action":"scale-up"/);
      expect(log).toMatch(/"action":"restart"/);
      expect(log).not.toContain(SECRET); // …the log does not
      expect(log).not.toMatch(/TF_CONFIG|SECRET_TOKEN|\\u001b|\u001b/);
    });
  }, 60_000);
});
