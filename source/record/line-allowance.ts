// How many log lines a recording keeps of each node: `perSecond` on average, and up to `burst` at
// once from a node that was quiet — so a traceback is kept whole, and a flood (a progress bar
// redrawn, a loop printing) is held to `perSecond`, the rest counted. Pure.
export class LineAllowance {
  /** Lines each node may still print now; a node not here has the whole burst. */
  private readonly left = new Map<string, number>();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
  ) {}

  /** One line of `node`: kept (true) or over the allowance (false). */
  take(node: string): boolean {
    const left = this.left.get(node) ?? this.burst;
    if (left < 1) return false;
    this.left.set(node, left - 1);
    return true;
  }

  /** A second went by: each node may print `perSecond` more, up to the burst. */
  tick(): void {
    for (const [node, left] of this.left) {
      if (left + this.perSecond >= this.burst) this.left.delete(node);
      else this.left.set(node, left + this.perSecond);
    }
  }
}
