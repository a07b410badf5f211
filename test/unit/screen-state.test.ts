// The screen's reducer on its own: no rendering, no timers.
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../source/cluster/logs.js';
import { buildMatrix } from '../../source/ui/matrix-model.js';
import {
  INITIAL,
  helpShown,
  logsShown,
  paneOf,
  reduce,
  screenViewOf,
  selectedRow,
  viewOf,
  type Command,
  type KeyContext,
  type ScreenState,
} from '../../source/ui/screen-state.js';
import type { KeyFlags } from '../../source/ui/keys.js';
import { seedFacts, seedTasks, snapshotOf } from '../helpers/snapshot.js';

const nodes = snapshotOf(seedFacts([...seedTasks, { type: 'chief', index: 0, host: 'tf-chief', port: 2222 }])).nodes;
const lines: LogLine[] = Array.from({ length: 50 }, (_, i) => ({
  seq: i + 1,
  node: 'id-tf-ps-0',
  stream: 'stdout',
  ts: null,
  time: i,
  text: i === 40 ? 'ERROR boom' : `line ${i}`,
  level: i === 40 ? 'error' : null,
}));

function ctx(over: Partial<KeyContext> = {}): KeyContext {
  return {
    nodes,
    pageRows: 2,
    matrix: buildMatrix(nodes, []),
    logLines: () => lines,
    logRows: 10,
    readOnly: false,
    canChange: true,
    tfConfigDir: null,
    ...over,
  };
}

/** Presses keys in order (names as in the key table, or text), returning the last state and every command. */
function press(
  keys: (string | [string, KeyFlags])[],
  from: ScreenState = INITIAL,
  c: KeyContext = ctx(),
): { state: ScreenState; commands: Command[] } {
  let state = from;
  const commands: Command[] = [];
  for (const k of keys) {
    const [input, key] = typeof k === 'string' ? [k, {}] : k;
    const r = reduce(state, { type: 'key', input, key, ctx: c });
    state = r.state;
    if (r.command) commands.push(r.command);
  }
  return { state, commands };
}

const ESC: [string, KeyFlags] = ['', { escape: true }];
const RIGHT: [string, KeyFlags] = ['', { rightArrow: true }];
const ENTER: [string, KeyFlags] = ['', { return: true }];

