// Terminal cell width and truncation without wrapping. Wide (CJK, emoji) characters take two cells,
// combining marks none. Good enough for names and log lines; exactness is not worth a dependency.

const ZERO = /\p{Mn}|\p{Me}|\u200b|\u200c|\u200d|\ufe0f/u;
const WIDE =
  /\p{Extended_Pictographic}|[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{20000}-\u{3fffd}]/u;

export function charWidth(ch: string): number {
  if (ZERO.test(ch)) return 0;
  return WIDE.test(ch) ? 2 : 1;
}

export function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += charWidth(ch);
  return w;
}

/** Cut to `width` cells, marking the cut with an ellipsis ("…", or "~" in ASCII mode). */
export function truncate(text: string, width: number, ascii = false): string {
  if (width <= 0) return '';
  if (textWidth(text) <= width) return text;
  const mark = ascii ? '~' : '…';
  let out = '';
  let w = 0;
  for (const ch of text) {
    const cw = charWidth(ch);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + mark;
}

/** Truncate, then pad with spaces to exactly `width` cells. */
export function fit(text: string, width: number, ascii = false, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width, ascii);
  const pad = ' '.repeat(Math.max(0, width - textWidth(cut)));
  return align === 'left' ? cut + pad : pad + cut;
}
