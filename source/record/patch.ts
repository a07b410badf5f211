// What changed between two JSON values, as a small patch, and the patch applied: a recording keeps
// one whole snapshot a chunk and, for every second after it, only what changed. Shaped for what a
// snapshot does from one second to the next: a few figures of a few nodes change (object and array
// entries patched in place), a history moves along (an array shifted by k with k new values at its
// end), the rest stays (no patch at all).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A patch: the new value; changed keys (and keys gone); changed array items by index; an array
 * moved along (`k` items off its front, these at its end). Tagged arrays: no key of the data can be
 * mistaken for a patch's own. */
export type Patch =
  | ['=', Json]
  | ['o', Record<string, Patch>, string[]]
  | ['i', Record<string, Patch>]
  | ['s', number, Json[]];

/** A key named __proto__ (a label may have any name) is defined, not assigned, so that it stays a
 * key; any other is assigned (defining every key was a tenth of a seek's time). */
function put<V>(o: Record<string, V>, k: string, value: V): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });
  else o[k] = value;
}

const isObject = (v: Json | undefined): v is { [key: string]: Json } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function equal(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.hasOwn(b, k) || !equal(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** The most items an array may have moved along by to be patched as moved (histories move by 1). */
const MAX_SHIFT = 8;

/** The patch from `a` to `b`, or undefined when they are equal. */
export function diff(a: Json | undefined, b: Json): Patch | undefined {
  if (equal(a, b)) return undefined;
  if (isObject(a) && isObject(b)) {
    const set: Record<string, Patch> = {};
    for (const k of Object.keys(b)) {
      const p = diff(Object.hasOwn(a, k) ? a[k] : undefined, b[k] as Json);
      if (p) put(set, k, p);
    }
    const gone = Object.keys(a).filter((k) => !Object.hasOwn(b, k));
    return ['o', set, gone];
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const moved = shiftOf(a, b);
    if (moved) return moved;
    if (a.length === b.length) {
      const set: Record<string, Patch> = {};
      for (let i = 0; i < b.length; i++) {
        const p = diff(a[i], b[i] as Json);
        if (p) set[i] = p;
      }
      return ['i', set];
    }
  }
  return ['=', b];
}

/** `b` as `a` moved along: its first items are `a` without its first k, then new ones. */
function shiftOf(a: Json[], b: Json[]): Patch | undefined {
  for (let k = 0; k <= Math.min(MAX_SHIFT, a.length); k++) {
    const kept = a.length - k;
    if (kept > b.length || b.length - kept > MAX_SHIFT || (k === 0 && kept === b.length)) continue;
    let same = true;
    for (let i = 0; i < kept && same; i++) same = equal(a[i + k], b[i]);
    if (same && (kept > 0 || a.length === 0)) return ['s', k, b.slice(kept)];
  }
  return undefined;
}

/** `base` with the patch applied (a new value; `base` is not changed). Throws on a patch that does
 * not fit its base: a recording that was cut or corrupted. */
export function apply(base: Json | undefined, patch: Patch): Json {
  switch (patch[0]) {
    case '=':
      return patch[1];
    case 'o': {
      if (!isObject(base)) throw new Error('an object patch on a value that is not an object');
      const out: { [key: string]: Json } = { ...base };
      for (const [k, p] of Object.entries(patch[1]))
        put(out, k, apply(Object.hasOwn(base, k) ? base[k] : undefined, p));
      for (const k of patch[2]) delete out[k];
      return out;
    }
    case 'i': {
      if (!Array.isArray(base)) throw new Error('an item patch on a value that is not an array');
      const out = [...base];
      for (const [i, p] of Object.entries(patch[1])) {
        const at = Number(i);
        if (!Number.isInteger(at) || at < 0 || at >= out.length) throw new Error('an item patch out of range');
        out[at] = apply(out[at], p);
      }
      return out;
    }
    case 's': {
      if (!Array.isArray(base)) throw new Error('a move on a value that is not an array');
      return [...base.slice(patch[1]), ...patch[2]];
    }
    default:
      throw new Error('an unknown patch');
  }
}
