// The bounded caches of the text work tfmon keeps in Ink's render path (source/ui/ink/). They live
// by frames: what a frame used is kept for the next one, what two frames in a row did not use is
// dropped (`endFrame`, called when a frame's text is complete). So they hold about two frames of
// text whatever runs for hours — figures that change every second never pile up.

/** A map of two generations: lookups promote into the current one; `rotate` makes the current the
 * previous and drops the previous. Also rotates when the current one reaches `limit` entries (one
 * frame with that much text), so it never holds more than 2 × `limit`. */
export class GenerationCache<V> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string): V | undefined {
    const hit = this.current.get(key);
    if (hit !== undefined) return hit;
    const old = this.previous.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }
  set(key: string, value: V): void {
    if (this.current.size >= this.limit) this.rotate();
    this.current.set(key, value);
  }
  rotate(): void {
    this.previous = this.current;
    this.current = new Map();
  }
  get size(): number {
    return this.current.size + this.previous.size;
  }
}

const frameCaches: GenerationCache<unknown>[] = [];

/** A cache that lives by frames (see above). */
export function frameCache<V>(limit: number): GenerationCache<V> {
  const c = new GenerationCache<V>(limit);
  frameCaches.push(c as GenerationCache<unknown>);
  return c;
}

/** A frame's text is complete: what this frame and the one before did not use is dropped. */
export function endFrame(): void {
  for (const c of frameCaches) c.rotate();
}

/** `fn` remembered per text in a frame cache: for Ink's pure text functions that it calls again on
 * every frame for every text (unchanged texts are most of them). */
export function memoText<T>(fn: (text: string) => T, limit = 8192): (text: string) => T {
  const cache = frameCache<T>(limit);
  return (text) => {
    let v = cache.get(text);
    if (v === undefined) {
      v = fn(text);
      cache.set(text, v);
    }
    return v;
  };
}
