// tfmon as a user runs it: the executable in a pseudo-terminal of a given size (util-linux `script`),
// with what it printed, its process id and its exit code. Used where only a real terminal shows the
// behaviour (signals, sizes, locales, TERM).
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import type { Resize } from './screen.js';
import { tfmonPidUnder } from '../../bench/procs.js';
import { CLI, waitUntil } from '../integration/harness.js';

export interface Pty {
  child: ChildProcessWithoutNullStreams;
  /** Everything printed so far, escape sequences included. */
  output(): string;
  /** Printed so far, without CSI sequences: what a reader would look for. */
  text(): string;
  /** tfmon's own process (node under script's shell). */
  pid(): number;
  exited: Promise<number | null>;
  /** Waits until the text holds `what`; on timeout says what the terminal did show. */
  waitFor(what: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Resizes the terminal as a window resize does (the kernel then sends SIGWINCH); the offsets of
   * the output at each resize are in `resizes`, for playing the output back at the right sizes. */
  resize(columns: number, rows: number): void;
  resizes: Resize[];
  kill(): void;
}

const plain = (s: string): string => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

/** `before`: shell text run in the terminal before tfmon starts (what the user had on screen). */
export function tfmonInPty(
  args: string[],
  size: { columns: number; rows: number },
  env: NodeJS.ProcessEnv = {},
  before = '',
): Pty {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const command = `stty cols ${size.columns} rows ${size.rows}; ${before ? `${before}; ` : ''}exec ${CLI} ${quoted}`;
  // A sane terminal unless the test says otherwise: CI may run with TERM unset or dumb.
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8', LC_ALL: '', ...env },
  });
  let out = '';
  // A key written after the terminal's program ended (it quit first) is a write to a closed pipe:
  // lost, as a key typed into a closed window is, not an error of the test.
  child.stdin.on('error', () => undefined);
  child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('latin1')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let tfmonPid = 0;
  const resizes: Resize[] = [];
  return {
    child,
    output: () => out,
    text: () => plain(Buffer.from(out, 'latin1').toString('utf8')),
    pid: () => (tfmonPid ||= tfmonPidUnder(child.pid ?? 0)),
    exited,
    async waitFor(what, timeoutMs = 20_000) {
      const seen = (): boolean => (typeof what === 'string' ? this.text().includes(what) : what.test(this.text()));
      await waitUntil(seen, timeoutMs, 50).catch((e: unknown) => {
        child.kill('SIGKILL');
        throw new Error(
          `${String(e)} waiting for ${String(what)}; the terminal showed: ${JSON.stringify(this.text().slice(-600))}`,
        );
      });
    },
    resize(columns, rows) {
      const tty = readlinkSync(`/proc/${this.pid()}/fd/0`);
      resizes.push({ at: Buffer.byteLength(out, 'latin1'), size: { columns, rows } });
      execFileSync('stty', ['-F', tty, 'cols', String(columns), 'rows', String(rows)]);
    },
    resizes,
    kill: () => child.kill('SIGKILL'),
  };
}
