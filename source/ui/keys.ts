// One key map: key → action → help text, per screen. The help overlay and the footers are generated
// from it, so what the keys do and what the help says cannot drift apart.
export type Action =
  | 'up' | 'down' | 'pageUp' | 'pageDown' | 'first' | 'last' | 'left' | 'right'
  | 'sort' | 'probe' | 'matrix' | 'logs' | 'allLogs'
  | 'scaleUp' | 'scaleDown' | 'restart' | 'restartRole' | 'regenerate'
  | 'search' | 'nextMatch' | 'previousMatch' | 'lastError' | 'pause' | 'timestamps'
  | 'help' | 'close' | 'quit';

/** The main screen (table + pane) or the full-screen log view. */
export type Screen = 'main' | 'logs';

export interface KeyBinding {
  keys: string[];
  label: string;
  action: Action;
  help: string;
  screens: Screen[];
  /** Changes the cluster: refused (and greyed in the help) with --read-only. */
  changes?: boolean;
}

const BOTH: Screen[] = ['main', 'logs'];

export const KEYMAP: readonly KeyBinding[] = [
  { keys: ['up', 'k'], label: '↑/k', action: 'up', help: 'select the node above (logs: one line up)', screens: BOTH },
  { keys: ['down', 'j'], label: '↓/j', action: 'down', help: 'select the node below (logs: one line down)', screens: BOTH },
  { keys: ['pageUp'], label: 'PgUp', action: 'pageUp', help: 'one page up', screens: BOTH },
  { keys: ['pageDown'], label: 'PgDn', action: 'pageDown', help: 'one page down', screens: BOTH },
  { keys: ['home'], label: 'Home', action: 'first', help: 'first node', screens: ['main'] },
  { keys: ['end'], label: 'End', action: 'last', help: 'last node', screens: ['main'] },
  { keys: ['home', 'g'], label: 'Home/g', action: 'first', help: 'oldest line', screens: ['logs'] },
  { keys: ['end', 'G'], label: 'End/G', action: 'last', help: 'newest line, following again', screens: ['logs'] },
  { keys: ['left'], label: '←/→', action: 'left', help: 'matrix: the peer column to the left / right', screens: ['main'] },
  { keys: ['right'], label: '', action: 'right', help: '', screens: ['main'] },
  { keys: ['m'], label: 'm', action: 'matrix', help: 'reachability matrix / node details (toggles)', screens: ['main'] },
  { keys: ['l'], label: 'l', action: 'logs', help: "the selected node's logs, full screen", screens: ['main'] },
  { keys: ['L'], label: 'L', action: 'allLogs', help: "every node's logs interleaved, full screen", screens: BOTH },
  { keys: ['+'], label: '+', action: 'scaleUp', help: 'add a worker (a copy of the highest-index one, with its own TF_CONFIG)', screens: ['main'], changes: true },
  { keys: ['-'], label: '-', action: 'scaleDown', help: 'remove the highest-index worker (asks first)', screens: ['main'], changes: true },
  { keys: ['r'], label: 'r', action: 'restart', help: 'restart the selected node (asks first)', screens: ['main'], changes: true },
  { keys: ['R'], label: 'R', action: 'restartRole', help: "restart every node of the selected node's role (asks first)", screens: ['main'], changes: true },
  { keys: ['g'], label: 'g', action: 'regenerate', help: 'TF_CONFIG from the live topology: the diff, then a apply (rolling) or w write files', screens: ['main'] },
  { keys: ['s'], label: 's', action: 'sort', help: 'sort by role, CPU, memory, name (cycles)', screens: ['main'] },
  { keys: ['p'], label: 'p', action: 'probe', help: 'probe every pair of nodes now (one round)', screens: ['main'] },
  { keys: ['/'], label: '/', action: 'search', help: 'logs: filter (text, or /regex/); Enter applies, Esc clears', screens: ['logs'] },
  { keys: ['n'], label: 'n/N', action: 'previousMatch', help: 'logs: previous / next match', screens: ['logs'] },
  { keys: ['N'], label: '', action: 'nextMatch', help: '', screens: ['logs'] },
  { keys: ['e'], label: 'e', action: 'lastError', help: 'logs: jump to the latest error', screens: ['logs'] },
  { keys: [' '], label: 'space', action: 'pause', help: 'logs: pause / resume following', screens: ['logs'] },
  { keys: ['t'], label: 't', action: 'timestamps', help: 'timestamps on / off', screens: BOTH },
  { keys: ['?'], label: '?', action: 'help', help: 'show / hide this help', screens: BOTH },
  { keys: ['escape'], label: 'Esc', action: 'close', help: 'back: close the help, the matrix or the log view', screens: BOTH },
  { keys: ['q', 'ctrl+c'], label: 'q', action: 'quit', help: 'quit (Ctrl-C too)', screens: BOTH },
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

const BY_SCREEN: Record<Screen, Map<string, Action>> = {
  main: new Map(KEYMAP.filter((b) => b.screens.includes('main')).flatMap((b) => b.keys.map((k) => [k, b.action] as const))),
  logs: new Map(KEYMAP.filter((b) => b.screens.includes('logs')).flatMap((b) => b.keys.map((k) => [k, b.action] as const))),
};

export const actionFor = (input: string, key: KeyFlags, screen: Screen = 'main'): Action | undefined => BY_SCREEN[screen].get(keyName(input, key));
