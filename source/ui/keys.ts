// One key map: key → action → help text. The help overlay and the footer are generated from it.
export type Action = 'up' | 'down' | 'pageUp' | 'pageDown' | 'first' | 'last' | 'left' | 'right' | 'sort' | 'probe' | 'matrix' | 'help' | 'close' | 'quit';

export interface KeyBinding {
  keys: string[];
  label: string;
  action: Action;
  help: string;
}

export const KEYMAP: readonly KeyBinding[] = [
  { keys: ['up', 'k'], label: '↑/k', action: 'up', help: 'select the node above' },
  { keys: ['down', 'j'], label: '↓/j', action: 'down', help: 'select the node below' },
  { keys: ['pageUp'], label: 'PgUp', action: 'pageUp', help: 'one page up' },
  { keys: ['pageDown'], label: 'PgDn', action: 'pageDown', help: 'one page down' },
  { keys: ['home'], label: 'Home', action: 'first', help: 'first node' },
  { keys: ['end'], label: 'End', action: 'last', help: 'last node' },
  { keys: ['left'], label: '←/→', action: 'left', help: 'matrix: the peer column to the left / right' },
  { keys: ['right'], label: '', action: 'right', help: '' },
  { keys: ['m'], label: 'm', action: 'matrix', help: 'reachability matrix / node details (toggles)' },
  { keys: ['s'], label: 's', action: 'sort', help: 'sort by role, CPU, memory, name (cycles)' },
  { keys: ['p'], label: 'p', action: 'probe', help: 'run a reachability round now' },
  { keys: ['?'], label: '?', action: 'help', help: 'show / hide this help' },
  { keys: ['escape'], label: 'Esc', action: 'close', help: 'close the help, back to node details' },
  { keys: ['q', 'ctrl+c'], label: 'q', action: 'quit', help: 'quit (Ctrl-C too)' },
];

/** Ink's key flags reduced to one name, so lookups are a table read. */
export interface KeyFlags {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  escape?: boolean;
  ctrl?: boolean;
}

export function keyName(input: string, key: KeyFlags): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageUp';
  if (key.pageDown) return 'pageDown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.escape) return 'escape';
  if (key.ctrl) return `ctrl+${input}`;
  return input;
}

const BY_KEY = new Map<string, Action>(KEYMAP.flatMap((b) => b.keys.map((k) => [k, b.action] as const)));

export const actionFor = (input: string, key: KeyFlags): Action | undefined => BY_KEY.get(keyName(input, key));
