// Terminal size, live on resize. (Locale and color checks live in text/locale.ts, free of React.)
import { useWindowSize } from 'ink';

export interface Size {
  columns: number;
  rows: number;
}

/** Ink's window size (re-rendered on resize; Ink clears the screen itself when it narrows), or a
 * fixed size that tests and the bench hand in. */
export function useTerminalSize(fixed?: Size): Size {
  const live = useWindowSize();
  return fixed ?? live;
}
