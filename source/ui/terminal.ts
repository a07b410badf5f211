// Terminal size, live on resize. (Locale and color checks live in text/locale.ts, free of React.)
import { useEffect, useState } from 'react';

export interface Size {
  columns: number;
  rows: number;
}

/** Ink redraws on resize but does not re-render components (Ink #513): track the size ourselves. */
export function useTerminalSize(stdout: NodeJS.WriteStream, fixed?: Size): Size {
  const read = (): Size => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 };
  const [size, setSize] = useState<Size>(read);
  useEffect(() => {
    if (fixed) return undefined;
    const onResize = (): void => {
      // A narrower terminal re-wraps the old frame, and Ink then erases too few lines, leaving
      // debris above the new frame. Clearing first makes the next frame start clean.
      if (stdout.isTTY) stdout.write('\u001b[2J\u001b[3J\u001b[H');
      setSize(read());
    };
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // read depends only on stdout and fixed
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout, fixed]);
  return fixed ?? size;
}
