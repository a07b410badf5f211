// tfmon's frame buffer (source/ui/ink/frame-output.ts) draws what Ink's draws, string for string:
// random frames of writes — styles, wide and invisible characters, newlines, writes off the edges,
// nested clips, per-line transforms — each drawn by Ink's Output and by tfmon's, the same buffer
// drawing frame after frame as on the screen, so the cached rows are checked as well as fresh ones.
// (Every screen test also draws each frame with both: test/helpers/both-outputs.ts.)
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import React from 'react';
import { describe, expect, it } from 'vitest';
import InkOutput from '../../node_modules/ink/build/output.js';
import Output, { type OutputTransformer } from '../../source/ui/ink/frame-output.js';
import { endFrame, GenerationCache, memoText } from '../../source/ui/ink/generation-cache.js';
import { comparedFrames } from '../helpers/both-outputs.js';
import { rng } from '../helpers/rng.js';

const GLYPHS = ['a', 'b', 'Z', ' ', ' ', '·', '›', '█', '中', '文', '😀', 'e\u0301', '\u200b', '\u2060', '-'];
const STYLES: [string, string][] = [
  ['\u001b[31m', '\u001b[39m'],
  ['\u001b[1m', '\u001b[22m'],
  ['\u001b[42m', '\u001b[49m'],
  ['\u001b[7m', '\u001b[27m'],
  ['\u001b[38;5;208m', '\u001b[39m'],
];
const TRANSFORMS: OutputTransformer[][] = [
  [],
  [],
  [(line) => `\u001b[34m${line}\u001b[39m`],
  [(line, i) => `${i}${line}`],
  [(line) => line.toUpperCase(), (line) => `\u001b[1m${line}\u001b[22m`],
];

function text(r: () => number, pool: string[]): string {
  if (pool.length > 0 && r() < 0.5) return pool[Math.floor(r() * pool.length)] as string;
  let s = '';
  const n = 1 + Math.floor(r() * 14);
  for (let i = 0; i < n; i++) {
    const g = r() < 0.08 ? '\n' : (GLYPHS[Math.floor(r() * GLYPHS.length)] as string);
    if (r() < 0.25) {
      const [open, close] = STYLES[Math.floor(r() * STYLES.length)] as [string, string];
      s += r() < 0.2 ? `${open}${g}` : `${open}${g}${close}`; // some styles left open, across lines
    } else s += g;
  }
  pool.push(s);
  return s;
}

type Drawable = Pick<Output, 'write' | 'clip' | 'unclip' | 'get'>;

/** One random frame, written the same way into every buffer given. */
function frame(r: () => number, width: number, height: number, pool: string[], into: Drawable[]): void {
  let depth = 0;
  const ops = 5 + Math.floor(r() * 25);
  const bound = (max: number) => (r() < 0.2 ? undefined : Math.floor(r() * (max + 4)) - 2);
  for (let i = 0; i < ops; i++) {
    const k = r();
    if (k < 0.12) {
      const clip = { x1: bound(width), x2: bound(width), y1: bound(height), y2: bound(height) };
      for (const o of into) o.clip(clip);
      depth++;
    } else if (k < 0.2 && depth > 0) {
      for (const o of into) o.unclip();
      depth--;
    } else {
      const x = Math.floor(r() * (width + 6)) - 3;
      const y = Math.floor(r() * (height + 4)) - 2;
      const t = text(r, pool);
      const transformers = TRANSFORMS[Math.floor(r() * TRANSFORMS.length)] as OutputTransformer[];
      for (const o of into) o.write(x, y, t, { transformers });
    }
  }
}

describe("tfmon's frame buffer", () => {
  it("draws 3,000 random frames exactly as Ink's buffer does", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const r = rng(seed);
      const pool: string[] = [];
      const width = 4 + Math.floor(r() * 30);
      const height = 1 + Math.floor(r() * 8);
      for (let f = 0; f < 100; f++) {
        const ink = new InkOutput({ width, height });
        const ours = new Output({ width, height });
        frame(r, width, height, pool, [ink, ours]);
        const a = ink.get();
        const b = ours.get();
        expect(b.height).toBe(a.height);
        if (b.output !== a.output) {
          expect({ seed, frame: f, rows: b.output.split('\n') }).toEqual({
            seed,
            frame: f,
            rows: a.output.split('\n'),
          });
        }
      }
    }
  });

  it('draws the same frame twice from its cache, and a changed row anew', () => {
    const draw = (cpu: string) => {
      const o = new Output({ width: 20, height: 2 });
      o.write(0, 0, `\u001b[1mROLE\u001b[22m CPU`, { transformers: [] });
      o.write(0, 1, `worker ${cpu}`, { transformers: [(l) => `\u001b[32m${l}\u001b[39m`] });
      return o.get().output;
    };
    expect(draw('1.0%')).toBe('\u001b[1mROLE\u001b[22m CPU\n\u001b[32mworker 1.0%\u001b[39m');
    expect(draw('1.0%')).toBe('\u001b[1mROLE\u001b[22m CPU\n\u001b[32mworker 1.0%\u001b[39m');
    expect(draw('2.5%')).toBe('\u001b[1mROLE\u001b[22m CPU\n\u001b[32mworker 2.5%\u001b[39m');
  });

  it("is in Ink's renderer in the tests (so every screen test compares both)", () => {
    // vitest.config.ts puts the pair where Ink's renderer imports its buffer, as the build puts
    // tfmon's: a frame rendered through Ink must be counted by the pair.
    const before = comparedFrames();
    const r = render(React.createElement(Text, { color: 'green' }, 'tfmon 中文'));
    expect(r.lastFrame()).toContain('tfmon 中文');
    r.unmount();
    expect(comparedFrames()).toBeGreaterThan(before);
  });
});

describe('the text caches', () => {
  it('keep at most two generations', () => {
    const c = new GenerationCache<number>(3);
    for (let i = 0; i < 10; i++) c.set(`k${i}`, i);
    expect(c.size).toBeLessThanOrEqual(6);
    expect(c.get('k9')).toBe(9);
    expect(c.get('k0')).toBeUndefined();
  });

  it('keep what was used in the last generation', () => {
    const c = new GenerationCache<number>(2);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3); // a new generation: a and b are the previous one
    expect(c.get('a')).toBe(1); // promoted
    c.set('d', 4); // c, a full: another generation, b dropped
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
  });

  it('live by frames: what two frames in a row did not use is dropped', () => {
    let calls = 0;
    const f = memoText((t: string) => {
      calls++;
      return t.length;
    });
    f('kept');
    f('once');
    endFrame();
    f('kept'); // used again: carried into this frame
    endFrame();
    f('kept');
    f('once'); // two frames without it: worked out again
    expect(calls).toBe(3);
  });

  it('call the function once per text while it is remembered', () => {
    let calls = 0;
    const f = memoText((t: string) => {
      calls++;
      return t.length;
    }, 4);
    expect([f('ab'), f('ab'), f('abc'), f('ab')]).toEqual([2, 2, 3, 2]);
    expect(calls).toBe(2);
  });
});
