// The one key table: which key does what in which view. The screen's lookups, its footers, the `?`
// help, the key section of `tfmon --help` and docs/keys.md are all generated from it (a test fails
// when docs/keys.md is stale), so what the keys do and what is written about them cannot drift.
// Pure; no React.

export type Action =
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'first'
  | 'last'
  | 'left'
  | 'right'
  | 'sort'
  | 'probe'
  | 'matrix'
  | 'tfConfig'
  | 'logs'
  | 'allLogs'
  | 'scaleUp'
  | 'scaleDown'
  | 'restart'
  | 'restartRole'
  | 'apply'
  | 'write'
  | 'search'
  | 'nextMatch'
  | 'previousMatch'
  | 'lastError'
  | 'pause'
  | 'timestamps'
  | 'yes'
  | 'stepBack'
  | 'stepForward'
  | 'previousEvent'
  | 'nextEvent'
  | 'goTo'
  | 'play'
  | 'speed'
  | 'help'
  | 'close'
  | 'quit';

/** What has the keys: the table with the node details, the matrix or the TF_CONFIG pane under it;
 * the full-screen log view; the help; a question waiting for y. */
export type View = 'main' | 'matrix' | 'tfconfig' | 'logs' | 'help' | 'dialog';
export const VIEWS: readonly View[] = ['main', 'matrix', 'tfconfig', 'logs', 'help', 'dialog'];

export interface KeyBinding {
  /** Key names as keyName() gives them. */
  keys: string[];
  /** As the help shows it; '' when the line before documents it too (← with →). */
  label: string;
  action: Action;
  help: string;
  views: readonly View[];
  /** The footer's words for it, where the footer names it. */
  footer?: string;
  /** Changes the cluster: not bound with --read-only (the help shows it off). */
  changes?: boolean;
  /** A few words for one-line lists (tfmon --help), where the help's start does not do. */
  short?: string;
  /** Only on the live screen, or only in `tfmon replay` (absent: both). */
  mode?: Mode;
}

/** The live screen, or a recording replayed (`tfmon replay`: read-only, with a time bar). */
export type Mode = 'live' | 'replay';

const TABLE: View[] = ['main', 'matrix', 'tfconfig'];
const SCREENS: View[] = [...TABLE, 'logs'];
const ALL_BUT_DIALOG: View[] = [...SCREENS, 'help'];

