// Runs before every test file (vitest.config.ts): after each test, no frame drawn by tfmon's
// buffer differed from Ink's (test/helpers/both-outputs.ts).
import { afterEach, expect } from 'vitest';
import { takeMismatches } from './both-outputs.js';

afterEach(() => {
  expect(takeMismatches(), "frames where tfmon's buffer differs from Ink's").toEqual([]);
});
