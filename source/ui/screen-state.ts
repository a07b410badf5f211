// Everything the live screen remembers between frames, and what each key does to it: one state
// object and one pure reducer (no React, no timers), tested on its own. What a key asks of the
// world (probe, restart, quit…) comes back as a Command for the screen's hook to carry out.
import { regeneratesJob } from '../cluster/frameworks/registry.js';
import { jobVariablesPlan, lastWorker, notScalable, resizableJob } from '../cluster/regenerate.js';
import type { LogLine } from '../cluster/logs.js';
import type { NodeView } from '../cluster/types.js';
import type { TimeMove } from '../record/replay-player.js';
import { actionFor, keyName, refusedFor, type Action, type KeyFlags, type View } from './keys.js';
import { FOLLOWING, moveLog, type LogMove, type LogWindowState } from './log-window.js';
import { targetColumn, type Matrix } from './matrix-model.js';
import { nextSort, type SortKey } from './sort.js';

export interface Notice {
  text: string;
  tone: 'info' | 'ok' | 'error';
}

/** What a key asks of the world; the hook (use-screen.ts) carries it out. */
export type Command =
  | { kind: 'probe' }
  | { kind: 'quit' }
  | { kind: 'scaleUp'; chief: { id: string; name: string } | null }
  | { kind: 'scaleDown'; id: string; name: string }
  /** A PyTorch job restarted whole with one rank more or less. */
  | { kind: 'resizeJob'; delta: 1 | -1; done: string }
  | { kind: 'restart'; ids: string[]; done: string }
  | { kind: 'apply' }
  | { kind: 'write' }
  /** Replay: a move in time, or a time typed after `b`. */
  | { kind: 'time'; move: TimeMove }
  | { kind: 'goTo'; text: string };

/** A question waiting for y; anything else is no. */
export interface Question {
  text: string;
  command: Command;
}

export interface ScreenState {
  /** The focus stack: 'main' at the bottom, then a pane (matrix, tfconfig), the log view, and the
   * help or a question on top. Esc pops; the top one has the keys. */
  stack: View[];
  /** The selected node, by id, so that it stays selected when others come and go. */
  selectedId: string | null;
  /** Its row when last seen: where the selection falls back to when the node leaves. */
  lastRow: number;
  sort: SortKey;
  /** The matrix column under the cursor, by host name; null: the selected row's first failure. */
  target: string | null;
  logScope: 'node' | 'all';
  log: LogWindowState;
  /** The log filter being typed after `/`, or null. */
  draft: string | null;
  /** Replay: the time being typed after `b`, or null. */
  timeDraft: string | null;
  timestamps: boolean;
  question: Question | null;
  notice: Notice | null;
}

export const INITIAL: ScreenState = {
  stack: ['main'],
  selectedId: null,
  lastRow: 0,
  sort: 'role',
  target: null,
  logScope: 'node',
  log: FOLLOWING,
  draft: null,
  timeDraft: null,
  timestamps: false,
  question: null,
  notice: null,
};

/** What the reducer needs to know of the frame a key lands on. */
export interface KeyContext {
  /** The table's nodes, in its order. */
  nodes: readonly NodeView[];
  /** Rows of the table: one page. */
  pageRows: number;
  matrix: Matrix;
  /** The lines of the log view (read only when a key moves over them), and its height. */
  logLines: () => readonly LogLine[];
  /** Log lines the log view shows (a page moves one less). */
  logRows: number;
  /** --read-only: keys that change the cluster are not bound. */
  readOnly: boolean;
  /** The screen can change the cluster (false in a read-only screen or one without actions). */
  canChange: boolean;
  /** Where `w` writes (--tf-config-dir), or null. */
  tfConfigDir: string | null;
  /** A recording replayed (`tfmon replay`): its keys bound, the live screen's own not. */
  replay?: boolean;
}