export const KEYMAP: readonly KeyBinding[] = [
  // The table (with the details, the matrix or the TF_CONFIG pane under it)
  {
    keys: ['up', 'k'],
    label: '↑/k',
    action: 'up',
    help: 'select the node above',
    views: TABLE,
    footer: '↑/↓ select',
    short: 'up',
  },
  { keys: ['down', 'j'], label: '↓/j', action: 'down', help: 'select the node below', views: TABLE, short: 'down' },
  { keys: ['pageUp'], label: 'PgUp', action: 'pageUp', help: 'one page of nodes up', views: TABLE, short: 'page up' },
  {
    keys: ['pageDown'],
    label: 'PgDn',
    action: 'pageDown',
    help: 'one page of nodes down',
    views: TABLE,
    short: 'page down',
  },
  { keys: ['home'], label: 'Home', action: 'first', help: 'first node', views: TABLE, short: 'first' },
  { keys: ['end'], label: 'End', action: 'last', help: 'last node', views: TABLE, short: 'last' },
  {
    keys: ['left'],
    label: '←/→',
    action: 'left',
    help: 'the peer column to the left / right in the matrix (opens it)',
    views: ['main', 'matrix'],
    short: 'matrix column',
    mode: 'live',
  },
  { keys: ['right'], label: '', action: 'right', help: '', views: ['main', 'matrix'], mode: 'live' },
  {
    keys: ['l'],
    label: 'l',
    action: 'logs',
    help: "the selected node's logs, full screen",
    views: TABLE,
    footer: 'l logs',
    short: 'logs',
  },
  {
    keys: ['m'],
    label: 'm',
    action: 'matrix',
    help: 'reachability matrix / node details (toggles)',
    views: TABLE,
    footer: 'm matrix',
    short: 'matrix',
  },
  {
    keys: ['c'],
    label: 'c',
    action: 'tfConfig',
    help: 'TF_CONFIG (a PyTorch job: WORLD_SIZE, MASTER_*) from the live topology: the diff per node (toggles)',
    views: TABLE,
    footer: 'c TF_CONFIG',
    short: 'TF_CONFIG diff',
  },
  {
    keys: ['a'],
    label: 'a',
    action: 'apply',
    help: 'recreate the nodes that differ, one at a time (a PyTorch job: every rank) (asks first)',
    views: ['tfconfig'],
    footer: 'a apply',
    changes: true,
    short: 'apply it (rolling, asks)',
  },
  {
    keys: ['w'],
    label: 'w',
    action: 'write',
    help: "write each node's TF_CONFIG to <node>.json in --tf-config-dir",
    views: ['tfconfig'],
    footer: 'w write files',
    short: 'write <node>.json files',
  },
  {
    keys: ['+'],
    label: '+',
    action: 'scaleUp',
    help: 'add a worker (a copy of the highest-index one; PyTorch: the job restarts, a rank more)',
    views: TABLE,
    changes: true,
    short: 'add a worker',
  },
  {
    keys: ['-'],
    label: '-',
    action: 'scaleDown',
    help: 'remove the highest-index worker (asks first; PyTorch: the job restarts, a rank less)',
    views: TABLE,
    changes: true,
    short: 'remove the last worker',
  },
  {
    keys: ['r'],
    label: 'r',
    action: 'restart',
    help: 'restart the selected node (asks first)',
    views: TABLE,
    changes: true,
    short: 'restart',
  },
  {
    keys: ['R'],
    label: 'R',
    action: 'restartRole',
    help: "restart every node of the selected node's role (asks first)",
    views: TABLE,
    changes: true,
    short: 'restart the role',
  },
  {
    keys: ['s'],
    label: 's',
    action: 'sort',
    help: 'sort by role, CPU, memory, name (cycles)',
    views: TABLE,
    short: 'sort (role, CPU, memory, name)',
  },
  {
    keys: ['p'],
    label: 'p',
    action: 'probe',
    help: 'probe every pair of nodes now (one round)',
    views: TABLE,
    footer: 'p probe',
    short: 'probe every pair now',
    mode: 'live',
  },
  // Replay: time
  {
    keys: ['left'],
    label: '←/→',
    action: 'stepBack',
    help: 'a recorded second back / forward',
    views: SCREENS,
    footer: '←/→ time',
    short: 'a second back / forward',
    mode: 'replay',
  },
  { keys: ['right'], label: '', action: 'stepForward', help: '', views: SCREENS, mode: 'replay' },
  {
    keys: ['['],
    label: '[/]',
    action: 'previousEvent',
    help: 'the previous / next event (a problem opened or cleared, an exit, an OOM kill, a restart)',
    views: SCREENS,
    footer: '[/] event',
    short: 'previous / next event',
    mode: 'replay',
  },
  { keys: [']'], label: '', action: 'nextEvent', help: '', views: SCREENS, mode: 'replay' },
  {
    keys: ['b'],
    label: 'b',
    action: 'goTo',
    help: 'go to a time (02:58, 2026-12-05T02:58:00Z, -5m from the end); Enter goes, Esc cancels',
    views: SCREENS,
    footer: 'b go to',
    short: 'go to a time',
    mode: 'replay',
  },
  {
    keys: [' '],
    label: 'space',
    action: 'play',
    help: 'play / pause',
    views: TABLE,
    footer: 'space play',
    short: 'play / pause',
    mode: 'replay',
  },
  {
    keys: ['x'],
    label: 'x',
    action: 'speed',
    help: 'play speed: 1x, 10x, 60x (cycles)',
    views: SCREENS,
    short: 'speed',
    mode: 'replay',
  },
  {
    keys: ['<'],
    label: '</>',
    action: 'left',
    help: 'the peer column to the left / right in the matrix (opens it)',
    views: ['main', 'matrix'],
    short: 'matrix column',
    mode: 'replay',
  },
  { keys: ['>'], label: '', action: 'right', help: '', views: ['main', 'matrix'], mode: 'replay' },
  // The log view
  { keys: ['up', 'k'], label: '↑/k', action: 'up', help: 'one line up', views: ['logs'], short: 'line up' },
  { keys: ['down', 'j'], label: '↓/j', action: 'down', help: 'one line down', views: ['logs'], short: 'line down' },
  { keys: ['pageUp'], label: 'PgUp', action: 'pageUp', help: 'one page up', views: ['logs'], short: 'page up' },
  { keys: ['pageDown'], label: 'PgDn', action: 'pageDown', help: 'one page down', views: ['logs'], short: 'page down' },
  { keys: ['home', 'g'], label: 'Home/g', action: 'first', help: 'oldest line', views: ['logs'], short: 'oldest' },
  {
    keys: ['end', 'G'],
    label: 'End/G',
    action: 'last',
    help: 'newest line, following again',
    views: ['logs'],
    footer: 'g/G',
    short: 'newest',
  },
  {
    keys: ['/'],
    label: '/',
    action: 'search',
    help: 'filter (text, or /regex/); Enter applies, Esc clears',
    views: ['logs'],
    footer: '/ filter',
    short: 'filter',
  },
  {
    keys: ['n'],
    label: 'n/N',
    action: 'previousMatch',
    help: 'previous / next match',
    views: ['logs'],
    footer: 'n/N match',
    short: 'matches',
  },
  { keys: ['N'], label: '', action: 'nextMatch', help: '', views: ['logs'] },
  {
    keys: ['e'],
    label: 'e',
    action: 'lastError',
    help: 'the latest error line',
    views: ['logs'],
    footer: 'e error',
    short: 'latest error',
  },
  {
    keys: [' '],
    label: 'space',
    action: 'pause',
    help: 'pause / resume following',
    views: ['logs'],
    footer: 'space pause',
    short: 'pause',
  },
  {
    keys: ['L'],
    label: 'L',
    action: 'allLogs',
    help: "every node's logs interleaved, full screen",
    views: SCREENS,
    short: 'all logs',
  },
  { keys: ['t'], label: 't', action: 'timestamps', help: 'timestamps on / off', views: SCREENS, short: 'timestamps' },
  // A question
  {
    keys: ['y', 'Y'],
    label: 'y',
    action: 'yes',
    help: 'go ahead; any other key answers no',
    views: ['dialog'],
    short: 'yes (any other key: no)',
  },
  // Everywhere
  {
    keys: ['?'],
    label: '?',
    action: 'help',
    help: 'this help (toggles)',
    views: ALL_BUT_DIALOG,
    footer: '? help',
    short: 'help',
  },
  {
    keys: ['escape'],
    label: 'Esc',
    action: 'close',
    help: 'back: close the help, the pane, the log view',
    views: ALL_BUT_DIALOG,
    footer: 'Esc back',
    short: 'back',
  },
  {
    keys: ['q', 'ctrl+c'],
    label: 'q',
    action: 'quit',
    help: 'quit (Ctrl-C too)',
    views: ALL_BUT_DIALOG,
    footer: 'q quit',
    short: 'quit',
  },
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
  return?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
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

/** The bindings a view has; with --read-only (and in replay), none of those that change the cluster. */
export const bindingsOf = (view: View, readOnly = false, mode: Mode = 'live'): KeyBinding[] =>
  KEYMAP.filter(
    (b) =>
      b.views.includes(view) &&
      !((readOnly || mode === 'replay') && b.changes) &&
      (b.mode === undefined || b.mode === mode),
  );

const lookups = new Map<string, Map<string, Action>>();
function lookup(view: View, readOnly: boolean, mode: Mode): Map<string, Action> {
  const id = `${view}:${readOnly}:${mode}`;
  let map = lookups.get(id);
  if (!map)
    lookups.set(
      id,
      (map = new Map(bindingsOf(view, readOnly, mode).flatMap((b) => b.keys.map((k) => [k, b.action] as const)))),
    );
  return map;
}

/** The action of a key in a view, if it has one. */
export const actionFor = (name: string, view: View, readOnly = false, mode: Mode = 'live'): Action | undefined =>
  lookup(view, readOnly, mode).get(name);

/** A key that would change the cluster in this view, pressed with --read-only: worth a word. */
export const refusedFor = (name: string, view: View): boolean =>
  KEYMAP.some((b) => b.changes === true && b.views.includes(view) && b.keys.includes(name));

/** The footer's hints for a view, in the table's order. */
export const footerOf = (view: View, readOnly = false, mode: Mode = 'live'): string =>
  bindingsOf(view, readOnly, mode)
    .filter((b) => b.footer && !(view === 'main' && b.action === 'close'))
    .map((b) => b.footer)
    .join('  ');

/** What each view is called in the help and the docs. */
export const VIEW_TITLES: Record<View, string> = {
  main: "the table, with the selected node's details",
  matrix: 'the table, with the reachability matrix (m)',
  tfconfig: 'the table, with the TF_CONFIG pane (c)',
  logs: 'the log view (l, L)',
  help: 'the help (?)',
  dialog: 'a question ([y/N])',
};

/** The key section of `tfmon --help`: the table's views, one line of keys each. */
export function keysHelpText(indent = '    ', width = 100): string {
  const out: string[] = [];
  const wrap = (head: string, bindings: readonly KeyBinding[]): void => {
    let line = `${indent}${head}`;
    for (const w of bindings.map((b) => `${b.label} ${b.short ?? shortHelp(b)}`)) {
      if (line.length + w.length + 3 > width && line.trim().length) {
        out.push(line.trimEnd());
        line = `${indent}  `;
      }
      line += `${w}   `;
    }
    out.push(line.trimEnd());
  };
  for (const view of ['main', 'matrix', 'tfconfig', 'logs', 'dialog'] as const) {
    const own = bindingsOf(view).filter((b) => b.label && (view === 'main' || !b.views.includes('main')));
    if (own.length === 0) continue;
    wrap(view === 'main' ? '' : `${VIEW_TITLES[view].replace(/^the table, with /, 'with ')}: `, own);
  }
  wrap(
    'tfmon replay: ',
    KEYMAP.filter((b) => b.mode === 'replay' && b.label),
  );
  return out.join('\n');
}

/** A binding's help up to its first comma, colon or parenthesis: the short form for one-line lists. */
const shortHelp = (b: KeyBinding): string => b.help.split(/[,:(;]/)[0]!.trim();

/** docs/keys.md, whole. */
export function keysMarkdown(): string {
  const lines = [
    '# Keys of the live screen',
    '',
    'Generated from `source/ui/keys.ts` (`npm run docs` rewrites this file; a test fails when it is stale).',
    'Keys that change the cluster are not bound with `--read-only`; pressing one says so.',
    '',
  ];
  for (const view of VIEWS) {
    lines.push(
      `## ${VIEW_TITLES[view][0]!.toUpperCase()}${VIEW_TITLES[view].slice(1)}`,
      '',
      '| key | what it does |',
      '|---|---|',
    );
    for (const b of bindingsOf(view)) {
      if (!b.label) continue;
      const md = b.label.replace(/\|/g, '\\|');
      lines.push(`| \`${md}\` | ${b.help}${b.changes ? ' *(changes the cluster)*' : ''} |`);
    }
    if (view === 'logs')
      lines.push(
        '',
        'While a filter is typed after `/`, keys are text: Enter applies it, Esc clears it, Backspace edits, Ctrl-C quits.',
      );
    lines.push('');
  }
  lines.push(
    '## Replay (`tfmon replay FILE`)',
    '',
    'The same views, read-only, with a time bar at the bottom. These keys are added; `p` and the keys that change the cluster are not bound.',
    '',
    '| key | what it does |',
    '|---|---|',
  );
  for (const b of KEYMAP.filter((k) => k.mode === 'replay' && k.label))
    lines.push(`| \`${b.label.replace(/\|/g, '\\|')}\` | ${b.help} |`);
  lines.push('', 'After `b`, keys are text: Enter goes to the time typed, Esc cancels, Backspace edits.');
  return `${lines.join('\n').trimEnd()}\n`;
}
