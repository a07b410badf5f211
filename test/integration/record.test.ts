// `tfmon record` on the real engine through a scripted incident (a worker killed with SIGKILL, then
// started again; a worker cut off the network, then connected again), the recorder itself killed
// with SIGKILL, then read back: `status --json --at` a time before the kill and a time after says
// what the live `status --json` said at those moments (the nodes, their states, the problems; ids,
// figures and durations aside), the file's events are the incident's in order, `tfmon replay` in a
// terminal lands on them with `]` and `[`, and `doctor --at` names the node.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/scrape.js';
import { readRecording } from '../../source/record/recording.js';
import { tfmonInPty } from '../helpers/pty.js';
import {
  CLI,
  cleanup,
  createNetwork,
  docker,
  own,
  requireEngine,
  runSim,
  simImage,
  sleep,
  TEST_LABEL,
  tfmon,
  waitUntil,
} from './harness.js';

const net = own('recnet');
const dir = mkdtempSync(join(tmpdir(), 'tfmon-record-'));
const file = join(dir, 'night.tfrec');
const scope = ['--network', net, '--label', TEST_LABEL];

beforeAll(async () => {
  requireEngine();
  const image = await simImage();
  createNetwork(net);
  const tfConfig = (type: string, index: number): string =>
    JSON.stringify({
      cluster: { ps: [`${own('rps')}:2222`], worker: [`${own('rw0')}:2222`, `${own('rw1')}:2222`] },
      task: { type, index },
    });
  runSim(image, own('rps'), net, { env: { TF_CONFIG: tfConfig('ps', 0) } });
  runSim(image, own('rw0'), net, { env: { TF_CONFIG: tfConfig('worker', 0) } });
  runSim(image, own('rw1'), net, { env: { TF_CONFIG: tfConfig('worker', 1) } });
});
afterAll(() => {
  cleanup();
  rmSync(dir, { recursive: true, force: true });
});

interface StatusDoc {
  recordedAt?: string;
  nodes: { name: string; role: string; index: number | null; state: string }[];
  problems: { code: string; nodes?: string[]; node?: string }[];
}
/** What must be the same live and recorded: the nodes and the problems, in order. */
const shape = (s: StatusDoc) => ({
  nodes: s.nodes.map((n) => [n.name, n.role, n.index, n.state]),
  problems: s.problems.map((p) => p.code).sort(),
});

