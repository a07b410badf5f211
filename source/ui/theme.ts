// Colors and glyphs in one place, so NO_COLOR and ASCII mode are one switch each.
import type { ContainerState, Role } from '../cluster/types.js';

export interface Theme {
  color: boolean;
  ascii: boolean;
}

const ROLE_COLORS: Record<Role, string> = {
  chief: 'magenta',
  master: 'magenta',
  ps: 'cyan',
  worker: 'green',
  evaluator: 'yellow',
  unknown: 'gray',
};

const STATE_COLORS: Record<ContainerState, string> = {
  running: 'green',
  created: 'gray',
  paused: 'yellow',
  restarting: 'yellow',
  removing: 'gray',
  exited: 'red',
  dead: 'red',
};

export const roleColor = (t: Theme, role: Role): string | undefined => (t.color ? ROLE_COLORS[role] : undefined);
export const stateColor = (t: Theme, state: ContainerState): string | undefined =>
  t.color ? STATE_COLORS[state] : undefined;
export const tint = (t: Theme, color: string): string | undefined => (t.color ? color : undefined);

export interface Glyphs {
  pointer: string;
  restart: string;
  rule: string;
  sep: string;
  dash: string;
  ellipsis: string;
  /** Marks a node with failing reachability pairs. */
  failing: string;
}

const UNICODE: Glyphs = { pointer: '›', restart: '↻', rule: '─', sep: ' · ', dash: '—', ellipsis: '…', failing: '✗' };
const ASCII: Glyphs = {
  pointer: '>',
  restart: 'restarts ',
  rule: '-',
  sep: ' | ',
  dash: '-',
  ellipsis: '...',
  failing: 'x',
};

export const glyphs = (t: Theme): Glyphs => (t.ascii ? ASCII : UNICODE);
