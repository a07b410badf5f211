// Faults from the terminal side, each on the real program in a real pseudo-terminal: sizes down to
// the smallest tfmon draws, a locale without UTF-8, TERM=dumb and no terminal at all, the signals an
// SSH session sends when it ends, and a storm of resizes.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  TEST_LABEL,
  cleanup,
  createNetwork,
  own,
  requireEngine,
  runSim,
  simImage,
  tfmon,
  waitUntil,
} from '../integration/harness.js';
import { tfmonInPty, type Pty } from '../helpers/pty.js';
import { playInTerminal } from '../helpers/screen.js';
import { fault } from './ledger.js';

const net = own('term');
const common = ['--no-probe', '--network', net, '--label', TEST_LABEL];

beforeAll(async () => {
  requireEngine();
  const image = await simImage();
  createNetwork(net);
  runSim(image, own('t-ps-0'), net);
  runSim(image, own('t-worker-0'), net);
}, 60_000);
afterAll(() => cleanup());

/** Sequences that leave a terminal in a changed state if tfmon exits without undoing them. */
const CURSOR_SHOWN = '\u001b[?25h';

describe('terminal faults', () => {
  it('40×10 draws the screen; 30×8 says the terminal is too small, and nothing else', async () => {
    await fault('terminals of 40×10 and 30×8', async () => {
      const small = tfmonInPty(common, { columns: 40, rows: 10 });
      await small.waitFor('2 nodes');
      expect(small.text()).not.toContain('too small');
      small.child.stdin.write('q');
      expect(await small.exited).toBe(0);
      // Every line drawn fits in 40 columns (no wrapping garbage).
      // Frames are separated by cursor moves, lines by newlines: no run of text between them is wider.
      const runs = Buffer.from(small.output(), 'latin1')
        .toString('utf8')
        .split(/\u001b\[[0-9;?]*[A-Za-z]|\r?\n|\r/);
      expect(runs.filter((l) => [...l].length > 40)).toEqual([]);

      const tiny = tfmonInPty(common, { columns: 30, rows: 8 });
      await tiny.waitFor('(30x8); tfmon needs 40x10');
      expect(tiny.text()).toContain('terminal too small');
      expect(tiny.text()).not.toContain('nodes');
      tiny.child.stdin.write('q');
      expect(await tiny.exited).toBe(0);
    });
  }, 60_000);

  it('a shell with CI=true (a CI job, a debug shell on a runner) still gets the live screen', async () => {
    await fault('CI=true in the environment', async () => {
      // Ink alone would draw nothing until exit there (is-in-ci): the screen stayed blank.
      const pty = tfmonInPty(common, { columns: 100, rows: 30 }, { CI: 'true', CONTINUOUS_INTEGRATION: '1' });
      await pty.waitFor('2 nodes');
      pty.child.stdin.write('?');
      await pty.waitFor('select the node above');
      pty.child.stdin.write('q');
      expect(await pty.exited).toBe(0);
    });
  }, 40_000);

  it('a locale without UTF-8 (LANG=C) gets ASCII only', async () => {
    await fault('LANG=C', async () => {
      const pty = tfmonInPty(common, { columns: 100, rows: 30 }, { LANG: 'C', LC_ALL: 'C' });
      await pty.waitFor('2 nodes');
      pty.child.stdin.write('m'); // the matrix has the most glyphs
      await new Promise((r) => setTimeout(r, 500));
      pty.child.stdin.write('q');
      expect(await pty.exited).toBe(0);
      const nonAscii = [...pty.output()].filter((c) => c.charCodeAt(0) > 0x7e && c !== '\u007f');
      expect(nonAscii.join('')).toBe('');
    });
  }, 40_000);

  it('TERM=dumb and no terminal at all fall back to the status table, exit 0', async () => {
    await fault('TERM=dumb, stdout not a terminal', async () => {
      const dumb = tfmonInPty(common, { columns: 100, rows: 30 }, { TERM: 'dumb' });
      expect(await dumb.exited).toBe(0);
      expect(dumb.text()).toMatch(/1 ps, 1 worker; 2 running/);
      expect(dumb.text()).toMatch(/^worker +0 +tft/m);
      expect(dumb.output()).not.toMatch(/\u001b\[\?25l/); // never hid the cursor: no live screen

      const piped = await tfmon(common);
      expect(piped.code).toBe(0);
      expect(piped.stdout).toContain(own('t-ps-0'));
      expect(piped.stdout).not.toMatch(/\u001b/);
    });
  }, 40_000);

  it('SIGTERM ends with 0, SIGHUP (the SSH session went away) with 129; the cursor is given back', async () => {
    await fault('SIGTERM and SIGHUP while the screen is live', async () => {
      for (const [signal, code] of [
        ['SIGTERM', 0],
        ['SIGHUP', 129],
      ] as const) {
        const pty = tfmonInPty(common, { columns: 100, rows: 30 });
        await pty.waitFor('2 nodes');
        expect(pty.output()).toContain('\u001b[?25l'); // the live screen hides the cursor…
        process.kill(pty.pid(), signal);
        expect(await pty.exited).toBe(code);
        expect(pty.output().slice(pty.output().lastIndexOf('\u001b[?25l'))).toContain(CURSOR_SHOWN); // …and shows it again
        expect(pty.text()).not.toMatch(/Error|at .*\.js:\d+/);
      }
    });
  }, 60_000);

  it('a storm of 200 SIGWINCH (the size unchanged), then keys: the screen still answers, then q exits 0', async () => {
    await fault('200 SIGWINCH in 2 s', async () => {
      const pty = tfmonInPty(common, { columns: 100, rows: 30 });
      await pty.waitFor('2 nodes');
      for (let i = 0; i < 200; i++) {
        process.kill(pty.pid(), 'SIGWINCH');
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 200));
      }
      // Still drawing after the storm: ? opens the help, Esc closes it.
      const before = pty.output().length;
      pty.child.stdin.write('?');
      await waitUntil(() => pty.output().slice(before).includes('Esc'), 5000, 50);
      pty.child.stdin.write('q');
      expect(await pty.exited).toBe(0);
      expect(pty.text()).not.toMatch(/Error|unexpected/);
    });
  }, 40_000);

  it('bad flags end with one line and exit 2, never a stack trace', async () => {
    await fault('bad flags and values', async () => {
      for (const args of [['--tail', 'lots'], ['--probe-interval', '-1'], ['--network', ''], ['frobnicate']]) {
        const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
          const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
          let err = '';
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.on('close', (code) => resolve({ code, err }));
        });
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
        expect(r.err).toMatch(/^tfmon: /);
      }
    });
  }, 40_000);
});

