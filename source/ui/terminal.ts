// Terminal facts: UTF-8 or ASCII glyphs, color or not, size (live, on resize).
import { useEffect, useState } from 'react';

/** ASCII glyphs unless the locale says UTF-8 (LC_ALL, then LC_CTYPE, then LANG, as libc decides). */
export function asciiOnly(env: NodeJS.ProcessEnv = process.env): boolean {
  const locale = env['LC_ALL'] || env['LC_CTYPE'] || env['LANG'] || '';
  if (env['TFMON_ASCII'] === '1') return true;
  return !/utf-?8/i.test(locale);
}

/** https://no-color.org: any non-empty NO_COLOR turns colors off; so does TERM=dumb. */
export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env['NO_COLOR'] && env['TERM'] !== 'dumb';
}

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
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // read depends only on stdout and fixed
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout, fixed]);
  return fixed ?? size;
}