export type ScreenEvent =
  | { type: 'key'; input: string; key: KeyFlags; ctx: KeyContext }
  | { type: 'notice'; notice: Notice | null }
  /** A notice's time is up: cleared if it is still the one shown. */
  | { type: 'noticeExpired'; notice: Notice }
  | { type: 'ask'; question: Question }
  /** An apply finished: the TF_CONFIG pane has nothing left to show. */
  | { type: 'applied' };

export interface Transition {
  state: ScreenState;
  command: Command | null;
}

export const viewOf = (s: ScreenState): View => s.stack.at(-1) ?? 'main';
export const helpShown = (s: ScreenState): boolean => viewOf(s) === 'help';
/** The full-screen log view is open (under the help, perhaps). */
export const logsShown = (s: ScreenState): boolean => s.stack.includes('logs');
/** What is under the table: the node's details, the matrix or the TF_CONFIG pane. */
export function paneOf(s: ScreenState): 'details' | 'matrix' | 'tfconfig' {
  for (let i = s.stack.length - 1; i >= 0; i--) {
    const v = s.stack[i];
    if (v === 'matrix' || v === 'tfconfig') return v;
  }
  return 'details';
}
/** The view whose keys and footer apply: the one under the help or the question. */
export function screenViewOf(s: ScreenState): View {
  for (let i = s.stack.length - 1; i >= 0; i--) {
    const v = s.stack[i]!;
    if (v !== 'help' && v !== 'dialog') return v;
  }
  return 'main';
}

/** The selected row: the selected node's, else the row it was on, within the table. */
export function selectedRow(s: ScreenState, nodes: readonly NodeView[]): number {
  const at = s.selectedId === null ? 0 : nodes.findIndex((n) => n.id === s.selectedId);
  const row = at >= 0 ? at : Math.min(s.lastRow, nodes.length - 1);
  return Math.max(0, row);
}

const READ_ONLY = 'read-only: tfmon changes nothing here (started with --read-only)';
const REPLAY_ONLY = 'a recording: replay changes nothing (the live screen does: tfmon)';

const TIME_MOVES: Partial<Record<Action, TimeMove>> = {
  stepBack: 'back',
  stepForward: 'forward',
  previousEvent: 'previousEvent',
  nextEvent: 'nextEvent',
  play: 'play',
  speed: 'speed',
};
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const withoutCommand = (state: ScreenState): Transition => ({ state, command: null });
const withCommand = (state: ScreenState, command: Command): Transition => ({ state, command });
const push = (s: ScreenState, v: View): View[] => [...s.stack, v];
const pop = (s: ScreenState): View[] => (s.stack.length > 1 ? s.stack.slice(0, -1) : s.stack);
const ask = (s: ScreenState, text: string, command: Command): ScreenState => ({
  ...s,
  question: { text: `${text} [y/N]`, command },
  stack: push(s, 'dialog'),
});

export function reduce(s: ScreenState, event: ScreenEvent): Transition {
  switch (event.type) {
    case 'notice':
      return withoutCommand({ ...s, notice: event.notice });
    case 'noticeExpired':
      return withoutCommand(s.notice === event.notice ? { ...s, notice: null } : s);
    case 'ask':
      return withoutCommand(
        viewOf(s) === 'dialog' ? s : ask(s, event.question.text.replace(/ \[y\/N\]$/, ''), event.question.command),
      );
    case 'applied':
      return withoutCommand({ ...s, stack: s.stack.filter((v) => v !== 'tfconfig') });
    case 'key':
      return key(s, event.input, event.key, event.ctx);
  }
}

