// Ink's frame buffer, rebuilt to keep its work across frames. The build puts this class where Ink's
// renderer imports its own `./output.js` (source/ui/ink/replacements.json), so the screen draws with it.
//
// Why: Ink (8.0) builds every frame as width × height cell objects, tokenizes every written line into
// styled characters twice and turns each row back into a string, with caches that live one frame:
// 5.6 MiB allocated per 160×60 frame, and the collector's work that follows was half of tfmon's CPU
// (docs/bench.md). A row of the screen is a pure function of the width and the (column, text)
// pieces written on it, in order; most rows do not change between frames. So this buffer collects
// the pieces per row, and builds a row (with Ink's own placement rules, below, unchanged) only when
// that row's pieces were not seen in this or the last generation of the cache.
//
// Its frames are Ink's, string for string: in the tests every frame is drawn by both and compared
// (test/helpers/both-outputs.ts), and test/unit/frame-output.test.ts adds random writes with clips,
// wide characters, styles and transforms.
import {
  type AnsiCode,
  ansiCodesToString,
  reduceAnsiCodes,
  reduceAnsiCodesIncremental,
  styledCharsToString,
  type StyledChar,
  type Token,
  tokenize,
} from '@alcalzone/ansi-tokenize';
import stringWidth from 'string-width';
import { endFrame, frameCache, memoText } from './generation-cache.js';

/** Ink's per-line transform (a Text's `transform`), applied to each written line with its index. */
export type OutputTransformer = (line: string, index: number) => string;

type Clip = { x1: number | undefined; x2: number | undefined; y1: number | undefined; y2: number | undefined };
type Operation =
  | { type: 'write'; x: number; y: number; text: string; transformers: OutputTransformer[] }
  | { type: 'clip'; clip: Clip }
  | { type: 'unclip' };

// Frame caches (generation-cache.ts): about two frames of text each; the limits only bound one
// frame of extraordinary size.
type Line = { text: string; open: string };
const rowCache = frameCache<string>(2048);
const lineCache = frameCache<Line>(8192);

const ignorable = /^\p{Default_Ignorable_Code_Point}+$/u;
// What tokenizing a line can change: a newline, an escape sequence (ESC or the 8-bit CSI), an
// invisible character Ink drops.
const special = /[\n\u001b\u009b\p{Default_Ignorable_Code_Point}]/u;

/** The library's styledCharsFromTokens, but characters under the same styles share one styles
 * array (it copied the array for each character: a row of 160 made 160 arrays). Nothing writes
 * to a styles array after it is made. */
function styledCharsOf(tokens: Token[]): StyledChar[] {
  let codes: AnsiCode[] = [];
  const chars: StyledChar[] = [];
  for (const t of tokens) {
    if (t.type === 'ansi') codes = reduceAnsiCodesIncremental(codes, [t]);
    else if (t.type === 'char') chars.push({ type: 'char', value: t.value, fullWidth: t.fullWidth, styles: codes });
  }
  return chars;
}

/** A line's characters as Ink places them: standalone invisible characters take no cell. */
const visibleChars = (tokens: Token[]): StyledChar[] => styledCharsOf(tokens).filter((c) => !ignorable.test(c.value));

const styledChars = memoText((line) => visibleChars(tokenize(line)), 8192);
const widthOf = memoText(stringWidth, 8192);

/** A written text as lines, each carrying the styles open at its start (styles cross newlines, as
 * in Ink). Each line is worked out once per (styles open at its start, text): a log pane whose lines
 * move up by one is the same lines again. */
function linesOf(text: string): string[] {
  // Plain text on one line is its own line: nothing to tokenize (most of a frame's changed text).
  return special.test(text) ? styledLines(text) : [text];
}

const styledLines = memoText((text) => {
  const lines: string[] = [];
  let open = '';
  for (const raw of text.split('\n')) {
    const line = lineOf(open, raw);
    lines.push(line.text);
    open = line.open;
  }
  return lines;
}, 4096);

/** One line of a text, the styles open before it written in front (`open`, as escape codes): the
 * line as Ink draws it, and the styles open after it. */
function lineOf(open: string, raw: string): Line {
  const key = `${open}\u0000${raw}`;
  let line = lineCache.get(key);
  if (line === undefined) {
    const tokens = tokenize(open + raw);
    const chars = visibleChars(tokens);
    const codes = reduceAnsiCodes(tokens.filter((t): t is AnsiCode => t.type === 'ansi'));
    line = { text: styledCharsToString(chars), open: ansiCodesToString(codes) };
    lineCache.set(key, line);
  }
  return line;
}

const widestLine = (lines: string[]): number => lines.reduce((w, l) => Math.max(w, widthOf(l)), 0);

const blankCell = (cell: StyledChar): StyledChar => ({ ...cell, value: ' ', fullWidth: false });
const EMPTY_CELL: StyledChar = { type: 'char', value: ' ', fullWidth: false, styles: [] };

function intersectBound(a: number | undefined, b: number | undefined, tighter: (a: number, b: number) => number) {
  if (a === undefined) return b;
  return b === undefined ? a : tighter(a, b);
}
const isClipEmpty = (c: Clip): boolean =>
  (c.x1 !== undefined && c.x2 !== undefined && c.x1 >= c.x2) ||
  (c.y1 !== undefined && c.y2 !== undefined && c.y1 >= c.y2);
const intersectClips = (outer: Clip | undefined, inner: Clip): Clip =>
  outer
    ? {
        x1: intersectBound(outer.x1, inner.x1, Math.max),
        x2: intersectBound(outer.x2, inner.x2, Math.min),
        y1: intersectBound(outer.y1, inner.y1, Math.max),
        y2: intersectBound(outer.y2, inner.y2, Math.min),
      }
    : inner;

