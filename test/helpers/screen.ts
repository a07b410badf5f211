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
  /** Which buffer is shown: the normal one, or the alternate screen a full-screen program draws on. */
  buffer: 'normal' | 'alternate';
}

export async function playInTerminal(bytes: Buffer, size: { columns: number; rows: number }): Promise<Screen> {
  const term = new Terminal({ cols: size.columns, rows: size.rows, allowProposedApi: true, scrollback: 1000 });
  // A pty turns \n into \r\n on output; `script` recorded what the terminal received.
  await new Promise<void>((resolve) => term.write(new Uint8Array(bytes), resolve));
  const active = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < active.length; i++) lines.push(active.getLine(i)?.translateToString(true) ?? '');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const screen: Screen = { lines, buffer: active.type };
  term.dispose();
  return screen;
}
