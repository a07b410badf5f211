// Sparklines and bars for the terminal, with an ASCII fallback.

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const ASCII_RAMP = ['_', '.', '-', '~', '=', '+', '*', '#'];

/** The last `width` values as a sparkline scaled to `max` (default: the largest value). */
export function sparkline(values: readonly number[], width: number, ascii = false, max?: number): string {
  const shown = values.slice(-width);
  const top = max ?? Math.max(...shown, 0);
  const ramp = ascii ? ASCII_RAMP : BLOCKS;
  return shown
    .map((v) => {
      if (!(top > 0) || !Number.isFinite(v)) return ramp[0];
      const i = Math.round((Math.min(Math.max(v, 0), top) / top) * (ramp.length - 1));
      return ramp[i];
    })
    .join('');
}

/** A bar of `width` cells filled to `fraction` (0..1): "▇▇▇░░" or "###--". */
export function bar(fraction: number, width: number, ascii = false): string {
  const f = Number.isFinite(fraction) ? Math.min(Math.max(fraction, 0), 1) : 0;
  const filled = Math.round(f * width);
  return (ascii ? '#' : '█').repeat(filled) + (ascii ? '-' : '░').repeat(width - filled);
}