function key(s: ScreenState, input: string, flags: KeyFlags, ctx: KeyContext): Transition {
  if (s.draft !== null) return typeFilter(s, input, flags);
  if (s.timeDraft !== null) return typeTime(s, input, flags);
  const view = viewOf(s);
  const name = keyName(input, flags);
  if (view === 'dialog') {
    // Destructive questions default to no: only y (or Y) goes ahead.
    const answered = { ...s, question: null, stack: pop(s) };
    if (actionFor(name, 'dialog') === 'yes' && s.question) return withCommand(answered, s.question.command);
    return withoutCommand({ ...answered, notice: { text: 'cancelled: nothing changed', tone: 'info' } });
  }
  const mode = ctx.replay ? 'replay' : 'live';
  const action = actionFor(name, view, ctx.readOnly, mode);
  if (!action)
    return withoutCommand(
      (ctx.readOnly || ctx.replay) && refusedFor(name, view)
        ? { ...s, notice: { text: ctx.replay ? REPLAY_ONLY : READ_ONLY, tone: 'error' } }
        : s,
    );
  const move = TIME_MOVES[action];
  if (move && view !== 'help') return withCommand(s, { kind: 'time', move });
  if (action === 'goTo' && view !== 'help') return withoutCommand({ ...s, timeDraft: '' });
  // The help has three keys: ? and Esc close it, q quits.
  if (view === 'help')
    return action === 'quit' ? withCommand(s, { kind: 'quit' }) : withoutCommand({ ...s, stack: pop(s) });
  if (view === 'logs') return logKey(s, action, ctx);
  return tableKey(s, action, ctx);
}

/** Keys of the table and the pane under it. */
function tableKey(s: ScreenState, action: Action, ctx: KeyContext): Transition {
  const { nodes } = ctx;
  const row = selectedRow(s, nodes);
  const select = (i: number): Transition => {
    const to = Math.max(0, Math.min(nodes.length - 1, i));
    const node = nodes[to];
    return withoutCommand(node ? { ...s, selectedId: node.id, lastRow: to } : s);
  };
  const toggle = (pane: 'matrix' | 'tfconfig'): Transition => {
    const view = viewOf(s);
    if (view === pane) return withoutCommand({ ...s, stack: pop(s) });
    return withoutCommand({ ...s, stack: view === 'main' ? push(s, pane) : [...pop(s), pane] });
  };
  const moveTarget = (delta: number): Transition => {
    const m = ctx.matrix;
    if (m.columns.length === 0) return withoutCommand(s);
    const from = targetColumn(m, row, s.target);
    const to = Math.max(0, Math.min(m.columns.length - 1, from + delta));
    const stack =
      viewOf(s) === 'matrix' ? s.stack : viewOf(s) === 'main' ? push(s, 'matrix') : [...pop(s), 'matrix' as const];
    return withoutCommand({ ...s, target: m.columns[to]?.host ?? null, stack });
  };
  const node = nodes[row];
  switch (action) {
    case 'up':
      return select(row - 1);
    case 'down':
      return select(row + 1);
    case 'pageUp':
      return select(row - ctx.pageRows);
    case 'pageDown':
      return select(row + ctx.pageRows);
    case 'first':
      return select(0);
    case 'last':
      return select(nodes.length - 1);
    case 'left':
      return moveTarget(-1);
    case 'right':
      return moveTarget(1);
    case 'matrix':
      return toggle('matrix');
    case 'tfConfig':
      return toggle('tfconfig');
    case 'logs':
    case 'allLogs':
      return withoutCommand({
        ...s,
        stack: push(s, 'logs'),
        logScope: action === 'logs' ? 'node' : 'all',
        log: FOLLOWING,
      });
    case 'timestamps':
      return withoutCommand({ ...s, timestamps: !s.timestamps });
    case 'sort':
      return withoutCommand({ ...s, sort: nextSort(s.sort) });
    case 'probe':
      return withCommand(s, { kind: 'probe' });
    case 'help':
      return withoutCommand({ ...s, stack: push(s, 'help') });
    case 'close':
      return withoutCommand({ ...s, notice: null, stack: pop(s) });
    case 'quit':
      return withCommand(s, { kind: 'quit' });
    case 'write':
      if (!ctx.tfConfigDir)
        return withoutCommand({
          ...s,
          notice: { text: 'start tfmon with --tf-config-dir DIR to write TF_CONFIG files', tone: 'error' },
        });
      return withCommand(s, { kind: 'write' });
    default:
      return ctx.canChange ? change(s, action, nodes, node) : withoutCommand(s);
  }
}

