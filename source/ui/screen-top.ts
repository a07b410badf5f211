// Entering the alternate screen (DEC mode 1049) keeps the cursor where the shell left it, and Ink
// draws its first frame from there: after `seq 1 15` the frame began on row 16, and near the bottom
// it scrolled and jumped to row 1 at the next frame. This stdout puts the cursor home right after the
// switch, so every frame is drawn from row 1, column 1. The cursor the shell had is saved by 1049
// itself before the switch and restored when tfmon leaves, so homing here moves nothing on the
// shell's screen.
const ENTER_ALTERNATE_SCREEN = '\u001b[?1049h';
const HOME = '\u001b[H';

export function homeAfterAlternateScreen(out: NodeJS.WriteStream): NodeJS.WriteStream {
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text =
      typeof chunk === 'string' && chunk.startsWith(ENTER_ALTERNATE_SCREEN)
        ? chunk.replace(ENTER_ALTERNATE_SCREEN, ENTER_ALTERNATE_SCREEN + HOME)
        : chunk;
    return (out.write as (...args: unknown[]) => boolean)(text, ...rest);
  };
  // Everything else (size, isTTY, resize events) is the terminal's own.
  return new Proxy(out, {
    get(target, property) {
      if (property === 'write') return write;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