/** A line cut to the columns [from, to); a wide character cut in half becomes a styled space. */
function sliceLineToColumns(line: string, from: number, to: number): string {
  if (from >= to) return '';
  const result: StyledChar[] = [];
  let column = 0;
  for (const c of styledChars(line)) {
    const width = widthOf(c.value);
    const start = column;
    column += width;
    if (column <= from) continue;
    if (start >= to) break;
    result.push(width > 1 && (start < from || column > to) ? blankCell(c) : c);
  }
  return styledCharsToString(result);
}

/** One row of the frame from its pieces, placed exactly as Ink places them (wide characters take
 * two cells; a write landing on half of one blanks the other half, keeping its styles). */
function buildRow(width: number, pieces: (number | string)[]): string {
  const row: StyledChar[] = new Array<StyledChar>(width).fill(EMPTY_CELL);
  for (let p = 0; p < pieces.length; p += 2) {
    const characters = styledChars(pieces[p + 1] as string);
    if (characters.length === 0) continue;
    let offsetX = pieces[p] as number;
    const before = row[offsetX - 1];
    if (row[offsetX]?.value === '' && offsetX > 0 && before && widthOf(before.value) > 1) {
      row[offsetX - 1] = blankCell(before);
    }
    for (const c of characters) {
      row[offsetX] = c;
      const w = Math.max(1, widthOf(c.value));
      for (let o = 1; o < w; o++) {
        // Ink keeps a visible cell when the leading one fell left of the row.
        row[offsetX + o] = { type: 'char', value: offsetX < 0 ? ' ' : '', fullWidth: false, styles: c.styles };
      }
      offsetX += w;
    }
    const after = row[offsetX];
    if (after?.value === '') row[offsetX] = blankCell(after);
  }
  // A write past the width leaves holes in the array (Ink drops them the same way).
  return styledCharsToString(row.filter((c) => c !== undefined)).trimEnd();
}

export default class Output {
  private readonly operations: Operation[] = [];
  width: number;
  height: number;

  constructor(options: { width: number; height: number }) {
    this.width = options.width;
    this.height = options.height;
  }

  write(x: number, y: number, text: string, options: { transformers: OutputTransformer[] }): void {
    if (text === '') return;
    this.operations.push({ type: 'write', x, y, text, transformers: options.transformers });
  }

  clip(clip: Clip): void {
    this.operations.push({ type: 'clip', clip });
  }

  unclip(): void {
    this.operations.push({ type: 'unclip' });
  }

  sliceLineToColumns(line: string, from: number, to: number): string {
    return sliceLineToColumns(line, from, to);
  }

  get(): { output: string; height: number } {
    // Per row: column, text, column, text… in the order Ink would have written them.
    const rows: (number | string)[][] = Array.from({ length: this.height }, () => []);
    const clips: Clip[] = [];
    for (const op of this.operations) {
      if (op.type === 'clip') clips.push(intersectClips(clips[clips.length - 1], op.clip));
      else if (op.type === 'unclip') clips.pop();
      else this.collect(rows, op, clips[clips.length - 1]);
    }
    const prefix = `${this.width};`;
    const out: string[] = [];
    for (const pieces of rows) {
      if (pieces.length === 0) {
        out.push('');
        continue;
      }
      // Column and length before each text: no text can make two different rows' keys equal.
      let key = prefix;
      for (let p = 0; p < pieces.length; p += 2) {
        const text = pieces[p + 1] as string;
        key += `${pieces[p]},${text.length},${text}`;
      }
      let line = rowCache.get(key);
      if (line === undefined) {
        line = buildRow(this.width, pieces);
        rowCache.set(key, line);
      }
      out.push(line);
    }
    endFrame();
    return { output: out.join('\n'), height: this.height };
  }

  /** Ink's write operation up to the placement: clipped and transformed lines, kept per row. */
  private collect(
    rows: (number | string)[][],
    op: Extract<Operation, { type: 'write' }>,
    clip: Clip | undefined,
  ): void {
    let { x, y } = op;
    let lines = linesOf(op.text);
    if (clip) {
      if (isClipEmpty(clip)) return;
      const clipsX = typeof clip.x1 === 'number' && typeof clip.x2 === 'number';
      const clipsY = typeof clip.y1 === 'number' && typeof clip.y2 === 'number';
      if (clipsX) {
        const w = widestLine(lines);
        if (x + w < (clip.x1 as number) || x > (clip.x2 as number)) return;
      }
      if (clipsY && (y + lines.length < (clip.y1 as number) || y > (clip.y2 as number))) return;
      if (clipsX) {
        const x1 = clip.x1 as number;
        const x2 = clip.x2 as number;
        lines = lines.map((line) => {
          const from = x < x1 ? x1 - x : 0;
          const w = widthOf(line);
          return sliceLineToColumns(line, from, x + w > x2 ? x2 - x : w);
        });
        if (x < x1) x = x1;
      }
      if (clipsY) {
        const y1 = clip.y1 as number;
        const y2 = clip.y2 as number;
        const from = y < y1 ? y1 - y : 0;
        lines = lines.slice(from, y + lines.length > y2 ? y2 - y : lines.length);
        if (y < y1) y = y1;
      }
    }
    for (let index = 0; index < lines.length; index++) {
      const row = rows[y + index];
      if (!row) continue; // above or below the frame
      let line = lines[index] as string;
      for (const transform of op.transformers) line = transform(line, index + y - op.y);
      row.push(x, line);
    }
  }
}
