// The live screen's one stateful hook: keys → reduce() (screen-state.ts) → a new state, and the
// Commands that come back carried out on the actions commands/screen.tsx binds to the monitor and the engine.
// Never a Docker call from a render: only from a key's command.
import { useApp, useInput } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { TimeMove } from '../record/replay-player.js';
import {
  INITIAL,
  reduce,
  type Command,
  type KeyContext,
  type Notice,
  type ScreenEvent,
  type ScreenState,
} from './screen-state.js';

type Progress = (line: string) => void;

/** What changes the cluster. Absent with --read-only: the screen then holds no way to change it. */
export interface ClusterChanges {
  scaleUp(progress: Progress): Promise<void>;
  /** A PyTorch job restarted whole with one rank more (1) or less (-1). */
  resizeJob?(delta: 1 | -1, progress: Progress): Promise<void>;
  scaleDown(id: string, progress: Progress): Promise<void>;
  restart(ids: string[], progress: Progress): Promise<void>;
  /** What the `c` pane shows, applied: TensorFlow's TF_CONFIG, or a PyTorch job's variables. */
  applyRegenerated(progress: Progress): Promise<void>;
}

/** What the screen can ask of the monitor and the engine. */
export interface ScreenActions {
  /** `p`: one round over every pair now. */
  probe(): void;
  /** The matrix is on screen (every pair probed) or no longer (TensorFlow's pairs). */
  matrixShown?(on: boolean): void;
  /** The nodes whose usage is on screen (read every interval; the rest less often); null: all. */
  usageFocus?(ids: ReadonlySet<string> | null): void;
  /** --read-only: the changing keys are not bound (and `changes` is absent). */
  readOnly?: boolean;
  /** Where `w` in the TF_CONFIG pane writes (--tf-config-dir), or null. */
  tfConfigDir?: string | null;
  /** `w`: writes <node>.json for every node; the paths written. */
  writeTfConfig?(): string[];
  changes?: ClusterChanges;
  /** `tfmon replay`: the recording's clock (and no `changes`). */
  replay?: ReplayControls;
}

/** What replay's keys ask of its clock. */
export interface ReplayControls {
  move(m: TimeMove): void;
  /** A time as --at takes it: an error in words, or null when it went there. */
  goTo(text: string): string | null;
}

/** A result stays this long, then the key hints come back; errors stay until Esc or the next word. */
const OK_NOTICE_MS = 8000;

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The screen's state, driven by the keys. `context` gives the frame the next key lands on. */
export function useScreen(actions: ScreenActions | undefined, context: () => KeyContext): ScreenState {
  const { exit } = useApp();
  const [state, setState] = useState<ScreenState>(INITIAL);
  // Keys can arrive faster than renders (key repeat): each one must see the last one's state.
  const current = useRef(state);
  const busy = useRef(false);
  const actionsRef = useRef(actions);
  actionsRef.current = actions;
  const contextRef = useRef(context);
  contextRef.current = context;

  const dispatch = useRef((event: ScreenEvent): void => {
    const { state: next, command } = reduce(current.current, event);
    if (next !== current.current) {
      current.current = next;
      setState(next);
    }
    if (command) carryOut(command);
  }).current;

  const notice = (text: string, tone: Notice['tone']): void => dispatch({ type: 'notice', notice: { text, tone } });

  /** One action at a time, its progress and result in the notice line. */
  async function run(task: () => Promise<void>): Promise<void> {
    if (busy.current) return notice('busy: the last action has not finished', 'error');
    busy.current = true;
    try {
      await task();
    } catch (error) {
      notice(message(error), 'error');
    } finally {
      busy.current = false;
    }
  }

  function carryOut(command: Command): void {
    const a = actionsRef.current;
    const progress: Progress = (text) => notice(text, 'info');
    const done = (text: string) => (): void => notice(text, 'ok');
    const changes = a?.changes;
    switch (command.kind) {
      case 'quit':
        exit();
        return;
      case 'probe':
        a?.probe();
        return;
      case 'write': {
        if (!a?.writeTfConfig) return;
        try {
          const files = a.writeTfConfig();
          notice(`wrote ${files.length} file${files.length === 1 ? '' : 's'} in ${a.tfConfigDir ?? '.'}`, 'ok');
        } catch (error) {
          notice(message(error), 'error');
        }
        return;
      }
      case 'scaleUp': {
        if (!changes) return;
        const { chief } = command;
        void run(() => changes.scaleUp(progress)).then(() => {
          if (chief && !busy.current) {
            dispatch({
              type: 'ask',
              question: {
                text: `The chief only sees new workers after it restarts: restart ${chief.name} now?`,
                command: { kind: 'restart', ids: [chief.id], done: `restarted ${chief.name}` },
              },
            });
          }
        });
        return;
      }
      case 'scaleDown':
        if (changes) void run(() => changes.scaleDown(command.id, progress).then(done(`removed ${command.name}`)));
        return;
      case 'restart':
        if (changes) void run(() => changes.restart(command.ids, progress).then(done(command.done)));
        return;
      case 'resizeJob':
        if (changes?.resizeJob) void run(() => changes.resizeJob!(command.delta, progress).then(done(command.done)));
        return;
      case 'apply':
        if (changes) void run(() => changes.applyRegenerated(progress).then(() => dispatch({ type: 'applied' })));
        return;
      case 'time':
        a?.replay?.move(command.move);
        return;
      case 'goTo': {
        const error = a?.replay?.goTo(command.text);
        if (error) notice(error, 'error');
        return;
      }
    }
  }

  useEffect(() => {
    const shown = state.notice;
    if (shown?.tone !== 'ok') return;
    const timer = setTimeout(() => dispatch({ type: 'noticeExpired', notice: shown }), OK_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [state.notice, dispatch]);

  // One stable handler: a new one each render would make Ink re-subscribe to stdin at every frame.
  const onKey = useRef((input: string, key: Parameters<Parameters<typeof useInput>[0]>[1]): void =>
    dispatch({ type: 'key', input, key, ctx: contextRef.current() }),
  ).current;
  useInput(onKey);
  return state;
}