describe('the terminal given back', () => {
  const size = { columns: 100, rows: 30 };
  const before = "printf 'the user had this on screen\\n'";
  /** After tfmon ends, the terminal shows what it showed before, and nothing of tfmon's. */
  async function expectGivenBack(pty: Pty, after: RegExp | null = null): Promise<void> {
    const screen = await playInTerminal(Buffer.from(pty.output(), 'latin1'), size);
    expect(screen.buffer).toBe('normal');
    expect(screen.lines.join('\n')).toContain('the user had this on screen');
    // No frame of tfmon's is left on the screen or in its scrollback (`after`: a line it may print on leaving).
    const left = screen.lines.filter((l) => /nodes|tfmon|worker|ps-0/.test(l) && !after?.test(l));
    expect(left, screen.lines.join('\n')).toEqual([]);
    expect(pty.output().slice(pty.output().lastIndexOf('\u001b[?25l'))).toContain(CURSOR_SHOWN);
  }

  type Ender = (pty: Pty) => void;
  it.each<[string, Ender, number]>([
    ['q', (pty) => void pty.child.stdin.write('q'), 0],
    ['Ctrl-C', (pty) => void pty.child.stdin.write('\u0003'), 0],
    ['SIGTERM', (pty) => void process.kill(pty.pid(), 'SIGTERM'), 0],
    ['SIGHUP', (pty) => void process.kill(pty.pid(), 'SIGHUP'), 129],
  ])(
    '%s: the text from before tfmon is back, no tfmon line is left',
    async (how, end, code) => {
      await fault(`terminal given back after ${how}`, async () => {
        const pty = tfmonInPty(common, size, {}, before);
        await pty.waitFor('2 nodes');
        end(pty);
        expect(await pty.exited).toBe(code);
        await expectGivenBack(pty);
      });
    },
    40_000,
  );

  it('an uncaught error: the terminal is given back first, then one line says what happened', async () => {
    await fault('an uncaught exception under the live screen', async () => {
      const pty = tfmonInPty(common, size, { TFMON_FAULT_THROW_AFTER_MS: '1500' }, before);
      await pty.waitFor('2 nodes');
      expect(await pty.exited).toBe(1);
      await expectGivenBack(pty, /^tfmon: unexpected error: injected fault/);
      const screen = await playInTerminal(Buffer.from(pty.output(), 'latin1'), size);
      expect(screen.lines.filter((l) => l.startsWith('tfmon: unexpected error: injected fault'))).toHaveLength(1);
      expect(screen.lines.join('\n')).not.toMatch(/\n\s+at /);
    });
  }, 40_000);

  it('--no-alt-screen leaves the last frame in the terminal, as before', async () => {
    await fault('--no-alt-screen', async () => {
      const pty = tfmonInPty([...common, '--no-alt-screen'], size, {}, before);
      await pty.waitFor('2 nodes');
      pty.child.stdin.write('q');
      expect(await pty.exited).toBe(0);
      const screen = await playInTerminal(Buffer.from(pty.output(), 'latin1'), size);
      expect(screen.buffer).toBe('normal');
      expect(screen.lines.join('\n')).toContain('the user had this on screen');
      expect(screen.lines.some((l) => l.includes('2 nodes'))).toBe(true);
    });
  }, 40_000);
});

