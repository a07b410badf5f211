// Generated docs match what they are generated from. `npm run docs` rewrites them.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keysMarkdown } from '../../source/ui/keys.js';

const generated: [string, () => string][] = [['docs/keys.md', keysMarkdown]];

describe('generated docs', () => {
  for (const [path, make] of generated) {
    it(`${path} is up to date`, () => {
      const file = new URL(`../../${path}`, import.meta.url);
      if (process.env['TFMON_UPDATE_DOCS'] === '1') writeFileSync(file, make());
      expect(readFileSync(file, 'utf8'), `${path} is stale: run npm run docs`).toBe(make());
    });
  }
});
