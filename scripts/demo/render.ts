// Terminal frames (text with SGR color codes, as `tmux capture-pane -e` prints them) → SVG images
// of the terminal, one per frame, for demo.gif. Only what tmux emits is understood: SGR.
import { textWidth } from '../../source/text/width.js';

export interface Frame {
  /** Milliseconds since the recording started. */
  at: number;
  text: string;
}

interface Style {
  fg: string | null;
  bg: string | null;
  bold: boolean;
  dim: boolean;
  inverse: boolean;
}

const BASE = ['#1e1e1e', '#e05561', '#8cc265', '#d18f52', '#4aa5f0', '#c162de', '#42b3c2', '#d7dae0'];
const BRIGHT = ['#5c6370', '#ff616e', '#a5e075', '#f0a45d', '#4dc4ff', '#de73ff', '#4cd1e0', '#ffffff'];
const FG = '#d7dae0';
const BG = '#1e1e1e';

function color256(n: number): string {
  if (n < 8) return BASE[n]!;
  if (n < 16) return BRIGHT[n - 8]!;
  if (n < 232) {
    const v = [0, 95, 135, 175, 215, 255];
    const c = n - 16;
    return `rgb(${v[Math.floor(c / 36)]},${v[Math.floor(c / 6) % 6]},${v[c % 6]})`;
  }
  const g = 8 + (n - 232) * 10;
  return `rgb(${g},${g},${g})`;
}

function applySgr(style: Style, params: number[]): Style {
  const s = { ...style };
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (p === 0) Object.assign(s, { fg: null, bg: null, bold: false, dim: false, inverse: false });
    else if (p === 1) s.bold = true;
    else if (p === 2) s.dim = true;
    else if (p === 22) [s.bold, s.dim] = [false, false];
    else if (p === 7) s.inverse = true;
    else if (p === 27) s.inverse = false;
    else if (p >= 30 && p <= 37) s.fg = BASE[p - 30]!;
    else if (p >= 90 && p <= 97) s.fg = BRIGHT[p - 90]!;
    else if (p === 39) s.fg = null;
    else if (p >= 40 && p <= 47) s.bg = BASE[p - 40]!;
    else if (p >= 100 && p <= 107) s.bg = BRIGHT[p - 100]!;
    else if (p === 49) s.bg = null;
    else if ((p === 38 || p === 48) && params[i + 1] === 5) {
      const c = color256(params[i + 2] ?? 0);
      if (p === 38) s.fg = c;
      else s.bg = c;
      i += 2;
    } else if ((p === 38 || p === 48) && params[i + 1] === 2) {
      const c = `rgb(${params[i + 2] ?? 0},${params[i + 3] ?? 0},${params[i + 4] ?? 0})`;
      if (p === 38) s.fg = c;
      else s.bg = c;
      i += 4;
    }
  }
  return s;
}

const escapeXml = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const CELL_W = 8.4;
export const CELL_H = 17;

/** One frame as an SVG of `columns` × `rows` cells. */
export function frameSvg(text: string, columns: number, rows: number): string {
  const out: string[] = [];
  const lines = text.split('\n').slice(0, rows);
  let style: Style = { fg: null, bg: null, bold: false, dim: false, inverse: false };
  lines.forEach((line, row) => {
    let col = 0;
    const y = row * CELL_H;
    // Runs of one style: a background rectangle and one text element each.
    for (const part of line.split(/(\u001b\[[0-9;]*m)/)) {
      const sgr = /^\u001b\[([0-9;]*)m$/.exec(part);
      if (sgr) {
        style = applySgr(style, (sgr[1] || '0').split(';').map(Number));
        continue;
      }
      const clean = part.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
      if (!clean) continue;
      const width = textWidth(clean);
      let fg = style.fg ?? FG;
      let bg = style.bg;
      if (style.inverse) [fg, bg] = [bg ?? BG, style.fg ?? FG];
      if (bg)
        out.push(
          `<rect x="${(col * CELL_W).toFixed(1)}" y="${y}" width="${(width * CELL_W).toFixed(1)}" height="${CELL_H}" fill="${bg}"/>`,
        );
      if (clean.trim()) {
        out.push(
          `<text x="${(col * CELL_W).toFixed(1)}" y="${y + 13}" fill="${fg}"${style.bold ? ' font-weight="bold"' : ''}${style.dim ? ' opacity="0.6"' : ''} xml:space="preserve">${escapeXml(clean)}</text>`,
        );
      }
      col += width;
    }
  });
  const w = Math.ceil(columns * CELL_W) + 16;
  const h = rows * CELL_H + 16;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="DejaVu Sans Mono" font-size="14"><rect width="100%" height="100%" fill="${BG}"/><g transform="translate(8,8)">${out.join('')}</g></svg>`;
}