describe('the screen starts at the top, whatever the shell printed before', () => {
  const header = new RegExp(`^tfmon ${net} `);
  /** The screen as the terminal shows it now. */
  const shown = (pty: Pty, size: { columns: number; rows: number }) =>
    playInTerminal(Buffer.from(pty.output(), 'latin1'), size, pty.resizes);
  const settle = () => new Promise((r) => setTimeout(r, 400));

  it.each([
    ['15 lines printed (the cursor in the middle)', 'seq 1 15', { columns: 120, rows: 40 }],
    ['38 lines printed (the cursor near the bottom)', 'seq 1 38', { columns: 120, rows: 40 }],
  ])(
    '%s: the header on row 1 at the first frame, after keys and after a resize; the text is back after q',
    async (_what, before, size) => {
      const pty = tfmonInPty(common, size, {}, before);
      try {
        await pty.waitFor('2 nodes');
        let screen = await shown(pty, size);
        expect(screen.buffer).toBe('alternate');
        expect(screen.view[0], screen.view.join('\n')).toMatch(header);
        expect(screen.view.at(-1), screen.view.join('\n')).toMatch(/^↑\/↓ select /);
        // m (the matrix: a shorter view), then Esc and ? (the help): each still drawn from row 1.
        for (const key of ['m', '\u001b', '?']) {
          pty.child.stdin.write(key);
          await settle();
          screen = await shown(pty, size);
          expect(screen.view[0], `after ${JSON.stringify(key)}:\n${screen.view.join('\n')}`).toMatch(
            key === '?' ? /\S/ : header,
          );
        }
        pty.child.stdin.write('\u001b');
        await settle();
        // A smaller window, then a larger one: drawn from row 1 at each size.
        for (const next of [
          { columns: 80, rows: 24 },
          { columns: 160, rows: 50 },
        ]) {
          pty.resize(next.columns, next.rows);
          await settle();
          screen = await shown(pty, size);
          expect(screen.view[0], `at ${next.columns}x${next.rows}:\n${screen.view.join('\n')}`).toMatch(header);
          // Every row used: the footer on the terminal's last row.
          expect(screen.view.at(-1), screen.view.join('\n')).toMatch(/^↑\/↓ select /);
          // Laid out for the new width: the details' rule runs across it (Ink leaves the last column).
          expect(
            screen.view.some((l) => l.startsWith('── ') && l.length === next.columns - 1),
            screen.view.join('\n'),
          ).toBe(true);
        }
        pty.child.stdin.write('q');
        expect(await pty.exited).toBe(0);
        screen = await shown(pty, size);
        expect(screen.buffer).toBe('normal');
        // Every line the shell printed is there again.
        const printed = Number(before.split(' ').at(-1));
        for (let i = 1; i <= printed; i++) expect(screen.lines).toContain(String(i));
      } finally {
        pty.kill();
      }
    },
    40_000,
  );

  it('--no-alt-screen: the first frame is drawn below what the shell printed, overwriting none of it', async () => {
    const size = { columns: 120, rows: 40 };
    const pty = tfmonInPty([...common, '--no-alt-screen'], size, {}, 'seq 1 15');
    try {
      await pty.waitFor('2 nodes');
      const screen = await shown(pty, size);
      expect(screen.buffer).toBe('normal');
      const top = screen.lines.findIndex((l) => header.test(l));
      expect(top).toBeGreaterThanOrEqual(15);
      expect(screen.lines.slice(0, 15)).toEqual(Array.from({ length: 15 }, (_, i) => String(i + 1)));
      pty.child.stdin.write('q');
      expect(await pty.exited).toBe(0);
    } finally {
      pty.kill();
    }
  }, 40_000);
});
