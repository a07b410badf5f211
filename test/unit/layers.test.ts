// The layers point one way: each directory of source/ imports only from its own layer and those
// below it (docs/architecture.md draws them). Read from the import statements themselves, so a new
// arrow pointing up fails here before it lands.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
/** Lower numbers are lower layers. text and cluster are the pure layer together (cluster's messages
 * are sanitized by text; text formats cluster's types). */
const LAYER: Record<string, number> = {
  text: 0,
  cluster: 0,
  engine: 1,
  record: 1,
  monitor: 2,
  metrics: 3,
  ui: 3,
  commands: 4,
  cli: 5,
};

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Every relative import (static, type-only, re-export, dynamic) of a file: [from, to], as paths under source/. */
function arrows(): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = [];
  for (const file of sources('source')) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g)) {
      const target = normalize(join(dirname(file), m[1] ?? m[2]!));
      out.push({ from: file, to: relative('.', target) });
    }
  }
  return out;
}

const layerOf = (path: string): string => path.split('/')[1]!;

describe('the layers', () => {
  it('every source directory has a layer', () => {
    const dirs = readdirSync(join(ROOT, 'source'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(dirs.filter((d) => LAYER[d] === undefined)).toEqual([]);
  });

  it('no import points to a higher layer, nor across to the other directory of the same layer (ui ↔ metrics)', () => {
    const all = arrows();
    expect(all.length).toBeGreaterThan(300); // the reader finds the imports at all
    const up = all.filter(({ from, to }) => {
      const [a, b] = [layerOf(from), layerOf(to)];
      return a !== b && (LAYER[b]! > LAYER[a]! || (LAYER[b] === LAYER[a] && LAYER[a] !== 0));
    });
    expect(up.map(({ from, to }) => `${from} -> ${to}`)).toEqual([]);
  });

  it('only the engine layer imports dockerode; nothing below the commands imports Ink', () => {
    const offenders = sources('source').flatMap((file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const layer = layerOf(file);
      const bad: string[] = [];
      if (/from 'dockerode'|import\('dockerode'\)|require\('dockerode'\)/.test(text) && layer !== 'engine')
        bad.push(`${file}: dockerode`);
      if (/from 'ink'/.test(text) && !['ui', 'commands', 'cli'].includes(layer)) bad.push(`${file}: ink`);
      return bad;
    });
    expect(offenders).toEqual([]);
  });
});