/** + - r R a: the destructive ones ask first, naming their targets. */
function change(s: ScreenState, action: Action, nodes: readonly NodeView[], node: NodeView | undefined): Transition {
  switch (action) {
    case 'scaleUp': {
      const job = resizableJob(nodes);
      if (job) {
        const next = job.ranks.length + 1;
        return withoutCommand(
          ask(
            s,
            `A static DDP job restarts whole: recreate ${job.ranks.length} rank${job.ranks.length === 1 ? '' : 's'} with WORLD_SIZE=${next} and add rank ${next - 1}?`,
            { kind: 'resizeJob', delta: 1, done: `the job runs with WORLD_SIZE=${next}` },
          ),
        );
      }
      const refused = notScalable(nodes);
      if (refused) return withoutCommand({ ...s, notice: { text: refused, tone: 'error' } });
      // The coordinator counts workers once: with a chief, the screen offers to restart it after.
      const chief = nodes.find((n) => n.role === 'chief');
      return withCommand(s, { kind: 'scaleUp', chief: chief ? { id: chief.id, name: chief.name } : null });
    }
    case 'scaleDown': {
      const job = resizableJob(nodes);
      if (job && job.ranks.length > 1) {
        const next = job.ranks.length - 1;
        return withoutCommand(
          ask(
            s,
            `A static DDP job restarts whole: remove ${job.ranks.at(-1)!.name} (rank ${next}) and recreate the other ${next} with WORLD_SIZE=${next}?`,
            { kind: 'resizeJob', delta: -1, done: `the job runs with WORLD_SIZE=${next}` },
          ),
        );
      }
      const last = lastWorker(nodes);
      if (!last)
        return withoutCommand({ ...s, notice: { text: notScalable(nodes) ?? 'no worker to remove', tone: 'error' } });
      return withoutCommand(
        ask(
          s,
          `Remove ${last.dnsName} (worker ${last.index}, the highest index): stop it, then delete ${last.service ? 'the service' : 'the container'}?`,
          { kind: 'scaleDown', id: last.id, name: last.dnsName },
        ),
      );
    }
    case 'restart':
      if (!node) return withoutCommand(s);
      return withoutCommand(
        ask(s, `Restart ${node.dnsName}?`, { kind: 'restart', ids: [node.id], done: `restarted ${node.dnsName}` }),
      );
    case 'restartRole': {
      if (!node) return withoutCommand(s);
      const role = nodes.filter((n) => n.role === node.role);
      return withoutCommand(
        ask(
          s,
          `Restart all ${plural(role.length, `${node.role} node`)} (${role.map((n) => n.name).join(', ')}), one after the other?`,
          {
            kind: 'restart',
            ids: role.map((n) => n.id),
            done: `restarted ${plural(role.length, `${node.role} node`)}`,
          },
        ),
      );
    }
    case 'apply': {
      if (!regeneratesJob(nodes))
        return withoutCommand(
          ask(
            s,
            'Recreate the nodes whose TF_CONFIG differs, one at a time (each keeps the rest of its configuration)?',
            { kind: 'apply' },
          ),
        );
      const plan = jobVariablesPlan(nodes);
      if (!plan?.ok)
        return withoutCommand({
          ...s,
          notice: { text: `cannot regenerate: ${plan?.error ?? 'no job'}`, tone: 'error' },
        });
      if (!plan.plans.some((p) => p.diff.length))
        return withoutCommand({
          ...s,
          notice: { text: 'every rank already has the variables its live ranks call for', tone: 'ok' },
        });
      const env = plan.plans[0]!.env;
      return withoutCommand(
        ask(
          s,
          `A static DDP job restarts whole: recreate its ${plan.plans.length} ranks with WORLD_SIZE=${env.WORLD_SIZE}, MASTER_ADDR=${env.MASTER_ADDR}, MASTER_PORT=${env.MASTER_PORT}, one at a time?`,
          { kind: 'apply' },
        ),
      );
    }
    default:
      return withoutCommand(s);
  }
}