describe('screen state', () => {
  it('moves the selection within the table, by row and by page, and keeps it by node id', () => {
    expect(nodes.map((n) => n.name)).toEqual(['tf-chief', 'tf-ps-0', 'tf-worker-0', 'tf-worker-1']);
    expect(selectedRow(press(['j', 'j']).state, nodes)).toBe(2);
    expect(selectedRow(press(['j', 'j', 'j', 'j', 'j']).state, nodes)).toBe(3); // stays on the last row
    expect(selectedRow(press(['j', 'k', 'k']).state, nodes)).toBe(0);
    expect(selectedRow(press([['', { pageDown: true }]]).state, nodes)).toBe(2);
    expect(
      selectedRow(
        press([
          ['', { end: true }],
          ['', { home: true }],
        ]).state,
        nodes,
      ),
    ).toBe(0);
    // tf-ps-0 selected; a node above it leaves: the selection stays on tf-ps-0.
    const s = press(['j']).state;
    expect(selectedRow(s, nodes.slice(1))).toBe(0);
    // The selected node leaves: the same row, within the table.
    expect(selectedRow(press(['j', 'j', 'j']).state, nodes.slice(0, 2))).toBe(1);
  });

  it('a focus stack: panes, the log view and the help open on top; Esc pops back in order', () => {
    let s = press(['m']).state;
    expect(paneOf(s)).toBe('matrix');
    s = press(['c'], s).state; // the TF_CONFIG pane replaces the matrix
    expect(s.stack).toEqual(['main', 'tfconfig']);
    s = press(['l', '?'], s).state;
    expect([helpShown(s), logsShown(s), screenViewOf(s)]).toEqual([true, true, 'logs']);
    s = press([ESC], s).state;
    expect(viewOf(s)).toBe('logs');
    s = press([ESC], s).state;
    expect(viewOf(s)).toBe('tfconfig');
    s = press([ESC, ESC], s).state;
    expect(s.stack).toEqual(['main']);
    expect(press(['m', 'm']).state.stack).toEqual(['main']); // m toggles
  });

  it('the help is modal: ? and Esc close it, q quits, other keys do nothing', () => {
    const open = press(['?']).state;
    expect(press(['j', 'm'], open).state).toBe(open);
    expect(press(['?'], open).state.stack).toEqual(['main']);
    expect(press(['q'], open).commands).toEqual([{ kind: 'quit' }]);
  });

  it('← / → open the matrix and move the column under the cursor', () => {
    const s = press([RIGHT]).state;
    expect(paneOf(s)).toBe('matrix');
    expect(s.target).not.toBeNull();
    const t = press([RIGHT], s).state;
    expect(t.target).not.toBe(s.target);
  });

  it('destructive keys ask, naming their targets; only y goes ahead', () => {
    const asked = press(['j', 'j', 'j', 'r']).state;
    expect(asked.question?.text).toBe('Restart tf-worker-1? [y/N]');
    expect(viewOf(asked)).toBe('dialog');
    expect(press(['y'], asked).commands).toEqual([
      { kind: 'restart', ids: ['id-tf-worker-1'], done: 'restarted tf-worker-1' },
    ]);
    const no = press(['n'], asked);
    expect(no.commands).toEqual([]);
    expect(no.state.notice).toEqual({ text: 'cancelled: nothing changed', tone: 'info' });
    expect(no.state.stack).toEqual(['main']);
    const all = press(['j', 'j', 'R']).state.question?.text;
    expect(all).toBe('Restart all 2 worker nodes (tf-worker-0, tf-worker-1), one after the other? [y/N]');
    expect(press(['-']).state.question?.text).toMatch(/^Remove tf-worker-1 \(worker 1, the highest index\)/);
    // + asks nothing; it says which chief to offer a restart of afterwards.
    expect(press(['+']).commands).toEqual([{ kind: 'scaleUp', chief: { id: 'id-tf-chief', name: 'tf-chief' } }]);
  });

  it('--read-only: the changing keys are not bound; pressing one says so, and nothing is asked', () => {
    for (const k of ['+', '-', 'r', 'R']) {
      const r = press([k], INITIAL, ctx({ readOnly: true, canChange: false }));
      expect(r.commands).toEqual([]);
      expect(r.state.question).toBeNull();
      expect(r.state.notice?.text).toMatch(/^read-only/);
    }
    const pane = press(['c']).state;
    expect(press(['a'], pane, ctx({ readOnly: true, canChange: false })).state.notice?.text).toMatch(/^read-only/);
    // w writes files, not the cluster: it asks for a directory first.
    expect(press(['w'], pane).state.notice?.text).toBe('start tfmon with --tf-config-dir DIR to write TF_CONFIG files');
    expect(press(['w'], pane, ctx({ tfConfigDir: '/tmp/x' })).commands).toEqual([{ kind: 'write' }]);
    // a and w are the TF_CONFIG pane's keys only.
    expect(press(['a', 'w']).state).toBe(INITIAL);
  });

  it('g: the oldest log line in the log view, nothing on the table', () => {
    expect(press(['g']).state).toBe(INITIAL);
    const s = press(['l', 'g']).state;
    expect(s.log.anchor).not.toBeNull();
    expect(press(['G'], s).state.log.anchor).toBeNull(); // following again
  });

  it('the log view: / types a filter (Enter applies, Esc clears), e jumps to the latest error, L shows every node', () => {
    let s = press(['l', '/', 'E', 'R', 'R', ['', { backspace: true }], 'R', ENTER]).state;
    expect(s.draft).toBeNull();
    expect(s.log.filter).toBe('ERR');
    s = press(['/', ESC], s).state;
    expect(s.log.filter).toBe('');
    s = press(['e'], s).state;
    expect(s.log.mark).toBe(41);
    expect(press(['L'], s).state).toMatchObject({ logScope: 'all', log: { filter: '', anchor: null, mark: null } });
    // While typing, q is a letter; Ctrl-C still quits.
    expect(press(['l', '/', 'q']).state.draft).toBe('q');
    expect(press(['l', '/', ['c', { ctrl: true }]]).commands).toEqual([{ kind: 'quit' }]);
  });

  it('s cycles the sort; t the timestamps; p asks for a probe round', () => {
    expect(press(['s', 's']).state.sort).toBe('mem');
    expect(press(['t']).state.timestamps).toBe(true);
    expect(press(['p']).commands).toEqual([{ kind: 'probe' }]);
  });

  it('a notice expires only if it is still the one shown; an apply closes the TF_CONFIG pane', () => {
    const first = { text: 'done', tone: 'ok' as const };
    let s = reduce(INITIAL, { type: 'notice', notice: first }).state;
    const second = { text: 'other', tone: 'ok' as const };
    s = reduce(s, { type: 'notice', notice: second }).state;
    expect(reduce(s, { type: 'noticeExpired', notice: first }).state.notice).toBe(second);
    expect(reduce(s, { type: 'noticeExpired', notice: second }).state.notice).toBeNull();
    const pane = press(['c']).state;
    expect(reduce(pane, { type: 'applied' }).state.stack).toEqual(['main']);
  });

  it('a question from an action (restart the chief after +) waits like a key question', () => {
    const s = reduce(INITIAL, {
      type: 'ask',
      question: {
        text: 'restart tf-chief now?',
        command: { kind: 'restart', ids: ['id-tf-chief'], done: 'restarted tf-chief' },
      },
    }).state;
    expect(s.question?.text).toBe('restart tf-chief now? [y/N]');
    expect(press(['Y'], s).commands).toEqual([{ kind: 'restart', ids: ['id-tf-chief'], done: 'restarted tf-chief' }]);
  });
});
