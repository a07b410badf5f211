// `tfmon record` on the real engine, killed with SIGKILL, then read back: `status --json --at` a
// time before a worker was stopped and a time after says what the live `status --json` said at those
// moments (the nodes, their states, the problems; ids, figures and durations aside), and a killed
// recorder loses at most its last second.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  it('records a worker stopping; status --at before and after says what live status said then', async () => {
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
      docker('stop', '-t', '1', own('rw1'));
      await sleep(4000);
      const after = await tfmon(['status', '--json', ...scope, '--no-probe']);
      const afterAt = new Date().toISOString();
      await sleep(1500);

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
  });

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
    const notOne = await tfmon(['status', '--at', '-5m', CLI]);
    expect(notOne.code).toBe(1);
    expect(notOne.stderr).toBe(`tfmon: ${CLI}: not a tfmon recording (no TFMONREC signature)\n`);
  });
});
