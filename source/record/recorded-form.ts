// A snapshot as a recording keeps it, and back. What the file holds is what the screen, status and
// doctor show, not what the monitor computes with: figures rounded to what is displayed (a CPU
// share to 0.1 %, memory to 3 digits, rates to 2, times to the second), the raw counters left out
// (only their time, the usage's age), and the 64-character container ids of the per-node records
// replaced by short aliases, listed once in the state (`_ids`). Measured on 50 training nodes
// (docs/record.md): each of these is a fifth to a third of a second's patch once compressed.
import type { Json } from './patch.js';

/** Rounds `x` to `digits` significant digits; integers below that stay as they are. */
const significant = (x: number, digits: number): number =>
  Number.isInteger(x) && Math.abs(x) < 10 ** digits ? x : Number(x.toPrecision(digits));
const tenth = (x: number): number => Math.round(x * 10) / 10;
const second = (x: number): number => Math.round(x / 1000) * 1000;

/** How each figure is kept, by its key wherever it is (a history's items like its value). */
const PRECISION: Record<string, (x: number) => number> = {
  cpuPercent: tenth,
  cpuOfLimitPercent: tenth,
  cpuHistory: tenth,
  utilPercent: tenth,
  memBytes: (x) => significant(x, 3),
  memHistory: (x) => significant(x, 3),
  memUsedBytes: (x) => significant(x, 3),
  usedBytes: (x) => significant(x, 3),
  netRxBps: (x) => significant(x, 2),
  netTxBps: (x) => significant(x, 2),
  blkReadBps: (x) => significant(x, 2),
  blkWriteBps: (x) => significant(x, 2),
  at: second,
  lastProgressAt: second,
  updatedAt: second,
};
/** Any other fraction: 4 significant digits (a loss, a pace). */
const fraction = (x: number): number => (Number.isInteger(x) ? x : significant(x, 4));

const ITEM = /^\d+$/;

/** The snapshot's records keyed by container id. */
const BY_ID = ['usage', 'training', 'listeners', 'gpuByContainer'] as const;
export const ALIASES_KEY = '_ids';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function defineKey(o: Record<string, unknown>, k: string, value: unknown): void {
  Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });
}

/** Gives each container id a short alias for a writer's session (never reused in it). */
export class Aliases {
  private readonly byId = new Map<string, string>();
  private next = 0;
  of(id: string): string {
    let a = this.byId.get(id);
    if (a === undefined) {
      a = (this.next++).toString(36);
      this.byId.set(id, a);
    }
    return a;
  }
}

/** The snapshot as it is recorded (plain JSON: what JSON.stringify keeps of it). */
export function toRecorded(snapshot: unknown, aliases: Aliases): Json {
  const state = JSON.parse(JSON.stringify(snapshot), (key: string, v: unknown) => {
    if (key === 'counters' && isRecord(v)) return { at: typeof v['at'] === 'number' ? second(v['at']) : null };
    // An array's items are seen before the array, under their index: rounded once, by the array's key.
    if (typeof v === 'number') return !Number.isFinite(v) || ITEM.test(key) ? v : (PRECISION[key] ?? fraction)(v);
    if (Array.isArray(v)) {
      const p = PRECISION[key] ?? fraction;
      return v.map((x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? p(x) : x));
    }
    return v;
  }) as Record<string, Json>;
  if (!isRecord(state)) return state;
  const ids: Record<string, string> = {};
  for (const field of BY_ID) {
    const byId = state[field];
    if (!isRecord(byId)) continue;
    const aliased: Record<string, Json> = {};
    for (const [id, v] of Object.entries(byId)) {
      const a = aliases.of(id);
      defineKey(ids, a, id);
      defineKey(aliased, a, v);
    }
    state[field] = aliased;
  }
  state[ALIASES_KEY] = ids;
  return state;
}

/** A recorded state as a snapshot's JSON again: the aliases back to container ids. Shapes are not
 * checked here (the reader's caller does); an alias the list lacks stays as it is. */
export function fromRecorded(state: Json): Json {
  if (!isRecord(state)) return state;
  const ids = isRecord(state[ALIASES_KEY]) ? (state[ALIASES_KEY] as Record<string, unknown>) : {};
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(state)) if (k !== ALIASES_KEY) defineKey(out, k, v);
  for (const field of BY_ID) {
    const byAlias = out[field];
    if (!isRecord(byAlias)) continue;
    const back: Record<string, Json> = {};
    for (const [a, v] of Object.entries(byAlias)) {
      const id = Object.hasOwn(ids, a) ? ids[a] : undefined;
      defineKey(back, typeof id === 'string' ? id : a, v);
    }
    out[field] = back;
  }
  return out;
}