const LOG_MOVES: Partial<Record<Action, [LogMove, 'line' | 'page']>> = {
  up: ['pageUp', 'line'],
  down: ['pageDown', 'line'],
  pageUp: ['pageUp', 'page'],
  pageDown: ['pageDown', 'page'],
  first: ['top', 'page'],
  last: ['bottom', 'page'],
  pause: ['pause', 'page'],
  nextMatch: ['nextMatch', 'page'],
  previousMatch: ['previousMatch', 'page'],
  lastError: ['lastError', 'page'],
};

/** Keys of the log view: they move the window over the lines it shows. */
function logKey(s: ScreenState, action: Action, ctx: KeyContext): Transition {
  const move = LOG_MOVES[action];
  if (move)
    return withoutCommand({
      ...s,
      log: moveLog(ctx.logLines(), s.log, move[1] === 'line' ? 1 : ctx.logRows - 1, move[0]),
    });
  switch (action) {
    case 'search':
      return withoutCommand({ ...s, draft: s.log.filter });
    case 'allLogs':
      return withoutCommand({ ...s, logScope: 'all', log: FOLLOWING });
    case 'timestamps':
      return withoutCommand({ ...s, timestamps: !s.timestamps });
    case 'help':
      return withoutCommand({ ...s, stack: push(s, 'help') });
    case 'close':
      return withoutCommand({ ...s, stack: pop(s) });
    case 'quit':
      return withCommand(s, { kind: 'quit' });
    default:
      return withoutCommand(s);
  }
}

/** A key typed into a line being edited (the log filter after `/`, the time after `b`): the line
 * ended (Enter, Esc, Ctrl-C quits) or its new text (Backspace edits; control characters dropped). */
function edited(
  text: string,
  input: string,
  flags: KeyFlags,
  max = Number.POSITIVE_INFINITY,
): { end: 'enter' | 'escape' | 'quit' } | { text: string } {
  if (flags.return) return { end: 'enter' };
  if (flags.escape) return { end: 'escape' };
  if (flags.ctrl && input === 'c') return { end: 'quit' };
  if (flags.backspace || flags.delete) return { text: text.slice(0, -1) };
  if (input && !flags.ctrl && !flags.meta)
    return { text: (text + input.replace(/[\u0000-\u001f\u007f]/g, '')).slice(0, max) };
  return { text };
}

/** Typing a time after `b`: Enter goes there, Esc cancels. */
function typeTime(s: ScreenState, input: string, flags: KeyFlags): Transition {
  const d = s.timeDraft ?? '';
  const e = edited(d, input, flags, 40);
  if ('text' in e) return withoutCommand(e.text === d ? s : { ...s, timeDraft: e.text });
  if (e.end === 'quit') return withCommand(s, { kind: 'quit' });
  const closed = { ...s, timeDraft: null };
  return e.end === 'enter' && d.trim() ? withCommand(closed, { kind: 'goTo', text: d }) : withoutCommand(closed);
}

/** Typing a filter after `/`: Enter applies it, Esc clears it. */
function typeFilter(s: ScreenState, input: string, flags: KeyFlags): Transition {
  const d = s.draft ?? '';
  const e = edited(d, input, flags);
  if ('text' in e) return withoutCommand(e.text === d ? s : { ...s, draft: e.text });
  if (e.end === 'quit') return withCommand(s, { kind: 'quit' });
  return withoutCommand({ ...s, draft: null, log: { filter: e.end === 'enter' ? d : '', anchor: null, mark: null } });
}
