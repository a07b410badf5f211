// Every action tfmon takes, appended as one JSON line to $XDG_STATE_HOME/tfmon/actions.log (default
// ~/.local/state/tfmon/actions.log): what, on which node, when, and how it ended. Names only, never
// environment values (they may hold secrets). Failing to write the log never fails the action.
import { appendFileSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { sanitize } from '../text/sanitize.js';

export interface ActionRecord {
  action: string;
  target: string;
  result: 'ok' | 'failed' | 'refused';
  error?: string;
}

export function actionLogPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env['TFMON_ACTION_LOG']) return env['TFMON_ACTION_LOG'];
  const state = env['XDG_STATE_HOME'] || join(homedir(), '.local', 'state');
  return join(state, 'tfmon', 'actions.log');
}

export function logAction(record: ActionRecord): void {
  const path = actionLogPath();
  try {
    mkdirSync(dirname(path), { recursive: true });
    const line = {
      time: new Date().toISOString(),
      ...record,
      target: sanitize(record.target),
      ...(record.error ? { error: sanitize(record.error).slice(0, 500) } : {}),
    };
    appendFileSync(path, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  } catch {
    // a read-only home must not stop a restart
  }
}
