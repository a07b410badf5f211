// What a terminal shows after a program's output: the bytes a pseudo-terminal recorded, played into
// xterm.js's headless emulator (the terminal of VS Code and many web shells). Only an emulator can say
// what is on screen once the alternate screen was left, a scroll region reset or lines erased.
import { createRequire } from 'node:module';
import type { Terminal as TerminalType } from '@xterm/headless';

// The package's "module" field names a browser build it does not ship: load its CommonJS main.
const { Terminal } = createRequire(import.meta.url)('@xterm/headless') as { Terminal: typeof TerminalType };

export interface Screen {
  /** The lines of the buffer the terminal shows now (scrollback included), right-trimmed. */
  lines: string[];
  /** The rows visible in the terminal's window now, top to bottom (as many as it has rows). */
  view: string[];
  /** Which buffer is shown: the normal one, or the alternate screen a full-screen program draws on. */
  buffer: 'normal' | 'alternate';
}

/** A size change in the middle of the recording: `at` is the byte offset the terminal had received. */
export interface Resize {
  at: number;
  size: { columns: number; rows: number };
}

export async function playInTerminal(
  bytes: Buffer,
  size: { columns: number; rows: number },
  resizes: readonly Resize[] = [],
): Promise<Screen> {
  const term = new Terminal({ cols: size.columns, rows: size.rows, allowProposedApi: true, scrollback: 1000 });
  // A pty turns \n into \r\n on output; `script` recorded what the terminal received.
  const write = (chunk: Buffer): Promise<void> =>
    new Promise<void>((resolve) => term.write(new Uint8Array(chunk), resolve));
  let from = 0;
  for (const r of resizes) {
    await write(bytes.subarray(from, r.at));
    term.resize(r.size.columns, r.size.rows);
    from = r.at;
  }
  await write(bytes.subarray(from));
  const active = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < active.length; i++) lines.push(active.getLine(i)?.translateToString(true) ?? '');
  const view: string[] = [];
  for (let i = 0; i < term.rows; i++) view.push(active.getLine(active.viewportY + i)?.translateToString(true) ?? '');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const screen: Screen = { lines, view, buffer: active.type };
  term.dispose();
  return screen;
}