describe('tfmon record', () => {
  it('records an incident; status --at before and after says what live status said then, its events in order', async () => {
    const recorder = spawn(process.execPath, [CLI, 'record', '-o', file, ...scope, '--no-probe'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let said = '';
    recorder.stderr.on('data', (d: Buffer) => (said += d.toString()));
    try {
      await waitUntil(() => said.includes('into'), 15_000);
      await sleep(3000);
      const before = await tfmon(['status', '--json', ...scope, '--no-probe']);
      const beforeAt = new Date().toISOString();
      docker('kill', own('rw1'));
      await sleep(4000);
      const after = await tfmon(['status', '--json', ...scope, '--no-probe']);
      const afterAt = new Date().toISOString();
      docker('start', own('rw1'));
      await sleep(3000);
      docker('network', 'disconnect', net, own('rw0'));
      await sleep(3000);
      docker('network', 'connect', net, own('rw0'));
      await sleep(3000);
      docker('stop', '-t', '1', own('rw1'));
      await sleep(2500);

      // Killed mid-run: no chance to close the file.
      recorder.kill('SIGKILL');
      await new Promise((r) => recorder.once('exit', r));
      expect(said).toMatch(new RegExp(`tfmon record: ${net} on .* into ${file}`));
      expect(statSync(file).size).toBeGreaterThan(0);

      const then = await tfmon(['status', '--json', '--at', beforeAt, file]);
      expect(then.stderr).toBe('');
      expect(then.code).toBe(0);
      const now = await tfmon(['status', '--json', '--at', afterAt, file]);
      expect(now.code).toBe(0);
      const live0 = JSON.parse(before.stdout) as StatusDoc;
      const live1 = JSON.parse(after.stdout) as StatusDoc;
      const rec0 = JSON.parse(then.stdout) as StatusDoc;
      const rec1 = JSON.parse(now.stdout) as StatusDoc;
      expect(shape(rec0)).toEqual(shape(live0));
      expect(shape(rec1)).toEqual(shape(live1));
      expect(rec1.nodes.find((n) => n.name === own('rw1'))?.state).toBe('exited');

      // The incident's events, in order, each on its node.
      const events = readRecording(readFileSync(file)).events.filter((e) => e.t > Date.parse(beforeAt));
      const marks = events.filter((e) => e.kind !== 'problem' && e.kind !== 'resolved').map((e) => [e.kind, e.node]);
      expect(marks).toEqual([
        ['exit', own('rw1')],
        ['start', own('rw1')],
        ['exit', own('rw1')],
      ]);
      expect(events.find((e) => e.kind === 'exit')?.text).toBe(`${own('rw1')} exited with code 137`);
      const cut = events.find((e) => e.kind === 'problem' && e.node === own('rw0'));
      expect(cut?.text).toMatch(/not_attached/);
      expect(events.find((e) => e.kind === 'resolved' && e.node === own('rw0'))!.t).toBeGreaterThan(cut!.t);
      // Within a second of the time asked (a snapshot a second).
      expect(Date.parse(afterAt) - Date.parse(rec1.recordedAt ?? '')).toBeLessThan(1500);

      // The table too, a second back from the end (the recorder was killed after its last whole second).
      const table = await tfmon(['status', '--at', '-1s', file]);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^recorded at \d{4}-\d\d-\d\dT/);
      expect(table.stdout).toContain(own('rw1'));
    } finally {
      recorder.kill('SIGKILL');
    }
  }, 60_000);

  it('a cut file reads up to the cut, with one warning line', async () => {
    const whole = readFileSync(file);
    const cut = join(dir, 'cut.tfrec');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(cut, whole.subarray(0, whole.length - 7));
    const r = await tfmon(['status', '--json', '--at', '-1s', cut]);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tfmon: .*cut\.tfrec: skipped \d+ bytes that are not whole records/);
  });

  it('replay in a terminal lands on the events with ] and [, and doctor --at names the node', async () => {
    const events = readRecording(readFileSync(file)).events;
    const kill = events.find((e) => e.kind === 'exit')!;
    const pty = tfmonInPty(['replay', file], { columns: 140, rows: 30 });
    try {
      await pty.waitFor(/⏸ 1x \d\d:\d\d:\d\d/);
      await sleep(500); // the terminal in raw mode: a key typed before would wait for a newline
      // ] until the kill is the event shown (the problems open at the start come first).
      const shown = (): string => pty.text();
      for (let i = 0; i < events.length && !shown().includes('exited with code 137'); i++) {
        const mark = shown().length;
        pty.child.stdin.write(']');
        await waitUntil(() => shown().length > mark, 5000);
        await sleep(150);
      }
      expect(shown()).toContain(`${own('rw1')} exited with code 137`);
      // ] on to the next event, [ back to the exit.
      pty.child.stdin.write(']');
      await sleep(300);
      let mark = shown().length;
      pty.child.stdin.write('[');
      await waitUntil(() => shown().slice(mark).includes('exited with code 137'), 5000);
      mark = shown().length;
      pty.child.stdin.write('l');
      await waitUntil(() => shown().slice(mark).includes('logs'), 5000);
      pty.child.stdin.write('q');
      expect(await pty.exited).toBe(0);
    } finally {
      pty.kill();
    }
    const doctor = await tfmon(['doctor', '--at', new Date(kill.t + 1500).toISOString(), file]);
    expect(doctor.stdout).toMatch(/^recorded at \d{4}-/);
    expect(doctor.stdout).toContain(own('rw1'));
    expect(doctor.stdout).toContain('not_running');
    expect(doctor.code).toBe(1);
  }, 30_000);

  it('--record beside serve and the live screen: the same recording, with the lines of the nodes they follow', async () => {
    const beside = join(dir, 'beside.tfrec');
    const port = await freePort();
    const serve = spawn(
      process.execPath,
      [CLI, 'serve', '--metrics', `127.0.0.1:${port}`, '--record', beside, ...scope, '--no-probe'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let said = '';
    serve.stderr.on('data', (d: Buffer) => (said += d.toString()));
    try {
      await waitUntil(() => said.includes('metrics on'), 15_000);
      expect(said).toContain(`recording into ${beside}`);
      await sleep(4000);
      serve.kill('SIGTERM');
      expect(await new Promise((r) => serve.once('exit', r))).toBe(0);
    } finally {
      serve.kill('SIGKILL');
    }
    const pty = tfmonInPty(['--record', beside, '--retain', '2h', ...scope, '--no-probe'], { columns: 120, rows: 30 });
    try {
      await pty.waitFor(own('rw0'));
      await sleep(3000);
      pty.child.stdin.write('q');
      expect(await pty.exited).toBe(0);
    } finally {
      pty.kill();
    }
    // Two sessions in one file; a worker's progress lines in it (followed for its training).
    const rec = readRecording(readFileSync(beside));
    expect(rec.warnings).toEqual([]);
    expect(
      readFileSync(beside)
        .toString('latin1')
        .match(/"schema":2/g),
    ).toHaveLength(2);
    const { ReplayPlayer } = await import('../../source/record/replay-player.js');
    const player = new ReplayPlayer(rec, rec.end);
    const worker = player.getSnapshot().nodes.find((n) => n.name === own('rw0'))!;
    expect(player.logs.lines(worker.id).some((l) => /step|loss/.test(l.text))).toBe(true);
    const r = await tfmon(['status', '--json', '--at', '-1s', beside]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as StatusDoc).nodes.map((n) => n.name)).toContain(own('rw0'));
  }, 60_000);

  it('bad input is one line and exit 1 or 2', async () => {
    const missing = await tfmon(['status', '--at', '02:58', join(dir, 'nope.tfrec')]);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe(`tfmon: cannot read ${join(dir, 'nope.tfrec')}: no such file\n`);
    const outside = await tfmon(['status', '--at', '1999-01-01T00:00:00Z', file]);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(
      /^tfmon: --at 1999-01-01T00:00:00Z is outside the recording: the recording runs from .* to .*\n$/,
    );
    const noFile = await tfmon(['status', '--at', '-5m']);
    expect(noFile).toMatchObject({ code: 2, stderr: 'tfmon: --at reads a recording: tfmon status --at TIME FILE\n' });
    const unbounded = await tfmon(['serve', '--retain', '2h', ...scope]);
    expect(unbounded).toMatchObject({
      code: 2,
      stderr: 'tfmon: --retain and --max-size bound a recording: give --record FILE too\n',
    });
    const badSpan = await tfmon(['record', '--retain', 'soon', ...scope]);
    expect(badSpan.code).toBe(2);
    expect(badSpan.stderr).toBe('tfmon: --retain must be a span like 72h, 30m or 2d (at least 1m), got "soon"\n');
    const noRecording = await tfmon(['replay']);
    expect(noRecording).toMatchObject({ code: 2, stderr: 'tfmon: replay needs a recording: tfmon replay FILE\n' });
    const notATerminal = await tfmon(['replay', file]);
    expect(notATerminal.code).toBe(1);
    expect(notATerminal.stderr).toMatch(/^tfmon: replay draws a screen: run it in a terminal/);
    const notOne = await tfmon(['status', '--at', '-5m', CLI]);
    expect(notOne.code).toBe(1);
    expect(notOne.stderr).toBe(`tfmon: ${CLI}: not a tfmon recording (no TFMONREC signature)\n`);
  });
});
