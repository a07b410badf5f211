// The bounded cache of the text caches tfmon puts into Ink's render path (source/ui/ink/).
/** A map that forgets what two generations did not use: lookups promote into the current
 * generation, and when it is full the previous one is dropped. Bounded to 2 × `limit` entries. */
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
    if (this.current.size >= this.limit) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
  }
  get size(): number {
    return this.current.size + this.previous.size;
  }
}

/** `fn` remembered per text, in a cache of two generations of `limit` texts: for Ink's pure text
 * functions that it calls again on every frame for every text (unchanged texts are most of them). */
export function memoText<T>(fn: (text: string) => T, limit = 8192): (text: string) => T {
  const cache = new GenerationCache<T>(limit);
  return (text) => {
    let v = cache.get(text);
    if (v === undefined) {
      v = fn(text);
      cache.set(text, v);
    }
    return v;
  };
}
